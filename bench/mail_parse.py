"""``parse_mail`` on hostile mail of the sizes SES accepts (up to 40 MB): every message must be read, or
marked too complex for the DPO, within 10 s (docs/inbound-mail.md "Hostile mail", D55).

Each case runs in its own process (``python -m bench.mail_parse CASE``): the message is generated there
(tests/hostile_mail.py, never stored), then ``contact_intake.rights.inbound.parse.parse_mail`` is timed
``REPEATS`` times; the slowest run is the figure, so the target holds for every run. A case that raises
is reported with the exception's name, one that runs past ``TIMEOUT`` s as such (the parser before the
limits did both). The child imports ``contact_intake`` from the PYTHONPATH it inherits, so the same
cases can be timed against another tree's parser:
``PYTHONPATH=<old tree>/layers/common:. python -m bench mail_parse``.

Rows are printed worst case first, each with the limit the message met (``-``: read whole).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable

from bench._core import Options, Progress, Report
from bench._intake import ROOT

TARGET_SECONDS = 10.0
TIMEOUT = 120
REPEATS, QUICK_REPEATS = 3, 1
MB = 1_000_000


def _cases() -> dict[str, Callable[[], bytes]]:
    from tests import hostile_mail as hostile

    attachment = (
        hostile.HEAD
        + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
        + b"Please delete my data.\r\n--b\r\nContent-Type: application/pdf\r\n"
        + b'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="a.pdf"\r\n\r\n'
        + (b"A" * 76 + b"\r\n") * 510_000
        + b"--b--\r\n"
    )
    return {
        "1,000-deep nesting": lambda: hostile.nested_multiparts(1_000),
        "250,000 tiny parts": lambda: hostile.tiny_parts(250_000),
        "35 x 1 MB HTML parts": lambda: hostile.html_parts(35, MB),
        "From of 5,000 nested comments": lambda: hostile.nested_comment_from(5_000),
        "40 MB single text part": lambda: hostile.one_text_part(40 * MB),
        # beyond the list: the parser's dearest lines (header fields), the most lines a mail may
        # have, and the largest ordinary mail (read whole)
        "599,000 header fields": lambda: b"X-Relay: y\r\n" * 599_000 + hostile.HEAD + b"\r\nHello\r\n",
        "599,000 one-byte text lines": lambda: (
            hostile.HEAD + b"Content-Type: text/plain\r\n\r\n" + b"x\r\n" * 599_000
        ),
        "40 MB base64 attachment (ordinary)": lambda: attachment,
    }


CASES = tuple(_cases())


def child(case: str, repeats: int) -> dict[str, object]:
    """Generate ``case`` and time ``parse_mail`` on it (in this process)."""
    from contact_intake.rights.inbound.parse import parse_mail

    raw = _cases()[case]()
    times: list[float] = []
    limit: str | None = None
    raised = None
    for _ in range(repeats):
        started = time.perf_counter()
        try:
            mail = parse_mail(raw)
            limit = getattr(mail, "too_complex", None)
        except BaseException as error:  # the point of the benchmark: report, never crash
            raised = type(error).__name__
        times.append(time.perf_counter() - started)
        if raised:
            break
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"bytes": len(raw), "seconds": times, "limit": limit, "raised": raised, "peak_rss_mb": peak_mb}


def run(progress: Progress, options: Options) -> Report:
    repeats = QUICK_REPEATS if options.quick else REPEATS
    results: dict[str, dict[str, object]] = {}
    for case in CASES:
        progress(f"{case} ...")
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.mail_parse", case, str(repeats)],
                cwd=ROOT,
                env={**os.environ},
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=True,
            )
            results[case] = json.loads(done.stdout)
        except subprocess.TimeoutExpired:
            results[case] = {"seconds": [float(TIMEOUT)], "timeout": True}
        seconds = results[case]["seconds"]
        assert isinstance(seconds, list)
        results[case]["worst"] = max(seconds)
        facts = {key: value for key, value in results[case].items() if key != "seconds"}
        progress(f"{case}: {max(seconds):.2f} s, {json.dumps(facts)}")
    report = Report(details={"repeats": repeats, "timeout_seconds": TIMEOUT, "cases": results})
    for case, result in sorted(results.items(), key=lambda item: -float(str(item[1]["worst"]))):
        worst = float(str(result["worst"]))
        if result.get("timeout"):
            report.add(
                f"{case}: ran past {TIMEOUT} s", worst, "s", target=f"<= {TARGET_SECONDS:g} s", passed=False
            )
        elif result.get("raised"):
            report.add(f"{case}: raised {result['raised']}", worst, "s", target="no exception", passed=False)
        else:
            report.at_most(f"{case} ({result['limit'] or '-'})", worst, TARGET_SECONDS, "s")
    return report


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
