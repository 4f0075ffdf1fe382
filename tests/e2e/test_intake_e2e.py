"""The intake, end to end: HTTP into devstack, then the table and the queue through the AWS API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import logcapture
from tests.builders import PERSON, a_form, sample_event
from tests.e2e.devstack_process import ROOT, RunningDevstack
from tests.e2e.local_api import stored_item

pytestmark = pytest.mark.e2e
TIMEOUT = 30  # the first post pays the function's cold start


def post_json(devstack: RunningDevstack, form: dict[str, Any], **headers: str) -> requests.Response:
    return requests.post(f"{devstack.api_url}/inquiries", json=form, headers=headers, timeout=TIMEOUT)


@contextmanager
def forwarder_paused(devstack: RunningDevstack) -> Iterator[None]:
    """InquiryQueue's event source disabled (no poller takes a message meanwhile), then enabled again."""
    url = f"{devstack.api_url}/_local/event-sources/ForwarderInquiryQueueMapping"
    requests.post(url, json={"enabled": False}, timeout=180).raise_for_status()
    try:
        yield
    finally:
        requests.post(url, json={"enabled": True}, timeout=TIMEOUT).raise_for_status()


def queued_body(devstack: RunningDevstack, inquiry_id: str) -> dict[str, Any]:
    """The queue message carrying ``inquiry_id``; others seen on the way are made visible again."""
    sqs = devstack.client("sqs")
    url = devstack.resource("InquiryQueue")
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        for message in messages:
            body = json.loads(message["Body"])
            if body.get("inquiry_id") == inquiry_id:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                return dict(body)
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
    pytest.fail(f"no queue message for {inquiry_id}")


def test_a_json_inquiry_is_stored_with_its_retention_and_queued_as_a_claim_check(
    devstack: RunningDevstack,
) -> None:
    with forwarder_paused(devstack):  # else the forwarder takes the message first
        response = post_json(devstack, a_form())
        assert response.status_code == 202, response.text
        body = queued_body(devstack, response.json()["inquiry_id"])

    answer = response.json()
    assert answer["status"] == "received"
    inquiry_id = answer["inquiry_id"]
    item = stored_item(devstack, inquiry_id)
    assert item["status"] == {"S": "received"}
    assert item["lawful_basis"] == {"S": "legitimate_interests"}
    assert len(item["subject_key"]["S"]) == 64
    assert PERSON["email"] not in item["subject_key"]["S"]
    assert int(item["expires_at"]["N"]) > time.time() + 360 * 86400  # 12 calendar months ahead
    assert body == {"inquiry_id": inquiry_id}


def test_a_captcha_token_passes_once(devstack: RunningDevstack) -> None:
    token = f"pass:{uuid.uuid4()}"
    assert post_json(devstack, a_form(captcha_token=token)).status_code == 202

    again = post_json(devstack, a_form(captcha_token=token, subject="Another question"))

    assert again.status_code == 403
    assert again.json()["error"]["code"] == "captcha_failed"


def test_a_low_score_token_is_refused(devstack: RunningDevstack) -> None:
    response = post_json(devstack, a_form(captcha_token=f"low:{uuid.uuid4()}"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "captcha_failed"


def test_a_form_post_from_a_browser_is_redirected_to_the_thank_you_page(devstack: RunningDevstack) -> None:
    form = a_form(captcha_token=None, **{"g-recaptcha-response": f"pass:{uuid.uuid4()}"})

    response = requests.post(
        f"{devstack.api_url}/inquiries",
        data=form,
        headers={"Accept": "text/html,application/xhtml+xml"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/thanks.html"


def test_a_preflight_from_an_allowed_origin_gets_cors_headers(devstack: RunningDevstack) -> None:
    origin = devstack.api_url  # LOCAL_PARAMETERS allow the devstack's own origin
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}

    allowed = requests.options(f"{devstack.api_url}/inquiries", headers=headers, timeout=TIMEOUT)
    refused = requests.options(
        f"{devstack.api_url}/inquiries",
        headers={**headers, "Origin": "https://evil.example"},
        timeout=TIMEOUT,
    )

    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_an_unknown_route_answers_as_api_gateway_does(devstack: RunningDevstack) -> None:
    unknown = requests.get(f"{devstack.api_url}/no-such-route", timeout=TIMEOUT)
    wrong_method = requests.delete(f"{devstack.api_url}/inquiries", timeout=TIMEOUT)

    for response in (unknown, wrong_method):
        assert response.status_code == 403
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
        assert "Missing Authentication Token" in response.text


def test_siteverify_is_served_under_local(devstack: RunningDevstack) -> None:
    url = f"{devstack.api_url}/_local/captcha/siteverify"
    token = f"pass:{uuid.uuid4()}"

    first = requests.post(
        url, data={"secret": "local-recaptcha-secret", "response": token}, timeout=10
    ).json()
    second = requests.post(
        url, data={"secret": "local-recaptcha-secret", "response": token}, timeout=10
    ).json()

    assert first["success"] is True
    assert first["hostname"] == "localhost"
    assert second == {"success": False, "error-codes": ["timeout-or-duplicate"]}


def test_the_root_serves_a_page(devstack: RunningDevstack) -> None:
    response = requests.get(f"{devstack.api_url}/", timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


def test_resources_json_describes_every_resource_and_function(devstack: RunningDevstack) -> None:
    described = devstack.resources_json

    assert described["aws_endpoint"].startswith("http://127.0.0.1:")
    assert described["region"] == "eu-central-1"
    assert {"InquiriesTable", "InquiryQueue", "InquiryDLQ"} <= described["resources"].keys()
    assert described["resources"]["InquiryQueue"].startswith(described["aws_endpoint"])
    intake = described["functions"]["IntakeFunction"]
    assert intake["handler"] == "intake_handler.lambda_handler"
    assert intake["pythonpath"] == ["functions/intake", "layers/common"]
    environment = intake["environment"]
    assert environment["INQUIRIES_TABLE"] == described["resources"]["InquiriesTable"]
    assert environment["INQUIRY_QUEUE_URL"] == described["resources"]["InquiryQueue"]
    assert environment["AWS_ENDPOINT_URL"] == described["aws_endpoint"]
    assert environment["CAPTCHA_VERIFY_URL"] == f"{devstack.api_url}/_local/captcha/siteverify"


def test_the_dlq_is_the_queues_redrive_target(devstack: RunningDevstack) -> None:
    sqs = devstack.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=devstack.resource("InquiryQueue"), AttributeNames=["All"])
    dlq_arn = sqs.get_queue_attributes(QueueUrl=devstack.resource("InquiryDLQ"), AttributeNames=["QueueArn"])

    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq_arn["Attributes"]["QueueArn"]
    # the template's 180 s, capped locally by DEVSTACK_MAX_VISIBILITY_SECONDS (default 5)
    assert attributes["Attributes"]["VisibilityTimeout"] == "5"


FRESH_PROCESS = textwrap.dedent(
    """
    import importlib, json, sys

    class Context:
        function_name = "IntakeFunction"
        function_version = "$LATEST"
        memory_limit_in_mb = "1024"
        invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:IntakeFunction"
        aws_request_id = "e2e-fresh-process"
        def get_remaining_time_in_millis(self):
            return 10_000

    module_name, _, function_name = sys.argv[1].rpartition(".")
    handler = getattr(importlib.import_module(module_name), function_name)
    event = json.loads(open(sys.argv[2], encoding="utf-8").read())
    result = handler(event, Context())
    open(sys.argv[3], "w", encoding="utf-8").write(json.dumps(result))
    """
)


def test_the_published_environment_runs_the_function_in_a_fresh_process(
    devstack: RunningDevstack, tmp_path: Path
) -> None:
    """docs/architecture.md §8: a process given resources.json's environment and pythonpath behaves as the
    function does."""
    intake = devstack.resources_json["functions"]["IntakeFunction"]
    event = sample_event("intake_post_inquiries.json")
    event["body"] = json.dumps(a_form())
    event["headers"].pop("Idempotency-Key", None)
    event["multiValueHeaders"].pop("Idempotency-Key", None)
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    environment = {
        **intake["environment"],
        "PYTHONPATH": os.pathsep.join(str(ROOT / folder) for folder in intake["pythonpath"]),
        "PATH": os.environ.get("PATH", ""),
    }

    completed = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, intake["handler"], "event.json", "result.json"],
        cwd=tmp_path,  # not the repo: only the published pythonpath makes the handler importable
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    logcapture.record(completed.stdout + completed.stderr)
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert result["statusCode"] == 202, result
    inquiry_id = json.loads(result["body"])["inquiry_id"]
    # stored by the fresh process; the forwarder (InquiryQueue's event source) may have taken it since
    assert stored_item(devstack, inquiry_id)["status"] in ({"S": "received"}, {"S": "forwarded"})
