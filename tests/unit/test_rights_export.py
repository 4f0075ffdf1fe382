"""The access/portability document: every stored attribute of every inquiry, the Art. 15(1) facts per record
(a prospect's 12-month deadline, a customer's account lifetime, recipients by what happened to the record),
the person's own part of the helpdesk's copy (an allow-list; the rest listed for the DPO's review) and the
recordings as given, all of it valid against docs/rights-export-v2.schema.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from contact_intake.core.retention import LawfulBasis
from contact_intake.helpdesk.freshdesk import helpdesk_copy
from contact_intake.intake.models import InquiryStatus
from contact_intake.rights.export import (
    HELPDESK_SCOPE,
    RIGHTS,
    ExportContents,
    WithheldReason,
    build_export,
    export_attachment,
    helpdesk_part,
    plain,
    record_facts,
    stored_record,
)
from contact_intake.rights.models import Channel, RequestStatus, RightsRequest, RightType
from tests.builders import NOW, PERSON, an_inquiry_record

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "rights-export-v2.schema.json").read_text()
)
RECEIVED = datetime(2026, 2, 28, 9, 30, tzinfo=UTC)


def a_request(right: RightType = RightType.ACCESS) -> RightsRequest:
    return RightsRequest(
        request_id="0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11",
        type=right,
        subject_key="a" * 64,
        channel=Channel.EMAIL,
        status=RequestStatus.IN_PROGRESS,
        received_at=NOW,
        due_at=NOW,
        locale="fr",
        email=PERSON["email"],
        expires_at=2_000_000_000,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"S": "text"}, "text"),
        ({"N": "42"}, 42),
        ({"N": "0.5"}, 0.5),
        ({"BOOL": False}, False),
        ({"NULL": True}, None),
        ({"L": [{"S": "a"}, {"N": "1"}]}, ["a", 1]),
        ({"M": {"k": {"S": "v"}}}, {"k": "v"}),
        ({"NS": ["3", "1"]}, [1, 3]),
        ({"SS": ["b", "a"]}, ["a", "b"]),
    ],
)
def test_stored_values_become_plain_json(value: dict[str, object], expected: object) -> None:
    assert plain(value) == expected


def test_the_record_is_every_stored_attribute() -> None:
    record = an_inquiry_record(received_at=RECEIVED, helpdesk_ticket_id=17, status=InquiryStatus.FORWARDED)
    record.extra = {"added_later": {"S": "kept"}}

    stored = stored_record(record)

    assert stored["message"] == PERSON["message"]
    assert stored["helpdesk_ticket_id"] == 17
    assert stored["restricted"] is False
    assert stored["added_later"] == "kept"  # an attribute this code does not know is exported too
    assert stored["expiry_day"] == "2027-02-28"  # bookkeeping is stored data as well
    assert list(stored) == sorted(stored)


def test_a_prospects_record_is_kept_twelve_months_at_most() -> None:
    record = an_inquiry_record(received_at=RECEIVED)

    facts = record_facts(record)

    assert facts["lawful_basis"]["code"] == "legitimate_interests"
    assert facts["lawful_basis"]["article"] == "Art. 6(1)(f) GDPR"
    assert facts["retention"]["rule"] == "until_handled_at_most_12_months"
    assert facts["retention"]["erased_at_the_latest"] == "2027-02-28T09:30:00Z"
    assert facts["purposes"] == ["answer_inquiry", "bot_protection"]
    assert facts["recipients"] == ["google_recaptcha"]  # not (yet) at the helpdesk
    assert facts["source"] == "data_subject_web_form"


def test_a_customers_record_is_kept_for_the_accounts_lifetime() -> None:
    record = an_inquiry_record(
        received_at=RECEIVED,
        lawful_basis=LawfulBasis.CONTRACT,
        customer_number=PERSON["customer_number"],
        expires_at=None,
        status=InquiryStatus.RESOLVED,
        restricted=True,
    )

    facts = record_facts(record)

    assert facts["lawful_basis"]["article"] == "Art. 6(1)(b) GDPR"
    assert facts["retention"]["rule"] == "account_lifetime"
    assert facts["retention"]["erased_at_the_latest"] is None
    assert "account" in facts["retention"]["description"]
    assert facts["purposes"] == ["answer_inquiry", "link_customer_profile", "bot_protection"]
    assert facts["recipients"] == ["freshworks", "google_recaptcha"]
    assert facts["restricted"] is True


def test_the_document_holds_everything_and_keeps_the_schema() -> None:
    older = an_inquiry_record(received_at=RECEIVED, inquiry_id="b-older")
    newer = an_inquiry_record(received_at=NOW, inquiry_id="a-newer")
    ticket = {"id": 17, "subject": PERSON["subject"], "description": "<div>x</div>", "description_text": "x",
              "custom_fields": {}, "requester_id": 5, "status": 4}  # fmt: skip
    conversations = [
        {"id": 1, "body_text": "We will exchange it.", "incoming": False, "private": False,
         "to_emails": [PERSON["email"]], "user_id": 77},
        {"id": 2, "body_text": "Thanks!", "incoming": True, "private": False, "user_id": 5},
    ]  # fmt: skip
    contents = ExportContents(
        inquiries=[newer, older],
        helpdesk=helpdesk_copy({"id": 5, "email": PERSON["email"]}, [(ticket, conversations)]),
        recordings=[{"recording_id": "r1"}],
    )

    document = build_export(a_request(RightType.PORTABILITY), contents, generated_at=NOW)

    jsonschema.validate(document, SCHEMA)
    assert document["schema_version"] == "2.0"
    assert document["generated_at"] == "2026-11-25T04:24:36Z"
    assert [i["record"]["inquiry_id"] for i in document["inquiries"]] == ["b-older", "a-newer"]
    assert document["summary"] == {
        "inquiries": 2,
        "helpdesk_tickets": 1,
        "helpdesk_messages": 3,
        "call_recordings": 1,
    }
    (exported_ticket,) = document["helpdesk"]["tickets"]
    assert exported_ticket["status"] == "resolved"
    assert [(m["id"], m["kind"], m["text"]) for m in exported_ticket["messages"]] == [
        (None, "your_question", "x"),
        (1, "reply_to_you", "We will exchange it."),
        (2, "your_message", "Thanks!"),
    ]
    processing = document["processing"]
    assert set(processing["recipients"]) == {"freshworks", "google_recaptcha"}
    assert "standard contractual clauses" in processing["recipients"]["freshworks"]["safeguards"]
    assert processing["recipients"]["freshworks"]["role"].startswith("processor")
    assert processing["automated_decision_making"]["exists"] is False
    assert [r["right"] for r in processing["rights"]] == [right for right, _, _ in RIGHTS]
    assert "autoriteitpersoonsgegevens.nl" in json.dumps(processing["rights"])


def test_an_empty_document_is_still_a_valid_answer() -> None:
    document = build_export(a_request(), ExportContents(), generated_at=NOW)

    jsonschema.validate(document, SCHEMA)
    assert document["inquiries"] == []
    assert document["helpdesk"] == {
        "recipient": "freshworks",
        "scope": HELPDESK_SCOPE,
        "contact": None,
        "tickets": [],
    }


def test_the_attachment_is_utf8_json_named_after_the_reference() -> None:
    request = a_request()
    document = build_export(request, ExportContents(inquiries=[an_inquiry_record()]), generated_at=NOW)

    name, content, media_type = export_attachment(request, document)

    assert name == "personal-data-0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11.json"
    assert media_type == "application/json"
    assert PERSON["name"].encode() in content  # "Zoë" as UTF-8, not \u escapes
    assert json.loads(content) == document


OTHER_PERSON = "piet.bakker@example.net"
COLLEAGUE = "jan@shop.example"


def a_ticket_with_others_on_it() -> tuple[dict[str, object], list[dict[str, object]]]:
    """Freshdesk's answers (GET /tickets/{id}, GET /tickets/{id}/conversations) for a ticket on which an agent
    wrote a private note, cc'd someone, replied to another participant, and that participant wrote too."""
    ticket = {
        "id": 31,
        "subject": "Broken bag",
        "status": 2,
        "requester_id": 5,
        "description": "<div>Bag torn</div>",
        "description_text": "Bag torn",
        "cc_emails": [OTHER_PERSON],
        "fwd_emails": [COLLEAGUE],
        "reply_cc_emails": [OTHER_PERSON],
        "to_emails": None,
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-02T10:00:00Z",
        "custom_fields": {"cf_internal_rating": "difficult"},
        "tags": ["vip"],
        "responder_id": 77,
    }
    conversations = [
        {"id": 901, "body_text": "Customer sounds angry, check history", "incoming": False, "private": True,
         "source": 2, "user_id": 77, "to_emails": [], "cc_emails": [], "bcc_emails": []},
        {"id": 902, "body_text": "We send a new bag today.", "incoming": False, "private": False, "source": 0,
         "user_id": 77, "to_emails": [f"Zoe <{PERSON['email'].upper()}>"], "cc_emails": [OTHER_PERSON],
         "bcc_emails": [COLLEAGUE], "from_email": "support@shop.example",
         "support_email": "support@shop.example"},
        {"id": 903, "body_text": "Piet, can you confirm the address?", "incoming": False, "private": False,
         "source": 0, "user_id": 77, "to_emails": [OTHER_PERSON], "cc_emails": [], "bcc_emails": []},
        {"id": 904, "body_text": "Yes, Dorpsstraat 1", "incoming": True, "private": False, "source": 0,
         "user_id": 6, "from_email": OTHER_PERSON, "to_emails": ["support@shop.example"]},
        {"id": 905, "body_text": "Thank you!", "incoming": True, "private": False, "source": 0, "user_id": 5,
         "from_email": PERSON["email"], "to_emails": ["support@shop.example"], "cc_emails": [OTHER_PERSON]},
    ]  # fmt: skip
    return ticket, conversations


def test_the_helpdesk_part_holds_only_the_persons_own_data_and_lists_the_rest_for_review() -> None:
    ticket, conversations = a_ticket_with_others_on_it()
    contact = {"id": 5, "name": PERSON["name"], "email": PERSON["email"], "language": "nl", "active": False,
               "description": "Difficult customer", "other_emails": [OTHER_PERSON]}  # fmt: skip
    contents = ExportContents(helpdesk=helpdesk_copy(contact, [(ticket, conversations)]))

    document = build_export(a_request(), contents, generated_at=NOW)

    jsonschema.validate(document, SCHEMA)
    text = json.dumps(document)
    for leak in (OTHER_PERSON, COLLEAGUE, "angry", "Piet", "Dorpsstraat", "difficult", "Difficult", "vip"):
        assert leak not in text, leak
    (exported,) = document["helpdesk"]["tickets"]
    assert set(exported) == {"id", "subject", "status", "created_at", "updated_at", "messages"}
    assert [(m["id"], m["kind"]) for m in exported["messages"]] == [
        (None, "your_question"), (902, "reply_to_you"), (905, "your_message"),
    ]  # fmt: skip
    assert document["helpdesk"]["contact"]["email"] == PERSON["email"]
    assert "scope" in document["helpdesk"]
    assert document["summary"]["helpdesk_messages"] == 3

    _, review = helpdesk_part(contents.helpdesk, PERSON["email"])
    assert {(w.conversation_id, w.reason) for w in review.conversations} == {
        (901, WithheldReason.PRIVATE_NOTE),
        (903, WithheldReason.NOT_ADDRESSED_TO_THEM),
        (904, WithheldReason.OTHER_PARTICIPANT),
    }
    # ticket cc, fwd, reply_cc (3); 902's cc and bcc (2); 905's cc (1)
    assert review.other_addresses == 6
    assert review.contact_fields == 2  # description, other_emails
    counts = review.counts()
    assert (
        counts["private_notes"] == counts["replies_to_others"] == counts["other_participants_messages"] == 1
    )
    assert counts["conversation_901"] == counts["conversation_903"] == counts["conversation_904"] == 31
    assert all(isinstance(v, int) for v in counts.values())  # numbers only: the audit holds no personal data


def test_a_conversation_without_a_private_flag_is_withheld() -> None:
    """Fail closed: a shape Freshdesk did not promise is left for the DPO, not exported."""
    ticket = {"id": 1, "requester_id": 5, "status": 2, "subject": "s"}
    copy = helpdesk_copy(None, [(ticket, [{"id": 7, "body_text": "?", "incoming": True, "user_id": 5}])])

    section, review = helpdesk_part(copy, PERSON["email"])

    assert section["tickets"][0]["messages"] == []
    assert [(w.conversation_id, w.reason) for w in review.conversations] == [(7, WithheldReason.PRIVATE_NOTE)]
