"""The settings of the two functions a person waits on, read without pydantic's models (D92, D93).

The settings models (each capability's ``settings.py``) are pydantic models. For the verification page
(RightsApiFunction) importing pydantic and building a model's validator was ~100 ms of its init, and the
page uses pydantic for nothing else; the intake needs pydantic for its form, but declaring every
function's settings model and building its own validator was still ~20 ms of its init.
``rights_api_settings`` and ``intake_settings`` (rights/, intake/ plain_settings.py) read the same
variables with the same defaults and
constraints when every value is in a plain form (printable ASCII without spaces; numbers as plain
decimals; lists as commas between items), where a check here and pydantic's cannot disagree (a pattern
that matches the whole value also matches as pydantic searches it). Anything else — a missing or bad
variable, or a value pydantic might read differently — is handed to the model's ``from_env``, so every
error, and every unusual but valid value, is pydantic's own. tests/unit/test_config.py checks that the
fields, aliases, types, defaults and constraints here are the models'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

Value = str | int | float | list[str]


@dataclass(frozen=True)
class Variable:
    """One field of a settings model: its environment variable, type, default and constraints, as declared
    in its settings model (``default`` None: required). ``list`` is core.settings.CsvList: items between
    commas, blank ones dropped."""

    alias: str
    kind: type[str] | type[int] | type[float] | type[list[str]]
    default: Value | None = None
    constraints: Mapping[str, Any] = field(default_factory=dict)


PLAIN_TEXT: Final = re.compile(r"[\x21-\x7e]*")
PLAIN_INT: Final = re.compile(r"0|[1-9][0-9]{0,17}")
PLAIN_FLOAT: Final = re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,9})?")


def within(number: float, limits: Mapping[str, Any]) -> bool:
    return (
        number >= limits.get("ge", number)
        and number <= limits.get("le", number)
        and ("gt" not in limits or number > limits["gt"])
    )


def plain_value(variable: Variable, raw: str) -> Value | None:
    """The value pydantic would give ``raw``, or None when this module does not read it (pydantic does)."""
    limits = variable.constraints
    if variable.kind is int or variable.kind is float:
        if not (PLAIN_INT if variable.kind is int else PLAIN_FLOAT).fullmatch(raw):
            return None
        number = int(raw) if variable.kind is int else float(raw)
        return number if within(number, limits) else None
    if not PLAIN_TEXT.fullmatch(raw):
        return None
    value: str | list[str] = [item for item in raw.split(",") if item] if variable.kind is list else raw
    if len(value) < limits.get("min_length", 0):
        return None
    pattern = limits.get("pattern")
    return value if pattern is None or re.fullmatch(pattern, raw) else None


def plain_values(variables: Mapping[str, Variable], environ: Mapping[str, str]) -> dict[str, Value] | None:
    """Every field's value when each is absent with a default or present in plain form; else None."""
    if any(name in environ for name in variables):  # a field set by its name (populate_by_name): pydantic's
        return None
    values: dict[str, Value] = {}
    for name, variable in variables.items():
        raw = environ.get(variable.alias)
        value = variable.default if raw is None else plain_value(variable, raw)
        if value is None:
            return None
        values[name] = list(value) if isinstance(value, list) else value  # a default list is not shared
    return values
