"""SweeperFunction's DynamoDB reads per run as InquiriesTable grows (docs/operations.md "Retention and
deletion", D18):
items read per item erased must not grow with the table, i.e. the sweeper reads its sparse GSIs and
never scans.

Everything runs in this process:

- InquiriesTable, ErasureLedgerTable and InquiryQueue are moto's (``mock_aws``), created from template.yaml
  by devstack.resources.create_resources, as the integration tests create them (the two sparse KEYS_ONLY
  GSIs ``by_expiry_day`` and ``by_pending`` included); items are written in the production shape
  (store.to_item) with BatchWriteItem;
- the helpdesk is tests/helpdesk_fake.FakeFreshdesk under ``responses`` (as the integration tests and
  forwarder_drain use it): the real FreshdeskClient sends its DELETEs, only the HTTP is answered in
  memory; its API key is a moto Secrets Manager secret, read the way the function reads it;
- the real ``sweeper_handler.lambda_handler`` runs on the scheduled event, with a SweeperWiring on those
  resources and a fixed clock.

The table grows in steps (1,000 / 5,000 / 20,000 inquiries; quick: 200 / 1,000 / 4,000). Before each
sweep, ``DUE`` inquiries past ``expires_at`` (each with a live ticket) and ``STUCK`` still ``received``
after ``stuck_after`` are added; the rest are inquiries that are not due: forwarded prospects with up
to 12 months left (some expiring later today: in today's ``by_expiry_day`` partition, not yet due),
customers without ``expires_at``, and a few fresh ``received`` ones (in today's ``by_pending``
partition, not yet stuck). An ``after-call`` hook on the wiring's DynamoDB client counts the items
DynamoDB read: each Query's and Scan's ``ScannedCount`` (items evaluated, before any filter), each
GetItem's item, each BatchGetItem's items. A ``before-call`` hook counts the calls.

The work itself needs 2 reads per erasure (its index key, then the consistent base-table read that finds
the ticket id and the subject key for the ledger) and 1 per re-enqueue (its index key): that is the
per-size target, 2 + STUCK / DUE items read per item erased. moto's timings are not DynamoDB's (its
Query walks every item), so no time is a figure here; they are in the details.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._core import Options, Progress, Report
from bench._intake import ROOT, TEMPLATE_PARAMETERS, output_to_devnull, use_handler_in_process
from bench._probe import lambda_context

SWEEPER_FUNCTION = ROOT / "functions" / "sweeper"
SIZES = (1_000, 5_000, 20_000)
QUICK_SIZES = (200, 1_000, 4_000)
DUE = 10  # past expires_at at each sweep (the sweeper runs hourly: an hour's worth and then some)
STUCK = 5  # still `received` after stuck_after at each sweep (a lost SendMessage)
FRESH = 3  # received minutes ago: in by_pending, not yet stuck (added once)
GROWTH_TARGET = 1.5  # items read per item erased, largest table / smallest
START = datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)
BATCH = 25  # BatchWriteItem's limit
# SweeperFunction's context: the template's 300 s timeout, just started
SWEEPER_CONTEXT = lambda_context("SweeperFunction", remaining_ms=299_000, request=1)


@dataclass
class ReadMeter:
    """Items DynamoDB read (by operation, and by index for Query) and calls, on one client."""

    items: Counter[str] = field(default_factory=Counter)
    returned: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.*.*", self._call)
        client.meta.events.register("after-call.dynamodb.*", self._read)

    def _call(self, event_name: str, **_: Any) -> None:
        self.calls[event_name.removeprefix("before-call.")] += 1

    def _read(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        operation = model.name
        if operation in {"Query", "Scan"}:
            where = f"Query {context.get('index') or 'table'}" if operation == "Query" else operation
            self.items[where] += int(parsed.get("ScannedCount", parsed.get("Count", 0)))
            self.returned[where] += int(parsed.get("Count", 0))
        elif operation == "GetItem":
            self.items["GetItem"] += 1 if parsed.get("Item") else 0
        elif operation == "BatchGetItem":
            self.items["BatchGetItem"] += sum(len(v) for v in parsed.get("Responses", {}).values())

    def clear(self) -> None:
        self.items.clear()
        self.returned.clear()
        self.calls.clear()

    @property
    def total(self) -> int:
        return sum(self.items.values())


def _remember_index(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """before-parameter-build: keep a Query's IndexName in the request context for the after-call hook."""
    context["index"] = params.get("IndexName")


@dataclass
class Step:
    size: int
    written: int
    erased: int
    requeued: int
    report: dict[str, Any]
    items: dict[str, int]
    returned: dict[str, int]
    calls: dict[str, int]
    load_seconds: float
    sweep_seconds: float

    @property
    def read(self) -> int:
        return sum(self.items.values())

    @property
    def per_erased(self) -> float:
        return self.read / self.erased if self.erased else float("inf")


class Inquiries:
    """Writes inquiries in the production item shape (store.to_item) with BatchWriteItem."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        from contact_intake.intake.models import InquiryRecord

        self._dynamodb = dynamodb
        self._table = table
        self._record = InquiryRecord
        self.count = 0

    def record(self, *, received_at: datetime, **fields: Any) -> Any:
        from contact_intake.core.retention import LawfulBasis, expires_at_epoch
        from contact_intake.intake.models import InquiryStatus

        number = self.count
        self.count += 1
        basis = fields.pop("lawful_basis", LawfulBasis.LEGITIMATE_INTERESTS)
        values: dict[str, Any] = {
            "inquiry_id": str(uuid.uuid4()),
            "received_at": received_at,
            "name": f"Bench Person {number}",
            "email": f"bench.person+{number}@example.org",
            "subject": f"Order {number}",
            "message": "The new cat food is not to my cat's taste.\nCan I exchange it?",
            "subject_key": f"{number:064x}",
            "lawful_basis": basis,
            "request_fingerprint": f"{number:064x}",
            "locale": "nl",
            "status": InquiryStatus.FORWARDED,
            "expires_at": expires_at_epoch(received_at, basis),
            **fields,
        }
        return self._record(**values)

    def write(self, records: list[Any]) -> None:
        from contact_intake.intake.store import to_item

        for first in range(0, len(records), BATCH):
            requests = [{"PutRequest": {"Item": to_item(r)}} for r in records[first : first + BATCH]]
            pending: dict[str, Any] = {self._table: requests}
            while pending:  # moto processes every item; a real table may hand some back
                pending = self._dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def not_due(inquiries: Inquiries, count: int, offset: int) -> list[Any]:
    """Inquiries the sweeper must not touch: 3 in 4 forwarded prospects received over the last 365 days
    (12 months left at most; those received 365 days ago at 10:00 expire later today, in today's
    ``by_expiry_day`` partition but not yet due), 1 in 4 customers (no ``expires_at``)."""
    from contact_intake.core.retention import LawfulBasis
    from contact_intake.intake.models import InquiryStatus

    records = []
    for i in range(offset, offset + count):
        received_at = START - timedelta(days=1 + i % 365) + timedelta(hours=1)
        if i % 4 == 0:
            records.append(
                inquiries.record(
                    received_at=received_at,
                    lawful_basis=LawfulBasis.CONTRACT,
                    customer_number=f"C{i:07d}",
                    status=InquiryStatus.FORWARDED,
                    helpdesk_ticket_id=900_000 + i,
                )
            )
        else:
            records.append(inquiries.record(received_at=received_at, helpdesk_ticket_id=900_000 + i))
    return records


def due(inquiries: Inquiries, helpdesk: Any, count: int) -> list[Any]:
    """Forwarded prospects past ``expires_at`` (7 h apart, so over a few days), each with a live ticket."""
    records = []
    for i in range(count):
        expires_at = int((START - timedelta(hours=1 + 7 * i)).timestamp())
        record = inquiries.record(received_at=START - timedelta(days=370), expires_at=expires_at)
        ticket_id = max(helpdesk.tickets, default=0) + 1
        helpdesk.add_ticket(
            record.email, record.name, record.subject, ticket_id=ticket_id, description="",
            tags=["contact-form"], source=2, status=4, created_at=START - timedelta(days=370),
            cf_inquiry_id=record.inquiry_id,
        )  # fmt: skip
        record.helpdesk_ticket_id = ticket_id
        records.append(record)
    return records


def stuck(inquiries: Inquiries, count: int, *, after: timedelta) -> list[Any]:
    """Still ``received`` (no ticket) longer than ``after``: their SendMessage was lost."""
    from contact_intake.intake.models import InquiryStatus

    return [
        inquiries.record(
            received_at=START - after - timedelta(hours=9 * i, minutes=5), status=InquiryStatus.RECEIVED
        )
        for i in range(count)
    ]


def fresh(inquiries: Inquiries, count: int) -> list[Any]:
    """``received`` minutes ago: the forwarder has them, the sweeper must not re-enqueue them."""
    from contact_intake.intake.models import InquiryStatus

    return [
        inquiries.record(received_at=START - timedelta(minutes=1 + 3 * i), status=InquiryStatus.RECEIVED)
        for i in range(count)
    ]


@contextmanager
def sweeper_on_moto(progress: Progress) -> Iterator[tuple[Any, Any, Any, Any, dict[str, str]]]:
    """(sweeper_handler, its wiring on moto, the admin DynamoDB client, the fake helpdesk, resource names)."""
    use_handler_in_process()
    if str(SWEEPER_FUNCTION) not in sys.path:
        sys.path.insert(0, str(SWEEPER_FUNCTION))
    import boto3
    import responses
    import sweeper_handler
    from aws_lambda_powertools.utilities import parameters
    from moto import mock_aws

    from contact_intake.core.clients import Clients
    from contact_intake.retention.settings import SweeperSettings
    from contact_intake.retention.wiring import SweeperWiring
    from devstack.resources import create_resources
    from tests.helpdesk_fake import API_KEY, FakeFreshdesk

    with mock_aws(), responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        parameters.clear_caches()
        session = boto3.session.Session(region_name="eu-central-1")
        started = time.perf_counter()
        created = create_resources(session, ROOT / "template.yaml", TEMPLATE_PARAMETERS)
        names = {k: str(v) for k, v in created.resources.items()}
        progress(f"resources from template.yaml in {time.perf_counter() - started:.1f}s")
        settings = SweeperSettings.model_validate(
            {
                **sweeper_handler.settings.model_dump(by_alias=True),
                "INQUIRIES_TABLE": names["InquiriesTable"],
                "ERASURE_LEDGER_TABLE": names["ErasureLedgerTable"],
                "INQUIRY_QUEUE_URL": names["InquiryQueue"],
                "ACCOUNTS_TABLE": names["AccountsTable"],
            }
        )
        session.client("secretsmanager").create_secret(
            Name=settings.helpdesk_api_key_secret_id, SecretString=API_KEY
        )
        helpdesk = FakeFreshdesk(clock=lambda: START).install(mock)
        wiring = SweeperWiring(settings, Clients(), clock=lambda: START)
        saved = sweeper_handler.wiring
        sweeper_handler.wiring = wiring
        try:
            yield sweeper_handler, wiring, session.client("dynamodb"), helpdesk, names
        finally:
            sweeper_handler.wiring = saved
            parameters.clear_caches()


def count_items(dynamodb: Any, table: str) -> int:
    """Every item of a table (the admin client, after the sweeps: a Scan pages at 1 MB)."""
    pages = dynamodb.get_paginator("scan").paginate(TableName=table, Select="COUNT")
    return sum(int(page["Count"]) for page in pages)


def measure(sizes: tuple[int, ...], progress: Progress) -> tuple[list[Step], dict[str, Any]]:
    """Grow the table through ``sizes``, sweeping at each; the steps and the state at the end."""
    event = json.loads((ROOT / "events" / "sweeper_scheduled.json").read_text(encoding="utf-8"))
    steps: list[Step] = []
    with sweeper_on_moto(progress) as (handler, wiring, admin, helpdesk, names):
        stuck_after = timedelta(minutes=wiring.settings.stuck_after_minutes)
        inquiries = Inquiries(admin, names["InquiriesTable"])
        meter = ReadMeter()
        meter.attach(wiring.clients.dynamodb)
        meter.attach(wiring.clients.sqs)
        wiring.clients.dynamodb.meta.events.register("before-parameter-build.dynamodb.Query", _remember_index)
        in_table = 0
        for number, size in enumerate(sizes):
            started = time.perf_counter()
            batch = due(inquiries, helpdesk, DUE) + stuck(inquiries, STUCK, after=stuck_after)
            if number == 0:
                batch += fresh(inquiries, FRESH)
            batch += not_due(inquiries, max(0, size - in_table - len(batch)), offset=inquiries.count)
            inquiries.write(batch)
            in_table += len(batch)
            load_seconds = time.perf_counter() - started
            progress(f"N={in_table:,}: {len(batch):,} items written in {load_seconds:.1f}s, sweeping")
            meter.clear()
            started = time.perf_counter()
            with output_to_devnull():
                answer = dict(handler.lambda_handler(event, SWEEPER_CONTEXT))
            sweep_seconds = time.perf_counter() - started
            steps.append(
                Step(
                    size=in_table,
                    written=len(batch),
                    erased=int(answer["erased"]),
                    requeued=int(answer["requeued"]),
                    report=answer,
                    items=dict(meter.items),
                    returned=dict(meter.returned),
                    calls=dict(sorted(meter.calls.items())),
                    load_seconds=load_seconds,
                    sweep_seconds=sweep_seconds,
                )
            )
            in_table -= steps[-1].erased
            progress(
                f"N={steps[-1].size:,}: erased {steps[-1].erased}, re-enqueued {steps[-1].requeued}, "
                f"items read {steps[-1].read} ({steps[-1].per_erased:.2f} per erased), "
                f"sweep {sweep_seconds:.1f}s on moto"
            )
        left = count_items(admin, names["InquiriesTable"])
        ledger = count_items(admin, names["ErasureLedgerTable"])
        queued = wiring.clients.sqs.get_queue_attributes(
            QueueUrl=names["InquiryQueue"], AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        due_tickets_left = sum(
            1 for t in helpdesk.live_tickets() if t.created_at < START - timedelta(days=300)
        )
    end = {
        "lookback_days": wiring.settings.sweep_lookback_days,
        "closure_lookback_days": wiring.settings.closure_lookback_days,
        "items_left": int(left),
        "expected_items_left": in_table,
        "ledger_entries": int(ledger),
        "queued_messages": int(queued),
        "due_tickets_left": due_tickets_left,
        "helpdesk_calls": dict(helpdesk.calls),
    }
    return steps, end


def run(progress: Progress, options: Options) -> Report:
    sizes = QUICK_SIZES if options.quick else SIZES
    started = time.perf_counter()
    steps, end = measure(sizes, progress)
    report = Report()
    limit = 2 + STUCK / DUE
    for step in steps:
        report.at_most(f"N={step.size:,}: items read per item erased", step.per_erased, limit)
    first, last = steps[0], steps[-1]
    growth = last.per_erased / first.per_erased
    report.at_most(
        f"growth: items read per erased, N={last.size:,} / N={first.size:,}", growth, GROWTH_TARGET, "x"
    )
    per_size = ", ".join(f"{s.erased}+{s.requeued}" for s in steps)
    report.add(
        "erased + re-enqueued, at each size",
        per_size,
        target=f"== {DUE}+{STUCK}",
        passed=all(s.erased == DUE and s.requeued == STUCK for s in steps),
    )
    report.exactly("Scan calls, all sizes", sum(s.calls.get("dynamodb.Scan", 0) for s in steps), 0)
    queries = [s.calls.get("dynamodb.Query", 0) for s in steps]
    # one per day of the look-back on by_expiry_day and by_pending, one per day of the closure look-back
    # on by_closed_day, and one by_status for the rights requests awaiting verification (the handler)
    expected = 2 * (end["lookback_days"] + 1) + (end["closure_lookback_days"] + 1) + 1
    report.add(
        "Queries per run, at each size",
        ", ".join(str(q) for q in queries),
        target=f"== {expected} (2 x (lookback + 1) + closure lookback + 1 + 1)",
        passed=all(q == expected for q in queries),
    )
    report.exactly("due tickets left in the helpdesk", end["due_tickets_left"], 0)
    report.exactly(
        "items left in the table (all but the erased)", end["items_left"], end["expected_items_left"]
    )
    report.add(
        f"for comparison, a Scan: items read per erased at N={last.size:,} (N / {DUE})",
        last.size / DUE,
    )
    report.details = {
        "method": "moto mock_aws in-process, tables from template.yaml (devstack.resources."
        "create_resources), FakeFreshdesk under responses, the real sweeper_handler.lambda_handler; "
        "items read = Query/Scan ScannedCount + GetItem items (botocore after-call hook)",
        "due_per_sweep": DUE,
        "stuck_per_sweep": STUCK,
        "fresh_received": FRESH,
        "target_per_size": f"<= 2 + {STUCK}/{DUE}: 2 reads per erasure (index key + GetItem), "
        "1 per re-enqueue (index key)",
        "steps": [
            {
                "inquiries_in_table": s.size,
                "erased": s.erased,
                "requeued": s.requeued,
                "items_read": s.read,
                "items_read_by": s.items,
                "items_returned_by_queries": s.returned,
                "items_read_per_erased": round(s.per_erased, 3),
                "calls": s.calls,
                "sweeper_report": s.report,
                "load_seconds": round(s.load_seconds, 2),
                "items_written": s.written,
                "load_items_per_second": round(s.written / s.load_seconds) if s.load_seconds else None,
                "sweep_seconds_on_moto": round(s.sweep_seconds, 2),
            }
            for s in steps
        ],
        "end": end,
        "seconds": round(time.perf_counter() - started, 1),
    }
    return report
