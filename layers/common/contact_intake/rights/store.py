"""RightsRequestsTable through the low-level DynamoDB client (docs/architecture.md §3).

Every state change is one conditional UpdateItem: it checks the status it starts from, sets the new
state and appends to the audit trail (``list_append``) in the same write, so a state and its audit entry
never part. The audit trail is append-only: this module has no way to rewrite or shorten it.

Indexes: ``by_status`` (status + due_at, with the non-personal fields the DPO's list shows),
``by_subject`` (subject_key + received_at, keys only: erasure finds a person's requests and raw mails),
``by_token_hash`` (keys only: the verification link). Reads treat an item past its ``expires_at`` as
absent; DynamoDB's TTL deletes it days later.

Reads also treat a request still ``awaiting_verification`` whose link has run out as ``expired`` (the
status it is given by ``expire_unverified``, run by the sweeper every hour): the DPO's list and one
request's view never show an unconfirmed request as open once its link is dead, whether or not the
periodic pass has written that yet (docs/decisions.md, D47).
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from contact_intake.core import dynamo
from contact_intake.core.retention import is_expired
from contact_intake.rights.errors import RequestNotFound, TokenGone, TransitionRefused
from contact_intake.rights.models import (
    AuditEntry,
    Channel,
    RequestStatus,
    RightsRequest,
    RightType,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

Item = dict[str, "AttributeValueTypeDef"]

BY_STATUS = "by_status"
BY_SUBJECT = "by_subject"
BY_TOKEN_HASH = "by_token_hash"  # noqa: S105 - an index name
# What by_status projects besides the keys (request_id, status, due_at): nothing personal.
STATUS_INDEX_FIELDS = ("type", "channel", "received_at", "extended_due_at", "expires_at")


def attr(value: str | bool | int | datetime | Sequence[str] | Mapping[str, str]) -> AttributeValueTypeDef:
    """A Python value as a DynamoDB attribute value (for ``RightsRequestStore.update``'s ``set_fields``)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, datetime):
        return {"S": dynamo.iso(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Mapping):
        return {"M": {key: {"S": str(text)} for key, text in value.items()}}
    return {"L": [{"S": str(text)} for text in value]}


def audit_item(entry: AuditEntry) -> AttributeValueTypeDef:
    return {
        "M": {
            "at": {"S": dynamo.iso(entry.at)},
            "actor": {"S": entry.actor},
            "action": {"S": entry.action},
            "counts": {"M": {key: {"N": str(int(count))} for key, count in entry.counts.items()}},
        }
    }


def to_item(request: RightsRequest) -> Item:
    """The DynamoDB item of a request. Optional attributes are left out, never written empty."""
    item: Item = {
        "request_id": {"S": request.request_id},
        "type": {"S": str(request.type)},
        "subject_key": {"S": request.subject_key},
        "channel": {"S": str(request.channel)},
        "status": {"S": str(request.status)},
        "received_at": {"S": dynamo.iso(request.received_at)},
        "due_at": {"S": dynamo.iso(request.due_at)},
        "locale": {"S": request.locale},
        "email": {"S": request.email},
        "expires_at": {"N": str(request.expires_at)},
        "audit": {"L": [audit_item(entry) for entry in request.audit]},
    }
    optional: dict[str, str | bool | datetime | None] = {
        "extended_due_at": request.extended_due_at,
        "extension_reason": request.extension_reason,
        "token_hash": request.token_hash,
        "token_expires_at": request.token_expires_at,
        "token_used_at": request.token_used_at,
        "acknowledged_at": request.acknowledged_at,
        "verified_at": request.verified_at,
        "raw_mail_key": request.raw_mail_key,
        "objection_upheld": request.objection_upheld,
        "objection_grounds": request.objection_grounds,
        "restriction_lifted_at": request.restriction_lifted_at,
        "completed_at": request.completed_at,
    }
    for name, value in optional.items():
        if value is not None:
            item[name] = attr(value)
    if request.corrections:
        item["corrections"] = attr(request.corrections)
    if request.rejection_reasons:
        item["rejection_reasons"] = attr(request.rejection_reasons)
    return item


def _audit_entry(value: Mapping[str, Any]) -> AuditEntry:
    fields = value["M"]
    return AuditEntry(
        at=datetime.fromisoformat(fields["at"]["S"]),
        actor=fields["actor"]["S"],
        action=fields["action"]["S"],
        counts={key: int(count["N"]) for key, count in fields.get("counts", {}).get("M", {}).items()},
    )


def from_item(item: Mapping[str, Any]) -> RightsRequest:
    """The request of a DynamoDB item (as the low-level client returns it)."""
    upheld = item.get("objection_upheld")
    return RightsRequest(
        request_id=item["request_id"]["S"],
        type=RightType(item["type"]["S"]),
        subject_key=item["subject_key"]["S"],
        channel=Channel(item["channel"]["S"]),
        status=RequestStatus(item["status"]["S"]),
        received_at=datetime.fromisoformat(item["received_at"]["S"]),
        due_at=datetime.fromisoformat(item["due_at"]["S"]),
        locale=item["locale"]["S"],
        email=item["email"]["S"],
        expires_at=int(item["expires_at"]["N"]),
        extended_due_at=dynamo.moment(item, "extended_due_at"),
        extension_reason=dynamo.text(item, "extension_reason"),
        token_hash=dynamo.text(item, "token_hash"),
        token_expires_at=dynamo.moment(item, "token_expires_at"),
        token_used_at=dynamo.moment(item, "token_used_at"),
        acknowledged_at=dynamo.moment(item, "acknowledged_at"),
        verified_at=dynamo.moment(item, "verified_at"),
        raw_mail_key=dynamo.text(item, "raw_mail_key"),
        corrections={k: v["S"] for k, v in item.get("corrections", {}).get("M", {}).items()},
        rejection_reasons=[v["S"] for v in item.get("rejection_reasons", {}).get("L", [])],
        objection_upheld=bool(upheld["BOOL"]) if upheld else None,
        objection_grounds=dynamo.text(item, "objection_grounds"),
        restriction_lifted_at=dynamo.moment(item, "restriction_lifted_at"),
        completed_at=dynamo.moment(item, "completed_at"),
        audit=[_audit_entry(entry) for entry in item.get("audit", {}).get("L", [])],
    )


@dataclass(frozen=True)
class RequestSummary:
    """A line of the DPO's list: what ``by_status`` projects, nothing personal."""

    request_id: str
    type: RightType
    status: RequestStatus
    channel: Channel
    received_at: datetime
    due_at: datetime
    extended_due_at: datetime | None

    @property
    def effective_due_at(self) -> datetime:
        return self.extended_due_at or self.due_at


class RequestExists(Exception):
    """``create`` found the id taken; ``existing`` is the stored request (None when it has expired)."""

    def __init__(self, existing: RightsRequest | None) -> None:
        super().__init__("request id already taken")
        self.existing = existing


class RightsRequestStore(dynamo.TableStore):
    """Reads and writes RightsRequestsTable. Storage faults become ServiceUnavailable (503)."""

    # ---------------------------------------------------------------- items

    def create(self, request: RightsRequest) -> None:
        """Store a new request; raise RequestExists (with the stored one) when the id is taken."""
        try:
            dynamo.put_if_absent(
                self._client, table=self._table, item=to_item(request), key="request_id", return_stored=True
            )
        except dynamo.ConditionRefused as refused:
            raise RequestExists(self._live(from_item(refused.item)) if refused.item else None) from None

    def get(self, request_id: str) -> RightsRequest | None:
        """The live request with this id (consistent read), or None (absent or past its expires_at)."""
        with dynamo.storage_faults():
            answer = self._client().get_item(
                TableName=self._table, Key={"request_id": {"S": request_id}}, ConsistentRead=True
            )
        item = answer.get("Item")
        return self._live(from_item(item)) if item else None

    def require(self, request_id: str) -> RightsRequest:
        """``get``, or RequestNotFound (404)."""
        request = self.get(request_id)
        if request is None:
            raise RequestNotFound()
        return request

    def delete(self, request_id: str) -> None:
        """Delete the item (idempotent): a request whose creation could not be completed, or an erasure."""
        with dynamo.storage_faults():
            self._client().delete_item(TableName=self._table, Key={"request_id": {"S": request_id}})

    # ---------------------------------------------------------------- verification tokens

    def request_id_for_token(self, token_hash: str) -> str | None:
        """The request a token hash belongs to (``by_token_hash``, keys only), or None."""
        for request_id in self._query_keys(BY_TOKEN_HASH, "token_hash = :hash", {":hash": {"S": token_hash}}):
            return request_id
        return None

    def consume_token(
        self,
        request_id: str,
        token_hash: str,
        *,
        now: datetime,
        audit: AuditEntry,
        right: RightType | None = None,
    ) -> RightsRequest:
        """Use a verification token, once: ``status`` becomes verified (and ``type`` the ``right`` the
        person chose, when given) in the same write that checks the token is this request's, unexpired
        and unused. Of two concurrent posts exactly one succeeds.

        Raises TokenGone (``used``, ``expired`` or ``unknown``, with the request's locale when known).
        """
        fields: dict[str, AttributeValueTypeDef] = {
            "status": attr(str(RequestStatus.VERIFIED)),
            "verified_at": attr(now),
            "token_used_at": attr(now),
        }
        if right is not None:
            fields["type"] = attr(str(right))
        try:
            return self.update(
                request_id,
                expect=(RequestStatus.AWAITING_VERIFICATION,),
                set_fields=fields,
                audit=(audit,),
                condition="token_hash = :hash AND token_expires_at > :now"
                " AND attribute_not_exists(token_used_at)",
                values={":hash": {"S": token_hash}, ":now": {"S": dynamo.iso(now)}},
            )
        except TransitionRefused as refused:
            raise _token_gone(refused.current, token_hash) from None
        except RequestNotFound:
            raise TokenGone("unknown") from None

    def restore_token(self, request_id: str, *, audit: AuditEntry) -> None:
        """Undo ``consume_token`` (the request could not be queued): awaiting verification again, so the
        same link works once more. Only while nothing else has happened to it."""
        self.update(
            request_id,
            expect=(RequestStatus.VERIFIED,),
            set_fields={"status": attr(str(RequestStatus.AWAITING_VERIFICATION))},
            remove=("verified_at", "token_used_at"),
            audit=(audit,),
            condition="attribute_exists(token_used_at)",
        )

    def reissue_token(
        self, request_id: str, token_hash: str, expires_at: datetime, *, audit: AuditEntry
    ) -> RightsRequest:
        """Replace the token of a request whose acknowledgement was never sent (a retried receive)."""
        return self.update(
            request_id,
            expect=(RequestStatus.AWAITING_VERIFICATION,),
            set_fields={"token_hash": attr(token_hash), "token_expires_at": attr(expires_at)},
            audit=(audit,),
            condition="attribute_not_exists(acknowledged_at)",
        )

    def replace_token(
        self,
        request_id: str,
        old_hash: str,
        new_hash: str,
        expires_at: datetime,
        *,
        now: datetime,
        audit: AuditEntry,
    ) -> RightsRequest:
        """A fresh link for an unconfirmed request (the DPO's resend): the new hash and expiry replace the
        old in one write that checks the old token is still live, so the old link dies at once.
        Raises TransitionRefused (confirmed, closed, or its link has run out: ``.current`` says) or
        RequestNotFound."""
        return self.update(
            request_id,
            expect=(RequestStatus.AWAITING_VERIFICATION,),
            set_fields={"token_hash": attr(new_hash), "token_expires_at": attr(expires_at)},
            audit=(audit,),
            condition="token_hash = :old_hash AND token_expires_at > :now"
            " AND attribute_not_exists(token_used_at)",
            values={":old_hash": {"S": old_hash}, ":now": {"S": dynamo.iso(now)}},
        )

    def expire_unverified(self, *, now: datetime, audit: AuditEntry) -> int:
        """The periodic pass: every request still awaiting verification whose link has run out becomes
        ``expired`` (terminal; nothing is mailed), with ``audit``, in one conditional write each. Returns
        how many were expired. A request confirmed or resent meanwhile fails the condition and is left."""
        expired = 0
        for request_id in list(
            self._query_keys(
                BY_STATUS,
                "#status = :status",
                _status_values(RequestStatus.AWAITING_VERIFICATION),
                {"#status": "status"},
            )
        ):
            try:
                self.update(
                    request_id,
                    expect=(RequestStatus.AWAITING_VERIFICATION,),
                    set_fields={"status": attr(str(RequestStatus.EXPIRED))},
                    audit=(audit,),
                    condition="token_expires_at <= :now",
                    values={":now": {"S": dynamo.iso(now)}},
                )
            except (TransitionRefused, RequestNotFound):
                continue
            expired += 1
        return expired

    # ---------------------------------------------------------------- state changes

    def transition(
        self,
        request_id: str,
        *,
        expect: Collection[RequestStatus],
        to: RequestStatus,
        audit: Sequence[AuditEntry],
        set_fields: Mapping[str, AttributeValueTypeDef] | None = None,
    ) -> RightsRequest:
        """Move a request from one of the ``expect``ed statuses to ``to``, recording ``audit`` and
        ``set_fields`` in the same write. Raises TransitionRefused (another status) or RequestNotFound."""
        return self.update(
            request_id,
            expect=expect,
            set_fields={**(set_fields or {}), "status": attr(str(to))},
            audit=audit,
        )

    def append_audit(self, request_id: str, *entries: AuditEntry) -> None:
        """Append to a live request's audit trail, whatever its status."""
        self.update(request_id, expect=(), audit=entries)

    def update(
        self,
        request_id: str,
        *,
        expect: Collection[RequestStatus],
        audit: Sequence[AuditEntry],
        set_fields: Mapping[str, AttributeValueTypeDef] | None = None,
        remove: Iterable[str] = (),
        condition: str | None = None,
        values: Mapping[str, AttributeValueTypeDef] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> RightsRequest:
        """The one conditional UpdateItem behind every change: the item exists and is live, its status is
        one of ``expect`` (any when empty), and ``condition`` (over ``names`` placeholders, e.g. for the
        reserved word ``type``, or plain attribute names, and ``values``) holds. Sets ``set_fields``,
        removes ``remove``, appends ``audit``. Returns the updated request.

        Raises RequestNotFound (absent or expired), TransitionRefused (with ``.current``) or
        ServiceUnavailable.
        """
        now = self._clock()
        placeholders: dict[str, str] = {"#id": "request_id", "#expires": "expires_at", "#audit": "audit"}
        placeholders.update(names or {})
        expression_values: dict[str, AttributeValueTypeDef] = {
            ":now_epoch": {"N": str(int(now.timestamp()))},
            ":empty": {"L": []},
            ":entries": {"L": [audit_item(entry) for entry in audit]},
            **(values or {}),
        }
        assignments = ["#audit = list_append(if_not_exists(#audit, :empty), :entries)"]
        for index, (name, value) in enumerate((set_fields or {}).items()):
            placeholders[f"#s{index}"] = name
            expression_values[f":s{index}"] = value
            assignments.append(f"#s{index} = :s{index}")
        removals = []
        for index, name in enumerate(remove):
            placeholders[f"#r{index}"] = name
            removals.append(f"#r{index}")
        update = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
        conditions = ["attribute_exists(#id)", "#expires > :now_epoch"]
        if expect:
            placeholders["#status"] = "status"
            expected = []
            for index, status in enumerate(expect):
                expression_values[f":e{index}"] = {"S": str(status)}
                expected.append(f":e{index}")
            conditions.append(f"#status IN ({', '.join(expected)})")
        if condition:
            conditions.append(f"({condition})")
        try:
            answer = dynamo.conditional(
                lambda: self._client().update_item(
                    TableName=self._table,
                    Key={"request_id": {"S": request_id}},
                    UpdateExpression=update,
                    ConditionExpression=" AND ".join(conditions),
                    ExpressionAttributeNames=placeholders,
                    ExpressionAttributeValues=expression_values,
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            )
        except dynamo.ConditionRefused as refused:
            current = self._live(from_item(refused.item)) if refused.item else None
            if current is None:
                raise RequestNotFound() from None
            raise TransitionRefused(
                f"status_{current.status}",
                f"The request is {current.status}: this action is not possible now.",
                current=current,
            ) from None
        return from_item(answer["Attributes"])

    # ---------------------------------------------------------------- lists

    def list_by_status(self, status: RequestStatus) -> list[RequestSummary]:
        """Every live request in ``status``, earliest due first (``by_status``: nothing personal read).

        A request stored as awaiting verification whose link has run out is listed as ``expired``, not
        as awaiting (the index does not hold the link's expiry: one keyed read each tells)."""
        now = self._clock()
        summaries = []
        queried = (
            (RequestStatus.EXPIRED, RequestStatus.AWAITING_VERIFICATION)
            if status is RequestStatus.EXPIRED
            else (status,)
        )
        for each in queried:
            for item in self._query(
                BY_STATUS, "#status = :status", _status_values(each), {"#status": "status"}
            ):
                if is_expired(int(item["expires_at"]["N"]) if "expires_at" in item else None, now):
                    continue
                stored = RequestStatus(item["status"]["S"])
                shown = stored
                if stored is RequestStatus.AWAITING_VERIFICATION and self._link_ran_out(
                    item["request_id"]["S"], now
                ):
                    shown = RequestStatus.EXPIRED
                if shown is not status:
                    continue
                summaries.append(
                    RequestSummary(
                        request_id=item["request_id"]["S"],
                        type=RightType(item["type"]["S"]),
                        status=shown,
                        channel=Channel(item["channel"]["S"]),
                        received_at=datetime.fromisoformat(item["received_at"]["S"]),
                        due_at=datetime.fromisoformat(item["due_at"]["S"]),
                        extended_due_at=dynamo.moment(item, "extended_due_at"),
                    )
                )
        summaries.sort(key=lambda s: (s.due_at, s.request_id))
        return summaries

    def _link_ran_out(self, request_id: str, now: datetime) -> bool:
        """Whether an awaiting request's link has run out (a consistent read of its expiry alone)."""
        with dynamo.storage_faults():
            answer = self._client().get_item(
                TableName=self._table,
                Key={"request_id": {"S": request_id}},
                ConsistentRead=True,
                ProjectionExpression="token_expires_at",
            )
        expiry = dynamo.moment(answer.get("Item") or {}, "token_expires_at")
        return expiry is not None and expiry <= now

    def keys_by_subject(self, subject_key: str) -> Iterator[str]:
        """Every request id of a subject (``by_subject``, keys only; eventually consistent): erasure finds
        the person's requests and, through their ``raw_mail_key``, their raw mails."""
        return self._query_keys(BY_SUBJECT, "subject_key = :key", {":key": {"S": subject_key}})

    def _query_keys(
        self,
        index: str,
        condition: str,
        values: dict[str, AttributeValueTypeDef],
        names: dict[str, str] | None = None,
    ) -> Iterator[str]:
        for item in self._query(index, condition, values, names):
            yield item["request_id"]["S"]

    def _query(
        self,
        index: str,
        condition: str,
        values: dict[str, AttributeValueTypeDef],
        names: dict[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        if names:
            arguments["ExpressionAttributeNames"] = names
        return dynamo.query_items(self._client, arguments)

    def _live(self, request: RightsRequest) -> RightsRequest | None:
        """None past the record's ``expires_at``; an awaiting request whose link ran out reads as expired."""
        now = self._clock()
        if is_expired(request.expires_at, now):
            return None
        if link_ran_out(request, now):
            return replace(request, status=RequestStatus.EXPIRED)
        return request


def link_ran_out(request: RightsRequest, now: datetime) -> bool:
    """Whether ``request`` is still stored as awaiting verification although its link has run out."""
    return (
        request.status is RequestStatus.AWAITING_VERIFICATION
        and request.token_expires_at is not None
        and request.token_expires_at <= now
    )


def _status_values(status: RequestStatus) -> dict[str, AttributeValueTypeDef]:
    return {":status": {"S": str(status)}}


def _token_gone(current: RightsRequest | None, token_hash: str) -> TokenGone:
    """Why a token did not verify: not this request's (``unknown``), ``used``, or ``expired``."""
    if current is None or not hmac.compare_digest(current.token_hash or "", token_hash):
        return TokenGone("unknown")
    if current.token_used_at is not None or current.status not in {
        RequestStatus.AWAITING_VERIFICATION,
        RequestStatus.EXPIRED,
    }:
        return TokenGone("used", current.locale)
    return TokenGone("expired", current.locale)
