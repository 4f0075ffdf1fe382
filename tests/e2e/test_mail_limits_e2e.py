"""Hostile mail and forged bursts end to end on devstack: each mail goes through the template's SES
receipt rule (raw mail into InboundMailBucket, then RightsMailFunction with an SES receipt event). A
message past a parser limit is a request for the DPO, acknowledged, never a failed invocation (D55); a
burst of mails from one address gets one link mail, every mail a request (D56)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from contact_intake.rights.inbound.limits import MAX_DECODED_CHARS, MAX_PARTS
from tests import hostile_mail as hostile
from tests.builders import a_plain_mail
from tests.e2e.devstack_process import RunningDevstack
from tests.e2e.local_api import HTTP_TIMEOUT, table_item

pytestmark = pytest.mark.e2e

PRIVACY = "privacy@shop.localhost"

HOSTILE: dict[str, Callable[[], bytes]] = {
    "containers": lambda: hostile.nested_multiparts(1_000),
    "parts": lambda: hostile.parts_without_headers(MAX_PARTS + 1),
    "header": lambda: hostile.nested_comment_from(5_000),
    "text": lambda: hostile.one_text_part(MAX_DECODED_CHARS + 1),
}


def an_address() -> str:
    return f"limits-e2e-{uuid.uuid4().hex[:12]}@example.org"


def deliver(devstack: RunningDevstack, raw: bytes) -> dict[str, Any]:
    response = requests.post(f"{devstack.api_url}/_local/inbound-mail", data=raw, timeout=6 * HTTP_TIMEOUT)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def link_mails(devstack: RunningDevstack, address: str) -> int:
    response = requests.get(
        f"{devstack.api_url}/_local/mail.json", params={"to": address}, timeout=HTTP_TIMEOUT
    )
    assert response.status_code == 200, response.text
    return sum("/rights-requests/verify?token=" in m["text"] for m in response.json()["messages"])


def stored(devstack: RunningDevstack, request_id: str) -> dict[str, Any]:
    return table_item(devstack, "RightsRequestsTable", {"request_id": {"S": request_id}})


@pytest.mark.parametrize("limit", list(HOSTILE))
def test_a_hostile_mail_is_a_request_marked_for_the_dpo(devstack: RunningDevstack, limit: str) -> None:
    address = an_address()
    raw = HOSTILE[limit]().replace(b"ann@example.org", address.encode())

    delivery = deliver(devstack, raw)["delivery"]

    assert delivery["status"] == "succeeded", delivery  # no exception, no retry
    (mail,) = delivery["result"]["mails"]
    assert (mail["outcome"], mail["right"]) == ("received", "unclassified")
    item = stored(devstack, mail["request_id"])
    received = item["audit"]["L"][0]["M"]
    assert received["action"]["S"] == "received"
    assert received["counts"]["M"][f"too_complex_{limit}"] == {"N": "1"}
    assert link_mails(devstack, address) == 1  # acknowledged like any other mail


def test_a_burst_of_forged_mails_from_one_address_gets_one_link_mail(devstack: RunningDevstack) -> None:
    victim, bystander = an_address(), an_address()
    outcomes = []
    for number in range(4):
        raw = a_plain_mail(
            victim, "privacy@shop.localhost", "Delete my data", f"Please delete it ({number})."
        )
        outcomes.extend(deliver(devstack, raw)["delivery"]["result"]["mails"])
    deliver(
        devstack, a_plain_mail(bystander, "privacy@shop.localhost", "Access", "A copy of my data please.")
    )

    assert [o["outcome"] for o in outcomes] == ["received"] * 4  # every mail a request for the DPO
    assert len({o["request_id"] for o in outcomes}) == 4
    assert link_mails(devstack, victim) == 1
    assert link_mails(devstack, bystander) == 1
    suppressed = [
        entry["M"]["counts"]["M"]
        for o in outcomes
        for entry in stored(devstack, o["request_id"])["audit"]["L"]
        if entry["M"]["action"]["S"] == "acknowledgement_suppressed"
    ]
    assert suppressed == [{"live_link": {"N": "1"}}] * 3
