"""The subject key: who a record is about, as an HMAC that only this system can compute.

Tables, logs and the erasure ledger carry this key instead of an e-mail address.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
import uuid


def normalise_email(email: str) -> str:
    """Canonical form of an address for matching: NFC, trimmed, lower-cased (local part included)."""
    return unicodedata.normalize("NFC", email).strip().lower()


def subject_key(email: str, pepper: bytes) -> str:
    """HMAC-SHA256 hex of the normalised address under the secret pepper."""
    return hmac.new(pepper, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_digest(pepper: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 hex of ``value`` for one ``purpose`` (separate domains never collide)."""
    return hmac.new(pepper, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def inquiry_id_for_key(idempotency_key: str, pepper: bytes) -> str:
    """The inquiry id a client's Idempotency-Key stands for: stable, unguessable without the pepper."""
    digest = bytes.fromhex(keyed_digest(pepper, "idempotency-key", idempotency_key))
    return str(uuid.UUID(bytes=digest[:16], version=4))
