"""The DPO API and its CLI on devstack: SigV4 with local/local or a 403 on every DPO route; the link
mailed to the person (read from /_local/mail.json) shows a page, whose form confirms once; the DPO can
resend a link; contact-intake-dpo drives it all."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from dateutil.relativedelta import relativedelta

from dpo_cli.client import Connection, DpoClient
from tests.e2e.devstack_process import ROOT, RunningDevstack
from tests.e2e.local_api import HTTP_TIMEOUT, wait_for

pytestmark = pytest.mark.e2e

ROUTES = [
    ("POST", "/rights-requests"),
    ("GET", "/rights-requests"),
    ("GET", "/rights-requests/{id}"),
    ("POST", "/rights-requests/{id}/extend"),
    ("POST", "/rights-requests/{id}/reject"),
    ("POST", "/rights-requests/{id}/objection-decision"),
    ("POST", "/rights-requests/{id}/lift-restriction"),
    ("POST", "/rights-requests/{id}/amend"),
    ("POST", "/rights-requests/{id}/resend"),
]
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/rights-requests/verify\?token=[A-Za-z0-9_-]+)")


def an_address() -> str:
    return f"person-{uuid.uuid4().hex[:12]}@example.org"


def dpo(devstack: RunningDevstack, secret: str = "local") -> DpoClient:  # noqa: S107 - devstack's stand-in
    from botocore.credentials import ReadOnlyCredentials

    region = devstack.resources_json["region"]
    return DpoClient(Connection(devstack.api_url, region, ReadOnlyCredentials("local", secret, None)))


def mails_to(devstack: RunningDevstack, address: str) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{devstack.api_url}/_local/mail.json", params={"to": address}, timeout=HTTP_TIMEOUT
    )
    answer.raise_for_status()
    return list(answer.json()["messages"])


def link_for(devstack: RunningDevstack, address: str) -> str:
    mail = wait_for(lambda: mails_to(devstack, address), f"a mail to {address}")[-1]
    found = LINK.search(mail["text"])
    assert found, mail["text"]
    return found.group(1)


def set_status(devstack: RunningDevstack, request_id: str, status: str) -> None:
    """Act as the worker would (it is another function): move a request on in the table."""
    devstack.client("dynamodb").update_item(
        TableName=devstack.resource("RightsRequestsTable"),
        Key={"request_id": {"S": request_id}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status}},
    )


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_an_unsigned_dpo_request_is_refused_by_the_gateway(
    devstack: RunningDevstack, method: str, route: str
) -> None:
    url = devstack.api_url + route.replace("{id}", str(uuid.uuid4()))
    answer = requests.request(method, url, json={}, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "request_rejected"


def test_a_request_signed_with_another_key_is_refused(devstack: RunningDevstack) -> None:
    from dpo_cli.client import NotAuthorised

    with pytest.raises(NotAuthorised):
        dpo(devstack, secret="not-local").list_requests("open")


def test_every_dpo_route_answers_a_signed_request(devstack: RunningDevstack) -> None:
    client = dpo(devstack)
    address = an_address()
    created = client.create({"type": "access", "email": address, "locale": "de", "identity_verified": False})
    request_id = created["request_id"]
    assert created["status"] == "awaiting_verification"
    assert any(r["request_id"] == request_id for r in client.list_requests("open")["requests"])
    assert client.show(request_id)["email"] == address
    assert client.extend(request_id, 1, "Viele Unterlagen.")["extended_due_at"]
    assert client.reject(request_id, ["Offensichtlich unbegründet."])["status"] == "rejected"
    objection = client.create({"type": "objection", "email": address, "identity_verified": True})
    decided = client.decide_objection(objection["request_id"], False, "Laufender Rechtsstreit.")
    assert decided["objection_upheld"] is False
    restriction = client.create({"type": "restriction", "email": address, "identity_verified": True})
    set_status(devstack, restriction["request_id"], "completed")
    assert client.lift_restriction(restriction["request_id"])["restriction_lifted_at"]
    unclassified = client.create({"type": "unclassified", "email": address, "identity_verified": True})
    assert client.amend(unclassified["request_id"], {"type": "erasure"})["type"] == "erasure"
    subjects = [m["subject"] for m in mails_to(devstack, address)]
    assert any(s.startswith("Mehr Zeit") for s in subjects)  # the extension, in the request's language
    assert any("Decision on your objection" in s for s in subjects)
    assert any("Restriction of processing lifted" in s for s in subjects)


def test_the_mailed_link_shows_a_page_and_the_form_confirms_once(devstack: RunningDevstack) -> None:
    address = an_address()
    created = dpo(devstack).create(
        {"type": "erasure", "email": address, "locale": "fr", "identity_verified": False}
    )
    link = link_for(devstack, address)
    # a mail gateway's scanner opens the link: GET and HEAD, any number of times, change nothing
    for _ in range(2):
        shown = requests.get(link, timeout=HTTP_TIMEOUT)
        assert shown.status_code == 200
        assert "Confirmez votre demande" in shown.text
        assert shown.headers["Cache-Control"] == "no-store"
        assert shown.headers["Referrer-Policy"] == "no-referrer"
        assert requests.head(link, timeout=HTTP_TIMEOUT).status_code == 200
    assert dpo(devstack).show(created["request_id"])["status"] == "awaiting_verification"
    token = link.split("token=", 1)[1]
    form = {"token": token, "right": "access"}  # the person chose access instead of erasure
    first = requests.post(link.split("?")[0], data=form, timeout=HTTP_TIMEOUT)
    assert first.status_code == 200
    assert "Demande confirmée" in first.text
    again = requests.post(link.split("?")[0], data=form, timeout=HTTP_TIMEOUT)
    assert again.status_code == 410
    assert "Lien plus valable" in again.text
    assert requests.get(link, timeout=HTTP_TIMEOUT).status_code == 410
    # verified as access, then the worker's (verified -> in progress -> completed)
    shown_request = dpo(devstack).show(created["request_id"])
    assert shown_request["type"] == "access"
    assert shown_request["status"] in {"verified", "in_progress", "completed"}
    assert [a["action"] for a in shown_request["audit"]][:3] == ["received", "acknowledged", "verified"]
    assert shown_request["audit"][2]["counts"] == {"right_changed": 1, "from_erasure": 1, "to_access": 1}
    missing = requests.get(link.split("?")[0], timeout=HTTP_TIMEOUT)
    assert missing.status_code == 400


def test_resend_kills_the_old_link_and_mails_a_new_one(devstack: RunningDevstack) -> None:
    address = an_address()
    created = cli(devstack, "create", "--type", "access", "--email", address, "--send-link", "--json")
    assert created.returncode == 0, created.stderr
    request_id = json.loads(created.stdout)["request_id"]
    old = link_for(devstack, address)
    resent = cli(devstack, "resend", request_id)
    assert resent.returncode == 0, resent.stderr
    assert "token_resent" in resent.stdout
    new = wait_for(lambda: mails_to(devstack, address)[1:], "the second link")[-1]
    found = LINK.search(new["text"])
    assert found
    assert found.group(1) != old
    assert requests.get(old, timeout=HTTP_TIMEOUT).status_code == 410
    assert requests.get(found.group(1), timeout=HTTP_TIMEOUT).status_code == 200
    verified = cli(devstack, "create", "--type", "access", "--email", address, "--verified", "--json")
    refused = cli(devstack, "resend", json.loads(verified.stdout)["request_id"])
    assert refused.returncode == 1
    assert "only a request awaiting verification gets a new link" in refused.stderr


def test_the_mail_page_shows_what_was_sent(devstack: RunningDevstack) -> None:
    address = an_address()
    dpo(devstack).create({"type": "access", "email": address, "locale": "nl", "identity_verified": False})
    link_for(devstack, address)
    page = requests.get(f"{devstack.api_url}/_local/mail", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200
    assert "Bevestig uw privacyverzoek" in page.text
    (mail,) = mails_to(devstack, address)
    assert mail["from"] == "privacy@shop.localhost"
    assert mail["html"].startswith("<!DOCTYPE html>")


def cli(devstack: RunningDevstack, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": devstack.resources_json["region"],
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "CONTACT_INTAKE_API": devstack.api_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "dpo_cli", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_against_devstack(devstack: RunningDevstack) -> None:
    address = an_address()
    created = cli(
        devstack, "create", "--type", "erasure", "--email", address, "--locale", "nl", "--send-link", "--json"
    )
    assert created.returncode == 0, created.stderr
    request_id = json.loads(created.stdout)["request_id"]
    received = datetime.fromisoformat(json.loads(created.stdout)["received_at"])
    due = datetime.fromisoformat(json.loads(created.stdout)["due_at"])
    assert due == received + relativedelta(months=1)  # one calendar month: 28 to 31 days
    listed = cli(devstack, "list")
    assert listed.returncode == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if line.startswith(request_id)]
    assert line.split()[1:4] == ["erasure", "awaiting_verification", "dpo"]
    assert line.endswith(f"{(due.date() - datetime.now(UTC).date()).days} days left")
    assert address not in listed.stdout  # the list carries no addresses
    extended = cli(devstack, "extend", request_id, "--months", "2", "--reason", "Veel gegevens.")
    assert extended.returncode == 0, extended.stderr
    assert "Extended for:" in extended.stdout
    shown = cli(devstack, "show", request_id)
    assert "Audit trail:" in shown.stdout
    assert "dpo:arn:aws:iam::123456789012:user/local" in shown.stdout
    twice = cli(devstack, "extend", request_id, "--months", "1", "--reason", "Nog meer.")
    assert twice.returncode == 1
    assert "already extended" in twice.stderr
    unknown = cli(devstack, "show", str(uuid.uuid4()))
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert "No rights request with this id." in unknown.stderr
    rejected = cli(devstack, "reject", request_id, "--reason", "Kennelijk ongegrond.")
    assert rejected.returncode == 0, rejected.stderr
    assert "Status:" in rejected.stdout
    assert "rejected" in rejected.stdout


def test_the_cli_explains_a_refused_signature(devstack: RunningDevstack) -> None:
    env_run = cli(
        devstack, "--region", "us-east-1", "list"
    )  # signed for the wrong region: the gateway refuses
    assert env_run.returncode == 1
    assert "not authorised: check your AWS credentials" in env_run.stderr
