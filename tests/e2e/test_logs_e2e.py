"""No personal data in devstack's output (issue 6): every route of the template, public and AWS_IAM, is
called with a test person's e-mail, name, phone, message and customer number in every place a caller can
put them (valid bodies, invalid bodies, unknown fields, query strings, path parameters, headers), along
with the mail channel and the account events; then not one line devstack printed (its own, and every
function's log) may contain any of them.

The routes come from the translated template, so routes added later (recordings, ...) are called too. The
AWS_IAM routes are signed with SigV4 as the DPO's CLI signs them (local/local, docs/architecture.md §8).
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.builders import PERSON, a_form
from tests.e2e.devstack_process import RunningDevstack
from tests.e2e.local_api import HTTP_TIMEOUT, forwarded_item, post_inquiry, put_event, run_schedule, wait_for
from tests.logcapture import leaks, record
from tests.template.conftest import load_sam_template, translate

pytestmark = pytest.mark.e2e
PHONE = "+31 6 1234 5678"  # in the log capture's needles
NEEDLES = [PERSON["email"], PERSON["name"], PERSON["customer_number"], "Snorremans", PHONE]
WEBHOOK_SECRET = "local-webhook-secret"
PUBLIC = {"NONE"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}

# a body that carries every kind of personal data, in fields a route knows and in fields it does not
PII_BODY = {
    "name": PERSON["name"],
    "email": PERSON["email"],
    "message": PERSON["message"],
    "phone": PHONE,
    "customer_number": PERSON["customer_number"],
    "unexpected": f"{PERSON['email']} {PHONE}",
}


def template_routes() -> list[tuple[str, str, bool]]:
    """(METHOD, path, needs a signature) for every route of every API in the translated template."""
    found = []
    for resource in translate(load_sam_template())["Resources"].values():
        if resource["Type"] != "AWS::ApiGateway::RestApi":
            continue
        for path, item in resource["Properties"]["Body"]["paths"].items():
            for method, operation in item.items():
                if method in HTTP_METHODS:
                    schemes = {name for req in operation.get("security", []) for name in req}
                    found.append((method.upper(), path, not schemes <= PUBLIC))
    return sorted(found)


class Caller:
    """Requests to devstack's API, SigV4-signed for the AWS_IAM routes."""

    def __init__(self, devstack: RunningDevstack) -> None:
        self.base = devstack.api_url
        self.region = devstack.resources_json["region"]
        self.statuses: list[tuple[str, str, int]] = []

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = False,
        raw: bytes | None = None,
    ) -> requests.Response:
        url = self.base + path + (f"?{urlencode(query)}" if query else "")
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if signed:
            aws = AWSRequest(method=method, url=url, data=data, headers=all_headers)
            SigV4Auth(Credentials("local", "local"), "execute-api", self.region).add_auth(aws)
            all_headers = dict(aws.headers.items())
        answer = requests.request(
            method, url, data=data, headers=all_headers, timeout=HTTP_TIMEOUT, allow_redirects=False
        )
        self.statuses.append((method, path, answer.status_code))
        # what the caller gets back is no log, but an error body that echoes input is a leak of its own
        if answer.status_code >= 400:
            assert not leaks([answer.text], NEEDLES), (method, path, answer.status_code, answer.text[:300])
        return answer


def fill(path: str, value: str) -> str:
    """The path with every {parameter} set to ``value`` (URL-quoted)."""
    parts = [quote(value, safe="") if p.startswith("{") and p.endswith("}") else p for p in path.split("/")]
    return "/".join(parts)


def exercise_known_routes(devstack: RunningDevstack, caller: Caller) -> dict[str, str]:
    """The routes whose contracts this suite knows, called as their real callers would, PII included."""
    made: dict[str, str] = {}
    # the form: valid (with a customer number to verify), urlencoded without JavaScript, and every refusal
    inquiry_id = post_inquiry(devstack, customer_number=PERSON["customer_number"])
    made["inquiry_id"] = inquiry_id
    no_script = a_form()
    no_script["g-recaptcha-response"] = no_script.pop("captcha_token")  # the widget's own field name
    caller.call(
        "POST",
        "/inquiries",
        raw=urlencode(no_script).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
    )
    for bad in (
        {**a_form(), "name": PERSON["name"] + "\r\nX-Injected: " + PERSON["email"]},
        {**a_form(), "email": PERSON["name"]},
        {**a_form(), "phone": PHONE},
        {**a_form(), "captcha_token": f"bad:{PERSON['email']}"},
        {**a_form(), "captcha_token": f"low:{uuid.uuid4()}"},
        {**a_form(), "website": PERSON["email"]},  # the honeypot: 202, nothing stored
    ):
        caller.call("POST", "/inquiries", body=bad, headers={"Idempotency-Key": PERSON["email"]})
    caller.call("POST", "/inquiries", raw=json.dumps(a_form()).encode()[:-3], headers={})
    caller.call("POST", "/inquiries", raw=b"x" * 40_000 + PERSON["email"].encode())
    caller.call("POST", "/inquiries", raw=PERSON["email"].encode(), headers={"Content-Type": "text/plain"})
    caller.call("OPTIONS", "/inquiries", headers={"Origin": "http://localhost", "X-Debug": PERSON["email"]})

    # the forwarder sends it to the helpdesk; the webhook resolves it (a customer's: kept, marked resolved)
    ticket_id = int(forwarded_item(devstack, inquiry_id)["helpdesk_ticket_id"]["N"])
    webhook = {"X-Webhook-Secret": WEBHOOK_SECRET}
    caller.call(
        "POST", "/helpdesk/events", body={"ticket_id": ticket_id, "status": "resolved"}, headers=webhook
    )
    event = {"ticket_id": ticket_id, "status": "resolved", "inquiry_id": inquiry_id}
    caller.call("POST", "/helpdesk/events", body=event, headers=webhook)
    caller.call("POST", "/helpdesk/events", body={**event, **PII_BODY}, headers=webhook)
    caller.call("POST", "/helpdesk/events", body=event, headers={"X-Webhook-Secret": PERSON["email"]})

    # the verification link, with garbage and with personal data for a token
    caller.call("GET", "/rights-requests/verify", query={"token": PERSON["email"]})
    caller.call("GET", "/rights-requests/verify", query={"token": "A" * 43})
    return made


def exercise_dpo_routes(caller: Caller, routes: list[tuple[str, str, bool]]) -> None:
    """The DPO's routes (if the template has them): a request about the person, then each action on it."""
    present = {(method, path) for method, path, _ in routes}
    if ("POST", "/rights-requests") not in present:
        return
    created = caller.call(
        "POST",
        "/rights-requests",
        body={"type": "access", "email": PERSON["email"], "identity_verified": False},
        signed=True,
    )
    request_id = created.json().get("request_id", "rr-unknown") if created.ok else "rr-unknown"
    rectify = caller.call(
        "POST",
        "/rights-requests",
        body={
            "type": "rectification",
            "email": PERSON["email"],
            "identity_verified": True,
            "corrections": {"name": PERSON["name"], "customer_number": PERSON["customer_number"]},
        },
        signed=True,
    )
    rectify_id = rectify.json().get("request_id", "rr-unknown") if rectify.ok else "rr-unknown"
    caller.call("GET", "/rights-requests", query={"status": "open"}, signed=True)
    caller.call("GET", f"/rights-requests/{request_id}", signed=True)
    actions = {
        "extend": {"months": 1, "reason": f"Asked {PERSON['name']} ({PHONE}) for details"},
        "amend": {"corrections": {"email": PERSON["email"], "name": PERSON["name"]}},
        "reject": {"reasons": [f"{PERSON['name']} <{PERSON['email']}> is not the account holder"]},
        "objection-decision": {"upheld": False, "grounds": f"legal claim against {PERSON['name']}"},
        "lift-restriction": None,
    }
    for action, body in actions.items():
        if ("POST", f"/rights-requests/{{request_id}}/{action}") in present:
            for target in (request_id, rectify_id):
                caller.call("POST", f"/rights-requests/{target}/{action}", body=body, signed=True)


def exercise_recordings(caller: Caller, routes: list[tuple[str, str, bool]]) -> None:
    """The telephony integration's call (docs/architecture.md §7 "Call recordings", if the template has the
    route): a
    recorded call with the caller's phone number and customer number, then its withdrawal."""
    if ("POST", "/recordings") not in {(method, path) for method, path, _ in routes}:
        return
    consent = {"given": True, "at": "2026-11-25T09:00:00Z", "purposes": ["training", "quality"]}
    body = {"call_id": f"call-{uuid.uuid4()}", "customer_number": PERSON["customer_number"], "phone": PHONE}
    made = caller.call("POST", "/recordings", body={**body, "consent": consent}, signed=True)
    caller.call("POST", "/recordings", body={**body, "consent": {**consent, "given": False}}, signed=True)
    recording_id = made.json().get("recording_id") if made.ok else None
    if recording_id and ("DELETE", "/recordings/{recording_id}") in {(m, p) for m, p, _ in routes}:
        caller.call("DELETE", f"/recordings/{recording_id}", signed=True)


def exercise_every_route_with_pii(caller: Caller, routes: list[tuple[str, str, bool]]) -> None:
    """Every route of the template, whoever added it: personal data in the body, query, path and headers,
    signed where the route needs it, and unsigned too (the 403 path)."""
    for method, path, needs_signature in routes:
        target = fill(path, PERSON["email"])
        headers = {"X-Customer": PERSON["customer_number"], "X-Webhook-Secret": PHONE}
        body = None if method in {"GET", "OPTIONS", "DELETE", "HEAD"} else PII_BODY
        caller.call(
            method, target, body=body, query={"q": PERSON["name"]}, headers=headers, signed=needs_signature
        )
        if needs_signature:
            caller.call(method, target, body=body, headers=headers)


def exercise_mail_and_events(devstack: RunningDevstack, caller: Caller) -> None:
    """The other ways personal data comes in: a rights mail, account events, the sweeper's run."""
    raw = (
        f"From: {PERSON['name']} <{PERSON['email']}>\r\nTo: privacy@shop.example\r\n"
        f"Subject: Inzage in mijn gegevens\r\nMessage-ID: <{uuid.uuid4()}@example.org>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Ik wil graag inzage. Mijn telefoon: {PHONE}, klantnummer {PERSON['customer_number']}.\r\n"
    ).encode()
    mail = requests.post(f"{devstack.api_url}/_local/inbound-mail", data=raw, timeout=HTTP_TIMEOUT)
    if mail.status_code != 404:  # the mail channel exists in this devstack
        assert mail.status_code < 500, mail.text[:300]
    detail = {"customer_number": PERSON["customer_number"], "email": PERSON["email"]}
    put_event(devstack, "AccountOpened", detail)
    put_event(devstack, "AccountEmailChanged", {**detail, "email": f"new.{PERSON['email']}"})
    put_event(devstack, "AccountClosed", detail)
    run_schedule(devstack)


def test_no_personal_data_in_any_line_devstack_prints(devstack: RunningDevstack) -> None:
    routes = template_routes()
    caller = Caller(devstack)
    printed_before = len(devstack.output)

    made = exercise_known_routes(devstack, caller)
    exercise_dpo_routes(caller, routes)
    exercise_recordings(caller, routes)
    exercise_every_route_with_pii(caller, routes)
    exercise_mail_and_events(devstack, caller)
    # the account closure erased the customer's inquiry (and so wrote its logs)
    wait_for(
        lambda: made["inquiry_id"] in "\n".join(devstack.output[printed_before:]),
        "the functions' log lines for the inquiry",
    )

    printed = devstack.output[printed_before:]
    record("\n".join(printed))  # and once more at the session's end, with everything else
    # the run really did send the data in, reach every route, and capture the functions' logs
    called = {(m, p) for m, p, _ in caller.statuses}
    assert {(m, fill(p, PERSON["email"])) for m, p, _ in routes} <= called
    assert len(caller.statuses) >= 2 * len(routes)
    assert not [s for s in caller.statuses if s[2] >= 500], [s for s in caller.statuses if s[2] >= 500]
    assert sum('"level"' in line for line in printed) >= 10, "no function log lines were captured"
    found = leaks(printed, NEEDLES)
    assert not found, "\n".join(f"{needle!r} in: {line[:300]}" for needle, line in found[:10])
