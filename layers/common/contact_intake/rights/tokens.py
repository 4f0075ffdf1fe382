"""Verification tokens: proof of mailbox control (docs/architecture.md §7).

A token is 256 random bits from the operating system's CSPRNG (``secrets``), URL-safe base64 (43
characters). Only its SHA-256 is stored: a copy of the table cannot be used to verify anything. A token
is good for seven days and once: the store consumes it with a conditional write.

SHA-256 without a key is enough here: the input is 256 random bits, so there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

TOKEN_BYTES: Final = 32  # 256 bits
TOKEN_TTL: Final = timedelta(days=7)
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, no padding
_WELL_FORMED: Final = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class IssuedToken:
    """A fresh token: ``token`` goes into the link (and nowhere else), ``token_hash`` into the table."""

    token: str
    token_hash: str
    expires_at: datetime


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    now: datetime, *, ttl: timedelta = TOKEN_TTL, random: Callable[[int], str] = secrets.token_urlsafe
) -> IssuedToken:
    """A new single-use token valid for ``ttl`` from ``now``."""
    token = random(TOKEN_BYTES)
    return IssuedToken(token=token, token_hash=hash_token(token), expires_at=now + ttl)


def is_well_formed(token: str) -> bool:
    """Whether ``token`` could be one of ours (a cheap check before any lookup)."""
    return bool(_WELL_FORMED.match(token))


def token_matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` is the one whose hash is stored, compared in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)
