"""The log check itself can fail: it finds personal data in a line, wherever it sits."""

from __future__ import annotations

import json

from contact_intake.observability import logger
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
