"""``python -m bench.load`` (``make load``): locust, headless and bounded, against a devstack it starts.

A fixed number of users (default 20) post the contact form for a fixed time (default 60 s) over loopback;
then it prints the sustained requests per second, the error count and p50/p95/p99 latency per request
type, checks that every accepted inquiry is stored, and adds the figures to bench/results.json ("load").
Exit 1 on any error. What these numbers mean for AWS, and what they do not: docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    return parser.parse_args(argv)


def run_locust(api_url: str, users: int, seconds: int, folder: Path) -> tuple[list[dict[str, str]], set[str]]:
    """Locust in its own process (it monkey-patches with gevent): its per-request-type stats rows, and the
    ids of the inquiries it saw accepted (bench/locustfile.py writes them)."""
    prefix = folder / "load"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
        "--host", api_url, "--origin", api_url, "--csv", str(prefix), "--loglevel", "WARNING",
        "--stop-timeout", "10",
    ]  # fmt: skip
    accepted = folder / "accepted.txt"
    env = {**os.environ, "LOAD_ACCEPTED_FILE": str(accepted)}
    subprocess.run(command, cwd=ROOT, env=env, check=False)  # exits 1 when a request failed: read the CSV
    with (folder / "load_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    ids = set(accepted.read_text(encoding="utf-8").split()) if accepted.exists() else set()
    return rows, ids


def stored_inquiries(stack: Any) -> set[str]:
    """The ids in InquiriesTable (devstack's moto: a scan of a table that exists for this run only)."""
    client = stack.client("dynamodb")
    pages = client.get_paginator("scan").paginate(
        TableName=stack.resource("InquiriesTable"), ProjectionExpression="inquiry_id"
    )
    return {item["inquiry_id"]["S"] for page in pages for item in page.get("Items", [])}


def figures(rows: list[dict[str, str]], seconds: int) -> dict[str, Any]:
    def row(name: str) -> dict[str, Any]:
        found = next(r for r in rows if r["Name"] == name)
        return {
            "requests": int(found["Request Count"]),
            "failures": int(found["Failure Count"]),
            "requests_per_second": round(float(found["Requests/s"]), 1),
            "p50_ms": float(found["50%"]),
            "p95_ms": float(found["95%"]),
            "p99_ms": float(found["99%"]),
            "max_ms": round(float(found["Max Response Time"]), 1),
        }

    return {name: row(name) for name in ("POST /inquiries", "OPTIONS /inquiries", "Aggregated")} | {
        "seconds": seconds
    }


def main(argv: list[str]) -> int:
    args = parse(argv)
    sys.path.insert(0, str(ROOT))
    from bench.__main__ import RESULTS, merge_results
    from bench._core import Options
    from tests.e2e.devstack_process import start_devstack, stop_devstack

    stack, process, reader = start_devstack()
    try:
        print(f"devstack up in {stack.startup_seconds:.1f} s at {stack.api_url}; {args.users} users for "
              f"{args.seconds} s", flush=True)  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            rows, accepted_ids = run_locust(stack.api_url, args.users, args.seconds, Path(folder))
        stored_ids = stored_inquiries(stack)  # an answer comes after its write: nothing is still on its way
        result = figures(rows, args.seconds)
    finally:
        stop_devstack(process, reader)
        noteworthy = [line for line in stack.output if " dropped" in line or "devstack failed" in line]
        print("\n".join(noteworthy[:10]))
    total = result["Aggregated"]
    header = ("request", "count", "errors", "req/s", "p50", "p95", "p99", "max")
    print("\n{:<20} {:>7} {:>6} {:>7} {:>6} {:>6} {:>6} {:>7}".format(*header))
    for name in ("POST /inquiries", "OPTIONS /inquiries", "Aggregated"):
        r = result[name]
        print(f"{name:<20} {r['requests']:>7} {r['failures']:>6} {r['requests_per_second']:>7} "
              f"{r['p50_ms']:>6.0f} {r['p95_ms']:>6.0f} {r['p99_ms']:>6.0f} {r['max_ms']:>7.0f}")  # fmt: skip
    lost = accepted_ids - stored_ids  # answered 202 but not in the table: must be none
    # stored but never seen answered: posts cut off when locust stopped, at most one per user
    unanswered = len(stored_ids - accepted_ids)
    result |= {
        "accepted_inquiries": len(accepted_ids),
        "stored_inquiries": len(stored_ids),
        "lost": len(lost),
        "stored_but_cut_off": unanswered,
    }
    print(
        f"accepted inquiries {len(accepted_ids)}, lost {len(lost)}; stored but cut off before their answer "
        f"{unanswered} (milliseconds; loopback, one devstack process and its function workers here)"
    )
    RESULTS.write_text(
        json.dumps(merge_results({"load": {"figures": result}}, Options()), indent=2) + "\n", encoding="utf-8"
    )
    ok = total["failures"] == 0 and bool(accepted_ids) and not lost and unanswered <= args.users
    print("PASS: zero errors, every accepted inquiry stored" if ok else "FAIL", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
