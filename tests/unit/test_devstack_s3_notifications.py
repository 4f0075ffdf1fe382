"""devstack's S3 -> EventBridge notifications: moto's own S3 events, forwarded to devstack's event bus."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.console import Console
from devstack.resources import AwsClients, ResourceMap, create_resources
from devstack.s3_notifications import S3EventForwarder, eventbridge_buckets, s3_event_forwarder

TEMPLATE = {
    "Resources": {
        "Notifying": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
            },
        },
        "AsText": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": "true"}}
            },
        },
        "Quiet": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Off": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": False}}
            },
        },
    }
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ResourceMap, AwsClients]]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name="eu-central-1")
        yield create_resources(session, TEMPLATE), AwsClients(session)


def test_only_buckets_that_switch_eventbridge_on_are_forwarded(aws: tuple[ResourceMap, AwsClients]) -> None:
    resources, _ = aws
    assert sorted(eventbridge_buckets(resources)) == ["contact-intake-astext", "contact-intake-notifying"]


def test_a_new_object_reaches_the_bus_as_s3s_object_created_event(
    aws: tuple[ResourceMap, AwsClients],
) -> None:
    resources, clients = aws
    put: list[Mapping[str, Any]] = []
    output = io.StringIO()
    forwarder = s3_event_forwarder(resources, clients, put.append, Console(output))
    assert forwarder is not None
    clients.s3.put_object(Bucket="contact-intake-notifying", Key="quality/a.mp3", Body=b"abc")
    clients.s3.put_object(Bucket="contact-intake-quiet", Key="quality/b.mp3", Body=b"abc")

    forwarder.forward_once()

    created = [e for e in put if e["detail-type"] == "Object Created"]
    assert len(created) == 1
    (event,) = created
    assert event["source"] == "aws.s3"
    assert event["detail"]["bucket"] == {"name": "contact-intake-notifying"}
    assert event["detail"]["object"]["key"] == "quality/a.mp3"
    assert event["detail"]["object"]["size"] == 3
    assert "bucket contact-intake-notifying: S3 events to EventBridge" in output.getvalue()
    assert forwarder.forward_once() == 0  # each event once


def test_an_event_the_bus_refuses_is_reported_and_the_next_still_delivered(
    aws: tuple[ResourceMap, AwsClients],
) -> None:
    _, clients = aws
    delivered: list[str] = []

    def put(event: Mapping[str, Any]) -> None:
        if event["detail"]["object"]["key"].startswith("bad"):
            raise ValueError("refused")
        delivered.append(event["detail"]["object"]["key"])

    output = io.StringIO()
    forwarder = S3EventForwarder(["contact-intake-notifying"], aws=clients, put=put, console=Console(output))
    forwarder.setup()
    clients.s3.put_object(Bucket="contact-intake-notifying", Key="bad.mp3", Body=b"x")
    clients.s3.put_object(Bucket="contact-intake-notifying", Key="good.mp3", Body=b"x")
    while forwarder.forward_once():
        pass
    assert delivered.count("good.mp3") >= 1
    assert "S3 event not delivered: ValueError: refused" in output.getvalue()
    queue = clients.sqs.get_queue_url(QueueName="devstack-s3-eventbridge")["QueueUrl"]
    clients.sqs.send_message(QueueUrl=queue, MessageBody="not json")
    forwarder.forward_once()
    assert "JSONDecodeError" in output.getvalue()


def test_the_forwarder_thread_starts_and_stops(aws: tuple[ResourceMap, AwsClients]) -> None:
    resources, clients = aws
    forwarder = s3_event_forwarder(resources, clients, lambda _: None, Console(io.StringIO()))
    assert forwarder is not None
    forwarder.start()
    forwarder.stop()
    assert forwarder.join(timeout=10)


def test_without_such_buckets_there_is_no_forwarder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name="eu-central-1")
        resources = create_resources(session, {"Resources": {"Quiet": {"Type": "AWS::S3::Bucket"}}})
        assert (
            s3_event_forwarder(resources, AwsClients(session), lambda _: None, Console(io.StringIO())) is None
        )
