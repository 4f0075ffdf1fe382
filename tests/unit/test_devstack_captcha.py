"""/_local/captcha/siteverify: Google's siteverify semantics as docs/architecture.md §8 fixes them."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from devstack.emulators.captcha import SiteverifyEmulator
from devstack.http import HttpRequest
from tests.builders import NOW

SECRET = "local-recaptcha-secret"


@pytest.fixture
def emulator() -> SiteverifyEmulator:
    return SiteverifyEmulator(SECRET, clock=lambda: NOW)


def a_post(
    fields: dict[str, str], path: str = "/siteverify", method: str = "POST"
) -> tuple[HttpRequest, str]:
    request = HttpRequest(
        method=method,
        path=f"/_local/captcha{path}",
        headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        body=urlencode(fields).encode(),
    )
    return request, path


def test_a_pass_token_passes_with_the_contact_action_a_high_score_and_localhost(
    emulator: SiteverifyEmulator,
) -> None:
    assert emulator.verify(SECRET, "pass:abc") == {
        "success": True,
        "challenge_ts": "2026-11-25T04:24:36Z",
        "hostname": "localhost",
        "score": 0.9,
        "action": "contact",
    }


def test_a_pass_token_passes_only_once(emulator: SiteverifyEmulator) -> None:
    emulator.verify(SECRET, "pass:abc")

    assert emulator.verify(SECRET, "pass:abc") == {"success": False, "error-codes": ["timeout-or-duplicate"]}
    assert emulator.verify(SECRET, "pass:abd")["success"] is True


def test_a_low_token_passes_with_a_low_score(emulator: SiteverifyEmulator) -> None:
    answer = emulator.verify(SECRET, "low:abc")

    assert answer["success"] is True
    assert answer["score"] == 0.1


@pytest.mark.parametrize("token", ["abc", "PASS:abc", "pass", "fail:abc", " pass:abc"])
def test_any_other_token_is_an_invalid_input_response(emulator: SiteverifyEmulator, token: str) -> None:
    assert emulator.verify(SECRET, token) == {"success": False, "error-codes": ["invalid-input-response"]}


@pytest.mark.parametrize(
    ("secret", "token", "codes"),
    [
        ("", "pass:a", ["missing-input-secret"]),
        ("wrong", "pass:a", ["invalid-input-secret"]),
        (SECRET, "", ["missing-input-response"]),
        ("", "", ["missing-input-response", "missing-input-secret"]),
    ],
)
def test_missing_or_wrong_inputs(
    emulator: SiteverifyEmulator, secret: str, token: str, codes: list[str]
) -> None:
    assert emulator.verify(secret, token) == {"success": False, "error-codes": codes}


def test_a_wrong_secret_does_not_spend_the_token(emulator: SiteverifyEmulator) -> None:
    emulator.verify("wrong", "pass:abc")

    assert emulator.verify(SECRET, "pass:abc")["success"] is True


def test_the_form_post_is_answered_with_json(emulator: SiteverifyEmulator) -> None:
    request, subpath = a_post({"secret": SECRET, "response": "pass:x", "remoteip": "198.51.100.7"})

    response = emulator.handle(request, subpath)

    assert response.status == 200
    assert response.header("content-type") == "application/json"
    assert b'"success": true' in response.body


def test_other_methods_and_paths_are_refused(emulator: SiteverifyEmulator) -> None:
    assert emulator.handle(*a_post({}, method="GET")).status == 405
    assert emulator.handle(*a_post({}, path="/other")).status == 404


def test_it_points_functions_at_itself(emulator: SiteverifyEmulator) -> None:
    assert emulator.environment("http://127.0.0.1:3000") == {
        "CAPTCHA_VERIFY_URL": "http://127.0.0.1:3000/_local/captcha/siteverify"
    }
