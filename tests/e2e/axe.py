"""axe-core in a Playwright page: inject the vendored engine (tests/e2e/vendor/axe-core, D48) and run it.

The pages under test forbid every script by their Content-Security-Policy, so the engine goes in through a
browser context opened with ``bypass_csp=True``; the CSP itself is tested apart, in a normal context.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
BLOCKING = frozenset({"serious", "critical"})


def axe_source() -> str:
    data = AXE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != AXE_SHA256:
        raise AssertionError(f"{AXE} is not axe-core {AXE_VERSION} as vendored (sha256 {digest})")
    return data.decode("utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (WCAG 2.x A and AA rules and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    assert result["testEngine"]["version"] == AXE_VERSION
    return list(result["violations"])


def blocking(found: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations, one line each (rule, impact, the first offending node)."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target'] if v['nodes'] else '?'}"
        for v in found
        if v.get("impact") in BLOCKING
    ]
