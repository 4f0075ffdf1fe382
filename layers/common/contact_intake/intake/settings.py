"""What IntakeFunction and ForwarderFunction read from their environment (see core/settings.py)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from contact_intake.core.settings import CsvList, EnvModel


class IntakeSettings(EnvModel):
    """What IntakeFunction needs."""

    inquiries_table: str = Field(alias="INQUIRIES_TABLE", min_length=1)
    inquiry_queue_url: str = Field(alias="INQUIRY_QUEUE_URL", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)  # read only when a number is given
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


class ForwarderSettings(EnvModel):
    """What ForwarderFunction needs. The helpdesk is HELPDESK_DOMAIN (Freshdesk's ``{domain}.freshdesk.com``)
    unless HELPDESK_BASE_URL is set: devstack adds it, pointing at its emulator, as it adds
    AWS_ENDPOINT_URL."""

    inquiries_table: str = Field(alias="INQUIRIES_TABLE", min_length=1)
    inquiry_queue_url: str = Field(alias="INQUIRY_QUEUE_URL", min_length=1)
    inquiry_dlq_url: str = Field(alias="INQUIRY_DLQ_URL", min_length=1)
    # a customer's inquiry is not sent once its account has closed (D63); unset: no such check
    accounts_table: str | None = Field(alias="ACCOUNTS_TABLE", default=None, min_length=1)
    helpdesk_domain: str | None = Field(alias="HELPDESK_DOMAIN", default=None, min_length=1)
    helpdesk_base_url: str | None = Field(alias="HELPDESK_BASE_URL", default=None, min_length=1)
    # the Secrets Manager secret (name or ARN) holding the Freshdesk API key; never the key itself
    helpdesk_api_key_secret_id: str = Field(alias="HELPDESK_API_KEY_SECRET_ID", min_length=1)
    helpdesk_inquiry_field: str = Field(
        alias="HELPDESK_INQUIRY_FIELD", default="cf_inquiry_id", pattern=r"^[A-Za-z0-9_]{1,64}$"
    )
    # the helpdesk's ticket creates per minute that this forwarder may use, and how many batches run at
    # once (the event source's MaximumConcurrency): together they spread a throttled backlog over minutes
    helpdesk_rate_limit_per_minute: int = Field(alias="HELPDESK_RATE_LIMIT_PER_MINUTE", gt=0)
    forwarder_max_concurrency: int = Field(alias="FORWARDER_MAX_CONCURRENCY", default=2, ge=1)
    # how long after a create was sent a redelivery waits before it trusts a lookup for the ticket
    forward_settle_seconds: int = Field(alias="FORWARD_SETTLE_SECONDS", default=60, ge=0, le=900)
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)

    @model_validator(mode="after")
    def _a_helpdesk_address(self) -> Self:
        if self.helpdesk_domain is None and self.helpdesk_base_url is None:
            raise ValueError("set HELPDESK_DOMAIN (or HELPDESK_BASE_URL)")
        return self
