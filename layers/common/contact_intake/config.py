"""Each function's configuration as one validated model, read once per container from the environment.

A missing or bad variable fails at start with a message naming the variable, not at the first request.
Secrets are never in the environment: only the *names* of the SSM SecureString parameters that hold them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from contact_intake.errors import ConfigurationError
from contact_intake.principals import PRINCIPAL_ARN_PATTERN


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], BeforeValidator(_split_csv)]


class EnvModel(BaseModel):
    """A settings model whose field aliases are environment variable names."""

    # defer_build: a model's validator is built when it is first used, so a function pays only for its
    # own settings at init, not for the other functions' (docs/decisions.md D76)
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        try:
            return cls.model_validate(dict(env))
        except ValidationError as exc:
            problems = "; ".join(
                f"{(err['loc'] or ('settings',))[0]}: {err['msg']}"
                for err in exc.errors(include_input=False, include_url=False)
            )
            raise ConfigurationError(f"{cls.__name__} is misconfigured: {problems}") from None


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


class ErasureSettings(EnvModel):
    """What every function that erases needs (the Eraser: the inquiries, the ledger, the helpdesk). The
    helpdesk variables are the forwarder's (ForwarderSettings)."""

    inquiries_table: str = Field(alias="INQUIRIES_TABLE", min_length=1)
    erasure_ledger_table: str = Field(alias="ERASURE_LEDGER_TABLE", min_length=1)
    helpdesk_domain: str | None = Field(alias="HELPDESK_DOMAIN", default=None, min_length=1)
    helpdesk_base_url: str | None = Field(alias="HELPDESK_BASE_URL", default=None, min_length=1)
    helpdesk_api_key_secret_id: str = Field(alias="HELPDESK_API_KEY_SECRET_ID", min_length=1)
    helpdesk_inquiry_field: str = Field(
        alias="HELPDESK_INQUIRY_FIELD", default="cf_inquiry_id", pattern=r"^[A-Za-z0-9_]{1,64}$"
    )
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)

    @model_validator(mode="after")
    def _one_helpdesk_address(self) -> Self:
        if (self.helpdesk_domain is None) == (self.helpdesk_base_url is None):
            raise ValueError("set exactly one of HELPDESK_DOMAIN and HELPDESK_BASE_URL")
        return self


class AccountEventsSettings(ErasureSettings):
    """What AccountEventsFunction needs: the mirror, and the pepper to turn an address into its key."""

    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    # the recordings tied to an account follow its address (D61); unset: only the inquiries do
    recordings_table: str | None = Field(alias="RECORDINGS_TABLE", default=None, min_length=1)
    subject_pepper_param: str = Field(alias="SUBJECT_PEPPER_PARAM", min_length=1)


class HelpdeskEventsSettings(ErasureSettings):
    """What HelpdeskEventsFunction (POST /helpdesk/events) needs."""

    webhook_secret_param: str = Field(alias="WEBHOOK_SECRET_PARAM", min_length=1)
    # 0: a prospect's inquiry is erased when its ticket is resolved; N: N days later, by the sweeper
    resolved_grace_days: int = Field(alias="RESOLVED_GRACE_DAYS", default=0, ge=0, le=365)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=8 * 1024, gt=0)


class SweeperSettings(ErasureSettings):
    """What SweeperFunction needs."""

    inquiry_queue_url: str = Field(alias="INQUIRY_QUEUE_URL", min_length=1)
    stuck_after_minutes: int = Field(alias="STUCK_AFTER_MINUTES", default=15, ge=1)
    sweep_lookback_days: int = Field(alias="SWEEP_LOOKBACK_DAYS", default=30, ge=1, le=366)
    # the rights requests whose link ran out unconfirmed become "expired" (contact_intake.rights.expiry)
    rights_requests_table: str | None = Field(alias="RIGHTS_REQUESTS_TABLE", default=None, min_length=1)
    # the reconciliation of closed accounts (D63): the mirror, and how many days of closures it re-checks
    accounts_table: str | None = Field(alias="ACCOUNTS_TABLE", default=None, min_length=1)
    closure_lookback_days: int = Field(alias="CLOSURE_LOOKBACK_DAYS", default=3, ge=1, le=80)


class RecordingsStorageSettings(EnvModel):
    """What every function that touches call recordings needs (contact_intake.recordings): the consent ledger,
    the audio bucket, the audio's retention per purpose (the bucket's lifecycle rules take the same template
    parameters), how long a withdrawn or expired entry is kept as proof of the consent, and the largest
    upload. The rights worker's settings take it as a base to withdraw, erase and list a person's
    recordings (only RECORDINGS_TABLE and RECORDINGS_BUCKET are required)."""

    recordings_table: str = Field(alias="RECORDINGS_TABLE", min_length=1)
    recordings_bucket: str = Field(alias="RECORDINGS_BUCKET", min_length=1)
    training_retention_days: int = Field(alias="RECORDING_TRAINING_DAYS", default=90, ge=1, le=3653)
    quality_retention_days: int = Field(alias="RECORDING_QUALITY_DAYS", default=90, ge=1, le=3653)
    agreement_retention_days: int = Field(alias="RECORDING_AGREEMENT_DAYS", default=730, ge=1, le=3653)
    recording_proof_days: int = Field(alias="RECORDING_PROOF_DAYS", default=1095, ge=1, le=3653)
    recording_max_bytes: int = Field(alias="RECORDING_MAX_BYTES", default=256 * 1024 * 1024, ge=1024)


class RecordingsSettings(RecordingsStorageSettings):
    """What RecordingsFunction (POST/GET/DELETE /recordings, AWS_IAM) needs: the accounts mirror ties a
    customer's recording to the account's subject key; the pepper keys a phone number."""

    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    subject_pepper_param: str = Field(alias="SUBJECT_PEPPER_PARAM", min_length=1)
    # who may call which route (contact_intake.principals; the template's DpoPrincipalArn and
    # TelephonyPrincipalArn): telephony registers, the DPO reads, either withdraws
    dpo_principal_arn: str = Field(alias="DPO_PRINCIPAL_ARN", pattern=PRINCIPAL_ARN_PATTERN)
    telephony_principal_arn: str = Field(alias="TELEPHONY_PRINCIPAL_ARN", pattern=PRINCIPAL_ARN_PATTERN)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=8 * 1024, gt=0)
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)


class RecordingUploadedSettings(RecordingsStorageSettings):
    """What RecordingUploadedFunction (S3 Object Created events of RecordingsBucket) needs."""


class RightsSettings(EnvModel):
    """What every function of the rights engine needs (contact_intake.rights.wiring.RightsWiring): the
    requests table, the worker's queue, the pepper, the sender of rights mail and the public API's URL (the
    verification link's base; empty: RightsApiFunction derives it from the request, see the template)."""

    rights_requests_table: str = Field(alias="RIGHTS_REQUESTS_TABLE", min_length=1)
    rights_queue_url: str = Field(alias="RIGHTS_QUEUE_URL", min_length=1)
    subject_pepper_param: str = Field(alias="SUBJECT_PEPPER_PARAM", min_length=1)
    mail_from: str = Field(alias="MAIL_FROM", pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
    public_api_url: str = Field(alias="PUBLIC_API_URL", default="", pattern=r"^(https?://[^\s?#]+[^/\s?#])?$")
    rights_retention_years: int = Field(alias="RIGHTS_RETENTION_YEARS", default=3, ge=1, le=10)
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)


class RightsApiSettings(RightsSettings):
    """What RightsApiFunction (the DPO routes and the public verify link) needs: the DPO's IAM principal
    (the template's DpoPrincipalArn) is the only caller of the DPO routes (contact_intake.principals)."""

    dpo_principal_arn: str = Field(alias="DPO_PRINCIPAL_ARN", pattern=PRINCIPAL_ARN_PATTERN)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=16 * 1024, gt=0)


class RightsMailSettings(RightsSettings):
    """What RightsMailFunction needs: the rights engine's settings, and where the raw mail SES stored is (the
    receipt rule's S3 action puts it under INBOUND_MAIL_PREFIX + the SES message id)."""

    inbound_mail_bucket: str = Field(alias="INBOUND_MAIL_BUCKET", min_length=1)
    inbound_mail_prefix: str = Field(
        alias="INBOUND_MAIL_PREFIX", default="raw/", pattern=r"^[A-Za-z0-9_.-]+/$"
    )
    # acknowledgements (each with a link) per address in 24 h, whatever became of the requests (D57)
    rights_ack_daily_cap: int = Field(alias="RIGHTS_ACK_DAILY_CAP", default=3, ge=1, le=20)


class RightsWorkerSettings(RightsSettings, ErasureSettings, RecordingsStorageSettings):
    """What RightsWorkerFunction needs: the rights engine's settings, the Eraser's (inquiries, ledger,
    helpdesk) and the call recordings' (withdraw, erase, list a person's recordings); the inquiry queue
    (a lifted restriction sends held inquiries on), the accounts mirror (a corrected customer number
    must verify), the raw mails (erasure), RightsDLQ (a message that can never succeed goes there at
    once), and whether an erasure also deletes the person's helpdesk contact."""

    inquiry_queue_url: str = Field(alias="INQUIRY_QUEUE_URL", min_length=1)
    accounts_table: str = Field(alias="ACCOUNTS_TABLE", min_length=1)
    inbound_mail_bucket: str = Field(alias="INBOUND_MAIL_BUCKET", min_length=1)
    rights_dlq_url: str = Field(alias="RIGHTS_DLQ_URL", min_length=1)
    helpdesk_delete_contacts: bool = Field(alias="HELPDESK_DELETE_CONTACTS", default=False)
    # how long a run holds a request against a concurrent duplicate delivery: past the function's timeout
    worker_lease_seconds: int = Field(alias="RIGHTS_WORKER_LEASE_SECONDS", default=360, ge=30, le=1800)
