"""The access/portability document: every stored attribute of every inquiry, the Art. 15(1) facts per record
(a prospect's 12-month deadline, a customer's account lifetime, recipients by what happened to the record),
the helpdesk's copy and the recordings as given, all of it valid against docs/rights-export-v1.schema.json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from contact_intake.models import InquiryStatus
from contact_intake.retention import LawfulBasis
from contact_intake.rights.export import (
    RIGHTS,
    ExportContents,
    HelpdeskCopy,
    build_export,
    export_attachment,
    plain,
    record_facts,
    stored_record,
)
from contact_intake.rights.models import Channel, RequestStatus, RightsRequest, RightType
from tests.builders import PERSON, an_inquiry_record

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "rights-export-v1.schema.json").read_text()
)
NOW = datetime(2026, 11, 25, 4, 24, 36, tzinfo=UTC)
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
    ticket = {"id": 17, "subject": PERSON["subject"], "description": "<div>x</div>", "custom_fields": {}}
    conversations = [{"id": 1, "body_text": "We will exchange it."}, {"id": 2, "body_text": "Thanks!"}]
    contents = ExportContents(
        inquiries=[newer, older],
        helpdesk=HelpdeskCopy(contact={"id": 5, "email": PERSON["email"]}, tickets=[(ticket, conversations)]),
        recordings=[{"recording_id": "r1"}],
    )

    document = build_export(a_request(RightType.PORTABILITY), contents, generated_at=NOW)

    jsonschema.validate(document, SCHEMA)
    assert document["schema_version"] == "1.0"
    assert document["generated_at"] == "2026-11-25T04:24:36Z"
    assert [i["record"]["inquiry_id"] for i in document["inquiries"]] == ["b-older", "a-newer"]
    assert document["summary"] == {
        "inquiries": 2,
        "helpdesk_tickets": 1,
        "helpdesk_conversations": 2,
        "call_recordings": 1,
    }
    assert document["helpdesk"]["tickets"][0]["conversations"][1]["body_text"] == "Thanks!"
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
    assert document["helpdesk"] == {"recipient": "freshworks", "contact": None, "tickets": []}


def test_the_attachment_is_utf8_json_named_after_the_reference() -> None:
    request = a_request()
    document = build_export(request, ExportContents(inquiries=[an_inquiry_record()]), generated_at=NOW)

    name, content, media_type = export_attachment(request, document)

    assert name == "personal-data-0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11.json"
    assert media_type == "application/json"
    assert PERSON["name"].encode() in content  # "Zoë" as UTF-8, not \u escapes
    assert json.loads(content) == document
