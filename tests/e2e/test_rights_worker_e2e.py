"""The rights worker on devstack, driven the way a person drives it: an inquiry through the form, a request by
e-mail to the privacy address (``POST /_local/inbound-mail``), the link from the acknowledgement in
``/_local/mail.json``, the verify page; then the export arrives, or everything of theirs is gone: the
inquiries table, the helpdesk emulator's state, the inbound mail bucket."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
import requests

from tests.builders import a_plain_mail
from tests.e2e.devstack_process import RunningDevstack
from tests.e2e.local_api import (
    HTTP_TIMEOUT,
    forwarded_item,
    helpdesk_state,
    object_exists,
    post_inquiry,
    stored_item,
    table_item,
    wait_for,
)

pytestmark = pytest.mark.e2e

PRIVACY_ADDRESS = "privacy@shop.localhost"
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/rights-requests/verify\?token=[A-Za-z0-9_-]{43})")


def an_address() -> str:
    return f"worker-e2e-{uuid.uuid4().hex[:12]}@example.org"


def mails_to(devstack: RunningDevstack, address: str) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{devstack.api_url}/_local/mail.json", params={"to": address}, timeout=HTTP_TIMEOUT
    )
    answer.raise_for_status()
    return list(answer.json()["messages"])


def request_by_mail(devstack: RunningDevstack, address: str, subject: str, text: str) -> tuple[str, str]:
    """Mail the privacy address, follow the link in the acknowledgement: (the request id, the raw mail's
    key)."""
    response = requests.post(
        f"{devstack.api_url}/_local/inbound-mail",
        data=a_plain_mail(address, PRIVACY_ADDRESS, subject, text, sender_name="Worker Test"),
        timeout=3 * HTTP_TIMEOUT,
    )
    assert response.status_code == 200, response.text
    delivery = response.json()
    (mail,) = delivery["delivery"]["result"]["mails"]
    assert mail["outcome"] == "received", mail
    acknowledgement = wait_for(lambda: mails_to(devstack, address), f"the acknowledgement to {address}")[-1]
    link = LINK.search(acknowledgement["text"])
    assert link, acknowledgement["text"]
    page = requests.get(link.group(1), timeout=HTTP_TIMEOUT)  # the confirmation page: changes nothing
    assert page.status_code == 200, page.text
    read = re.search(r'name="right" value="([a-z_]+)" checked', page.text)
    assert read, page.text
    confirmed = requests.post(  # the person confirms the right read from the mail
        link.group(1).split("?")[0],
        data={"token": link.group(1).split("token=", 1)[1], "right": read.group(1)},
        timeout=HTTP_TIMEOUT,
    )
    assert confirmed.status_code == 200, confirmed.text
    return str(mail["request_id"]), str(delivery["key"])


def request_status(devstack: RunningDevstack, request_id: str) -> str:
    item = table_item(devstack, "RightsRequestsTable", {"request_id": {"S": request_id}})
    return str(item["status"]["S"])


def completed(devstack: RunningDevstack, request_id: str) -> None:
    wait_for(lambda: request_status(devstack, request_id) == "completed", f"request {request_id} to complete")


def raw_mail_exists(devstack: RunningDevstack, key: str) -> bool:
    return object_exists(devstack, "InboundMailBucket", key)


def test_an_access_request_by_mail_gets_the_export(devstack: RunningDevstack) -> None:
    address = an_address()
    inquiry_id = post_inquiry(devstack, email=address, message="Where is my order 4711?")
    forwarded_item(devstack, inquiry_id)

    request_id, _ = request_by_mail(
        devstack, address, "Request for access", "I would like a copy of all personal data you hold about me."
    )
    completed(devstack, request_id)

    mails = mails_to(devstack, address)
    (export,) = [m for m in mails if m["attachments"]]
    assert export["to"] == [address]
    (attachment,) = export["attachments"]
    assert attachment["filename"] == f"personal-data-{request_id}.json"
    document = json.loads(attachment["content"])
    assert document["schema_version"] == "2.0"
    (inquiry,) = document["inquiries"]
    assert inquiry["record"]["inquiry_id"] == inquiry_id
    assert inquiry["record"]["message"] == "Where is my order 4711?"
    assert inquiry["processing"]["recipients"] == ["freshworks", "google_recaptcha"]
    (ticket,) = document["helpdesk"]["tickets"]
    # the allow-list (D65): the question the person asked, nothing of the ticket's internal fields
    first = ticket["messages"][0]
    assert (first["id"], first["kind"], first["text"]) == (None, "your_question", "Where is my order 4711?")
    assert "custom_fields" not in ticket
    assert document["helpdesk"]["contact"]["email"] == address
    # the acknowledgement, the export and the completion: all to the address that followed the link
    assert len(mails) == 3
    assert {tuple(m["to"]) for m in mails} == {(address,)}


def test_an_erasure_request_by_mail_leaves_nothing_behind(devstack: RunningDevstack) -> None:
    address = an_address()
    first = post_inquiry(devstack, email=address)
    second = post_inquiry(devstack, email=address, message="And another question.")
    for inquiry_id in (first, second):
        forwarded_item(devstack, inquiry_id)
    bystander = post_inquiry(devstack, email=an_address())

    request_id, _ = request_by_mail(
        devstack, address, "Please delete my data", "Please erase all my personal data."
    )
    completed(devstack, request_id)

    assert stored_item(devstack, first) == {}
    assert stored_item(devstack, second) == {}
    assert stored_item(devstack, bystander) != {}
    table = devstack.client("dynamodb").scan(TableName=devstack.resource("InquiriesTable"))["Items"]
    assert address not in json.dumps(table)
    # the helpdesk: no ticket, no contact, not even in the trash
    assert address not in json.dumps(helpdesk_state(devstack))
    ledger = devstack.client("dynamodb").scan(TableName=devstack.resource("ErasureLedgerTable"))["Items"]
    assert {first, second} <= {entry["inquiry_id"]["S"] for entry in ledger}
    assert address not in json.dumps(ledger)
    (_, completion) = mails_to(devstack, address)
    assert request_id in completion["subject"]


def test_an_erasure_deletes_the_raw_mails_of_the_persons_requests(devstack: RunningDevstack) -> None:
    address = an_address()
    access_id, access_key = request_by_mail(
        devstack, address, "Request for access", "A copy of my data, please."
    )
    completed(devstack, access_id)
    erasure_id, erasure_key = request_by_mail(devstack, address, "Please delete my data", "Erase my data.")
    completed(devstack, erasure_id)

    assert not raw_mail_exists(devstack, access_key)
    assert not raw_mail_exists(devstack, erasure_key)
