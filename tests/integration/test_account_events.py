"""AccountEventsFunction on the template's tables (moto) with the fake Freshdesk, and IntakeFunction's
verification of a customer number against the mirror it builds.

The events are the committed samples in events/ (EventBridge's shape), changed field by field.
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contact_intake.core.retention import LawfulBasis
from contact_intake.core.subject import subject_key
from contact_intake.intake.models import InquiryStatus
from contact_intake.intake.wiring import IntakeWiring
from contact_intake.retention.account_events import InvalidAccountEvent
from contact_intake.retention.wiring import AccountEventsWiring
from tests import logcapture
from tests.builders import PERSON, FakeContext, a_form, an_inquiry_record, api_event, sample_event
from tests.fakes import FakeVerifier
from tests.helpdesk_fake import FakeFreshdesk

PEPPER = b"local-test-pepper"  # what tests/integration/conftest.py puts in (moto's) SSM
NUMBER = PERSON["customer_number"]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

SAMPLES = {
    "AccountOpened": "account_events_opened.json",
    "AccountEmailChanged": "account_events_email_changed.json",
    "AccountClosed": "account_events_closed.json",
}


def account_event(
    kind: str, *, at: datetime, email: str | None = PERSON["email"], number: str = NUMBER
) -> Any:
    event = sample_event(SAMPLES[kind])
    event["time"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    event["detail"] = {"customer_number": number} | ({"email": email} if email is not None else {})
    return event


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    handler = importlib.import_module("account_events_handler")
    return dict(handler.lambda_handler(event, FakeContext()))


def account_row(aws: Any, number: str = NUMBER) -> dict[str, Any] | None:
    answer = aws.dynamodb.get_item(
        TableName=aws.name("AccountsTable"), Key={"customer_number": {"S": number}}
    )
    return answer.get("Item")


@pytest.fixture
def submit(aws: Any, wiring: IntakeWiring) -> Any:
    """POST /inquiries through IntakeFunction, with the in-memory captcha (``pass:`` tokens pass)."""
    wiring.verifier = FakeVerifier()
    handler = importlib.import_module("intake_handler")

    def post(**fields: Any) -> dict[str, Any]:
        response = handler.lambda_handler(api_event(a_form(**fields)), FakeContext())
        assert response["statusCode"] == 202, response["body"]
        return aws.get_item(json.loads(response["body"])["inquiry_id"])

    return post


# ---------------------------------------------------------------- the mirror


def test_the_committed_samples_apply(aws: Any, account_events: AccountEventsWiring) -> None:
    for kind in ("AccountOpened", "AccountEmailChanged", "AccountClosed"):
        assert deliver(sample_event(SAMPLES[kind]))["applied"] is True
    row = account_row(aws, "C-104233")
    assert row is not None
    assert row["status"] == {"S": "closed"}


def test_an_opened_account_stores_the_subject_key_never_the_address(
    aws: Any, account_events: AccountEventsWiring
) -> None:
    deliver(account_event("AccountOpened", at=T0, email="  Zoe.Quasimodo+Intake@EXAMPLE.org "))

    row = account_row(aws)
    assert row is not None
    assert set(row) == {"customer_number", "subject_key", "status", "version", "updated_at"}
    assert row["subject_key"] == {"S": subject_key(PERSON["email"], PEPPER)}
    assert row["status"] == {"S": "open"}
    assert PERSON["email"].lower() not in json.dumps(row).lower()


def test_events_apply_only_when_newer_than_what_is_stored(
    aws: Any, account_events: AccountEventsWiring
) -> None:
    new_address = "zoe.new@example.org"
    # delivered out of order: the change first, then the older opening, then a repeat of the change
    assert deliver(account_event("AccountEmailChanged", at=T0 + timedelta(days=2), email=new_address))[
        "applied"
    ]
    assert not deliver(account_event("AccountOpened", at=T0))["applied"]
    assert not deliver(account_event("AccountEmailChanged", at=T0 + timedelta(days=2), email=new_address))[
        "applied"
    ]
    row = account_row(aws)
    assert row is not None
    assert row["subject_key"] == {"S": subject_key(new_address, PEPPER)}


def test_a_closure_is_not_undone_by_late_or_same_second_events(
    aws: Any, account_events: AccountEventsWiring
) -> None:
    closed_at = T0 + timedelta(days=3)
    deliver(account_event("AccountClosed", at=closed_at))
    assert not deliver(account_event("AccountOpened", at=T0))["applied"]
    assert not deliver(account_event("AccountEmailChanged", at=closed_at))["applied"]
    assert not deliver(account_event("AccountEmailChanged", at=closed_at + timedelta(days=1)))["applied"]
    row = account_row(aws)
    assert row is not None
    assert row["status"] == {"S": "closed"}
    assert "subject_key" not in row
    assert int(row["expires_at"]["N"]) > int(account_events.clock().timestamp())  # a tombstone, with a TTL
    # a genuinely newer opening (the shop reopened the account) does apply
    assert deliver(account_event("AccountOpened", at=closed_at + timedelta(days=30)))["applied"]
    row = account_row(aws)
    assert row is not None
    assert (row["status"], "expires_at" in row) == ({"S": "open"}, False)


def test_an_invalid_event_is_refused_naming_fields_not_values(account_events: AccountEventsWiring) -> None:
    event = account_event("AccountOpened", at=T0)
    event["detail"]["customer_number"] = "C 1\n"
    before = len(logcapture.lines())
    with pytest.raises(InvalidAccountEvent) as raised:
        deliver(event)
    # the refused event is logged for the operator with its detail's values masked (Powertools data masking)
    new = logcapture.lines()[before:]
    (logged,) = [json.loads(x) for x in new if x.startswith("{") and "account event refused" in x]
    assert logged["record"]["id"] == event["id"]
    assert logged["record"]["detail-type"] == "AccountOpened"
    assert logged["record"]["detail"] == {"customer_number": "*****", "email": "*****"}
    assert PERSON["email"] not in json.dumps(logged)
    assert "detail.customer_number" in str(raised.value)
    assert "C 1" not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
    without_address = account_event("AccountEmailChanged", at=T0, email=None)
    with pytest.raises(InvalidAccountEvent, match=r"detail\.email"):
        deliver(without_address)
    other_source = account_event("AccountOpened", at=T0)
    other_source["source"] = "shop.orders"
    with pytest.raises(InvalidAccountEvent, match="source"):
        deliver(other_source)


# ---------------------------------------------------------------- AccountClosed erases


def test_account_closed_erases_that_customers_inquiries_and_tickets_only(
    aws: Any, account_events: AccountEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    def stored(number: str | None, ticket_id: int) -> str:
        record = an_inquiry_record(
            status=InquiryStatus.FORWARDED, helpdesk_ticket_id=ticket_id, customer_number=number,
            lawful_basis=LawfulBasis.CONTRACT if number else LawfulBasis.LEGITIMATE_INTERESTS,
            **({"expires_at": None} if number else {}),
        )  # fmt: skip
        helpdesk.add_ticket(
            PERSON["email"], ticket_id=ticket_id, description="", tags=[], source=2,
            cf_inquiry_id=record.inquiry_id,
        )  # fmt: skip
        aws.put_inquiry(record)
        return str(record.inquiry_id)

    closing = [stored(NUMBER, 1), stored(NUMBER, 2)]
    other_customer = stored("C-111111", 3)
    prospect = stored(None, 4)  # the same person, without a number: a prospect's inquiry, its own deadline
    deliver(account_event("AccountOpened", at=T0))
    aws.calls.clear()

    answer = deliver(account_event("AccountClosed", at=T0 + timedelta(days=1)))

    assert answer == {"applied": True, "erased": 2}
    assert [aws.find_item(i) for i in closing] == [None, None]
    assert (helpdesk.tickets[1].deleted, helpdesk.tickets[2].deleted) == (True, True)
    assert aws.find_item(other_customer) is not None
    assert not helpdesk.tickets[3].deleted
    assert aws.find_item(prospect) is not None
    assert not helpdesk.tickets[4].deleted
    assert aws.calls["dynamodb.Query"] == 1
    assert "dynamodb.Scan" not in aws.calls
    ledger = aws.dynamodb.scan(TableName=aws.name("ErasureLedgerTable"))["Items"]
    assert sorted(e["inquiry_id"]["S"] for e in ledger) == sorted(closing)
    assert {e["reason"]["S"] for e in ledger} == {"account_closed"}


def test_a_closure_that_failed_midway_is_finished_by_the_retry(
    aws: Any, account_events: AccountEventsWiring, helpdesk: FakeFreshdesk
) -> None:
    record = aws.put_inquiry(
        an_inquiry_record(
            customer_number=NUMBER, helpdesk_ticket_id=9, lawful_basis=LawfulBasis.CONTRACT, expires_at=None
        )
    )
    helpdesk.fail_next(1, "500")
    closed = account_event("AccountClosed", at=T0)

    with pytest.raises(Exception, match="HTTP 500"):
        deliver(closed)
    assert aws.find_item(record.inquiry_id) is not None
    row = account_row(aws)
    assert row is not None
    assert row["status"] == {"S": "closed"}

    assert deliver(closed) == {"applied": False, "erased": 1}  # Lambda's retry: the same event again
    assert aws.find_item(record.inquiry_id) is None


# ---------------------------------------------------------------- IntakeFunction's verification


def test_a_verified_customer_number_makes_a_contract_inquiry(
    aws: Any, account_events: AccountEventsWiring, submit: Any
) -> None:
    deliver(account_event("AccountOpened", at=T0))
    aws.calls.clear()

    item = submit(customer_number=NUMBER, email="ZOE.Quasimodo+intake@example.org")

    assert item["lawful_basis"] == {"S": "contract"}
    assert item["customer_number"] == {"S": NUMBER}
    assert "expires_at" not in item
    assert "expiry_day" not in item
    # the check, then the write conditional on the account still being open (D62)
    assert aws.calls == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1, "sqs.SendMessage": 1}


def test_after_an_email_change_only_the_new_address_verifies(
    aws: Any, account_events: AccountEventsWiring, submit: Any
) -> None:
    deliver(account_event("AccountOpened", at=T0))
    deliver(account_event("AccountEmailChanged", at=T0 + timedelta(hours=1), email="zoe.new@example.org"))

    old = submit(customer_number=NUMBER)  # PERSON's (old) address
    new = submit(customer_number=NUMBER, email="zoe.new@example.org")

    assert (old["lawful_basis"], "customer_number" in old, "expires_at" in old) == (
        {"S": "legitimate_interests"}, False, True,
    )  # fmt: skip
    assert (new["lawful_basis"], new["customer_number"]) == ({"S": "contract"}, {"S": NUMBER})


@pytest.mark.parametrize("case", ["wrong e-mail", "closed", "unknown"])
def test_an_unverifiable_number_is_dropped_and_the_inquiry_is_a_prospects(
    aws: Any, account_events: AccountEventsWiring, submit: Any, case: str
) -> None:
    if case == "wrong e-mail":
        deliver(account_event("AccountOpened", at=T0, email="someone.else@example.org"))
    elif case == "closed":
        deliver(account_event("AccountOpened", at=T0))
        deliver(account_event("AccountClosed", at=T0 + timedelta(hours=1)))

    item = submit(customer_number=NUMBER)

    assert item["lawful_basis"] == {"S": "legitimate_interests"}
    assert "customer_number" not in item
    assert "N" in item["expires_at"]
    assert NUMBER not in json.dumps(item)


def test_the_mirror_unreadable_is_503_and_nothing_stored(aws: Any, wiring: IntakeWiring, submit: Any) -> None:
    from botocore.stub import Stubber

    handler = importlib.import_module("intake_handler")
    with Stubber(wiring.clients.dynamodb) as stub:
        stub.add_client_error("get_item", service_error_code="ProvisionedThroughputExceededException")
        response = handler.lambda_handler(api_event(a_form(customer_number=NUMBER)), FakeContext())
    assert response["statusCode"] == 503
    assert aws.scan_count() == 0


def test_mirror_write_faults_are_service_unavailable(account_events: AccountEventsWiring) -> None:
    from botocore.stub import Stubber

    from contact_intake.core.errors import ServiceUnavailable

    with Stubber(account_events.clients.dynamodb) as stub:
        stub.add_client_error("put_item", service_error_code="InternalServerError", http_status_code=500)
        with pytest.raises(ServiceUnavailable):
            deliver(account_event("AccountOpened", at=T0))
