"""Bring stored addresses and subject keys to the one canonical form (docs/decisions.md D60).

    python -m tools.canonicalise_addresses --inquiries T --rights-requests T --accounts T --recordings T \\
        [--pepper-param /contact-intake/subject-pepper] [--endpoint-url URL] [--region R] [--dry-run]

Before D60 an address was NFC'd and lower-cased, but its domain was kept as given: the form stored
``ann@bücher.example`` while a rights mail from the same mailbox said ``ann@xn--bcher-kva.example``, and
the two had different subject keys. This one-off command rewrites what was stored that way:

1. InquiriesTable and RightsRequestsTable: ``email`` becomes ``normalise_email(email)`` and ``subject_key``
   its key. Only when the stored key is the address's old (legacy) or new key: a key that is neither (the
   wrong pepper given, say) is counted and left alone. Each write is conditional on the item still holding
   what was read, so a write of the running stack in between wins (counted as "changed meanwhile").
2. AccountsTable and RecordingsTable store no address, only keys: a key that step 1 saw replaced (old key ->
   new key) is replaced there too (the account's ``subject_key`` and ``former_subject_keys``; a recording's
   ``subject_key``). An account whose address never reached an inquiry or request cannot be recomputed
   here: its key is right whenever its domain is plain ASCII; for an internationalised one the shop re-sends
   AccountEmailChanged (docs/operations.md).

Idempotent: a second run changes nothing. A dry run reads the same and writes nothing. Prints counts per
table and progress every 1,000 items; never an address, a name or a key. The pepper is read from SSM as the
functions read it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from botocore.exceptions import ClientError

from contact_intake.core.subject import InvalidAddress, legacy_subject_key, normalise_email, subject_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PROGRESS_EVERY = 1000


@dataclass
class TableCount:
    """What a run did to one table (or, dry, would do)."""

    read: int = 0
    changed: int = 0
    unchanged: int = 0
    changed_meanwhile: int = 0  # the running stack wrote the item between the read and the write
    invalid_address: int = 0  # the domain fails UTS #46: left as it is, for a person to look at
    unrecognised_key: int = 0  # the stored key is neither the legacy nor the new key of its address

    def line(self, table: str, *, dry_run: bool) -> str:
        verb = "would change" if dry_run else "changed"
        return (
            f"{table}: read {self.read}, {verb} {self.changed}, already canonical {self.unchanged}, "
            f"changed meanwhile {self.changed_meanwhile}, invalid address {self.invalid_address}, "
            f"unrecognised key {self.unrecognised_key}"
        )


@dataclass
class Summary:
    tables: dict[str, TableCount] = field(default_factory=dict)
    key_map: dict[str, str] = field(default_factory=dict)  # legacy key -> canonical key

    def lines(self, *, dry_run: bool) -> list[str]:
        return [count.line(name, dry_run=dry_run) for name, count in self.tables.items()]


class Migration:
    def __init__(
        self, client: DynamoDBClient, pepper: bytes, *, dry_run: bool, out: TextIO = sys.stdout
    ) -> None:
        self._client = client
        self._pepper = pepper
        self._dry_run = dry_run
        self._out = out
        self.summary = Summary()

    # -- tables that store the address

    def addressed(self, table: str, key_name: str) -> TableCount:
        """Step 1 for a table with ``email`` and ``subject_key`` (keyed by ``key_name``)."""
        count = self.summary.tables.setdefault(table, TableCount())
        projection = {"#k": key_name, "#e": "email", "#s": "subject_key"}
        for item in self._scan(table, "#k, #e, #s", projection, count):
            stored_email, stored_key = item["email"]["S"], item["subject_key"]["S"]
            try:
                email = normalise_email(stored_email)
            except InvalidAddress:
                count.invalid_address += 1
                continue
            key = subject_key(email, self._pepper)
            if (email, key) == (stored_email, stored_key):
                count.unchanged += 1
                continue
            if stored_key not in {key, legacy_subject_key(stored_email, self._pepper)}:
                count.unrecognised_key += 1
                continue
            if stored_key != key:
                self.summary.key_map[stored_key] = key
            self._update(
                table,
                {key_name: item[key_name]},
                "SET #e = :email, #s = :key",
                "#e = :old_email AND #s = :old_key",
                {"#e": "email", "#s": "subject_key"},
                {
                    ":email": {"S": email},
                    ":key": {"S": key},
                    ":old_email": {"S": stored_email},
                    ":old_key": {"S": stored_key},
                },
                count,
            )
        return count

    # -- tables that store keys only

    def accounts(self, table: str) -> TableCount:
        count = self.summary.tables.setdefault(table, TableCount())
        names = {"#k": "customer_number", "#s": "subject_key", "#f": "former_subject_keys"}
        for item in self._scan(table, "#k, #s, #f", names, count):
            stored = item.get("subject_key", {}).get("S")
            former = set(item.get("former_subject_keys", {}).get("SS", []))
            mapped_former = {self.summary.key_map.get(k, k) for k in former}
            if (stored is None or stored not in self.summary.key_map) and mapped_former == former:
                count.unchanged += 1
                continue
            sets: list[str] = []
            condition: list[str] = []
            values: dict[str, Any] = {}
            if stored is not None:
                sets.append("#s = :key")
                values[":key"] = {"S": self.summary.key_map.get(stored, stored)}
                values[":old_key"] = {"S": stored}
                condition.append("#s = :old_key")
            if mapped_former != former:
                sets.append("#f = :former")
                values[":former"] = {"SS": sorted(mapped_former)}
            self._update(
                table,
                {"customer_number": item["customer_number"]},
                "SET " + ", ".join(sets),
                " AND ".join(condition) or "attribute_exists(#k)",
                names,
                values,
                count,
            )
        return count

    def recordings(self, table: str) -> TableCount:
        count = self.summary.tables.setdefault(table, TableCount())
        for item in self._scan(table, "#k, #s", {"#k": "recording_id", "#s": "subject_key"}, count):
            stored = item["subject_key"]["S"]
            if stored not in self.summary.key_map:
                count.unchanged += 1
                continue
            self._update(
                table,
                {"recording_id": item["recording_id"]},
                "SET #s = :key",
                "#s = :old_key",
                {"#s": "subject_key"},
                {":key": {"S": self.summary.key_map[stored]}, ":old_key": {"S": stored}},
                count,
            )
        return count

    # -- plumbing

    def _scan(
        self, table: str, projection: str, names: dict[str, str], count: TableCount
    ) -> Iterator[dict[str, Any]]:
        print(f"... {table}: scanning", file=self._out, flush=True)
        for page in self._client.get_paginator("scan").paginate(
            TableName=table, ProjectionExpression=projection, ExpressionAttributeNames=names
        ):
            for item in page.get("Items", []):
                count.read += 1
                yield item
                if count.read % PROGRESS_EVERY == 0:
                    print(
                        f"... {table}: {count.read} read, {count.changed} changed", file=self._out, flush=True
                    )

    def _update(  # noqa: PLR0917 (one call shape per table, named at each call)
        self,
        table: str,
        key: dict[str, Any],
        update: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
        count: TableCount,
    ) -> None:
        if self._dry_run:
            count.changed += 1
            return
        used = {k: v for k, v in names.items() if k in update or k in condition}
        try:
            self._client.update_item(
                TableName=table,
                Key=key,
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=used,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            count.changed_meanwhile += 1
            return
        count.changed += 1


def run(
    client: DynamoDBClient,
    pepper: bytes,
    *,
    inquiries: str,
    rights_requests: str,
    accounts: str,
    recordings: str,
    dry_run: bool,
    out: TextIO = sys.stdout,
) -> Summary:
    """Every step in order: the tables with addresses first (they give the key map), then the others."""
    migration = Migration(client, pepper, dry_run=dry_run, out=out)
    migration.addressed(inquiries, "inquiry_id")
    migration.addressed(rights_requests, "request_id")
    migration.accounts(accounts)
    migration.recordings(recordings)
    return migration.summary


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.canonicalise_addresses", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--inquiries", required=True, help="InquiriesTable")
    parser.add_argument("--rights-requests", required=True, help="RightsRequestsTable")
    parser.add_argument("--accounts", required=True, help="AccountsTable")
    parser.add_argument("--recordings", required=True, help="RecordingsTable")
    parser.add_argument(
        "--pepper-param",
        default="/contact-intake/subject-pepper",
        help="the SSM SecureString of the subject-key pepper (the stack's SubjectPepperParameterName)",
    )
    parser.add_argument("--endpoint-url", default=None, help="a local endpoint, e.g. devstack's moto")
    parser.add_argument("--region", default=None, help="default: the AWS configuration's region")
    parser.add_argument("--dry-run", action="store_true", help="count what would change; change nothing")
    return parser.parse_args(argv)


def main(
    argv: list[str],
    client: DynamoDBClient | None = None,
    pepper: Callable[[str], bytes] | None = None,
    out: TextIO = sys.stdout,
) -> int:
    args = parse(argv)
    if client is None or pepper is None:
        import boto3

        client = client or boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
        ssm = boto3.client("ssm", region_name=args.region, endpoint_url=args.endpoint_url)

        def from_ssm(name: str) -> bytes:
            answer = ssm.get_parameter(Name=name, WithDecryption=True)
            return str(answer["Parameter"]["Value"]).encode()

        pepper = pepper or from_ssm
    mode = " (dry run: nothing is changed)" if args.dry_run else ""
    print(f"canonicalising addresses and subject keys{mode}", file=out)
    summary = run(
        client,
        pepper(args.pepper_param),
        inquiries=args.inquiries,
        rights_requests=args.rights_requests,
        accounts=args.accounts,
        recordings=args.recordings,
        dry_run=args.dry_run,
        out=out,
    )
    for line in summary.lines(dry_run=args.dry_run):
        print(line, file=out)
    print(f"subject keys replaced: {len(summary.key_map)}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
