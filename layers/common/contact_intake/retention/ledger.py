"""The erasure ledger: ErasureLedgerTable, one entry per erased inquiry, holding no personal data.

Partition key ``subject_key`` (the HMAC of the address, never the address), sort key ``inquiry_id``;
attributes ``erased_at``, ``reason``, the deleted helpdesk ticket ids, and the entry's own ``expires_at``.
After a point-in-time restore brings erased items back, erasing every ledgered ``inquiry_id`` again
(``Eraser.reapply``) makes the restore forget them a second time.

Keyed by the inquiry id (not ``erased_at#inquiry_id``) so a repeated erasure writes one entry, not many.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from contact_intake.core.dynamo import iso, put_if_absent, query_items, write_if

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

# Longer than any backup an erased item could come back from: point-in-time recovery reaches 35 days back;
# on-demand backups must not be kept longer than this (docs/operations.md "Retention and deletion").
LEDGER_RETENTION = timedelta(days=400)


@dataclass(frozen=True)
class ErasureEntry:
    """One erased inquiry: ids, hashes, a time and a reason. Nothing that names or contacts a person."""

    subject_key: str
    inquiry_id: str
    erased_at: datetime
    reason: str
    helpdesk_ticket_ids: tuple[int, ...] = field(default=())


def ledger_item(entry: ErasureEntry) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        "subject_key": {"S": entry.subject_key},
        "inquiry_id": {"S": entry.inquiry_id},
        "erased_at": {"S": iso(entry.erased_at)},
        "reason": {"S": entry.reason},
        "expires_at": {"N": str(int((entry.erased_at + LEDGER_RETENTION).timestamp()))},
    }
    if entry.helpdesk_ticket_ids:
        item["helpdesk_ticket_ids"] = {"NS": [str(t) for t in sorted(set(entry.helpdesk_ticket_ids))]}
    return item


def ledger_entry(item: dict[str, Any]) -> ErasureEntry:
    return ErasureEntry(
        subject_key=item["subject_key"]["S"],
        inquiry_id=item["inquiry_id"]["S"],
        erased_at=datetime.fromisoformat(item["erased_at"]["S"]),
        reason=item["reason"]["S"],
        helpdesk_ticket_ids=tuple(sorted(int(t) for t in item.get("helpdesk_ticket_ids", {}).get("NS", []))),
    )


class ErasureLedger:
    """Appends to and reads ErasureLedgerTable. Storage faults become ServiceUnavailable."""

    def __init__(self, *, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def record(self, entry: ErasureEntry) -> bool:
        """Append ``entry``; False (and nothing written) when this inquiry is already ledgered: the first
        entry, with its first ``erased_at``, stands."""
        return write_if(
            lambda: put_if_absent(self._client, table=self._table, item=ledger_item(entry), key="inquiry_id")
        )

    def entries_of(self, subject_key: str) -> list[ErasureEntry]:
        """Every ledgered erasure of one subject."""
        return list(self._pages("query", KeyConditionExpression="subject_key = :k",
                                ExpressionAttributeValues={":k": {"S": subject_key}}))  # fmt: skip

    def entries_since(self, moment: datetime) -> Iterator[ErasureEntry]:
        """Every entry erased at or after ``moment``: the restore runbook's input. A Scan, on purpose: it
        runs once per restore over a table of hashes, never on a schedule."""
        return self._pages(
            "scan",
            FilterExpression="erased_at >= :since",
            ExpressionAttributeValues={":since": {"S": iso(moment)}},
        )

    def _pages(self, operation: str, **arguments: Any) -> Iterator[ErasureEntry]:
        for item in query_items(self._client, {"TableName": self._table, **arguments}, operation=operation):
            yield ledger_entry(item)
