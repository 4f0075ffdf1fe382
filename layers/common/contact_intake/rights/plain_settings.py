"""RightsApiFunction's settings read without pydantic when every value is plain (core/plain_settings.py;
docs/decisions.md D92)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from contact_intake.core.plain_settings import Variable, plain_values
from contact_intake.core.principals import PRINCIPAL_ARN_PATTERN

if TYPE_CHECKING:
    from contact_intake.rights.settings import RightsApiSettings


class RightsConfig(Protocol):
    """What the rights engine's wiring reads (rights.settings.RightsSettings and its subclasses)."""

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


_EMAIL: Final = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"
_API_URL: Final = r"^(https?://[^\s?#]+[^/\s?#])?$"

# RightsApiSettings's fields (RightsSettings's, then its own), as rights/settings.py declares them
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


def rights_api_settings(
    environ: Mapping[str, str] | None = None,
) -> PlainRightsApiSettings | RightsApiSettings:
    """RightsApiFunction's settings: read here when plain, by RightsApiSettings.from_env otherwise (which
    raises ConfigurationError naming the variable)."""
    env = os.environ if environ is None else environ
    values = plain_values(RIGHTS_API_VARIABLES, env)
    if values is not None:
        return PlainRightsApiSettings(**values)  # type: ignore[arg-type]
    from contact_intake.rights.settings import RightsApiSettings

    return RightsApiSettings.from_env(env)
