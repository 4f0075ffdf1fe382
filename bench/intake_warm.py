"""Warm path of IntakeFunction: the handler's own overhead per inquiry, AWS and siteverify faked in-process.

``intake_handler.wiring`` is swapped for a wiring whose store, queue, verifier and secrets are trivial
in-memory fakes (docs/architecture.md §2: collaborators are replaceable without patching internals), so what
is timed
is API Gateway event -> Powertools resolver and validation -> IntakeService -> response, logging and
metrics included (written to /dev/null, as Lambda's stdout is a pipe). Target: median <= 2 ms.

Then the parts on their own, with the same fakes: IntakeService.submit, and the request preparation and
CORS of contact_intake.api.http; the rest is Powertools (resolver, validation, Logger, Metrics).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bench._core import Options, Progress, Report, median, percentile, spread
from bench._intake import a_form, api_event, output_to_devnull, use_handler_in_process
from bench._probe import lambda_context

if TYPE_CHECKING:
    from contact_intake.intake.models import InquiryRecord

MEDIAN_TARGET_MS = 2.0
INVOCATIONS = 2000
WARM_UP = 300
QUICK_INVOCATIONS = 300
REMOTE_IP = "198.51.100.23"


class PassingVerifier:
    def verify(self, token: str, remote_ip: str | None) -> None:
        """Every token is a person's."""


class MemoryStore:
    def __init__(self) -> None:
        self.items: dict[str, InquiryRecord] = {}

    def put_new(self, record: InquiryRecord) -> None:
        from contact_intake.intake.store import InquiryExists

        if record.inquiry_id in self.items:
            raise InquiryExists(self.items[record.inquiry_id])
        self.items[record.inquiry_id] = record

    def get(self, inquiry_id: str) -> InquiryRecord | None:
        return self.items.get(inquiry_id)


class MemoryQueue:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, inquiry_id: str, delay_seconds: int = 0) -> None:
        self.sent += 1


def timed(call: Callable[[Any], object], inputs: Sequence[Any], warm_up: int) -> list[float]:
    """Milliseconds per call; the first ``warm_up`` calls are not kept."""
    times: list[float] = []
    for index, argument in enumerate(inputs):
        started = time.perf_counter_ns()
        call(argument)
        elapsed = time.perf_counter_ns() - started
        if index >= warm_up:
            times.append(elapsed / 1e6)
    return times


def fake_wiring(settings: Any) -> Any:
    """An IntakeWiring whose store, queue, verifier and secrets live in memory."""
    from contact_intake.core.secrets import SecretReader
    from contact_intake.intake.wiring import IntakeWiring

    fakes = IntakeWiring(settings)
    fakes.verifier = PassingVerifier()
    fakes.store = MemoryStore()  # type: ignore[assignment]
    fakes.queue = MemoryQueue()  # type: ignore[assignment]
    fakes.secrets = SecretReader(fetch=lambda name, max_age: "bench-pepper-0123456789abcdef")
    return fakes


def measure(progress: Progress, count: int) -> dict[str, list[float]]:
    """Milliseconds per call of the handler, of IntakeService.submit, and of http's preparation + CORS."""
    import intake_handler

    from contact_intake.api import http
    from contact_intake.intake.models import InquiryForm

    settings = intake_handler.settings
    fakes = fake_wiring(settings)
    context = lambda_context()
    statuses: list[int] = []
    total = WARM_UP + count
    progress(f"building {3 * total} events and forms")
    events = [api_event(a_form()) for _ in range(total)]
    prepare_events = [api_event(a_form()) for _ in range(total)]
    forms = [InquiryForm.model_validate(a_form()) for _ in range(total)]

    def invoke(event: dict[str, Any]) -> None:
        statuses.append(intake_handler.lambda_handler(event, context)["statusCode"])

    def submit(form: InquiryForm) -> None:
        fakes.intake.submit(form, idempotency_key=None, remote_ip=REMOTE_IP)

    def prepare(event: dict[str, Any]) -> None:
        http.cors_headers(event, settings.allowed_origins)
        http.prepare_form_post(event, settings.max_body_bytes)

    saved = intake_handler.wiring
    intake_handler.wiring = fakes
    try:
        with output_to_devnull():
            progress(f"lambda_handler: {WARM_UP} warm-up + {count} timed invocations")
            times = {"lambda_handler": timed(invoke, events, WARM_UP)}
            progress(f"IntakeService.submit alone: {WARM_UP} + {count}")
            times["submit"] = timed(submit, forms, WARM_UP)
            progress(f"http.cors_headers + prepare_form_post alone: {WARM_UP} + {count}")
            times["prepare_cors"] = timed(prepare, prepare_events, WARM_UP)
    finally:
        intake_handler.wiring = saved
    if set(statuses) != {202} or len(fakes.store.items) != 2 * total:  # the handler's and submit's
        raise RuntimeError(f"warm path answered {sorted(set(statuses))} and stored {len(fakes.store.items)}")
    return times


def run(progress: Progress, options: Options) -> Report:
    use_handler_in_process()
    count = QUICK_INVOCATIONS if options.quick else INVOCATIONS
    times = measure(progress, count)
    handler_ms = times["lambda_handler"]
    handler_median, submit_median, prepare_median = (
        median(times[k]) for k in ("lambda_handler", "submit", "prepare_cors")
    )
    ours = submit_median + prepare_median
    report = Report()
    report.at_most(f"lambda_handler median ({count} inquiries)", handler_median, MEDIAN_TARGET_MS, "ms")
    report.add("lambda_handler p95", percentile(handler_ms, 95), "ms")
    report.add("  IntakeService.submit alone, median", submit_median, "ms")
    report.add("  http prepare + CORS alone, median", prepare_median, "ms")
    report.add("  rest: routing, validation, Logger, Metrics", max(handler_median - ours, 0.0), "ms")
    report.add("  our code's share of the median", 100 * ours / handler_median, "%")
    report.details = {
        "method": "in-process, intake_handler.wiring swapped for in-memory fakes, logs/metrics to /dev/null, "
        f"{WARM_UP} warm-up calls dropped, perf_counter_ns per call",
        "ms": {name: spread(values) for name, values in times.items()},
    }
    return report
