"""A pytest plugin: every log line the suite produces is kept and searched for personal data.

It captures the Powertools logger of the package (with its JSON formatter, so ``extra`` fields are
included), the root logger, and any text a fixture hands to ``record`` (devstack's function output in
the e2e tests). At the end of the session the run fails if a test person's e-mail, name, phone,
message or customer number appears in any of it.

Under pytest-xdist (``make test`` runs workers) every worker searches its own lines and hands its
count and findings to the controller (``workeroutput``), which sums them and fails the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pytest

from tests.builders import PERSON

# values that tests post and that must never reach a log line (distinctive on purpose)
_NEEDLES = [PERSON["email"], PERSON["name"], PERSON["customer_number"], "Snorremans", "+31 6 1234 5678"]
_lines: list[str] = []


class _Collector(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            _lines.append(self.format(record))
        except Exception:
            _lines.append(record.getMessage())


def record(text: str) -> None:
    """Add captured output (e.g. a devstack process's stdout) to what is searched."""
    _lines.extend(text.splitlines())


def leaks(lines: Iterable[str], needles: Iterable[str] = _NEEDLES) -> list[tuple[str, str]]:
    """Every (needle, line) where personal data shows up in a log line."""
    wanted = [n.lower() for n in needles]
    return [(n, line) for line in lines for n in wanted if n in line.lower()]


def lines() -> list[str]:
    return list(_lines)


def pytest_configure(config: pytest.Config) -> None:
    from contact_intake.core.observability import logger

    package_logger = logging.getLogger(logger.name)
    collector = _Collector(level=logging.DEBUG)
    collector.setFormatter(logger.registered_formatter)
    package_logger.addHandler(collector)
    root_collector = _Collector(level=logging.DEBUG)
    root_collector.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    logging.getLogger().addHandler(root_collector)


# what the xdist workers reported (worker id -> lines searched, leaks found), filled on the controller
_workers: dict[str, tuple[int, list[tuple[str, str]]]] = {}
_WORKER_OUTPUT = "logcapture"


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist's controller: a worker finished; keep what its log capture found."""
    report = (getattr(node, "workeroutput", None) or {}).get(_WORKER_OUTPUT)
    if report is not None:
        _workers[str(node.gateway.id)] = (
            int(report["lines"]),
            [(str(needle), str(line)) for needle, line in report["leaks"]],
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    found = leaks(_lines)
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: the controller reports and fails the run
        worker_output[_WORKER_OUTPUT] = {"lines": len(_lines), "leaks": [list(leak) for leak in found]}
        return
    searched = len(_lines) + sum(count for count, _ in _workers.values())
    found += [leak for _, worker_leaks in _workers.values() for leak in worker_leaks]
    where = ", ".join(f"{worker} {count}" for worker, (count, _) in sorted(_workers.items()))
    verdict = f"{len(found)} with personal data" if found else "no personal data found"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.ensure_newline()
        workers = f" (workers: {where})" if where else ""
        reporter.write_line(f"log capture: {searched} log lines searched{workers}, {verdict}")
    if found:
        if reporter:
            reporter.write_line(f"PERSONAL DATA IN LOGS: {len(found)} line(s)", red=True)
            for needle, line in found[:10]:
                reporter.write_line(f"  {needle!r} in: {line[:300]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
