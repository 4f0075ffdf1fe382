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
    def captcha_provider(self) -> str: ...
    @property
    def captcha_secret_param(self) -> str: ...
    @property
    def subject_pepper_param(self) -> str: ...
    @property
    def captcha_verify_url(self) -> str: ...
    @property
    def captcha_hostnames(self) -> list[str]: ...
    @property
    def captcha_action(self) -> str: ...
    @property
    def captcha_min_score(self) -> float: ...
    @property
    def captcha_timeout_seconds(self) -> float: ...
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
    "captcha_provider": Variable(
        "CAPTCHA_PROVIDER", str, "recaptcha", constraints={"pattern": r"^recaptcha$"}
    ),
    "captcha_secret_param": Variable("CAPTCHA_SECRET_PARAM", str, constraints={"min_length": 1}),
    "subject_pepper_param": Variable("SUBJECT_PEPPER_PARAM", str, constraints={"min_length": 1}),
    "captcha_verify_url": Variable(
        "CAPTCHA_VERIFY_URL", str, "https://www.google.com/recaptcha/api/siteverify"
    ),
    "captcha_hostnames": Variable("CAPTCHA_HOSTNAMES", list, constraints={"min_length": 1}),
    "captcha_action": Variable("CAPTCHA_ACTION", str, "contact"),
    "captcha_min_score": Variable("CAPTCHA_MIN_SCORE", float, 0.5, constraints={"ge": 0.0, "le": 1.0}),
    "captcha_timeout_seconds": Variable(
        "CAPTCHA_TIMEOUT_SECONDS", float, 3.0, constraints={"gt": 0, "le": 10}
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
    captcha_provider: str
    captcha_secret_param: str
    subject_pepper_param: str
    captcha_verify_url: str
    captcha_hostnames: list[str]
    captcha_action: str
    captcha_min_score: float
    captcha_timeout_seconds: float
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
