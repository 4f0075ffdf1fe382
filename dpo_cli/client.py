"""The DPO API over HTTPS, every request signed with SigV4 (service ``execute-api``) using the caller's AWS
credentials: the usual chain (environment, ``--profile`` / AWS_PROFILE, SSO, instance role)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials
from botocore.session import Session

SERVICE = "execute-api"
ENDPOINT_VARIABLE = "CONTACT_INTAKE_API"
TIMEOUT_SECONDS = 30
_EXECUTE_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$")


class CliError(Exception):
    """Something the DPO should read: printed as it is, the command exits 1."""


class NotAuthorised(CliError):
    pass


class ApiError(CliError):
    """The API answered with an error: ``status`` and the error body's code and message."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[dict[str, str]] | None = None
    ) -> None:
        detail = "; ".join(f"{f.get('field')}: {f.get('message')}" for f in fields or [])
        super().__init__(f"{message} ({code}, HTTP {status})" + (f": {detail}" if detail else ""))
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Connection:
    endpoint: str
    region: str
    credentials: ReadOnlyCredentials


def connect(endpoint: str | None, region: str | None, profile: str | None) -> Connection:
    """The endpoint (``--endpoint`` or CONTACT_INTAKE_API), the region (``--region``, AWS_REGION, the
    profile's, or the endpoint's execute-api host) and the caller's credentials. Raises CliError when one
    is missing."""
    base = (endpoint or os.environ.get(ENDPOINT_VARIABLE) or "").rstrip("/")
    if not base:
        raise CliError(f"no endpoint: pass --endpoint or set {ENDPOINT_VARIABLE} (the stack's ApiUrl output)")
    if urlsplit(base).scheme not in {"http", "https"}:
        raise CliError(f"the endpoint must be an http(s) URL, got {base!r}")
    session = Session(profile=profile) if profile else Session()
    chosen = (
        region or os.environ.get("AWS_REGION") or session.get_config_variable("region") or _region_of(base)
    )
    if not chosen:
        raise CliError("no region: pass --region or set AWS_REGION")
    credentials = session.get_credentials()
    if credentials is None:
        raise NotAuthorised("no AWS credentials found: log in (e.g. aws sso login) or set AWS_PROFILE")
    return Connection(base, chosen, credentials.get_frozen_credentials())


def _region_of(endpoint: str) -> str | None:
    found = _EXECUTE_API_HOST.match(urlsplit(endpoint).hostname or "")
    return found.group(1) if found else None


class DpoClient:
    """One method per DPO route; each returns the decoded JSON answer or raises CliError."""

    def __init__(self, connection: Connection, session: requests.Session | None = None) -> None:
        self._connection = connection
        self._http = session or requests.Session()

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/rights-requests", body)

    def list_requests(self, status: str) -> dict[str, Any]:
        return self._call("GET", "/rights-requests", query={"status": status})

    def show(self, request_id: str) -> dict[str, Any]:
        return self._call("GET", f"/rights-requests/{request_id}")

    def extend(self, request_id: str, months: int, reason: str) -> dict[str, Any]:
        return self._call(
            "POST", f"/rights-requests/{request_id}/extend", {"months": months, "reason": reason}
        )

    def reject(self, request_id: str, reasons: list[str]) -> dict[str, Any]:
        return self._call("POST", f"/rights-requests/{request_id}/reject", {"reasons": reasons})

    def decide_objection(self, request_id: str, upheld: bool, grounds: str) -> dict[str, Any]:
        body = {"upheld": upheld, "grounds": grounds}
        return self._call("POST", f"/rights-requests/{request_id}/objection-decision", body)

    def lift_restriction(self, request_id: str) -> dict[str, Any]:
        return self._call("POST", f"/rights-requests/{request_id}/lift-restriction")

    def amend(self, request_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", f"/rights-requests/{request_id}/amend", body)

    def resend(self, request_id: str) -> dict[str, Any]:
        return self._call("POST", f"/rights-requests/{request_id}/resend")

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, str] | None = None
    ) -> dict[str, Any]:
        url = self._connection.endpoint + path + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": "contact-intake-dpo/0.1"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        signed = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(self._connection.credentials, SERVICE, self._connection.region).add_auth(signed)
        try:
            answer = self._http.request(
                method, url, data=data, headers=dict(signed.headers.items()), timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            raise CliError(f"cannot reach {self._connection.endpoint}: {type(exc).__name__}") from None
        return _decoded(answer)


def _decoded(answer: requests.Response) -> dict[str, Any]:
    try:
        payload = answer.json()
    except ValueError:
        payload = None
    if answer.status_code == 403:
        raise NotAuthorised(
            "not authorised: check your AWS credentials (profile, region, expired session) and that your IAM "
            "principal may call this API (execute-api:Invoke)"
        )
    if answer.status_code >= 400 or not isinstance(payload, dict):
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        if not isinstance(error, dict):
            error = {}
        default = "the service is unavailable: try again shortly" if answer.status_code >= 500 else "failed"
        raise ApiError(
            answer.status_code,
            str(error.get("code", "error")),
            str(error.get("message", default)),
            error.get("fields"),
        )
    return payload
