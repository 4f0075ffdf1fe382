"""RightsApiFunction's first response as a person waits on it: the verification link opened after a quiet
hour. A fresh process with the environment devstack gives the function imports ``rights_api_handler`` and
answers one GET /rights-requests/verify?token=... (a well-formed token that is not ours: the lookup
happens, the page says the link is gone), against a bare boto3 process doing the same lookup (one Query on
the by_token_hash index) on the same moto server. Target: at most 1.5x (ratio of medians), with the spread
of the paired ratios. ``BENCH_BASELINE=<another checkout>`` adds that checkout's handler in the same rounds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from bench._core import Options, Progress, Report, median, spread
from bench._intake import a_form, api_event
from bench._memory_stack import local_stack
from bench.intake_cold import alternate, column, devstack_environment, spread_of

FIRST_RATIO_TARGET = 1.5
SAMPLES = 21
QUICK_SAMPLES = 4
GONE = 410


def run(progress: Progress, options: Options) -> Report:
    rounds = QUICK_SAMPLES if options.quick else SAMPLES
    report = Report()
    baseline = os.environ.get("BENCH_BASELINE")
    with local_stack() as stack:
        extra = {"BENCH_EVENT": json.dumps(api_event(a_form()))}
        env = {**devstack_environment(stack, function="RightsApiFunction"), **extra}
        plan: dict[str, tuple[str, Mapping[str, str]]] = {
            "handler": ("rights_first", env),
            "floor": ("rights_floor_first", env),
        }
        if baseline:
            base_env = {**devstack_environment(stack, Path(baseline), "RightsApiFunction"), **extra}
            plan["baseline"] = ("rights_first", base_env)
        progress(f"{rounds} fresh interpreters per kind, rotating {list(plan)}")
        samples = alternate(plan, rounds, None, progress, expect=GONE)

    handler = column(samples["handler"], "init_ms", "first_ms")
    floor = column(samples["floor"], "init_ms", "first_ms")
    report.add("floor: import boto3 + DynamoDB client + the token Query", median(floor), "ms")
    report.add("handler: import rights_api_handler + GET verify", median(handler), "ms")
    report.add("  of which init (import)", median(column(samples["handler"], "init_ms")), "ms")
    report.add("  of which first response", median(column(samples["handler"], "first_ms")), "ms")
    ratio = median(handler) / median(floor)
    report.at_most("rights_cold_first: init+first ratio handler / floor", ratio, FIRST_RATIO_TARGET, "x")
    paired = [a / b for a, b in zip(handler, floor, strict=True)]
    report.add("rights_cold_first: spread of paired ratios (p10-p90)", spread_of(paired))
    details = {"handler_init_first": spread(handler), "floor_init_first": spread(floor)}
    if baseline:
        base = column(samples["baseline"], "init_ms", "first_ms")
        report.add("baseline (BENCH_BASELINE): init+first ratio / floor", median(base) / median(floor), "x")
        report.add(
            "baseline: spread of paired ratios (p10-p90)",
            spread_of([a / b for a, b in zip(base, floor, strict=True)]),
        )
        details["baseline_init_first"] = spread(base)
    report.details = {"samples_per_kind": rounds, "baseline": baseline, "ms": details}
    return report
