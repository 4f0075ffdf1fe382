"""The inquiry store: InquiriesTable through the low-level DynamoDB client.

``put_new`` is the intake's single durable write: a conditional PutItem keyed by the inquiry id, so a
retry with the same Idempotency-Key writes nothing new. When the condition fails, DynamoDB hands back
the existing item in the same call (ReturnValuesOnConditionCheckFailure), so no extra read is spent.
Reads treat an item whose ``expires_at`` has passed as absent (TTL deletes it days later).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from contact_intake.core import dynamo
from contact_intake.core.errors import ServiceUnavailable
from contact_intake.core.retention import LawfulBasis, is_expired
from contact_intake.intake.models import Channel, InquiryRecord, InquiryStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class InquiryExists(Exception):
    """A PutItem found the id taken; ``existing`` is the stored record (None when it has expired)."""

    def __init__(self, existing: InquiryRecord | None) -> None:
        super().__init__("inquiry id already taken")
        self.existing = existing


class AccountNotOpen(Exception):
    """A customer's write found the account in the mirror closed, gone, or now another address's: nothing
    was written (docs/decisions.md D62)."""

    def __init__(self) -> None:
        super().__init__("the account is not open for this address")


class ForwardConflict(Exception):
    """A conditional forwarder write found the item changed; ``current`` is its state now (None: gone)."""

    def __init__(self, current: InquiryRecord | None) -> None:
        super().__init__("inquiry changed under the forwarder")
        self.current = current


# The forwarder's conditions. Names go through placeholders: status is a DynamoDB reserved word.
_FORWARD_NAMES = {
    "#id": "inquiry_id",
    "#status": "status",
    "#ticket": "helpdesk_ticket_id",
    "#restricted": "restricted",
    "#attempted": "forward_attempted_at",
}
_UNFORWARDED = "attribute_exists(#id) AND #status = :received AND attribute_not_exists(#ticket)"


# The sweeper's sparse indexes (docs/operations.md "Retention and deletion"). Their partition keys are UTC
# days, so the
# sweeper queries a bounded run of days instead of scanning the table.
EXPIRY_DAY = "expiry_day"  # by_expiry_day: the UTC day of expires_at, present while expires_at is
PENDING_DAY = "pending_day"  # by_pending: the UTC day of received_at, present only while status=received


# the account event whose address a customer's inquiry carries (contact_intake.retention.account_events, D61)
IDENTITY_VERSION = "identity_version"


def utc_day(moment: datetime) -> str:
    """``YYYY-MM-DD`` of ``moment`` in UTC: the partition key of the sweeper's indexes."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def expiry_day(expires_at: int) -> str:
    """The UTC day an ``expires_at`` (epoch seconds) falls on."""
    return utc_day(datetime.fromtimestamp(expires_at, UTC))


def to_item(record: InquiryRecord) -> dict[str, AttributeValueTypeDef]:
    """The DynamoDB item of a record. Optional attributes are left out, never written as empty."""
    item: dict[str, AttributeValueTypeDef] = {
        "inquiry_id": {"S": record.inquiry_id},
        "received_at": {"S": dynamo.iso(record.received_at)},
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
        item[EXPIRY_DAY] = {"S": expiry_day(record.expires_at)}
    if record.status is InquiryStatus.RECEIVED:
        item[PENDING_DAY] = {"S": utc_day(record.received_at)}
    if record.forward_attempted_at is not None:
        item["forward_attempted_at"] = {"S": dynamo.iso(record.forward_attempted_at)}
    if record.forward_attempts:
        item["forward_attempts"] = {"N": str(record.forward_attempts)}
    if record.forwarded_at is not None:
        item["forwarded_at"] = {"S": dynamo.iso(record.forwarded_at)}
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
        "forward_attempted_at", "forward_attempts", "forwarded_at", IDENTITY_VERSION,
        EXPIRY_DAY, PENDING_DAY,  # derived from expires_at / status+received_at by to_item
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
        forward_attempted_at=dynamo.moment(item, "forward_attempted_at"),
        forward_attempts=number("forward_attempts") or 0,
        forwarded_at=dynamo.moment(item, "forwarded_at"),
        extra={k: v for k, v in item.items() if k not in known},
    )


class InquiryStore(dynamo.TableStore):
    """Reads and writes InquiriesTable. Storage faults become ServiceUnavailable (503, nothing stored)."""

    def __init__(
        self,
        *,
        table_name: str,
        client: Callable[[], DynamoDBClient],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        accounts_table: str | None = None,
    ) -> None:
        super().__init__(table_name=table_name, client=client, clock=clock)
        self._accounts_table = accounts_table

    def put_new(self, record: InquiryRecord) -> None:
        """Store a new inquiry; raise InquiryExists (with the stored record) when the id is taken."""
        try:
            dynamo.put_if_absent(
                self._client,
                table=self._table,
                item=to_item(record),
                key="inquiry_id",
                return_stored=True,
            )
        except dynamo.ConditionRefused as refused:
            raise InquiryExists(self._stored(refused.item)) from None

    def put_new_customer(self, record: InquiryRecord) -> None:
        """Store a new customer's inquiry only while its account is open for this address: one
        TransactWriteItems of a ConditionCheck on the accounts mirror (``status = open`` and the record's
        ``subject_key``) and the conditional Put keyed by the inquiry id. A closure processed since the
        intake's check makes the whole write fail (docs/decisions.md D62).

        Raises InquiryExists (the id is taken: the stored record, as ``put_new``), AccountNotOpen (the
        account's condition failed, nothing written) or ServiceUnavailable."""
        if self._accounts_table is None or record.customer_number is None:
            raise ValueError("a customer's write needs the accounts table and a customer number")
        try:
            self._client().transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": self._accounts_table,
                            "Key": {"customer_number": {"S": record.customer_number}},
                            "ConditionExpression": "#status = :open AND subject_key = :key",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":open": {"S": "open"},
                                ":key": {"S": record.subject_key},
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(record),
                            "ConditionExpression": "attribute_not_exists(inquiry_id)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise ServiceUnavailable() from exc
            reasons = cast("list[dict[str, Any]]", exc.response.get("CancellationReasons", []))
            codes = [reason.get("Code") for reason in reasons]
            if len(codes) == 2 and codes[1] == "ConditionalCheckFailed":
                # the id is taken (an idempotent retry, or a clash): whatever the account says now
                old = cast("dict[str, Any] | None", reasons[1].get("Item"))
                if old is None:
                    old = self._raw(record.inquiry_id)
                raise InquiryExists(self._stored(old)) from None
            if codes and codes[0] == "ConditionalCheckFailed":
                raise AccountNotOpen() from None
            raise ServiceUnavailable() from exc  # a conflict with another transaction, throttling: retry
        except BotoCoreError as exc:
            raise ServiceUnavailable() from exc

    def _raw(self, inquiry_id: str) -> dict[str, Any] | None:
        """The stored item (a consistent read), expired or not; None when absent."""
        with dynamo.storage_faults():
            answer = self._client().get_item(
                TableName=self._table, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True
            )
        return cast("dict[str, Any] | None", answer.get("Item"))

    def get(self, inquiry_id: str) -> InquiryRecord | None:
        """The live record with this id, or None (absent, or past its expires_at)."""
        return self._stored(self._raw(inquiry_id))

    # -- the forwarder's writes (docs/architecture.md §6: exactly one ticket per inquiry)

    def mark_attempted(self, inquiry_id: str, *, at: datetime, previous: datetime | None) -> None:
        """Record, before a ticket create is sent, that one may now exist (``forward_attempted_at``; the
        ``forward_attempts`` counter goes up by one).

        Only while the inquiry is received, has no ticket, is not restricted and its last attempt is still
        ``previous`` (what the caller read): of two concurrent deliveries exactly one gets through.
        Raises ForwardConflict with the current record otherwise, ServiceUnavailable on storage faults.
        """
        if previous is None:
            attempt = "attribute_not_exists(#attempted)"
            values: dict[str, AttributeValueTypeDef] = {}
        else:
            attempt = "#attempted = :previous"
            values = {":previous": {"S": dynamo.iso(previous)}}
        self._update_forwarding(
            inquiry_id,
            update="SET #attempted = :at ADD forward_attempts :one",
            condition=f"{_UNFORWARDED} AND (attribute_not_exists(#restricted) OR #restricted = :false)"
            f" AND {attempt}",
            values={
                ":at": {"S": dynamo.iso(at)},
                ":one": {"N": "1"},
                ":received": {"S": str(InquiryStatus.RECEIVED)},
                ":false": {"BOOL": False},
                **values,
            },
        )

    def clear_attempt(self, inquiry_id: str, *, at: datetime) -> bool:
        """Forget the attempt made ``at``: the helpdesk refused it (429, 4xx), so no ticket exists and the
        next try need not look for one. False when a later attempt or the write-back came first."""
        try:
            self._update_forwarding(
                inquiry_id,
                update="REMOVE #attempted",
                condition="#attempted = :at",
                values={":at": {"S": dynamo.iso(at)}},
            )
        except ForwardConflict:
            return False
        return True

    def mark_forwarded(self, inquiry_id: str, ticket_id: int, *, at: datetime) -> None:
        """Write the ticket id back: ``status=forwarded``, ``forwarded_at``; ``pending_day`` (the sweeper's
        sparse index key) and the attempt marker go, in the same write.

        Only while the item exists, is received and has no ticket: an erasure or another delivery that came
        first wins. Raises ForwardConflict with the current record (None when erased), or
        ServiceUnavailable."""
        self._update_forwarding(
            inquiry_id,
            update="SET #ticket = :ticket, #status = :forwarded, forwarded_at = :at"
            " REMOVE pending_day, #attempted",
            condition=_UNFORWARDED,
            values={
                ":ticket": {"N": str(int(ticket_id))},
                ":forwarded": {"S": str(InquiryStatus.FORWARDED)},
                ":at": {"S": dynamo.iso(at)},
                ":received": {"S": str(InquiryStatus.RECEIVED)},
            },
        )

    def _update_forwarding(
        self,
        inquiry_id: str,
        *,
        update: str,
        condition: str,
        values: dict[str, AttributeValueTypeDef],
    ) -> None:
        used = {key: name for key, name in _FORWARD_NAMES.items() if key in update + condition}
        try:
            self._update(inquiry_id, update, condition, used, values, raise_stored=True)
        except dynamo.ConditionRefused as refused:
            raise ForwardConflict(self._stored(refused.item)) from None

    # -- erasure, resolution and the sweeper (contact_intake.retention.erasure / .resolution / .sweeper)

    def read_any(self, inquiry_id: str) -> InquiryRecord | None:
        """The stored record, expired or not (a consistent base-table read): erasure must see an expired
        item to delete its helpdesk ticket before TTL drops it. None when absent."""
        item = self._raw(inquiry_id)
        return from_item(item) if item else None

    def delete(self, inquiry_id: str) -> None:
        """Delete the item; deleting an absent one is not an error (DeleteItem is idempotent)."""
        with dynamo.storage_faults():
            self._client().delete_item(TableName=self._table, Key={"inquiry_id": {"S": inquiry_id}})

    def mark_resolved(self, inquiry_id: str, *, expires_at: int | None = None) -> bool:
        """``status=resolved``; with ``expires_at``, also that deadline (and its ``expiry_day``) so the
        sweeper erases the item then. Never creates an item: False when it is gone."""
        update = "SET #status = :resolved REMOVE #pending"
        values: dict[str, AttributeValueTypeDef] = {":resolved": {"S": str(InquiryStatus.RESOLVED)}}
        names = {"#id": "inquiry_id", "#status": "status", "#pending": PENDING_DAY}
        if expires_at is not None:
            update = "SET #status = :resolved, #expires = :expires, #day = :day REMOVE #pending"
            values |= {":expires": {"N": str(expires_at)}, ":day": {"S": expiry_day(expires_at)}}
            names |= {"#expires": "expires_at", "#day": EXPIRY_DAY}
        return self._update(inquiry_id, update, "attribute_exists(#id)", names, values)

    def release_pending(self, inquiry_id: str) -> bool:
        """Take a re-enqueued inquiry out of ``by_pending`` (REMOVE ``pending_day``), only while it is still
        ``received``: each inquiry is re-enqueued by the sweeper at most once; after that the queue's
        redrive and DLQ own it. False when it was forwarded, resolved or erased meanwhile."""
        return self._update(
            inquiry_id,
            "REMOVE #pending",
            "attribute_exists(#id) AND #status = :received",
            {"#id": "inquiry_id", "#status": "status", "#pending": PENDING_DAY},
            {":received": {"S": str(InquiryStatus.RECEIVED)}},
        )

    # -- the rights worker (contact_intake.rights.engine): restriction, rectification; never creates an item

    def set_restricted(self, inquiry_id: str, restricted: bool, *, expires_at: int | None = None) -> bool:
        """Set ``restricted`` (Art. 18: kept, not used). Restricting also holds deletion: ``expires_at`` and
        its ``expiry_day`` go, so neither DynamoDB's TTL nor the sweeper's ``by_expiry_day`` finds the item
        while it is restricted (docs/decisions.md, D68). Lifting (``restricted=False``) with ``expires_at``
        sets the deadline (and its ``expiry_day``) again. False when the item is gone."""
        names = {"#id": "inquiry_id", "#restricted": "restricted"}
        values: dict[str, AttributeValueTypeDef] = {":restricted": {"BOOL": restricted}}
        update = "SET #restricted = :restricted"
        if restricted:
            update += " REMOVE #expires, #day"
            names |= {"#expires": "expires_at", "#day": EXPIRY_DAY}
        elif expires_at is not None:
            update += ", #expires = :expires, #day = :day"
            names |= {"#expires": "expires_at", "#day": EXPIRY_DAY}
            values |= {":expires": {"N": str(expires_at)}, ":day": {"S": expiry_day(expires_at)}}
        return self._update(inquiry_id, update, "attribute_exists(#id)", names, values)

    def correct_contact(
        self, inquiry_id: str, *, name: str | None, email: str | None, key: str | None
    ) -> bool:
        """Rectify the name and/or the address (Art. 16); a new address comes with its subject ``key``, so the
        inquiry moves to the corrected person's ``by_subject`` entry. False when the item is gone."""
        names = {"#id": "inquiry_id"}
        values: dict[str, AttributeValueTypeDef] = {}
        assignments = []
        for attribute, value in (("name", name), ("email", email), ("subject_key", key)):
            if value is not None:
                names[f"#{attribute}"] = attribute
                values[f":{attribute}"] = {"S": value}
                assignments.append(f"#{attribute} = :{attribute}")
        if not assignments:
            raise ValueError("nothing to correct")
        return self._update(
            inquiry_id, "SET " + ", ".join(assignments), "attribute_exists(#id)", names, values
        )

    def link_customer(self, inquiry_id: str, customer_number: str) -> bool:
        """Record a customer number verified against the accounts mirror (a rectification): the inquiry is a
        customer's (``contract``), kept for the account's lifetime, so ``expires_at`` and its ``expiry_day``
        go. False when the item is gone."""
        return self._update(
            inquiry_id,
            "SET customer_number = :number, lawful_basis = :basis REMOVE #expires, #day",
            "attribute_exists(#id)",
            {"#id": "inquiry_id", "#expires": "expires_at", "#day": EXPIRY_DAY},
            {":number": {"S": customer_number}, ":basis": {"S": str(LawfulBasis.CONTRACT)}},
        )

    def follow_account(
        self, inquiry_id: str, *, customer_number: str, email: str, key: str, version: str
    ) -> bool:
        """Give a customer's inquiry the account's current address and its subject key (an
        ``AccountEmailChanged``, D61), only while it is still that customer's and no newer account event
        has been applied to it (``identity_version``). False when nothing was written."""
        return self._update(
            inquiry_id,
            "SET #email = :email, subject_key = :key, #version = :version",
            "attribute_exists(#id) AND customer_number = :number"
            " AND (attribute_not_exists(#version) OR #version < :version)",
            {"#id": "inquiry_id", "#email": "email", "#version": IDENTITY_VERSION},
            {
                ":email": {"S": email},
                ":key": {"S": key},
                ":version": {"S": version},
                ":number": {"S": customer_number},
            },
        )

    def keys_by_subject(self, subject_key: str) -> Iterator[str]:
        """Every inquiry id of a subject (GSI ``by_subject``, keys only; eventually consistent)."""
        return self._query_keys("by_subject", "subject_key = :key", {":key": {"S": subject_key}})

    def keys_by_customer(self, customer_number: str) -> Iterator[str]:
        """Every inquiry id of a verified customer (GSI ``by_customer``, sparse, keys only)."""
        return self._query_keys("by_customer", "customer_number = :key", {":key": {"S": customer_number}})

    def keys_expired_on(self, day: str, now: datetime) -> Iterator[str]:
        """Ids whose ``expires_at`` falls on UTC ``day`` and has passed by ``now`` (GSI ``by_expiry_day``).
        The range condition keeps items not yet due from being read at all."""
        return self._query_keys(
            "by_expiry_day",
            f"{EXPIRY_DAY} = :day AND expires_at <= :now",
            {":day": {"S": day}, ":now": {"N": str(int(now.timestamp()))}},
        )

    def keys_pending_on(self, day: str, received_before: datetime) -> Iterator[str]:
        """Ids still ``received`` that came in on UTC ``day`` before ``received_before`` (``by_pending``)."""
        return self._query_keys(
            "by_pending",
            f"{PENDING_DAY} = :day AND received_at < :before",
            {":day": {"S": day}, ":before": {"S": dynamo.iso(received_before)}},
        )

    def _query_keys(
        self, index: str, condition: str, values: dict[str, AttributeValueTypeDef]
    ) -> Iterator[str]:
        """Page through a KEYS_ONLY index, yielding the table's key (nothing personal is read)."""
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        for item in dynamo.query_items(self._client, arguments):
            yield item["inquiry_id"]["S"]

    def _update(
        self,
        inquiry_id: str,
        update: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, AttributeValueTypeDef],
        *,
        raise_stored: bool = False,
    ) -> bool:
        """One conditional UpdateItem of the inquiry: True when written, False when its condition did not
        hold; with ``raise_stored`` a refusal raises ConditionRefused carrying the stored item instead.
        Raises ServiceUnavailable on a storage fault."""
        extra: dict[str, Any] = {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"} if raise_stored else {}

        def write() -> object:
            return self._client().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                **extra,
            )

        if raise_stored:
            dynamo.conditional(write)
            return True
        return dynamo.write_if(write)

    def _stored(self, item: dict[str, Any] | None) -> InquiryRecord | None:
        """The live record of a stored item; None when there is none or it has expired."""
        return self._live(from_item(item)) if item else None

    def _live(self, record: InquiryRecord) -> InquiryRecord | None:
        return None if is_expired(record.expires_at, self._clock()) else record
