"""S3's check of a presigned request (SigV4 query-string authentication), written from AWS's documentation.

moto accepts any request to a presigned URL: it checks neither the signature nor the expiry (moto 5.2,
``S3Response._invalid_headers`` only compares Content-Type given in the *query*, which SigV4 never puts
there). So the tests exercise the URL against moto (the right upload lands) and ask this function whether
S3 would have taken the request at all. It is an independent implementation, not botocore's signer, so an
error in how the code asks botocore to sign cannot cancel out here.

https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlsplit


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def s3_refusal(
    method: str, url: str, headers: Mapping[str, str], *, secret_key: str, now: datetime
) -> str | None:
    """None when S3 would accept ``method url`` sent with ``headers``; otherwise its reason: ``expired``,
    ``unsigned-header`` (an x-amz-* header outside SignedHeaders), ``missing-header`` or ``signature``.

    ``headers`` are the ones the client sends (Content-Length included: an HTTP client always sends it);
    ``host`` comes from the URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = dict(query)
    amz_date = params["X-Amz-Date"]
    signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if now > signed_at + timedelta(seconds=int(params["X-Amz-Expires"])):
        return "expired"
    _, date, region, service, _terminal = params["X-Amz-Credential"].split("/")
    signed_headers = params["X-Amz-SignedHeaders"].split(";")
    sent = {name.lower(): value for name, value in headers.items()}
    sent["host"] = parts.netloc
    if any(name.startswith("x-amz-") and name not in signed_headers for name in sent):
        return "unsigned-header"
    if any(name not in sent for name in signed_headers):
        return "missing-header"
    canonical_headers = "".join(f"{name}:{' '.join(sent[name].split())}\n" for name in signed_headers)
    canonical_query = "&".join(
        f"{_encode(k)}={_encode(v)}" for k, v in sorted(query) if k != "X-Amz-Signature"
    )
    canonical_request = "\n".join(
        [
            method,
            quote(unquote(parts.path), safe="/-_.~"),  # S3 encodes the key once
            canonical_query,
            canonical_headers,
            ";".join(signed_headers),
            "UNSIGNED-PAYLOAD",
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), date), region), service), "aws4_request")
    expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, params["X-Amz-Signature"]) else "signature"
