"""Debian's Chromium for the browser tests (Playwright's own browser downloads are never used): where it
is and how it is started. The session's one browser is the ``browser`` fixture (tests/e2e/conftest.py)."""

from __future__ import annotations

from pathlib import Path

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
