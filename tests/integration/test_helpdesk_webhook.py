"""HelpdeskEventsFunction end to end in one process: API Gateway event -> handler -> moto + fake Freshdesk.

The secret comes from (moto's) SSM, as deployed: ``local-webhook-secret`` (tests/integration/conftest.py).
"""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from typing import Any

import pytest

from contact_intake.core.retention import LawfulBasis
from contact_intake.intake.models import InquiryStatus
from contact_intake.intake.store import expiry_day
from contact_intake.retention.wiring import HelpdeskEventsWiring
from tests.builders import PERSON, FakeContext, an_inquiry_record, api_event, sample_event
from tests.helpdesk_fake import FakeFreshdesk
from tests.integration.conftest import answered_as_the_declared_routes

SECRET = "local-webhook-secret"


def webhook(body: Any, secret: str | None = SECRET, **headers: str) -> dict[str, Any]:
    all_headers = {"X-Webhook-Secret": secret} if secret is not None else {}
    event = api_event(body, path="/helpdesk/events", headers={**all_headers, **headers})
    event["headers"].pop("Origin", None)
    return event


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    handler = importlib.import_module("helpdesk_events_handler")
    return dict(handler.lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(response["body"]))


def forwarded(aws: Any, helpdesk: FakeFreshdesk, ticket_id: int = 4711, **overrides: Any) -> str:
    record = an_inquiry_record(
        **{"status": InquiryStatus.FORWARDED, "helpdesk_ticket_id": ticket_id, **overrides}
    )
    helpdesk.add_ticket(
        PERSON["email"], ticket_id=ticket_id, description="", tags=[], source=2, status=4,
        cf_inquiry_id=record.inquiry_id,
    )  # fmt: skip
    aws.put_inquiry(record)
    return str(record.inquiry_id)


def resolved(inquiry_id: str, ticket_id: int = 4711, status: str = "Resolved") -> dict[str, Any]:
    return {"ticket_id": ticket_id, "status": status, "inquiry_id": inquiry_id}


# ---------------------------------------------------------------- authentication


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET.upper()])
def test_a_missing_or_wrong_secret_is_401_and_nothing_happens(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk, secret: str | None
) -> None:
    inquiry_id = forwarded(aws, helpdesk)
    response = invoke(webhook(resolved(inquiry_id), secret=secret))
    assert response["statusCode"] == 401
    assert body_of(response)["error"]["code"] == "unauthorized"
    assert aws.find_item(inquiry_id) is not None
    assert sum(helpdesk.calls.values()) == 0


def test_without_the_secret_even_a_bad_body_is_401_not_422(helpdesk_events: HelpdeskEventsWiring) -> None:
    response = invoke(webhook("{not json", secret=None))
    assert response["statusCode"] == 401


def test_the_header_name_is_case_insensitive(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id = forwarded(aws, helpdesk)
    event = webhook(resolved(inquiry_id), secret=None, **{"x-webhook-secret": SECRET})
    assert invoke(event)["statusCode"] == 202


# ---------------------------------------------------------------- outcomes


def test_a_prospects_resolved_ticket_erases_inquiry_and_ticket(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id = forwarded(aws, helpdesk)

    response = invoke(webhook(resolved(inquiry_id)))

    assert (response["statusCode"], body_of(response)) == (202, {"outcome": "erased"})
    assert aws.find_item(inquiry_id) is None
    assert helpdesk.tickets[4711].deleted
    (entry,) = aws.dynamodb.scan(TableName=aws.name("ErasureLedgerTable"))["Items"]
    assert entry["reason"] == {"S": "resolved"}
    again = invoke(webhook(resolved(inquiry_id)))  # the helpdesk delivers twice
    assert (again["statusCode"], body_of(again)) == (202, {"outcome": "unknown"})


def test_a_customers_closed_ticket_marks_the_inquiry_resolved_and_keeps_it(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id = forwarded(aws, helpdesk, lawful_basis=LawfulBasis.CONTRACT, expires_at=None,
                           customer_number=PERSON["customer_number"])  # fmt: skip

    response = invoke(webhook(resolved(inquiry_id, status="Closed")))

    assert body_of(response) == {"outcome": "resolved"}
    item = aws.get_item(inquiry_id)
    assert item["status"] == {"S": "resolved"}
    assert "expires_at" not in item
    assert "expiry_day" not in item
    assert not helpdesk.tickets[4711].deleted


def test_with_a_grace_period_the_sweepers_index_gets_the_earlier_day(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(helpdesk_events.resolutions, "_grace", timedelta(days=7))
    inquiry_id = forwarded(aws, helpdesk)

    response = invoke(webhook(resolved(inquiry_id)))

    assert body_of(response) == {"outcome": "scheduled"}
    item = aws.get_item(inquiry_id)
    deadline = int((helpdesk_events.clock() + timedelta(days=7)).timestamp())
    assert item["status"] == {"S": "resolved"}
    assert item["expires_at"] == {"N": str(deadline)}
    assert item["expiry_day"] == {"S": expiry_day(deadline)}
    assert "pending_day" not in item
    assert not helpdesk.tickets[4711].deleted  # the sweeper erases both when the day comes


def test_other_statuses_are_ignored(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id = forwarded(aws, helpdesk)
    response = invoke(webhook(resolved(inquiry_id, status="Pending")))
    assert (response["statusCode"], body_of(response)) == (202, {"outcome": "ignored"})
    assert aws.get_item(inquiry_id)["status"] == {"S": "forwarded"}


def test_an_unknown_inquiry_is_202_with_nothing_done(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    response = invoke(webhook(resolved("00000000-0000-4000-8000-0000000000aa")))
    assert (response["statusCode"], body_of(response)) == (202, {"outcome": "unknown"})
    assert sum(helpdesk.calls.values()) == 0


def test_a_ticket_that_is_not_the_inquirys_is_409_and_changes_nothing(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id = forwarded(aws, helpdesk, ticket_id=4711)
    response = invoke(webhook(resolved(inquiry_id, ticket_id=4712)))
    assert response["statusCode"] == 409
    assert body_of(response)["error"]["code"] == "ticket_mismatch"
    assert aws.get_item(inquiry_id)["status"] == {"S": "forwarded"}


def test_helpdesk_down_is_503_and_the_retry_erases(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    inquiry_id = forwarded(aws, helpdesk)
    helpdesk.fail_next(1, "timeout")

    response = invoke(webhook(resolved(inquiry_id)))

    assert response["statusCode"] == 503
    assert "Traceback" not in response["body"]
    assert aws.find_item(inquiry_id) is not None
    assert body_of(invoke(webhook(resolved(inquiry_id)))) == {"outcome": "erased"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"ticket_id": "abc", "status": "Resolved", "inquiry_id": "x"}, 422),
        ("{broken", 400),
        ({"ticket_id": 1, "status": "Resolved", "inquiry_id": "x", "pad": "y" * 9000}, 413),
    ],
)
def test_bad_bodies(helpdesk_events: HelpdeskEventsWiring, body: Any, status: int) -> None:
    response = invoke(webhook(body))
    assert response["statusCode"] == status
    assert set(body_of(response)) == {"error"}


def test_the_committed_sample_event_is_accepted(
    aws: Any, helpdesk_events: HelpdeskEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    event = sample_event("helpdesk_events_post.json")
    inquiry_id = json.loads(event["body"])["inquiry_id"]
    aws.put_inquiry(
        an_inquiry_record(inquiry_id=inquiry_id, status=InquiryStatus.FORWARDED, helpdesk_ticket_id=4711)
    )
    response = invoke(event)
    assert (response["statusCode"], body_of(response)) == (202, {"outcome": "erased"})


# ---------------------------------------------------------------- the handler against its declared route
# helpdesk_events_handler answers a well-formed webhook without Powertools' event handler (a cold-start
# saving, docs/decisions.md D88) and hands anything else to helpdesk_events_api, which declares the route for
# Powertools with its OpenAPI validation (the source of docs/openapi.json). Both answer alike.

ANSWERED_HERE = {"erased", "resolved", "ignored", "unknown", "ticket mismatch", "helpdesk down", "unexpected"}
HANDED_OVER = {"wrong type", "missing field", "broken json", "not an object", "text/plain", "another method"}


def _webhook_events(
    case: str,
    aws: Any,
    helpdesk: FakeFreshdesk,
    wiring: HelpdeskEventsWiring,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the handler's event, the resolver's event): twins where the first answer changes the state."""
    if case in {"erased", "resolved", "helpdesk down"}:
        basis = {"lawful_basis": LawfulBasis.CONTRACT, "expires_at": None} if case == "resolved" else {}
        first, second = (forwarded(aws, helpdesk, ticket_id=t, **basis) for t in (4711, 4712))
        if case == "helpdesk down":
            helpdesk.fail_next(2, "timeout")
        status = "Closed" if case == "resolved" else "Resolved"
        return webhook(resolved(first, 4711, status)), webhook(resolved(second, 4712, status))
    if case == "unexpected":

        class Broken:
            def ticket_changed(self, *_: Any) -> None:
                raise RuntimeError("internal detail")

        monkeypatch.setattr(wiring, "resolutions", Broken())
    inquiry_id = forwarded(aws, helpdesk)
    bodies: dict[str, Any] = {
        "ignored": resolved(inquiry_id, status="Pending"),
        "unknown": resolved("00000000-0000-4000-8000-0000000000aa"),
        "ticket mismatch": resolved(inquiry_id, ticket_id=4799),
        "unexpected": resolved(inquiry_id),
        "wrong type": {"ticket_id": "abc", "status": "Resolved", "inquiry_id": inquiry_id},
        "missing field": {"ticket_id": 4711},
        "broken json": "{broken",
        "not an object": [resolved(inquiry_id, status="Pending")],  # the resolver takes the first
        "text/plain": resolved(inquiry_id),
        "another method": resolved(inquiry_id, status="Pending"),
    }
    event = webhook(bodies[case])
    if case == "text/plain":
        event["headers"]["Content-Type"] = "text/plain"
    if case == "another method":
        event["httpMethod"] = "PUT"
    return event, event


@pytest.mark.parametrize("case", sorted(ANSWERED_HERE | HANDED_OVER))
def test_the_handler_answers_as_the_declared_route(
    aws: Any,
    helpdesk_events: HelpdeskEventsWiring,
    helpdesk: FakeFreshdesk,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    handler = importlib.import_module("helpdesk_events_handler")
    declared = importlib.import_module("helpdesk_events_api")
    event, twin = _webhook_events(case, aws, helpdesk, helpdesk_events, monkeypatch)
    ours = answered_as_the_declared_routes(
        handler.respond, invoke, declared, event, twin, handed_over=case in HANDED_OVER
    )
    assert ours["statusCode"] in {202, 400, 404, 409, 415, 422, 500, 503}
