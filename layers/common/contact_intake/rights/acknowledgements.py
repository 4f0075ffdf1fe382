"""One live link per address: whether a request that came in by mail may be acknowledged (D56, D57).

Anyone can send a mail with someone else's ``From:``. Without a limit, each forged mail would make the shop
send its own acknowledgement with its own live verification link to that address: mail to any address
without end, and a stream of one-click links. So, per subject key (the HMAC of the address):

- **one live link**: while the last link sent to the address is unused, unexpired and its request still
  awaits verification, a new mail gets no link mail; one more link goes out only once the last is
  ``RESEND_AFTER`` (24 h) old (the person who lost the first mail gets another the next day);
- **a daily cap**: at most ``daily_cap`` acknowledgements in a window of ``WINDOW`` (24 h) that starts with
  the first one, whatever became of the requests.

A suppressed request is stored like any other (the DPO sees every mail) and audited with the reason; only
the mail is not sent, and the mail that is sent never depends on what data exists.

The state is one item per subject key in RightsRequestsTable, under ``request_id = "ack-limit#<subject
key>"`` (the API's ids are UUIDs, so no route reaches it; it has no ``status`` nor ``subject_key``
attribute, so no index holds it), expiring with its window and its live link (``expires_at``, the table's
TTL). Every change is a conditional write on the item's ``version``: of two mails deciding at once, one
write wins, the other reads again and sees the live link (optimistic concurrency: no read-then-write race).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

from contact_intake.core.dynamo import iso, storage_faults, write_if

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

KEY_PREFIX: Final = "ack-limit#"
WINDOW: Final = timedelta(hours=24)
RESEND_AFTER: Final = timedelta(hours=24)
DEFAULT_DAILY_CAP: Final = 3
ATTEMPTS: Final = 4  # conditional writes lost to concurrent mails before giving up (suppressing)

Decision = Literal["send", "live_link", "daily_cap"]


@dataclass(frozen=True)
class _State:
    version: int
    window_started_at: datetime
    window_sent: int
    live_request_id: str
    last_link_at: datetime
    live_until: datetime


def _state(item: dict[str, Any] | None, now: datetime) -> _State | None:
    if not item or int(item["expires_at"]["N"]) <= int(now.timestamp()):
        return None  # absent, or past its TTL (DynamoDB deletes it days later)
    return _State(
        version=int(item["version"]["N"]),
        window_started_at=datetime.fromisoformat(item["window_started_at"]["S"]),
        window_sent=int(item["window_sent"]["N"]),
        live_request_id=item["live_request_id"]["S"],
        last_link_at=datetime.fromisoformat(item["last_link_at"]["S"]),
        live_until=datetime.fromisoformat(item["live_until"]["S"]),
    )


class AcknowledgementLimit:
    """Claims the right to send one acknowledgement (with its link) to a subject key.

    ``awaiting(request_id)`` tells whether a request still awaits verification by its link (the rights
    store's consistent read); it is asked only while the last link may be live.
    """

    def __init__(
        self,
        *,
        table_name: str,
        client: Callable[[], DynamoDBClient],
        awaiting: Callable[[str], bool],
        daily_cap: int = DEFAULT_DAILY_CAP,
    ) -> None:
        self._table = table_name
        self._client = client
        self._awaiting = awaiting
        self._daily_cap = daily_cap

    def claim(
        self, subject_key: str, request_id: str, *, now: datetime, link_expires_at: datetime
    ) -> Decision:
        """``send`` (recorded: the request's link is now the live one) or why not. A request that already
        holds the claim (a retried delivery whose mail failed) may send again without counting twice.
        Raises ServiceUnavailable when DynamoDB fails."""
        key = f"{KEY_PREFIX}{subject_key}"
        for _ in range(ATTEMPTS):
            state = _state(self._read(key), now)
            if state is not None and state.live_request_id == request_id:
                return "send"
            decision = self._decide(state, now)
            if decision != "send":
                return decision
            if self._write(key, state, request_id, now, link_expires_at):
                return "send"
        return "live_link"  # every attempt lost to another mail for the same address: it sent the link

    def _decide(self, state: _State | None, now: datetime) -> Decision:
        if state is None:
            return "send"
        if (
            state.live_until > now
            and now - state.last_link_at < RESEND_AFTER
            and self._awaiting(state.live_request_id)
        ):
            return "live_link"
        if now - state.window_started_at < WINDOW and state.window_sent >= self._daily_cap:
            return "daily_cap"
        return "send"

    def _read(self, key: str) -> dict[str, Any] | None:
        with storage_faults():
            answer = self._client().get_item(
                TableName=self._table, Key={"request_id": {"S": key}}, ConsistentRead=True
            )
        item: dict[str, Any] | None = answer.get("Item")
        return item

    def _write(
        self, key: str, state: _State | None, request_id: str, now: datetime, link_expires_at: datetime
    ) -> bool:
        """The new state, if nobody changed the item since ``state`` was read; False when somebody did."""
        if state is None or now - state.window_started_at >= WINDOW:
            window_started_at, window_sent = now, 1
        else:
            window_started_at, window_sent = state.window_started_at, state.window_sent + 1
        expires = max(window_started_at + WINDOW, link_expires_at, now + RESEND_AFTER)
        item: dict[str, AttributeValueTypeDef] = {
            "request_id": {"S": key},
            "version": {"N": str(state.version + 1 if state else 1)},
            "window_started_at": {"S": iso(window_started_at)},
            "window_sent": {"N": str(window_sent)},
            "live_request_id": {"S": request_id},
            "last_link_at": {"S": iso(now)},
            "live_until": {"S": iso(link_expires_at)},
            "expires_at": {"N": str(int(expires.timestamp()) + 1)},
        }
        if state is None:  # absent, or expired but not yet deleted by the TTL
            condition = "attribute_not_exists(request_id) OR expires_at <= :now_epoch"
            values: dict[str, AttributeValueTypeDef] = {":now_epoch": {"N": str(int(now.timestamp()))}}
        else:
            condition = "version = :version"
            values = {":version": {"N": str(state.version)}}
        return write_if(
            lambda: self._client().put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        )
