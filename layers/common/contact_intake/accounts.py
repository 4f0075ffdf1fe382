"""The accounts mirror: which customer numbers exist, are open, and whose e-mail they belong to.

AccountsTable (``customer_number`` -> ``subject_key``, ``status``, ``version``, ``updated_at``) is fed by
the shop's events (contact_intake.account_events) and read by the intake: one GetItem, only when a number
is given. Only the subject key (the HMAC of the normalised address) is stored, never the address.

This module is on the intake's path, so it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from contact_intake.errors import ServiceUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class AccountStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Account:
    customer_number: str
    status: AccountStatus
    subject_key: str | None  # None once closed


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AccountStore:
    """Reads and writes AccountsTable. Storage faults become ServiceUnavailable."""

    def __init__(self, *, table_name: str, client: Callable[[], DynamoDBClient]) -> None:
        self._table = table_name
        self._client = client

    def get(self, customer_number: str) -> Account | None:
        """The mirrored account, or None. Eventually consistent: the mirror lags the shop anyway."""
        try:
            answer = self._client().get_item(
                TableName=self._table, Key={"customer_number": {"S": customer_number}}
            )
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailable() from exc
        item = answer.get("Item")
        if not item:
            return None
        key = item.get("subject_key")
        return Account(
            customer_number=customer_number,
            status=AccountStatus(item["status"]["S"]),
            subject_key=key["S"] if key else None,
        )

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
        wins. ``expires_at`` is the row's TTL (a closed account's tombstone)."""
        item: dict[str, AttributeValueTypeDef] = {
            "customer_number": {"S": account.customer_number},
            "status": {"S": str(account.status)},
            "version": {"S": version},
            "updated_at": {"S": _iso(updated_at)},
        }
        if account.subject_key is not None:
            item["subject_key"] = {"S": account.subject_key}
        if expires_at is not None:
            item["expires_at"] = {"N": str(expires_at)}
        condition = "attribute_not_exists(customer_number) OR (#version < :version"
        names = {"#version": "version"}
        values: dict[str, AttributeValueTypeDef] = {":version": {"S": version}}
        if not may_replace_closed:
            condition += " AND #status = :open"
            names["#status"] = "status"
            values[":open"] = {"S": str(AccountStatus.OPEN)}
        try:
            self._client().put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression=condition + ")",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise ServiceUnavailable() from exc
        except BotoCoreError as exc:
            raise ServiceUnavailable() from exc
        return True


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
