"""Cold start of IntakeFunction against the floor of a bare boto3 function, as a person waits on it.

Every sample is a fresh interpreter (bench/_probe.py), the kinds taken in turn (A B A B ...) so that
machine noise falls on both sides alike. Two phases:

1. import: ``import intake_handler`` vs ``import boto3`` + a DynamoDB and an SQS client.
   Target: the handler's import costs at most 1.3x the floor (ratio of medians).
2. ``intake_cold_first``, init + first response: a fresh process with the environment devstack gives
   IntakeFunction (devstack.functions.function_specs, what ``/_local/resources.json`` publishes: its
   variables and PYTHONPATH) imports the handler and answers one valid POST /inquiries, against a moto
   server with the template's resources and devstack's siteverify emulator; the floor is a bare boto3
   process doing the same work on the same endpoints (two SSM reads, the siteverify POST over urllib3,
   one PutItem, one SendMessage). Target: at most 1.5x (goal 1.2x), ratio of medians, with the spread
   of the paired ratios. The SnapStart variant runs the handler's before-snapshot hooks at init (the
   "init at snapshot") and its after-restore hooks before the POST (the "first response after restore").

``BENCH_BASELINE=<another checkout>`` adds that checkout's handler to phase 2 as a fourth kind, in the same
rounds: before/after figures from one machine state (e.g. ``git worktree add /tmp/before <commit>``).

Plus a breakdown of the handler's import by ``python -X importtime`` (what to defer next).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench._core import Options, Progress, Report, median, percentile, spread
from bench._intake import PROBE, RESULT_PREFIX, ROOT, a_form, api_event, child_environment
from bench._memory_stack import local_stack

IMPORT_RATIO_TARGET = 1.3
FIRST_RATIO_TARGET = 1.5
FIRST_RATIO_GOAL = 1.2
SAMPLES = 21
QUICK_SAMPLES = 4
IMPORTTIME_RUNS = 3
TOP_MODULES = 10
TOP_PACKAGES = 6
Sample = dict[str, Any]


def probe(kind: str, env: Mapping[str, str], expect: int = 202) -> Sample:
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
        if key in sample and sample[key] != expect:
            got = f"{key} {sample[key]}, expected {expect}"
            raise RuntimeError(f"probe {kind}: {got}:\n{done.stdout[-2000:]}")
    return sample


def alternate(
    kinds: Sequence[str] | Mapping[str, tuple[str, Mapping[str, str]]],
    rounds: int,
    env: Mapping[str, str] | None,
    progress: Progress,
    expect: int = 202,
) -> dict[str, list[Sample]]:
    """One discarded warm-up sample of each kind (bytecode and page cache), then ``rounds`` of A B (C) ...
    ``kinds`` is probe kinds run with ``env``, or labels mapped to (probe kind, its environment)."""
    plan = dict(kinds) if isinstance(kinds, Mapping) else {k: (k, env or {}) for k in kinds}
    for kind, kind_env in plan.values():
        probe(kind, kind_env, expect)
    samples: dict[str, list[Sample]] = {label: [] for label in plan}
    for index in range(rounds):
        for label, (kind, kind_env) in plan.items():
            samples[label].append(probe(kind, kind_env, expect))
        if (index + 1) % 5 == 0 or index + 1 == rounds:
            shown = ", ".join(
                f"{k} {median([s['init_ms'] + s.get('first_ms', 0) for s in v]):.0f} ms"
                for k, v in samples.items()
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


def add_importtime_rows(
    report: Report,
    breakdown: dict[str, Any],
    *,
    modules: int,
    packages: int,
    label: str = "",
    rank_width: int = 1,
) -> None:
    """Report rows from an ``importtime_breakdown``: its ``modules`` largest cumulative imports (indented by
    depth) and the self time of its ``packages`` largest top-level packages, each name after ``label``."""
    for rank, entry in enumerate(breakdown["top_cumulative"][:modules], start=1):
        name = f"{label}importtime #{rank:<{rank_width}d} {'. ' * entry['depth']}{entry['module']}"
        report.add(name, entry["cumulative_ms"], "ms")
    top_packages = list(breakdown["self_by_top_level_package"].items())[:packages]
    for rank, (package, self_ms) in enumerate(top_packages, start=1):
        report.add(f"{label}importtime self, package #{rank} {package}", self_ms, "ms")


def devstack_environment(stack: Any, root: Path = ROOT, function: str = "IntakeFunction") -> dict[str, str]:
    """A function's process environment under devstack (its variables, PYTHONPATH from ``root``)."""
    from devstack.invoker import worker_environment

    env = worker_environment(stack.specs[function], root)
    for key in ("HOME", "LANG", "TMPDIR"):
        if key in os.environ:
            env.setdefault(key, os.environ[key])
    return env


def spread_of(values: Sequence[float]) -> str:
    """p10-p90 of paired ratios, as text."""
    ordered = sorted(values)
    low, high = percentile(ordered, 10), percentile(ordered, 90)
    return f"{low:.2f}-{high:.2f}x"


def run(progress: Progress, options: Options) -> Report:  # noqa: PLR0915 (one table, row by row)
    rounds = QUICK_SAMPLES if options.quick else SAMPLES
    report = Report()
    env = child_environment()
    baseline = os.environ.get("BENCH_BASELINE")

    progress(f"import breakdown: python -X importtime, {IMPORTTIME_RUNS} runs")
    breakdown = importtime_breakdown(env, IMPORTTIME_RUNS)

    progress(f"phase 1 (import): {rounds} fresh interpreters per kind, alternating")
    phase1 = alternate(("handler_import", "floor_import"), rounds, env, progress)
    handler_import = column(phase1["handler_import"], "init_ms")
    floor_import = column(phase1["floor_import"], "init_ms")
    startup = column(phase1["handler_import"] + phase1["floor_import"], "startup_ms")

    progress("phase 2 (init + first response): moto with the template's resources, devstack's emulators")
    with local_stack() as stack:
        extra = {
            "BENCH_EVENT": json.dumps(api_event(a_form())),
            "BENCH_BODY_1": json.dumps(a_form()),
            "BENCH_BODY_2": json.dumps(a_form()),
        }
        env2 = {**devstack_environment(stack), **extra}
        plan: dict[str, tuple[str, Mapping[str, str]]] = {
            "handler_first": ("handler_first", env2),
            "floor_first": ("floor_first", env2),
            "handler_snapstart": ("handler_snapstart", env2),
        }
        if baseline:
            plan["baseline_first"] = (
                "handler_first",
                {**devstack_environment(stack, Path(baseline)), **extra},
            )
        progress(f"phase 2: {rounds} fresh interpreters per kind, rotating {list(plan)}")
        phase2 = alternate(plan, rounds, None, progress)

    lazy = phase2["handler_first"]
    snap = phase2["handler_snapstart"]
    floor = phase2["floor_first"]
    lazy_total = column(lazy, "init_ms", "first_ms")
    floor_total = column(floor, "init_ms", "first_ms")
    snap_first = column(snap, "first_ms")

    def ms(samples: Sequence[Sample], *keys: str) -> float:
        return median(column(samples, *keys))

    report.add("interpreter start (spawn to first line)", median(startup), "ms")
    report.add("floor: import boto3 + DynamoDB + SQS client", median(floor_import), "ms")
    report.add("handler: import intake_handler", median(handler_import), "ms")
    ratio = median(handler_import) / median(floor_import)
    report.at_most("import ratio handler / floor", ratio, IMPORT_RATIO_TARGET, "x")
    report.add("floor: init + 2 SSM reads + siteverify + PutItem + SendMessage", median(floor_total), "ms")
    report.add("  of which the calls", ms(floor, "first_ms"), "ms")
    report.add("handler: init + first response", median(lazy_total), "ms")
    report.add("  of which init (import)", ms(lazy, "init_ms"), "ms")
    report.add("  of which first response", ms(lazy, "first_ms"), "ms")
    report.add("  (second response, same container)", ms(lazy, "second_ms"), "ms")
    first_ratio = median(lazy_total) / median(floor_total)
    report.at_most(
        "intake_cold_first: init+first ratio handler / floor", first_ratio, FIRST_RATIO_TARGET, "x"
    )
    report.add(
        f"intake_cold_first: goal <= {FIRST_RATIO_GOAL:g}x met",
        "yes" if first_ratio <= FIRST_RATIO_GOAL else "no",
    )
    paired = [a / b for a, b in zip(lazy_total, floor_total, strict=True)]
    report.add("intake_cold_first: spread of paired ratios (p10-p90)", spread_of(paired))
    report.add("SnapStart: init at snapshot (import + priming)", ms(snap, "init_ms"), "ms")
    report.add("  of which priming (before-snapshot hooks)", ms(snap, "prime_ms"), "ms")
    report.add("SnapStart: first response after restore (hooks + response)", median(snap_first), "ms")
    report.add("  of which after-restore hooks", ms(snap, "restore_hooks_ms"), "ms")
    snap_ratio = median(snap_first) / median(floor_total)
    report.add("intake_cold_first_snapstart: first after restore / floor (restore itself not measured)",
               snap_ratio, "x")  # fmt: skip
    snap_paired = [a / b for a, b in zip(snap_first, floor_total, strict=True)]
    report.add("intake_cold_first_snapstart: spread of paired ratios (p10-p90)", spread_of(snap_paired))
    if baseline:
        base_total = column(phase2["baseline_first"], "init_ms", "first_ms")
        report.add("baseline (BENCH_BASELINE): init + first response", median(base_total), "ms")
        report.add("baseline: init+first ratio / floor", median(base_total) / median(floor_total), "x")
        base_paired = [a / b for a, b in zip(base_total, floor_total, strict=True)]
        report.add("baseline: spread of paired ratios (p10-p90)", spread_of(base_paired))
    add_importtime_rows(report, breakdown, modules=TOP_MODULES, packages=TOP_PACKAGES, rank_width=2)

    report.details = {
        "samples_per_kind": rounds,
        "method": "fresh interpreter per sample (bench/_probe.py), kinds rotated, medians; phase 2 with "
        "IntakeFunction's devstack environment against a ThreadedMotoServer with the template's resources "
        "and devstack's siteverify emulator on 127.0.0.1",
        "baseline": baseline,
        "ratios_of_paired_samples": {
            "import": round(paired_ratio(handler_import, floor_import), 3),
            "init_first": round(median(paired), 3),
            "snapstart_first_after_restore": round(median(snap_paired), 3),
        },
        "ratios_of_minimums": {
            "import": round(min(handler_import) / min(floor_import), 3),
            "init_first": round(min(lazy_total) / min(floor_total), 3),
        },
        "ms": {
            "interpreter_start": spread(startup),
            "floor_import": spread(floor_import),
            "handler_import": spread(handler_import),
            "floor_init_first": spread(floor_total),
            "floor_calls": spread(column(floor, "first_ms")),
            "handler_init": spread(column(lazy, "init_ms")),
            "handler_first": spread(column(lazy, "first_ms")),
            "handler_second": spread(column(lazy, "second_ms")),
            "handler_init_first": spread(lazy_total),
            "snapstart_init_at_snapshot": spread(column(snap, "init_ms")),
            "snapstart_priming": spread(column(snap, "prime_ms")),
            "snapstart_restore_hooks": spread(column(snap, "restore_hooks_ms")),
            "snapstart_first_after_restore": spread(snap_first),
            **(
                {"baseline_init_first": spread(column(phase2["baseline_first"], "init_ms", "first_ms"))}
                if baseline
                else {}
            ),
            "child_wall_handler_import": spread(column(phase1["handler_import"], "wall_ms")),
            "child_wall_floor_import": spread(column(phase1["floor_import"], "wall_ms")),
        },
        "importtime": breakdown,
    }
    return report
