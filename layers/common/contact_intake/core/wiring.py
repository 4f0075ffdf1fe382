"""The one base of every function's wiring (each capability's ``wiring.py`` builds on it).

A wiring object holds a function's settings, its AWS clients (``core.clients.Clients``: each built on first
use) and a clock, and builds the function's collaborators lazily with ``cached_property``, once per
container. A test swaps a collaborator by assigning it (``wiring.intake = FakeIntake()``) or starts afresh
with a new wiring object; no internals are patched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Generic, TypeVar

from contact_intake.core.clients import Clients

S = TypeVar("S")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Wiring(Generic[S]):
    """``S`` is the function's settings: its model, or what it reads of it (a Protocol)."""

    def __init__(
        self, settings: S, clients: Clients | None = None, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.settings = settings
        self.clients = clients or Clients()
        self.clock = clock
