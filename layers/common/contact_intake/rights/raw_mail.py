"""InboundMailBucket: the raw e-mails SES's receipt rule stored (S3 action, key = prefix + SES message id).

Raw mail is personal data: it is read once to be classified, deleted at once when nobody may be answered
(spam, virus, forged, automatic mail), erased with the person's other data (erasure, by the key the rights
request keeps), and expired by the bucket's lifecycle rule in any case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from contact_intake.core.dynamo import storage_faults

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

# SES receives messages of up to 40 MB (headers and attachments included); a larger object is not a
# mail SES stored, and is not read into memory.
MAX_RAW_MAIL_BYTES = 41 * 1024 * 1024


class RawMailMissing(Exception):
    """No object under the key: the S3 action failed, or the mail was already deleted."""


class RawMailTooLarge(Exception):
    """The object is larger than any mail SES stores."""


class RawMailStore:
    def __init__(self, bucket: str, client: Callable[[], S3Client], prefix: str = "raw/") -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._client = client

    def key_for(self, message_id: str) -> str:
        """Where SES's S3 action put the message with this id."""
        return f"{self.prefix}{message_id}"

    def read(self, key: str) -> bytes:
        """The raw message. Raises RawMailMissing, RawMailTooLarge, or ServiceUnavailable (S3 failed)."""
        with storage_faults():
            try:
                answer = self._client().get_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                    raise RawMailMissing(key) from None
                raise
        body = answer["Body"]
        try:
            if answer.get("ContentLength", 0) > MAX_RAW_MAIL_BYTES:
                raise RawMailTooLarge(key)
            with storage_faults():
                return body.read()
        finally:
            body.close()

    def delete(self, key: str) -> None:
        """Delete one raw message (idempotent: S3 answers a missing key with success)."""
        with storage_faults():
            self._client().delete_object(Bucket=self.bucket, Key=key)
