"""``python -m bench [NAME ...]``: run the benchmarks (all, or the named ones), print a table, and write
bench/results.json (machine, timestamp, every figure with its target and status, details).

Adding a benchmark: a module ``bench/<name>.py`` with ``run(progress, options) -> Report``, and one line
in BENCHMARKS below. Modules are imported only when run, so one benchmark never pays for another.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any, cast

from bench._core import Benchmark, Figure, Options, Progress, Report, machine_info, now_iso, table

RESULTS = Path(__file__).resolve().parent / "results.json"

# name -> (module, what it measures). Run in this order: the in-process timing first, before the
# process has imported moto.
BENCHMARKS: dict[str, tuple[str, str]] = {
    "intake_warm": ("bench.intake_warm", "handler overhead per inquiry, AWS and siteverify faked in-process"),
    "intake_calls": ("bench.intake_calls", "AWS calls per new inquiry and per idempotent retry (moto)"),
    "intake_cold": ("bench.intake_cold", "import and init + first response vs a bare boto3 function"),
    "rights_cold": (
        "bench.rights_cold",
        "RightsApiFunction's init + first verification page vs a bare boto3 token lookup",
    ),
    "functions_cold": ("bench.functions_cold", "import of every function vs boto3 + that function's clients"),
    "forwarder_drain": (
        "bench.forwarder_drain",
        "2,000 queued inquiries through the forwarder, helpdesk at R creates/min (virtual time)",
    ),
    "sweeper_cost": ("bench.sweeper_cost", "sweeper's items read per item erased as the table grows (moto)"),
    "migration": ("bench.migration", "tools.canonicalise_addresses per 100,000 items (moto, extrapolated)"),
    "memory": ("bench.memory", "peak RSS of every function under load vs its MemorySize (moto, emulators)"),
    "mail_parse": (
        "bench.mail_parse",
        "parse_mail on hostile mail up to 40 MB (nesting, parts, HTML, header comments), worst case first",
    ),
    "cost": ("bench.cost", "cost per million inquiries by service from a dated price table, vs hosted forms"),
}


def load(name: str) -> Benchmark:
    module = importlib.import_module(BENCHMARKS[name][0])
    return cast("Benchmark", module.run)


def merge_results(runs: dict[str, dict[str, Any]], options: Options) -> dict[str, Any]:
    """This run's benchmarks over the previous file's (so ``python -m bench NAME`` keeps the others)."""
    previous: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            previous = json.loads(RESULTS.read_text(encoding="utf-8")).get("benchmarks", {})
        except (ValueError, AttributeError):
            previous = {}
    return {
        "timestamp": now_iso(),
        "machine": machine_info(),
        "quick": options.quick,
        "benchmarks": {**previous, **runs},
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--quick", action="store_true", help="few samples, for working on a benchmark (not for quoting)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    return args


def run_one(name: str, options: Options) -> tuple[Report, dict[str, Any], bool]:
    """Run one benchmark. A benchmark that raises is reported (and fails the run), the others still run."""
    progress = Progress(name)
    progress(f"start: {BENCHMARKS[name][1]}")
    started = time.perf_counter()
    crashed = False
    try:
        report: Report = load(name)(progress, options)
    except Exception as error:  # reported in the table and on stderr; the run exits 1
        traceback.print_exc()
        crashed = True
        report = Report()
        report.add(
            "benchmark raised", f"{type(error).__name__}: {str(error)[:60]}", target="runs", passed=False
        )
    seconds = time.perf_counter() - started
    progress(f"{'FAILED' if crashed else 'done'} in {seconds:.1f}s")
    entry = {
        "timestamp": now_iso(),
        "seconds": round(seconds, 1),
        "quick": options.quick,
        "figures": [figure.as_json() for figure in report.figures],
        "details": report.details,
    }
    return report, entry, crashed


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.list:
        for name, (_, what) in BENCHMARKS.items():
            print(f"{name:<14} {what}")
        return 0
    options = Options(quick=args.quick)
    rows: list[tuple[str, Figure]] = []
    runs: dict[str, dict[str, Any]] = {}
    failed, crashed = 0, False
    for name in args.names or list(BENCHMARKS):
        report, runs[name], raised = run_one(name, options)
        rows.extend((name, figure) for figure in report.figures)
        failed += len(report.failed)
        crashed = crashed or raised
    results = merge_results(runs, options)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    machine = results["machine"]
    print()
    quick = " (QUICK: too few samples to quote)" if options.quick else ""
    print(
        f"Python {machine['python']} on {machine['platform']}, {machine['cpu_count']} CPUs, "
        f"load average {machine['load_average']}{quick}"
    )
    print(table(rows))
    where = RESULTS.relative_to(Path.cwd(), walk_up=True)
    print(f"\n{failed} figure(s) missed the target; results in {where}", flush=True)
    return 1 if crashed or (failed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
