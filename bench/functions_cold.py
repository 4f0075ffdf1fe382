"""Cold-start import of every function in template.yaml, each against its own floor (docs/architecture.md §1).

The functions and their handler modules are read from template.yaml (``CodeUri: functions/<name>/`` and
``Handler: <module>.lambda_handler``). Each function's floor is what a bare boto3 function doing its job
would import at init: ``import boto3`` and a client of each service its wiring builds through
``contact_intake.core.clients.Clients`` (CLIENTS below, read from the capabilities' wiring modules,
contact_intake/*/wiring.py and rights/*wiring.py). The secret readers' clients (SSM through Powertools
parameters, Secrets Manager) are left out, as in intake_cold's floor: the floor is the smaller, the
target the stricter for it.

Every sample is a fresh interpreter (bench/_probe.py ``module_import`` / ``clients_import``) with
``layers/common`` and ``functions/<name>`` on PYTHONPATH and the functions' environment (tests/conftest.py
TEST_ENVIRONMENT, through bench/_intake.child_environment). One discarded warm-up pair per function, then
rounds; in each round every function is sampled next to its floor (A B), the order of the two swapped
every round. Target per function: median import <= 1.3x the median of its floor.

A function that misses it is taken apart with ``python -X importtime`` (3 runs; 1 for the others, kept in
the details): what to defer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench._core import Options, Progress, Report, median, spread
from bench._intake import LAYER, ROOT, child_environment
from bench.intake_cold import Sample, add_importtime_rows, column, importtime_breakdown, paired_ratio, probe

IMPORT_RATIO_TARGET = 1.3
SAMPLES = 8
QUICK_SAMPLES = 2
IMPORTTIME_RUNS_MISSED = 3
IMPORTTIME_RUNS = 1
TOP_MODULES = 5
TOP_PACKAGES = 4
# The services each function's wiring builds a client for (Clients.dynamodb / .sqs / .s3 / .s3_presigner /
# .sesv2). A function added to the template must be added here: its floor is part of its figure.
CLIENTS: dict[str, tuple[str, ...]] = {
    "intake": ("dynamodb", "sqs"),  # IntakeWiring: store, accounts mirror; queue
    "forwarder": ("dynamodb", "sqs"),  # ForwarderWiring: store; queue, DLQ
    "account_events": ("dynamodb",),  # ErasureWiring (store, ledger) + accounts mirror
    "helpdesk_events": ("dynamodb",),  # ErasureWiring (store, ledger)
    "sweeper": ("dynamodb", "sqs"),  # ErasureWiring; InquiryQueue (re-enqueue)
    "rights_mail": ("dynamodb", "sqs", "sesv2", "s3"),  # RightsWiring (requests, queue, mailer); raw mail
    "rights_api": ("dynamodb", "sqs", "sesv2"),  # RightsWiring: requests, queue, mailer
    "rights_worker": ("dynamodb", "sqs", "sesv2", "s3"),  # RightsWiring + ErasureWiring + raw mail, audio
    "recordings": ("dynamodb", "s3", "s3"),  # ledger, accounts; audio (s3) and its presigner (a 2nd client)
    "recording_uploaded": ("dynamodb", "s3"),  # ledger; audio
}
_HANDLER = re.compile(r"CodeUri:\s*functions/(\w+)/?\s*\n\s*Handler:\s*(\w+)\.lambda_handler")


@dataclass(frozen=True)
class Function:
    name: str
    module: str
    clients: tuple[str, ...]

    @property
    def floor(self) -> str:
        return "boto3 + " + " + ".join(self.clients)

    def environment(self) -> dict[str, str]:
        return child_environment(
            {
                "PYTHONPATH": os.pathsep.join([str(LAYER), str(ROOT / "functions" / self.name)]),
                "BENCH_MODULE": self.module,
                "BENCH_CLIENTS": ",".join(self.clients),
            }
        )


def functions() -> list[Function]:
    """Every function of template.yaml, in the template's order, with its handler module and floor."""
    found = _HANDLER.findall((ROOT / "template.yaml").read_text(encoding="utf-8"))
    missing = [name for name, _ in found if name not in CLIENTS]
    if not found or missing:
        raise RuntimeError(f"no floor (CLIENTS) for function(s) {missing} of template.yaml" if found else
                           "no CodeUri/Handler pairs found in template.yaml")  # fmt: skip
    folders = sorted(
        p.name for p in (ROOT / "functions").iterdir() if p.is_dir() and not p.name.startswith("_")
    )
    extra = sorted(set(folders) - {name for name, _ in found})
    if extra:
        raise RuntimeError(f"functions/ has folder(s) the template does not name: {extra}")
    return [Function(name, module, CLIENTS[name]) for name, module in found]


def sample_rounds(
    funcs: Sequence[Function], rounds: int, progress: Progress
) -> dict[str, dict[str, list[Sample]]]:
    """One discarded warm-up pair per function, then ``rounds`` rounds of (function, floor) pairs; the
    pair's order is swapped every round, so neither kind always follows the other."""
    envs = {f.name: f.environment() for f in funcs}
    for f in funcs:
        probe("module_import", envs[f.name])
        probe("clients_import", envs[f.name])
    progress(f"warm-up done ({len(funcs)} functions x 2 kinds)")
    samples: dict[str, dict[str, list[Sample]]] = {f.name: {"handler": [], "floor": []} for f in funcs}
    for index in range(rounds):
        for f in funcs:
            kinds = [("handler", "module_import"), ("floor", "clients_import")]
            for label, kind in kinds if index % 2 == 0 else kinds[::-1]:
                samples[f.name][label].append(probe(kind, envs[f.name]))
        shown = ", ".join(
            f"{name} {median(column(s['handler'], 'init_ms')) / median(column(s['floor'], 'init_ms')):.2f}x"
            for name, s in samples.items()
        )
        progress(f"  round {index + 1}/{rounds}: {shown} (ratios of medians so far)")
    return samples


def run(progress: Progress, options: Options) -> Report:
    rounds = QUICK_SAMPLES if options.quick else SAMPLES
    funcs = functions()
    report = Report()
    progress(f"{len(funcs)} functions, {rounds} rounds of (function, floor) pairs, fresh interpreters")
    samples = sample_rounds(funcs, rounds, progress)

    startup = [float(s["startup_ms"]) for f in samples.values() for kind in f.values() for s in kind]
    report.add("interpreter start (spawn to first line)", median(startup), "ms")
    ratios: dict[str, float] = {}
    per_function: dict[str, Any] = {}
    for f in funcs:
        handler = column(samples[f.name]["handler"], "init_ms")
        floor = column(samples[f.name]["floor"], "init_ms")
        ratios[f.name] = median(handler) / median(floor)
        report.add(f"{f.name}: import {f.module}", median(handler), "ms")
        report.add(f"{f.name}: floor, {f.floor}", median(floor), "ms")
        report.at_most(f"{f.name}: import ratio handler / floor", ratios[f.name], IMPORT_RATIO_TARGET, "x")
        per_function[f.name] = {
            "module": f.module,
            "floor_clients": list(f.clients),
            "ratio_of_medians": round(ratios[f.name], 3),
            "ratio_of_paired_samples": round(paired_ratio(handler, floor), 3),
            "ratio_of_minimums": round(min(handler) / min(floor), 3),
            "ms": {"handler_import": spread(handler), "floor": spread(floor)},
        }
    missed = [f for f in funcs if ratios[f.name] > IMPORT_RATIO_TARGET]
    report.add("functions within the target", f"{len(funcs) - len(missed)} of {len(funcs)}")

    progress(
        f"import breakdown: python -X importtime, {IMPORTTIME_RUNS_MISSED} runs for the {len(missed)} that "
        f"missed, {IMPORTTIME_RUNS} for the others"
    )
    for f in funcs:
        runs = IMPORTTIME_RUNS_MISSED if f in missed else IMPORTTIME_RUNS
        per_function[f.name]["importtime"] = importtime_breakdown(
            f.environment(), runs, f.module, TOP_MODULES * 2
        )
    for f in missed:
        breakdown = per_function[f.name]["importtime"]
        add_importtime_rows(
            report, breakdown, modules=TOP_MODULES, packages=TOP_PACKAGES, label=f"{f.name}: "
        )

    report.details = {
        "samples_per_kind": rounds,
        "method": "fresh interpreter per sample (bench/_probe.py module_import / clients_import), each "
        "function next to its floor, the pair's order swapped every round, one warm-up pair discarded; "
        "medians",
        "floor": "import boto3 + one client per service the function's wiring builds through Clients "
        "(secret readers' SSM / Secrets Manager clients left out, as in intake_cold)",
        "interpreter_start_ms": spread(startup),
        "functions": per_function,
    }
    return report
