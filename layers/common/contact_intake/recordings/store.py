"""The call recordings' storage: the consent ledger (RecordingsTable) and the audio (RecordingsBucket).

RecordingLedger is RecordingsTable through the low-level DynamoDB client. Its items hold no direct personal
data: the person is a subject key (an HMAC), the phone number only as an HMAC too. Reads treat an item whose
``expires_at`` has passed as absent (TTL deletes it days later): so an upload that never arrived leaves no
entry anyone can see once its upload deadline has passed.

AudioStore is the bucket: presigned URLs for exactly one object, and deletion of every version of one.
Storage faults become ServiceUnavailable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from contact_intake.core import dynamo
from contact_intake.core.errors import ServiceUnavailable
from contact_intake.recordings.models import LinkedBy, Purpose, Recording, RecordingStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef
    from mypy_boto3_s3.client import S3Client

BY_SUBJECT = "by_subject"
BY_PHONE = "by_phone"
# status is a DynamoDB reserved word
_NAMES = {"#status": "status"}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def to_item(recording: Recording) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        "recording_id": {"S": recording.recording_id},
        "call_id": {"S": recording.call_id},
        "subject_key": {"S": recording.subject_key},
        "linked_by": {"S": recording.linked_by},
        "consent_at": {"S": dynamo.iso(recording.consent_at)},
        "purposes": {"SS": [str(p) for p in recording.purposes]},
        "status": {"S": str(recording.status)},
        "audio_key": {"S": recording.audio_key},
        "content_type": {"S": recording.content_type},
        "registered_at": {"S": dynamo.iso(recording.registered_at)},
        "expires_at": {"N": str(recording.expires_at)},
    }
    optional: dict[str, AttributeValueTypeDef | None] = {
        "phone_key": {"S": recording.phone_key} if recording.phone_key else None,
        "size_bytes": {"N": str(recording.size_bytes)} if recording.size_bytes is not None else None,
        "withdrawn_via": {"S": recording.withdrawn_via} if recording.withdrawn_via else None,
    }
    moments = {
        "upload_deadline": recording.upload_deadline,
        "stored_at": recording.stored_at,
        "audio_expires_at": recording.audio_expires_at,
        "withdrawn_at": recording.withdrawn_at,
    }
    optional |= {name: {"S": dynamo.iso(moment)} for name, moment in moments.items() if moment}
    item.update({name: value for name, value in optional.items() if value is not None})
    return item


def from_item(item: dict[str, Any]) -> Recording:
    purposes = {Purpose(p) for p in item["purposes"]["SS"]}
    size = item.get("size_bytes")
    return Recording(
        recording_id=item["recording_id"]["S"],
        call_id=item["call_id"]["S"],
        subject_key=item["subject_key"]["S"],
        phone_key=dynamo.text(item, "phone_key"),
        linked_by=item["linked_by"]["S"],
        consent_at=datetime.fromisoformat(item["consent_at"]["S"]),
        purposes=tuple(p for p in Purpose if p in purposes),
        status=RecordingStatus(item["status"]["S"]),
        audio_key=item["audio_key"]["S"],
        content_type=item["content_type"]["S"],
        size_bytes=int(size["N"]) if size else None,
        registered_at=datetime.fromisoformat(item["registered_at"]["S"]),
        expires_at=int(item["expires_at"]["N"]),
        upload_deadline=dynamo.moment(item, "upload_deadline"),
        stored_at=dynamo.moment(item, "stored_at"),
        audio_expires_at=dynamo.moment(item, "audio_expires_at"),
        withdrawn_at=dynamo.moment(item, "withdrawn_at"),
        withdrawn_via=dynamo.text(item, "withdrawn_via"),
    )


class RecordingLedger(dynamo.TableStore):
    """Reads and writes RecordingsTable. Every write is conditional, so a retry or a race never turns a
    withdrawn entry back into a stored one."""

    def put_pending(self, recording: Recording) -> None:
        """Write a new entry; its id is random, so the condition only guards against a collision."""
        try:
            dynamo.put_if_absent(self._client, table=self._table, item=to_item(recording), key="recording_id")
        except dynamo.ConditionRefused as refused:
            raise ServiceUnavailable() from refused  # a collision: the client retries with a new id

    def get(self, recording_id: str, *, now: datetime | None = None) -> Recording | None:
        """The entry (consistent read), or None when there is none or it expired before ``now`` (default:
        the clock)."""
        with dynamo.storage_faults():
            answer = self._client().get_item(
                TableName=self._table, Key={"recording_id": {"S": recording_id}}, ConsistentRead=True
            )
        item = answer.get("Item")
        return self._live(from_item(item), now) if item else None

    def mark_stored(
        self,
        recording_id: str,
        *,
        audio_key: str,
        stored_at: datetime,
        audio_expires_at: datetime,
        expires_at: int,
    ) -> bool:
        """pending_upload -> stored, only while the entry is pending for exactly this object. False (nothing
        written) when it is not (withdrawn meanwhile, or gone)."""
        return dynamo.write_if(
            lambda: self._client().update_item(
                TableName=self._table,
                Key={"recording_id": {"S": recording_id}},
                UpdateExpression="SET #status = :stored, stored_at = :stored_at, "
                "audio_expires_at = :audio_expires_at, expires_at = :expires_at REMOVE upload_deadline",
                ConditionExpression="#status = :pending AND audio_key = :key",
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":stored": {"S": str(RecordingStatus.STORED)},
                    ":pending": {"S": str(RecordingStatus.PENDING_UPLOAD)},
                    ":key": {"S": audio_key},
                    ":stored_at": {"S": dynamo.iso(stored_at)},
                    ":audio_expires_at": {"S": dynamo.iso(audio_expires_at)},
                    ":expires_at": {"N": str(expires_at)},
                },
            )
        )

    def mark_withdrawn(
        self, recording_id: str, *, at: datetime, via: str, proof_until: datetime
    ) -> Recording | None:
        """Any live, not yet withdrawn entry -> withdrawn (at, via; kept until ``proof_until``). The entry as
        it is now; None when there was nothing to change (already withdrawn, absent or expired)."""
        try:
            answer = dynamo.conditional(
                lambda: self._client().update_item(
                    TableName=self._table,
                    Key={"recording_id": {"S": recording_id}},
                    UpdateExpression="SET #status = :withdrawn, withdrawn_at = :at, withdrawn_via = :via, "
                    "expires_at = :proof_until",
                    ConditionExpression="attribute_exists(recording_id) AND #status <> :withdrawn "
                    "AND expires_at > :now",
                    ExpressionAttributeNames=_NAMES,
                    ExpressionAttributeValues={
                        ":withdrawn": {"S": str(RecordingStatus.WITHDRAWN)},
                        ":at": {"S": dynamo.iso(at)},
                        ":via": {"S": via},
                        ":proof_until": {"N": str(_epoch(proof_until))},
                        ":now": {"N": str(_epoch(at))},
                    },
                    ReturnValues="ALL_NEW",
                )
            )
        except dynamo.ConditionRefused:
            return None
        return from_item(cast("dict[str, Any]", answer["Attributes"]))

    def of_subject(self, key: str) -> list[Recording]:
        """Every live entry tied to ``key``: as the person's subject key (GSI by_subject) or as the HMAC of
        the phone they called from (GSI by_phone). Oldest first; eventually consistent (an index)."""
        found: dict[str, Recording] = {}
        now = self._clock()
        for index, attribute in ((BY_SUBJECT, "subject_key"), (BY_PHONE, "phone_key")):
            for item in self._query(index, attribute, key):
                recording = self._live(from_item(item), now)
                if recording is not None:
                    found[recording.recording_id] = recording
        return sorted(found.values(), key=lambda r: (r.registered_at, r.recording_id))

    def follow_account(self, former_key: str, key: str) -> int:
        """Move the entries tied to an account through its former address's key (``linked_by`` customer)
        to the account's current ``key`` (an ``AccountEmailChanged``, docs/decisions.md D61). Entries
        tied by a phone, or already moved, are left alone. Returns how many moved."""
        moved = 0
        for item in list(self._query(BY_SUBJECT, "subject_key", former_key)):
            if item.get("linked_by", {}).get("S") != LinkedBy.CUSTOMER:
                continue
            moved += self._move(item["recording_id"], former_key, key)
        return moved

    def _move(self, recording_key: AttributeValueTypeDef, former_key: str, key: str) -> bool:
        """Tie one entry to ``key`` instead of ``former_key``; False when it is no longer tied to it."""
        return dynamo.write_if(
            lambda: self._client().update_item(
                TableName=self._table,
                Key={"recording_id": recording_key},
                UpdateExpression="SET subject_key = :key",
                ConditionExpression="subject_key = :former AND linked_by = :customer",
                ExpressionAttributeValues={
                    ":key": {"S": key},
                    ":former": {"S": former_key},
                    ":customer": {"S": str(LinkedBy.CUSTOMER)},
                },
            )
        )

    def _query(self, index: str, attribute: str, key: str) -> Iterator[dict[str, Any]]:
        arguments = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": f"{attribute} = :key",
            "ExpressionAttributeValues": {":key": {"S": key}},
        }
        return dynamo.query_items(self._client, arguments)

    def _live(self, recording: Recording, now: datetime | None) -> Recording | None:
        moment = now or self._clock()
        return recording if recording.expires_at > _epoch(moment) else None


class AudioStore:
    """RecordingsBucket: presigned URLs for one object each, and deletion of an object's every version.

    ``presigner`` signs URLs (Clients.s3_presigner); the URLs carry the function role's authority, so the
    role is what limits them too (s3:PutObject and s3:GetObject under the retention prefixes only).
    """

    def __init__(
        self, *, bucket: str, client: Callable[[], S3Client], presigner: Callable[[], S3Client]
    ) -> None:
        self.bucket = bucket
        self._client = client
        self._presigner = presigner

    def upload_url(self, key: str, *, content_type: str, size_bytes: int | None, lifetime: timedelta) -> str:
        """A presigned PUT for exactly ``key``: the path is signed, and so are the Content-Type header, the
        ``If-None-Match: *`` header (a conditional write: S3 answers 412 Precondition Failed when the object
        exists, so a second PUT to the same URL can never replace the first audio) and, when the size is
        known, the Content-Length header; S3 refuses a request that differs in any of them or leaves one out
        (SignatureDoesNotMatch) or comes after ``lifetime``. RecordingsBucketPolicy denies every PutObject
        without If-None-Match as well (docs/decisions.md, D66)."""
        params: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "ContentType": content_type,
            "IfNoneMatch": "*",
        }
        if size_bytes is not None:
            params["ContentLength"] = size_bytes
        return self._presign("put_object", params, lifetime)

    def download_url(self, key: str, *, lifetime: timedelta) -> str:
        """A presigned GET of ``key`` for ``lifetime`` (at most as long as the signing credentials live)."""
        return self._presign("get_object", {"Bucket": self.bucket, "Key": key}, lifetime)

    def delete(self, key: str) -> int:
        """Delete every version and delete marker of ``key`` (all of them when the bucket is versioned; the
        one ``null`` version when it is not). The number removed; 0 when there was nothing."""
        removed = 0
        for version_id in self._versions(key):
            with dynamo.storage_faults():
                self._client().delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
            removed += 1
        return removed

    def _versions(self, key: str) -> list[str]:
        versions: list[str] = []
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": key}
        while True:
            with dynamo.storage_faults():
                page = self._client().list_object_versions(**arguments)
            entries = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            # the prefix also matches longer keys
            versions.extend(str(e.get("VersionId") or "null") for e in entries if e.get("Key") == key)
            if not page.get("IsTruncated"):
                return versions
            arguments["KeyMarker"] = page.get("NextKeyMarker")
            arguments["VersionIdMarker"] = page.get("NextVersionIdMarker")

    def _presign(self, operation: str, params: dict[str, Any], lifetime: timedelta) -> str:
        with dynamo.storage_faults():
            return str(
                self._presigner().generate_presigned_url(
                    operation, Params=params, ExpiresIn=int(lifetime.total_seconds())
                )
            )
