"""`python -m tools.canonicalise_addresses` on the template's tables (moto) holding rows written before D60:
mixed spellings of one mailbox, keys of the old normalisation, a row keyed with another pepper."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from contact_intake.core.subject import legacy_subject_key, subject_key
from contact_intake.recordings.models import LinkedBy, RecordingStatus
from contact_intake.recordings.store import to_item as recording_item
from tests.builders import a_recording, an_inquiry_record
from tests.integration.conftest import LOCAL_SECRETS, Aws
from tools import canonicalise_addresses

PEPPER_PARAM = "/contact-intake/subject-pepper"
PEPPER = LOCAL_SECRETS[PEPPER_PARAM].encode()
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CANONICAL = "ann@xn--bcher-kva.example"


def put_inquiry(aws: Aws, inquiry_id: str, email: str, key: str, **extra: Any) -> None:
    record = an_inquiry_record(inquiry_id=inquiry_id, email=email, subject_key=key, **extra)
    aws.put_inquiry(record)


def put_request(aws: Aws, request_id: str, email: str, key: str) -> None:
    aws.dynamodb.put_item(
        TableName=aws.name("RightsRequestsTable"),
        Item={
            "request_id": {"S": request_id},
            "email": {"S": email},
            "subject_key": {"S": key},
            "status": {"S": "completed"},
            "type": {"S": "access"},
        },
    )


def put_recording(aws: Aws, recording_id: str, key: str, linked_by: str = LinkedBy.CUSTOMER) -> None:
    recording = a_recording(
        recording_id,
        key,
        NOW,
        call_id="call-1",
        linked_by=linked_by,
        status=RecordingStatus.STORED,
        upload_deadline=None,
    )
    aws.dynamodb.put_item(TableName=aws.name("RecordingsTable"), Item=recording_item(recording))


def scan(aws: Aws, table: str) -> dict[str, dict[str, Any]]:
    key = {
        "InquiriesTable": "inquiry_id",
        "RightsRequestsTable": "request_id",
        "AccountsTable": "customer_number",
        "RecordingsTable": "recording_id",
    }[table]
    items = aws.dynamodb.scan(TableName=aws.name(table))["Items"]
    return {item[key]["S"]: item for item in items}


def migrate(aws: Aws, *flags: str) -> str:
    out = io.StringIO()
    argv = [
        "--inquiries", aws.name("InquiriesTable"),
        "--rights-requests", aws.name("RightsRequestsTable"),
        "--accounts", aws.name("AccountsTable"),
        "--recordings", aws.name("RecordingsTable"),
        "--pepper-param", PEPPER_PARAM,
        *flags,
    ]  # fmt: skip
    assert canonicalise_addresses.main(argv, client=aws.dynamodb, out=out, pepper=lambda _: PEPPER) == 0
    return out.getvalue()


@pytest.fixture
def old_rows(aws: Aws) -> None:
    """What the stack stored before D60, for one mailbox spelled three ways and a few bystanders."""
    unicode_form = "Ann@bücher.example"  # the form's validator kept the local part's case, gave Unicode
    legacy = legacy_subject_key(unicode_form, PEPPER)
    put_inquiry(aws, "i-unicode", unicode_form, legacy, customer_number="C-1", expires_at=None)
    put_inquiry(aws, "i-nfd", "ann@bu\u0308cher.example", legacy)  # NFD: the old key NFC'd it too
    put_inquiry(aws, "i-a-label", CANONICAL, subject_key(CANONICAL, PEPPER))  # a rights-mail spelling
    put_inquiry(aws, "i-ascii-case", "Zoe@Example.org", subject_key("zoe@example.org", PEPPER))
    put_inquiry(aws, "i-plain", "bob@example.org", subject_key("bob@example.org", PEPPER))
    put_inquiry(aws, "i-other-pepper", "eve@bücher.example", legacy_subject_key("eve@bücher.example", b"x"))
    put_request(aws, "r-unicode", "ann@bücher.example", legacy)
    put_request(aws, "r-a-label", CANONICAL, subject_key(CANONICAL, PEPPER))
    aws.dynamodb.put_item(
        TableName=aws.name("AccountsTable"),
        Item={"customer_number": {"S": "C-1"}, "status": {"S": "open"}, "subject_key": {"S": legacy},
              "version": {"S": "2026-01-01T00:00:00.000Z#0"}},
    )  # fmt: skip
    aws.dynamodb.put_item(
        TableName=aws.name("AccountsTable"),
        Item={"customer_number": {"S": "C-2"}, "status": {"S": "closed"}, "version": {"S": "x"}},
    )
    put_recording(aws, "0b9c6f1e-3a4d-4e5f-8a7b-1c2d3e4f5a6b", legacy)
    put_recording(aws, "1b9c6f1e-3a4d-4e5f-8a7b-1c2d3e4f5a6b", "p" * 64, LinkedBy.PHONE)


def test_a_dry_run_counts_per_table_and_changes_nothing(aws: Aws, old_rows: None) -> None:
    before = {
        t: scan(aws, t) for t in ("InquiriesTable", "RightsRequestsTable", "AccountsTable", "RecordingsTable")
    }
    printed = migrate(aws, "--dry-run")
    after = {t: scan(aws, t) for t in before}
    assert after == before
    lines = printed.splitlines()
    inquiries = aws.name("InquiriesTable")
    expected = (
        "read 6, would change 3, already canonical 2, changed meanwhile 0, invalid address 0, "
        "unrecognised key 1"
    )
    assert f"{inquiries}: {expected}" in lines
    assert any(
        line.startswith(f"{aws.name('RightsRequestsTable')}: read 2, would change 1") for line in lines
    )
    assert any(line.startswith(f"{aws.name('AccountsTable')}: read 2, would change 1") for line in lines)
    assert any(line.startswith(f"{aws.name('RecordingsTable')}: read 2, would change 1") for line in lines)
    assert "subject keys replaced: 1" in lines
    for personal in ("ann@", "bücher", "zoe@", "Zoe@", subject_key(CANONICAL, PEPPER)):
        assert personal not in printed


def test_the_migration_gives_every_spelling_one_address_and_one_key_and_is_idempotent(
    aws: Aws, old_rows: None
) -> None:
    migrate(aws)
    key = subject_key(CANONICAL, PEPPER)

    inquiries = scan(aws, "InquiriesTable")
    for inquiry_id in ("i-unicode", "i-nfd", "i-a-label"):
        assert inquiries[inquiry_id]["email"] == {"S": CANONICAL}
        assert inquiries[inquiry_id]["subject_key"] == {"S": key}
    assert inquiries["i-ascii-case"]["email"] == {"S": "zoe@example.org"}
    assert inquiries["i-plain"]["email"] == {"S": "bob@example.org"}
    # keyed with another pepper: left alone, counted
    assert inquiries["i-other-pepper"]["email"] == {"S": "eve@bücher.example"}

    requests = scan(aws, "RightsRequestsTable")
    assert {r["email"]["S"] for r in requests.values()} == {CANONICAL}
    assert {r["subject_key"]["S"] for r in requests.values()} == {key}
    assert scan(aws, "AccountsTable")["C-1"]["subject_key"] == {"S": key}
    recordings = scan(aws, "RecordingsTable")
    assert recordings["0b9c6f1e-3a4d-4e5f-8a7b-1c2d3e4f5a6b"]["subject_key"] == {"S": key}
    assert recordings["1b9c6f1e-3a4d-4e5f-8a7b-1c2d3e4f5a6b"]["subject_key"] == {"S": "p" * 64}

    snapshot = {
        t: scan(aws, t) for t in ("InquiriesTable", "RightsRequestsTable", "AccountsTable", "RecordingsTable")
    }
    again = migrate(aws)
    assert {t: scan(aws, t) for t in snapshot} == snapshot
    assert f"{aws.name('InquiriesTable')}: read 6, changed 0, already canonical 5" in again
