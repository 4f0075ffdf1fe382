"""IntakeFunction end to end in one process: API Gateway event -> handler -> moto DynamoDB/SQS/SSM.

Google's siteverify is a real local HTTP server (tests/siteverify_double.py) speaking its request and answer
formats; the handler reaches it over a socket.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.stub import Stubber

from tests.builders import PERSON, a_form, api_event, sample_event
from tests.siteverify_double import SiteverifyDouble

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


PERSON_OK = {"success": True, "hostname": "shop.example", "action": "contact", "score": 0.9,
             "challenge_ts": "2026-11-25T04:24:36Z"}  # fmt: skip


def header_of(response: dict[str, Any], name: str) -> str | None:
    """A response header, whether the proxy response carries it single- or multi-valued."""
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return str(values[0])
    return None


def error_of(response: dict[str, Any]) -> dict[str, Any]:
    assert (header_of(response, "Content-Type") or "").startswith("application/json")
    body = json.loads(response["body"])
    assert set(body) == {"error"}
    return dict(body["error"])


def test_accepted_inquiry_is_stored_with_the_contract_attributes(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any
) -> None:
    siteverify.says(PERSON_OK)
    response = invoke(api_event(a_form(customer_number="C-998877")))
    assert response["statusCode"] == 202
    body = json.loads(response["body"])
    assert body["status"] == "received"
    item = aws.get_item(body["inquiry_id"])
    contract = {"inquiry_id", "received_at", "channel", "name", "email", "subject", "message", "locale"}
    contract |= {"subject_key", "lawful_basis", "status", "restricted", "expires_at"}
    assert set(item) >= contract
    assert item["inquiry_id"] == {"S": body["inquiry_id"]}
    assert item["channel"] == {"S": "web_form"}
    assert item["email"] == {"S": PERSON["email"]}
    assert item["message"] == {"S": PERSON["message"]}
    assert item["lawful_basis"] == {"S": "legitimate_interests"}
    assert item["status"] == {"S": "received"}
    assert item["restricted"] == {"BOOL": False}
    assert "N" in item["expires_at"]
    assert len(item["subject_key"]["S"]) == 64
    assert item["received_at"]["S"].endswith("Z")
    assert "customer_number" not in item  # no such account in the mirror: a prospect's inquiry


def test_queue_message_is_the_id_and_nothing_personal(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any
) -> None:
    siteverify.says(PERSON_OK)
    inquiry_id = json.loads(invoke(api_event(a_form()))["body"])["inquiry_id"]
    messages = aws.receive_all()
    assert [json.loads(m["Body"]) for m in messages] == [{"inquiry_id": inquiry_id}]
    raw = json.dumps(messages)
    for value in PERSON.values():
        assert value not in raw
    assert "MessageAttributes" not in messages[0]


def test_one_put_and_one_send_per_inquiry_none_on_a_retry(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any
) -> None:
    siteverify.says(PERSON_OK)
    siteverify.says({"success": False, "error-codes": ["timeout-or-duplicate"]})
    body = a_form()
    first = invoke(api_event(body, headers={"Idempotency-Key": "retry-me"}))
    calls_after_first = dict(aws.calls)
    retry = invoke(api_event(body, headers={"Idempotency-Key": "retry-me"}))
    assert first["statusCode"] == retry["statusCode"] == 202
    assert json.loads(first["body"]) == json.loads(retry["body"])
    assert calls_after_first == {"dynamodb.PutItem": 1, "sqs.SendMessage": 1}
    assert aws.calls["dynamodb.PutItem"] == 1
    assert aws.calls["sqs.SendMessage"] == 1
    assert aws.scan_count() == 1
    assert len(aws.receive_all()) == 1


def test_same_key_new_token_and_same_body_writes_nothing_new(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any
) -> None:
    siteverify.says(PERSON_OK)
    siteverify.says(PERSON_OK)
    body = a_form()
    first = invoke(api_event(body, headers={"Idempotency-Key": "k"}))
    again = invoke(api_event({**body, "captcha_token": "pass:new"}, headers={"Idempotency-Key": "k"}))
    assert json.loads(again["body"])["inquiry_id"] == json.loads(first["body"])["inquiry_id"]
    assert aws.calls["sqs.SendMessage"] == 1
    assert aws.scan_count() == 1


def test_same_key_other_body_is_409(siteverify: SiteverifyDouble, invoke: Invoke, aws: Any) -> None:
    siteverify.says(PERSON_OK)
    siteverify.says(PERSON_OK)
    invoke(api_event(a_form(), headers={"Idempotency-Key": "k"}))
    response = invoke(api_event(a_form(message="Another question"), headers={"Idempotency-Key": "k"}))
    assert response["statusCode"] == 409
    assert error_of(response)["code"] == "idempotency_conflict"
    assert aws.scan_count() == 1


@pytest.mark.parametrize(
    ("event", "status", "code"),
    [
        (api_event("{broken", content_type="application/json"), 400, "malformed_body"),
        (api_event(json.dumps({"message": "x" * 40_000})), 413, "body_too_large"),
        (api_event("hello", content_type="text/plain"), 415, "unsupported_media_type"),
        (api_event(a_form(email="nope")), 422, "validation_error"),
        (api_event(a_form(extra_field="x")), 422, "validation_error"),
        (api_event(a_form(name="A\r\nB")), 422, "validation_error"),
        (api_event(a_form(), headers={"Idempotency-Key": "k" * 129}), 422, "validation_error"),
        (api_event(a_form(), headers={"Idempotency-Key": "with space"}), 422, "validation_error"),
    ],
)
def test_error_statuses(invoke: Invoke, aws: Any, event: dict[str, Any], status: int, code: str) -> None:
    response = invoke(event)
    assert response["statusCode"] == status
    assert error_of(response)["code"] == code
    assert aws.scan_count() == 0
    assert aws.calls == {}


def test_422_lists_one_entry_per_bad_field(invoke: Invoke) -> None:
    response = invoke(api_event(a_form(email="nope", subject="", message=None, extra="x")))
    fields = {(f["field"], f["code"]) for f in error_of(response)["fields"]}
    assert fields == {("email", "invalid"), ("subject", "too_short"), ("message", "required"),
                      ("extra", "unknown_field")}  # fmt: skip


def test_422_for_the_idempotency_header_names_it(invoke: Invoke) -> None:
    response = invoke(api_event(a_form(), headers={"Idempotency-Key": "with space"}))
    assert [f["field"] for f in error_of(response)["fields"]] == ["Idempotency-Key"]


@pytest.mark.parametrize(
    ("google", "status", "code"),
    [
        ({"success": False, "error-codes": ["invalid-input-response"]}, 403, "captcha_failed"),
        ({**PERSON_OK, "score": 0.1}, 403, "captcha_failed"),
        ({**PERSON_OK, "hostname": "evil.example"}, 403, "captcha_failed"),
        ({"success": False, "error-codes": ["invalid-input-secret"]}, 503, "captcha_unavailable"),
    ],
)
def test_captcha_outcomes_store_nothing(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any, *, google: dict[str, Any], status: int, code: str
) -> None:
    siteverify.says(google)
    response = invoke(api_event(a_form()))
    assert (response["statusCode"], error_of(response)["code"]) == (status, code)
    assert aws.scan_count() == 0


def test_google_unreachable_is_503_and_nothing_stored(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any
) -> None:
    siteverify.hangs_up()  # the connection drops without an answer
    response = invoke(api_event(a_form()))
    assert response["statusCode"] == 503
    assert aws.scan_count() == 0


def test_the_siteverify_request_carries_secret_token_and_ip(
    siteverify: SiteverifyDouble, invoke: Invoke
) -> None:
    siteverify.says(PERSON_OK)
    invoke(api_event(a_form(captcha_token="pass:abc"), source_ip="203.0.113.9"))
    assert (
        siteverify.requests[0].body
        == "secret=local-test-recaptcha-secret&response=pass%3Aabc&remoteip=203.0.113.9"
    )


def test_honeypot_gets_202_and_nothing_is_stored(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any
) -> None:
    response = invoke(api_event(a_form(website="http://spam.example")))
    assert response["statusCode"] == 202
    assert json.loads(response["body"])["status"] == "received"
    assert aws.scan_count() == 0
    assert len(siteverify.requests) == 0


def test_urlencoded_form_from_a_browser_gets_303(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any
) -> None:
    siteverify.says(PERSON_OK)
    fields = a_form()
    fields["g-recaptcha-response"] = fields.pop("captcha_token")
    response = invoke(api_event(urlencode(fields), content_type="application/x-www-form-urlencoded",
                                headers={"Accept": "text/html,application/xhtml+xml;q=0.9"}))  # fmt: skip
    assert response["statusCode"] == 303
    assert header_of(response, "Location") == "https://shop.example/thanks"
    assert aws.scan_count() == 1


def test_urlencoded_from_a_script_gets_json_202(siteverify: SiteverifyDouble, invoke: Invoke) -> None:
    siteverify.says(PERSON_OK)
    response = invoke(api_event(urlencode(a_form()), content_type="application/x-www-form-urlencoded"))
    assert response["statusCode"] == 202


def test_base64_encoded_body_is_accepted(siteverify: SiteverifyDouble, invoke: Invoke) -> None:
    siteverify.says(PERSON_OK)
    event = api_event(None)
    event["body"] = base64.b64encode(json.dumps(a_form()).encode()).decode()
    event["isBase64Encoded"] = True
    assert invoke(event)["statusCode"] == 202


def test_cors_headers_only_for_allowed_origins(siteverify: SiteverifyDouble, invoke: Invoke) -> None:
    siteverify.says(PERSON_OK)
    siteverify.says(PERSON_OK)
    allowed = invoke(api_event(a_form()))
    assert header_of(allowed, "Access-Control-Allow-Origin") == "https://shop.example"
    other = invoke(api_event(a_form(), headers={"Origin": "https://evil.example"}))
    assert header_of(other, "Access-Control-Allow-Origin") is None


def test_preflight(invoke: Invoke) -> None:
    ok = invoke(api_event(None, method="OPTIONS", content_type=None,
                          headers={"Access-Control-Request-Method": "POST"}))  # fmt: skip
    assert ok["statusCode"] == 204
    assert header_of(ok, "Access-Control-Allow-Origin") == "https://shop.example"
    refused = invoke(
        api_event(None, method="OPTIONS", content_type=None, headers={"Origin": "https://evil.example"})
    )
    assert refused["statusCode"] == 403
    assert header_of(refused, "Access-Control-Allow-Origin") is None


def test_dynamodb_throttling_is_503_and_never_a_trace(
    siteverify: SiteverifyDouble, invoke: Invoke, wiring: Any
) -> None:
    siteverify.says(PERSON_OK)
    with Stubber(wiring.clients.dynamodb) as stub:
        for _ in range(1):
            stub.add_client_error("put_item", service_error_code="ProvisionedThroughputExceededException",
                                  http_status_code=400)  # fmt: skip
        response = invoke(api_event(a_form()))
    assert response["statusCode"] == 503
    assert error_of(response)["code"] == "service_unavailable"
    assert "Traceback" not in response["body"]


def test_enqueue_failure_after_the_write_still_answers_202(
    siteverify: SiteverifyDouble, invoke: Invoke, aws: Any, wiring: Any
) -> None:
    siteverify.says(PERSON_OK)
    with Stubber(wiring.clients.sqs) as stub:
        stub.add_client_error("send_message", service_error_code="AWS.SimpleQueueService.NonExistentQueue")
        response = invoke(api_event(a_form()))
    assert response["statusCode"] == 202
    assert aws.scan_count() == 1  # stored: the sweeper re-enqueues it


def test_an_unexpected_error_is_a_bare_500(invoke: Invoke, wiring: Any) -> None:
    class Broken:
        def submit(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("internal detail /var/task/x.py with ann@example.org")

    wiring.intake = Broken()
    response = invoke(api_event(a_form()))
    assert response["statusCode"] == 500
    assert error_of(response) == {"code": "internal_error", "message": "The request could not be processed."}
    assert "internal detail" not in response["body"]


def test_the_committed_sample_event_is_accepted(siteverify: SiteverifyDouble, invoke: Invoke) -> None:
    siteverify.says(PERSON_OK)
    event = sample_event("intake_post_inquiries.json")
    event["headers"]["Origin"] = "https://shop.example"
    response = invoke(event)
    assert response["statusCode"] == 202, response["body"]


# ---------------------------------------------------------------- the handler against its declared route
# intake_handler answers POST /inquiries without Powertools' event handler (a cold-start saving,
# docs/decisions.md D75); intake_api declares the same route for Powertools, with its OpenAPI validation,
# and is what docs/openapi.json is generated from. Every kind of request gets the same answer from both.

FORM_TYPE = "application/x-www-form-urlencoded"
KEYED = {"Idempotency-Key": "same-answer-1"}
BROWSER = {"Accept": "text/html,application/xhtml+xml", **KEYED}
SAME_ANSWER_CASES: dict[str, dict[str, Any]] = {
    "valid json": api_event(a_form(captcha_token="pass:1"), headers=KEYED),
    "valid json, every optional field": api_event(
        a_form(customer_number="C-1", locale="de", website=""), headers={"Idempotency-Key": "k2"}
    ),
    "urlencoded from a browser": api_event(urlencode(a_form()), content_type=FORM_TYPE, headers=BROWSER),
    "urlencoded from a script": api_event(
        urlencode({"g-recaptcha-response" if k == "captcha_token" else k: v for k, v in a_form().items()}),
        content_type=FORM_TYPE,
        headers={"Idempotency-Key": "k3"},
    ),
    "honeypot": api_event(a_form(website="http://spam.example")),
    "bad email": api_event(a_form(email="nope")),
    "email with a control character": api_event(a_form(email="a\x00@example.org")),
    "unknown field": api_event(a_form(extra_field="x")),
    "unknown fields named like locations": api_event(a_form(header="x", body="y", query="z")),
    "line break in a one-line field": api_event(a_form(name="A\r\nB")),
    "many bad fields": api_event(a_form(email="nope", subject="", message=None, extra="x")),
    "wrong types": api_event({**a_form(), "name": 12, "message": ["a"], "locale": {"x": 1}, "website": None}),
    "too long": api_event(a_form(subject="s" * 201, website="w" * 2001, customer_number="c" * 41)),
    "bad patterns": api_event(a_form(locale="nl_NL", customer_number="C 1")),
    "empty object": api_event({}),
    "key too long": api_event(a_form(), headers={"Idempotency-Key": "k" * 129}),
    "key with a space": api_event(a_form(), headers={"Idempotency-Key": "with space"}),
    "empty key": api_event(a_form(), headers={"Idempotency-Key": ""}),
    "key in lower case, bad": api_event(a_form(), headers={"idempotency-key": "\u00e9"}),
    "bad key and bad body": api_event(a_form(email="nope"), headers={"Idempotency-Key": "a b"}),
    "another path": api_event(a_form(), path="/inquiries/x"),
    "another method": api_event(a_form(), method="PUT"),
}


def _prepared(event: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    from contact_intake.api.http import prepare_form_post

    prepared = copy.deepcopy(event)
    return prepared, prepare_form_post(prepared, 32 * 1024).wants_html


@pytest.mark.parametrize("case", list(SAME_ANSWER_CASES))
def test_the_handler_answers_as_the_declared_route(
    siteverify: SiteverifyDouble, wiring: Any, case: str
) -> None:
    import importlib

    handler = importlib.import_module("intake_handler")
    declared = importlib.import_module("intake_api")
    siteverify.says(PERSON_OK)
    event, wants_html = _prepared(SAME_ANSWER_CASES[case])
    ours = handler.respond(copy.deepcopy(event), wants_html)
    reference = declared.respond(copy.deepcopy(event), wants_html)
    if ours["statusCode"] == 202 and "Idempotency-Key" not in (event.get("headers") or {}):
        # a new inquiry each time: the same answer but for its fresh id
        ours["body"] = json.dumps({**json.loads(ours["body"]), "inquiry_id": "?"})
        reference["body"] = json.dumps({**json.loads(reference["body"]), "inquiry_id": "?"})
    assert ours == reference
    assert ours["statusCode"] in {202, 303, 404, 422}


@pytest.mark.parametrize("failure", ["captcha rejected", "captcha unavailable", "unexpected"])
def test_the_handler_fails_as_the_declared_route(
    siteverify: SiteverifyDouble, wiring: Any, failure: str
) -> None:
    import importlib

    handler = importlib.import_module("intake_handler")
    declared = importlib.import_module("intake_api")
    if failure == "unexpected":

        class Broken:
            def submit(self, *args: Any, **kwargs: Any) -> None:
                raise RuntimeError("internal detail")

        wiring.intake = Broken()
    else:
        siteverify.says(
            {"success": False, "error-codes": ["invalid-input-response"]}
            if failure == "captcha rejected"
            else {"success": False, "error-codes": ["invalid-input-secret"]}
        )
    event, wants_html = _prepared(api_event(a_form()))
    ours = handler.respond(copy.deepcopy(event), wants_html)
    assert ours == declared.respond(copy.deepcopy(event), wants_html)
    assert ours["statusCode"] in {403, 500, 503}


def test_the_intake_never_imports_requests() -> None:
    """A fresh process that imports the handler, primes it (everything the first request uses is built,
    docs/decisions.md D78) and answers an inquiry never imports `requests`: siteverify goes over urllib3
    (D90); nor the settings models (D93). The child has no moto: its secrets are a SecretReader over
    fixed values (a wiring's collaborator is replaced by assignment), and its siteverify a closed port,
    so the POST is really attempted."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.siteverify_double import closed_port

    root = Path(__file__).resolve().parents[2]
    script = """
import sys, intake_handler
from contact_intake.core import snapstart
from contact_intake.core.secrets import SecretReader
from tests.builders import FakeContext, a_form, api_event
snapstart.run_before_snapshot()
intake_handler.wiring.secrets = SecretReader(fetch=lambda name, max_age: "a-secret")
answer = intake_handler.lambda_handler(api_event(a_form()), FakeContext())
print(answer["statusCode"], [m for m in ("requests", "contact_intake.core.settings") if m in sys.modules],
      type(intake_handler.wiring.verifier._pool).__module__, type(intake_handler.settings).__name__)
"""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root / "functions" / "intake"), os.environ.get("PYTHONPATH", "")]),
        "CAPTCHA_VERIFY_URL": closed_port(),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], check=False, env=env, capture_output=True, text=True, cwd=root
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1].split() == [
        "503",
        "[]",
        "urllib3.poolmanager",
        "PlainIntakeSettings",
    ]
