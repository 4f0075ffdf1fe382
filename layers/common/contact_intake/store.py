"""The inquiry store: InquiriesTable through the low-level DynamoDB client.

``put_new`` is the intake's single durable write: a conditional PutItem keyed by the inquiry id, so a
retry with the same Idempotency-Key writes nothing new. When the condition fails, DynamoDB hands back
the existing item in the same call (ReturnValuesOnConditionCheckFailure), so no extra read is spent.
Reads treat an item whose ``expires_at`` has passed as absent (TTL deletes it days later).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from contact_intake.errors import ServiceUnavailable
from contact_intake.models import Channel, InquiryRecord, InquiryStatus
from contact_intake.retention import LawfulBasis, is_expired

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class InquiryExists(Exception):
    """A PutItem found the id taken; ``existing`` is the stored record (None when it has expired)."""

    def __init__(self, existing: InquiryRecord | None) -> None:
        super().__init__("inquiry id already taken")
        self.existing = existing


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_item(record: InquiryRecord) -> dict[str, AttributeValueTypeDef]:
    """The DynamoDB item of a record. Optional attributes are left out, never written as empty."""
    item: dict[str, AttributeValueTypeDef] = {
        "inquiry_id": {"S": record.inquiry_id},
        "received_at": {"S": _iso(record.received_at)},
        "channel": {"S": str(record.channel)},
        "name": {"S": record.name},
        "email": {"S": record.email},
        "subject": {"S": record.subject},
        "message": {"S": record.message},
        "locale": {"S": record.locale},
        "subject_key": {"S": record.subject_key},
        "lawful_basis": {"S": str(record.lawful_basis)},
        "status": {"S": str(record.status)},
        "restricted": {"BOOL": record.restricted},
        "request_fingerprint": {"S": record.request_fingerprint},
    }
    if record.customer_number is not None:
        item["customer_number"] = {"S": record.customer_number}
    if record.helpdesk_ticket_id is not None:
        item["helpdesk_ticket_id"] = {"N": str(record.helpdesk_ticket_id)}
    if record.expires_at is not None:
        item["expires_at"] = {"N": str(record.expires_at)}
    return item


def from_item(item: dict[str, Any]) -> InquiryRecord:
    """The record of a DynamoDB item (as the low-level client returns it)."""

    def text(name: str, default: str | None = None) -> str | None:
        value = item.get(name)
        return value["S"] if value else default

    def number(name: str) -> int | None:
        value = item.get(name)
        return int(value["N"]) if value else None

    known = {
        "inquiry_id", "received_at", "channel", "name", "email", "subject", "message", "locale",
        "subject_key", "lawful_basis", "status", "restricted", "request_fingerprint",
        "customer_number", "helpdesk_ticket_id", "expires_at",
    }  # fmt: skip
    return InquiryRecord(
        inquiry_id=item["inquiry_id"]["S"],
        received_at=datetime.fromisoformat(item["received_at"]["S"]),
        name=text("name", "") or "",
        email=text("email", "") or "",
        subject=text("subject", "") or "",
        message=text("message", "") or "",
        locale=text("locale", "en") or "en",
        subject_key=item["subject_key"]["S"],
        lawful_basis=LawfulBasis(item["lawful_basis"]["S"]),
        request_fingerprint=text("request_fingerprint", "") or "",
        channel=Channel(text("channel") or Channel.WEB_FORM),
        status=InquiryStatus(item["status"]["S"]),
        restricted=bool(item.get("restricted", {}).get("BOOL", False)),
        customer_number=text("customer_number"),
        helpdesk_ticket_id=number("helpdesk_ticket_id"),
        expires_at=number("expires_at"),
        extra={k: v for k, v in item.items() if k not in known},
    )


class InquiryStore:
    """Reads and writes InquiriesTable. Storage faults become ServiceUnavailable (503, nothing stored)."""

    def __init__(
        self,
        *,
        table_name: str,
        client: Callable[[], DynamoDBClient],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._table = table_name
        self._client = client
        self._clock = clock

    def put_new(self, record: InquiryRecord) -> None:
        """Store a new inquiry; raise InquiryExists (with the stored record) when the id is taken."""
        try:
            self._client().put_item(
                TableName=self._table,
                Item=to_item(record),
                ConditionExpression="attribute_not_exists(inquiry_id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                old = cast("dict[str, Any] | None", exc.response.get("Item"))
                raise InquiryExists(self._live(from_item(old)) if old else None) from None
            raise ServiceUnavailable() from exc
        except BotoCoreError as exc:
            raise ServiceUnavailable() from exc

    def get(self, inquiry_id: str) -> InquiryRecord | None:
        """The live record with this id, or None (absent, or past its expires_at)."""
        try:
            answer = self._client().get_item(
                TableName=self._table, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailable() from exc
        item = answer.get("Item")
        return self._live(from_item(item)) if item else None

    def _live(self, record: InquiryRecord) -> InquiryRecord | None:
        return None if is_expired(record.expires_at, self._clock()) else record
