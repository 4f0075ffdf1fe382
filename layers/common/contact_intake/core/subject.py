"""The subject key: who a record is about, as an HMAC that only this system can compute.

Tables, logs and the erasure ledger carry this key instead of an e-mail address. Every address is first
brought to one canonical form (``normalise_email``), so every spelling of one mailbox gives one key and
every table stores the same spelling (docs/decisions.md D60).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
import uuid

import idna


class InvalidAddress(ValueError):
    """An address whose domain has no IDNA A-label form under UTS #46. The message never quotes it."""

    def __init__(self) -> None:
        super().__init__("the domain is not a valid (internationalised) domain name")


def canonical_domain(domain: str) -> str:
    """The domain as lower-case ASCII: an internationalised one as its A-label form (``xn--``) under UTS #46
    (which also maps case, full-width and other compatibility forms). Raises InvalidAddress."""
    if domain.isascii() and "xn--" not in domain.lower():
        return domain.lower()  # what UTS #46 gives an ASCII name; no second check of what the form checked
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except UnicodeError:  # idna.IDNAError and the codec's own errors
        raise InvalidAddress() from None


def normalise_email(email: str) -> str:
    """The canonical form of an address, stored and hashed everywhere: NFC, trimmed, the local part
    lower-cased (the whole address is compared case-insensitively, a contract), the domain as its IDNA
    A-label. Idempotent. Raises InvalidAddress when the domain fails UTS #46."""
    text = unicodedata.normalize("NFC", email).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text.lower()
    return f"{local.lower()}@{canonical_domain(domain)}"


def subject_key(email: str, pepper: bytes) -> str:
    """HMAC-SHA256 hex of the canonical address under the secret pepper. Raises InvalidAddress."""
    return hmac.new(pepper, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_subject_key(email: str, pepper: bytes) -> str:
    """The key as it was computed before D60 (NFC, trimmed, lower-cased; the domain as given): only the
    migration (tools.canonicalise_addresses) uses it, to find rows keyed that way."""
    legacy = unicodedata.normalize("NFC", email).strip().lower()
    return hmac.new(pepper, legacy.encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_digest(pepper: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 hex of ``value`` for one ``purpose`` (separate domains never collide)."""
    return hmac.new(pepper, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def inquiry_id_for_key(idempotency_key: str, pepper: bytes) -> str:
    """The inquiry id a client's Idempotency-Key stands for: stable, unguessable without the pepper."""
    digest = bytes.fromhex(keyed_digest(pepper, "idempotency-key", idempotency_key))
    return str(uuid.UUID(bytes=digest[:16], version=4))
