"""IntakeFunction's settings read without pydantic's model when every value is plain (core/plain_settings.py;
docs/decisions.md D93)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from contact_intake.core.plain_settings import Variable, plain_values

if TYPE_CHECKING:
    from contact_intake.intake.settings import IntakeSettings


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


# IntakeSettings's fields, as intake/settings.py declares them
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
    from contact_intake.intake.settings import IntakeSettings

    return IntakeSettings.from_env(env)
