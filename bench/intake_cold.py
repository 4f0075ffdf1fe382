"""Cold start of IntakeFunction against the floor of a bare boto3 function (DESIGN §1).

Every sample is a fresh interpreter (bench/_probe.py), the kinds taken in turn (A B A B ...) so that
machine noise falls on both sides alike. Two phases:

1. import: ``import intake_handler`` vs ``import boto3`` + a DynamoDB and an SQS client.
   Target: the handler's import costs at most 1.5x the floor (ratio of medians).
2. init + first response, against a moto server and a siteverify stub served from this process:
   the handler (clients built lazily, as the code does today; and built at init, as under SnapStart) vs
   a bare boto3 function doing the same two calls (PutItem + SendMessage).

Plus a breakdown of the handler's import by ``python -X importtime`` (what to defer next).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from bench._core import Options, Progress, Report, median, spread
from bench._intake import (
    PROBE,
    RESULT_PREFIX,
    a_form,
    api_event,
    child_environment,
    local_aws,
    local_siteverify,
)

IMPORT_RATIO_TARGET = 1.5
SAMPLES = 21
QUICK_SAMPLES = 4
IMPORTTIME_RUNS = 3
TOP_MODULES = 10
TOP_PACKAGES = 6
Sample = dict[str, Any]
# the steps of building the clients at init (bench/_probe.py build_clients_at_init), in order
CLIENT_PARTS = {
    "import_boto3": "import boto3",
    "session": "boto3 Session",
    "dynamodb": "DynamoDB client (the first loads botocore data)",
    "sqs": "SQS client",
    "http": "requests Session",
    "import_parameters": "import Powertools parameters",
    "ssm": "SSM client (for the secrets)",
}


def probe(kind: str, env: Mapping[str, str]) -> Sample:
    """One fresh interpreter running bench/_probe.py KIND; its result plus the parent's wall time."""
    spawn_env = {**env, "BENCH_SPAWN_NS": str(time.monotonic_ns())}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-P", str(PROBE), kind],  # -P: bench/ stays off sys.path
        env=spawn_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    wall_ms = (time.perf_counter() - started) * 1000
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"probe {kind} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    sample: Sample = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    sample["wall_ms"] = round(wall_ms, 3)
    for key in ("status", "second_status"):
        if key in sample and sample[key] != 202:
            raise RuntimeError(f"probe {kind}: {key} {sample[key]}, expected 202:\n{done.stdout[-2000:]}")
    return sample


def alternate(
    kinds: Sequence[str], rounds: int, env: Mapping[str, str], progress: Progress
) -> dict[str, list[Sample]]:
    """One discarded warm-up sample of each kind (bytecode and page cache), then ``rounds`` of A B (C) ..."""
    for kind in kinds:
        probe(kind, env)
    samples: dict[str, list[Sample]] = {kind: [] for kind in kinds}
    for index in range(rounds):
        for kind in kinds:
            samples[kind].append(probe(kind, env))
        if (index + 1) % 5 == 0 or index + 1 == rounds:
            shown = ", ".join(
                f"{k} {median([s['init_ms'] for s in v]):.0f} ms init" for k, v in samples.items()
            )
            progress(f"  round {index + 1}/{rounds}: {shown} (medians so far)")
    return samples


def column(samples: Sequence[Sample], *keys: str) -> list[float]:
    """Per-sample sum of the given fields (e.g. init_ms + first_ms)."""
    return [sum(float(s[k]) for k in keys) for s in samples]


def paired_ratio(top: Sequence[float], bottom: Sequence[float]) -> float:
    return median([a / b for a, b in zip(top, bottom, strict=True)])


def importtime_breakdown(
    env: Mapping[str, str], runs: int, module_name: str = "intake_handler", top_modules: int = TOP_MODULES
) -> dict[str, Any]:
    """``python -X importtime -c 'import MODULE'``: per-module medians over ``runs`` runs (ms), the
    ``top_modules`` largest cumulative imports below it, self time by top-level package."""
    cumulative: dict[str, list[int]] = defaultdict(list)
    self_us: dict[str, list[int]] = defaultdict(list)
    depth: dict[str, int] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-P", "-X", "importtime", "-c", f"import {module_name}"],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "imported package" in line:
                continue
            own, total, name = line.removeprefix("import time:").split("|", 2)
            module = name.strip()
            depth[module] = (len(name) - len(name.lstrip()) - 1) // 2
            cumulative[module].append(int(total.strip()))
            self_us[module].append(int(own.strip()))
    cum_ms = {m: median(v) / 1000 for m, v in cumulative.items()}
    self_ms = {m: median(v) / 1000 for m, v in self_us.items()}
    by_package: dict[str, float] = defaultdict(float)
    for module, value in self_ms.items():
        by_package[module.split(".")[0]] += value
    top = sorted((m for m in cum_ms if m != module_name), key=lambda m: -cum_ms[m])[:top_modules]
    return {
        "note": "python -X importtime (adds its own overhead): medians over runs, milliseconds",
        "runs": runs,
        "total_ms": round(cum_ms.get(module_name, 0.0), 1),
        "handler_self_ms": round(self_ms.get(module_name, 0.0), 1),
        "top_cumulative": [
            {
                "module": m,
                "cumulative_ms": round(cum_ms[m], 1),
                "self_ms": round(self_ms[m], 1),
                "depth": depth[m],
            }
            for m in top
        ],
        "self_by_top_level_package": {
            k: round(v, 1) for k, v in sorted(by_package.items(), key=lambda kv: -kv[1]) if v >= 1.0
        },
    }


def run(progress: Progress, options: Options) -> Report:
    rounds = QUICK_SAMPLES if options.quick else SAMPLES
    report = Report()
    env = child_environment()

    progress(f"import breakdown: python -X importtime, {IMPORTTIME_RUNS} runs")
    breakdown = importtime_breakdown(env, IMPORTTIME_RUNS)

    progress(f"phase 1 (import): {rounds} fresh interpreters per kind, alternating")
    phase1 = alternate(("handler_import", "floor_import"), rounds, env, progress)
    handler_import = column(phase1["handler_import"], "init_ms")
    floor_import = column(phase1["floor_import"], "init_ms")
    startup = column(phase1["handler_import"] + phase1["floor_import"], "startup_ms")

    progress("phase 2 (init + first response): starting moto server and siteverify stub")
    with local_aws() as aws, local_siteverify() as siteverify_url:
        event = api_event(a_form())
        env2 = child_environment(
            {
                **aws.child_variables(),
                "RECAPTCHA_VERIFY_URL": siteverify_url,
                "BENCH_EVENT": json.dumps(event),
                "BENCH_BODY_1": json.dumps(a_form()),
                "BENCH_BODY_2": json.dumps(a_form()),
            }
        )
        progress(f"phase 2: {rounds} fresh interpreters per kind, rotating (moto at {aws.endpoint})")
        phase2 = alternate(("handler_first", "floor_first", "handler_first_eager"), rounds, env2, progress)

    lazy = phase2["handler_first"]
    eager = phase2["handler_first_eager"]
    floor = phase2["floor_first"]
    lazy_total = column(lazy, "init_ms", "first_ms")
    eager_total = column(eager, "init_ms", "first_ms")
    floor_total = column(floor, "init_ms", "first_ms")
    clients_at_init = column(eager, "clients_at_init_ms")

    def ms(samples: Sequence[Sample], *keys: str) -> float:
        return median(column(samples, *keys))

    report.add("interpreter start (spawn to first line)", median(startup), "ms")
    report.add("floor: import boto3 + DynamoDB + SQS client", median(floor_import), "ms")
    report.add("handler: import intake_handler", median(handler_import), "ms")
    ratio = median(handler_import) / median(floor_import)
    report.at_most("import ratio handler / floor", ratio, IMPORT_RATIO_TARGET, "x")
    report.add("floor: init + PutItem + SendMessage", median(floor_total), "ms")
    report.add("  of which PutItem + SendMessage", ms(floor, "first_ms"), "ms")
    report.add("handler, lazy clients: init + first response", median(lazy_total), "ms")
    report.add("  of which init (import)", ms(lazy, "init_ms"), "ms")
    report.add("  of which first response", ms(lazy, "first_ms"), "ms")
    report.add("  (second response, same container)", ms(lazy, "second_ms"), "ms")
    report.add("init+first ratio, lazy clients / floor", median(lazy_total) / median(floor_total), "x")
    report.add("handler, clients at init: init + first response", median(eager_total), "ms")
    report.add("  of which init (import + clients)", ms(eager, "init_ms"), "ms")
    report.add("  of which import boto3 + 4 clients", median(clients_at_init), "ms")
    parts = {name: median([s["clients_parts_ms"][name] for s in eager]) for name in CLIENT_PARTS}
    for name, label in CLIENT_PARTS.items():
        report.add(f"    {label}", parts[name], "ms")
    report.add("  of which first response", ms(eager, "first_ms"), "ms")
    report.add("init+first ratio, clients at init / floor", median(eager_total) / median(floor_total), "x")
    share = 100 * median(clients_at_init) / median(lazy_total)
    report.add("boto3 + clients share of init+first (lazy)", share, "%")
    for rank, entry in enumerate(breakdown["top_cumulative"], start=1):
        name = f"importtime #{rank:<2d} {'. ' * entry['depth']}{entry['module']}"
        report.add(name, entry["cumulative_ms"], "ms")
    packages = list(breakdown["self_by_top_level_package"].items())[:TOP_PACKAGES]
    for rank, (package, self_ms) in enumerate(packages, start=1):
        report.add(f"importtime self, package #{rank} {package}", self_ms, "ms")

    report.details = {
        "samples_per_kind": rounds,
        "method": "fresh interpreter per sample (bench/_probe.py), kinds alternated, medians; "
        "init+first against a ThreadedMotoServer and a siteverify stub on 127.0.0.1",
        "ratios_of_paired_samples": {
            "import": round(paired_ratio(handler_import, floor_import), 3),
            "init_first_lazy": round(paired_ratio(lazy_total, floor_total), 3),
            "init_first_clients_at_init": round(paired_ratio(eager_total, floor_total), 3),
        },
        "ratios_of_minimums": {
            "import": round(min(handler_import) / min(floor_import), 3),
            "init_first_lazy": round(min(lazy_total) / min(floor_total), 3),
            "init_first_clients_at_init": round(min(eager_total) / min(floor_total), 3),
        },
        "ms": {
            "interpreter_start": spread(startup),
            "floor_import": spread(floor_import),
            "handler_import": spread(handler_import),
            "floor_init_first": spread(floor_total),
            "floor_first_calls": spread(column(floor, "first_ms")),
            "handler_lazy_init": spread(column(lazy, "init_ms")),
            "handler_lazy_first": spread(column(lazy, "first_ms")),
            "handler_lazy_second": spread(column(lazy, "second_ms")),
            "handler_lazy_init_first": spread(lazy_total),
            "handler_eager_init": spread(column(eager, "init_ms")),
            "handler_eager_clients_at_init": spread(clients_at_init),
            **{
                f"handler_eager_clients_at_init_{name}": spread([s["clients_parts_ms"][name] for s in eager])
                for name in CLIENT_PARTS
            },
            "handler_eager_first": spread(column(eager, "first_ms")),
            "handler_eager_init_first": spread(eager_total),
            "child_wall_handler_import": spread(column(phase1["handler_import"], "wall_ms")),
            "child_wall_floor_import": spread(column(phase1["floor_import"], "wall_ms")),
        },
        "importtime": breakdown,
    }
    return report
