"""A pytest plugin: every log line the suite produces is kept and searched for personal data.

It captures the Powertools logger of the package (with its JSON formatter, so ``extra`` fields are
included), the root logger, and any text a fixture hands to ``record`` (devstack's function output in
the e2e tests). At the end of the session the run fails if a test person's e-mail, name, phone,
message or customer number appears in any of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

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
    from contact_intake.observability import logger

    package_logger = logging.getLogger(logger.name)
    collector = _Collector(level=logging.DEBUG)
    collector.setFormatter(logger.registered_formatter)
    package_logger.addHandler(collector)
    root_collector = _Collector(level=logging.DEBUG)
    root_collector.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    logging.getLogger().addHandler(root_collector)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    found = leaks(_lines)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if found:
        if reporter:
            reporter.write_line(f"PERSONAL DATA IN LOGS: {len(found)} line(s)", red=True)
            for needle, line in found[:10]:
                reporter.write_line(f"  {needle!r} in: {line[:300]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter:
        reporter.ensure_newline()
        reporter.write_line(f"log capture: {len(_lines)} log lines searched, no personal data found")
