"""SigV4 verification for the API's AWS_IAM routes (docs/architecture.md §8, a contract).

A request passes when its ``Authorization`` header is an ``AWS4-HMAC-SHA256`` signature by one of the local
access keys (``local``: the DPO; ``local-telephony``: the telephony integration; each its own secret) for
service ``execute-api`` in devstack's region, dated within 5 minutes, over the request as
received (method, path, query, the signed headers and the body). The signature is recomputed with
botocore's own signer and compared in constant time. Presigned URLs (query-string auth) are not accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from devstack.http import HttpRequest
from devstack.settings import (
    LOCAL_ACCESS_KEY,
    LOCAL_SECRET_KEY,
    TELEPHONY_ACCESS_KEY,
    TELEPHONY_SECRET_KEY,
)

SERVICE: Final = "execute-api"
# access key -> secret of every local key pair devstack accepts
LOCAL_KEYS: Final = {LOCAL_ACCESS_KEY: LOCAL_SECRET_KEY, TELEPHONY_ACCESS_KEY: TELEPHONY_SECRET_KEY}
MAX_SKEW: Final = timedelta(minutes=5)
_AUTHORIZATION: Final = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


@dataclass(frozen=True)
class SigV4Verdict:
    ok: bool
    reason: (
        str  # "signed", or why not: missing, malformed, unknown-key, wrong-scope, expired, payload, signature
    )
    access_key: str | None = None  # who signed, when ok


@dataclass(frozen=True)
class _Signature:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def _parse(authorization: str) -> _Signature | None:
    found = _AUTHORIZATION.match(authorization.strip())
    if not found:
        return None
    scope = found["credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return None
    access_key, date, region, service, _ = scope
    signed = tuple(found["signed"].split(";"))
    return _Signature(access_key, date, region, service, signed, found["signature"])


def verify_sigv4(
    request: HttpRequest,
    *,
    region: str,
    now: datetime | None = None,
    keys: Mapping[str, str] = LOCAL_KEYS,
) -> SigV4Verdict:
    """Whether ``request`` carries a valid SigV4 signature by one of ``keys`` (access key -> secret); the
    verdict names the key that signed. Never raises."""
    authorization = request.header("authorization")
    if not authorization:
        return SigV4Verdict(ok=False, reason="missing")
    signature = _parse(authorization)
    if signature is None or "host" not in signature.signed_headers:
        return SigV4Verdict(ok=False, reason="malformed")
    problem = (
        _check_scope(signature, keys, region)
        or _check_date(request, signature, now or datetime.now(UTC))
        or _check_payload(request)
    )
    if problem is None:
        secret = keys[signature.access_key]
        expected = _expected_signature(request, signature, region, signature.access_key, secret)
        problem = None if hmac.compare_digest(expected, signature.signature) else "signature"
    if problem is not None:
        return SigV4Verdict(ok=False, reason=problem)
    return SigV4Verdict(ok=True, reason="signed", access_key=signature.access_key)


def _check_scope(signature: _Signature, keys: Mapping[str, str], region: str) -> str | None:
    if signature.access_key not in keys:
        return "unknown-key"
    if signature.region != region or signature.service != SERVICE:
        return "wrong-scope"
    return None


def _check_payload(request: HttpRequest) -> str | None:
    declared = request.header("x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
        return "payload"
    return None


def _check_date(request: HttpRequest, signature: _Signature, now: datetime) -> str | None:
    amz_date = request.header("x-amz-date") or ""
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "malformed"
    if amz_date[:8] != signature.date or "x-amz-date" not in signature.signed_headers:
        return "malformed"
    if abs(now - signed_at) > MAX_SKEW:
        return "expired"
    return None


def _expected_signature(
    request: HttpRequest, signature: _Signature, region: str, access_key: str, secret_key: str
) -> str:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    wanted = set(signature.signed_headers)
    headers: dict[str, str] = {}
    for key, value in request.headers:  # the signed ones only: botocore signs every header it is given
        if key.lower() in wanted:
            headers[key.lower()] = value
    url = f"http://{request.header('host') or '127.0.0.1'}{request.path}"
    if request.query:
        url += f"?{request.query}"
    aws_request = AWSRequest(method=request.method, url=url, data=request.body, headers=headers)
    aws_request.context["timestamp"] = request.header("x-amz-date")
    signer = SigV4Auth(Credentials(access_key, secret_key), SERVICE, region)
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    return str(signer.signature(string_to_sign, aws_request))
