"""docs/deploying.md's parameters table is the template's Parameters: every one, with its default."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploying.md"
ROW = re.compile(r"^\| `(?P<name>[A-Za-z0-9]+)` \| .+ \| (?P<default>[^|]+) \|$")


def documented_parameters() -> dict[str, str]:
    text = DOC.read_text()
    section = text[text.index("### Parameters") :]
    section = section[: section.index("\n## ")]
    return {
        match["name"]: match["default"].strip() for line in section.splitlines() if (match := ROW.match(line))
    }


def documented_default(spec: dict[str, Any]) -> str:
    if "Default" not in spec:
        return "—"
    if spec["Default"] == "":
        return "empty"
    return f"`{spec['Default']}`"


def test_the_table_lists_every_template_parameter_and_no_other(sam_template: dict[str, Any]) -> None:
    assert sorted(documented_parameters()) == sorted(sam_template["Parameters"])


@pytest.mark.parametrize("name", sorted(documented_parameters()))
def test_each_documented_default_is_the_templates(sam_template: dict[str, Any], name: str) -> None:
    documented = documented_parameters()[name]
    expected = documented_default(sam_template["Parameters"][name])
    assert documented == expected or documented.startswith(f"{expected}:"), (name, documented, expected)
