"""What IntakeFunction and ForwarderFunction read from their environment (see core/settings.py)."""

from __future__ import annotations

from pydantic import Field

from contact_intake.core.settings import CsvList, EnvModel
from contact_intake.helpdesk.settings import HelpdeskSettings


class IntakeSettings(EnvModel):
    """What IntakeFunction needs."""

    inquiries_table: str = Field(alias="INQUIRIES_TABLE", min_length=1)
    inquiry_queue_url: str = Field(alias="INQUIRY_QUEUE_URL", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)  # read only when a number is given
    # the captcha provider behind the one verifier interface (intake/captcha.py); reCAPTCHA is the one today
    captcha_provider: str = Field(alias="CAPTCHA_PROVIDER", default="recaptcha", pattern=r"^recaptcha$")
    captcha_secret_param: str = Field(alias="CAPTCHA_SECRET_PARAM", min_length=1)
    subject_pepper_param: str = Field(alias="SUBJECT_PEPPER_PARAM", min_length=1)
    captcha_verify_url: str = Field(
        alias="CAPTCHA_VERIFY_URL", default="https://www.google.com/recaptcha/api/siteverify"
    )
    captcha_hostnames: CsvList = Field(alias="CAPTCHA_HOSTNAMES", min_length=1)
    captcha_action: str = Field(alias="CAPTCHA_ACTION", default="contact")
    captcha_min_score: float = Field(alias="CAPTCHA_MIN_SCORE", default=0.5, ge=0.0, le=1.0)
    captcha_timeout_seconds: float = Field(alias="CAPTCHA_TIMEOUT_SECONDS", default=3.0, gt=0, le=10)
    allowed_origins: CsvList = Field(alias="ALLOWED_ORIGINS", default_factory=list)
    thank_you_url: str = Field(alias="THANK_YOU_URL", default="/")
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=32 * 1024, gt=0)
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)


class ForwarderSettings(HelpdeskSettings):
    """What ForwarderFunction needs: the helpdesk (HelpdeskSettings), and the queue and table it drains."""

    inquiries_table: str = Field(alias="INQUIRIES_TABLE", min_length=1)
    inquiry_queue_url: str = Field(alias="INQUIRY_QUEUE_URL", min_length=1)
    inquiry_dlq_url: str = Field(alias="INQUIRY_DLQ_URL", min_length=1)
    # a customer's inquiry is not sent once its account has closed (D63); unset: no such check
    accounts_table: str | None = Field(alias="ACCOUNTS_TABLE", default=None, min_length=1)
    # the helpdesk's ticket creates per minute that this forwarder may use, and how many batches run at
    # once (the event source's MaximumConcurrency): together they spread a throttled backlog over minutes
    helpdesk_rate_limit_per_minute: int = Field(alias="HELPDESK_RATE_LIMIT_PER_MINUTE", gt=0)
    forwarder_max_concurrency: int = Field(alias="FORWARDER_MAX_CONCURRENCY", default=2, ge=1)
    # how long after a create was sent a redelivery waits before it trusts a lookup for the ticket
    forward_settle_seconds: int = Field(alias="FORWARD_SETTLE_SECONDS", default=60, ge=0, le=900)
