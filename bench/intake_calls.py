"""AWS calls per inquiry (docs/architecture.md §1: one durable write, one enqueue), counted, not timed.

IntakeFunction runs in-process against moto (``mock_aws``) with siteverify served by a local HTTP server. A
botocore ``before-call.*.*`` handler on the wiring's clients (and on the SSM client Powertools
parameters uses) counts every API call. Three inquiries with one Idempotency-Key and one body:

1. new:                PutItem == 1, SendMessage == 1.
2. retry, same token:  the network retry of (1); Google says the token is used (timeout-or-duplicate),
                       the service reads the stored record and answers the replay: 0 writes, 0 sends.
3. retry, new token:   a re-rendered widget; the conditional PutItem is refused (ConditionalCheckFailed,
                       nothing written) and nothing is sent.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from bench._core import Options, Progress, Report
from bench._intake import (
    SITEVERIFY_OK,
    a_form,
    api_event,
    create_intake_resources,
    local_siteverify,
    output_to_devnull,
    use_handler_in_process,
)
from bench._probe import lambda_context

IDEMPOTENCY_KEY = "bench-retry-0001"
TOKEN_USED = {"success": False, "error-codes": ["timeout-or-duplicate"]}


class CallCounter:
    """Counts botocore API calls by ``service.Operation`` (before-call.<service>.<Operation>)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.*.*", self._count)

    def _count(self, event_name: str, **_: Any) -> None:
        self.calls[event_name.removeprefix("before-call.")] += 1

    def since(self, before: Counter[str]) -> Counter[str]:
        return self.calls - before


def others(calls: Counter[str]) -> str:
    rest = {k: v for k, v in sorted(calls.items()) if k not in {"dynamodb.PutItem", "sqs.SendMessage"}}
    return ", ".join(f"{k} {v}" for k, v in rest.items()) or "none"


def run(progress: Progress, options: Options) -> Report:
    use_handler_in_process()
    import intake_handler
    from moto import mock_aws

    from contact_intake.intake.settings import IntakeSettings
    from contact_intake.intake.wiring import IntakeWiring

    report = Report()
    body = a_form()
    new_token = a_form()["captcha_token"]
    context = lambda_context()
    with mock_aws(), local_siteverify() as google:
        create_intake_resources(None)
        settings = IntakeSettings.from_env({**os.environ, "CAPTCHA_VERIFY_URL": google.url})
        wiring = IntakeWiring(settings)
        counter = CallCounter()
        counter.attach(wiring.clients.dynamodb)
        counter.attach(wiring.clients.sqs)
        counter.attach(wiring.clients.ssm)  # the secrets' client (one session: docs/decisions.md D76)
        saved = intake_handler.wiring
        intake_handler.wiring = wiring
        try:
            with output_to_devnull():
                steps: list[tuple[str, Counter[str], int, dict[str, Any]]] = []
                for label, form, verdict in (
                    ("new inquiry", body, SITEVERIFY_OK),
                    ("retry, same token", body, TOKEN_USED),
                    ("retry, new token", {**body, "captcha_token": new_token}, SITEVERIFY_OK),
                ):
                    google.verdict = verdict
                    before = Counter(counter.calls)
                    google_before = google.calls
                    response = intake_handler.lambda_handler(
                        api_event(form, headers={"Idempotency-Key": IDEMPOTENCY_KEY}),
                        context,
                    )
                    steps.append((label, counter.since(before), google.calls - google_before, response))
                    progress(f"{label}: {response['statusCode']}, {dict(steps[-1][1])}")
            dynamodb, sqs = wiring.clients.dynamodb, wiring.clients.sqs
            stored = dynamodb.scan(TableName=intake_handler.settings.inquiries_table)["Count"]
            queued = sqs.get_queue_attributes(
                QueueUrl=intake_handler.settings.inquiry_queue_url,
                AttributeNames=["ApproximateNumberOfMessages"],
            )["Attributes"]["ApproximateNumberOfMessages"]
        finally:
            intake_handler.wiring = saved

    ids = {json.loads(r["body"]).get("inquiry_id") for _, _, _, r in steps if r["statusCode"] == 202}
    report.exactly("steps answered 202 (of 3)", sum(r["statusCode"] == 202 for *_, r in steps), 3)
    for label, calls, siteverify, _ in steps:
        new = label == "new inquiry"
        if label == "retry, new token":
            report.add(f"{label}: dynamodb.PutItem (refused, writes nothing)", calls["dynamodb.PutItem"])
        else:
            report.exactly(f"{label}: dynamodb.PutItem", calls["dynamodb.PutItem"], 1 if new else 0)
        report.exactly(f"{label}: sqs.SendMessage", calls["sqs.SendMessage"], 1 if new else 0)
        report.add(f"{label}: other AWS calls", others(calls))
        report.add(f"{label}: siteverify calls", siteverify)
    report.exactly("distinct inquiry ids over the three", len(ids), 1)
    report.exactly("items in the table afterwards", int(stored), 1)
    report.exactly("messages in the queue afterwards", int(queued), 1)
    report.details = {
        "steps": [
            {"step": label, "status": r["statusCode"], "aws_calls": dict(sorted(c.items())), "siteverify": s}
            for label, c, s, r in steps
        ],
        "method": "moto mock_aws in-process, a local HTTP siteverify, botocore before-call.*.* counters",
    }
    return report
