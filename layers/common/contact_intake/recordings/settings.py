"""What the recordings functions read from their environment."""

from __future__ import annotations

from pydantic import Field

from contact_intake.core.principals import PRINCIPAL_ARN_PATTERN
from contact_intake.core.settings import EnvModel


class RecordingsStorageSettings(EnvModel):
    """What every function that touches call recordings needs (recordings/service.py): the consent ledger,
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
    # who may call which route (contact_intake.core.principals; the template's DpoPrincipalArn and
    # TelephonyPrincipalArn): telephony registers, the DPO reads, either withdraws
    dpo_principal_arn: str = Field(alias="DPO_PRINCIPAL_ARN", pattern=PRINCIPAL_ARN_PATTERN)
    telephony_principal_arn: str = Field(alias="TELEPHONY_PRINCIPAL_ARN", pattern=PRINCIPAL_ARN_PATTERN)
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=8 * 1024, gt=0)
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)


class RecordingUploadedSettings(RecordingsStorageSettings):
    """What RecordingUploadedFunction (S3 Object Created events of RecordingsBucket) needs."""
