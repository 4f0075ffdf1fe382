"""`python -m tools.reapply_erasures` on moto: a point-in-time restore brings erased inquiries back, the
command forgets them again from the ledger (docs/operations.md "Restoring from a backup").

The restore is simulated as DynamoDB makes it: a new table with InquiriesTable's keys and indexes, holding
the items as they were at the restore point (here: the items as stored before the erasures, put back).
The erasures themselves are the production Eraser's, so the ledger holds what it really writes.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contact_intake.intake.models import InquiryStatus
from contact_intake.retention.erasure import ErasureReason
from contact_intake.retention.ledger import ErasureEntry, ErasureLedger
from contact_intake.retention.wiring import SweeperWiring
from tests.builders import PERSON, an_inquiry_record
from tests.fakes import FakeClock
from tests.helpdesk_fake import FakeFreshdesk
from tools import reapply_erasures

RESTORED = "inquiries-restored-2026-05-01"
ERASED_PERSON = "e" * 64  # asked for erasure (Art. 17)
RESOLVED_PERSON = "r" * 64  # a prospect whose question was resolved
BYSTANDER = "b" * 64


def restore_table(aws: Any, items: list[dict[str, Any]]) -> None:
    """A restore to a new table: InquiriesTable's schema and indexes (as PITR restores them), the items."""
    source = aws.dynamodb.describe_table(TableName=aws.name("InquiriesTable"))["Table"]
    aws.dynamodb.create_table(
        TableName=RESTORED,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=source["AttributeDefinitions"],
        KeySchema=source["KeySchema"],
        GlobalSecondaryIndexes=[
            {"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in source["GlobalSecondaryIndexes"]
        ],
    )
    for item in items:
        aws.dynamodb.put_item(TableName=RESTORED, Item=item)


def restored_ids(aws: Any) -> set[str]:
    return {i["inquiry_id"]["S"] for i in aws.dynamodb.scan(TableName=RESTORED)["Items"]}


def ledger_ids(aws: Any) -> set[str]:
    return {
        i["inquiry_id"]["S"] for i in aws.dynamodb.scan(TableName=aws.name("ErasureLedgerTable"))["Items"]
    }


def inquiry(aws: Any, helpdesk: FakeFreshdesk, subject_key: str, received_at: datetime) -> str:
    """A forwarded inquiry with its ticket, stored as the intake and forwarder leave it."""
    record = an_inquiry_record(
        subject_key=subject_key, received_at=received_at, status=InquiryStatus.FORWARDED
    )
    ticket_id = max(helpdesk.tickets, default=500) + 1
    helpdesk.add_ticket(
        "x@example.org", "x", "s", ticket_id=ticket_id, description="d", tags=[], source=2,
        cf_inquiry_id=record.inquiry_id,
    )  # fmt: skip
    record.helpdesk_ticket_id = ticket_id
    aws.put_inquiry(record)
    return str(record.inquiry_id)


@pytest.fixture
def history(aws: Any, sweeper: SweeperWiring, helpdesk: FakeFreshdesk, clock: FakeClock) -> dict[str, Any]:
    """Inquiries, a backup taken, then erasures by the production Eraser, and the restore."""
    start = clock()
    ids = {
        "erased_1": inquiry(aws, helpdesk, ERASED_PERSON, start - timedelta(days=20)),
        "erased_2": inquiry(aws, helpdesk, ERASED_PERSON, start - timedelta(days=3)),
        "resolved": inquiry(aws, helpdesk, RESOLVED_PERSON, start - timedelta(days=2)),
        "bystander": inquiry(aws, helpdesk, BYSTANDER, start - timedelta(days=1)),
    }
    table = aws.name("InquiriesTable")
    backup = aws.dynamodb.scan(TableName=table)["Items"]  # the restore point
    # an inquiry of the erased person that is in the backup but not in the ledger: one the erasure's index
    # query did not yet show (GSI lag), say
    lagging = an_inquiry_record(
        subject_key=ERASED_PERSON,
        received_at=start - timedelta(hours=1),
        status=InquiryStatus.FORWARDED,
        helpdesk_ticket_id=999,
    )
    backup.append(_item(lagging))
    ids["lagging"] = lagging.inquiry_id

    clock.advance(days=1)
    summary = sweeper.eraser.erase_subject(ERASED_PERSON, ErasureReason.RIGHTS_REQUEST)
    assert summary.erased == 2
    sweeper.eraser.erase_inquiry(ids["resolved"], ErasureReason.RESOLVED)
    # after the erasure the person writes again: a new inquiry, which the restore point does not hold ...
    clock.advance(days=1)
    ids["new_after"] = inquiry(aws, helpdesk, ERASED_PERSON, clock())
    restore_table(aws, backup)
    # ... and one restored item the restored table holds received after the erasure (same person)
    later = an_inquiry_record(subject_key=ERASED_PERSON, received_at=clock())
    aws.dynamodb.put_item(TableName=RESTORED, Item=_item(later))
    ids["later"] = later.inquiry_id
    return ids


def _item(record: Any) -> dict[str, Any]:
    from contact_intake.intake.store import to_item

    return dict(to_item(record))


def run(aws: Any, *arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["--table", RESTORED, "--ledger", aws.name("ErasureLedgerTable"), *arguments]
    code = reapply_erasures.main(argv, client=aws.dynamodb, out=out)
    return code, out.getvalue()


def test_the_restore_brings_erased_inquiries_back_and_the_command_forgets_them_again(
    aws: Any, history: dict[str, str], helpdesk: FakeFreshdesk
) -> None:
    restored = restored_ids(aws)
    assert {history["erased_1"], history["erased_2"], history["resolved"], history["lagging"]} <= restored
    assert aws.find_item(history["erased_1"]) is None  # gone from the live table
    ledger_before, helpdesk_calls = ledger_ids(aws), sum(helpdesk.calls.values())

    # a dry run counts and changes nothing
    code, output = run(aws, "--dry-run")
    assert code == 0
    assert "dry run" in output
    assert "ledgered inquiries present in the restored table, would delete: 3" in output
    assert "their other inquiries received before the erasure, would delete and ledgered: 1" in output
    assert (restored_ids(aws), ledger_ids(aws)) == (restored, ledger_before)

    code, output = run(aws)
    assert code == 0
    assert restored_ids(aws) == {history["bystander"], history["later"]}
    assert "ledgered inquiries present in the restored table, deleted: 3" in output
    assert "their other inquiries received before the erasure, deleted and ledgered: 1" in output
    assert "subjects with a subject-wide erasure: 1" in output
    # the lagging inquiry is now in the ledger too: the next restore forgets it without the subject rule
    assert ledger_ids(aws) == ledger_before | {history["lagging"]}
    # its ticket may still exist at the helpdesk, which the command never calls: the operator is told
    assert "helpdesk tickets of those inquiries, to delete at the helpdesk by hand: 999 " in output
    assert sum(helpdesk.calls.values()) == helpdesk_calls
    # ids and counts only: no personal data, not even the subject's hash
    for value in [*PERSON.values(), ERASED_PERSON]:
        assert value not in output

    # idempotent
    code, output = run(aws)
    assert "deleted: 0" in output
    assert "deleted and ledgered: 0" in output
    assert restored_ids(aws) == {history["bystander"], history["later"]}


def test_an_item_received_after_its_erasure_under_the_same_id_is_kept(
    aws: Any, history: dict[str, str], clock: FakeClock
) -> None:
    # the same Idempotency-Key posted again after the erasure gives the same inquiry id: a new inquiry
    again = an_inquiry_record(
        inquiry_id=history["resolved"], subject_key=RESOLVED_PERSON, received_at=clock() + timedelta(hours=1)
    )
    aws.dynamodb.put_item(TableName=RESTORED, Item=_item(again))
    future = (clock() + timedelta(days=30)).astimezone(UTC).isoformat()
    _, output = run(aws, "--since", future)
    assert "ledger entries read: 0" in output

    _, output = run(aws)

    assert history["resolved"] in restored_ids(aws)
    assert f"kept, received after their erasure under the same id: 1 ({history['resolved']})" in output


def test_copy_missing_brings_back_what_the_live_table_lost_and_nothing_erased(
    aws: Any, history: dict[str, str], clock: FakeClock
) -> None:
    live = aws.name("InquiriesTable")
    # the incident the restore is for: the bystander's inquiry was lost from the live table
    aws.dynamodb.delete_item(TableName=live, Key={"inquiry_id": {"S": history["bystander"]}})
    # a restored inquiry already past its 12 months, and one the live system erases during the restore
    expired = an_inquiry_record(subject_key=BYSTANDER, received_at=clock() - timedelta(days=400))
    aws.dynamodb.put_item(TableName=RESTORED, Item=_item(expired))
    erased_meanwhile = an_inquiry_record(subject_key=BYSTANDER, received_at=clock() - timedelta(days=5))
    aws.dynamodb.put_item(TableName=RESTORED, Item=_item(erased_meanwhile))
    ErasureLedger(table_name=aws.name("ErasureLedgerTable"), client=lambda: aws.dynamodb).record(
        ErasureEntry(BYSTANDER, erased_meanwhile.inquiry_id, clock(), "resolved")
    )
    live_before = {i["inquiry_id"]["S"] for i in aws.dynamodb.scan(TableName=live)["Items"]}

    code, output = run(aws, "--copy-missing-to", live, "--dry-run")
    assert "restored inquiries the live table" in output
    assert {i["inquiry_id"]["S"] for i in aws.dynamodb.scan(TableName=live)["Items"]} == live_before

    code, output = run(aws, "--copy-missing-to", live)

    assert code == 0
    live_after = {i["inquiry_id"]["S"] for i in aws.dynamodb.scan(TableName=live)["Items"]}
    assert live_after == live_before | {history["bystander"], history["later"]}
    assert f"restored inquiries the live table {live} lacked, copied: 2" in output
    assert "not copied, past their expires_at: 1" in output
    # the erasure ledgered before the run: the run's first step already deleted it from the restored table
    assert "not copied, erased meanwhile (in the ledger): 0" in output
    assert erased_meanwhile.inquiry_id not in live_after
    # a second copy finds everything in place
    _, output = run(aws, "--copy-missing-to", live)
    assert "copied: 0" in output
    # an erasure between the two steps (the ledger written after the first): the copy skips it too
    aws.dynamodb.put_item(TableName=RESTORED, Item=_item(erased_meanwhile))
    copied = reapply_erasures.copy_missing(
        aws.dynamodb, RESTORED, live, aws.name("ErasureLedgerTable"), now=clock, out=io.StringIO()
    )
    assert (copied.copied, copied.ledgered) == (0, 1)
    assert aws.find_item(erased_meanwhile.inquiry_id) is None


def test_the_same_table_twice_is_refused() -> None:
    out = io.StringIO()
    assert reapply_erasures.main(["--table", "t", "--ledger", "t"], client=object(), out=out) == 2  # type: ignore[arg-type]
    argv = ["--table", "t", "--ledger", "l", "--copy-missing-to", "t"]
    assert reapply_erasures.main(argv, client=object(), out=out) == 2  # type: ignore[arg-type]
