"""Emulators and controls under ``/_local/`` (devstack only, never deployed).

Each emulator owns a path prefix, answers requests below it, and names the environment variables that
point the functions at it. Later issues add the helpdesk, events and mail by adding one module each and
listing it where devstack builds its registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from devstack.http import HttpRequest, HttpResponse, json_response

LOCAL_PREFIX = "/_local"


class Emulator(Protocol):
    @property
    def prefix(self) -> str:
        """The path this emulator owns, e.g. "/_local/captcha"."""

    @property
    def endpoints(self) -> tuple[str, ...]:
        """ "METHOD /path" lines for the index page."""

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        """Answer a request below ``prefix``; ``subpath`` is the rest of the path ("" or "/...")."""

    def environment(self, api_url: str) -> Mapping[str, str | None]:
        """Variables that point a function at this emulator (e.g. CAPTCHA_VERIFY_URL); None removes one."""


def is_local_path(path: str) -> bool:
    return path == LOCAL_PREFIX or path.startswith(LOCAL_PREFIX + "/")


def no_local_endpoint(request: HttpRequest) -> HttpResponse:
    """The 404 of a path below /_local/ that no emulator answers."""
    return json_response(404, {"message": f"no local endpoint at {request.path}"})


class PointsNoFunction:
    """The base of an emulator that no function is pointed at (it is driven by hand, or by devstack
    itself): it sets no variable."""

    def environment(self, api_url: str) -> Mapping[str, str | None]:
        return {}


class EmulatorRegistry:
    """Routes /_local/ requests to the emulator with the longest matching prefix."""

    def __init__(self, emulators: Iterable[Emulator]) -> None:
        self._emulators = sorted(emulators, key=lambda e: len(e.prefix), reverse=True)

    def handle(self, request: HttpRequest) -> HttpResponse:
        for emulator in self._emulators:
            if request.path == emulator.prefix or request.path.startswith(emulator.prefix + "/"):
                return emulator.handle(request, request.path[len(emulator.prefix) :])
        return no_local_endpoint(request)

    def environment(self, api_url: str) -> dict[str, str | None]:
        merged: dict[str, str | None] = {}
        for emulator in self._emulators:
            merged.update(emulator.environment(api_url))
        return merged

    @property
    def endpoints(self) -> list[str]:
        return sorted(line for emulator in self._emulators for line in emulator.endpoints)
