"""One person, one identity, on the template's tables (moto) and the fake Freshdesk:

- one canonical address (D60): a form with an internationalised domain, its ticket, and a rights mail in the
  A-label form all reach the same inquiries;
- the account's identity follows the account (D61): after AccountEmailChanged the new address finds the
  customer's inquiries and recordings, the old one nothing; out of order and replayed;
- no inquiry outlives its account (D62, D63): a closure between the intake's check and its write, and a
  closure whose index query misses the newest inquiry, leave nothing kept or forwarded.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from contact_intake.core.errors import ServiceUnavailable
from contact_intake.core.retention import LawfulBasis
from contact_intake.core.subject import subject_key
from contact_intake.intake.forwarder import ForwardResult
from contact_intake.intake.wiring import ForwarderWiring, IntakeWiring
from contact_intake.recordings.store import RecordingLedger
from contact_intake.retention.wiring import AccountEventsWiring, SweeperWiring
from contact_intake.rights.worker_wiring import RightsWorkerWiring
from tests.builders import PERSON, a_recording
from tests.fakes import FakeClock
from tests.helpdesk_fake import FakeFreshdesk as RightsFreshdesk
from tests.integration.conftest import LOCAL_SECRETS, Aws, InquiryQueueSource
from tests.integration.test_account_events import NUMBER, T0, account_event, account_row, deliver, submit
from tests.integration.test_rights_worker import (
    RightsQueueSource,
    rights_queue,
    sent_mails,
    worker,
)

__all__ = ["rights_queue", "submit", "worker"]  # fixtures used here by name

PEPPER = LOCAL_SECRETS["/contact-intake/subject-pepper"].encode()
IDN_UNICODE = "Ann.Example@Bücher.example"
IDN_A_LABEL = "ann.example@xn--bcher-kva.example"
OLD = PERSON["email"]
NEW = "zoe.renamed@example.net"


def inquiry_items(aws: Aws) -> list[dict[str, Any]]:
    return list(aws.dynamodb.scan(TableName=aws.name("InquiriesTable"))["Items"])


def by_mail(worker: RightsWorkerWiring, rights_queue: RightsQueueSource, clock: FakeClock, address: str,
            right: str) -> list[dict[str, Any]]:  # fmt: skip
    """A rights request mailed from ``address``, its link followed, the worker run: the worker's answers."""
    before = len(sent_mails())
    worker.rights.receive(channel="email", email=address, right=right, locale="en", received_at=clock())
    ack = sent_mails()[before]
    token = re.search(r"token=([A-Za-z0-9_-]{43})", ack.text)
    assert token is not None
    worker.rights.verify(token.group(1))
    return rights_queue.drain()


def export_of(address: str) -> dict[str, Any]:
    """The access export last mailed to ``address``."""
    mail = next(m for m in reversed(sent_mails()) if m.to == [address] and m.attachments)
    ((_, content),) = mail.attachments.items()
    return dict(json.loads(content))


# ---------------------------------------------------------------- D60: one canonical address


def test_an_idn_round_trip_from_the_form_to_the_ticket_to_an_erasure_by_an_a_label_mail(  # noqa: PLR0917
    aws: Aws,
    submit: Any,
    inquiry_queue: InquiryQueueSource,
    worker: RightsWorkerWiring,
    rights_queue: RightsQueueSource,
    helpdesk: RightsFreshdesk,
    clock: FakeClock,
) -> None:
    item = submit(email=IDN_UNICODE)
    assert item["email"] == {"S": IDN_A_LABEL}  # the validator's Unicode domain is stored as its A-label
    assert item["subject_key"] == {"S": subject_key(IDN_A_LABEL, PEPPER)}

    inquiry_queue.poll()  # the forwarder: the helpdesk takes only the A-label, and gets it
    (ticket,) = helpdesk.tickets.values()
    assert helpdesk.requester_of(ticket).email == IDN_A_LABEL
    assert aws.queue_counts("InquiryDLQ")["visible"] == 0

    # the rights mail carries the A-label (as mail does), upper-cased for good measure
    (answer,) = by_mail(worker, rights_queue, clock, IDN_A_LABEL.upper(), "erasure")
    assert answer["batchItemFailures"] == []
    assert inquiry_items(aws) == []
    assert ticket.id not in helpdesk.tickets or helpdesk.tickets[ticket.id].deleted
    (entry,) = aws.dynamodb.scan(TableName=aws.name("ErasureLedgerTable"))["Items"]
    assert entry["subject_key"] == {"S": subject_key(IDN_UNICODE, PEPPER)}


def test_a_domain_that_fails_idna_is_a_422_at_the_field(aws: Aws, wiring: IntakeWiring) -> None:
    from tests.builders import FakeContext, a_form, api_event
    from tests.fakes import FakeVerifier

    wiring.verifier = FakeVerifier()
    handler = importlib.import_module("intake_handler")
    response = handler.lambda_handler(api_event(a_form(email="ann@xn--zz.example")), FakeContext())
    assert response["statusCode"] == 422
    fields = [problem["field"] for problem in json.loads(response["body"])["error"]["fields"]]
    assert fields == ["email"]
    assert inquiry_items(aws) == []


def test_a_rights_request_stores_the_canonical_address(
    worker: RightsWorkerWiring, rights_queue: RightsQueueSource, clock: FakeClock
) -> None:
    request = worker.rights.receive(
        channel="email",
        email=" ANN.Example@ｂüｃｈｅｒ.EXAMPLE ",
        right="access",
        locale="en",
        received_at=clock(),
    )
    assert request.email == IDN_A_LABEL
    assert request.subject_key == subject_key(IDN_A_LABEL, PEPPER)
    assert sent_mails()[-1].to == [IDN_A_LABEL]


def test_an_account_event_with_an_idn_address_matches_the_forms_a_label(
    aws: Aws, account_events: AccountEventsWiring, submit: Any
) -> None:
    deliver(account_event("AccountOpened", at=T0, email=IDN_UNICODE))
    item = submit(customer_number=NUMBER, email=IDN_A_LABEL)
    assert item["lawful_basis"] == {"S": "contract"}
    assert item["customer_number"] == {"S": NUMBER}


# ---------------------------------------------------------------- D61: the identity follows the account


def a_customer_recording(aws: Aws, clock: FakeClock, key: str, recording_id: str) -> None:
    ledger = RecordingLedger(table_name=aws.name("RecordingsTable"), client=lambda: aws.dynamodb, clock=clock)
    ledger.put_pending(a_recording(recording_id, key, clock()))


def recording_keys(aws: Aws) -> set[str]:
    return {i["subject_key"]["S"] for i in aws.dynamodb.scan(TableName=aws.name("RecordingsTable"))["Items"]}


@pytest.fixture
def customer(aws: Aws, account_events: AccountEventsWiring, submit: Any, clock: FakeClock) -> list[str]:
    """An open account of PERSON with two inquiries and one recording tied to it: the inquiry ids."""
    deliver(account_event("AccountOpened", at=T0))
    ids = [submit(customer_number=NUMBER)["inquiry_id"]["S"] for _ in range(2)]
    a_customer_recording(aws, clock, subject_key(OLD, PEPPER), "0b9c6f1e-3a4d-4e5f-8a7b-1c2d3e4f5a6b")
    return ids


def test_after_an_email_change_the_new_address_finds_everything_and_the_old_nothing(
    aws: Aws,
    customer: list[str],
    worker: RightsWorkerWiring,
    rights_queue: RightsQueueSource,
    clock: FakeClock,
) -> None:
    result = deliver(account_event("AccountEmailChanged", at=T0 + timedelta(days=1), email=NEW.upper()))
    assert result["applied"] is True

    items = inquiry_items(aws)
    assert {i["email"]["S"] for i in items} == {NEW}
    assert {i["subject_key"]["S"] for i in items} == {subject_key(NEW, PEPPER)}
    assert recording_keys(aws) == {subject_key(NEW, PEPPER)}

    by_mail(worker, rights_queue, clock, OLD, "access")
    old = export_of(OLD)
    assert old["inquiries"] == []
    assert old.get("call_recordings", []) == []
    assert NUMBER not in json.dumps(old)

    by_mail(worker, rights_queue, clock, NEW, "access")
    new = export_of(NEW)
    assert {i["record"]["inquiry_id"] for i in new["inquiries"]} == set(customer)
    assert len(new["call_recordings"]) == 1


def test_email_changes_out_of_order_and_replayed_end_at_the_newest_address(
    aws: Aws, customer: list[str]
) -> None:
    middle, newest = "zoe.middle@example.net", NEW
    # the newest change arrives first; the older one after it changes nothing
    assert deliver(account_event("AccountEmailChanged", at=T0 + timedelta(days=2), email=newest))["applied"]
    late = deliver(account_event("AccountEmailChanged", at=T0 + timedelta(days=1), email=middle))
    assert late["applied"] is False
    assert {i["email"]["S"] for i in inquiry_items(aws)} == {newest}
    # a replay of the newest (EventBridge delivers at least once) is a no-op with the same outcome
    deliver(account_event("AccountEmailChanged", at=T0 + timedelta(days=2), email=newest))
    assert {i["subject_key"]["S"] for i in inquiry_items(aws)} == {subject_key(newest, PEPPER)}
    assert recording_keys(aws) == {subject_key(newest, PEPPER)}
    row = account_row(aws)
    assert row is not None
    assert row["subject_key"] == {"S": subject_key(newest, PEPPER)}


def test_a_replay_finishes_a_re_key_that_stopped_midway(
    aws: Aws, customer: list[str], account_events: AccountEventsWiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    change = account_event("AccountEmailChanged", at=T0 + timedelta(days=1), email=NEW)

    # the first run moves the mirror, then the by_customer query fails (throttled): Lambda will retry
    def throttled(number: str) -> Iterator[str]:
        raise ServiceUnavailable()

    monkeypatch.setattr(account_events.store, "keys_by_customer", throttled)
    with pytest.raises(ServiceUnavailable):
        deliver(change)
    assert {i["email"]["S"] for i in inquiry_items(aws)} == {OLD}
    monkeypatch.undo()

    # the retry: the mirror already holds this event (not applied again), and the re-key completes
    retried = deliver(change)
    assert retried["applied"] is False
    assert {i["email"]["S"] for i in inquiry_items(aws)} == {NEW}
    assert recording_keys(aws) == {subject_key(NEW, PEPPER)}


# ---------------------------------------------------------------- D62, D63: no inquiry outlives its account


def test_a_closure_between_the_check_and_the_write_keeps_the_inquiry_as_a_prospects(
    aws: Any, account_events: AccountEventsWiring, wiring: IntakeWiring, submit: Any
) -> None:
    deliver(account_event("AccountOpened", at=T0))
    checked = wiring.customers

    class ClosesAfterTheCheck:
        """The mirror as the intake asks it, with AccountClosed processed right after the answer."""

        def is_verified(self, customer_number: str, subject: str) -> bool:
            verified = checked.is_verified(customer_number, subject)
            deliver(account_event("AccountClosed", at=T0 + timedelta(days=1)))
            return verified

    wiring.customers = ClosesAfterTheCheck()  # type: ignore[assignment]  # before the intake is built
    item = submit(customer_number=NUMBER)

    assert "customer_number" not in item
    assert item["lawful_basis"] == {"S": str(LawfulBasis.LEGITIMATE_INTERESTS)}
    assert "N" in item["expires_at"]  # kept, with the 12-month deadline: it cannot outlive anything
    assert len(inquiry_items(aws)) == 1


def a_customers_posts(wiring: IntakeWiring, idempotency_key: str) -> Callable[..., dict[str, Any]]:
    """PERSON's account opened (at T0) and a way to POST her form, as a customer, with ``idempotency_key``
    (the captcha passes): each call the handler's answer to the form with ``overrides``."""
    from tests.builders import FakeContext, a_form, api_event
    from tests.fakes import FakeVerifier

    wiring.verifier = FakeVerifier()
    handler = importlib.import_module("intake_handler")
    deliver(account_event("AccountOpened", at=T0))
    headers = {"Idempotency-Key": idempotency_key}

    def post(**overrides: Any) -> dict[str, Any]:
        form = a_form(customer_number=NUMBER, **overrides)
        return dict(handler.lambda_handler(api_event(form, headers=headers), FakeContext()))

    return post


def test_a_retry_after_the_closure_is_still_the_same_inquiry(
    aws: Any, account_events: AccountEventsWiring, wiring: IntakeWiring
) -> None:
    post = a_customers_posts(wiring, "k-closure-retry")
    first = post()
    deliver(account_event("AccountClosed", at=T0 + timedelta(days=1)))
    second = post()  # same body, a fresh captcha token
    assert first["statusCode"] == 202
    assert second["statusCode"] == 202
    assert json.loads(first["body"])["inquiry_id"] == json.loads(second["body"])["inquiry_id"]
    # the closure erased the first write; the retry (after it) is the same inquiry id, now a prospect's
    # with its deadline: nothing of the closed account is kept
    (item,) = inquiry_items(aws)
    assert item["inquiry_id"]["S"] == json.loads(first["body"])["inquiry_id"]
    assert "customer_number" not in item
    assert "N" in item["expires_at"]


def test_a_closure_whose_index_query_misses_the_newest_inquiry_leaves_nothing(  # noqa: PLR0917
    aws: Any,
    account_events: AccountEventsWiring,
    submit: Any,
    forwarder: ForwarderWiring,
    inquiry_queue: InquiryQueueSource,
    sweeper: SweeperWiring,
    helpdesk: RightsFreshdesk,
    clock: FakeClock,
) -> None:
    deliver(account_event("AccountOpened", at=T0))
    seen = submit(customer_number=NUMBER)["inquiry_id"]["S"]
    newest = submit(customer_number=NUMBER)["inquiry_id"]["S"]

    # by_customer lags: the closure's query does not show the newest inquiry yet
    store = account_events.eraser._store  # type: ignore[attr-defined]
    real = store.keys_by_customer
    store.keys_by_customer = lambda number: (i for i in real(number) if i != newest)  # type: ignore[method-assign]
    deliver(account_event("AccountClosed", at=clock()))
    store.keys_by_customer = real  # type: ignore[method-assign]
    assert [i["inquiry_id"]["S"] for i in inquiry_items(aws)] == [newest]

    # the forwarder does not send it
    while aws.queue_counts("InquiryQueue")["visible"]:
        inquiry_queue.poll()
    outcomes = [
        t for t in helpdesk.tickets.values() if t.custom_fields.get("cf_inquiry_id") in {seen, newest}
    ]
    assert outcomes == []
    assert forwarder.forwarder.forward(newest).result is ForwardResult.ACCOUNT_CLOSED

    # the sweeper's reconciliation erases it
    report = sweeper.sweeper.run()
    assert report.closure_erased == 1
    assert inquiry_items(aws) == []
    ledger = aws.dynamodb.scan(TableName=aws.name("ErasureLedgerTable"))["Items"]
    assert {(e["inquiry_id"]["S"], e["reason"]["S"]) for e in ledger} == {
        (seen, "account_closed"),
        (newest, "account_closed"),
    }


def test_the_reconciliation_leaves_a_reopened_account_alone(
    aws: Any, account_events: AccountEventsWiring, submit: Any, sweeper: SweeperWiring, clock: FakeClock
) -> None:
    deliver(account_event("AccountOpened", at=T0))
    deliver(account_event("AccountClosed", at=clock() - timedelta(hours=2)))
    deliver(account_event("AccountOpened", at=clock() - timedelta(hours=1)))
    kept = submit(customer_number=NUMBER)
    assert kept["customer_number"] == {"S": NUMBER}
    assert sweeper.sweeper.run().closure_erased == 0
    assert len(inquiry_items(aws)) == 1


def test_a_customers_replay_is_the_same_inquiry_through_the_transaction(
    aws: Any, account_events: AccountEventsWiring, wiring: IntakeWiring
) -> None:
    post = a_customers_posts(wiring, "k-customer-replay")
    answers = [post() for _ in range(2)]
    other = post(message="Another question")
    assert [a["statusCode"] for a in answers] == [202, 202]
    assert len({json.loads(a["body"])["inquiry_id"] for a in answers}) == 1
    assert other["statusCode"] == 409  # same key, another body: the transaction's Put reason says "taken"
    (item,) = inquiry_items(aws)
    assert item["customer_number"] == {"S": NUMBER}


def test_the_customer_write_fails_whole_when_the_account_is_not_open(
    aws: Any, account_events: AccountEventsWiring
) -> None:
    from contact_intake.intake.store import AccountNotOpen, InquiryStore
    from tests.builders import an_inquiry_record

    store = InquiryStore(
        table_name=aws.name("InquiriesTable"),
        client=lambda: aws.dynamodb,
        accounts_table=aws.name("AccountsTable"),
    )
    record = an_inquiry_record(customer_number=NUMBER, subject_key=subject_key(OLD, PEPPER), expires_at=None)
    with pytest.raises(AccountNotOpen):
        store.put_new_customer(record)  # no such account
    deliver(account_event("AccountOpened", at=T0, email=NEW))
    with pytest.raises(AccountNotOpen):
        store.put_new_customer(record)  # open, but another address's
    deliver(account_event("AccountEmailChanged", at=T0 + timedelta(days=1), email=OLD))
    deliver(account_event("AccountClosed", at=T0 + timedelta(days=2)))
    with pytest.raises(AccountNotOpen):
        store.put_new_customer(record)  # closed
    assert inquiry_items(aws) == []
