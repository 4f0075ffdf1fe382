"""When the rights worker acts, and what becomes of a message.

The rules: nothing for an unverified request, whatever the message says; nothing twice; ``unclassified``
and rectifications without corrections wait for the DPO; an objection is restricted once and then waits;
``erase`` only for an upheld objection; ``lift_restriction`` only for a lifted restriction (once) or an
objection that was not upheld. The dispositions: done, retried (any fault), dead-lettered at once (a
message that can never succeed), retried when even the DLQ is down.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from contact_intake.core.errors import ServiceUnavailable
from contact_intake.core.messages import MessageRetry, QueuedMessage
from contact_intake.helpdesk.port import HelpdeskServerError
from contact_intake.intake.queue import EnqueueFailed
from contact_intake.rights.engine import (
    NoRecordings,
    RequestBusy,
    RightsWork,
    SubjectMismatch,
    WorkOutcome,
    WorkResult,
    _not_runnable,
)
from contact_intake.rights.errors import TransitionRefused
from contact_intake.rights.models import (
    AuditEntry,
    Channel,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
)
from contact_intake.rights.outbound import MailFailed
from contact_intake.rights.queue import RightsMessage, message_body
from tests.builders import NOW

EXECUTE, ERASE, LIFT = QueueAction.EXECUTE, QueueAction.ERASE, QueueAction.LIFT_RESTRICTION


def a_request(right: RightType, status: RequestStatus, **fields: object) -> RightsRequest:
    request = RightsRequest(
        request_id="r-1",
        type=right,
        subject_key="a" * 64,
        channel=Channel.EMAIL,
        status=status,
        received_at=NOW,
        due_at=NOW,
        locale="nl",
        email="person@example.org",
        expires_at=2_000_000_000,
    )
    return replace(request, **fields)  # type: ignore[arg-type]


def done(*actions: str) -> list[AuditEntry]:
    return [AuditEntry(NOW, "system", action) for action in actions]


STATUS = {
    "awaiting": RequestStatus.AWAITING_VERIFICATION,
    "verified": RequestStatus.VERIFIED,
    "in_progress": RequestStatus.IN_PROGRESS,
    "completed": RequestStatus.COMPLETED,
    "rejected": RequestStatus.REJECTED,
    "expired": RequestStatus.EXPIRED,
}


def req(right: str, status: str, **fields: object) -> RightsRequest:
    return a_request(RightType(right), STATUS[status], **fields)


UPHELD, NOT_UPHELD, LIFTED = (
    {"objection_upheld": True},
    {"objection_upheld": False},
    {"restriction_lifted_at": NOW},
)


@pytest.mark.parametrize(
    ("request_", "action", "expected"),
    [
        # never for an unverified request, whatever the message
        (req("access", "awaiting"), EXECUTE, "refused/not_verified"),
        (req("objection", "awaiting", **UPHELD), ERASE, "refused/not_verified"),
        (req("restriction", "awaiting"), LIFT, "refused/not_verified"),
        # nor for one whose link ran out unconfirmed
        (req("erasure", "expired"), EXECUTE, "refused/not_verified"),
        (req("objection", "expired", **UPHELD), ERASE, "refused/not_verified"),
        # verified: go
        (req("access", "verified"), EXECUTE, None),
        (req("erasure", "in_progress"), EXECUTE, None),
        (req("rectification", "verified", corrections={"name": "N"}), EXECUTE, None),
        # nothing twice; nothing after a refusal
        (req("access", "completed"), EXECUTE, "skipped/completed"),
        (req("access", "rejected"), EXECUTE, "skipped/rejected"),
        # the DPO's part
        (req("unclassified", "verified"), EXECUTE, "awaiting_dpo/needs_dpo_unclassified"),
        (req("rectification", "verified"), EXECUTE, "awaiting_dpo/needs_dpo_rectification"),
        (
            req(
                "rectification",
                "in_progress",
                corrections={"name": "N"},
                audit=done("rectification_needs_dpo"),
            ),
            EXECUTE,
            "awaiting_dpo/customer_number_not_verified",
        ),
        # objections: restricted once, then the decision's own message does the rest
        (req("objection", "verified"), EXECUTE, None),
        (
            req("objection", "in_progress", audit=done("restricted")),
            EXECUTE,
            "awaiting_dpo/objection_awaits_decision",
        ),
        (req("objection", "in_progress", **UPHELD), EXECUTE, "skipped/objection_decided"),
        (req("objection", "in_progress", **UPHELD), ERASE, None),
        (req("objection", "verified", **UPHELD), ERASE, None),
        (req("objection", "in_progress"), ERASE, "refused/not_an_upheld_objection"),
        (req("objection", "in_progress", **NOT_UPHELD), ERASE, "refused/not_an_upheld_objection"),
        (req("erasure", "in_progress"), ERASE, "refused/not_an_upheld_objection"),
        (req("objection", "completed", **UPHELD), ERASE, "skipped/completed"),
        (req("objection", "in_progress", **NOT_UPHELD), LIFT, None),
        (req("objection", "completed", **NOT_UPHELD), LIFT, "skipped/completed"),
        (req("objection", "in_progress"), LIFT, "refused/nothing_to_lift"),
        # a restriction is lifted by the DPO once it is in place, and cleared once
        (req("restriction", "completed", **LIFTED), LIFT, None),
        (req("restriction", "completed"), LIFT, "refused/restriction_not_lifted"),
        (req("restriction", "in_progress", **LIFTED), LIFT, "refused/restriction_not_lifted"),
        (
            req("restriction", "completed", **LIFTED, audit=done("restriction_cleared")),
            LIFT,
            "skipped/restriction_cleared",
        ),
        (req("erasure", "completed"), LIFT, "refused/nothing_to_lift"),
    ],
)
def test_when_the_worker_acts(request_: RightsRequest, action: QueueAction, expected: str | None) -> None:
    verdict = _not_runnable(request_, action)
    assert (None if verdict is None else f"{verdict[0]}/{verdict[1]}") == expected


def test_without_a_recordings_ledger_there_are_no_recordings() -> None:
    hook = NoRecordings()
    assert hook.list_recordings("a" * 64) == ()
    assert hook.erase_recordings("a" * 64) == 0
    assert hook.withdraw_consent("a" * 64) == 0


# ---------------------------------------------------------------- dispositions


class Engine:
    def __init__(self, fault: Exception | None = None) -> None:
        self.fault = fault
        self.runs: list[RightsMessage] = []

    def run(self, message: RightsMessage) -> WorkOutcome:
        self.runs.append(message)
        if self.fault is not None:
            raise self.fault
        return WorkOutcome(message.request_id, WorkResult.COMPLETED)


class DeadLetters:
    def __init__(self, *, failing: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failing = failing

    def send(self, body: str, *, reason: str) -> None:
        if self.failing:
            raise EnqueueFailed("ClientError")
        self.sent.append((body, reason))


def a_message(body: str) -> QueuedMessage:
    return QueuedMessage(message_id="m-1", body=body, receipt_handle="h-1", receive_count=2)


def test_a_message_is_carried_out() -> None:
    engine, dead = Engine(), DeadLetters()

    outcome = RightsWork(engine=engine, dead_letters=dead).handle(a_message(message_body("r-1", LIFT)))  # type: ignore[arg-type]

    assert outcome == WorkOutcome("r-1", WorkResult.COMPLETED)
    assert engine.runs == [RightsMessage("r-1", LIFT)]
    assert dead.sent == []


@pytest.mark.parametrize(
    "fault",
    [
        RequestBusy("r-1"),
        HelpdeskServerError("delete_ticket", status=502),
        MailFailed("ClientError"),
        ServiceUnavailable(),
        EnqueueFailed("ClientError"),
        TransitionRefused("status_rejected"),  # the DPO rejected it while it ran: decided again next time
        KeyError("an unexpected bug"),
    ],
)
def test_faults_hand_the_message_back(fault: Exception) -> None:
    dead = DeadLetters()

    with pytest.raises(MessageRetry):
        RightsWork(engine=Engine(fault), dead_letters=dead).handle(a_message(message_body("r-1")))  # type: ignore[arg-type]

    assert dead.sent == []


@pytest.mark.parametrize(
    ("body", "fault", "reason"),
    [
        ("not json", None, "malformed:not JSON"),
        ('{"request_id": "r-1", "action": "shred"}', None, "malformed:unknown action"),
        (message_body("r-1"), SubjectMismatch("r-1"), "subject_mismatch"),
    ],
)
def test_what_can_never_succeed_is_dead_lettered_at_once(
    body: str, fault: Exception | None, reason: str
) -> None:
    dead = DeadLetters()

    outcome = RightsWork(engine=Engine(fault), dead_letters=dead).handle(a_message(body))  # type: ignore[arg-type]

    assert outcome is None
    assert dead.sent == [(body, reason)]


def test_when_the_dlq_is_down_the_message_is_handed_back() -> None:
    with pytest.raises(MessageRetry, match="dead-letter queue unavailable"):
        RightsWork(engine=Engine(), dead_letters=DeadLetters(failing=True)).handle(a_message("not json"))  # type: ignore[arg-type]
