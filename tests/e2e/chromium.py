"""Debian's Chromium for the browser tests (Playwright's own browser downloads are never used): where it
is and how it is started, and what the browser tests share. The session's one browser is the ``browser``
fixture, a test's contexts the ``new_context`` fixture (tests/e2e/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = "no Debian chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)"
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000  # the first post pays the intake function's cold start on a busy 2-core machine


def screenshot(page: Page, artifacts: Path, name: str) -> None:
    """The whole page as ``artifacts``/``name``.png (test-artifacts/ is gitignored)."""
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
