"""What e2e tests do to a running devstack: post inquiries, read the stores, drive ``/_local/``, and wait
(with a deadline, never a fixed sleep) for what the event sources and functions do in the background."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from botocore.exceptions import ClientError

from tests.builders import a_form
from tests.e2e.devstack_process import RunningDevstack

T = TypeVar("T")
HTTP_TIMEOUT = 30  # a request that starts a function pays its cold start
# An asynchronous outcome on a busy 2-core machine: a cold start, a held "timeout" fault (12 s) and a
# redelivery after the local visibility timeout (5 s) fit well inside it.
DEADLINE_SECONDS = 60.0
SWEEPER_SCHEDULE = "SweeperFunctionSweep"


def wait_for(check: Callable[[], T | None], what: str, timeout: float = DEADLINE_SECONDS) -> T:
    """Poll ``check`` until it returns something other than None or False; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.25)


def post_inquiry(devstack: RunningDevstack, **fields: Any) -> str:
    """POST /inquiries with a builder form (a fresh ``pass:`` token); the new inquiry's id."""
    response = requests.post(f"{devstack.api_url}/inquiries", json=a_form(**fields), timeout=HTTP_TIMEOUT)
    assert response.status_code == 202, response.text
    return str(response.json()["inquiry_id"])


def table_item(devstack: RunningDevstack, table: str, key: dict[str, Any]) -> dict[str, Any]:
    """The item of the stack's ``table`` (a logical id) under ``key`` ({} when there is none), read
    consistently."""
    answer = devstack.client("dynamodb").get_item(
        TableName=devstack.resource(table), Key=key, ConsistentRead=True
    )
    return dict(answer.get("Item") or {})


def stored_item(devstack: RunningDevstack, inquiry_id: str) -> dict[str, Any]:
    """The inquiry's item in InquiriesTable ({} when there is none), read consistently."""
    return table_item(devstack, "InquiriesTable", {"inquiry_id": {"S": inquiry_id}})


def object_exists(devstack: RunningDevstack, bucket: str, key: str) -> bool:
    """Whether the stack's ``bucket`` (a logical id) holds ``key``."""
    try:
        devstack.client("s3").head_object(Bucket=devstack.resource(bucket), Key=key)
    except ClientError:
        return False
    return True


def forwarded_item(
    devstack: RunningDevstack, inquiry_id: str, timeout: float = DEADLINE_SECONDS
) -> dict[str, Any]:
    """The item once the forwarder has written its ticket id back (status ``forwarded``)."""
    return wait_for(
        lambda: (item := stored_item(devstack, inquiry_id)).get("status") == {"S": "forwarded"} and item,
        f"inquiry {inquiry_id} to be forwarded",
        timeout,
    )


def helpdesk_state(devstack: RunningDevstack) -> dict[str, Any]:
    response = requests.get(f"{devstack.api_url}/_local/helpdesk/_state", timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return dict(response.json())


def tickets_of(
    devstack: RunningDevstack, inquiry_id: str, *, deleted: bool | None = False
) -> list[dict[str, Any]]:
    """The emulated helpdesk's tickets carrying ``inquiry_id``: live ones (default), deleted ones, or all."""
    return [
        ticket
        for ticket in helpdesk_state(devstack)["tickets"]
        if ticket["custom_fields"].get("cf_inquiry_id") == inquiry_id
        and (deleted is None or ticket["deleted"] == deleted)
    ]


def set_faults(devstack: RunningDevstack, mode: str, count: int = 1) -> list[str]:
    """The next ``count`` helpdesk calls fail with ``mode``; the pending faults."""
    url = f"{devstack.api_url}/_local/helpdesk/_faults"
    requests.delete(url, timeout=HTTP_TIMEOUT).raise_for_status()
    response = requests.post(url, json={"fail_next": count, "mode": mode}, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return list(response.json()["pending"])


def put_event(
    devstack: RunningDevstack,
    detail_type: str,
    detail: dict[str, Any],
    *,
    source: str = "shop.accounts",
    at: datetime | None = None,
) -> dict[str, Any]:
    """POST /_local/events (``at``: the event's time, else now); the envelope delivered and the rules that
    matched, with each target's outcome."""
    event: dict[str, Any] = {"source": source, "detail-type": detail_type, "detail": detail}
    if at is not None:
        event["time"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = requests.post(
        f"{devstack.api_url}/_local/events",
        json=event,
        timeout=120,  # an AccountClosed erases, with Lambda's asynchronous retries
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def run_schedule(devstack: RunningDevstack, logical_id: str = SWEEPER_SCHEDULE) -> dict[str, Any]:
    response = requests.post(f"{devstack.api_url}/_local/schedules/{logical_id}/run", timeout=320)
    assert response.status_code == 200, response.text
    return dict(response.json())
