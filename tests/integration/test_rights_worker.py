"""RightsWorkerFunction on moto (the template's tables, queues and bucket; SESv2 with the sender verified) and
the fake Freshdesk under ``responses``: each right from a verified request to its effect and its mail.

Requests come in as they do in production (RightsService: by e-mail with a verification link, or from the
DPO), messages go through the template's RightsQueue and the handler answers as Lambda's SQS event source
expects (``batchItemFailures``). Mails are read back from moto's SES backend.
"""

from __future__ import annotations

import email
import email.policy
import importlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from contact_intake.core.messages import QueuedMessage
from contact_intake.core.retention import LawfulBasis, expires_at_epoch
from contact_intake.core.subject import subject_key
from contact_intake.helpdesk.freshdesk import RESTRICTED_TAG
from contact_intake.intake.models import InquiryRecord, InquiryStatus
from contact_intake.intake.queue import claim_check
from contact_intake.intake.store import EXPIRY_DAY, expiry_day
from contact_intake.retention.wiring import SweeperWiring
from contact_intake.rights.engine import LEASE
from contact_intake.rights.models import (
    AuditEntry,
    Channel,
    QueueAction,
    RequestStatus,
    RightsRequest,
    RightType,
)
from contact_intake.rights.queue import message_body
from contact_intake.rights.settings import RightsWorkerSettings
from contact_intake.rights.store import attr
from contact_intake.rights.worker_wiring import RightsWorkerWiring
from tests.builders import PERSON, FakeContext, a_recording, an_inquiry_record, sample_event
from tests.fakes import FakeClock
from tests.helpdesk_fake import FakeFreshdesk as RightsFreshdesk
from tests.integration.conftest import (
    LOCAL_SECRETS,
    RESOURCE_VARIABLES,
    Aws,
    Function,
    InquiryQueueSource,
    wire_handler,
)

PEPPER = LOCAL_SECRETS["/contact-intake/subject-pepper"].encode()
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "rights-export-v2.schema.json").read_text()
)
DPO = "arn:aws:iam::123456789012:user/dpo"
# the worker reaches every store
RIGHTS_WORKER = Function(
    "rights_worker_handler", RightsWorkerSettings, RightsWorkerWiring, tuple(RESOURCE_VARIABLES)
)


@dataclass(frozen=True)
class Person:
    email: str
    name: str

    @property
    def key(self) -> str:
        return subject_key(self.email, PEPPER)


ZOE = Person(PERSON["email"], PERSON["name"])
OTHER = Person("mallory.neighbour@example.net", "Mallory Neighbour")


@dataclass(frozen=True)
class Mail:
    to: list[str]
    subject: str
    text: str
    attachments: dict[str, bytes]


def sent_mails() -> list[Mail]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    mails = []
    for message in ses_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"].sent_messages:
        parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(("plain",))
        assert body is not None
        attachments = {
            str(part.get_filename()): part.get_content().encode()
            if isinstance(part.get_content(), str)
            else part.get_content()
            for part in parsed.iter_attachments()
        }
        mails.append(
            Mail(
                sorted(set(message.destinations)),  # moto lists Destination and the To header
                str(parsed["Subject"]),
                body.get_content(),
                attachments,
            )
        )
    return mails


class RightsQueueSource(InquiryQueueSource):
    """Lambda's SQS event source for RightsWorkerFunction, by hand (see InquiryQueueSource)."""

    def __init__(self, aws: Aws, handler: Any, queue: str = "RightsQueue") -> None:
        super().__init__(aws, handler, queue)

    def send_body(self, body: str) -> None:
        self.aws.sqs.send_message(QueueUrl=self.url, MessageBody=body)

    def drain(self) -> list[dict[str, Any]]:
        """Poll until the queue is empty (failed messages stay in flight); every answer."""
        answers = []
        while self.aws.queue_counts("RightsQueue")["visible"]:
            answers.append(self.poll(batch_size=1)[1])
        return answers


@pytest.fixture
def worker(
    aws: Aws, helpdesk: RightsFreshdesk, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> RightsWorkerWiring:
    """RightsWorkerFunction's wiring on this test's moto resources, the fake Freshdesk and ``clock``."""
    monkeypatch.setenv("HELPDESK_DELETE_CONTACTS", "true")
    aws.session.client("sesv2").create_email_identity(EmailIdentity="shop.example")
    return wire_handler(aws, monkeypatch, RIGHTS_WORKER, counted=(), clock=clock)


@pytest.fixture
def rights_queue(aws: Aws, worker: RightsWorkerWiring) -> RightsQueueSource:
    return RightsQueueSource(aws, importlib.import_module("rights_worker_handler"), "RightsQueue")


class Stage(NamedTuple):
    """The worker of one test and what it works on: moto, RightsQueue's event source, the fake Freshdesk and
    the clock (most tests here want all of them)."""

    aws: Aws
    worker: RightsWorkerWiring
    rights_queue: RightsQueueSource
    helpdesk: RightsFreshdesk
    clock: FakeClock


@pytest.fixture
def stage(
    aws: Aws,
    worker: RightsWorkerWiring,
    rights_queue: RightsQueueSource,
    helpdesk: RightsFreshdesk,
    clock: FakeClock,
) -> Stage:
    return Stage(aws, worker, rights_queue, helpdesk, clock)


# ---------------------------------------------------------------- data


def an_inquiry(
    aws: Aws,
    helpdesk: RightsFreshdesk,
    clock: FakeClock,
    person: Person = ZOE,
    *,
    ticket: bool = True,
    **overrides: Any,
) -> InquiryRecord:
    """A stored inquiry of ``person``; with ``ticket``, forwarded and its ticket at the helpdesk."""
    record: InquiryRecord = an_inquiry_record(
        **{
            "email": person.email,
            "name": person.name,
            "subject_key": person.key,
            "received_at": clock() - timedelta(days=3),
            "status": InquiryStatus.FORWARDED if ticket else InquiryStatus.RECEIVED,
            **overrides,
        }
    )
    if ticket:
        created = helpdesk.add_ticket(
            person.email, person.name, record.subject, cf_inquiry_id=record.inquiry_id
        )
        created.source, created.tags = 2, ["contact-form", "lang:nl"]
        record.helpdesk_ticket_id = created.id
        helpdesk.add_conversation(created.id, "Thanks, we will exchange the food for you.")
    aws.put_inquiry(record)
    return record


def a_verified_request(
    worker: RightsWorkerWiring, right: RightType, person: Person = ZOE, **corrections: str
) -> RightsRequest:
    """A request the DPO took with the person's identity checked: verified and queued at once."""
    return worker.rights.create_on_behalf(
        principal=DPO,
        email=person.email,
        right=str(right),
        locale="nl",
        identity_verified=True,
        corrections=corrections or None,
    )


def a_stored_request(
    worker: RightsWorkerWiring,
    clock: FakeClock,
    right: RightType,
    person: Person = ZOE,
    *,
    status: RequestStatus = RequestStatus.VERIFIED,
    raw_mail_key: str | None = None,
    key: str | None = None,
) -> RightsRequest:
    """A request written as it is stored (for states the service reaches only over days)."""
    now = clock()
    request = RightsRequest(
        request_id=f"req-{len(sent_mails())}-{right}-{now.timestamp()}-{person.name[:3]}",
        type=right,
        subject_key=key or person.key,
        channel=Channel.EMAIL,
        status=status,
        received_at=now - timedelta(days=1),
        due_at=now + timedelta(days=29),
        locale="de",
        email=person.email,
        expires_at=int((now + timedelta(days=1000)).timestamp()),
        raw_mail_key=raw_mail_key,
        audit=[AuditEntry(now, "system", "received")],
    )
    worker.requests.create(request)
    return request


def request_of(worker: RightsWorkerWiring, request_id: str) -> RightsRequest:
    request = worker.requests.get(request_id)
    assert request is not None
    return request


def completed(worker: RightsWorkerWiring, request_id: str) -> RightsRequest:
    """The request, asserted completed."""
    request = request_of(worker, request_id)
    assert request.status is RequestStatus.COMPLETED
    return request


def raw_item(aws: Aws, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    return aws.dynamodb.get_item(TableName=aws.name(table), Key=key).get("Item")


def scan(aws: Aws, table: str) -> list[dict[str, Any]]:
    return list(aws.dynamodb.scan(TableName=aws.name(table))["Items"])


def audit_text(request: RightsRequest) -> str:
    return json.dumps(
        [{"actor": e.actor, "action": e.action, "counts": dict(e.counts)} for e in request.audit],
        ensure_ascii=False,
    )


def assert_audit_is_impersonal(request: RightsRequest) -> None:
    text = audit_text(request)
    for personal in (*PERSON.values(), OTHER.email, OTHER.name, "@"):
        assert personal not in text


def actions(request: RightsRequest) -> list[str]:
    return [entry.action for entry in request.audit]


def audit_counts(request: RightsRequest, action: str) -> dict[str, Any]:
    """The counts of the request's (first) audit entry ``action``."""
    return dict(next(e for e in request.audit if e.action == action).counts)


def failures(answer: dict[str, Any]) -> int:
    return len(answer["batchItemFailures"])


# ---------------------------------------------------------------- access and portability


def test_access_by_email_end_to_end(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    mine = an_inquiry(aws, helpdesk, clock)
    held = an_inquiry(aws, helpdesk, clock, ticket=False, message="Second question\nabout delivery.")
    theirs = an_inquiry(aws, helpdesk, clock, OTHER, message="Someone else's question.")
    direct = helpdesk.add_ticket(ZOE.email, ZOE.name, "Mailed to the support address")
    helpdesk.add_conversation(direct.id, "Original e-mail text", incoming=True)

    # by e-mail: stored, acknowledged with a link; nothing runs until the link is followed
    request = worker.rights.receive(
        channel="email", email=ZOE.email, right="access", locale="nl", received_at=clock()
    )
    assert aws.queue_counts("RightsQueue")["visible"] == 0
    (ack,) = sent_mails()
    token = re.search(r"token=([A-Za-z0-9_-]{43})", ack.text)
    assert token is not None
    worker.rights.verify(token.group(1))

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    _, export, completion = sent_mails()
    assert export.to == completion.to == [ZOE.email]
    assert "Uw persoonsgegevens" in export.subject or request.request_id in export.subject
    ((name, content),) = export.attachments.items()
    assert name == f"personal-data-{request.request_id}.json"
    document = json.loads(content)
    import jsonschema

    jsonschema.validate(document, SCHEMA)
    assert document["request"] == {
        "reference": request.request_id,
        "right": "access",
        "received_at": document["request"]["received_at"],
    }
    assert document["data_subject"] == {"email": ZOE.email}
    exported = {item["record"]["inquiry_id"]: item for item in document["inquiries"]}
    assert set(exported) == {mine.inquiry_id, held.inquiry_id}
    assert exported[held.inquiry_id]["record"]["message"] == "Second question\nabout delivery."
    assert exported[mine.inquiry_id]["record"]["helpdesk_ticket_id"] == mine.helpdesk_ticket_id
    assert exported[mine.inquiry_id]["processing"]["recipients"] == ["freshworks", "google_recaptcha"]
    assert exported[held.inquiry_id]["processing"]["recipients"] == ["google_recaptcha"]
    assert exported[mine.inquiry_id]["processing"]["lawful_basis"]["article"] == "Art. 6(1)(f) GDPR"
    assert exported[mine.inquiry_id]["processing"]["retention"]["rule"] == "until_handled_at_most_12_months"
    tickets = {t["id"]: t for t in document["helpdesk"]["tickets"]}
    assert set(tickets) == {mine.helpdesk_ticket_id, direct.id}
    assert [(m["kind"], m["text"]) for m in tickets[direct.id]["messages"]] == [
        ("your_question", "Mailed to the support address"),
        ("your_message", "Original e-mail text"),
    ]
    assert [m["kind"] for m in tickets[mine.helpdesk_ticket_id]["messages"]][-1] == "reply_to_you"
    assert document["helpdesk"]["contact"]["email"] == ZOE.email
    assert document["processing"]["automated_decision_making"]["exists"] is False
    assert {r["right"] for r in document["processing"]["rights"]} >= {
        "rectification", "erasure", "restriction", "objection", "complaint",
    }  # fmt: skip
    assert theirs.inquiry_id not in content.decode()
    assert OTHER.email not in content.decode()
    assert "Snorremans" in content.decode()  # the message text itself

    done = completed(worker, request.request_id)
    assert done.completed_at is not None
    assert actions(done)[-5:] == ["started", "exported", "notified", "notified", "completed"]
    exported_counts = audit_counts(done, "exported")
    assert exported_counts["inquiries"] == 2
    assert exported_counts["helpdesk_tickets"] == 2
    assert_audit_is_impersonal(done)
    # the lease is gone: nothing holds the request
    assert LEASE not in raw_item(aws, "RightsRequestsTable", {"request_id": {"S": request.request_id}})  # type: ignore[operator]


def test_an_erasure_confirmed_as_access_is_carried_out_as_access(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    # the mail read as erasure; on the confirmation page the person chose access instead
    mine = an_inquiry(aws, helpdesk, clock)
    request = worker.rights.receive(
        channel="email", email=ZOE.email, right="erasure", locale="en", received_at=clock()
    )
    (ack,) = sent_mails()
    token = re.search(r"token=([A-Za-z0-9_-]{43})", ack.text)
    assert token is not None
    worker.rights.verify(token.group(1), "access")

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    _, export, _completion = sent_mails()
    ((_, content),) = export.attachments.items()
    assert json.loads(content)["request"]["right"] == "access"  # the worker read the chosen type
    assert (
        raw_item(aws, "InquiriesTable", {"inquiry_id": {"S": mine.inquiry_id}}) is not None
    )  # nothing erased
    assert not helpdesk.tickets[mine.helpdesk_ticket_id].deleted
    done = request_of(worker, request.request_id)
    assert (done.type, done.status) == (RightType.ACCESS, RequestStatus.COMPLETED)


def test_portability_sends_the_same_document(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    customer = an_inquiry(
        aws, helpdesk, clock, lawful_basis=LawfulBasis.CONTRACT, customer_number=PERSON["customer_number"],
        expires_at=None,
    )  # fmt: skip
    request = a_verified_request(worker, RightType.PORTABILITY)

    rights_queue.drain()

    export, completion = sent_mails()
    document = json.loads(next(iter(export.attachments.values())))
    assert document["request"]["right"] == "portability"
    (item,) = document["inquiries"]
    assert item["record"]["inquiry_id"] == customer.inquiry_id
    assert item["processing"]["retention"] == {
        "rule": "account_lifetime",
        "erased_at_the_latest": None,
        "description": item["processing"]["retention"]["description"],
    }
    assert item["processing"]["lawful_basis"]["code"] == "contract"
    assert "link_customer_profile" in item["processing"]["purposes"]
    assert request_of(worker, request.request_id).status is RequestStatus.COMPLETED
    assert completion.to == [ZOE.email]


def test_the_export_holds_the_persons_own_helpdesk_data_and_the_dpo_gets_the_rest_to_review(
    stage: Stage,
) -> None:
    """Art. 15(4), 20(4), D65: a private note, a cc'd address, a reply to another participant and that
    participant's own message stay out of the document; the request's audit lists them for the DPO."""
    aws, worker, rights_queue, helpdesk, clock = stage
    mine = an_inquiry(aws, helpdesk, clock)
    ticket_id = mine.helpdesk_ticket_id
    assert ticket_id is not None
    note = helpdesk.add_conversation(ticket_id, "Internal: refund approved by Kees", private=True)
    helpdesk.add_conversation(
        ticket_id, "We send a new bag.", cc_emails=[OTHER.email], bcc_emails=["kees@shop.example"]
    )
    to_other = helpdesk.add_conversation(
        ticket_id, "Hello Bram, confirm the address?", to_emails=[OTHER.email]
    )
    from_other = helpdesk.add_conversation(
        ticket_id, "Bram here: Dorpsstraat 1", incoming=True, user_id=4242, from_email=OTHER.email
    )
    helpdesk.add_conversation(ticket_id, "Thanks, that works for me.", incoming=True)
    request = a_verified_request(worker, RightType.ACCESS)

    rights_queue.drain()

    export, _ = sent_mails()
    content = next(iter(export.attachments.values()))
    document = json.loads(content)
    import jsonschema

    jsonschema.validate(document, SCHEMA)
    text = content.decode() if isinstance(content, bytes) else str(content)
    for leak in (OTHER.email, "kees@shop.example", "Kees", "Bram", "Dorpsstraat"):
        assert leak not in text, leak
    (ticket,) = document["helpdesk"]["tickets"]
    assert [(m["kind"], m["text"]) for m in ticket["messages"]][1:] == [
        ("reply_to_you", "Thanks, we will exchange the food for you."),
        ("reply_to_you", "We send a new bag."),
        ("your_message", "Thanks, that works for me."),
    ]
    done = request_of(worker, request.request_id)
    review = audit_counts(done, "withheld_for_review")
    assert review == {
        "private_notes": 1,
        "other_participants_messages": 1,
        "replies_to_others": 1,
        "other_addresses": 2,
        "contact_fields": 0,
        f"conversation_{note['id']}": ticket_id,
        f"conversation_{to_other['id']}": ticket_id,
        f"conversation_{from_other['id']}": ticket_id,
    }
    assert_audit_is_impersonal(done)


def test_a_forged_from_gets_nothing(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    an_inquiry(aws, helpdesk, clock)
    # someone wrote "From: Zoë" and the acknowledgement went to Zoë; the link was never followed
    request = worker.rights.receive(
        channel="email", email=ZOE.email, right="access", locale="en", received_at=clock()
    )
    rights_queue.send_body(message_body(request.request_id))  # a message nobody should have sent
    rights_queue.send_body(message_body(request.request_id, QueueAction.ERASE))

    answers = rights_queue.drain()

    assert [failures(a) for a in answers] == [0, 0]
    assert len(sent_mails()) == 1  # the acknowledgement, to Zoë, and nothing else
    after = request_of(worker, request.request_id)
    assert after.status is RequestStatus.AWAITING_VERIFICATION
    assert actions(after) == ["received", "acknowledged"]
    assert len(scan(aws, "InquiriesTable")) == 1
    assert not [t for t in helpdesk.tickets.values() if t.deleted]


def test_the_export_goes_only_to_the_stored_address(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    an_inquiry(aws, helpdesk, clock)
    request = a_verified_request(worker, RightType.ACCESS)

    rights_queue.drain()

    assert {address for mail in sent_mails() for address in mail.to} == {request.email}


# ---------------------------------------------------------------- erasure


def test_erasure_leaves_nothing_anywhere(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    s3 = aws.session.client("s3")
    bucket = aws.name("InboundMailBucket")
    for key in ("raw/zoe-old-access", "raw/zoe-erasure", "raw/mallory-access"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"From: someone\r\n\r\nplease")
    forwarded = an_inquiry(aws, helpdesk, clock)
    pending = an_inquiry(aws, helpdesk, clock, ticket=False)
    theirs = an_inquiry(aws, helpdesk, clock, OTHER)
    direct = helpdesk.add_ticket(ZOE.email, ZOE.name, "Mailed to support")
    older = a_stored_request(
        worker, clock, RightType.ACCESS, status=RequestStatus.COMPLETED, raw_mail_key="raw/zoe-old-access"
    )
    a_stored_request(
        worker,
        clock,
        RightType.ACCESS,
        OTHER,
        status=RequestStatus.COMPLETED,
        raw_mail_key="raw/mallory-access",
    )
    request = a_stored_request(worker, clock, RightType.ERASURE, raw_mail_key="raw/zoe-erasure")
    contact = helpdesk.contact_for(ZOE.email)
    rights_queue.send_body(message_body(request.request_id))

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    # the table: only the other person's inquiry
    assert [item["inquiry_id"]["S"] for item in scan(aws, "InquiriesTable")] == [theirs.inquiry_id]
    # the ledger: ids and hashes, nothing that names or reaches her
    ledger = scan(aws, "ErasureLedgerTable")
    assert {e["inquiry_id"]["S"] for e in ledger} == {forwarded.inquiry_id, pending.inquiry_id}
    assert {e["subject_key"]["S"] for e in ledger} == {ZOE.key}
    assert {e["reason"]["S"] for e in ledger} == {"rights_request"}
    for personal in (*PERSON.values(), "@"):
        assert personal not in json.dumps(ledger)
    # the helpdesk: her tickets deleted (to the trash), then her contact with all its tickets for good; the
    # other person's ticket stays
    assert helpdesk.calls["delete_ticket"] == 2  # the inquiry's (by the Eraser) and the one she mailed
    assert helpdesk.hard_deleted == [contact.id]
    assert helpdesk.tickets_of(ZOE.email) == []
    assert {forwarded.helpdesk_ticket_id, direct.id}.isdisjoint(helpdesk.tickets)
    assert not helpdesk.tickets[theirs.helpdesk_ticket_id].deleted  # type: ignore[index]
    assert ZOE.email not in {c.email for c in helpdesk.contacts.values()}
    # the raw mails of her requests; the other person's stays
    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert remaining == ["raw/mallory-access"]
    # her requests stay as the record of what was done; this one completed, with counts only
    assert request_of(worker, older.request_id).status is RequestStatus.COMPLETED
    done = completed(worker, request.request_id)
    assert audit_counts(done, "erased") == {
        "inquiries_erased": 2,
        "inquiries_already_absent": 0,
        "other_helpdesk_tickets_deleted": 1,
        "helpdesk_contacts_deleted": 1,
        "raw_mails_deleted": 2,
        "call_recordings_erased": 0,
    }
    assert_audit_is_impersonal(done)
    (completion,) = sent_mails()
    assert completion.to == [ZOE.email]
    assert request.request_id in completion.subject


def test_erasure_with_the_helpdesk_down_is_retried_and_never_completed_early(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    first = an_inquiry(aws, helpdesk, clock)
    second = an_inquiry(aws, helpdesk, clock)
    request = a_verified_request(worker, RightType.ERASURE)
    helpdesk.fail_next(1, "500")  # the first ticket delete

    (answer,) = rights_queue.drain()

    assert failures(answer) == 1
    during = request_of(worker, request.request_id)
    assert during.status is RequestStatus.IN_PROGRESS
    assert "erased" not in actions(during)
    assert "completed" not in actions(during)
    assert sent_mails() == []
    assert len([i for i in (first, second) if aws.find_item(i.inquiry_id)]) >= 1
    # the lease was given back, so the redelivery is not kept waiting
    assert LEASE not in raw_item(aws, "RightsRequestsTable", {"request_id": {"S": request.request_id}})  # type: ignore[operator]

    helpdesk.fail_next(1, "timeout")
    rights_queue.redeliver_failed()
    (answer,) = rights_queue.drain()
    assert failures(answer) == 1
    assert request_of(worker, request.request_id).status is RequestStatus.IN_PROGRESS

    rights_queue.redeliver_failed()
    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    assert aws.find_item(first.inquiry_id) is None
    assert aws.find_item(second.inquiry_id) is None
    assert helpdesk.tickets_of(ZOE.email) == []
    done = completed(worker, request.request_id)
    assert actions(done).count("resumed") == 2
    assert actions(done).count("erased") == 1
    assert len(sent_mails()) == 1


def test_ses_refusing_the_sender_leaves_the_request_open(
    aws: Aws, worker: RightsWorkerWiring, rights_queue: RightsQueueSource
) -> None:
    request = a_verified_request(worker, RightType.CONSENT_WITHDRAWAL)
    sesv2 = aws.session.client("sesv2")
    sesv2.delete_email_identity(EmailIdentity="shop.example")  # SES: MessageRejected

    (answer,) = rights_queue.drain()

    assert failures(answer) == 1
    assert request_of(worker, request.request_id).status is RequestStatus.IN_PROGRESS
    sesv2.create_email_identity(EmailIdentity="shop.example")
    rights_queue.redeliver_failed()
    rights_queue.drain()
    assert request_of(worker, request.request_id).status is RequestStatus.COMPLETED


def ses_fails_on_call(worker: RightsWorkerWiring, failing: int) -> None:
    """SES cannot be reached on the ``failing``-th SendEmail of this worker (counted from 1)."""
    from botocore.exceptions import EndpointConnectionError

    calls = {"n": 0}

    def maybe_fail(**_: Any) -> None:
        calls["n"] += 1
        if calls["n"] == failing:
            raise EndpointConnectionError(endpoint_url="https://email.eu-central-1.amazonaws.com")

    worker.clients.sesv2.meta.events.register("before-call.sesv2.SendEmail", maybe_fail)


@pytest.mark.parametrize(
    "case",
    [
        (RightType.ERASURE, "erased", {}, 1),
        (RightType.RESTRICTION, "restricted", {}, 1),
        (RightType.CONSENT_WITHDRAWAL, "consent_withdrawn", {}, 1),
        (RightType.RECTIFICATION, "rectified", {"name": "Zoë Q."}, 1),
        (RightType.ACCESS, "exported", {}, 2),  # the export went out; only the completion is sent again
    ],
    ids=lambda case: str(case[0]),
)
def test_a_failed_completion_mail_is_retried_without_redoing_the_step(
    aws: Aws,
    worker: RightsWorkerWiring,
    rights_queue: RightsQueueSource,
    helpdesk: RightsFreshdesk,
    case: tuple[RightType, str, dict[str, str], int],
) -> None:
    right, step, corrections, mails = case
    an_inquiry(aws, helpdesk, helpdesk.clock)  # type: ignore[arg-type]
    request = a_verified_request(worker, right, **corrections)
    ses_fails_on_call(worker, failing=mails)  # the completion mail

    (answer,) = rights_queue.drain()

    assert failures(answer) == 1
    during = request_of(worker, request.request_id)
    assert during.status is RequestStatus.IN_PROGRESS
    assert actions(during).count(step) == 1
    rights_queue.redeliver_failed()

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    done = completed(worker, request.request_id)
    assert actions(done).count(step) == 1
    assert len(sent_mails()) == mails
    assert sum(len(m.attachments) for m in sent_mails()) == (1 if right is RightType.ACCESS else 0)


def test_without_contact_deletion_the_helpdesk_contact_stays(
    aws: Aws, worker: RightsWorkerWiring, helpdesk: RightsFreshdesk, clock: FakeClock
) -> None:
    an_inquiry(aws, helpdesk, clock)
    settings = worker.settings.model_copy(update={"helpdesk_delete_contacts": False})
    keeping = RightsWorkerWiring(settings, worker.clients, clock=clock)
    request = a_verified_request(keeping, RightType.ERASURE)
    (message,) = aws.receive_all("RightsQueue")

    keeping.work.handle(QueuedMessage("m-1", message["Body"], message["ReceiptHandle"]))

    assert request_of(worker, request.request_id).status is RequestStatus.COMPLETED
    assert scan(aws, "InquiriesTable") == []
    assert helpdesk.hard_deleted == []
    assert helpdesk.contact_for(ZOE.email).id in helpdesk.contacts


def test_a_ticket_deleted_while_exporting_is_left_out(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    kept = an_inquiry(aws, helpdesk, clock)
    gone = helpdesk.add_ticket(ZOE.email, ZOE.name, "Deleted by an agent just now")
    helpdesk.fail_every("404", operation="get_ticket", id=gone.id)  # deleted meanwhile
    a_verified_request(worker, RightType.ACCESS)

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    document = json.loads(next(iter(sent_mails()[0].attachments.values())))
    assert [t["id"] for t in document["helpdesk"]["tickets"]] == [kept.helpdesk_ticket_id]


# ---------------------------------------------------------------- duplicates and concurrency


def test_a_duplicate_delivery_sends_nothing_twice(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    an_inquiry(aws, helpdesk, clock)
    request = a_verified_request(worker, RightType.ACCESS)
    rights_queue.send_body(message_body(request.request_id))  # SQS delivers at least once

    answers = rights_queue.drain()

    assert [failures(a) for a in answers] == [0, 0]
    assert [len(m.attachments) for m in sent_mails()] == [1, 0]  # one export, one completion
    assert actions(request_of(worker, request.request_id)).count("completed") == 1


def test_a_delivery_waits_while_another_holds_the_request(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    an_inquiry(aws, helpdesk, clock)
    request = a_verified_request(worker, RightType.ERASURE)
    # another delivery of the same message is running: it took the lease a minute ago
    worker.requests.update(
        request.request_id, expect=(), audit=(), set_fields={LEASE: attr(clock() + timedelta(minutes=5))}
    )

    (answer,) = rights_queue.drain()

    assert failures(answer) == 1
    assert request_of(worker, request.request_id).status is RequestStatus.VERIFIED
    assert len(scan(aws, "InquiriesTable")) == 1
    # the other run died without giving the lease back: it runs out
    clock.advance(minutes=6)
    rights_queue.redeliver_failed()
    (answer,) = rights_queue.drain()
    assert failures(answer) == 0
    assert request_of(worker, request.request_id).status is RequestStatus.COMPLETED
    assert scan(aws, "InquiriesTable") == []


# ---------------------------------------------------------------- restriction


def test_restriction_holds_everything_and_lifting_it_sends_held_inquiries_on(
    aws: Aws,
    worker: RightsWorkerWiring,
    rights_queue: RightsQueueSource,
    helpdesk: RightsFreshdesk,
    inquiry_queue: InquiryQueueSource,
) -> None:
    clock = helpdesk.clock
    forwarded = an_inquiry(aws, helpdesk, clock)
    handled = an_inquiry(aws, helpdesk, clock)
    held = an_inquiry(aws, helpdesk, clock, ticket=False)
    theirs = an_inquiry(aws, helpdesk, clock, OTHER)
    request = a_verified_request(worker, RightType.RESTRICTION)

    rights_queue.drain()

    for record in (forwarded, handled, held):
        assert aws.get_item(record.inquiry_id)["restricted"] == {"BOOL": True}
    assert aws.get_item(theirs.inquiry_id)["restricted"] == {"BOOL": False}
    assert all(RESTRICTED_TAG in t.tags for t in helpdesk.tickets_of(ZOE.email))
    assert all(RESTRICTED_TAG not in t.tags for t in helpdesk.tickets_of(OTHER.email))
    done = completed(worker, request.request_id)
    assert audit_counts(done, "restricted") == {
        "inquiries": 3,
        "helpdesk_tickets": 2,
    }
    (completion,) = sent_mails()
    assert completion.to == [ZOE.email]
    # restricted: the forwarder sends nothing
    inquiry_queue.send(held.inquiry_id)
    inquiry_queue.poll()
    assert len(helpdesk.tickets_of(ZOE.email)) == 2
    assert aws.get_item(held.inquiry_id)["status"] == {"S": "received"}
    # the helpdesk resolved one meanwhile: kept while restricted (resolution.py)
    aws.dynamodb.update_item(
        TableName=aws.name("InquiriesTable"),
        Key={"inquiry_id": {"S": handled.inquiry_id}},
        UpdateExpression="SET #s = :resolved",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":resolved": {"S": "resolved"}},
    )

    worker.rights.lift_restriction(request.request_id, principal=DPO)
    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    assert aws.get_item(forwarded.inquiry_id)["restricted"] == {"BOOL": False}
    assert aws.get_item(held.inquiry_id)["restricted"] == {"BOOL": False}
    assert aws.find_item(handled.inquiry_id) is None  # a prospect's handled question: erased now
    # the tag is gone and nothing else of the ticket's tags went with it
    assert [t.tags for t in helpdesk.tickets_of(ZOE.email) if not t.deleted] == [["contact-form", "lang:nl"]]
    # the held inquiry goes to the helpdesk now
    (queued,) = aws.receive_all("InquiryQueue")
    assert json.loads(queued["Body"]) == {"inquiry_id": held.inquiry_id}
    aws.sqs.change_message_visibility(
        QueueUrl=aws.name("InquiryQueue"), ReceiptHandle=queued["ReceiptHandle"], VisibilityTimeout=0
    )
    inquiry_queue.poll()
    assert aws.get_item(held.inquiry_id)["status"] == {"S": "forwarded"}
    lifted = request_of(worker, request.request_id)
    assert audit_counts(lifted, "restriction_cleared") == {
        "inquiries": 3,
        "forwarded": 1,
        "erased_as_handled": 1,
        "helpdesk_tickets": 1,
    }
    # the core told her before the flags went; the worker adds no mail of its own
    assert [m.to for m in sent_mails()] == [[ZOE.email], [ZOE.email]]
    # a second delivery of the lift does nothing
    rights_queue.send_body(message_body(request.request_id, QueueAction.LIFT_RESTRICTION))
    rights_queue.drain()
    assert actions(request_of(worker, request.request_id)).count("restriction_cleared") == 1


def test_a_restricted_inquiry_outlives_its_twelve_months_until_the_dpo_lifts_the_restriction(
    aws: Aws,
    worker: RightsWorkerWiring,
    rights_queue: RightsQueueSource,
    helpdesk: RightsFreshdesk,
    sweeper: SweeperWiring,
) -> None:
    """D68: a restriction (Art. 18(1)(b)/(c): the person needs the data kept) holds the 12-month deletion;
    neither the sweeper nor TTL (no expires_at) erases the inquiry; the DPO's lift brings the deadline back
    (from received_at), and one already past is erased by the next sweep."""
    clock = helpdesk.clock
    received = clock() - timedelta(days=330)
    old = an_inquiry(aws, helpdesk, clock, received_at=received, expires_at=expires_at_epoch(
        received, LawfulBasis.LEGITIMATE_INTERESTS))  # fmt: skip
    recent = an_inquiry(aws, helpdesk, clock)
    request = a_verified_request(worker, RightType.RESTRICTION)
    rights_queue.drain()
    assert request_of(worker, request.request_id).status is RequestStatus.COMPLETED
    for record in (old, recent):
        item = aws.get_item(record.inquiry_id)
        assert item["restricted"] == {"BOOL": True}
        assert "expires_at" not in item  # TTL cannot take it
        assert EXPIRY_DAY not in item  # nor can the sweeper's by_expiry_day

    clock.advance(days=60)  # 13 months after the old one came in
    report = sweeper_run(sweeper)

    assert (report["expired_found"], report["erased"]) == (0, 0)
    assert aws.find_item(old.inquiry_id) is not None
    assert not helpdesk.tickets[old.helpdesk_ticket_id].deleted  # type: ignore[index]

    worker.rights.lift_restriction(request.request_id, principal=DPO)
    rights_queue.drain()

    # the normal deadline again: past for the old one (due now), 12 months from receipt for the recent one
    lifted_at = int(clock().timestamp())
    assert int(aws.get_item(old.inquiry_id)["expires_at"]["N"]) == lifted_at
    recent_deadline = expires_at_epoch(recent.received_at, LawfulBasis.LEGITIMATE_INTERESTS)
    assert int(aws.get_item(recent.inquiry_id)["expires_at"]["N"]) == recent_deadline
    assert aws.get_item(recent.inquiry_id)[EXPIRY_DAY] == {"S": expiry_day(recent_deadline or 0)}

    clock.advance(minutes=5)
    report = sweeper_run(sweeper)

    assert report["erased"] == 1
    assert aws.find_item(old.inquiry_id) is None
    assert helpdesk.tickets[old.helpdesk_ticket_id].deleted  # type: ignore[index]
    assert aws.find_item(recent.inquiry_id) is not None


def sweeper_run(sweeper: SweeperWiring) -> dict[str, Any]:
    """SweeperFunction's handler, as its schedule runs it."""

    class Context(FakeContext):
        function_name = "SweeperFunction"

        def get_remaining_time_in_millis(self) -> int:
            return 299_000

    handler = importlib.import_module("sweeper_handler")
    return dict(handler.lambda_handler(sample_event("sweeper_scheduled.json"), Context()))


@pytest.mark.parametrize("other", [RightType.OBJECTION, RightType.RESTRICTION])
def test_a_lift_keeps_the_restriction_another_request_needs(
    aws: Aws,
    worker: RightsWorkerWiring,
    rights_queue: RightsQueueSource,
    helpdesk: RightsFreshdesk,
    other: RightType,
) -> None:
    record = an_inquiry(aws, helpdesk, helpdesk.clock, ticket=False)  # type: ignore[arg-type]
    first = a_verified_request(worker, RightType.RESTRICTION)
    rights_queue.drain()
    second = a_verified_request(worker, other)  # restricts too: an objection awaits the DPO
    rights_queue.drain()

    worker.rights.lift_restriction(first.request_id, principal=DPO)
    rights_queue.drain()

    assert aws.get_item(record.inquiry_id)["restricted"] == {"BOOL": True}
    cleared = audit_counts(request_of(worker, first.request_id), "restriction_cleared")
    assert cleared == {"kept_for_other_requests": 1}
    assert aws.receive_all("InquiryQueue") == []
    assert request_of(worker, second.request_id).status in {
        RequestStatus.IN_PROGRESS,
        RequestStatus.COMPLETED,
    }


# ---------------------------------------------------------------- objection


def test_an_objection_restricts_at_once_and_an_upheld_one_erases(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    record = an_inquiry(aws, helpdesk, clock)
    request = a_verified_request(worker, RightType.OBJECTION)

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    assert aws.get_item(record.inquiry_id)["restricted"] == {"BOOL": True}
    waiting = request_of(worker, request.request_id)
    assert waiting.status is RequestStatus.IN_PROGRESS
    assert sent_mails() == []
    # a duplicate of the first message changes nothing
    rights_queue.send_body(message_body(request.request_id))
    rights_queue.drain()
    assert actions(request_of(worker, request.request_id)) == actions(waiting)

    worker.rights.decide_objection(request.request_id, upheld=True, grounds="", principal=DPO)
    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    assert aws.find_item(record.inquiry_id) is None
    assert record.helpdesk_ticket_id not in helpdesk.tickets  # with the contact, for good
    assert {e["reason"]["S"] for e in scan(aws, "ErasureLedgerTable")} == {"objection_upheld"}
    done = completed(worker, request.request_id)
    decision, completion = sent_mails()
    assert decision.to == completion.to == [ZOE.email]
    assert_audit_is_impersonal(done)


def test_an_objection_not_upheld_lifts_the_restriction_and_completes(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    record = an_inquiry(aws, helpdesk, clock, ticket=False)
    request = a_verified_request(worker, RightType.OBJECTION)
    rights_queue.drain()
    grounds = "A legal claim about order 4711 is pending."

    worker.rights.decide_objection(request.request_id, upheld=False, grounds=grounds, principal=DPO)
    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    assert aws.get_item(record.inquiry_id)["restricted"] == {"BOOL": False}
    assert aws.get_item(record.inquiry_id)["status"] == {"S": "received"}
    (requeued,) = aws.receive_all("InquiryQueue")
    assert json.loads(requeued["Body"]) == {"inquiry_id": record.inquiry_id}
    done = completed(worker, request.request_id)
    assert done.objection_grounds == grounds  # recorded on the request (the DPO's text), not in the audit
    assert grounds not in audit_text(done)
    assert actions(done)[-2:] == ["restriction_cleared", "completed"]
    (decision,) = sent_mails()  # the grounds, sent by the DPO's route; the worker adds nothing
    assert decision.to == [ZOE.email]
    assert "4711" in decision.text


# ---------------------------------------------------------------- rectification


def test_rectification_corrects_here_and_at_the_helpdesk(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    first = an_inquiry(aws, helpdesk, clock)
    second = an_inquiry(aws, helpdesk, clock, ticket=False)
    theirs = an_inquiry(aws, helpdesk, clock, OTHER)
    corrected = "Zoë.Quasimodo-Nieuw@Example.org"  # an address Freshdesk takes (no space)
    request = a_verified_request(worker, RightType.RECTIFICATION, name="Zoë Quasimodo-Nieuw", email=corrected)

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    new_key = subject_key(corrected, PEPPER)
    for record in (first, second):
        item = aws.get_item(record.inquiry_id)
        assert item["name"] == {"S": "Zoë Quasimodo-Nieuw"}
        assert item["email"] == {"S": corrected.lower()}
        assert item["subject_key"] == {"S": new_key}
        assert item["message"] == {"S": PERSON["message"]}  # what was asked stays as it was asked
    assert aws.get_item(theirs.inquiry_id)["email"] == {"S": OTHER.email}
    contact = next(c for c in helpdesk.contacts.values() if c.email == corrected.lower())
    assert contact.name == "Zoë Quasimodo-Nieuw"
    assert helpdesk.requester_of(helpdesk.tickets[first.helpdesk_ticket_id]).email == corrected.lower()  # type: ignore[index]
    done = completed(worker, request.request_id)
    assert audit_counts(done, "rectified") == {
        "inquiries": 2,
        "helpdesk_contacts": 1,
        "fields": 2,
    }
    (completion,) = sent_mails()
    assert completion.to == [ZOE.email]  # the address that was verified
    assert_audit_is_impersonal(done)


def a_customer(aws: Aws, customer_number: str, person: Person, status: str = "open") -> None:
    aws.dynamodb.put_item(
        TableName=aws.name("AccountsTable"),
        Item={
            "customer_number": {"S": customer_number},
            "subject_key": {"S": person.key},
            "status": {"S": status},
            "version": {"S": "1"},
        },
    )


def test_a_corrected_customer_number_counts_only_when_it_is_theirs(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    record = an_inquiry(aws, helpdesk, clock)
    a_customer(aws, "C-123456", ZOE)
    a_customer(aws, "C-654321", OTHER)
    wrong = a_verified_request(worker, RightType.RECTIFICATION, customer_number="C-654321")

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    item = aws.get_item(record.inquiry_id)
    assert "customer_number" not in item
    assert item["lawful_basis"] == {"S": "legitimate_interests"}
    waiting = request_of(worker, wrong.request_id)
    assert waiting.status is RequestStatus.IN_PROGRESS
    assert actions(waiting)[-1] == "rectification_needs_dpo"
    assert sent_mails() == []
    rights_queue.send_body(message_body(wrong.request_id))  # a redelivery records it once
    rights_queue.drain()
    assert actions(request_of(worker, wrong.request_id)).count("rectification_needs_dpo") == 1

    right = a_verified_request(worker, RightType.RECTIFICATION, customer_number="C-123456")
    rights_queue.drain()

    item = aws.get_item(record.inquiry_id)
    assert item["customer_number"] == {"S": "C-123456"}
    assert item["lawful_basis"] == {"S": "contract"}
    assert "expires_at" not in item
    assert "expiry_day" not in item
    assert request_of(worker, right.request_id).status is RequestStatus.COMPLETED


def test_a_corrected_address_must_still_own_the_customer_number(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    record = an_inquiry(
        aws, helpdesk, clock, lawful_basis=LawfulBasis.CONTRACT, customer_number="C-123456", expires_at=None
    )
    a_customer(aws, "C-123456", ZOE)
    request = a_verified_request(worker, RightType.RECTIFICATION, email="someone.else@example.com")

    rights_queue.drain()

    assert aws.get_item(record.inquiry_id)["email"] == {"S": ZOE.email}
    assert request_of(worker, request.request_id).status is RequestStatus.IN_PROGRESS
    assert helpdesk.contact_for(ZOE.email).email == ZOE.email


# ---------------------------------------------------------------- consent withdrawal and the rest


class RecordingsLedger:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def list_recordings(self, subject_key: str) -> list[dict[str, Any]]:
        self.calls.append(("list", subject_key))
        return [{"recording_id": "rec-1", "purposes": ["training"], "status": "stored"}]

    def erase_recordings(self, subject_key: str) -> int:
        self.calls.append(("erase", subject_key))
        return 1

    def withdraw_consent(self, subject_key: str) -> int:
        self.calls.append(("withdraw", subject_key))
        return 2


def test_consent_withdrawal_goes_to_the_recordings_ledger(
    aws: Aws, worker: RightsWorkerWiring, rights_queue: RightsQueueSource
) -> None:
    recordings = RecordingsLedger()
    worker.recordings = recordings
    request = a_verified_request(worker, RightType.CONSENT_WITHDRAWAL)

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    assert recordings.calls == [("withdraw", ZOE.key)]
    done = completed(worker, request.request_id)
    assert audit_counts(done, "consent_withdrawn") == {"call_recordings": 2}
    (completion,) = sent_mails()
    assert completion.to == [ZOE.email]


def test_recordings_are_exported_and_erased_through_the_hook(
    aws: Aws, worker: RightsWorkerWiring, rights_queue: RightsQueueSource
) -> None:
    recordings = RecordingsLedger()
    worker.recordings = recordings
    a_verified_request(worker, RightType.ACCESS)
    a_verified_request(worker, RightType.ERASURE)

    rights_queue.drain()

    assert recordings.calls == [("list", ZOE.key), ("erase", ZOE.key)]
    export = sent_mails()[0]
    assert json.loads(next(iter(export.attachments.values())))["call_recordings"] == [
        {"recording_id": "rec-1", "purposes": ["training"], "status": "stored"}
    ]


def a_registered_recording(worker: RightsWorkerWiring, clock: FakeClock, person: Person = ZOE) -> str:
    """A recorded call of ``person``'s account, registered in the template's RecordingsTable."""
    import uuid

    from contact_intake.recordings.models import Purpose, audio_key
    from contact_intake.recordings.wiring import RecordingsStorageWiring

    recording_id = str(uuid.uuid4())
    RecordingsStorageWiring(worker.settings, worker.clients, clock).ledger.put_pending(
        a_recording(
            recording_id,
            person.key,
            clock() - timedelta(days=2),
            call_id="call-2026-11-25-000417",
            audio_key=audio_key(Purpose.QUALITY, recording_id, "audio/mpeg"),
            expires_at=int((clock() + timedelta(days=400)).timestamp()),
            upload_deadline=clock() + timedelta(minutes=30),
        )
    )
    return recording_id


def test_the_recordings_ledger_is_what_the_worker_uses(
    aws: Aws, worker: RightsWorkerWiring, rights_queue: RightsQueueSource, clock: FakeClock
) -> None:
    recording_id = a_registered_recording(worker, clock)
    theirs = a_registered_recording(worker, clock, OTHER)
    a_verified_request(worker, RightType.ACCESS)
    withdrawal = a_verified_request(worker, RightType.CONSENT_WITHDRAWAL)

    rights_queue.drain()

    document = json.loads(next(iter(sent_mails()[0].attachments.values())))
    assert [r["recording_id"] for r in document["call_recordings"]] == [recording_id]
    assert document["call_recordings"][0]["consent"]["purposes"] == ["quality"]
    entry = raw_item(aws, "RecordingsTable", {"recording_id": {"S": recording_id}})
    assert entry is not None
    assert entry["status"] == {"S": "withdrawn"}
    other = raw_item(aws, "RecordingsTable", {"recording_id": {"S": theirs}})
    assert other is not None
    assert other["status"] == {"S": "pending_upload"}
    done = request_of(worker, withdrawal.request_id)
    assert audit_counts(done, "consent_withdrawn") == {"call_recordings": 1}


def test_an_unclassified_request_is_left_for_the_dpo(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    an_inquiry(aws, helpdesk, clock)
    request = a_stored_request(worker, clock, RightType.UNCLASSIFIED)
    rights_queue.send_body(message_body(request.request_id))

    (answer,) = rights_queue.drain()

    assert failures(answer) == 0
    assert request_of(worker, request.request_id).status is RequestStatus.VERIFIED
    assert actions(request_of(worker, request.request_id)) == actions(request)
    assert sent_mails() == []
    assert len(scan(aws, "InquiriesTable")) == 1


def test_messages_that_can_never_succeed_go_to_the_dlq_at_once(stage: Stage) -> None:
    aws, worker, rights_queue, helpdesk, clock = stage
    an_inquiry(aws, helpdesk, clock)
    # a request whose subject key is not its address's: its data would go to the wrong person
    crossed = a_stored_request(worker, clock, RightType.ACCESS, OTHER, key=ZOE.key)
    rights_queue.send_body(message_body(crossed.request_id))
    rights_queue.send_body('{"inquiry_id": "not-ours"}')
    rights_queue.send_body(claim_check("x") + "trailing")

    answers = rights_queue.drain()

    assert [failures(a) for a in answers] == [0, 0, 0]
    dead = aws.receive_all("RightsDLQ")
    reasons = sorted(m["MessageAttributes"]["reason"]["StringValue"] for m in dead)
    assert reasons == ["malformed:not JSON", "malformed:not a rights message", "subject_mismatch"]
    assert sent_mails() == []
    assert request_of(worker, crossed.request_id).status is RequestStatus.VERIFIED


def test_the_sample_event_runs_through_the_handler(worker: RightsWorkerWiring) -> None:
    handler = importlib.import_module("rights_worker_handler")

    answer = handler.lambda_handler(sample_event("rights_worker_sqs.json"), FakeContext())

    # neither request exists here: nothing to do, nothing failed
    assert answer == {"batchItemFailures": []}


def test_an_unreadable_request_table_is_retried(
    aws: Aws, worker: RightsWorkerWiring, rights_queue: RightsQueueSource
) -> None:
    a_verified_request(worker, RightType.ACCESS)
    requests_table = aws.name("RightsRequestsTable")
    aws.dynamodb.update_table(TableName=requests_table, DeletionProtectionEnabled=False)
    aws.dynamodb.delete_table(TableName=requests_table)

    (answer,) = rights_queue.drain()

    assert failures(answer) == 1
    assert sent_mails() == []
