"""The rights engine's typed errors, mapped to HTTP by contact_intake.api.http like every ContactIntakeError.

Messages are public (the DPO's CLI prints them): no personal data, no internal names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contact_intake.core.errors import ContactIntakeError, Gone, NotFound

if TYPE_CHECKING:
    from contact_intake.rights.models import RightsRequest


class RequestNotFound(NotFound, message="No rights request with this id."): ...


class Forbidden(ContactIntakeError, code="forbidden", message="The caller's identity is unknown."): ...


class TransitionRefused(ContactIntakeError, code="invalid_state"):
    """The request is not in a state that allows this action (e.g. rejecting a completed request).
    ``reason`` is a short machine code, safe to log; ``current`` the request as it is now, when known."""

    def __init__(
        self, reason: str, message: str | None = None, *, current: RightsRequest | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.current = current


class TokenGone(Gone):
    """The verification link is unknown, used or expired. ``locale`` is the request's language when the
    token was found (for the page), ``reason`` a machine code (unknown, used, expired)."""

    def __init__(self, reason: str, locale: str | None = None) -> None:
        super().__init__()
        self.reason = reason
        self.locale = locale
