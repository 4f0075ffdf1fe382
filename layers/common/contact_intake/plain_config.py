"""The settings of the two functions a person waits on, read without pydantic's models (D92, D93).

The settings models in ``contact_intake.config`` are pydantic models. For the verification page
(RightsApiFunction) importing pydantic and building a model's validator was ~100 ms of its init, and the
page uses pydantic for nothing else; the intake needs pydantic for its form, but declaring every
function's settings model and building its own validator was still ~20 ms of its init.
``rights_api_settings`` / ``intake_settings`` read the same variables with the same defaults and
constraints when every value is in a plain form (printable ASCII without spaces; numbers as plain
decimals; lists as commas between items), where a check here and pydantic's cannot disagree (a pattern
that matches the whole value also matches as pydantic searches it). Anything else — a missing or bad
variable, or a value pydantic might read differently — is handed to the model's ``from_env``, so every
error, and every unusual but valid value, is pydantic's own. tests/unit/test_config.py checks that the
fields, aliases, types, defaults and constraints here are the models'.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from contact_intake.principals import PRINCIPAL_ARN_PATTERN

if TYPE_CHECKING:
    from contact_intake.config import IntakeSettings, RightsApiSettings


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


class IntakeConfig(Protocol):
    """What IntakeFunction reads: IntakeSettings, or PlainIntakeSettings."""

    @property
    def inquiries_table(self) -> str: ...
    @property
    def inquiry_queue_url(self) -> str: ...
    @property
    def accounts_table(self) -> str: ...
    @property
    def recaptcha_secret_param(self) -> str: ...
    @property
    def subject_pepper_param(self) -> str: ...
    @property
    def recaptcha_verify_url(self) -> str: ...
    @property
    def recaptcha_hostnames(self) -> list[str]: ...
    @property
    def recaptcha_action(self) -> str: ...
    @property
    def recaptcha_min_score(self) -> float: ...
    @property
    def recaptcha_timeout_seconds(self) -> float: ...
    @property
    def allowed_origins(self) -> list[str]: ...
    @property
    def thank_you_url(self) -> str: ...
    @property
    def max_body_bytes(self) -> int: ...
    @property
    def secrets_max_age_seconds(self) -> int: ...


Value = str | int | float | list[str]


@dataclass(frozen=True)
class Variable:
    """One field of a settings model: its environment variable, type, default and constraints, as declared
    in contact_intake.config (``default`` None: required). ``list`` is config's CsvList: items between
    commas, blank ones dropped."""

    alias: str
    kind: type[str] | type[int] | type[float] | type[list[str]]
    default: Value | None = None
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

# IntakeSettings's fields, as contact_intake.config declares them
INTAKE_VARIABLES: Final[Mapping[str, Variable]] = {
    "inquiries_table": Variable("INQUIRIES_TABLE", str, constraints={"min_length": 1}),
    "inquiry_queue_url": Variable("INQUIRY_QUEUE_URL", str, constraints={"min_length": 1}),
    "accounts_table": Variable("ACCOUNTS_TABLE", str, constraints={"min_length": 1}),
    "recaptcha_secret_param": Variable("RECAPTCHA_SECRET_PARAM", str, constraints={"min_length": 1}),
    "subject_pepper_param": Variable("SUBJECT_PEPPER_PARAM", str, constraints={"min_length": 1}),
    "recaptcha_verify_url": Variable(
        "RECAPTCHA_VERIFY_URL", str, "https://www.google.com/recaptcha/api/siteverify"
    ),
    "recaptcha_hostnames": Variable("RECAPTCHA_HOSTNAMES", list, constraints={"min_length": 1}),
    "recaptcha_action": Variable("RECAPTCHA_ACTION", str, "contact"),
    "recaptcha_min_score": Variable("RECAPTCHA_MIN_SCORE", float, 0.5, constraints={"ge": 0.0, "le": 1.0}),
    "recaptcha_timeout_seconds": Variable(
        "RECAPTCHA_TIMEOUT_SECONDS", float, 3.0, constraints={"gt": 0, "le": 10}
    ),
    "allowed_origins": Variable("ALLOWED_ORIGINS", list, []),
    "thank_you_url": Variable("THANK_YOU_URL", str, "/"),
    "max_body_bytes": Variable("MAX_BODY_BYTES", int, 32 * 1024, constraints={"gt": 0}),
    "secrets_max_age_seconds": Variable("SECRETS_MAX_AGE_SECONDS", int, 300, constraints={"ge": 0}),
}

_PLAIN_TEXT: Final = re.compile(r"[\x21-\x7e]*")
_PLAIN_INT: Final = re.compile(r"0|[1-9][0-9]{0,17}")
_PLAIN_FLOAT: Final = re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,9})?")


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


def _within(number: float, limits: Mapping[str, Any]) -> bool:
    return (
        number >= limits.get("ge", number)
        and number <= limits.get("le", number)
        and ("gt" not in limits or number > limits["gt"])
    )


def _plain_value(variable: Variable, raw: str) -> Value | None:
    """The value pydantic would give ``raw``, or None when this module does not read it (pydantic does)."""
    limits = variable.constraints
    if variable.kind is int or variable.kind is float:
        if not (_PLAIN_INT if variable.kind is int else _PLAIN_FLOAT).fullmatch(raw):
            return None
        number = int(raw) if variable.kind is int else float(raw)
        return number if _within(number, limits) else None
    if not _PLAIN_TEXT.fullmatch(raw):
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
        value = variable.default if raw is None else _plain_value(variable, raw)
        if value is None:
            return None
        values[name] = list(value) if isinstance(value, list) else value  # a default list is not shared
    return values


@dataclass(frozen=True)
class PlainIntakeSettings:
    """IntakeSettings's values, read by ``intake_settings`` without its model."""

    inquiries_table: str
    inquiry_queue_url: str
    accounts_table: str
    recaptcha_secret_param: str
    subject_pepper_param: str
    recaptcha_verify_url: str
    recaptcha_hostnames: list[str]
    recaptcha_action: str
    recaptcha_min_score: float
    recaptcha_timeout_seconds: float
    allowed_origins: list[str]
    thank_you_url: str
    max_body_bytes: int
    secrets_max_age_seconds: int


def intake_settings(environ: Mapping[str, str] | None = None) -> PlainIntakeSettings | IntakeSettings:
    """IntakeFunction's settings: read here when plain, by IntakeSettings.from_env otherwise (which raises
    ConfigurationError naming the variable)."""
    env = os.environ if environ is None else environ
    values = plain_values(INTAKE_VARIABLES, env)
    if values is not None:
        return PlainIntakeSettings(**values)  # type: ignore[arg-type]
    from contact_intake.config import IntakeSettings

    return IntakeSettings.from_env(env)


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
