"""The event SES's receipt rule gives RightsMailFunction (Lambda action, InvocationType Event).

Our own model rather than Powertools' ``SesModel``: that one requires ``action.invocationType`` to be
``Event``, ``dmarcVerdict`` (absent from older events and from ``sam local generate-event``) and a
``subject`` in ``commonHeaders`` (absent when the mail has none), so a real mail could fail validation
and be lost. Only what the function uses is read; the headers (names, addresses, the subject) are left
out on purpose, so personal data never enters the parsed event, its repr or a validation error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

FAIL = "FAIL"


def _upper(value: str) -> str:
    return value.strip().upper()


class SesVerdict(BaseModel):
    """PASS, FAIL, GRAY, PROCESSING_FAILED (or DISABLED when scanning is off). Missing: GRAY."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    status: Annotated[str, AfterValidator(_upper)] = "GRAY"

    @property
    def failed(self) -> bool:
        return self.status == FAIL


class SesAction(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    type: str
    invocation_type: str | None = Field(default=None, alias="invocationType")
    function_arn: str | None = Field(default=None, alias="functionArn")


class SesReceipt(BaseModel):
    """SES's checks of the message: spam and virus scan (ScanEnabled), SPF, DKIM, DMARC."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    timestamp: datetime
    spam: SesVerdict = Field(default_factory=SesVerdict, alias="spamVerdict")
    virus: SesVerdict = Field(default_factory=SesVerdict, alias="virusVerdict")
    spf: SesVerdict = Field(default_factory=SesVerdict, alias="spfVerdict")
    dkim: SesVerdict = Field(default_factory=SesVerdict, alias="dkimVerdict")
    dmarc: SesVerdict = Field(default_factory=SesVerdict, alias="dmarcVerdict")
    # the sender domain's DMARC policy, given when the DMARC check failed: none | quarantine | reject
    dmarc_policy: Annotated[str, AfterValidator(str.lower)] | None = Field(default=None, alias="dmarcPolicy")
    action: SesAction | None = None

    def verdicts(self) -> dict[str, str]:
        """Every verdict by name, for logs and metrics (no personal data)."""
        return {
            "spam": self.spam.status,
            "virus": self.virus.status,
            "spf": self.spf.status,
            "dkim": self.dkim.status,
            "dmarc": self.dmarc.status,
        }


# SES's message ids are lower-case letters and digits; the S3 action stores the mail under prefix + id,
# so anything that could step out of the prefix is refused.
MessageId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$")]


class SesMail(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    message_id: MessageId = Field(alias="messageId")
    timestamp: datetime  # when SES received the message: the legal deadline counts from here
    headers_truncated: bool = Field(default=False, alias="headersTruncated")


class SesNotification(BaseModel):
    """One received mail: its id and receipt time, and SES's verdicts."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    mail: SesMail
    receipt: SesReceipt


class SesRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_source: Literal["aws:ses"] = Field(alias="eventSource")
    event_version: str = Field(default="1.0", alias="eventVersion")
    ses: SesNotification


class SesReceiptEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    records: list[SesRecord] = Field(alias="Records", min_length=1)


class InvalidSesEvent(Exception):
    """The event is not an SES receipt event. The message names fields, never their values."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__(f"invalid SES receipt event: {', '.join(fields) or 'shape'}")


def parse_ses_event(raw: Any) -> list[SesNotification]:
    """The notifications of an SES receipt event (one per record; SES sends one); raises InvalidSesEvent."""
    try:
        event = SesReceiptEvent.model_validate(raw)
    except ValidationError as exc:
        fields = [".".join(str(p) for p in err["loc"]) for err in exc.errors(include_input=False)]
        raise InvalidSesEvent(fields) from None
    return [record.ses for record in event.records]
