"""RightsMailIntake: SES's verdicts and the raw mail in, a rights request (or a reasoned silence) out;
and the SES receipt event model it reads."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from contact_intake.api.ses_event import InvalidSesEvent, SesNotification, parse_ses_event
from contact_intake.core.errors import ServiceUnavailable
from contact_intake.rights.mail_intake import RightsMailIntake, rejection
from contact_intake.rights.models import Channel, RightType
from contact_intake.rights.raw_mail import RawMailMissing
from tests import hostile_mail as hostile
from tests.builders import EVENTS, PERSON
from tests.logcapture import leaks, lines
from tests.rights_mail_fakes import FakeRawMail, FakeRights, corpus_mail

MESSAGE_ID = "q0fgr8ss9hf5b0dki7e6a5rr4jdlfm3k0m3m6ug1"


def an_ses_event(**receipt: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "rights_mail_ses_receipt.json").read_text())
    event["Records"][0]["ses"]["receipt"].update(receipt)
    return event


def a_notification(**receipt: Any) -> SesNotification:
    (notification,) = parse_ses_event(an_ses_event(**receipt))
    return notification


def a_person_mail(subject: str = "Verzoek om inzage", text: str | None = None, **headers: str) -> bytes:
    """A request from the suite's test person (the log capture looks for these values)."""
    body = text or f"Ik wil inzage in mijn gegevens. Mijn kat {PERSON['message'].split()[2]} weet ervan."
    head = {
        "From": f"{PERSON['name']} <{PERSON['email']}>",
        "To": "privacy@shop.example",
        "Subject": subject,
        "Content-Type": 'text/plain; charset="utf-8"',
        **headers,
    }
    raw = "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n" + body
    from email.header import Header

    raw = raw.replace(PERSON["name"], Header(PERSON["name"], "utf-8").encode())
    return raw.encode("utf-8")


@pytest.fixture
def raw_mail() -> FakeRawMail:
    return FakeRawMail()


@pytest.fixture
def rights() -> FakeRights:
    return FakeRights()


@pytest.fixture
def intake(raw_mail: FakeRawMail, rights: FakeRights) -> RightsMailIntake:
    return RightsMailIntake(raw_mail=raw_mail, rights=rights)  # type: ignore[arg-type]


# ---------------------------------------------------------------- a request


def test_a_mail_becomes_a_request_for_the_from_address(
    intake: RightsMailIntake, raw_mail: FakeRawMail, rights: FakeRights
) -> None:
    key = raw_mail.put(MESSAGE_ID, a_person_mail())

    outcome = intake.receive(a_notification())

    assert rights.calls == [
        {
            "channel": Channel.EMAIL,
            "email": PERSON["email"],
            "right": RightType.ACCESS,
            "locale": "nl",
            # SES's receipt time, not the sender's Date header: the deadline counts from here
            "received_at": datetime(2025, 2, 3, 9, 12, 45, 311000, tzinfo=UTC),
            "raw_mail_key": "raw/" + MESSAGE_ID,
            # numbers only, for the request's audit trail, and the ids of the classifier's rules that matched
            "counts": {"raw_mail_bytes": len(a_person_mail()), "attachments": 0, "rule:access.nl_inzage": 1},
        }
    ]
    assert (outcome.outcome, outcome.right, outcome.message_id) == ("received", RightType.ACCESS, MESSAGE_ID)
    assert outcome.request_id
    assert raw_mail.objects == {key: a_person_mail()}  # kept: the request refers to it


def test_an_unclear_mail_is_still_a_request_for_the_dpo(
    intake: RightsMailIntake, raw_mail: FakeRawMail, rights: FakeRights
) -> None:
    raw_mail.put(MESSAGE_ID, corpus_mail("de_ambiguous_access_and_erasure.eml"))

    outcome = intake.receive(a_notification())

    assert outcome.outcome == "received"
    assert [call["right"] for call in rights.calls] == [RightType.UNCLASSIFIED]
    assert rights.calls[0]["locale"] == "de"


def test_a_mail_too_complex_to_read_is_an_unclassified_request_marked_for_the_dpo(
    intake: RightsMailIntake, raw_mail: FakeRawMail, rights: FakeRights
) -> None:
    key = raw_mail.put(MESSAGE_ID, hostile.nested_multiparts(1_000))

    outcome = intake.receive(a_notification())

    assert (outcome.outcome, outcome.right) == ("received", RightType.UNCLASSIFIED)
    (call,) = rights.calls
    assert (call["email"], call["right"], call["raw_mail_key"]) == ("ann@example.org", "unclassified", key)
    assert call["counts"]["too_complex"] == 1
    assert call["counts"]["too_complex_containers"] == 1
    assert raw_mail.deleted == []  # the DPO reads the raw mail


def test_a_mail_read_whole_carries_no_too_complex_mark(
    intake: RightsMailIntake, raw_mail: FakeRawMail, rights: FakeRights
) -> None:
    raw_mail.put(MESSAGE_ID, a_person_mail())
    intake.receive(a_notification())
    assert "too_complex" not in rights.calls[0]["counts"]


@pytest.mark.parametrize(
    ("dmarc", "policy"), [("FAIL", "none"), ("FAIL", "quarantine"), ("FAIL", None), ("GRAY", None)]
)
def test_dmarc_failures_without_a_reject_policy_are_still_answered(
    intake: RightsMailIntake, raw_mail: FakeRawMail, rights: FakeRights, dmarc: str, policy: str | None
) -> None:
    raw_mail.put(MESSAGE_ID, a_person_mail())
    receipt: dict[str, Any] = {"dmarcVerdict": {"status": dmarc}}
    if policy:
        receipt["dmarcPolicy"] = policy

    assert intake.receive(a_notification(**receipt)).outcome == "received"
    assert len(rights.calls) == 1


# ---------------------------------------------------------------- never answered


@pytest.mark.parametrize(
    ("receipt", "expected"),
    [
        ({"spamVerdict": {"status": "FAIL"}}, "spam"),
        ({"virusVerdict": {"status": "FAIL"}}, "virus"),
        ({"spamVerdict": {"status": "FAIL"}, "virusVerdict": {"status": "FAIL"}}, "virus"),
        ({"dmarcVerdict": {"status": "FAIL"}, "dmarcPolicy": "REJECT"}, "forged"),
    ],
)
def test_failed_verdicts_get_no_reply_and_nothing_is_kept(
    intake: RightsMailIntake,
    raw_mail: FakeRawMail,
    rights: FakeRights,
    receipt: dict[str, Any],
    expected: str,
) -> None:
    key = raw_mail.put(MESSAGE_ID, a_person_mail())

    outcome = intake.receive(a_notification(**receipt))

    assert outcome.outcome == expected
    assert outcome.right is None
    assert rights.calls == []
    assert raw_mail.deleted == [key]
    assert raw_mail.objects == {}


def test_a_failed_verdict_never_reads_the_mail(intake: RightsMailIntake, rights: FakeRights) -> None:
    # no object at all: reading it would raise
    assert intake.receive(a_notification(virusVerdict={"status": "FAIL"})).outcome == "virus"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            a_person_mail("Automatic reply: Verzoek om inzage", **{"Auto-Submitted": "auto-replied"}),
            "automatic",
        ),
        (a_person_mail(**{"From": "undisclosed-recipients:;"}), "no_sender"),
    ],
)
def test_automatic_mail_and_mail_without_a_sender_are_not_answered(
    intake: RightsMailIntake, raw_mail: FakeRawMail, rights: FakeRights, raw: bytes, expected: str
) -> None:
    key = raw_mail.put(MESSAGE_ID, raw)

    assert intake.receive(a_notification()).outcome == expected
    assert rights.calls == []
    assert raw_mail.deleted == [key]


# ---------------------------------------------------------------- failures


def test_a_missing_raw_mail_raises_so_lambda_retries(intake: RightsMailIntake, rights: FakeRights) -> None:
    with pytest.raises(RawMailMissing):
        intake.receive(a_notification())
    assert rights.calls == []


def test_a_failing_rights_service_raises_and_the_raw_mail_stays(
    intake: RightsMailIntake, raw_mail: FakeRawMail, rights: FakeRights
) -> None:
    key = raw_mail.put(MESSAGE_ID, a_person_mail())
    rights.failing = True

    with pytest.raises(ServiceUnavailable):
        intake.receive(a_notification())
    assert key in raw_mail.objects
    assert raw_mail.deleted == []


# ---------------------------------------------------------------- logs


def test_logs_carry_ids_verdicts_and_the_right_never_the_person(
    intake: RightsMailIntake, raw_mail: FakeRawMail
) -> None:
    before = len(lines())
    raw_mail.put(MESSAGE_ID, a_person_mail())
    intake.receive(a_notification())
    raw_mail.put(MESSAGE_ID, a_person_mail())
    intake.receive(a_notification(spamVerdict={"status": "FAIL"}))

    logged = lines()[before:]
    received, silent = (json.loads(line) for line in logged if line.startswith("{"))
    assert received["message_id"] == MESSAGE_ID
    assert received["right"] == "access"
    assert received["verdicts"]["spam"] == "PASS"
    assert received["bytes"] > 0
    assert silent["outcome"] == "spam"
    needles = [PERSON["email"], PERSON["name"], "Verzoek om inzage", "inzage in mijn gegevens", "privacy@"]
    assert leaks(logged, needles) == []


# ---------------------------------------------------------------- the SES event


def test_the_sample_event_is_read() -> None:
    (notification,) = parse_ses_event(an_ses_event())
    assert notification.mail.message_id == MESSAGE_ID
    assert notification.receipt.verdicts() == {
        "spam": "PASS",
        "virus": "PASS",
        "spf": "PASS",
        "dkim": "PASS",
        "dmarc": "PASS",
    }
    assert rejection(notification) is None


def test_what_powertools_sesmodel_rejects_is_accepted() -> None:
    # `sam local generate-event ses email-receiving` has no dmarcVerdict; a mail may lack a Subject;
    # and a rule could invoke RequestResponse
    event = an_ses_event(action={"type": "Lambda", "invocationType": "RequestResponse", "functionArn": "x"})
    del event["Records"][0]["ses"]["receipt"]["dmarcVerdict"]
    del event["Records"][0]["ses"]["mail"]["commonHeaders"]["subject"]
    (notification,) = parse_ses_event(event)
    assert notification.receipt.dmarc.status == "GRAY"
    assert notification.receipt.action is not None
    assert notification.receipt.action.invocation_type == "RequestResponse"


def test_verdicts_are_read_case_insensitively() -> None:
    assert a_notification(spamVerdict={"status": "fail"}).receipt.spam.failed


def test_the_parsed_event_holds_no_header() -> None:
    (notification,) = parse_ses_event(an_ses_event())
    dumped = json.dumps(notification.model_dump(mode="json"))
    for value in ("anna.devries@example.org", "Verzoek om inzage", "privacy@shop.example"):
        assert value not in dumped


@pytest.mark.parametrize("message_id", ["../other/key", "a/b", "", ".hidden", "x" * 201])
def test_a_message_id_that_could_leave_the_prefix_is_refused(message_id: str) -> None:
    event = an_ses_event()
    event["Records"][0]["ses"]["mail"]["messageId"] = message_id
    with pytest.raises(InvalidSesEvent, match="messageId"):
        parse_ses_event(event)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.pop("Records"), "Records"),
        (lambda e: e.update(Records=[]), "Records"),
        (lambda e: e["Records"][0].update(eventSource="aws:s3"), "eventSource"),
        (lambda e: e["Records"][0]["ses"]["mail"].pop("timestamp"), "timestamp"),
    ],
)
def test_an_invalid_event_names_fields_never_values(mutate: Any, field: str) -> None:
    event = copy.deepcopy(an_ses_event())
    mutate(event)
    with pytest.raises(InvalidSesEvent) as raised:
        parse_ses_event(event)
    assert field in str(raised.value)
    assert "example.org" not in str(raised.value)
