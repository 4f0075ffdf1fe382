"""What the erasing functions read from their environment: account events, helpdesk events, the sweeper."""

from __future__ import annotations

from pydantic import Field

from contact_intake.helpdesk.settings import HelpdeskSettings


class ErasureSettings(HelpdeskSettings):
    """What every function that erases needs (the Eraser: the inquiries, the ledger, and the helpdesk's
    one settings block, HelpdeskSettings)."""

    inquiries_table: str = Field(alias="INQUIRIES_TABLE", min_length=1)
    erasure_ledger_table: str = Field(alias="ERASURE_LEDGER_TABLE", min_length=1)


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
