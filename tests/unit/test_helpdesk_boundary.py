"""The helpdesk port's boundary: outside ``contact_intake/helpdesk/`` no module names Freshdesk or imports
its adapter, so a second helpdesk touches only ``helpdesk/``, the template's parameters and devstack
(docs/architecture.md §6, docs/decisions.md D100).

The one exception is the access export's disclosure of the processor (``rights/export.py``): the name a
person is told (Art. 15(1)(c)) is part of the export's contract (docs/rights-export-v2.schema.json pins the
recipient ``freshworks``), so it changes with a new schema version, not with an adapter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "common" / "contact_intake"
ADAPTER = "contact_intake.helpdesk.freshdesk"
# Freshdesk's names: the product, and the custom field that carries the inquiry id (its default name)
NAMES = ("freshdesk", "cf_inquiry_id")
# (path relative to the repository, the exact text allowed there): each one explained in the docstring
EXCEPTIONS: frozenset[tuple[str, str]] = frozenset(
    {("layers/common/contact_intake/rights/export.py", '"name": "Freshworks (Freshdesk helpdesk system)",')}
)


def _imports_adapter(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            alias.name == ADAPTER or alias.name.startswith(ADAPTER + ".") for alias in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (
            node.module == ADAPTER
            or (node.module == "contact_intake.helpdesk" and any(a.name == "freshdesk" for a in node.names))
        ):
            return True
    return False


def violations(files: list[Path], root: Path) -> list[str]:
    """Every line outside the allowed exceptions that names Freshdesk (any case), and every module that
    imports the adapter, as ``path:line: text``."""
    found: list[str] = []
    for path in files:
        relative = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            named = any(name in line.lower() for name in NAMES)
            if named and (relative, line.strip()) not in EXCEPTIONS:
                found.append(f"{relative}:{number}: {line.strip()}")
        if _imports_adapter(ast.parse(text)):
            found.append(f"{relative}: imports {ADAPTER}")
    return found


def modules_outside_the_helpdesk(root: Path) -> list[Path]:
    package = root / "layers" / "common" / "contact_intake"
    inside = package / "helpdesk"
    domain = [p for p in package.rglob("*.py") if inside not in p.parents]
    return sorted(domain + list((root / "functions").rglob("*.py")))


def test_nothing_outside_the_helpdesk_names_freshdesk_or_imports_its_adapter() -> None:
    files = modules_outside_the_helpdesk(ROOT)
    assert len(files) > 50  # the walk found the package and the handlers
    assert violations(files, ROOT) == []


def test_every_exception_is_still_needed() -> None:
    """An exception that no longer occurs is removed from the list, so the list never grows stale."""
    for relative, allowed in EXCEPTIONS:
        assert allowed in (ROOT / relative).read_text(encoding="utf-8"), relative


@pytest.mark.parametrize(
    "source",
    [
        "from contact_intake.helpdesk.freshdesk import FreshdeskClient\n",
        "from contact_intake.helpdesk import freshdesk\n",
        "import contact_intake.helpdesk.freshdesk as adapter\n",
        "def f():\n    from contact_intake.helpdesk.freshdesk import RESTRICTED_TAG\n",
        'ERROR = "Freshdesk refused it"\n',
        "# the field of FRESHDESK\n",
        'FIELD = "cf_inquiry_id"\n',
    ],
)
def test_the_check_catches_a_name_or_an_import_of_the_adapter(tmp_path: Path, source: str) -> None:
    module = tmp_path / "layers" / "common" / "contact_intake" / "intake" / "leak.py"
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    (tmp_path / "functions").mkdir()
    assert violations(modules_outside_the_helpdesk(tmp_path), tmp_path) != []


def test_the_adapter_itself_may_name_freshdesk(tmp_path: Path) -> None:
    module = tmp_path / "layers" / "common" / "contact_intake" / "helpdesk" / "freshdesk.py"
    module.parent.mkdir(parents=True)
    module.write_text('"""Freshdesk API v2."""\n', encoding="utf-8")
    (tmp_path / "functions").mkdir()
    assert modules_outside_the_helpdesk(tmp_path) == []
