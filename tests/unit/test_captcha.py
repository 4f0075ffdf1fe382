"""The reCAPTCHA verifier against `responses`, one test per siteverify outcome."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses

from contact_intake.core.errors import CaptchaRejected, CaptchaUnavailable
from contact_intake.intake.captcha import RecaptchaPolicy, RecaptchaVerifier

URL = "https://www.google.com/recaptcha/api/siteverify"
V3_OK = {
    "success": True,
    "challenge_ts": "2026-11-25T04:24:36Z",
    "hostname": "shop.example",
    "action": "contact",
    "score": 0.9,
}


@pytest.fixture
def verifier() -> RecaptchaVerifier:
    return RecaptchaVerifier(
        session=requests.Session(),
        secret=lambda: "the-secret",
        verify_url=URL,
        policy=RecaptchaPolicy(hostnames=("shop.example",), action="contact", min_score=0.5),
        timeout_seconds=3.0,
    )


def answer(body: Any, status: int = 200) -> None:
    responses.add(responses.POST, URL, json=body, status=status)


@responses.activate
def test_a_person_passes_and_the_request_is_googles_format(verifier: RecaptchaVerifier) -> None:
    answer(V3_OK)
    verifier.verify("tok-1", "198.51.100.23")
    sent = parse_qs(responses.calls[0].request.body)  # type: ignore[arg-type]
    assert sent == {"secret": ["the-secret"], "response": ["tok-1"], "remoteip": ["198.51.100.23"]}
    assert responses.calls[0].request.headers["Content-Type"] == "application/x-www-form-urlencoded"


@responses.activate
def test_remote_ip_is_optional(verifier: RecaptchaVerifier) -> None:
    answer(V3_OK)
    verifier.verify("tok-1", None)
    assert "remoteip" not in parse_qs(responses.calls[0].request.body)  # type: ignore[arg-type]


@responses.activate
def test_v2_answer_without_score_or_action_passes(verifier: RecaptchaVerifier) -> None:
    answer({"success": True, "challenge_ts": "2026-11-25T04:24:36Z", "hostname": "shop.example"})
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
@responses.activate
def test_rejections_are_403_with_a_reason(
    verifier: RecaptchaVerifier, body: dict[str, Any], reason: str
) -> None:
    answer(body)
    with pytest.raises(CaptchaRejected) as caught:
        verifier.verify("tok", None)
    assert caught.value.reason == reason
    assert caught.value.status == 403


@responses.activate
def test_score_exactly_at_threshold_passes(verifier: RecaptchaVerifier) -> None:
    answer({**V3_OK, "score": 0.5})
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
@responses.activate
def test_our_own_configuration_errors_fail_closed_as_503(
    verifier: RecaptchaVerifier, codes: list[str], reason: str
) -> None:
    answer({"success": False, "error-codes": codes})
    with pytest.raises(CaptchaUnavailable) as caught:
        verifier.verify("tok", None)
    assert caught.value.reason == reason
    assert caught.value.status == 503


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda: responses.add(responses.POST, URL, body=requests.ConnectTimeout()), "timeout"),
        (lambda: responses.add(responses.POST, URL, body=requests.ReadTimeout()), "timeout"),
        (lambda: responses.add(responses.POST, URL, body=requests.ConnectionError()), "unreachable"),
        (lambda: responses.add(responses.POST, URL, json={"error": "x"}, status=500), "http-500"),
        (lambda: responses.add(responses.POST, URL, json={"error": "x"}, status=429), "http-429"),
        (lambda: responses.add(responses.POST, URL, body="<html>oops</html>", status=200), "invalid-json"),
        (
            lambda: responses.add(responses.POST, URL, json=["not", "an", "object"], status=200),
            "invalid-json",
        ),
    ],
)
@responses.activate
def test_google_unreachable_or_broken_fails_closed(
    verifier: RecaptchaVerifier, setup: Any, reason: str
) -> None:
    setup()
    with pytest.raises(CaptchaUnavailable) as caught:
        verifier.verify("tok", None)
    assert caught.value.reason == reason


@responses.activate
def test_timeouts_are_passed_to_requests(verifier: RecaptchaVerifier) -> None:
    answer(V3_OK)
    verifier.verify("tok", None)
    assert responses.calls[0].request.req_kwargs["timeout"] == (2.0, 3.0)  # type: ignore[attr-defined]
