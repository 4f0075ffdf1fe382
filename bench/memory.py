"""Peak memory of every function under load, and the MemorySize it justifies.

Each function runs in a fresh interpreter (bench/_memory_probe.py) with its own code folder and the common
layer on PYTHONPATH and its exact environment from template.yaml (bench/_memory_stack.py: devstack's
resource, secret and environment helpers), against a moto server with every table, queue and bucket of the
template, and devstack's siteverify, Freshdesk and mail emulators. Its handler is invoked with the events
of events/*.json, made unique per call, in the order data flows through the system, so that each function
finds the data it works on: the intake's inquiries are what the forwarder forwards, the forwarder's tickets
what the helpdesk webhook and the sweeper erase, the rights API's verified requests what the rights worker
exports or erases, the recordings the uploads confirm. Queue-driven functions get their batches from the
real (moto) queues through devstack's own SQS poller (``devstack.event_sources.SqsPoller``); mail arrives
through devstack's inbound-mail emulator (raw message into the bucket, then SES's event).

Per function: the peak resident set after init and after the load (VmHWM, KiB; see _memory_probe.py for why
not ``ru_maxrss``), the growth between them, and the drift of the resident set over the second half of the
invocations (the leak check; the first half is the warm-up). The figure ``peak <= MemorySize`` is
PASS/FAIL; the MemorySize the peak justifies is the peak x HEADROOM rounded up to a multiple of 64 MB (at
least 128 MB). Lambda's "Max Memory Used" also counts its runtime interface client, which this probe does
not load: expect a few MB more there (the headroom covers it).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import re
import statistics
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bench._core import Options, Progress, Report
from bench._intake import LAYER, ROOT
from bench._memory_stack import REGION, Answer, Probe, Stack, local_stack
from tests.builders import a_plain_mail

EVENTS = ROOT / "events"
HEADROOM = 1.5
STEP_MB = 64
MIN_MB = 128
LEAK_CHECK_MIN_CALLS = 20  # the leak check compares the resident set halfway with the end
# The forwarder paces ticket creates to the helpdesk's limit (80 a minute by default); the benchmark is about
# memory, not the helpdesk, so its container may create as fast as the emulator answers.
EXTRA_ENVIRONMENT: dict[str, dict[str, str]] = {"forwarder": {"HELPDESK_RATE_LIMIT_PER_MINUTE": "1000000"}}


@dataclass
class Shared:
    """What one function's run leaves for the next (ids of the data it made)."""

    forwarded: list[tuple[str, int]] = field(default_factory=list)  # (inquiry id, ticket id)
    # people who sent an inquiry (a ticket was made) and later ask for access or erasure: left alone by the
    # helpdesk webhook's and the sweeper's runs, so the rights worker finds their data
    rights_people: list[str] = field(default_factory=list)
    recordings: list[dict[str, Any]] = field(default_factory=list)  # POST /recordings answers (live ones)


@dataclass
class Driven:
    """What a driver did: its invocations' outcomes, what it drove (for the docs), and a caveat."""

    what: str
    outcomes: Counter[str] = field(default_factory=Counter)
    unexpected: int = 0
    caveat: str = ""

    def note(self, outcome: str, expected: bool) -> None:
        self.outcomes[outcome] += 1
        if not expected:
            self.unexpected += 1


Driver = Callable[[Probe, Stack, Shared, int, Driven], None]


# ------------------------------------------------------------------------------------------ event helpers


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    return event


def api_event(
    template: Mapping[str, Any],
    *,
    path: str | None = None,
    path_parameters: dict[str, str] | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A copy of a sample API Gateway (REST proxy) event with a new request id and the given parts."""
    event = copy.deepcopy(dict(template))
    context = event.setdefault("requestContext", {})
    context["requestId"] = str(uuid.uuid4())
    if path is not None:
        event["path"] = path
        context["path"] = f"/{context.get('stage', 'v1')}{path}"
    if path_parameters is not None:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if query is not None:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    for name, value in (headers or {}).items():
        event.setdefault("headers", {})[name] = value
        event.setdefault("multiValueHeaders", {})[name] = [value]
    return event


def status_of(answer: Answer) -> int:
    return int(answer.result.get("statusCode", 0)) if answer.ok and isinstance(answer.result, dict) else 0


def body_of(answer: Answer) -> dict[str, Any]:
    try:
        body: dict[str, Any] = json.loads(answer.result.get("body") or "{}")
    except (AttributeError, ValueError):
        return {}
    return body


def http(driven: Driven, answer: Answer, label: str, expected: set[int]) -> int:
    status = status_of(answer)
    driven.note(f"{label} {status or answer.error[:60]}", status in expected)
    return status


def poller(stack: Stack, probe: Probe) -> Any:
    """devstack's SQS poller for the probe's function, invoking the probe (receives without waiting)."""
    from devstack.console import Console
    from devstack.event_sources import SqsPoller, sqs_mappings
    from devstack.invoker import FunctionFailed

    mappings, _ = sqs_mappings(stack.resources, stack.specs)
    mapping = next(m for m in mappings if m.function == probe.spec.logical_id)

    def invoke(_: str, event: dict[str, Any]) -> Any:
        answer = probe.invoke(event)
        if not answer.ok:
            raise FunctionFailed(answer.error.split(":", 1)[0])
        return answer.result

    return SqsPoller(
        mapping,
        sqs=stack.aws.sqs,
        invoke=invoke,
        console=Console(io.StringIO()),
        region=REGION,
        wait_seconds=0,
    )


def drain(stack: Stack, probe: Probe, driven: Driven, limit: int) -> None:
    """Batches from the function's queue until it is empty or ``limit`` invocations were made."""
    sqs_poller = poller(stack, probe)
    for _ in range(limit):
        outcome = sqs_poller.poll_once()
        if outcome is None:
            return
        driven.note(f"batch of {outcome.received}: {len(outcome.failed)} failed", not outcome.failed)


# ------------------------------------------------------------------------------------------------ drivers


def drive_intake(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    post, preflight = sample("intake_post_inquiries"), sample("intake_options_preflight")
    form = json.loads(post["body"])
    people = [f"jan.devries+{i}@example.com" for i in range(n)]
    shared.rights_people = people[-max(1, n // 5) :]
    for email in people:
        http(driven, probe.invoke(api_event(preflight)), "OPTIONS", {200, 204})
        body = {**form, "email": email, "captcha_token": f"pass:{uuid.uuid4()}"}
        key = str(uuid.uuid4())
        http(
            driven, probe.invoke(api_event(post, body=body, headers={"Idempotency-Key": key})), "POST", {202}
        )


def drive_forwarder(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    drain(stack, probe, driven, n)
    table = stack.name("InquiriesTable")
    reserved = set(shared.rights_people)
    for page in stack.aws.dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if "helpdesk_ticket_id" in item and item["email"]["S"] not in reserved:
                shared.forwarded.append((item["inquiry_id"]["S"], int(item["helpdesk_ticket_id"]["N"])))


def drive_helpdesk_events(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    """Resolved, then Closed (the automation fires on both; the second finds nothing left), for half the
    forwarded inquiries."""
    event = sample("helpdesk_events_post")
    mine = shared.forwarded[: min(n // 2, len(shared.forwarded) // 2)]
    for inquiry_id, ticket_id in mine:
        for status in ("Resolved", "Closed"):
            body = {"ticket_id": ticket_id, "status": status, "inquiry_id": inquiry_id}
            answer = probe.invoke(api_event(event, body=body))
            status_code = status_of(answer)
            outcome = body_of(answer).get("outcome", answer.error[:40])
            driven.note(f"{status}: {status_code} {outcome}", status_code == 202)
    if not mine:
        driven.caveat = "no forwarded inquiries to resolve (the forwarder's run made none)"


def drive_sweeper(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    """Each run finds ``per_run`` forwarded inquiries past their expiry (tickets to delete) and two stuck
    ones to re-enqueue; the last runs find nothing due (the hourly run of a quiet hour)."""
    from contact_intake.intake.store import EXPIRY_DAY, expiry_day

    event = sample("sweeper_scheduled")
    table = stack.name("InquiriesTable")
    due = shared.forwarded[len(shared.forwarded) // 2 :]
    busy_runs = max(1, n // 2)
    per_run = max(1, math.ceil(len(due) / busy_runs))
    past = int((datetime.now(UTC) - timedelta(days=1)).timestamp())
    for run in range(n):
        batch = due[run * per_run : (run + 1) * per_run]
        for inquiry_id, _ in batch:
            stack.aws.dynamodb.update_item(
                TableName=table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="SET expires_at = :e, #d = :d",
                ExpressionAttributeNames={"#d": EXPIRY_DAY},
                ExpressionAttributeValues={":e": {"N": str(past)}, ":d": {"S": expiry_day(past)}},
            )
        stuck = 2 if batch else 0
        for _ in range(stuck):
            store_stuck_inquiry(stack, table)
        answer = probe.invoke(event)
        result = answer.result if answer.ok and isinstance(answer.result, dict) else {}
        expected = answer.ok and result.get("erased") == len(batch) and result.get("requeued") == stuck
        driven.note(
            f"erased {result.get('erased')}, requeued {result.get('requeued')}"
            if answer.ok
            else answer.error[:60],
            expected,
        )


def store_stuck_inquiry(stack: Stack, table: str) -> None:
    """An inquiry still ``received`` an hour after it came in (its SendMessage failed), stored as the intake
    stores it."""
    from contact_intake.core.retention import LawfulBasis, expires_at_epoch
    from contact_intake.intake.models import InquiryRecord
    from contact_intake.intake.store import to_item

    received = datetime.now(UTC) - timedelta(hours=1)
    record = InquiryRecord(
        inquiry_id=str(uuid.uuid4()),
        received_at=received,
        name="Bench Person",
        email=f"bench.person+{uuid.uuid4().hex[:8]}@example.org",
        subject="Order 4711",
        message="The new cat food is not to my cat's taste.\nCan I exchange it?",
        subject_key=uuid.uuid4().hex * 2,
        lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
        request_fingerprint="0" * 64,
        locale="nl",
        expires_at=expires_at_epoch(received, LawfulBasis.LEGITIMATE_INTERESTS),
    )
    stack.aws.dynamodb.put_item(TableName=table, Item=to_item(record))


def drive_account_events(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    kinds = ("account_events_opened", "account_events_email_changed", "account_events_closed")
    events = {kind: sample(kind) for kind in kinds}
    for i in range(math.ceil(n / 3)):
        for number, kind in enumerate(kinds):
            event = copy.deepcopy(events[kind])
            event["id"] = str(uuid.uuid4())
            event["time"] = (datetime(2026, 11, 20, 9, tzinfo=UTC) + timedelta(minutes=number)).isoformat()
            event["detail"] = {
                "customer_number": f"C-{200000 + i}",
                "email": f"customer{i}{'.new' if number else ''}@example.net",
            }
            answer = probe.invoke(event)
            driven.note(
                f"{kind.removeprefix('account_events_')}: {'ok' if answer.ok else answer.error[:50]}",
                answer.ok,
            )


def drive_rights_api(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    """Per case: the DPO records a request (verified: queued at once; unverified: acknowledged by mail with a
    link), reads it; the person opens the link and confirms on its page; every fourth case the DPO lists
    open requests, every third extends a deadline. The first cases are the intake's reserved people (an
    inquiry and a ticket each, for the worker's export or erasure), the rest new addresses."""
    from devstack.emulators.mail import SentMail, moto_sent_messages

    create, get, listing = sample("rights_api_create"), sample("rights_api_get"), sample("rights_api_list")
    verify, extend = sample("rights_api_verify"), sample("rights_api_extend")
    confirm = sample("rights_api_confirm")
    mail = SentMail(moto_sent_messages(REGION))
    link = re.compile(r"/rights-requests/verify\?token=([A-Za-z0-9_-]+)")
    cases = max(1, n // 3)
    for i in range(cases):
        verified = i % 2 == 0
        email = shared.rights_people[i] if i < len(shared.rights_people) else f"rights.bench+{i}@example.org"
        body = {
            "type": "access" if i % 4 < 2 else "erasure",
            "email": email,
            "locale": "nl",
            "identity_verified": verified,
        }
        answer = probe.invoke(api_event(create, body=body))
        if http(driven, answer, "create", {201}) != 201:
            continue
        request_id = str(body_of(answer).get("request_id"))
        path = f"/rights-requests/{request_id}"
        http(
            driven,
            probe.invoke(api_event(get, path=path, path_parameters={"request_id": request_id})),
            "get",
            {200},
        )
        if not verified:
            found = [m for m in (link.search(x.get("text", "")) for x in mail.messages(email)) if m]
            if found:
                token = found[-1].group(1)
                http(driven, probe.invoke(api_event(verify, query={"token": token})), "verify", {200})
                form = urlencode({"token": token, "right": body["type"]})
                http(driven, probe.invoke(api_event(confirm, body=form)), "confirm", {200})
            else:
                driven.note("verify: no mail with a link", False)
        if i % 4 == 3:
            http(driven, probe.invoke(api_event(listing, query={"status": "open"})), "list", {200})
        if i % 3 == 0:
            extended = api_event(extend, path=f"{path}/extend", path_parameters={"request_id": request_id})
            http(driven, probe.invoke(extended), "extend", {200})


def drive_rights_mail(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    """Mails to the privacy address through devstack's inbound-mail emulator: the raw message into the
    template's bucket, then SES's Lambda event to the function."""
    from devstack.emulators.inbound_mail import InboundMailEmulator, receipt_rules, requested_verdicts
    from devstack.invoker import FunctionFailed

    rules, skipped = receipt_rules(stack.resources, stack.specs)
    if not rules:
        driven.caveat = f"no receipt rule devstack can run: {skipped}"
        return

    class Delivered:
        def __init__(self, answer: Answer) -> None:
            self.answer = answer

        def as_json(self) -> dict[str, Any]:
            return {"ok": self.answer.ok}

    def deliver(_: str, event: dict[str, Any]) -> Delivered:
        answer = probe.invoke(event)
        if not answer.ok:
            driven.note(answer.error[:60], False)
            raise FunctionFailed(answer.error.split(":", 1)[0])
        outcomes = [m.get("outcome", "?") for m in (answer.result or {}).get("mails", [])]
        driven.note(f"mail: {', '.join(map(str, outcomes)) or 'no outcome'}", bool(outcomes))
        return Delivered(answer)

    emulator = InboundMailEmulator(rules, s3=lambda: stack.aws.s3, deliver=deliver, region=REGION)
    texts = (
        ("Inzageverzoek", "Goedendag,\n\nIk wil graag weten welke gegevens u van mij heeft (art. 15 AVG).\n"),
        ("Verwijderen", "Hallo,\n\nWilt u al mijn gegevens verwijderen? Ik heb geen account meer.\n"),
        ("Auskunft", "Guten Tag,\n\nbitte teilen Sie mir mit, welche Daten Sie über mich speichern.\n"),
    )
    for i in range(n):
        subject, text = texts[i % len(texts)]
        with contextlib.suppress(FunctionFailed):  # noted by deliver
            mail = a_plain_mail(f"mail.bench+{i}@example.org", "privacy@shop.localhost", subject, text)
            emulator.receive(mail, requested_verdicts(None))


def drive_rights_worker(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    drain(stack, probe, driven, n)
    if not driven.outcomes:
        driven.caveat = "RightsQueue was empty (the rights API's run queued nothing)"


AUDIO_BYTES = 48 * 1024


def drive_recordings(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    """Interleaved, so every route is warm early: per registration (POST, phone-only, consented), a GET of
    the previous one every other time and a withdrawal (DELETE) of an earlier one every sixth time."""
    post, get, delete = sample("recordings_post"), sample("recordings_get"), sample("recordings_delete")
    registration = json.loads(post["body"])
    registered: list[dict[str, Any]] = []
    withdrawn: set[str] = set()

    def on(template: Mapping[str, Any], recording_id: str, label: str) -> None:
        event = api_event(
            template, path=f"/recordings/{recording_id}", path_parameters={"recording_id": recording_id}
        )
        http(driven, probe.invoke(event), label, {200})

    for i in range(max(1, n // 2)):
        body = {
            **registration,
            "call_id": f"call-bench-{i:06d}",
            "content_type": "audio/mpeg",
            "size_bytes": AUDIO_BYTES,
        }
        answer = probe.invoke(api_event(post, body=body))
        if http(driven, answer, "POST", {201}) == 201:
            registered.append(body_of(answer))
        if i % 3 != 2 and len(registered) > 1:
            on(get, registered[-2]["recording_id"], "GET")
        if i % 6 == 5:
            victim = registered[len(withdrawn)]["recording_id"]
            on(delete, victim, "DELETE")
            withdrawn.add(victim)
    shared.recordings = [grant for grant in registered if grant["recording_id"] not in withdrawn]


def drive_recording_uploaded(probe: Probe, stack: Stack, shared: Shared, n: int, driven: Driven) -> None:
    """The audio of each live registration arrives (PUT to the bucket, then S3's Object Created event); after
    every fifth, an object nobody registered arrives too (deleted on arrival)."""
    from urllib.parse import urlsplit

    event = sample("recording_uploaded_object_created")
    bucket = stack.name("RecordingsBucket")
    audio = bytes(range(256)) * (AUDIO_BYTES // 256)
    arrivals: list[tuple[str, str]] = []
    for number, grant in enumerate(shared.recordings[:n], start=1):
        arrivals.append((urlsplit(grant["upload_url"]).path.removeprefix(f"/{bucket}/"), "stored"))
        if number % 5 == 0:
            arrivals.append((f"quality/{uuid.uuid4()}.mp3", "deleted"))
    for key, expected in arrivals:
        stack.aws.s3.put_object(Bucket=bucket, Key=key, Body=audio, ContentType="audio/mpeg")
        created = copy.deepcopy(event)
        created["id"] = str(uuid.uuid4())
        created["time"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        created["resources"] = [f"arn:aws:s3:::{bucket}"]
        created["detail"]["bucket"]["name"] = bucket
        created["detail"]["object"].update({"key": key, "size": len(audio)})
        answer = probe.invoke(created)
        outcome = str((answer.result or {}).get("outcome")) if answer.ok else answer.error[:60]
        driven.note(outcome, outcome.startswith(expected))


# ------------------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Plan:
    name: str  # functions/<name>
    logical_id: str
    driver: Driver
    full: int  # the driver's n in a full run (its unit: see the driver)
    quick: int
    what: str


PLANS: tuple[Plan, ...] = (
    Plan(
        "intake",
        "IntakeFunction",
        drive_intake,
        200,
        15,
        "n x (OPTIONS preflight + POST /inquiries): fresh captcha token, Idempotency-Key and e-mail each",
    ),
    Plan(
        "forwarder",
        "ForwarderFunction",
        drive_forwarder,
        400,
        400,
        "InquiryQueue drained through devstack's SQS poller (BatchSize 5): the intake's inquiries "
        "forwarded to the Freshdesk emulator, one ticket each",
    ),
    Plan(
        "helpdesk_events",
        "HelpdeskEventsFunction",
        drive_helpdesk_events,
        400,
        30,
        "webhook Resolved, then Closed, for half the forwarded inquiries (erased on Resolved)",
    ),
    Plan(
        "sweeper",
        "SweeperFunction",
        drive_sweeper,
        10,
        4,
        "scheduled runs: the other half of the forwarded inquiries made due in turn (ticket, ledger, "
        "item) + 2 stuck inquiries re-enqueued per busy run; the last half of the runs find nothing due",
    ),
    Plan(
        "account_events",
        "AccountEventsFunction",
        drive_account_events,
        200,
        30,
        "AccountOpened, AccountEmailChanged, AccountClosed per customer",
    ),
    Plan(
        "rights_api",
        "RightsApiFunction",
        drive_rights_api,
        200,
        30,
        "the DPO records requests (half verified, half acknowledged by mail), reads, lists and extends "
        "them; the person opens the mailed link",
    ),
    Plan(
        "rights_mail",
        "RightsMailFunction",
        drive_rights_mail,
        60,
        6,
        "mails to the privacy address via devstack's inbound-mail emulator (S3 then SES's event)",
    ),
    Plan(
        "rights_worker",
        "RightsWorkerFunction",
        drive_rights_worker,
        200,
        10,
        "RightsQueue drained (BatchSize 1): the verified access and erasure requests of the rights "
        "API's run (exports, erasures, mails)",
    ),
    Plan(
        "recordings",
        "RecordingsFunction",
        drive_recordings,
        200,
        30,
        "POST (register) n/2, GET n/3, DELETE (withdraw) n/12, interleaved",
    ),
    Plan(
        "recording_uploaded",
        "RecordingUploadedFunction",
        drive_recording_uploaded,
        200,
        30,
        "Object Created for each live registration (audio PUT first), plus one unregistered object per five",
    ),
)


@dataclass
class Measured:
    plan: Plan
    memory_mb: int
    timeout_s: int
    init_ms: float
    init_peak_kib: int
    init_ru_maxrss_kib: int
    answers: list[Answer]
    driven: Driven
    init_log_bytes: int
    http_calls: dict[str, int]

    @property
    def invocations(self) -> int:
        return len(self.answers)

    @property
    def peak_kib(self) -> int:
        return max([self.init_peak_kib, *(a.peak_kib for a in self.answers)])

    def drift_per_100_kib(self) -> float | None:
        """Resident-set growth over the second half of the invocations, per 100 (the first half is the
        warm-up: clients, caches and code paths used for the first time)."""
        if len(self.answers) < LEAK_CHECK_MIN_CALLS:
            return None
        mark = len(self.answers) // 2
        start, end = self.answers[mark - 1].rss_kib, self.answers[-1].rss_kib
        return (end - start) * 100 / (len(self.answers) - mark)


def justified_mb(peak_kib: int) -> int:
    needed = peak_kib / 1024 * HEADROOM
    return max(MIN_MB, STEP_MB * math.ceil(needed / STEP_MB))


def measure(plan: Plan, stack: Stack, shared: Shared, quick: bool) -> Measured:
    spec = stack.specs[plan.logical_id]
    probe = Probe(spec, EXTRA_ENVIRONMENT.get(plan.name))
    driven = Driven(what=plan.what)
    before = Counter(stack.http_calls)
    try:
        plan.driver(probe, stack, shared, plan.quick if quick else plan.full, driven)
    finally:
        probe.close()
    return Measured(
        plan=plan,
        memory_mb=spec.memory_mb,
        timeout_s=spec.timeout_seconds,
        init_ms=probe.init_ms,
        init_peak_kib=probe.init_peak_kib,
        init_ru_maxrss_kib=probe.init_ru_maxrss_kib,
        answers=probe.answers,
        driven=driven,
        init_log_bytes=probe.init_log_bytes,
        http_calls=dict(Counter(stack.http_calls) - before),
    )


def bare_interpreter_kib() -> int:
    """VmHWM of ``python -P -c pass``'s equivalent: the interpreter with nothing imported (the floor)."""
    import subprocess

    code = (
        "import sys\nfor line in open('/proc/self/status'):\n"
        "    line.startswith('VmHWM:') and sys.stdout.write(line.split()[1])"
    )
    done = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=False)
    return int(done.stdout or 0)


def mib(kib: float) -> float:
    return round(kib / 1024, 1)


def summary(m: Measured) -> dict[str, Any]:
    calls: Counter[str] = Counter()
    for answer in m.answers:
        calls.update(answer.calls)
    n = max(1, m.invocations)
    log_bytes = (m.answers[-1].log_bytes - m.init_log_bytes) if m.answers else 0
    drift = m.drift_per_100_kib()
    return {
        "logical_id": m.plan.logical_id,
        "memory_size_mb": m.memory_mb,
        "invocations": m.invocations,
        "what": m.driven.what,
        "outcomes": dict(m.driven.outcomes),
        "unexpected": m.driven.unexpected,
        "caveat": m.driven.caveat,
        "init_ms": m.init_ms,
        "peak_after_init_mib": mib(m.init_peak_kib),
        "peak_after_load_mib": mib(m.peak_kib),
        "growth_mib": mib(m.peak_kib - m.init_peak_kib),
        "rss_drift_second_half_mib_per_100": None if drift is None else round(drift / 1024, 2),
        "justified_memory_size_mb": justified_mb(m.peak_kib),
        "ru_maxrss_after_init_mib": mib(m.init_ru_maxrss_kib),
        "invoke_ms_median_local": round(statistics.median(a.ms for a in m.answers), 2) if m.answers else None,
        "aws_calls_per_invocation": {k: round(v / n, 3) for k, v in sorted(calls.items())},
        "third_party_http_calls": m.http_calls,
        "log_bytes_per_invocation": round(log_bytes / n, 1),
    }


def run(progress: Progress, options: Options) -> Report:
    if str(LAYER) not in sys.path:  # contact_intake, for seeding data as the functions store it
        sys.path.insert(0, str(LAYER))
    report = Report()
    shared = Shared()
    results: list[Measured] = []
    progress("starting moto, the template's resources and devstack's emulators")
    with local_stack() as stack:
        for plan in PLANS:
            measured = measure(plan, stack, shared, options.quick)
            results.append(measured)
            progress(
                f"{plan.name}: {measured.invocations} invocations, peak {mib(measured.init_peak_kib)} MiB "
                f"after init, {mib(measured.peak_kib)} MiB after the load, "
                f"{measured.driven.unexpected} unexpected answers"
            )
    floor = bare_interpreter_kib()
    for m in results:
        name = m.plan.name
        report.add(f"{name}: peak RSS after init", mib(m.init_peak_kib), "MiB")
        report.at_most(
            f"{name}: peak RSS after {m.invocations} invocations", mib(m.peak_kib), m.memory_mb, "MiB"
        )
        report.add(f"{name}: growth init -> load", mib(m.peak_kib - m.init_peak_kib), "MiB")
        drift = m.drift_per_100_kib()
        report.add(
            f"{name}: RSS drift over the 2nd half, per 100 calls",
            f"n/a (< {LEAK_CHECK_MIN_CALLS} calls)" if drift is None else round(drift / 1024, 2),
            "" if drift is None else "MiB",
        )
        report.add(
            f"{name}: MemorySize justified (x{HEADROOM:g}, {STEP_MB} MB steps)",
            justified_mb(m.peak_kib),
            "MB",
        )
        if m.driven.unexpected or m.driven.caveat:
            report.add(f"{name}: unexpected answers", f"{m.driven.unexpected} {m.driven.caveat}".strip())
    report.add("bare interpreter (python -P, nothing imported)", mib(floor), "MiB")
    report.details = {
        "method": "fresh interpreter per function (bench/_memory_probe.py), handler invoked in-process with "
        "events from events/*.json made unique; moto server + devstack emulators on 127.0.0.1; peak = VmHWM "
        "(the kernel's peak resident set of the process since its exec; ru_maxrss also carries the forked "
        "parent's peak, see ru_maxrss_after_init_mib)",
        "headroom": HEADROOM,
        "step_mb": STEP_MB,
        "bare_interpreter_mib": mib(floor),
        "functions": {m.plan.name: summary(m) for m in results},
    }
    return report
