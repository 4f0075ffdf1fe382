"""``/_local/captcha/siteverify``: Google reCAPTCHA siteverify's semantics (docs/architecture.md §8, a
contract).

- ``secret`` missing: ``missing-input-secret``; wrong: ``invalid-input-secret`` (the token is not spent).
- ``response`` missing: ``missing-input-response``.
- ``pass:<anything>`` passes once: action ``contact``, score 0.9, hostname ``localhost``.
- ``low:<anything>`` passes with score 0.1 (a bot, as far as a v3 policy is concerned).
- Every token is single-use, as Google's are: a second use fails with ``timeout-or-duplicate``.
- Anything else fails with ``invalid-input-response``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from devstack.http import HttpRequest, HttpResponse, json_response

PREFIX: Final = "/_local/captcha"
ACTION: Final = "contact"
HOSTNAME: Final = "localhost"
_SCORES: Final = {"pass:": 0.9, "low:": 0.1}


class SiteverifyEmulator:
    prefix = PREFIX
    endpoints = ("POST /_local/captcha/siteverify",)

    def __init__(self, secret: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._secret = secret
        self._clock = clock
        self._spent: set[str] = set()
        self._lock = threading.Lock()

    def environment(self, api_url: str) -> Mapping[str, str]:
        return {"CAPTCHA_VERIFY_URL": f"{api_url}{PREFIX}/siteverify"}

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if subpath != "/siteverify":
            return json_response(404, {"message": "not found"})
        if request.method != "POST":
            return json_response(405, {"message": "use POST"}, headers=[("Allow", "POST")])
        fields = request.form()
        return json_response(200, self.verify(fields.get("secret", ""), fields.get("response", "")))

    def verify(self, secret: str, token: str) -> dict[str, Any]:
        """The siteverify answer for one (secret, response) pair; spends the token when it is checked."""
        errors = []
        if not secret:
            errors.append("missing-input-secret")
        elif secret != self._secret:
            errors.append("invalid-input-secret")
        if not token:
            errors.append("missing-input-response")
        if errors:
            return {"success": False, "error-codes": sorted(errors)}
        score = next((s for prefix, s in _SCORES.items() if token.startswith(prefix)), None)
        if score is None:
            return {"success": False, "error-codes": ["invalid-input-response"]}
        with self._lock:
            if token in self._spent:
                return {"success": False, "error-codes": ["timeout-or-duplicate"]}
            self._spent.add(token)
        return {
            "success": True,
            "challenge_ts": self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "hostname": HOSTNAME,
            "score": score,
            "action": ACTION,
        }
