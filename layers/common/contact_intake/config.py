"""Each function's configuration as one validated model, read once per container from the environment.

A missing or bad variable fails at start with a message naming the variable, not at the first request.
Secrets are never in the environment: only the *names* of the SSM SecureString parameters that hold them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from contact_intake.errors import ConfigurationError


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], BeforeValidator(_split_csv)]


class EnvModel(BaseModel):
    """A settings model whose field aliases are environment variable names."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        try:
            return cls.model_validate(dict(env))
        except ValidationError as exc:
            problems = "; ".join(
                f"{err['loc'][0]}: {err['msg']}" for err in exc.errors(include_input=False, include_url=False)
            )
            raise ConfigurationError(f"{cls.__name__} is misconfigured: {problems}") from None


class IntakeSettings(EnvModel):
    """What IntakeFunction needs."""

    inquiries_table: str = Field(alias="INQUIRIES_TABLE", min_length=1)
    inquiry_queue_url: str = Field(alias="INQUIRY_QUEUE_URL", min_length=1)
    recaptcha_secret_param: str = Field(alias="RECAPTCHA_SECRET_PARAM", min_length=1)
    subject_pepper_param: str = Field(alias="SUBJECT_PEPPER_PARAM", min_length=1)
    recaptcha_verify_url: str = Field(
        alias="RECAPTCHA_VERIFY_URL", default="https://www.google.com/recaptcha/api/siteverify"
    )
    recaptcha_hostnames: CsvList = Field(alias="RECAPTCHA_HOSTNAMES", min_length=1)
    recaptcha_action: str = Field(alias="RECAPTCHA_ACTION", default="contact")
    recaptcha_min_score: float = Field(alias="RECAPTCHA_MIN_SCORE", default=0.5, ge=0.0, le=1.0)
    recaptcha_timeout_seconds: float = Field(alias="RECAPTCHA_TIMEOUT_SECONDS", default=3.0, gt=0, le=10)
    allowed_origins: CsvList = Field(alias="ALLOWED_ORIGINS", default_factory=list)
    thank_you_url: str = Field(alias="THANK_YOU_URL", default="/")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=32 * 1024, gt=0)
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)
