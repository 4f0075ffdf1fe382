"""The layers of docs/architecture.md hold, and the check that says so can fail.

`make test` runs `lint-imports` over the real package (the `import-layers` target). These tests run the same
contracts (pyproject.toml [tool.importlinter]) over a copy of the package: as it is, and with one import that
runs the wrong way, which must break the contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "common" / "contact_intake"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(
    tmp_path: Path, wrong_way: tuple[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    layer = tmp_path / "layer"
    shutil.copytree(PACKAGE, layer / "contact_intake", ignore=shutil.ignore_patterns("__pycache__"))
    if wrong_way is not None:
        module, line = wrong_way
        path = layer / "contact_intake" / module
        path.write_text(path.read_text() + f"\n{line}\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(layer)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_its_layers(tmp_path: Path) -> None:
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "upwards"),
    [
        (
            "core/errors.py",
            "import contact_intake.intake.models",
            "contact_intake.core is not allowed to import contact_intake.intake",
        ),
        (
            "intake/forwarder.py",
            "from contact_intake.retention import erasure",
            "contact_intake.intake is not allowed to import contact_intake.retention",
        ),
        (
            "helpdesk/freshdesk.py",
            "import contact_intake.api.http",
            "contact_intake.helpdesk is not allowed to import contact_intake.api",
        ),
    ],
)
def test_an_import_up_the_layers_breaks_the_contract(
    tmp_path: Path, module: str, line: str, upwards: str
) -> None:
    result = lint_imports(tmp_path, (module, line))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 1 broken" in result.stdout
    assert upwards in " ".join(result.stdout.split())
