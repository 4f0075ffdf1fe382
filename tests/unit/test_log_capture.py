"""The log check itself can fail: it finds personal data in a line, wherever it sits."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from contact_intake.core.observability import logger
from tests import logcapture
from tests.builders import PERSON


def test_leaks_are_found_case_insensitively() -> None:
    line = json.dumps({"level": "INFO", "message": "x", "email": PERSON["email"].upper()})
    assert logcapture.leaks([line]) == [(PERSON["email"].lower(), line)]
    assert logcapture.leaks(['{"inquiry_id": "1234"}']) == []


def test_the_package_logger_is_captured_with_extra_fields() -> None:
    before = len(logcapture.lines())
    logger.info("canary", extra={"inquiry_id": "canary-id-42"})
    captured = logcapture.lines()[before:]
    assert any("canary-id-42" in line for line in captured)


# Two tests that each log a line, run on two xdist workers as `make test` runs the suite: xdist deals two
# tests out one to each worker, so both workers' lines must reach the controller's verdict.
_TWO_WORKER_SUITE = """
from contact_intake.core.observability import logger
from tests.builders import PERSON


def test_one() -> None:
    logger.info("{first}")


def test_two() -> None:
    logger.info("{second}")
"""


def _run_on_two_workers(pytester: pytest.Pytester, first: str, second: str) -> pytest.RunResult:
    pytester.makepyfile(test_inner=_TWO_WORKER_SUITE.replace("{first}", first).replace("{second}", second))
    # only the plugins this needs (xdist and the log capture): the installed ones that pytest would load on
    # its own (Hypothesis, schemathesis, coverage, ...) cost three interpreters several seconds of imports
    pytester.makeini("[pytest]\naddopts = -p xdist.plugin -p tests.logcapture -p no:cacheprovider\n")
    return pytester.runpytest_subprocess("-n", "2", "--dist", "load", "-q")


@pytest.fixture
def pytester_with_repo(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose subprocess imports this repository's tests and package."""
    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join([str(root / "layers" / "common"), str(root), os.environ.get("PYTHONPATH", "")])
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester


def test_under_xdist_every_workers_lines_are_searched_and_a_leak_fails_the_run(
    pytester_with_repo: pytest.Pytester,
) -> None:
    result = _run_on_two_workers(pytester_with_repo, "clean canary", f"mail from {PERSON['email']}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*log capture: * log lines searched (workers: gw0 *, gw1 *), 2 with personal data",
            "PERSONAL DATA IN LOGS: 2 line(s)",  # the package logger's line and the root logger's
            f"  {PERSON['email'].lower()!r} in: *mail from*",
        ]
    )
    counts = re.search(r"workers: gw0 (\d+), gw1 (\d+)", result.stdout.str())
    assert counts, result.stdout.str()
    assert int(counts[1]) >= 1, "gw0 searched none of its lines"
    assert int(counts[2]) >= 1, "gw1 searched none of its lines"
    result.stdout.fnmatch_lines(["*2 passed*"])
