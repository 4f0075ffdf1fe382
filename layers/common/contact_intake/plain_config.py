"""RightsApiFunction's settings read without pydantic, for the verification page's cold start (D92).

The settings models in ``contact_intake.config`` are pydantic models: importing pydantic and building a
model's validator was ~100 ms of the verification page's init, and the page uses pydantic for nothing
else. ``rights_api_settings`` reads the same variables with the same defaults and constraints when every
value is in a plain form (printable ASCII without spaces; integers as plain decimals), where a check here
and pydantic's cannot disagree (a pattern that matches the whole value also matches as pydantic searches
it). Anything else — a missing or bad variable, or a value pydantic might read differently — is handed to
``RightsApiSettings.from_env``, so every error, and every unusual but valid value, is pydantic's own.
tests/unit/test_config.py checks that the fields, aliases, defaults and constraints here are the model's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from contact_intake.principals import PRINCIPAL_ARN_PATTERN

if TYPE_CHECKING:
    from contact_intake.config import RightsApiSettings


class RightsConfig(Protocol):
    """What the rights engine's wiring reads (contact_intake.config.RightsSettings and its subclasses)."""

    @property
    def rights_requests_table(self) -> str: ...
    @property
    def rights_queue_url(self) -> str: ...
    @property
    def subject_pepper_param(self) -> str: ...
    @property
    def mail_from(self) -> str: ...
    @property
    def public_api_url(self) -> str: ...
    @property
    def rights_retention_years(self) -> int: ...
    @property
    def secrets_max_age_seconds(self) -> int: ...


class RightsApiConfig(RightsConfig, Protocol):
    """What RightsApiFunction reads: RightsApiSettings, or PlainRightsApiSettings."""

    @property
    def dpo_principal_arn(self) -> str: ...
    @property
    def max_body_bytes(self) -> int: ...


@dataclass(frozen=True)
class Variable:
    """One field of a settings model: its environment variable, type, default and constraints, as declared
    in contact_intake.config (``default`` None: required)."""

    alias: str
    kind: type[str] | type[int]
    default: str | int | None = None
    constraints: Mapping[str, Any] = field(default_factory=dict)


_EMAIL: Final = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"
_API_URL: Final = r"^(https?://[^\s?#]+[^/\s?#])?$"

# RightsApiSettings's fields (RightsSettings's, then its own), as contact_intake.config declares them
RIGHTS_API_VARIABLES: Final[Mapping[str, Variable]] = {
    "rights_requests_table": Variable("RIGHTS_REQUESTS_TABLE", str, constraints={"min_length": 1}),
    "rights_queue_url": Variable("RIGHTS_QUEUE_URL", str, constraints={"min_length": 1}),
    "subject_pepper_param": Variable("SUBJECT_PEPPER_PARAM", str, constraints={"min_length": 1}),
    "mail_from": Variable("MAIL_FROM", str, constraints={"pattern": _EMAIL}),
    "public_api_url": Variable("PUBLIC_API_URL", str, "", constraints={"pattern": _API_URL}),
    "rights_retention_years": Variable("RIGHTS_RETENTION_YEARS", int, 3, constraints={"ge": 1, "le": 10}),
    "secrets_max_age_seconds": Variable("SECRETS_MAX_AGE_SECONDS", int, 300, constraints={"ge": 0}),
    "dpo_principal_arn": Variable("DPO_PRINCIPAL_ARN", str, constraints={"pattern": PRINCIPAL_ARN_PATTERN}),
    "max_body_bytes": Variable("MAX_BODY_BYTES", int, 16 * 1024, constraints={"gt": 0}),
}

_PLAIN_TEXT: Final = re.compile(r"[\x21-\x7e]*")
_PLAIN_INT: Final = re.compile(r"0|[1-9][0-9]{0,17}")


@dataclass(frozen=True)
class PlainRightsApiSettings:
    """RightsApiSettings's values, read by ``rights_api_settings`` without pydantic."""

    rights_requests_table: str
    rights_queue_url: str
    subject_pepper_param: str
    mail_from: str
    public_api_url: str
    rights_retention_years: int
    secrets_max_age_seconds: int
    dpo_principal_arn: str
    max_body_bytes: int


def _plain_value(variable: Variable, raw: str) -> str | int | None:
    """The value pydantic would give ``raw``, or None when this module does not read it (pydantic does)."""
    limits = variable.constraints
    if variable.kind is int:
        if not _PLAIN_INT.fullmatch(raw):
            return None
        number = int(raw)
        within = (
            number >= limits.get("ge", number)
            and number <= limits.get("le", number)
            and ("gt" not in limits or number > limits["gt"])
        )
        return number if within else None
    if not _PLAIN_TEXT.fullmatch(raw) or len(raw) < limits.get("min_length", 0):
        return None
    pattern = limits.get("pattern")
    return raw if pattern is None or re.fullmatch(pattern, raw) else None


def plain_values(
    variables: Mapping[str, Variable], environ: Mapping[str, str]
) -> dict[str, str | int] | None:
    """Every field's value when each is absent with a default or present in plain form; else None."""
    if any(name in environ for name in variables):  # a field set by its name (populate_by_name): pydantic's
        return None
    values: dict[str, str | int] = {}
    for name, variable in variables.items():
        raw = environ.get(variable.alias)
        value = variable.default if raw is None else _plain_value(variable, raw)
        if value is None:
            return None
        values[name] = value
    return values


def rights_api_settings(
    environ: Mapping[str, str] | None = None,
) -> PlainRightsApiSettings | RightsApiSettings:
    """RightsApiFunction's settings: read here when plain, by RightsApiSettings.from_env otherwise (which
    raises ConfigurationError naming the variable)."""
    env = os.environ if environ is None else environ
    values = plain_values(RIGHTS_API_VARIABLES, env)
    if values is not None:
        return PlainRightsApiSettings(**values)  # type: ignore[arg-type]
    from contact_intake.config import RightsApiSettings

    return RightsApiSettings.from_env(env)
