"""IntakeService with fakes: honeypot, idempotency, captcha, commit point."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from contact_intake.core.errors import CaptchaRejected, CaptchaUnavailable, IdempotencyConflict
from contact_intake.core.retention import LawfulBasis
from contact_intake.core.subject import subject_key
from contact_intake.intake.models import InquiryForm
from contact_intake.intake.service import IntakeService
from tests.builders import a_form
from tests.fakes import FakeCustomers, FakeQueue, FakeStore, FakeVerifier

PEPPER = b"unit-pepper"
NOW = datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)


def make(
    queue: FakeQueue | None = None, customers: FakeCustomers | None = None
) -> tuple[IntakeService, FakeStore, FakeQueue, FakeVerifier]:
    customers = customers or FakeCustomers()
    store, verifier = FakeStore(customers), FakeVerifier()
    queue = queue or FakeQueue()
    service = IntakeService(
        verifier=verifier,
        store=store,  # type: ignore[arg-type]
        queue=queue,  # type: ignore[arg-type]
        customers=customers,
        pepper=lambda: PEPPER,
        clock=lambda: NOW,
        new_id=lambda: "00000000-0000-4000-8000-000000000001",
    )
    return service, store, queue, verifier


def form(**overrides: Any) -> InquiryForm:
    return InquiryForm.model_validate(a_form(**overrides))


def test_a_new_inquiry_is_stored_once_and_queued_by_id_only() -> None:
    service, store, queue, _ = make()
    result = service.submit(form(), idempotency_key=None, remote_ip="198.51.100.23")
    assert result.created
    record = store.items[result.inquiry_id]
    assert record.lawful_basis is LawfulBasis.LEGITIMATE_INTERESTS
    assert record.customer_number is None  # not verified yet: dropped
    assert record.subject_key == subject_key(record.email, PEPPER)
    assert record.expires_at == int(datetime(2029, 2, 28, 23, 59, 59, tzinfo=UTC).timestamp())
    assert record.locale == "nl"
    assert queue.bodies == [json.dumps({"inquiry_id": result.inquiry_id}, separators=(",", ":"))]


def test_an_unknown_customer_number_is_dropped() -> None:
    customers = FakeCustomers()
    service, store, _, _ = make(customers=customers)
    result = service.submit(form(customer_number="C-1"), idempotency_key=None, remote_ip=None)
    record = store.items[result.inquiry_id]
    assert record.customer_number is None
    assert record.lawful_basis is LawfulBasis.LEGITIMATE_INTERESTS
    assert record.expires_at is not None
    assert customers.lookups == ["C-1"]


def test_a_verified_customer_number_makes_a_contract_inquiry_without_expiry() -> None:
    customers = FakeCustomers()
    customers.accounts["C-998877"] = (subject_key("zoe.quasimodo+intake@example.org", PEPPER), "open")
    service, store, _, _ = make(customers=customers)
    # the address as typed differs in case and spacing: the subject key normalises it
    typed = form(customer_number=" C-998877 ", email="  Zoe.Quasimodo+Intake@Example.ORG")
    result = service.submit(typed, idempotency_key=None, remote_ip=None)
    record = store.items[result.inquiry_id]
    assert record.customer_number == "C-998877"
    assert record.lawful_basis is LawfulBasis.CONTRACT
    assert record.expires_at is None
    assert customers.lookups == ["C-998877"]


@pytest.mark.parametrize(
    "account",
    [
        pytest.param((subject_key("someone.else@example.org", PEPPER), "open"), id="other e-mail"),
        pytest.param((subject_key("zoe.quasimodo+intake@example.org", PEPPER), "closed"), id="closed"),
    ],
)
def test_a_number_of_another_person_or_a_closed_account_is_dropped(account: tuple[str, str]) -> None:
    customers = FakeCustomers()
    customers.accounts["C-998877"] = account
    service, store, _, _ = make(customers=customers)
    result = service.submit(form(customer_number="C-998877"), idempotency_key=None, remote_ip=None)
    record = store.items[result.inquiry_id]
    assert (record.customer_number, record.lawful_basis) == (None, LawfulBasis.LEGITIMATE_INTERESTS)
    assert record.expires_at == int(datetime(2029, 2, 28, 23, 59, 59, tzinfo=UTC).timestamp())


def test_without_a_number_the_mirror_is_not_asked() -> None:
    customers = FakeCustomers()
    service, _, _, _ = make(customers=customers)
    service.submit(form(), idempotency_key=None, remote_ip=None)
    assert customers.lookups == []


def test_a_filled_honeypot_stores_nothing_and_asks_no_one() -> None:
    service, store, queue, verifier = make()
    result = service.submit(form(website="http://spam.example"), idempotency_key=None, remote_ip=None)
    assert result.status == "received"
    assert not result.created
    assert (store.items, queue.bodies, verifier.calls) == ({}, [], 0)


def test_same_key_same_body_is_one_inquiry() -> None:
    service, store, queue, _ = make()
    body = a_form()
    first = service.submit(InquiryForm.model_validate(body), idempotency_key="k-1", remote_ip=None)
    retry = service.submit(
        InquiryForm.model_validate({**body, "captcha_token": "pass:fresh"}),
        idempotency_key="k-1",
        remote_ip=None,
    )
    assert retry.inquiry_id == first.inquiry_id
    assert not retry.created
    assert len(store.items) == 1
    assert len(queue.bodies) == 1


def test_a_retry_resending_the_used_token_is_answered_as_a_replay() -> None:
    service, store, queue, _ = make()
    body = a_form()
    first = service.submit(InquiryForm.model_validate(body), idempotency_key="k-1", remote_ip=None)
    retry = service.submit(InquiryForm.model_validate(body), idempotency_key="k-1", remote_ip=None)
    assert retry.inquiry_id == first.inquiry_id
    assert store.puts == 1
    assert len(queue.bodies) == 1


def test_same_key_other_body_is_a_conflict() -> None:
    service, store, _, _ = make()
    service.submit(form(), idempotency_key="k-1", remote_ip=None)
    with pytest.raises(IdempotencyConflict):
        service.submit(form(message="something else"), idempotency_key="k-1", remote_ip=None)
    assert len(store.items) == 1


def test_a_reused_token_with_another_body_is_still_rejected() -> None:
    service, _, _, _ = make()
    body = a_form()
    service.submit(InquiryForm.model_validate(body), idempotency_key="k-1", remote_ip=None)
    with pytest.raises(CaptchaRejected):
        service.submit(
            InquiryForm.model_validate({**body, "message": "other"}), idempotency_key="k-1", remote_ip=None
        )


def test_captcha_rejected_or_unavailable_stores_nothing() -> None:
    service, store, queue, _ = make()
    with pytest.raises(CaptchaRejected):
        service.submit(form(captcha_token="bot"), idempotency_key=None, remote_ip=None)
    with pytest.raises(CaptchaUnavailable):
        service.submit(form(captcha_token="down:1"), idempotency_key="k-2", remote_ip=None)
    assert (store.items, queue.bodies) == ({}, [])


def test_enqueue_failure_after_the_write_still_accepts() -> None:
    service, store, _, _ = make(FakeQueue(failing=True))
    result = service.submit(form(), idempotency_key=None, remote_ip=None)
    assert result.created
    assert store.items[result.inquiry_id].status == "received"  # the sweeper re-enqueues it


def test_without_a_key_ids_are_fresh() -> None:
    service, _, _, _ = make()
    result = service.submit(form(), idempotency_key=None, remote_ip=None)
    assert result.inquiry_id == "00000000-0000-4000-8000-000000000001"


def test_a_closure_between_the_check_and_the_write_stores_a_prospects_inquiry() -> None:
    customers = FakeCustomers()
    key = subject_key("zoe.quasimodo+intake@example.org", PEPPER)
    customers.accounts["C-998877"] = (key, "open")
    service, store, queue, _ = make(customers=customers)

    def closure() -> None:
        customers.accounts["C-998877"] = (key, "closed")

    store.before_customer_write = closure
    result = service.submit(form(customer_number="C-998877"), idempotency_key="k-1", remote_ip=None)

    record = store.items[result.inquiry_id]
    assert customers.lookups == ["C-998877"]  # the check said open
    assert (record.customer_number, record.lawful_basis) == (None, LawfulBasis.LEGITIMATE_INTERESTS)
    assert record.expires_at == int(datetime(2029, 2, 28, 23, 59, 59, tzinfo=UTC).timestamp())
    assert len(queue.bodies) == 1  # one enqueue, of the one inquiry that was stored

    # a retry with the same key and body is that inquiry, whatever the account says now
    again = service.submit(form(customer_number="C-998877"), idempotency_key="k-1", remote_ip=None)
    assert (again.inquiry_id, again.created) == (result.inquiry_id, False)
    assert len(store.items) == 1
