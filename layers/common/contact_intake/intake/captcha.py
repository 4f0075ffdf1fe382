"""Telling people from bots: one verifier interface, reCAPTCHA (v2 and v3) behind it.

Fails closed: a rejected token is ``CaptchaRejected`` (403), and anything that keeps us from getting a
verdict (timeouts, Google unreachable, a 5xx, a garbled answer, our own secret refused) is
``CaptchaUnavailable`` (503). Either way nothing is stored.

Siteverify is POSTed over urllib3, which botocore already loaded: `requests` was ~80-120 ms of the
intake's first response for one form POST (docs/decisions.md D90).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from contact_intake.core.errors import CaptchaRejected, CaptchaUnavailable

if TYPE_CHECKING:
    import urllib3

FORM = "application/x-www-form-urlencoded"

# siteverify error codes (developers.google.com/recaptcha/docs/verify) that mean *our* side is wrong:
# the sender cannot fix them, so they are a 503 and an alarm, not a 403.
SERVER_SIDE_ERRORS = frozenset({"missing-input-secret", "invalid-input-secret", "bad-request"})
# codes that mean the sender's token is bad: missing, malformed, expired or already used.
CLIENT_SIDE_ERRORS = frozenset({"missing-input-response", "invalid-input-response", "timeout-or-duplicate"})


class CaptchaVerifier(Protocol):
    """Anything that can vouch for a token: reCAPTCHA today, Turnstile or reCAPTCHA Enterprise later."""

    def verify(self, token: str, remote_ip: str | None) -> None:
        """Return when the token proves a person; raise CaptchaRejected or CaptchaUnavailable otherwise."""


@dataclass(frozen=True)
class RecaptchaPolicy:
    hostnames: tuple[str, ...]
    action: str = "contact"
    min_score: float = 0.5


class RecaptchaVerifier:
    """Google reCAPTCHA siteverify: success, the expected hostname(s), and for v3 action and score."""

    def __init__(
        self,
        *,
        pool: urllib3.PoolManager,
        secret: Callable[[], str],
        verify_url: str,
        policy: RecaptchaPolicy,
        timeout_seconds: float = 3.0,
    ) -> None:
        self._pool = pool
        self._secret = secret
        self._url = verify_url
        self._policy = policy
        self._connect_timeout, self._read_timeout = min(timeout_seconds, 2.0), timeout_seconds

    def verify(self, token: str, remote_ip: str | None) -> None:
        answer = self._siteverify(token, remote_ip)
        codes = {str(code) for code in answer.get("error-codes") or []}
        if answer.get("success") is not True:
            if codes & SERVER_SIDE_ERRORS:
                raise CaptchaUnavailable(reason=sorted(codes & SERVER_SIDE_ERRORS)[0])
            raise CaptchaRejected(reason=sorted(codes)[0] if codes else "not-successful")
        self._check_policy(answer)

    def _siteverify(self, token: str, remote_ip: str | None) -> dict[str, Any]:
        import urllib3  # loaded with botocore (and with the pool, Clients.http_pool): a dict lookup here

        form = {"secret": self._secret(), "response": token}
        if remote_ip:
            form["remoteip"] = remote_ip
        try:
            response = self._pool.request(
                "POST",
                self._url,
                body=urlencode(form),
                headers={**self._pool.headers, "Content-Type": FORM},
                timeout=urllib3.Timeout(connect=self._connect_timeout, read=self._read_timeout),
                retries=False,  # one attempt, as before; a redirect is an answer (http-3xx), not followed
                redirect=False,
            )
        except urllib3.exceptions.NewConnectionError:  # refused, no route, no name (a TimeoutError subclass)
            raise CaptchaUnavailable(reason="unreachable") from None
        except urllib3.exceptions.TimeoutError:  # connect or read timeout
            raise CaptchaUnavailable(reason="timeout") from None
        except urllib3.exceptions.HTTPError:  # the connection dropped, TLS failed, a garbled answer
            raise CaptchaUnavailable(reason="unreachable") from None
        if response.status != 200:
            raise CaptchaUnavailable(reason=f"http-{response.status}")
        try:
            answer = json.loads(response.data)
        except ValueError:
            raise CaptchaUnavailable(reason="invalid-json") from None
        if not isinstance(answer, dict):
            raise CaptchaUnavailable(reason="invalid-json")
        return answer

    def _check_policy(self, answer: dict[str, Any]) -> None:
        policy = self._policy
        if answer.get("hostname") not in policy.hostnames:
            raise CaptchaRejected(reason="hostname-mismatch")
        if "action" in answer and answer["action"] != policy.action:
            raise CaptchaRejected(reason="action-mismatch")
        if "score" in answer:
            score = answer["score"]
            if not isinstance(score, int | float) or score < policy.min_score:
                raise CaptchaRejected(reason="low-score")
