"""What the rights functions read from their environment: the verification API, the mail, the worker."""

from __future__ import annotations

from pydantic import Field

from contact_intake.core.principals import PRINCIPAL_ARN_PATTERN
from contact_intake.core.settings import EnvModel
from contact_intake.recordings.settings import RecordingsStorageSettings
from contact_intake.retention.settings import ErasureSettings


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
    (the template's DpoPrincipalArn) is the only caller of the DPO routes (contact_intake.core.principals)."""

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
