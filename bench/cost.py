"""Cost per million inquiries on AWS (eu-central-1), by service, next to what hosted form services charge.

Nothing here is fetched: this machine has no network. Every price is a list price as of PRICES_AS_OF, from
knowledge, with the page it comes from named (PRICES, HOSTED); check them before relying on the figures.
Free tiers are left out (the Lambda, SQS and DynamoDB always-free allowances and the 12-month API Gateway
one would make the first million nearly free; they do not scale).

The model follows one inquiry through the system (``steps``), each step with what it costs per inquiry:

1. the browser's CORS preflight (``OPTIONS /inquiries``, answered by IntakeFunction; the answer may be
   cached 600 s, but a visitor sends one form): 1 API Gateway request, 1 short Lambda invocation;
2. ``POST /inquiries``: 1 API Gateway request, 1 Lambda invocation waiting on siteverify, PutItem and
   SendMessage, 1 PutItem (item WRUs + 1 WRU per GSI the item appears in), 1 SendMessage
   (bench/intake_calls.py: exactly 1 PutItem and 1 SendMessage per new inquiry);
3. a share of intake cold starts (the INIT phase is billed for on-demand functions since 1 Aug 2025);
4. the forwarder: at 1M a month (0.4 a second) Lambda's SQS poller mostly finds one message at a time, so
   1 ReceiveMessage + 1 DeleteMessageBatch + 1 invocation per inquiry (full batches of 5: 0.4 of each);
   GetItem (strongly consistent), the two conditional UpdateItems (attempt marker; ticket id, which also
   takes the item out of the ``by_pending`` GSI), the helpdesk's ticket create;
5. the helpdesk webhook when the ticket is resolved: 1 API Gateway request, 1 invocation, the erasure
   (2 consistent GetItems, DeleteItem with its GSI entries, 1 ledger PutItem, the ticket delete). A
   customer's inquiry is marked resolved instead and erased by the sweeper at expiry: the same calls
   without API Gateway;
6. the webhook again when the ticket is closed (docs/operations.md "Helpdesk webhook": the automation fires on
   Resolved and on Closed): 1 API Gateway request, 1 invocation, 1 GetItem that finds nothing to do.

Fixed monthly costs are shown apart and spread over a million inquiries: the hourly sweeper (2 Queries per
day looked back, 31 days) and the SQS event sources' idle long polls. Durations come from the other
benchmarks' figures in bench/results.json (full runs only) where they exist, else from the documented
figures in docs/performance.md; the waits on Google and on Freshdesk are assumptions (LATENCY), as are the
cold-start share and the CPU scaling of init at 1024 MB. Memory is each function's MemorySize from
template.yaml. The calls per step are cross-checked against what bench/memory.py counted, when its
results are in bench/results.json.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._core import Options, Progress, Report
from bench._intake import LAYER, ROOT

PRICES_AS_OF = "2025-06"
CHECK = f"list prices as of {PRICES_AS_OF}, from knowledge (no network here), check before relying"
MILLION = 1_000_000
RESULTS = ROOT / "bench" / "results.json"


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    note: str = ""


# eu-central-1 (Europe (Frankfurt)), first pricing tier, USD, excluding VAT and free tiers.
PRICES: dict[str, Price] = {
    "apigw_rest_million": Price(
        3.70,
        "per million REST API requests (first 333 million a month)",
        "https://aws.amazon.com/api-gateway/pricing/ (REST APIs, Region Europe (Frankfurt))",
        "Frankfurt is priced above N. Virginia's $3.50",
    ),
    "lambda_arm_gb_s": Price(
        0.0000133334,
        "per GB-second, Arm (first 7.5 billion GB-s a month)",
        "https://aws.amazon.com/lambda/pricing/ (Region Europe (Frankfurt), Arm price)",
    ),
    "lambda_request_million": Price(
        0.20, "per million requests", "https://aws.amazon.com/lambda/pricing/ (Region Europe (Frankfurt))"
    ),
    "dynamodb_wru_million": Price(
        0.7625,
        "per million write request units, on-demand, Standard table class",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/ (Region Europe (Frankfurt))",
        "after the 50 % cut of on-demand throughput prices on 1 Nov 2024",
    ),
    "dynamodb_rru_million": Price(
        0.1525,
        "per million read request units, on-demand, Standard table class",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/ (Region Europe (Frankfurt))",
        "a strongly consistent read of up to 4 KB is 1 RRU",
    ),
    "dynamodb_storage_gb_month": Price(
        0.306,
        "per GB-month stored (the first 25 GB are free; excluded here)",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/ (Region Europe (Frankfurt), Data storage)",
    ),
    "sqs_standard_million": Price(
        0.40,
        "per million requests, standard queue (every 64 KB of payload is one request)",
        "https://aws.amazon.com/sqs/pricing/ (Region Europe (Frankfurt))",
    ),
    "logs_ingest_gb": Price(
        0.63,
        "per GB of CloudWatch Logs ingested (Standard log class)",
        "https://aws.amazon.com/cloudwatch/pricing/ (Logs, Region Europe (Frankfurt))",
    ),
}


@dataclass(frozen=True)
class Hosted:
    service: str
    plan: str
    usd_month: float
    submissions_month: int
    source: str

    @property
    def per_million(self) -> float:
        """The plan's price per submission, times a million (a linear extrapolation: none of these sells
        1M submissions a month self-serve; that volume is a custom quote)."""
        return self.usd_month / self.submissions_month * MILLION


HOSTED_NOTE = (
    f"approximate list prices of the largest self-serve plan as of {PRICES_AS_OF}, recalled, not verified "
    "(no network here; low confidence, +-50 %); 1M submissions/month is an enterprise quote at each"
)
HOSTED: tuple[Hosted, ...] = (
    Hosted("Formspree", "Business", 90.0, 20_000, "https://formspree.io/plans"),
    Hosted("Basin", "largest self-serve plan", 50.0, 20_000, "https://usebasin.com/pricing"),
    Hosted("Getform", "Business", 100.0, 100_000, "https://getform.io/pricing"),
)

# Assumptions, not measurements (milliseconds unless named otherwise).
LATENCY = {
    "siteverify": 100.0,  # a POST to www.google.com/recaptcha/api/siteverify from eu-central-1, pooled TLS
    "aws_call": 8.0,  # one DynamoDB or SQS call in-region (bench/forwarder_drain.py uses 6 and 12)
}
# Functions whose billed time is mostly waiting on the helpdesk: less memory (and CPU) barely lengthens it.
# IntakeFunction is not one: a person waits on its CPU-bound cold start (template.yaml Globals comment).
WAITING_FUNCTIONS = ("ForwarderFunction", "HelpdeskEventsFunction")
COLD_SHARE = 0.02  # share of POSTs that meet a cold container at 0.4 inquiries a second
# Lambda gives a function CPU in proportion to its memory, one full vCPU at 1769 MB: a CPU-bound init
# measured on one full core takes this much longer at 1024 MB.
FULL_VCPU_MB = 1769
IDLE_POLLS_PER_MAPPING_MONTH = 5 * 3 * 60 * 24 * 30  # ~5 pollers, a 20 s long poll each, when idle
SWEEPS_PER_MONTH = 24 * 30
SWEEP_QUERIES = 2 * 31  # bench/memory.py counted 62 Queries per run
# Recalled, not verified: Google bills reCAPTCHA assessments above 10,000 a month (about $1 per 1,000 above
# 100,000 a month); not AWS and outside this total, but at this volume larger than all of it.
RECAPTCHA_USD_PER_MILLION_APPROX = 900.0
# What the other benchmarks' last full runs gave (docs/performance.md), used when bench/results.json has no
# full run of them.
DOCUMENTED_MS = {
    "intake_warm": 0.64,  # lambda_handler median, AWS faked
    "intake_second": 18.0,  # second response in a container, against moto + a siteverify stub
    "intake_init": 353.0,  # init (import) before the first response
}


@dataclass(frozen=True)
class Step:
    """One thing that happens ``per_inquiry`` times per inquiry, and what it uses each time."""

    name: str
    function: str | None  # the Lambda function's logical id, when one runs
    per_inquiry: float = 1.0
    api_requests: float = 0.0
    invocations: float = 0.0
    duration_ms: float = 0.0  # billed Lambda time per occurrence (a batch's time is shared by its messages)
    wru: float = 0.0
    rru: float = 0.0
    sqs_requests: float = 0.0


# ------------------------------------------------------------------------------------------------ inputs


def memory_sizes() -> dict[str, int]:
    """Each function's MemorySize from template.yaml: Globals.Function, overridden per function."""
    from devstack.template import load_template

    template = load_template(ROOT / "template.yaml")
    default = int((template.get("Globals") or {}).get("Function", {}).get("MemorySize", 128))
    sizes = {}
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::Function":
            sizes[logical_id] = int((resource.get("Properties") or {}).get("MemorySize", default))
    return sizes


def gsi_keys(table: str = "InquiriesTable") -> dict[str, tuple[str, ...]]:
    """The key attributes of each GSI of a table in template.yaml (an item is in a GSI when it has them)."""
    from devstack.template import load_template

    properties = load_template(ROOT / "template.yaml")["Resources"][table]["Properties"]
    return {
        index["IndexName"]: tuple(key["AttributeName"] for key in index["KeySchema"])
        for index in properties.get("GlobalSecondaryIndexes") or []
    }


def previous_results() -> dict[str, Any]:
    if not RESULTS.exists():
        return {}
    try:
        benchmarks: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8")).get("benchmarks", {})
    except (ValueError, AttributeError):
        return {}
    return benchmarks


def measured_ms(results: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, str]]:
    """Median durations from full runs in bench/results.json, else the documented ones; and their sources."""
    picks = {
        "intake_warm": ("intake_warm", "lambda_handler"),
        "intake_second": ("intake_cold", "handler_lazy_second"),
        "intake_init": ("intake_cold", "handler_lazy_init"),
    }
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    for key, (bench, field) in picks.items():
        entry = results.get(bench) or {}
        median = ((entry.get("details") or {}).get("ms") or {}).get(field, {}).get("median")
        if median is not None and not entry.get("quick"):
            values[key] = float(median)
            sources[key] = f"bench/results.json {bench} ({entry.get('timestamp')}), median of {field}"
        else:
            values[key] = DOCUMENTED_MS[key]
            why = "a quick run" if entry else "absent"
            sources[key] = f"docs/performance.md (bench/results.json {bench}: {why})"
    return values, sources


def item_bytes(item: Mapping[str, Any]) -> int:
    """DynamoDB's item size: names plus values (strings in UTF-8, numbers ~1 byte per 2 digits + 1)."""

    def value_bytes(value: Mapping[str, Any]) -> int:
        (kind, raw), *_ = value.items()
        if kind == "N":
            digits = len(str(raw).lstrip("-").replace(".", "").strip("0")) or 1
            return math.ceil(digits / 2) + 1
        if kind in {"BOOL", "NULL"}:
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode("utf-8")) + value_bytes(v) + 1 for k, v in raw.items())
        if kind == "L":
            return 3 + sum(value_bytes(v) + 1 for v in raw)
        return len(raw if isinstance(raw, bytes) else str(raw).encode("utf-8"))  # S, B

    return sum(len(name.encode("utf-8")) + value_bytes(value) for name, value in item.items())


def inquiry_items(message: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The item the intake stores for the sample form (events/intake_post_inquiries.json), and the same
    item once forwarded; ``message`` replaces the form's message."""
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))
    from dataclasses import replace

    from contact_intake.core.retention import LawfulBasis, expires_at_epoch
    from contact_intake.intake.models import InquiryRecord, InquiryStatus
    from contact_intake.intake.store import to_item

    form = json.loads(json.loads((ROOT / "events" / "intake_post_inquiries.json").read_text())["body"])
    received = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    record = InquiryRecord(
        inquiry_id="6f1c2a9e-4b7d-4c1e-9a35-0d2e8f7b6a41",
        received_at=received,
        name=form["name"],
        email=form["email"],
        subject=form["subject"],
        message=message if message is not None else form["message"],
        subject_key="0" * 64,
        lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
        request_fingerprint="1" * 64,
        locale=form.get("locale", "en"),
        expires_at=expires_at_epoch(received, LawfulBasis.LEGITIMATE_INTERESTS),
    )
    forwarded = replace(
        record,
        status=InquiryStatus.FORWARDED,
        helpdesk_ticket_id=104_233,
        forward_attempts=1,
        forwarded_at=received + timedelta(seconds=2),
    )
    return dict(to_item(record)), dict(to_item(forwarded))


def wru(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def rru_strong(size: int) -> int:
    return max(1, math.ceil(size / 4096))


def in_gsis(item: Mapping[str, Any], gsis: Mapping[str, tuple[str, ...]]) -> list[str]:
    return [name for name, keys in gsis.items() if all(key in item for key in keys)]


# ------------------------------------------------------------------------------------------------- model


def helpdesk_latency() -> dict[str, float]:
    """The helpdesk latencies bench/forwarder_drain.py assumes (seconds there), in milliseconds."""
    from bench.forwarder_drain import HELPDESK_LATENCY, INVOCATION_OVERHEAD

    return {**{k: v * 1000 for k, v in HELPDESK_LATENCY.items()}, "invocation": INVOCATION_OVERHEAD * 1000}


def steps(
    ms: Mapping[str, float], stored: Mapping[str, Any], forwarded: Mapping[str, Any], batch: int = 1
) -> list[Step]:
    gsis = gsi_keys()
    put_wru = wru(item_bytes(stored)) + len(in_gsis(stored, gsis))
    update_wru = wru(max(item_bytes(stored), item_bytes(forwarded)))
    left_gsis = set(in_gsis(stored, gsis)) - set(in_gsis(forwarded, gsis))  # by_pending: REMOVE pending_day
    delete_wru = wru(item_bytes(forwarded)) + len(in_gsis(forwarded, gsis))
    read = rru_strong(item_bytes(forwarded))
    helpdesk = helpdesk_latency()
    cpu_factor = FULL_VCPU_MB / 1024
    return [
        Step(
            "browser preflight OPTIONS /inquiries",
            "IntakeFunction",
            api_requests=1,
            invocations=1,
            duration_ms=math.ceil(ms["intake_warm"]),
        ),
        Step(
            "POST /inquiries (PutItem + SendMessage)",
            "IntakeFunction",
            api_requests=1,
            invocations=1,
            duration_ms=math.ceil(ms["intake_second"] + LATENCY["siteverify"]),
            wru=put_wru,
            sqs_requests=1,
        ),
        Step(
            f"intake cold starts ({COLD_SHARE:.0%} of POSTs, init billed)",
            "IntakeFunction",
            per_inquiry=COLD_SHARE,
            duration_ms=math.ceil(ms["intake_init"] * cpu_factor),
        ),
        Step(
            f"forwarder (batches of {batch}: Receive + DeleteMessageBatch per batch)",
            "ForwarderFunction",
            invocations=1 / batch,
            duration_ms=helpdesk["create_ticket"] + 3 * LATENCY["aws_call"] + helpdesk["invocation"] / batch,
            wru=2 * update_wru + len(left_gsis),
            rru=read,
            sqs_requests=2 / batch,
        ),
        Step(
            "helpdesk webhook: resolved, erased (ticket, item, ledger)",
            "HelpdeskEventsFunction",
            api_requests=1,
            invocations=1,
            duration_ms=math.ceil(
                helpdesk["delete_ticket"] + 4 * LATENCY["aws_call"] + helpdesk["invocation"]
            ),
            wru=delete_wru + 1,  # + the ledger entry (small, no GSI)
            rru=2 * read,
        ),
        Step(
            "helpdesk webhook: closed (nothing left to do)",
            "HelpdeskEventsFunction",
            api_requests=1,
            invocations=1,
            duration_ms=math.ceil(LATENCY["aws_call"] + helpdesk["invocation"]),
            rru=1,
        ),
    ]


@dataclass
class Costs:
    api: float = 0.0
    lambda_requests: float = 0.0
    lambda_duration: float = 0.0
    dynamodb: float = 0.0
    sqs: float = 0.0

    @property
    def total(self) -> float:
        return self.api + self.lambda_requests + self.lambda_duration + self.dynamodb + self.sqs


def per_million(model: list[Step], memory: Mapping[str, int]) -> tuple[Costs, dict[str, dict[str, float]]]:
    """The cost of a million inquiries through ``model``, by service and by step (USD)."""
    p = PRICES
    total = Costs()
    by_step: dict[str, dict[str, float]] = {}
    for step in model:
        n = step.per_inquiry * MILLION
        gb = memory.get(step.function or "", 0) / 1024
        cost = Costs(
            api=n * step.api_requests * p["apigw_rest_million"].usd / MILLION,
            lambda_requests=n * step.invocations * p["lambda_request_million"].usd / MILLION,
            lambda_duration=n * step.duration_ms / 1000 * gb * p["lambda_arm_gb_s"].usd,
            dynamodb=n
            * (step.wru * p["dynamodb_wru_million"].usd + step.rru * p["dynamodb_rru_million"].usd)
            / MILLION,
            sqs=n * step.sqs_requests * p["sqs_standard_million"].usd / MILLION,
        )
        for key in ("api", "lambda_requests", "lambda_duration", "dynamodb", "sqs"):
            setattr(total, key, getattr(total, key) + getattr(cost, key))
        by_step[step.name] = {
            "per_inquiry": step.per_inquiry,
            "api_requests": step.api_requests,
            "invocations": round(step.invocations, 3),
            "billed_ms": step.duration_ms,
            "memory_mb": memory.get(step.function or "", 0),
            "wru": step.wru,
            "rru": step.rru,
            "sqs_requests": round(step.sqs_requests, 3),
            "usd_per_million": round(cost.total, 3),
        }
    return total, by_step


def fixed_monthly(memory: Mapping[str, int], ms_per_query: float) -> dict[str, float]:
    """What runs whether inquiries come or not, per month (USD)."""
    p = PRICES
    sweep_seconds = (SWEEP_QUERIES * ms_per_query + helpdesk_latency()["invocation"]) / 1000
    sweeper = SWEEPS_PER_MONTH * (
        p["lambda_request_million"].usd / MILLION
        + sweep_seconds * memory.get("SweeperFunction", 1024) / 1024 * p["lambda_arm_gb_s"].usd
        + SWEEP_QUERIES * 1 * p["dynamodb_rru_million"].usd / MILLION  # an empty Query still reads 1 RRU
    )
    polls = 2 * IDLE_POLLS_PER_MAPPING_MONTH * p["sqs_standard_million"].usd / MILLION  # 2 SQS mappings
    return {"sweeper, hourly": sweeper, "SQS event sources' idle long polls (2 mappings)": polls}


def measured_calls(results: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """AWS calls per inquiry as bench/memory.py counted them (its last run in bench/results.json)."""
    functions = ((results.get("memory") or {}).get("details") or {}).get("functions") or {}
    found: dict[str, dict[str, float]] = {}

    def per(name: str, count: float) -> dict[str, float]:
        entry = functions[name]
        calls = entry["aws_calls_per_invocation"]
        return {k: round(v * entry["invocations"] / count, 2) for k, v in calls.items() if count}

    if "intake" in functions:
        posts = sum(v for k, v in functions["intake"]["outcomes"].items() if k.startswith("POST 202"))
        found["intake, per new inquiry"] = per("intake", posts)
    if "forwarder" in functions:
        forwarded = messages_in(functions["forwarder"])
        found["forwarder, per inquiry"] = per("forwarder", forwarded)
    if "helpdesk_events" in functions:
        erased = sum(v for k, v in functions["helpdesk_events"]["outcomes"].items() if k.endswith("erased"))
        found["webhook, per erasure + Closed no-op"] = per("helpdesk_events", erased)
    return found


# The calls per inquiry the model charges for, as bench/memory.py's counts are grouped (measured_calls).
MODEL_CALLS: dict[str, dict[str, float]] = {
    "intake, per new inquiry": {"dynamodb.PutItem": 1, "sqs.SendMessage": 1},
    "forwarder, per inquiry": {"dynamodb.GetItem": 1, "dynamodb.UpdateItem": 2},
    "webhook, per erasure + Closed no-op": {
        "dynamodb.GetItem": 3,
        "dynamodb.DeleteItem": 1,
        "dynamodb.PutItem": 1,
    },
}


def cross_check(report: Report, checks: Mapping[str, Mapping[str, float]]) -> None:
    """A figure per call the model charges for, against bench/memory.py's count (when it has run)."""
    for group, expected in MODEL_CALLS.items():
        counted = checks.get(group)
        if counted is None:
            continue
        for call, number in expected.items():
            value = counted.get(call, 0.0)
            report.add(
                f"calls, model vs bench/memory.py: {group}: {call}",
                value,
                target=f"== {number:g} (model)",
                passed=abs(value - number) < 0.05,
            )


# -------------------------------------------------------------------------------------------------- run


def run(progress: Progress, options: Options) -> Report:
    report = Report()
    results = previous_results()
    memory = memory_sizes()
    ms, sources = measured_ms(results)
    stored, forwarded = inquiry_items()
    big_stored, big_forwarded = inquiry_items(message="x" * 5000)
    progress(f"memory sizes {sorted(set(memory.values()))} MB; durations from: {sources}")

    model = steps(ms, stored, forwarded)
    costs, by_step = per_million(model, memory)
    full_batches, _ = per_million(steps(ms, stored, forwarded, batch=5), memory)
    big, _ = per_million(steps(ms, big_stored, big_forwarded), memory)
    fixed = fixed_monthly(memory, LATENCY["aws_call"])
    fixed_total = sum(fixed.values())
    storage_gb = item_bytes(forwarded) * MILLION / 1024**3
    storage_month = storage_gb * PRICES["dynamodb_storage_gb_month"].usd
    log_bytes = logs_per_inquiry(results)
    logs = log_bytes * MILLION / 1024**3 * PRICES["logs_ingest_gb"].usd if log_bytes else None
    justified = justified_sizes(results)
    waiting = {k: v for k, v in justified.items() if k in WAITING_FUNCTIONS}
    if waiting:
        right_sized, _ = per_million(model, {**memory, **waiting})

    report.add("prices: eu-central-1 list prices as of", f"{PRICES_AS_OF} (unverified)")
    report.add(
        "inquiry item size (sample form), stored / forwarded",
        f"{item_bytes(stored)} / {item_bytes(forwarded)}",
        "bytes",
    )
    report.add(
        "  WRU per inquiry (PutItem + GSIs, 2 UpdateItems, erasure + ledger)",
        sum(s.wru * s.per_inquiry for s in model),
    )
    report.add("  RRU per inquiry (consistent GetItems)", sum(s.rru * s.per_inquiry for s in model))
    report.add("SQS requests per inquiry (batches of 1 at this rate)", sum(s.sqs_requests for s in model))
    report.add(
        "API Gateway requests per inquiry (preflight, POST, 2 webhooks)", sum(s.api_requests for s in model)
    )
    report.add("Lambda invocations per inquiry", round(sum(s.invocations * s.per_inquiry for s in model), 2))
    gb_s = sum(s.per_inquiry * s.duration_ms / 1000 * memory.get(s.function or "", 0) / 1024 for s in model)
    report.add("Lambda GB-seconds per inquiry", round(gb_s, 3), "GB-s")
    report.add("API Gateway (REST) per million inquiries", round(costs.api, 2), "USD")
    report.add("Lambda requests per million inquiries", round(costs.lambda_requests, 2), "USD")
    report.add("Lambda duration (arm64) per million inquiries", round(costs.lambda_duration, 2), "USD")
    report.add("DynamoDB on-demand per million inquiries", round(costs.dynamodb, 2), "USD")
    report.add("SQS per million inquiries", round(costs.sqs, 2), "USD")
    report.add("total per million inquiries (the four services)", round(costs.total, 2), "USD")
    report.add("  + fixed monthly (sweeper, idle SQS polls), at 1M/month", round(fixed_total, 2), "USD")
    report.add("  with full SQS batches of 5 instead", round(full_batches.total, 2), "USD")
    report.add("  with 5,000-character messages (more WRUs)", round(big.total, 2), "USD")
    if waiting:
        report.add(
            "  with forwarder + webhook at the MemorySize bench/memory.py justifies",
            round(right_sized.total, 2),
            "USD",
        )
    report.add(
        "DynamoDB storage of a month's million, per month kept (not in total)", round(storage_month, 2), "USD"
    )
    if logs is not None:
        report.add("CloudWatch Logs ingest per million (measured bytes; not in total)", round(logs, 2), "USD")
    report.add(
        "reCAPTCHA assessments per million, approx. (Google; not in total)",
        RECAPTCHA_USD_PER_MILLION_APPROX,
        "USD",
    )
    for hosted in HOSTED:
        report.add(
            f"{hosted.service} {hosted.plan} (~${hosted.usd_month:g}/month, ~{hosted.submissions_month:,}), "
            "extrapolated to 1M, approx.",
            round(hosted.per_million),
            "USD/M",
        )

    checks = measured_calls(results)
    cross_check(report, checks)
    report.details = {
        "prices": {
            k: {"usd": v.usd, "unit": v.unit, "source": v.source, "note": v.note} for k, v in PRICES.items()
        },
        "prices_as_of": PRICES_AS_OF,
        "caveat": CHECK,
        "free_tiers": "excluded",
        "durations_ms": ms,
        "duration_sources": sources,
        "assumptions": {
            "latency_ms": LATENCY,
            "helpdesk_latency_ms (bench/forwarder_drain.py)": helpdesk_latency(),
            "cold_share": COLD_SHARE,
            "init_cpu_factor_at_1024_mb": round(FULL_VCPU_MB / 1024, 3),
            "idle_polls_per_mapping_month": IDLE_POLLS_PER_MAPPING_MONTH,
            "recaptcha_usd_per_million_approx": RECAPTCHA_USD_PER_MILLION_APPROX,
        },
        "memory_mb": memory,
        "justified_memory_mb (bench/memory.py)": justified,
        "item_bytes": {
            "stored": item_bytes(stored),
            "forwarded": item_bytes(forwarded),
            "stored_5000_chars": item_bytes(big_stored),
        },
        "gsis": gsi_keys(),
        "steps": by_step,
        "usd_per_million": {
            k: round(getattr(costs, k), 3)
            for k in ("api", "lambda_requests", "lambda_duration", "dynamodb", "sqs")
        },
        "fixed_usd_per_month": {k: round(v, 3) for k, v in fixed.items()},
        "storage": {"gb_per_million": round(storage_gb, 3), "usd_per_month_kept": round(storage_month, 3)},
        "log_bytes_per_inquiry (bench/memory.py)": log_bytes,
        "measured_calls_per_inquiry (bench/memory.py)": checks,
        "hosted": [
            {
                "service": h.service,
                "plan": h.plan,
                "usd_month": h.usd_month,
                "submissions_month": h.submissions_month,
                "usd_per_million_extrapolated": round(h.per_million),
                "source": h.source,
            }
            for h in HOSTED
        ],
        "hosted_note": HOSTED_NOTE,
    }
    return report


def logs_per_inquiry(results: Mapping[str, Any]) -> float | None:
    """Bytes logged for one inquiry (bench/memory.py's counts: the intake's two calls, the forwarder's share
    of a batch, the webhook's two calls), plus Lambda's own START/END/REPORT lines (~300 bytes an
    invocation, assumed)."""
    functions = ((results.get("memory") or {}).get("details") or {}).get("functions") or {}
    try:
        intake = functions["intake"]["log_bytes_per_invocation"] * 2
        forwarder = functions["forwarder"]
        per_message = (
            forwarder["log_bytes_per_invocation"] * forwarder["invocations"] / messages_in(forwarder)
        )
        webhook = functions["helpdesk_events"]["log_bytes_per_invocation"] * 2
    except (KeyError, ValueError, IndexError, ZeroDivisionError):
        return None
    return round(intake + per_message + webhook + 5 * 300, 1)


def messages_in(entry: Mapping[str, Any]) -> int:
    """Messages a queue-driven function's run handled (bench/memory.py outcomes "batch of N: ...")."""
    return sum(
        int(k.split()[2].rstrip(":")) * v for k, v in entry["outcomes"].items() if k.startswith("batch")
    )


def justified_sizes(results: Mapping[str, Any]) -> dict[str, int]:
    """MemorySize per function as bench/memory.py's last run justifies it (logical id -> MB)."""
    functions = ((results.get("memory") or {}).get("details") or {}).get("functions") or {}
    return {
        entry["logical_id"]: int(entry["justified_memory_size_mb"])
        for entry in functions.values()
        if "logical_id" in entry and "justified_memory_size_mb" in entry
    }
