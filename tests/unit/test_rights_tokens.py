"""Verification tokens: 256 bits from the OS's CSPRNG, stored only as SHA-256, valid seven days, compared in
constant time. (Single use is the store's conditional write: tests/integration/test_rights_service.py.)"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import Any

import pytest

from contact_intake.rights.tokens import hash_token, is_well_formed, issue_token, token_matches
from tests.builders import NOW


def test_a_token_is_256_random_bits_in_url_safe_base64() -> None:
    issued = issue_token(NOW)
    assert len(issued.token) == 43
    raw = base64.urlsafe_b64decode(issued.token + "=")
    assert len(raw) * 8 == 256
    assert is_well_formed(issued.token)
    assert set(issued.token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_tokens_come_from_the_secrets_module() -> None:
    # the default source is secrets.token_urlsafe (os.urandom, a CSPRNG), never the random module
    assert issue_token.__kwdefaults__["random"] is secrets.token_urlsafe
    asked: list[int] = []

    def source(nbytes: int) -> str:
        asked.append(nbytes)
        return "x" * 43

    assert issue_token(NOW, random=source).token == "x" * 43
    assert asked == [32]


def test_tokens_do_not_repeat() -> None:
    issued = {issue_token(NOW).token for _ in range(2000)}
    assert len(issued) == 2000
    # no shared prefix structure either: 2000 tokens spread over (nearly) all 64 first characters
    assert len({token[0] for token in issued}) >= 60


def test_only_the_hash_is_kept_and_it_is_sha256() -> None:
    issued = issue_token(NOW)
    assert issued.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in issued.token_hash
    assert hash_token(issued.token) == issued.token_hash


def test_tokens_live_seven_days() -> None:
    assert issue_token(NOW).expires_at == NOW + timedelta(days=7)
    assert issue_token(NOW, ttl=timedelta(hours=1)).expires_at == NOW + timedelta(hours=1)


def test_matching_uses_a_constant_time_comparison(compare_digest_calls: list[tuple[Any, Any]]) -> None:
    issued = issue_token(NOW)
    assert token_matches(issued.token, issued.token_hash)
    assert not token_matches(issue_token(NOW).token, issued.token_hash)
    assert compare_digest_calls[0] == (issued.token_hash, issued.token_hash)
    assert len(compare_digest_calls) == 2


@pytest.mark.parametrize(
    "token",
    [
        "",
        "short",
        "a" * 42,
        "a" * 44,
        "a" * 42 + "=",
        "a" * 42 + "/",
        "a" * 42 + "+",
        " " + "a" * 42,
        "ä" * 43,
    ],
)
def test_malformed_tokens_are_recognised(token: str) -> None:
    assert not is_well_formed(token)
