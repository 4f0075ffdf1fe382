"""EventBridge's event shape: the envelope around the shop's account events.

The envelope (id, source, detail-type, time, ...) is Powertools' EventBridgeModel; the domain gets an
``AccountChange`` with its typed detail (``retention/account_events.py``) and never sees the envelope.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import Field, ValidationError

from contact_intake.retention.account_events import (
    AccountChange,
    AccountDetail,
    AccountEventType,
    InvalidAccountEvent,
)


class AccountEvent(EventBridgeModel):
    """A shop.accounts event as EventBridge delivers it: Powertools' envelope with a typed detail."""

    source: Literal["shop.accounts"]
    detail_type: AccountEventType = Field(alias="detail-type")
    detail: AccountDetail


def parse_account_event(raw: Any) -> AccountChange:
    """The event as the mirror applies it; raises InvalidAccountEvent naming the bad fields (pydantic's own
    message quotes the input, which holds an e-mail address, so it never leaves here)."""
    try:
        event = AccountEvent.model_validate(raw)
    except ValidationError as exc:
        fields = [".".join(str(p) for p in err["loc"]) for err in exc.errors(include_input=False)]
        raise InvalidAccountEvent(fields) from None
    return AccountChange(event_id=event.id, kind=event.detail_type, at=event.time, detail=event.detail)
