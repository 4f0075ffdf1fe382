"""The reCAPTCHA verifier against a real local siteverify (tests/siteverify_double.py), one test per
outcome: the request and the answers go over a socket in siteverify's formats."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import urllib3

from contact_intake.core.clients import USER_AGENT, Clients
from contact_intake.core.errors import CaptchaRejected, CaptchaUnavailable
from contact_intake.intake.captcha import RecaptchaPolicy, RecaptchaVerifier
from tests.siteverify_double import SiteverifyDouble, closed_port, siteverify_double, unanswered_connect

V3_OK = {
    "success": True,
    "challenge_ts": "2026-11-25T04:24:36Z",
    "hostname": "shop.example",
    "action": "contact",
    "score": 0.9,
}
POLICY = RecaptchaPolicy(hostnames=("shop.example",), action="contact", min_score=0.5)


def verifier_for(
    url: str, timeout_seconds: float = 3.0, pool: urllib3.PoolManager | None = None
) -> RecaptchaVerifier:
    return RecaptchaVerifier(
        pool=pool or Clients().http_pool,
        secret=lambda: "the-secret",
        verify_url=url,
        policy=POLICY,
        timeout_seconds=timeout_seconds,
    )


@pytest.fixture
def google() -> Iterator[SiteverifyDouble]:
    with siteverify_double() as double:
        yield double


@pytest.fixture
def verifier(google: SiteverifyDouble) -> RecaptchaVerifier:
    return verifier_for(google.url)


def test_a_person_passes_and_the_request_is_googles_format(
    verifier: RecaptchaVerifier, google: SiteverifyDouble
) -> None:
    google.says(V3_OK)
    verifier.verify("tok-1", "198.51.100.23")
    [sent] = google.requests
    assert (sent.method, sent.path) == ("POST", "/recaptcha/api/siteverify")
    assert sent.form == {"secret": ["the-secret"], "response": ["tok-1"], "remoteip": ["198.51.100.23"]}
    assert sent.body == "secret=the-secret&response=tok-1&remoteip=198.51.100.23"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["User-Agent"] == USER_AGENT


def test_remote_ip_is_optional(verifier: RecaptchaVerifier, google: SiteverifyDouble) -> None:
    google.says(V3_OK)
    verifier.verify("tok-1", None)
    assert "remoteip" not in google.requests[0].form


def test_the_form_is_encoded_as_browsers_encode_it(
    verifier: RecaptchaVerifier, google: SiteverifyDouble
) -> None:
    google.says(V3_OK)
    verifier.verify("pass:a b&c=d/é", "2001:db8::1")
    assert google.requests[0].body == (
        "secret=the-secret&response=pass%3Aa+b%26c%3Dd%2F%C3%A9&remoteip=2001%3Adb8%3A%3A1"
    )


def test_v2_answer_without_score_or_action_passes(
    verifier: RecaptchaVerifier, google: SiteverifyDouble
) -> None:
    google.says({"success": True, "challenge_ts": "2026-11-25T04:24:36Z", "hostname": "shop.example"})
    verifier.verify("tok", None)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"success": False, "error-codes": ["invalid-input-response"]}, "invalid-input-response"),
        ({"success": False, "error-codes": ["missing-input-response"]}, "missing-input-response"),
        ({"success": False, "error-codes": ["timeout-or-duplicate"]}, "timeout-or-duplicate"),
        ({"success": False}, "not-successful"),
        ({"success": "true", **{k: v for k, v in V3_OK.items() if k != "success"}}, "not-successful"),
        ({**V3_OK, "hostname": "evil.example"}, "hostname-mismatch"),
        ({**V3_OK, "hostname": None}, "hostname-mismatch"),
        ({**V3_OK, "action": "login"}, "action-mismatch"),
        ({**V3_OK, "score": 0.1}, "low-score"),
        ({**V3_OK, "score": 0.49}, "low-score"),
        ({**V3_OK, "score": "0.9"}, "low-score"),
    ],
)
def test_rejections_are_403_with_a_reason(
    verifier: RecaptchaVerifier, google: SiteverifyDouble, body: dict[str, Any], reason: str
) -> None:
    google.says(body)
    with pytest.raises(CaptchaRejected) as caught:
        verifier.verify("tok", None)
    assert caught.value.reason == reason
    assert caught.value.status == 403


def test_score_exactly_at_threshold_passes(verifier: RecaptchaVerifier, google: SiteverifyDouble) -> None:
    google.says({**V3_OK, "score": 0.5})
    verifier.verify("tok", None)


@pytest.mark.parametrize(
    ("codes", "reason"),
    [
        (["invalid-input-secret"], "invalid-input-secret"),
        (["missing-input-secret"], "missing-input-secret"),
        (["bad-request"], "bad-request"),
        (["invalid-input-response", "invalid-input-secret"], "invalid-input-secret"),
    ],
)
def test_our_own_configuration_errors_fail_closed_as_503(
    verifier: RecaptchaVerifier, google: SiteverifyDouble, codes: list[str], reason: str
) -> None:
    google.says({"success": False, "error-codes": codes})
    with pytest.raises(CaptchaUnavailable) as caught:
        verifier.verify("tok", None)
    assert caught.value.reason == reason
    assert caught.value.status == 503


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda g: g.says({"error": "x"}, status=500), "http-500"),
        (lambda g: g.says({"error": "x"}, status=429), "http-429"),
        (lambda g: g.says(V3_OK, status=302), "http-302"),  # a redirect is not followed
        (lambda g: g.answers("<html>oops</html>", status=200), "invalid-json"),
        (lambda g: g.says(["not", "an", "object"]), "invalid-json"),
        (lambda g: g.hangs_up(), "unreachable"),
    ],
)
def test_google_broken_fails_closed(
    verifier: RecaptchaVerifier, google: SiteverifyDouble, setup: Any, reason: str
) -> None:
    setup(google)
    with pytest.raises(CaptchaUnavailable) as caught:
        verifier.verify("tok", None)
    assert caught.value.reason == reason
    assert caught.value.status == 503
    assert len(google.requests) == 1  # one attempt, no retry


def test_google_unreachable_fails_closed() -> None:
    with pytest.raises(CaptchaUnavailable) as caught:
        verifier_for(closed_port()).verify("tok", None)
    assert caught.value.reason == "unreachable"


def test_a_connect_that_times_out_fails_closed() -> None:
    with unanswered_connect() as url, pytest.raises(CaptchaUnavailable) as caught:
        verifier_for(url, timeout_seconds=0.2).verify("tok", None)
    assert caught.value.reason == "timeout"


def test_an_answer_slower_than_the_timeout_fails_closed(google: SiteverifyDouble) -> None:
    google.stalls(1.0, V3_OK)
    with pytest.raises(CaptchaUnavailable) as caught:
        verifier_for(google.url, timeout_seconds=0.2).verify("tok", None)
    assert caught.value.reason == "timeout"


class RecordingPool(urllib3.PoolManager):
    """urllib3's own pool, noting the timeout each request was sent with."""

    timeouts: list[Any]

    def urlopen(self, method: str, url: str, redirect: bool = True, **kw: Any) -> Any:
        self.timeouts = [*getattr(self, "timeouts", []), kw.get("timeout")]
        return super().urlopen(method, url, redirect=redirect, **kw)


@pytest.mark.parametrize(("seconds", "connect", "read"), [(3.0, 2.0, 3.0), (1.5, 1.5, 1.5)])
def test_timeouts_are_passed_to_the_connection(
    google: SiteverifyDouble, seconds: float, connect: float, read: float
) -> None:
    google.says(V3_OK)
    pool = RecordingPool()
    verifier_for(google.url, timeout_seconds=seconds, pool=pool).verify("tok", None)
    [timeout] = pool.timeouts
    assert (timeout.connect_timeout, timeout.read_timeout) == (connect, read)
