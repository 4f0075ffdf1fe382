"""`make audit` tells a vulnerable pin, an audit that could not happen, and a clean audit apart.

pip-audit's JSON report shapes below are the ones it writes (``--format json``): audited packages carry
``version`` and ``vulns``; a package the service did not answer for carries ``skip_reason`` instead.
"""

from __future__ import annotations

from typing import Any

from tools.audit import EXIT_NOT_AUDITED, EXIT_VULNERABLE, classify, exit_code, report_lines


def _audited(name: str, version: str, *vulns: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "version": version, "vulns": list(vulns)}


def _skipped(name: str, version: str) -> dict[str, Any]:
    reason = f"Dependency not found on PyPI and could not be audited: {name} ({version})"
    return {"name": name, "skip_reason": reason}


VULN = {"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["3.1.7"], "aliases": ["CVE-2099-0001"]}


def test_a_known_vulnerability_fails_the_audit_and_names_the_fix() -> None:
    report = {
        "dependencies": [_audited("jinja2", "3.1.6", VULN), _audited("requests", "2.34.2")],
        "fixes": [],
    }
    outcome = classify(report, 1, "")
    assert outcome.audited == 2
    assert outcome.vulnerable == ["jinja2 3.1.6: GHSA-xxxx-yyyy-zzzz (fixed in 3.1.7)"]
    assert exit_code(outcome, require_service=False) == EXIT_VULNERABLE
    assert any("KNOWN VULNERABILITIES (1)" in line for line in report_lines(outcome, "pypi"))


def test_every_package_skipped_means_the_service_was_not_reached_not_that_all_is_well() -> None:
    # what pip-audit writes (exit 0, "No known vulnerabilities found") when the per-version lookups all 404
    report = {"dependencies": [_skipped("jinja2", "3.1.6"), _skipped("requests", "2.34.2")], "fixes": []}
    outcome = classify(report, 0, "")
    assert outcome.unreachable.startswith("2 of 2 pinned packages")
    assert exit_code(outcome, require_service=False) == 0
    assert exit_code(outcome, require_service=True) == EXIT_NOT_AUDITED
    assert report_lines(outcome, "pypi")[0].startswith("AUDIT NOT PERFORMED")


def test_a_connection_error_without_a_report_is_an_audit_not_performed() -> None:
    stderr = "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'\n"
    outcome = classify(None, 1, stderr)
    assert outcome.unreachable.startswith("connection failed")
    assert outcome.vulnerable == []
    assert exit_code(outcome, require_service=False) == 0
    assert exit_code(outcome, require_service=True) == EXIT_NOT_AUDITED


def test_a_clean_audit_with_one_package_skipped_passes_and_names_it() -> None:
    report = {
        "dependencies": [_audited("jinja2", "3.1.6"), _audited("idna", "3.20"), _skipped("local", "0.1")]
    }
    outcome = classify(report, 0, "")
    assert (outcome.audited, outcome.skipped, outcome.unreachable) == (2, ["local"], "")
    assert exit_code(outcome, require_service=True) == 0
    lines = report_lines(outcome, "pypi")
    assert lines[0] == "pip-audit (pypi): 2 pinned packages audited"
    assert "not audited (1): local" in lines
    assert lines[-1] == "no known vulnerabilities"
