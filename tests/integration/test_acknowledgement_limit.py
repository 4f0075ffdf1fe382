"""One live link per address (contact_intake.rights.acknowledgements, D56, D57) on moto: the mail
function's rights service on the template's RightsRequestsTable, SES's sent mail read back. A burst of
forged mails from one address gets one link mail, every mail is still a request for the DPO, the daily
cap holds, and after the window a new mail gets its link again; other addresses are never affected."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contact_intake.core.clients import Clients
from contact_intake.core.observability import metrics
from contact_intake.core.subject import subject_key
from contact_intake.rights.acknowledgements import KEY_PREFIX, RESEND_AFTER, WINDOW
from contact_intake.rights.mail_wiring import RightsMailWiring
from contact_intake.rights.models import AuditAction, RequestStatus, RightsRequest
from contact_intake.rights.settings import RightsMailSettings
from contact_intake.rights.store import attr
from tests.builders import PERSON, an_inquiry_record
from tests.fakes import FakeClock
from tests.integration.conftest import Aws
from tests.integration.rights_support import PEPPER, RIGHTS_MAIL, RightsHarness, rights_harness

EMAIL = PERSON["email"]
STRANGER = "nobody.here@example.net"


@pytest.fixture
def mail_rights(aws: Aws, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> RightsHarness:
    """RightsMailFunction's wiring (with its AcknowledgementLimit) on moto, the clock the test's."""
    return rights_harness(aws, monkeypatch, clock, RIGHTS_MAIL, counted=("dynamodb", "sesv2"))


def a_mail(rights: RightsHarness, email: str = EMAIL, number: int = 0) -> RightsRequest:
    """A request by mail, as RightsMailIntake hands it over (each mail its own raw mail key)."""
    return rights.service.receive(
        channel="email",
        email=email,
        right="erasure",
        locale="en",
        received_at=rights.clock(),
        raw_mail_key=f"raw/{email.split('@', maxsplit=1)[0]}-{number}-{rights.clock().timestamp():.0f}",
    )


def suppressed(request: RightsRequest) -> dict[str, int] | None:
    entries = [e for e in request.audit if e.action == AuditAction.ACKNOWLEDGEMENT_SUPPRESSED]
    return dict(entries[0].counts) if entries else None


def link_mails(rights: RightsHarness, email: str) -> int:
    return sum("/rights-requests/verify?token=" in m["text"] for m in rights.mailbox.messages(email))


def verified(rights: RightsHarness, request: RightsRequest) -> None:
    """The person followed the link (the state the verification leaves, however it is confirmed)."""
    rights.store.transition(
        request.request_id,
        expect=(RequestStatus.AWAITING_VERIFICATION,),
        to=RequestStatus.VERIFIED,
        audit=(),
        set_fields={"token_used_at": attr(rights.clock()), "verified_at": attr(rights.clock())},
    )


def test_a_burst_of_forged_mails_gets_one_link_mail_and_every_mail_is_recorded(
    mail_rights: RightsHarness,
) -> None:
    requests = []
    for number in range(10):
        requests.append(a_mail(mail_rights, number=number))
        mail_rights.clock.advance(seconds=30)

    assert link_mails(mail_rights, EMAIL) == 1
    assert len(mail_rights.mailbox.messages(EMAIL)) == 1
    stored = [mail_rights.store.require(r.request_id) for r in requests]
    assert all(r.status is RequestStatus.AWAITING_VERIFICATION for r in stored)  # all for the DPO
    assert stored[0].acknowledged_at is not None
    assert suppressed(stored[0]) is None
    assert [suppressed(r) for r in stored[1:]] == [{"live_link": 1}] * 9
    assert all(r.acknowledged_at is None for r in stored[1:])


def test_sent_and_suppressed_acknowledgements_are_counted_in_metrics(mail_rights: RightsHarness) -> None:
    metrics.clear_metrics()
    for number in range(3):
        a_mail(mail_rights, number=number)
    counted = metrics.metric_set
    assert counted["AcknowledgementsSent"]["Value"] == [1.0]
    assert counted["AcknowledgementsSuppressed"]["Value"] == [1.0, 1.0]
    assert counted["RightsRequestReceived"]["Value"] == [1.0, 1.0, 1.0]
    metrics.clear_metrics()


def test_another_address_is_not_affected_by_a_burst(mail_rights: RightsHarness) -> None:
    for number in range(5):
        a_mail(mail_rights, number=number)
    other = a_mail(mail_rights, STRANGER)
    assert link_mails(mail_rights, STRANGER) == 1
    assert suppressed(mail_rights.store.require(other.request_id)) is None
    assert link_mails(mail_rights, EMAIL) == 1


def test_after_the_window_a_new_mail_gets_a_link_again(mail_rights: RightsHarness) -> None:
    a_mail(mail_rights, number=0)
    mail_rights.clock.advance(seconds=RESEND_AFTER.total_seconds() - 1)
    a_mail(mail_rights, number=1)
    assert link_mails(mail_rights, EMAIL) == 1

    mail_rights.clock.advance(seconds=2)  # the live link is a day old: one more link
    later = a_mail(mail_rights, number=2)
    assert link_mails(mail_rights, EMAIL) == 2
    assert suppressed(mail_rights.store.require(later.request_id)) is None
    a_mail(mail_rights, number=3)  # and that new link is the live one again
    assert link_mails(mail_rights, EMAIL) == 2


def test_the_daily_cap_holds_even_when_each_link_was_used(mail_rights: RightsHarness) -> None:
    cap = mail_rights.wiring.settings.rights_ack_daily_cap  # type: ignore[attr-defined]
    for number in range(cap):
        request = a_mail(mail_rights, number=number)
        verified(mail_rights, request)  # no live link left: only the cap can stop the next one
        mail_rights.clock.advance(minutes=10)
    over = a_mail(mail_rights, number=cap)
    assert link_mails(mail_rights, EMAIL) == cap
    assert suppressed(mail_rights.store.require(over.request_id)) == {"daily_cap": 1}

    mail_rights.clock.advance(seconds=WINDOW.total_seconds())
    a_mail(mail_rights, number=cap + 1)
    assert link_mails(mail_rights, EMAIL) == cap + 1


def test_the_cap_is_a_setting(aws: Aws, mail_rights: RightsHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTS_ACK_DAILY_CAP", "1")
    wiring = RightsMailWiring(RightsMailSettings.from_env(), Clients(), clock=mail_rights.clock)
    harness = RightsHarness(aws, wiring, mail_rights.clock)
    verified(harness, a_mail(harness, number=0))
    over = a_mail(harness, number=1)
    assert suppressed(harness.store.require(over.request_id)) == {"daily_cap": 1}
    assert link_mails(harness, EMAIL) == 1


def test_two_mails_deciding_at_once_send_one_link(mail_rights: RightsHarness) -> None:
    """The race window made deterministic: while the first mail's conditional write of the limit is on
    its way, a second mail from the same address is received completely."""
    client = mail_rights.wiring.clients.dynamodb
    raced: list[RightsRequest] = []
    started: list[bool] = []

    def second_mail_first(params: dict[str, Any], **_: Any) -> None:
        item = params.get("Item", {})
        if not started and item.get("request_id", {}).get("S", "").startswith(KEY_PREFIX):
            started.append(True)
            raced.append(a_mail(mail_rights, number=2))

    client.meta.events.register("before-parameter-build.dynamodb.PutItem", second_mail_first)
    first = a_mail(mail_rights, number=1)
    client.meta.events.unregister("before-parameter-build.dynamodb.PutItem", second_mail_first)

    (second,) = raced
    assert link_mails(mail_rights, EMAIL) == 1
    assert suppressed(mail_rights.store.require(second.request_id)) is None  # it won the write
    assert suppressed(mail_rights.store.require(first.request_id)) == {"live_link": 1}


def test_a_retried_delivery_of_a_suppressed_mail_stays_silent(mail_rights: RightsHarness) -> None:
    a_mail(mail_rights, number=0)
    quiet = a_mail(mail_rights, number=1)
    again = a_mail(mail_rights, number=1)  # SES retries the Lambda action: the same raw mail key
    assert again.request_id == quiet.request_id
    assert link_mails(mail_rights, EMAIL) == 1
    entries = [e.action for e in mail_rights.store.require(quiet.request_id).audit]
    assert entries == ["received", "acknowledgement_suppressed"]


def test_the_limit_decides_the_same_whether_or_not_data_exists(mail_rights: RightsHarness, aws: Aws) -> None:
    for _ in range(3):
        aws.put_inquiry(an_inquiry_record(subject_key=subject_key(EMAIL, PEPPER)))
    a_mail(mail_rights, "warm.up@example.com")  # the pepper is cached from here on, for both
    calls = []
    for email in (EMAIL, STRANGER):
        aws.calls.clear()
        a_mail(mail_rights, email)
        a_mail(mail_rights, email, number=1)
        calls.append(dict(aws.calls))
    assert calls[0] == calls[1]
    assert link_mails(mail_rights, EMAIL) == link_mails(mail_rights, STRANGER) == 1


def test_the_limit_item_is_no_request_and_expires(mail_rights: RightsHarness) -> None:
    a_mail(mail_rights)
    item = mail_rights.item(f"{KEY_PREFIX}{subject_key(EMAIL, PEPPER)}")
    assert item is not None
    assert {"status", "subject_key", "email", "token_hash"}.isdisjoint(item)  # in no index
    window_end = mail_rights.clock() + timedelta(days=7)  # the link's life (the longest of the three)
    assert int(item["expires_at"]["N"]) <= int(window_end.timestamp()) + 1
    listed = [line.summary.request_id for line in mail_rights.service.list_requests()]
    assert len(listed) == 1
    assert not listed[0].startswith(KEY_PREFIX)
