"""``tools.canonicalise_addresses`` on moto: how long the one-off migration takes per 100,000 items
(docs/operations.md "Canonical addresses", docs/decisions.md D60).

Everything runs in this process: the four tables are moto's (``mock_aws``), created from template.yaml by
devstack.resources.create_resources as the integration tests create them. InquiriesTable gets N inquiries in
the production shape (store.to_item, BatchWriteItem), a quarter of them written the old way (an
internationalised domain in Unicode, the legacy key: each needs one conditional UpdateItem), the rest
already canonical (read only); RightsRequestsTable N/10 requests, AccountsTable N/10 accounts and
RecordingsTable N/10 recordings, with the same share to change. The command's ``run`` is timed once dry and
once for real, and its counts are checked against what was written.

moto is not DynamoDB: a Scan page and an UpdateItem cost moto CPU time here, network round trips there. The
figure is "on moto", extrapolated linearly from N (10,000; quick: 2,000) to 100,000: the command reads each
table once with a paged Scan and writes each changed item once, so its work is linear in the items.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._core import Options, Progress, Report
from bench._intake import ROOT, TEMPLATE_PARAMETERS

N = 10_000
QUICK_N = 2_000
PER_100K = 100_000
CHANGED_SHARE = 4  # one item in four needs rewriting
BATCH = 25
PEPPER = b"bench-pepper"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _write(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": i}} for i in chunk]})


def _rows(n: int) -> dict[str, list[dict[str, Any]]]:
    from contact_intake.core.retention import LawfulBasis
    from contact_intake.core.subject import legacy_subject_key, subject_key
    from contact_intake.intake.models import InquiryRecord
    from contact_intake.intake.store import to_item
    from contact_intake.recordings.models import RecordingStatus
    from contact_intake.recordings.store import to_item as recording_item
    from tests.builders import a_recording

    def address(i: int) -> tuple[str, str]:
        if i % CHANGED_SHARE == 0:
            email = f"person{i}@bücher{i % 97}.example"
            return email, legacy_subject_key(email, PEPPER)
        email = f"person{i}@example{i % 97}.org"
        return email, subject_key(email, PEPPER)

    inquiries = []
    for i in range(n):
        email, key = address(i)
        record = InquiryRecord(
            inquiry_id=f"inq-{i:07d}", received_at=NOW, name="Bench Person", email=email, subject="Subject",
            message="A question of about this length, as the form sends them.", subject_key=key,
            lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS, request_fingerprint="f" * 64,
            expires_at=int((NOW + timedelta(days=300)).timestamp()),
        )  # fmt: skip
        inquiries.append(to_item(record))
    requests, accounts, recordings = [], [], []
    for i in range(0, n, 10):
        email, key = address(i)
        requests.append(
            {"request_id": {"S": f"req-{i:07d}"}, "email": {"S": email}, "subject_key": {"S": key},
             "status": {"S": "completed"}, "type": {"S": "access"}}
        )  # fmt: skip
        accounts.append(
            {"customer_number": {"S": f"C-{i:07d}"}, "status": {"S": "open"}, "subject_key": {"S": key},
             "version": {"S": "2026-01-01T00:00:00.000Z#0"}}
        )  # fmt: skip
        recordings.append(
            recording_item(
                a_recording(
                    f"{i:08d}-0000-4000-8000-000000000000",
                    key,
                    NOW,
                    status=RecordingStatus.STORED,
                    upload_deadline=None,
                )
            )
        )
    return {"InquiriesTable": inquiries, "RightsRequestsTable": requests, "AccountsTable": accounts,
            "RecordingsTable": recordings}  # fmt: skip


def measure(n: int, progress: Progress) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from devstack.resources import create_resources
    from tools import canonicalise_addresses

    with mock_aws():
        session = boto3.session.Session(region_name="eu-central-1")
        created = create_resources(session, ROOT / "template.yaml", TEMPLATE_PARAMETERS)
        client = session.client("dynamodb")
        names = {logical: created.resources[logical] for logical in _rows(0)}
        progress(f"writing {n:,} inquiries and {n // 10:,} rows in each other table")
        rows = _rows(n)
        for logical, items in rows.items():
            _write(client, names[logical], items)
        timings: dict[str, float] = {}
        summaries: dict[str, Any] = {}
        for mode in ("dry", "real", "second"):
            progress(f"migration, {mode} run")
            started = time.perf_counter()
            summary = canonicalise_addresses.run(
                client, PEPPER, inquiries=names["InquiriesTable"],
                rights_requests=names["RightsRequestsTable"], accounts=names["AccountsTable"],
                recordings=names["RecordingsTable"], dry_run=mode == "dry", out=io.StringIO(),
            )  # fmt: skip
            timings[mode] = time.perf_counter() - started
            summaries[mode] = {t: vars(c) for t, c in summary.tables.items()}
        total = sum(len(items) for items in rows.values())
        # every CHANGED_SHARE-th index was written the old way: inquiries 0..n-1, the others every 10th index
        changed = len(range(0, n, CHANGED_SHARE)) + 3 * len(range(0, n, 10 * CHANGED_SHARE // 2))
    return {"n": n, "items": total, "expected_changed": changed, "seconds": timings, "summaries": summaries}


def run(progress: Progress, options: Options) -> Report:
    n = QUICK_N if options.quick else N
    result = measure(n, progress)
    items = result["items"]
    report = Report()
    scale = PER_100K / items
    report.add(
        f"dry run, per 100,000 items (extrapolated from {items:,})", result["seconds"]["dry"] * scale, "s"
    )
    report.add(
        f"migration, per 100,000 items (extrapolated from {items:,})", result["seconds"]["real"] * scale, "s"
    )
    report.add("second run (nothing to change), per 100,000 items", result["seconds"]["second"] * scale, "s")
    changed = sum(t["changed"] for t in result["summaries"]["real"].values())
    report.add("items changed", changed, target=f"== {result['expected_changed']}",
               passed=changed == result["expected_changed"])  # fmt: skip
    again = sum(t["changed"] for t in result["summaries"]["second"].values())
    report.exactly("items changed by a second run", again, 0)
    report.details = {
        "method": "moto mock_aws in-process, tables from template.yaml; tools.canonicalise_addresses.run "
        "timed (dry, real, again); 1 in 4 items written the old way; linear extrapolation to 100,000",
        **result,
    }
    return report
