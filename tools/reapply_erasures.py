"""Re-apply the erasure ledger to a restored InquiriesTable (docs/operations.md "Restoring from a backup").

    python -m tools.reapply_erasures --table RESTORED_TABLE --ledger LEDGER_TABLE \\
        [--since 2026-05-01T00:00:00Z] [--copy-missing-to LIVE_TABLE] [--endpoint-url URL] [--region R]
        [--dry-run]

A point-in-time restore brings back every inquiry that existed at the restore point, including those
erased since (Art. 17, resolution, 12 months, account closure). ErasureLedgerTable remembers each erasure
by ids and hashes only; this command forgets them again, in the restored table:

1. every ledgered ``inquiry_id`` still present is deleted, when it was received at or before its
   ``erased_at`` (a newer item under the same id, e.g. the same Idempotency-Key posted again after the
   erasure, is kept and counted);
2. for a subject-wide erasure (``rights_request``, ``objection_upheld``) also every inquiry of that
   ``subject_key`` received before the subject's latest such ``erased_at`` (GSI ``by_subject``): the
   erasure was of the person, and an inquiry the index had not yet shown at the time is theirs too. Each
   such deletion is appended to the ledger (so a later restore forgets it as well); with a helpdesk ticket
   id, it is listed for the operator to delete at the helpdesk, which this command does not call.

With ``--copy-missing-to LIVE_TABLE``, afterwards every restored item the live table lacks is copied into
it (a conditional PutItem: a live item is never overwritten), except items past their ``expires_at`` and
items the ledger names (an erasure that ran meanwhile). That is how a restore reaches the running stack:
its table's name is CloudFormation's, not a parameter (docs/operations.md "Restoring from a backup").

Helpdesk tickets of ledgered inquiries were deleted before their entries were written (contact_intake.
erasure), and a restore does not bring them back. Idempotent: a second run deletes nothing. Reads the
ledger with one Scan (it holds hashes and ids, ~100 bytes an entry). Prints progress and a summary; never
prints anything but ids, counts and ticket numbers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TextIO

from botocore.exceptions import ClientError

from contact_intake.retention.ledger import ErasureEntry, ErasureLedger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

SUBJECT_WIDE_REASONS = frozenset({"rights_request", "objection_upheld"})
PROGRESS_EVERY = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Outcome = Literal["deleted", "absent", "newer"]


def iso(moment: datetime) -> str:
    """The tables' time format (contact_intake.intake.store): UTC, milliseconds, Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Summary:
    """What a run did (or, with --dry-run, would do), in counts and ids."""

    ledger_entries: int = 0
    deleted: int = 0  # ledgered inquiries found in the restored table and deleted
    absent: int = 0  # ledgered inquiries the restored table does not hold
    kept_newer: list[str] = field(default_factory=list)  # same id, received after its erasure
    subjects: int = 0  # subjects with a subject-wide erasure
    deleted_by_subject: int = 0  # un-ledgered inquiries of those subjects, received before the erasure
    tickets_to_check: list[int] = field(default_factory=list)

    def lines(self, *, dry_run: bool) -> list[str]:
        verb = "would delete" if dry_run else "deleted"
        lines = [
            f"ledger entries read: {self.ledger_entries}",
            f"ledgered inquiries present in the restored table, {verb}: {self.deleted}",
            f"ledgered inquiries not in the restored table: {self.absent}",
            f"subjects with a subject-wide erasure: {self.subjects}",
            f"their other inquiries received before the erasure, {verb} and ledgered: "
            f"{self.deleted_by_subject}",
            f"kept, received after their erasure under the same id: {len(self.kept_newer)}"
            + (f" ({', '.join(self.kept_newer)})" if self.kept_newer else ""),
        ]
        if self.tickets_to_check:
            tickets = ", ".join(str(t) for t in sorted(self.tickets_to_check))
            lines.append(
                f"helpdesk tickets of those inquiries, to delete at the helpdesk by hand: {tickets} "
                "(DELETE /api/v2/tickets/{id}; a 404 means already gone)"
            )
        return lines


class RestoredTable:
    """The restored InquiriesTable: keys, received_at and the ticket id are all this reads."""

    def __init__(self, client: DynamoDBClient, name: str) -> None:
        self._client = client
        self._name = name

    def received_at(self, inquiry_id: str) -> str | None:
        item = self._client.get_item(
            TableName=self._name,
            Key={"inquiry_id": {"S": inquiry_id}},
            ProjectionExpression="received_at",
            ConsistentRead=True,
        ).get("Item")
        return None if item is None else str(item.get("received_at", {}).get("S", ""))

    def delete_if_received_by(self, inquiry_id: str, moment: str) -> tuple[Outcome, dict[str, Any]]:
        """Delete the item when it was received at or before ``moment``: (outcome, the deleted item)."""
        try:
            answer = self._client.delete_item(
                TableName=self._name,
                Key={"inquiry_id": {"S": inquiry_id}},
                ConditionExpression="received_at <= :erased",
                ExpressionAttributeValues={":erased": {"S": moment}},
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # the condition fails on an absent item as on a newer one: tell them apart
            return ("absent" if self.received_at(inquiry_id) is None else "newer"), {}
        return "deleted", dict(answer.get("Attributes", {}))

    def subject_inquiries_before(self, subject_key: str, moment: str) -> Iterator[str]:
        """Inquiry ids of a subject received before ``moment`` (GSI by_subject, keys only)."""
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._name,
            IndexName="by_subject",
            KeyConditionExpression="subject_key = :key AND received_at < :before",
            ExpressionAttributeValues={":key": {"S": subject_key}, ":before": {"S": moment}},
        ):
            for item in page.get("Items", []):
                yield item["inquiry_id"]["S"]


def _ticket_of(item: dict[str, Any]) -> int | None:
    value = item.get("helpdesk_ticket_id", {}).get("N")
    return None if value is None else int(value)


def reapply(
    entries: Iterable[ErasureEntry],
    table: RestoredTable,
    ledger: ErasureLedger,
    *,
    dry_run: bool = False,
    out: TextIO = sys.stdout,
) -> Summary:
    """Apply ``entries`` to the restored ``table`` (see the module's docstring); returns the summary."""
    return _Run(table, ledger, dry_run=dry_run, out=out).apply(entries)


class _Run:
    def __init__(
        self,
        table: RestoredTable,
        ledger: ErasureLedger,
        *,
        dry_run: bool,
        out: TextIO,
    ) -> None:
        self.table, self.ledger, self.dry_run, self.out = table, ledger, dry_run, out
        self.summary = Summary()
        self.ledgered: set[str] = set()
        self.subject_wide: dict[str, tuple[datetime, str]] = {}  # subject key -> latest erased_at, reason

    def apply(self, entries: Iterable[ErasureEntry]) -> Summary:
        for entry in entries:
            self._entry(entry)
            if self.summary.ledger_entries % PROGRESS_EVERY == 0:
                self._progress(f"{self.summary.ledger_entries} ledger entries, {self.summary.deleted} found")
        self.summary.subjects = len(self.subject_wide)
        self._progress(
            f"ledger done: {self.summary.ledger_entries} entries; {self.summary.subjects} subjects next"
        )
        for number, (subject_key, (erased_at, reason)) in enumerate(sorted(self.subject_wide.items()), 1):
            before = iso(erased_at)
            found = [
                i for i in self.table.subject_inquiries_before(subject_key, before) if i not in self.ledgered
            ]
            for inquiry_id in found:
                self._unledgered(inquiry_id, subject_key, erased_at, reason)
            if number % PROGRESS_EVERY == 0:
                self._progress(f"{number} subjects")
        return self.summary

    def _progress(self, message: str) -> None:
        print(f"... {message}", file=self.out, flush=True)

    def _entry(self, entry: ErasureEntry) -> None:
        self.summary.ledger_entries += 1
        self.ledgered.add(entry.inquiry_id)
        if entry.reason in SUBJECT_WIDE_REASONS:
            previous = self.subject_wide.get(entry.subject_key)
            if previous is None or entry.erased_at > previous[0]:
                self.subject_wide[entry.subject_key] = (entry.erased_at, entry.reason)
        if self.dry_run:
            received = self.table.received_at(entry.inquiry_id)
            outcome: Outcome = (
                "absent" if received is None else "deleted" if received <= iso(entry.erased_at) else "newer"
            )
        else:
            outcome = self.table.delete_if_received_by(entry.inquiry_id, iso(entry.erased_at))[0]
        if outcome == "deleted":
            self.summary.deleted += 1
        elif outcome == "absent":
            self.summary.absent += 1
        else:
            self.summary.kept_newer.append(entry.inquiry_id)

    def _unledgered(self, inquiry_id: str, subject_key: str, erased_at: datetime, reason: str) -> None:
        if self.dry_run:
            self.summary.deleted_by_subject += 1
            return
        outcome, item = self.table.delete_if_received_by(inquiry_id, iso(erased_at))
        if outcome != "deleted":
            return
        self.summary.deleted_by_subject += 1
        ticket = _ticket_of(item)
        if ticket is not None:
            self.summary.tickets_to_check.append(ticket)
        # no ticket ids in the entry: the ledger lists tickets that were deleted, and this one was not (yet).
        # erased_at is the subject-wide erasure's own time, not now: it is the moment this inquiry belongs to,
        # and a later run compares "received before" against it (now would swallow inquiries written after)
        entry = ErasureEntry(
            subject_key=subject_key, inquiry_id=inquiry_id, erased_at=erased_at, reason=reason
        )
        self.ledger.record(entry)


@dataclass
class CopySummary:
    copied: int = 0
    already_live: int = 0
    expired: int = 0
    ledgered: int = 0

    def lines(self, live: str, *, dry_run: bool) -> list[str]:
        verb = "would copy" if dry_run else "copied"
        return [
            f"restored inquiries the live table {live} lacked, {verb}: {self.copied}",
            f"already in the live table (left as they are): {self.already_live}",
            f"not copied, past their expires_at: {self.expired}",
            f"not copied, erased meanwhile (in the ledger): {self.ledgered}",
        ]


def copy_missing(
    client: DynamoDBClient,
    restored: str,
    live: str,
    ledger: str,
    *,
    dry_run: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    out: TextIO = sys.stdout,
) -> CopySummary:
    """Copy the restored items the live table lacks into it, never over a live item, never an expired or
    ledgered one. Reads the restored table with one Scan (it exists for this run only)."""
    summary = CopySummary()
    for number, item in enumerate(_scan(client, restored), 1):
        expires_at = item.get("expires_at", {}).get("N")
        key = {"subject_key": item["subject_key"], "inquiry_id": item["inquiry_id"]}
        if expires_at is not None and now().timestamp() >= int(expires_at):
            summary.expired += 1
        elif "Item" in client.get_item(TableName=ledger, Key=key, ConsistentRead=True):
            summary.ledgered += 1
        elif dry_run:
            present = "Item" in client.get_item(TableName=live, Key={"inquiry_id": item["inquiry_id"]})
            summary.already_live += present
            summary.copied += not present
        else:
            try:
                client.put_item(
                    TableName=live, Item=item, ConditionExpression="attribute_not_exists(inquiry_id)"
                )
                summary.copied += 1
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                summary.already_live += 1
        if number % PROGRESS_EVERY == 0:
            print(f"... {number} restored items, {summary.copied} copied", file=out, flush=True)
    return summary


def _scan(client: DynamoDBClient, table: str) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        yield from page.get("Items", [])


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.reapply_erasures", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--table", required=True, help="the restored inquiries table")
    parser.add_argument("--ledger", required=True, help="ErasureLedgerTable (the live one: never restore it)")
    parser.add_argument(
        "--since",
        type=lambda text: datetime.fromisoformat(text).astimezone(UTC),
        default=EPOCH,
        help="only entries erased at or after this moment (the restore point); default: every entry",
    )
    parser.add_argument(
        "--copy-missing-to",
        metavar="LIVE_TABLE",
        default=None,
        help="afterwards, copy the restored items the live table lacks into it (never over a live item)",
    )
    parser.add_argument("--endpoint-url", default=None, help="a local endpoint, e.g. devstack's moto")
    parser.add_argument("--region", default=None, help="default: the AWS configuration's region")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted; change nothing")
    return parser.parse_args(argv)


def main(argv: list[str], client: DynamoDBClient | None = None, out: TextIO = sys.stdout) -> int:
    args = parse(argv)
    if client is None:
        import boto3

        client = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
    names = [args.table, args.ledger, *([args.copy_missing_to] if args.copy_missing_to else [])]
    if len(set(names)) < len(names):
        print("--table, --ledger and --copy-missing-to must name different tables", file=sys.stderr)
        return 2
    ledger = ErasureLedger(table_name=args.ledger, client=lambda: client)
    mode = " (dry run: nothing is changed)" if args.dry_run else ""
    print(f"re-applying {args.ledger} (erased since {iso(args.since)}) to {args.table}{mode}", file=out)
    summary = reapply(
        ledger.entries_since(args.since),
        RestoredTable(client, args.table),
        ledger,
        dry_run=args.dry_run,
        out=out,
    )
    for line in summary.lines(dry_run=args.dry_run):
        print(line, file=out)
    if args.copy_missing_to:
        print(f"copying what {args.copy_missing_to} lacks from {args.table}{mode}", file=out)
        copied = copy_missing(
            client, args.table, args.copy_missing_to, args.ledger, dry_run=args.dry_run, out=out
        )
        for line in copied.lines(args.copy_missing_to, dry_run=args.dry_run):
            print(line, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
