"""The accounts mirror: which customer numbers exist, are open, and whose e-mail they belong to.

AccountsTable (``customer_number`` -> ``subject_key``, ``status``, ``version``, ``updated_at``) is fed by
the shop's events (retention/account_events.py) and read by the intake: one GetItem, only when a number
is given. Only the subject key (the HMAC of the normalised address) is stored, never the address.

This module is on the intake's path, so it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from contact_intake.core.dynamo import iso, query_items, storage_faults, write_if
from contact_intake.core.errors import ServiceUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


_WRITE_ATTEMPTS = 3  # reads and conditional puts per event before the storage counts as unavailable


class AccountStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Account:
    customer_number: str
    status: AccountStatus
    subject_key: str | None  # None once closed
    version: str | None = (
        None  # as stored: the event that wrote the row (contact_intake.retention.account_events)
    )
    # the keys of the account's earlier addresses (HMACs): the recordings tied to them follow the account
    former_subject_keys: frozenset[str] = frozenset()


# The sparse index of tombstones by the UTC day of the closure (template.yaml ``by_closed_day``): the
# sweeper's reconciliation finds recent closures through it without a scan (docs/decisions.md D63).
CLOSED_DAY = "closed_day"


class AccountStore:
    """Reads and writes AccountsTable. Storage faults become ServiceUnavailable."""

    def __init__(self, *, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def get(self, customer_number: str, *, consistent: bool = False) -> Account | None:
        """The mirrored account, or None. Eventually consistent unless ``consistent`` (the forwarder, the
        sweeper and the event handler decide on what is stored now)."""
        with storage_faults():
            answer = self._client().get_item(
                TableName=self._table,
                Key={"customer_number": {"S": customer_number}},
                ConsistentRead=consistent,
            )
        item = answer.get("Item")
        if not item:
            return None
        key = item.get("subject_key")
        version = item.get("version")
        return Account(
            customer_number=customer_number,
            status=AccountStatus(item["status"]["S"]),
            subject_key=key["S"] if key else None,
            version=version["S"] if version else None,
            former_subject_keys=frozenset(item.get("former_subject_keys", {}).get("SS", [])),
        )

    def closed_on(self, day: str) -> Iterator[str]:
        """Customer numbers of the accounts closed on UTC ``day`` (GSI ``by_closed_day``, keys only)."""
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "by_closed_day",
            "KeyConditionExpression": "#day = :day",
            "ExpressionAttributeNames": {"#day": CLOSED_DAY},
            "ExpressionAttributeValues": {":day": {"S": day}},
        }
        for item in query_items(self._client, arguments):
            yield item["customer_number"]["S"]

    def put_if_newer(
        self,
        account: Account,
        *,
        version: str,
        updated_at: datetime,
        may_replace_closed: bool,
        expires_at: int | None,
    ) -> bool:
        """Write ``account`` when no row is stored or the stored ``version`` is older; unless
        ``may_replace_closed``, a closed row stays closed. False (nothing written) when the stored row
        wins. ``expires_at`` is the row's TTL (a closed account's tombstone).

        An open row keeps the keys of the addresses it had before (``former_subject_keys``); a tombstone
        keeps no key and carries ``closed_day``. Read, then a put conditional on the version read, so two
        events never lose each other's former keys; a lost race is read and decided again."""
        for _ in range(_WRITE_ATTEMPTS):
            stored = self.get(account.customer_number, consistent=True)
            if stored is not None and not (stored.version is None or stored.version < version):
                return False
            if stored is not None and stored.status is AccountStatus.CLOSED and not may_replace_closed:
                return False
            if self._put(account, stored, version=version, updated_at=updated_at, expires_at=expires_at):
                return True
        raise ServiceUnavailable()

    def _put(
        self,
        account: Account,
        stored: Account | None,
        *,
        version: str,
        updated_at: datetime,
        expires_at: int | None,
    ) -> bool:
        item: dict[str, AttributeValueTypeDef] = {
            "customer_number": {"S": account.customer_number},
            "status": {"S": str(account.status)},
            "version": {"S": version},
            "updated_at": {"S": iso(updated_at)},
        }
        if account.subject_key is not None:
            item["subject_key"] = {"S": account.subject_key}
            former = _former_keys(account.subject_key, stored)
            if former:
                item["former_subject_keys"] = {"SS": sorted(former)}
        if account.status is AccountStatus.CLOSED:
            item[CLOSED_DAY] = {"S": updated_at.astimezone(UTC).strftime("%Y-%m-%d")}
        if expires_at is not None:
            item["expires_at"] = {"N": str(expires_at)}
        arguments: dict[str, Any] = {"TableName": self._table, "Item": item}
        if stored is None:
            arguments["ConditionExpression"] = "attribute_not_exists(customer_number)"
        elif stored.version is None:
            arguments["ConditionExpression"] = "attribute_not_exists(#version)"
            arguments["ExpressionAttributeNames"] = {"#version": "version"}
        else:
            arguments["ConditionExpression"] = "#version = :seen"
            arguments["ExpressionAttributeNames"] = {"#version": "version"}
            arguments["ExpressionAttributeValues"] = {":seen": {"S": stored.version}}
        return write_if(lambda: self._client().put_item(**arguments))  # False: changed since the read


def _former_keys(new_key: str, stored: Account | None) -> set[str]:
    """The keys an open account had before ``new_key``: a tombstone's history ends with the closure."""
    if stored is None or stored.status is not AccountStatus.OPEN:
        return set()
    former = set(stored.former_subject_keys)
    if stored.subject_key:
        former.add(stored.subject_key)
    former.discard(new_key)
    return former


class CustomerCheck(Protocol):
    """The accounts mirror's check as the intake service and the rights worker see it (AccountVerifier)."""

    def is_verified(self, customer_number: str, subject: str) -> bool: ...


class AccountVerifier:
    """The intake's check: a customer number counts only for its own, open account."""

    def __init__(self, accounts: AccountStore) -> None:
        self._accounts = accounts

    def is_verified(self, customer_number: str, subject: str) -> bool:
        """True when the account exists, is open, and its address's subject key is ``subject`` (so the
        address comparison is normalised and case-insensitive by construction). Raises
        ServiceUnavailable when the mirror cannot be read."""
        account = self._accounts.get(customer_number)
        return (
            account is not None
            and account.status is AccountStatus.OPEN
            and account.subject_key is not None
            and account.subject_key == subject
        )
