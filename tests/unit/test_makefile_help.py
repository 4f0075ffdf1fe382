"""`make help` lists every verb the Makefile declares .PHONY (a verb missing there is one nobody finds)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_phony_verb() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    declared = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert declared is not None
    phony = set(declared.group(1).split())
    shown = subprocess.run(  # the repository's own Makefile
        ["make", "--no-print-directory", "-s", "-C", str(ROOT), "help"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    listed = {line.split()[1] for line in shown.splitlines() if line.strip().startswith("make ")}
    assert "e2e" in listed
    assert phony - listed == set()
