"""Issue 3 end to end on devstack: every inquiry becomes exactly one helpdesk ticket, whatever the helpdesk
does, and each deletion path (resolution, account closure, expiry) removes the inquiry and its ticket.

The inquiry goes in over HTTP; InquiryQueue's event source runs ForwarderFunction; the Freshdesk emulator
holds the tickets (``/_local/helpdesk/_state``); account events go through ``/_local/events`` and the
sweeper through its schedule's trigger. Every wait has a deadline (tests/e2e/local_api.py).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.builders import PERSON
from tests.e2e.devstack_process import RunningDevstack
from tests.e2e.local_api import (
    HTTP_TIMEOUT,
    forwarded_item,
    helpdesk_state,
    post_inquiry,
    put_event,
    run_schedule,
    set_faults,
    stored_item,
    tickets_of,
    wait_for,
)

pytestmark = pytest.mark.e2e
WEBHOOK_SECRET = "local-webhook-secret"  # docs/architecture.md §8


def ticket_id_of(item: dict[str, object]) -> int:
    ticket = item["helpdesk_ticket_id"]
    assert isinstance(ticket, dict)
    return int(ticket["N"])


def test_an_inquiry_becomes_exactly_one_ticket(devstack: RunningDevstack) -> None:
    inquiry_id = post_inquiry(devstack)

    item = forwarded_item(devstack, inquiry_id)

    (ticket,) = tickets_of(devstack, inquiry_id)
    assert ticket["id"] == ticket_id_of(item)
    assert ticket["requester"]["email"] == PERSON["email"]
    assert ticket["requester"]["name"] == PERSON["name"]
    assert ticket["subject"] == PERSON["subject"]
    assert ticket["description"] == "Mijn kat Snorremans lust het nieuwe voer niet.<br>Kan ik het ruilen?"
    assert (ticket["source"], ticket["status"]) == (2, 2)  # portal, open
    assert "lang:nl" in ticket["tags"]


@pytest.mark.parametrize("mode", ["429", "500", "timeout", "lost_response"])
def test_each_helpdesk_fault_still_ends_in_exactly_one_ticket(devstack: RunningDevstack, mode: str) -> None:
    """docs/architecture.md §6: 429 waits out Retry-After; 500 and a timeout retry after the visibility
    timeout; a lost
    answer (the ticket was made) is found, not made again."""
    assert set_faults(devstack, mode) == [mode]

    inquiry_id = post_inquiry(devstack, subject=f"Fault {mode}")
    item = forwarded_item(devstack, inquiry_id)

    assert helpdesk_state(devstack)["faults"] == []  # the fault hit this inquiry's create
    (ticket,) = tickets_of(devstack, inquiry_id)
    assert ticket["id"] == ticket_id_of(item)
    assert tickets_of(devstack, inquiry_id, deleted=True) == []


def test_a_resolved_ticket_erases_a_prospects_inquiry_and_its_ticket(devstack: RunningDevstack) -> None:
    inquiry_id = post_inquiry(devstack, subject="Resolve me")
    ticket_id = ticket_id_of(forwarded_item(devstack, inquiry_id))
    url = f"{devstack.api_url}/helpdesk/events"
    body = {"ticket_id": ticket_id, "status": "resolved", "inquiry_id": inquiry_id}

    refused = requests.post(url, json=body, headers={"X-Webhook-Secret": "guess"}, timeout=HTTP_TIMEOUT)
    assert refused.status_code == 401
    assert stored_item(devstack, inquiry_id) != {}

    accepted = requests.post(
        url, json=body, headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=HTTP_TIMEOUT
    )

    assert accepted.status_code == 202, accepted.text
    assert accepted.json() == {"outcome": "erased"}
    assert stored_item(devstack, inquiry_id) == {}
    assert tickets_of(devstack, inquiry_id) == []
    (deleted,) = tickets_of(devstack, inquiry_id, deleted=True)
    assert deleted["id"] == ticket_id


def test_a_customers_inquiry_lives_as_long_as_the_account(devstack: RunningDevstack) -> None:
    customer = f"C-{uuid.uuid4().hex[:10]}"
    detail = {"customer_number": customer, "email": PERSON["email"]}
    now = datetime.now(UTC)

    # the mirror orders account events by their time (whole seconds): the closure is the later one
    opened = put_event(devstack, "AccountOpened", detail, at=now - timedelta(seconds=10))
    assert [m["rule"] for m in opened["matched"]] == ["AccountEventsFunctionShopAccountEvents"]
    assert opened["matched"][0]["targets"][0]["status"] == "succeeded", opened

    inquiry_id = post_inquiry(devstack, subject="Customer question", customer_number=customer)
    item = forwarded_item(devstack, inquiry_id)
    assert item["lawful_basis"] == {"S": "contract"}
    assert item["customer_number"] == {"S": customer}
    assert "expires_at" not in item
    ticket_id = ticket_id_of(item)

    closed = put_event(devstack, "AccountClosed", detail, at=now - timedelta(seconds=5))

    (delivery,) = closed["matched"][0]["targets"]
    assert delivery["status"] == "succeeded", closed
    assert delivery["result"]["erased"] == 1
    assert stored_item(devstack, inquiry_id) == {}
    assert [t["id"] for t in tickets_of(devstack, inquiry_id, deleted=True)] == [ticket_id]


def test_an_event_no_rule_matches_reaches_no_function(devstack: RunningDevstack) -> None:
    answer = put_event(devstack, "OrderShipped", {"order": "4711"}, source="shop.orders")

    assert answer["matched"] == []
    assert answer["event"]["source"] == "shop.orders"
    assert answer["event"]["account"] == "123456789012"


def test_the_sweeper_erases_an_expired_inquiry_when_its_schedule_runs(devstack: RunningDevstack) -> None:
    inquiry_id = post_inquiry(devstack, subject="Expire me")
    ticket_id = ticket_id_of(forwarded_item(devstack, inquiry_id))
    # twelve months later, as far as this item is concerned (expiry_day feeds the sweeper's index)
    expired = int(time.time()) - 60
    devstack.client("dynamodb").update_item(
        TableName=devstack.resource("InquiriesTable"),
        Key={"inquiry_id": {"S": inquiry_id}},
        UpdateExpression="SET expires_at = :at, expiry_day = :day",
        ExpressionAttributeValues={
            ":at": {"N": str(expired)},
            ":day": {"S": datetime.fromtimestamp(expired, UTC).strftime("%Y-%m-%d")},
        },
    )

    answer = run_schedule(devstack)

    (delivery,) = answer["targets"]
    assert delivery["function"] == "SweeperFunction"
    assert delivery["status"] == "succeeded", answer
    # a periodic run may have got there first: what counts is that both copies are gone
    wait_for(lambda: stored_item(devstack, inquiry_id) == {}, "the expired inquiry to be erased", 5)
    assert [t["id"] for t in tickets_of(devstack, inquiry_id, deleted=True)] == [ticket_id]
