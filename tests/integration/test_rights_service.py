"""The rights engine on moto (the template's RightsRequestsTable and RightsQueue, SES): requests come in,
are verified by their single-use link, and follow the lifecycle of docs/architecture.md §3 under the DPO's
actions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contact_intake.core.errors import ServiceUnavailable, ValidationFailed
from contact_intake.core.subject import subject_key
from contact_intake.rights.errors import RequestNotFound, TokenGone, TransitionRefused
from contact_intake.rights.models import (
    AuditAction,
    Channel,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
)
from contact_intake.rights.queue import RightsQueue
from contact_intake.rights.store import attr
from contact_intake.rights.tokens import hash_token
from tests.builders import PERSON, an_inquiry_record
from tests.integration.conftest import Aws
from tests.integration.rights_support import DPO_ARN, PEPPER, RightsHarness, rights

__all__ = ["rights"]  # the fixture, imported for pytest

EMAIL = PERSON["email"]
STRANGER = "nobody.here@example.net"


def receive(rights: RightsHarness, email: str = EMAIL, **overrides: Any) -> RightsRequest:
    arguments: dict[str, Any] = {
        "channel": "email",
        "email": email,
        "right": "access",
        "locale": "nl",
        "received_at": rights.clock(),
        "raw_mail_key": None,
    } | overrides
    return rights.service.receive(**arguments)


def create_verified(rights: RightsHarness, right: RightType, **overrides: Any) -> RightsRequest:
    arguments: dict[str, Any] = {
        "principal": DPO_ARN,
        "email": EMAIL,
        "right": str(right),
        "locale": "de",
        "identity_verified": True,
    } | overrides
    return rights.service.create_on_behalf(**arguments)


def complete(rights: RightsHarness, request_id: str) -> RightsRequest:
    """What the worker does: verified -> in_progress -> completed."""
    rights.store.transition(
        request_id, expect=(RequestStatus.VERIFIED,), to=RequestStatus.IN_PROGRESS, audit=()
    )
    return rights.store.transition(
        request_id,
        expect=(RequestStatus.IN_PROGRESS,),
        to=RequestStatus.COMPLETED,
        audit=(),
        set_fields={"completed_at": attr(rights.clock())},
    )


# ---------------------------------------------------------------- receiving


def test_receive_stores_the_request_and_sends_the_acknowledgement(rights: RightsHarness) -> None:
    request = receive(rights)
    stored = rights.store.require(request.request_id)
    assert stored.status is RequestStatus.AWAITING_VERIFICATION
    assert stored.type is RightType.ACCESS
    assert stored.channel is Channel.EMAIL
    assert stored.subject_key == subject_key(EMAIL, PEPPER)
    assert stored.due_at == datetime(2026, 12, 25, 4, 24, 36, tzinfo=UTC)
    assert stored.expires_at == int(datetime(2029, 11, 25, 4, 24, 36, tzinfo=UTC).timestamp())
    assert [e.action for e in stored.audit] == ["received", "acknowledged"]
    assert stored.acknowledged_at == rights.clock()
    mail = rights.mailbox.last(EMAIL)
    assert mail["from"] == "privacy@shop.example"
    assert mail["subject"] == f"Bevestig uw privacyverzoek ({request.request_id})"
    assert "25 december 2026" in mail["text"]
    assert rights.queued() == []  # nothing runs before verification


def test_only_the_tokens_hash_is_stored(rights: RightsHarness) -> None:
    request = receive(rights)
    token = rights.mailbox.token(EMAIL)
    item = rights.item(request.request_id)
    assert item is not None
    assert item["token_hash"] == {"S": hash_token(token)}
    assert token not in repr(item)
    assert item["token_expires_at"] == {"S": "2026-12-02T04:24:36.000Z"}  # seven days


def test_the_audit_trail_holds_no_personal_data(rights: RightsHarness) -> None:
    request = receive(rights)
    token = rights.mailbox.token(EMAIL)
    rights.service.verify(token)
    rights.service.extend(
        request.request_id, months=2, reason=f"Many inquiries from {EMAIL}", principal=DPO_ARN
    )
    audit = repr(rights.item(request.request_id)["audit"])  # type: ignore[index]
    for personal in (EMAIL, PERSON["name"], token, "Many inquiries"):
        assert personal not in audit
    assert f"dpo:{DPO_ARN}" in audit


def _normalised(text: str, request: RightsRequest) -> str:
    text = text.replace(request.request_id, "<reference>")
    return re.sub(r"token=[A-Za-z0-9_-]+", "token=<token>", text)


def test_the_same_acknowledgement_whether_or_not_data_exists(rights: RightsHarness, aws: Aws) -> None:
    # the person has inquiries (and the table is full of them); the stranger has nothing at all
    for _ in range(3):
        aws.put_inquiry(an_inquiry_record(subject_key=subject_key(EMAIL, PEPPER)))
    receive(rights, STRANGER)  # warm up: the pepper is cached from here on, for both
    answers = []
    for email in (EMAIL, STRANGER):
        aws.calls.clear()
        request = receive(rights, email)
        mail = rights.mailbox.last(email)
        answers.append(
            (
                dict(aws.calls),
                _normalised(mail["subject"], request),
                _normalised(mail["text"], request),
                _normalised(mail["html"], request),
            )
        )
    known, unknown = answers
    assert known == unknown
    assert known[0] == {"dynamodb.PutItem": 1, "sesv2.SendEmail": 1, "dynamodb.UpdateItem": 1}


def test_a_retried_mail_makes_no_second_request(rights: RightsHarness) -> None:
    first = receive(rights, raw_mail_key="raw/0a1b2c3d")
    again = receive(rights, raw_mail_key="raw/0a1b2c3d")
    assert again.request_id == first.request_id
    assert len(rights.mailbox.messages(EMAIL)) == 1
    other = receive(rights, raw_mail_key="raw/ffff0000")
    assert other.request_id != first.request_id


def test_a_retry_after_a_failed_acknowledgement_sends_a_fresh_link(rights: RightsHarness, aws: Aws) -> None:
    sesv2 = aws.session.client("sesv2")
    sesv2.delete_email_identity(EmailIdentity="privacy@shop.example")  # SES now refuses to send
    with pytest.raises(ServiceUnavailable):
        receive(rights, raw_mail_key="raw/retried")
    (stored_id,) = list(rights.store.keys_by_subject(subject_key(EMAIL, PEPPER)))
    stored = rights.store.require(stored_id)
    assert stored.acknowledged_at is None  # kept (SES will retry the Lambda), not acknowledged
    first_hash = stored.token_hash
    sesv2.create_email_identity(EmailIdentity="privacy@shop.example")
    request = receive(rights, raw_mail_key="raw/retried")
    assert request.request_id == stored_id
    assert request.token_hash != first_hash
    assert [e.action for e in request.audit] == ["received", "token_reissued", "acknowledged"]
    assert rights.service.verify(rights.mailbox.token(EMAIL)).status is RequestStatus.VERIFIED


def test_receive_without_an_api_url_is_a_configuration_error(rights: RightsHarness) -> None:
    from contact_intake.core.errors import ConfigurationError

    rights.wiring.rights._api_url = ""
    with pytest.raises(ConfigurationError, match="PUBLIC_API_URL"):
        receive(rights)
    assert rights.mailbox.messages() == []


# ---------------------------------------------------------------- verification


def test_the_link_verifies_once_and_queues_the_claim_check(rights: RightsHarness) -> None:
    request = receive(rights, right="erasure")
    token = rights.mailbox.token(EMAIL)
    rights.clock.advance(days=6, hours=23)
    verified = rights.service.verify(token)
    assert verified.status is RequestStatus.VERIFIED
    assert verified.verified_at == rights.clock()
    assert rights.queued() == [{"request_id": request.request_id}]
    with pytest.raises(TokenGone) as gone:
        rights.service.verify(token)
    assert (gone.value.reason, gone.value.locale) == ("used", "nl")
    assert rights.queued() == []


def test_an_expired_link_is_gone(rights: RightsHarness) -> None:
    receive(rights, locale="fr")
    token = rights.mailbox.token(EMAIL)
    rights.clock.advance(days=7)
    with pytest.raises(TokenGone) as gone:
        rights.service.verify(token)
    assert (gone.value.reason, gone.value.locale) == ("expired", "fr")
    assert rights.queued() == []


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 200])
def test_unknown_or_malformed_tokens_are_gone(rights: RightsHarness, token: str) -> None:
    receive(rights)
    with pytest.raises(TokenGone) as gone:
        rights.service.verify(token)
    assert (gone.value.reason, gone.value.locale) == ("unknown", None)


def test_a_forged_sender_cannot_verify_anothers_request(rights: RightsHarness) -> None:
    # two requests; each link verifies only its own, and a guess verifies nothing
    mine = receive(rights, EMAIL)
    theirs = receive(rights, STRANGER)
    rights.service.verify(rights.mailbox.token(STRANGER))
    assert rights.store.require(mine.request_id).status is RequestStatus.AWAITING_VERIFICATION
    assert rights.store.require(theirs.request_id).status is RequestStatus.VERIFIED


def test_the_store_consumes_a_token_once(rights: RightsHarness) -> None:
    from contact_intake.rights.models import SYSTEM_ACTOR, AuditEntry

    request = receive(rights)
    token_hash = hash_token(rights.mailbox.token(EMAIL))
    entry = AuditEntry(rights.clock(), SYSTEM_ACTOR, AuditAction.VERIFIED)
    rights.store.consume_token(request.request_id, token_hash, now=rights.clock(), audit=entry)
    with pytest.raises(TokenGone) as gone:
        rights.store.consume_token(request.request_id, token_hash, now=rights.clock(), audit=entry)
    assert gone.value.reason == "used"
    with pytest.raises(TokenGone) as wrong:
        rights.store.consume_token(request.request_id, "0" * 64, now=rights.clock(), audit=entry)
    assert wrong.value.reason == "unknown"
    with pytest.raises(TokenGone):
        rights.store.consume_token("no-such-request", token_hash, now=rights.clock(), audit=entry)


def test_an_unclassified_request_is_verified_but_waits_for_the_dpo(rights: RightsHarness) -> None:
    request = receive(rights, right="unclassified")
    rights.service.verify(rights.mailbox.token(EMAIL))
    assert rights.queued() == []
    amended = rights.service.amend(request.request_id, principal=DPO_ARN, right="erasure")
    assert amended.type is RightType.ERASURE
    assert rights.queued() == [{"request_id": request.request_id}]
    with pytest.raises(TransitionRefused) as refused:
        rights.service.amend(request.request_id, principal=DPO_ARN, right="access")
    assert refused.value.reason == "already_classified"


def test_when_the_queue_refuses_the_link_works_again(rights: RightsHarness) -> None:
    receive(rights)
    token = rights.mailbox.token(EMAIL)
    real_queue = rights.service._queue
    rights.service._queue = RightsQueue(
        queue_url=real_queue._url + "-gone",
        client=lambda: rights.wiring.clients.sqs,
    )
    with pytest.raises(ServiceUnavailable):
        rights.service.verify(token)
    rights.service._queue = real_queue
    request = rights.service.verify(token)
    assert request.status is RequestStatus.VERIFIED
    assert [e.action for e in request.audit] == [
        "received",
        "acknowledged",
        "verified",
        "verification_undone",
        "verified",
    ]
    assert rights.queued() == [{"request_id": request.request_id}]


# ---------------------------------------------------------------- the DPO creates


def test_a_request_the_dpo_verified_is_queued_at_once(rights: RightsHarness) -> None:
    request = create_verified(rights, RightType.PORTABILITY)
    assert request.status is RequestStatus.VERIFIED
    assert request.channel is Channel.DPO
    assert [(e.actor, e.action) for e in request.audit] == [
        (f"dpo:{DPO_ARN}", "received"),
        (f"dpo:{DPO_ARN}", "verified_by_dpo"),
    ]
    assert rights.queued() == [{"request_id": request.request_id}]
    assert rights.mailbox.messages() == []  # the person will hear from the worker


def test_a_request_the_dpo_could_not_verify_gets_the_link(rights: RightsHarness) -> None:
    received = rights.clock() - timedelta(days=3)  # a letter that took three days to reach the DPO
    request = rights.service.create_on_behalf(
        principal=DPO_ARN,
        email=EMAIL,
        right="erasure",
        locale="en",
        identity_verified=False,
        received_at=received,
    )
    assert request.status is RequestStatus.AWAITING_VERIFICATION
    assert request.due_at == datetime(2026, 12, 22, 4, 24, 36, tzinfo=UTC)  # from receipt, not from now
    assert rights.mailbox.last(EMAIL)["subject"].startswith("Please confirm your privacy request")
    assert rights.service.verify(rights.mailbox.token(EMAIL)).status is RequestStatus.VERIFIED
    assert rights.queued() == [{"request_id": request.request_id}]


def test_nothing_is_kept_when_the_dpos_request_cannot_be_queued_or_mailed(
    rights: RightsHarness, aws: Aws
) -> None:
    rights.service._queue = RightsQueue(queue_url=aws.name("RightsQueue") + "-gone", client=lambda: aws.sqs)
    with pytest.raises(ServiceUnavailable):
        create_verified(rights, RightType.ERASURE)
    aws.session.client("sesv2").delete_email_identity(EmailIdentity="privacy@shop.example")
    with pytest.raises(ServiceUnavailable):
        create_verified(rights, RightType.ERASURE, identity_verified=False)
    assert list(rights.store.keys_by_subject(subject_key(EMAIL, PEPPER))) == []
    assert aws.dynamodb.scan(TableName=aws.name("RightsRequestsTable"))["Count"] == 0


def test_the_dpo_cannot_date_a_request_in_the_future(rights: RightsHarness) -> None:
    with pytest.raises(ValidationFailed):
        create_verified(rights, RightType.ACCESS, received_at=rights.clock() + timedelta(minutes=1))


def test_corrections_belong_to_a_rectification(rights: RightsHarness) -> None:
    with pytest.raises(ValidationFailed):
        create_verified(rights, RightType.ACCESS, corrections={"name": "Zoë Q."})
    with pytest.raises(ValidationFailed) as bad:
        create_verified(rights, RightType.RECTIFICATION, corrections={"message": "x", "name": " "})
    assert {f.field for f in bad.value.fields} == {"corrections.message", "corrections.name"}
    request = create_verified(rights, RightType.RECTIFICATION, corrections={"email": " New@Example.ORG "})
    assert request.corrections == {"email": "new@example.org"}
    assert rights.queued() == [{"request_id": request.request_id}]


def test_a_rectification_without_corrections_waits_for_them(rights: RightsHarness) -> None:
    request = create_verified(rights, RightType.RECTIFICATION)
    assert rights.queued() == []
    with pytest.raises(ValidationFailed):
        rights.service.amend(request.request_id, principal=DPO_ARN)
    amended = rights.service.amend(request.request_id, principal=DPO_ARN, corrections={"name": "Zoë Q."})
    assert amended.corrections == {"name": "Zoë Q."}
    assert rights.queued() == [{"request_id": request.request_id}]


# ---------------------------------------------------------------- extensions


def test_an_extension_inside_the_first_month_is_notified_and_recorded(rights: RightsHarness) -> None:
    request = receive(rights, locale="de")
    rights.service.verify(rights.mailbox.token(EMAIL))  # confirmed: an unconfirmed one expires after 7 days
    rights.clock.advance(days=29)
    extended = rights.service.extend(
        request.request_id, months=2, reason="Sehr viele Anfragen.", principal=DPO_ARN
    )
    assert extended.extended_due_at == datetime(2027, 2, 25, 4, 24, 36, tzinfo=UTC)
    assert extended.extension_reason == "Sehr viele Anfragen."
    assert (extended.audit[-1].action, extended.audit[-1].counts) == (
        "extended",
        {"months": 2, "notified": 1},
    )
    mail = rights.mailbox.last(EMAIL)
    assert mail["subject"] == f"Mehr Zeit für Ihre Datenschutzanfrage ({request.request_id})"
    assert "25. Februar 2027" in mail["text"]
    assert "zwei Monate" in mail["text"]
    assert "Sehr viele Anfragen." in mail["text"]


def test_no_extension_after_the_first_month_nor_twice(rights: RightsHarness) -> None:
    late = receive(rights)
    rights.service.verify(rights.mailbox.token(EMAIL))  # confirmed: an unconfirmed one expires after 7 days
    rights.clock.advance(days=30)  # 25 November + 30 days = 25 December: the month is over
    with pytest.raises(TransitionRefused) as refused:
        rights.service.extend(late.request_id, months=1, reason="too late", principal=DPO_ARN)
    assert refused.value.reason == "first_month_over"
    once = receive(rights, STRANGER)
    rights.service.extend(once.request_id, months=1, reason="busy", principal=DPO_ARN)
    with pytest.raises(TransitionRefused) as twice:
        rights.service.extend(once.request_id, months=1, reason="still busy", principal=DPO_ARN)
    assert twice.value.reason == "already_extended"
    mails = [m["subject"] for m in rights.mailbox.messages()]
    assert sum("Meer tijd" in subject for subject in mails) == 1  # only the allowed one was notified


@pytest.mark.parametrize(("months", "reason"), [(3, "reason"), (0, "reason"), (1, "  ")])
def test_an_extension_needs_one_or_two_months_and_a_reason(
    rights: RightsHarness, months: int, reason: str
) -> None:
    request = receive(rights)
    with pytest.raises(ValidationFailed):
        rights.service.extend(request.request_id, months=months, reason=reason, principal=DPO_ARN)


# ---------------------------------------------------------------- rejections


def test_a_rejection_states_reasons_and_the_right_to_complain(rights: RightsHarness) -> None:
    request = receive(rights, locale="fr")
    rejected = rights.service.reject(
        request.request_id, reasons=["Demande manifestement infondée.", " ", "Répétitive."], principal=DPO_ARN
    )
    assert rejected.status is RequestStatus.REJECTED
    assert rejected.rejection_reasons == ["Demande manifestement infondée.", "Répétitive."]
    assert rejected.audit[-1].counts == {"reasons": 2, "notified": 1}
    text = rights.mailbox.last(EMAIL)["text"]
    assert "- Demande manifestement infondée.\n- Répétitive." in text
    assert "Autoriteit Persoonsgegevens" in text
    assert "l'autorité de contrôle de votre pays" in text


def test_no_rejection_without_reasons(rights: RightsHarness) -> None:
    request = receive(rights)
    sent = len(rights.mailbox.messages())
    for reasons in ([], ["", "  "]):
        with pytest.raises(ValidationFailed):
            rights.service.reject(request.request_id, reasons=reasons, principal=DPO_ARN)
    assert rights.store.require(request.request_id).status is RequestStatus.AWAITING_VERIFICATION
    assert len(rights.mailbox.messages()) == sent


def test_nothing_leaves_completed_or_rejected(rights: RightsHarness) -> None:
    done = complete(rights, create_verified(rights, RightType.OBJECTION).request_id)
    rejected = rights.service.reject(receive(rights).request_id, reasons=["no"], principal=DPO_ARN)
    sent = len(rights.mailbox.messages())
    for request in (done, rejected):
        attempts = [
            lambda r=request: rights.service.reject(r.request_id, reasons=["again"], principal=DPO_ARN),
            lambda r=request: rights.service.extend(r.request_id, months=1, reason="x", principal=DPO_ARN),
            lambda r=request: rights.service.decide_objection(
                r.request_id, upheld=True, grounds="", principal=DPO_ARN
            ),
            lambda r=request: rights.service.amend(r.request_id, principal=DPO_ARN, right="erasure"),
            lambda r=request: rights.store.transition(
                r.request_id, expect=(RequestStatus.VERIFIED,), to=RequestStatus.IN_PROGRESS, audit=()
            ),
        ]
        for attempt in attempts:
            with pytest.raises(TransitionRefused):
                attempt()
        assert rights.store.require(request.request_id).status is request.status
    assert len(rights.mailbox.messages()) == sent  # no refused action told anyone anything


# ---------------------------------------------------------------- objections and restrictions


def test_an_upheld_objection_queues_the_erasure(rights: RightsHarness) -> None:
    request = create_verified(rights, RightType.OBJECTION, locale="nl")
    rights.queued()
    decided = rights.service.decide_objection(request.request_id, upheld=True, grounds="", principal=DPO_ARN)
    assert decided.objection_upheld is True
    assert decided.status is RequestStatus.VERIFIED  # the worker completes it once the data is erased
    assert rights.queued() == [{"request_id": request.request_id, "action": "erase"}]
    assert rights.mailbox.last(EMAIL)["subject"] == f"Uw bezwaar is toegewezen ({request.request_id})"
    with pytest.raises(TransitionRefused) as again:
        rights.service.decide_objection(request.request_id, upheld=False, grounds="x", principal=DPO_ARN)
    assert again.value.reason == "already_decided"


def test_an_objection_not_upheld_records_and_sends_the_grounds_and_lifts_the_restriction(
    rights: RightsHarness,
) -> None:
    request = create_verified(rights, RightType.OBJECTION, locale="en")
    rights.queued()
    with pytest.raises(ValidationFailed):
        rights.service.decide_objection(request.request_id, upheld=False, grounds=" ", principal=DPO_ARN)
    decided = rights.service.decide_objection(
        request.request_id, upheld=False, grounds="Pending legal claim about order 4711.", principal=DPO_ARN
    )
    assert (decided.objection_upheld, decided.objection_grounds) == (
        False,
        "Pending legal claim about order 4711.",
    )
    assert decided.restriction_lifted_at == rights.clock()
    assert decided.audit[-1].action == "objection_not_upheld"
    assert rights.queued() == [{"request_id": request.request_id, "action": "lift_restriction"}]
    mail = rights.mailbox.last(EMAIL)
    assert "Pending legal claim about order 4711." in mail["text"]
    assert "Autoriteit Persoonsgegevens" in mail["text"]


def test_a_decision_that_cannot_be_queued_is_undone(rights: RightsHarness, aws: Aws) -> None:
    request = create_verified(rights, RightType.OBJECTION)
    rights.service._queue = RightsQueue(queue_url=aws.name("RightsQueue") + "-gone", client=lambda: aws.sqs)
    with pytest.raises(ServiceUnavailable):
        rights.service.decide_objection(request.request_id, upheld=True, grounds="", principal=DPO_ARN)
    undone = rights.store.require(request.request_id)
    assert undone.objection_upheld is None
    assert [e.action for e in undone.audit][-2:] == ["objection_upheld", "decision_undone"]


@pytest.mark.parametrize("right", [RightType.ACCESS, RightType.RESTRICTION, RightType.ERASURE])
def test_only_objections_are_decided(rights: RightsHarness, right: RightType) -> None:
    request = create_verified(rights, right)
    with pytest.raises(TransitionRefused) as refused:
        rights.service.decide_objection(request.request_id, upheld=True, grounds="", principal=DPO_ARN)
    assert refused.value.reason == "not_an_objection"


def test_an_unverified_objection_is_not_decided(rights: RightsHarness) -> None:
    request = receive(rights, right="objection")
    with pytest.raises(TransitionRefused):
        rights.service.decide_objection(request.request_id, upheld=True, grounds="", principal=DPO_ARN)


def test_lifting_a_restriction_tells_the_person_first_then_queues_the_worker(rights: RightsHarness) -> None:
    request = create_verified(rights, RightType.RESTRICTION, locale="fr")
    rights.queued()
    with pytest.raises(TransitionRefused):
        rights.service.lift_restriction(request.request_id, principal=DPO_ARN)  # not in place yet
    complete(rights, request.request_id)
    lifted = rights.service.lift_restriction(request.request_id, principal=DPO_ARN)
    assert lifted.restriction_lifted_at == rights.clock()
    assert lifted.status is RequestStatus.COMPLETED
    assert rights.queued() == [
        {"request_id": request.request_id, "action": str(QueueAction.LIFT_RESTRICTION)}
    ]
    assert (
        rights.mailbox.last(EMAIL)["subject"]
        == f"Levée de la limitation du traitement ({request.request_id})"
    )
    with pytest.raises(TransitionRefused) as again:
        rights.service.lift_restriction(request.request_id, principal=DPO_ARN)
    assert again.value.reason == "already_lifted"


def test_a_lift_that_cannot_be_queued_is_undone(rights: RightsHarness, aws: Aws) -> None:
    request = create_verified(rights, RightType.RESTRICTION)
    complete(rights, request.request_id)
    rights.service._queue = RightsQueue(queue_url=aws.name("RightsQueue") + "-gone", client=lambda: aws.sqs)
    with pytest.raises(ServiceUnavailable):
        rights.service.lift_restriction(request.request_id, principal=DPO_ARN)
    assert rights.store.require(request.request_id).restriction_lifted_at is None


def test_only_restrictions_are_lifted(rights: RightsHarness) -> None:
    request = create_verified(rights, RightType.OBJECTION)
    with pytest.raises(TransitionRefused) as refused:
        rights.service.lift_restriction(request.request_id, principal=DPO_ARN)
    assert refused.value.reason == "not_a_restriction"


def test_an_amendment_that_cannot_be_queued_is_undone(rights: RightsHarness, aws: Aws) -> None:
    request = create_verified(rights, RightType.UNCLASSIFIED)
    rights.service._queue = RightsQueue(queue_url=aws.name("RightsQueue") + "-gone", client=lambda: aws.sqs)
    with pytest.raises(ServiceUnavailable):
        rights.service.amend(request.request_id, principal=DPO_ARN, right="access")
    assert rights.store.require(request.request_id).type is RightType.UNCLASSIFIED


# ---------------------------------------------------------------- reading


def test_the_dpo_lists_open_requests_by_deadline_with_days_left(rights: RightsHarness) -> None:
    older = receive(rights, received_at=rights.clock() - timedelta(days=20))
    newer = receive(rights, STRANGER)
    extended = create_verified(rights, RightType.ACCESS, received_at=rights.clock() - timedelta(days=25))
    rights.service.extend(extended.request_id, months=1, reason="busy", principal=DPO_ARN)
    rejected = rights.service.reject(receive(rights).request_id, reasons=["no"], principal=DPO_ARN)
    listed = rights.service.list_requests()
    assert [item.summary.request_id for item in listed] == [
        older.request_id,
        newer.request_id,
        extended.request_id,
    ]
    assert [item.days_left for item in listed] == [10, 30, 36]
    assert [item.summary.request_id for item in rights.service.list_requests("rejected")] == [
        rejected.request_id
    ]
    assert rights.service.list_requests("completed") == []


def test_the_list_index_holds_nothing_personal(rights: RightsHarness, aws: Aws) -> None:
    receive(rights)
    items = aws.dynamodb.query(
        TableName=aws.name("RightsRequestsTable"),
        IndexName="by_status",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "awaiting_verification"}},
    )["Items"]
    assert len(items) == 1
    assert set(items[0]) <= {
        "request_id",
        "status",
        "due_at",
        "type",
        "channel",
        "received_at",
        "extended_due_at",
        "expires_at",
    }


def test_an_expired_record_reads_as_absent(rights: RightsHarness) -> None:
    request = receive(rights)
    rights.clock.advance(days=3 * 366)
    with pytest.raises(RequestNotFound):
        rights.service.get(request.request_id)
    assert rights.service.list_requests() == []
    with pytest.raises(RequestNotFound):
        rights.store.append_audit(request.request_id)


def test_unknown_requests_are_not_found(rights: RightsHarness) -> None:
    for action in (
        lambda: rights.service.get("0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11"),
        lambda: rights.service.extend(
            "0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11", months=1, reason="x", principal="p"
        ),
    ):
        with pytest.raises(RequestNotFound):
            action()


def test_the_worker_finds_a_subjects_requests(rights: RightsHarness) -> None:
    first = receive(rights)
    second = create_verified(rights, RightType.ERASURE)
    receive(rights, STRANGER)
    found = set(rights.store.keys_by_subject(subject_key(EMAIL, PEPPER)))
    assert found == {first.request_id, second.request_id}


# ---------------------------------------------------------------- when something fails


def test_an_acknowledgement_that_went_out_is_not_sent_again_when_its_record_fails(
    rights: RightsHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_update = rights.store.update

    def down_once(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(rights.store, "update", real_update)
        raise ServiceUnavailable()

    monkeypatch.setattr(rights.store, "update", down_once)
    request = receive(rights, raw_mail_key="raw/ack-not-recorded")
    assert request.acknowledged_at is None
    assert (
        len(rights.mailbox.messages(EMAIL)) == 1
    )  # the person has their link; the caller is not told to retry
    assert rights.service.verify(rights.mailbox.token(EMAIL)).status is RequestStatus.VERIFIED


def test_a_notification_that_cannot_be_sent_changes_nothing(rights: RightsHarness, aws: Aws) -> None:
    request = receive(rights)
    aws.session.client("sesv2").delete_email_identity(EmailIdentity="privacy@shop.example")
    with pytest.raises(ServiceUnavailable):
        rights.service.extend(request.request_id, months=1, reason="busy", principal=DPO_ARN)
    with pytest.raises(ServiceUnavailable):
        rights.service.reject(request.request_id, reasons=["no"], principal=DPO_ARN)
    unchanged = rights.store.require(request.request_id)
    assert (unchanged.status, unchanged.extended_due_at) == (RequestStatus.AWAITING_VERIFICATION, None)
    assert [e.action for e in unchanged.audit] == ["received", "acknowledged"]


def test_a_failed_undo_is_logged_and_the_caller_still_told_to_retry(
    rights: RightsHarness, aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = create_verified(rights, RightType.UNCLASSIFIED)
    rights.service._queue = RightsQueue(queue_url=aws.name("RightsQueue") + "-gone", client=lambda: aws.sqs)
    real_update = rights.store.update
    calls = []

    def undo_fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("audit"))
        if len(calls) > 1:
            raise ServiceUnavailable()
        return real_update(*args, **kwargs)

    monkeypatch.setattr(rights.store, "update", undo_fails)
    with pytest.raises(ServiceUnavailable):
        rights.service.amend(request.request_id, principal=DPO_ARN, right="access")
    assert len(calls) == 2  # the amendment, then the undo that failed


def test_a_retried_mail_whose_request_expired_is_refused(
    rights: RightsHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contact_intake.rights.store import RequestExists

    def taken_by_an_expired_one(request: RightsRequest) -> None:
        raise RequestExists(None)

    monkeypatch.setattr(rights.store, "create", taken_by_an_expired_one)
    with pytest.raises(TransitionRefused) as refused:
        receive(rights, raw_mail_key="raw/ancient")
    assert refused.value.reason == "expired_duplicate"
    assert rights.mailbox.messages() == []


def test_a_request_cannot_be_amended_to_unclassified(rights: RightsHarness) -> None:
    request = create_verified(rights, RightType.UNCLASSIFIED)
    with pytest.raises(ValidationFailed):
        rights.service.amend(request.request_id, principal=DPO_ARN, right="unclassified")
