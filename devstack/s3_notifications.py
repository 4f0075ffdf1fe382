"""S3 -> EventBridge notifications locally: the events a bucket with ``NotificationConfiguration.
EventBridgeConfiguration.EventBridgeEnabled`` sends (``aws.s3`` / ``Object Created``, ...), routed by the
template's rules through devstack's EventBus.

moto already emits S3's EventBridge events for such a bucket, but onto *its own* EventBridge, where the
template's rules do not live. So devstack switches the notification on in moto, has a moto rule send every
``aws.s3`` event to a local queue, and a thread forwards each one from that queue to ``EventBus.put``: the
rules match (RecordingUploadedFunction's, for instance) and deliver as Lambda's asynchronous invocation does.
An object PUT straight to moto through a presigned URL reaches its function within about a second, as on AWS.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final

from devstack.console import Console
from devstack.resources import AwsClients, ResourceMap

QUEUE_NAME: Final = "devstack-s3-eventbridge"
RULE_NAME: Final = "devstack-s3-eventbridge"
RECEIVE_WAIT_SECONDS: Final = 1  # a stop is noticed within about a second

Put = Callable[[Mapping[str, Any]], Any]


def eventbridge_buckets(resources: ResourceMap) -> list[str]:
    """The names of the created buckets whose template switches EventBridge notifications on."""
    names = []
    for logical_id, resource in (resources.template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::S3::Bucket" or logical_id not in resources.created:
            continue
        notifications = (resource.get("Properties") or {}).get("NotificationConfiguration") or {}
        enabled = (notifications.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled")
        if enabled is True or str(enabled).lower() == "true":
            names.append(resources.ref(logical_id))
    return names


class S3EventForwarder:
    """Forwards moto's S3 EventBridge events to ``put`` (devstack's ``EventBus.put``) on a thread."""

    def __init__(self, buckets: list[str], *, aws: AwsClients, put: Put, console: Console) -> None:
        self.buckets = buckets
        self._aws = aws
        self._put = put
        self._console = console
        self._queue_url = ""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def setup(self) -> None:
        """In moto: the buckets notify EventBridge, and a rule sends every aws.s3 event to the queue."""
        sqs, events = self._aws.sqs, self._aws.client("events")
        self._queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(Name=RULE_NAME, EventPattern=json.dumps({"source": ["aws.s3"]}), State="ENABLED")
        events.put_targets(Rule=RULE_NAME, Targets=[{"Id": "devstack", "Arn": arn}])
        for bucket in self.buckets:
            self._aws.s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
            )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="s3-eventbridge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def join(self, timeout: float) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def forward_once(self) -> int:
        """Receive what is waiting (up to 10 events), put each on the bus, delete it; the number forwarded."""
        answer = self._aws.sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=RECEIVE_WAIT_SECONDS
        )
        messages = answer.get("Messages", [])
        for message in messages:
            self._forward(message.get("Body", ""))
            self._aws.sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def _forward(self, body: str) -> None:
        try:
            event = json.loads(body)
            self._put(event)
        except Exception as exc:  # one bad event must not stop the others
            self._console.error(f"S3 event not delivered: {type(exc).__name__}: {exc}")

    def _run(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        while not self._stopping.is_set():
            try:
                self.forward_once()
            except (BotoCoreError, ClientError) as exc:
                if self._stopping.is_set():
                    return
                self._console.error(f"S3 events: polling failed: {type(exc).__name__}")
                self._stopping.wait(1.0)


def s3_event_forwarder(
    resources: ResourceMap, aws: AwsClients, put: Put, console: Console
) -> S3EventForwarder | None:
    """The forwarder for the template's EventBridge-enabled buckets, set up in moto; None without any."""
    buckets = eventbridge_buckets(resources)
    if not buckets:
        return None
    forwarder = S3EventForwarder(buckets, aws=aws, put=put, console=console)
    forwarder.setup()
    for bucket in buckets:
        console.info(f"  bucket {bucket}: S3 events to EventBridge (the template's rules)")
    return forwarder
