"""Call recordings end to end on devstack: the telephony integration signs its requests (SigV4,
local-telephony/local-telephony), registers a consented recording, PUTs the audio to the presigned URL
(straight to moto, as to S3; once only), S3's EventBridge notification makes it stored, the DPO downloads
it, and a withdrawal deletes it at once."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.e2e.devstack_process import RunningDevstack
from tests.e2e.local_api import HTTP_TIMEOUT, object_exists, table_item, wait_for

pytestmark = pytest.mark.e2e

PHONE = "+31 6 1234 5678"  # the log capture looks for it in devstack's output
LOCAL_KEY = Credentials("local", "local")  # devstack signs it as the DPO
TELEPHONY_KEY = Credentials("local-telephony", "local-telephony")  # ... and this as the telephony integration
AUDIO = b"RIFF\x24\x08\x00\x00WAVEfmt " + bytes(range(256)) * 4


def signed(
    devstack: RunningDevstack, method: str, path: str, body: Any = None, key: Credentials | None = None
) -> Any:
    """A request signed as its principal would sign it: the telephony integration registers and withdraws,
    the DPO reads an entry (D67)."""
    key = key or (LOCAL_KEY if method == "GET" else TELEPHONY_KEY)
    url = devstack.api_url + path
    data = json.dumps(body) if body is not None else None
    request = AWSRequest(method=method, url=url, data=data, headers={"Content-Type": "application/json"})
    SigV4Auth(key, "execute-api", devstack.resources_json["region"]).add_auth(request)
    return requests.request(method, url, data=data, headers=dict(request.headers), timeout=HTTP_TIMEOUT)


def a_registration(**consent: Any) -> dict[str, Any]:
    return {
        "call_id": f"e2e-{uuid.uuid4()}",
        "phone": PHONE,
        "consent": {"given": True, "at": "2025-02-03T10:12:44+01:00", "purposes": ["quality"], **consent},
        "content_type": "audio/wav",
        "size_bytes": len(AUDIO),
    }


def audio_exists(devstack: RunningDevstack, key: str) -> bool:
    return object_exists(devstack, "RecordingsBucket", key)


def ledger_item(devstack: RunningDevstack, recording_id: str) -> dict[str, Any]:
    return table_item(devstack, "RecordingsTable", {"recording_id": {"S": recording_id}})


def test_register_upload_download_and_withdraw(devstack: RunningDevstack) -> None:
    grant = signed(devstack, "POST", "/recordings", a_registration())
    assert grant.status_code == 201, grant.text
    assert grant.headers["Cache-Control"] == "no-store"
    body = grant.json()
    upload_url = urlsplit(body["upload_url"])
    # the presigned URL points at the local S3 (path style), not at AWS
    assert f"{upload_url.scheme}://{upload_url.netloc}" == devstack.aws_endpoint
    bucket = devstack.resource("RecordingsBucket")
    key = upload_url.path.removeprefix(f"/{bucket}/")
    assert key == f"quality/{body['recording_id']}.wav"

    assert body["upload_headers"]["If-None-Match"] == "*"
    put = requests.put(body["upload_url"], data=AUDIO, headers=body["upload_headers"], timeout=30)
    assert put.status_code == 200, put.text
    # write-once: the URL works for 15 minutes, but a second PUT cannot replace the audio (D66)
    again = requests.put(body["upload_url"], data=b"RIFF-other", headers=body["upload_headers"], timeout=30)
    assert again.status_code == 412, again.text

    # S3 -> EventBridge -> RecordingUploadedFunction, in the background as on AWS
    stored = wait_for(
        lambda: (
            (r := signed(devstack, "GET", f"/recordings/{body['recording_id']}")).json().get("status")
            == "stored"
            and r.json()
        ),
        "the upload to be confirmed",
    )
    assert requests.get(stored["download_url"], timeout=HTTP_TIMEOUT).content == AUDIO

    withdrawn = signed(devstack, "DELETE", f"/recordings/{body['recording_id']}")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert not audio_exists(devstack, key)
    item = ledger_item(devstack, body["recording_id"])
    assert item["status"] == {"S": "withdrawn"}
    assert "withdrawn_at" in item
    assert "consent_at" in item


def test_the_routes_answer_only_signed_requests(devstack: RunningDevstack) -> None:
    unsigned = requests.post(f"{devstack.api_url}/recordings", json=a_registration(), timeout=HTTP_TIMEOUT)
    assert unsigned.status_code == 403
    wrong_key = signed(devstack, "POST", "/recordings", a_registration(), key=Credentials("local", "guess"))
    assert wrong_key.status_code == 403


def test_each_principal_reaches_its_own_routes_only(devstack: RunningDevstack) -> None:
    """D67: the API's resource policy, as devstack enforces it from the template."""
    as_dpo = signed(devstack, "POST", "/recordings", a_registration(), key=LOCAL_KEY)
    assert as_dpo.status_code == 403, as_dpo.text  # the DPO does not register recordings
    for method, path in (
        ("GET", "/rights-requests"),
        ("POST", "/rights-requests"),
        ("GET", "/rights-requests/0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11"),
        ("POST", "/rights-requests/0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11/lift-restriction"),
        ("GET", "/recordings/0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11"),
    ):
        answer = signed(devstack, method, path, {} if method == "POST" else None, key=TELEPHONY_KEY)
        assert answer.status_code == 403, (method, path, answer.text)
    assert signed(devstack, "GET", "/rights-requests", key=LOCAL_KEY).status_code == 200


def test_no_consent_no_recording(devstack: RunningDevstack) -> None:
    registration = a_registration(given=False)
    answer = signed(devstack, "POST", "/recordings", registration)
    assert answer.status_code == 422, answer.text
    items = devstack.client("dynamodb").scan(TableName=devstack.resource("RecordingsTable"))["Items"]
    assert not [i for i in items if i["call_id"]["S"] == registration["call_id"]]


def test_an_object_nobody_registered_is_deleted_on_arrival(devstack: RunningDevstack) -> None:
    key = f"agreement_documentation/{uuid.uuid4()}.mp3"
    devstack.client("s3").put_object(Bucket=devstack.resource("RecordingsBucket"), Key=key, Body=AUDIO)
    wait_for(lambda: not audio_exists(devstack, key), "the unregistered object to be deleted")
