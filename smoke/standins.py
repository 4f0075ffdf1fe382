"""The third parties' stand-ins, on a loopback port: devstack's Freshdesk and reCAPTCHA emulators.

The same emulators the devstack serves under /_local/ (devstack/emulators), served alone here so the
deployed functions can reach them: the smoke points the functions' HELPDESK_BASE_URL and
CAPTCHA_VERIFY_URL at this server.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from devstack.console import Console
from devstack.emulators import EmulatorRegistry
from devstack.emulators.captcha import SiteverifyEmulator
from devstack.emulators.helpdesk import HelpdeskEmulator
from devstack.http import ApiServer, HttpRequest, HttpResponse
from devstack.local_secrets import RECAPTCHA_SECRET


class StandIns:
    def __init__(self) -> None:
        self.helpdesk = HelpdeskEmulator()
        self._registry = EmulatorRegistry([self.helpdesk, SiteverifyEmulator(RECAPTCHA_SECRET)])
        self._server = ApiServer("127.0.0.1", 0, self._handle, Console())
        self.url = f"http://127.0.0.1:{self._server.port}"

    def _handle(self, request: HttpRequest) -> HttpResponse:
        return self._registry.handle(request)

    def environment(self) -> dict[str, str | None]:
        """Variables that point a function at the stand-ins (None: remove the variable)."""
        return self._registry.environment(self.url)

    def tickets(self) -> list[dict[str, Any]]:
        """Every ticket the helpdesk stand-in holds, through its documented /_state control."""
        with urllib.request.urlopen(f"{self.url}/_local/helpdesk/_state", timeout=5) as answer:  # noqa: S310 - loopback
            state: dict[str, Any] = json.load(answer)
        return list(state["tickets"])

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self.helpdesk.stop()
        self._server.stop()
