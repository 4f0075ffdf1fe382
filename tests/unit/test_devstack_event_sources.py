"""SQS event sources as devstack runs them: Lambda's event shape, partial batch failures, redrive, filters,
concurrency, enable/disable and shutdown. SQS is moto's (``mock_aws``, in process: no socket)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import time
from typing import Any

import boto3
import pytest

from devstack.console import Console
from devstack.event_patterns import compile_pattern
from devstack.event_sources import (
    SqsMapping,
    SqsPoller,
    failed_message_ids,
    function_logical_id,
    sqs_mappings,
)
from devstack.functions import function_specs
from devstack.invoker import FunctionFailed
from devstack.resources import ResourceMap, cap_visibility_timeout, create_resources
from devstack.settings import local_parameter_values
from tests.aws_support import REGION, ROOT


@pytest.fixture
def sqs(session: boto3.session.Session) -> Any:
    return session.client("sqs")


@pytest.fixture
def output() -> io.StringIO:
    return io.StringIO()


class Queues:
    def __init__(self, sqs: Any, *, visibility: int = 30, max_receive: int = 2) -> None:
        self.dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive})
        self.url = sqs.create_queue(
            QueueName="source", Attributes={"VisibilityTimeout": str(visibility), "RedrivePolicy": redrive}
        )["QueueUrl"]
        self.arn = sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._sqs = sqs

    def send(self, *bodies: str, **attributes: Any) -> list[str]:
        return [
            self._sqs.send_message(QueueUrl=self.url, MessageBody=b, **attributes)["MessageId"]
            for b in bodies
        ]

    def count(self, url: str | None = None) -> int:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=url or self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def expire(self, event: dict[str, Any], *only: str) -> None:
        """The visibility timeout of the event's messages (or ``only`` these) has passed, without waiting."""
        for record in event["Records"]:
            if only and record["messageId"] not in only:
                continue
            self._sqs.change_message_visibility(
                QueueUrl=self.url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
            )

    def bodies(self, url: str) -> list[str]:
        messages = self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return sorted(m["Body"] for m in messages)


@pytest.fixture
def queues(sqs: Any) -> Queues:
    return Queues(sqs)


class Function:
    """A stand-in for Invoker.invoke: records the events, answers what the test says."""

    def __init__(self, answer: Any = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer = answer

    def __call__(self, logical_id: str, event: dict[str, Any]) -> Any:
        assert logical_id == "Fn"
        self.events.append(event)
        answer = self.answer(event) if callable(self.answer) else self.answer
        if isinstance(answer, FunctionFailed):
            raise answer
        return answer


def a_mapping(queues: Queues, **overrides: Any) -> SqsMapping:
    fields: dict[str, Any] = {
        "logical_id": "FnMapping",
        "function": "Fn",
        "queue": "Source",
        "queue_url": queues.url,
        "queue_arn": queues.arn,
        "batch_size": 5,
        "report_batch_item_failures": True,
        "max_receive_count": 2,
    }
    fields.update(overrides)
    return SqsMapping(**fields)


def a_poller(
    queues: Queues, sqs: Any, function: Function, output: io.StringIO, **overrides: Any
) -> SqsPoller:
    concurrency = overrides.pop("concurrency", 1)
    return SqsPoller(
        a_mapping(queues, **overrides),
        sqs=sqs,
        invoke=function,
        console=Console(output),
        region=REGION,
        concurrency=concurrency,
        wait_seconds=0,
    )


# ------------------------------------------------------------------------------------- the template


@pytest.fixture
def repo_resources(session: boto3.session.Session) -> ResourceMap:
    return create_resources(
        session, ROOT / "template.yaml", local_parameter_values(3000), adjust=cap_visibility_timeout(5)
    )


def test_the_forwarders_mapping_is_read_from_the_template(repo_resources: ResourceMap) -> None:
    specs, _ = function_specs(repo_resources, {})

    mappings, skipped = sqs_mappings(repo_resources, specs)

    assert skipped == []
    mapping = {m.logical_id: m for m in mappings}["ForwarderInquiryQueueMapping"]
    assert (mapping.function, mapping.queue) == ("ForwarderFunction", "InquiryQueue")
    assert mapping.queue_url == repo_resources.ref("InquiryQueue")
    assert mapping.queue_arn == repo_resources.get_att("InquiryQueue", "Arn")
    assert (mapping.batch_size, mapping.maximum_concurrency) == (5, 2)
    assert mapping.report_batch_item_failures is True
    assert mapping.max_receive_count == 5
    assert mapping.enabled is True
    assert mapping.describe() == (
        "InquiryQueue -> ForwarderFunction (batch 5, at most 2 at once, ReportBatchItemFailures, "
        "DLQ after 5 receives)"
    )


def test_local_queues_get_the_capped_visibility_timeout(
    session: boto3.session.Session, repo_resources: ResourceMap
) -> None:
    sqs = session.client("sqs")

    def visibility(logical_id: str) -> str:
        attributes = sqs.get_queue_attributes(
            QueueUrl=repo_resources.ref(logical_id), AttributeNames=["VisibilityTimeout"]
        )
        return str(attributes["Attributes"]["VisibilityTimeout"])

    assert visibility("InquiryQueue") == "5"  # the template's 180
    assert visibility("InquiryDLQ") == "5"  # SQS's default 30


def test_a_zero_cap_keeps_the_templates_visibility_timeout() -> None:
    adjust = cap_visibility_timeout(0)

    assert adjust("AWS::SQS::Queue", "Q", {"VisibilityTimeout": 180}) == {"VisibilityTimeout": 180}
    assert adjust("AWS::SQS::Queue", "Q", {"VisibilityTimeout": "3"}) == {"VisibilityTimeout": "3"}
    assert cap_visibility_timeout(5)("AWS::DynamoDB::Table", "T", {"A": 1}) == {"A": 1}
    assert cap_visibility_timeout(5)("AWS::SQS::Queue", "Q", {"VisibilityTimeout": "3"}) == {
        "VisibilityTimeout": 3
    }


def a_template(queue_arn: Any, function_name: Any, **properties: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 7}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Handler": "m.handler",
                    "Runtime": "python3.13",
                    "Code": {"S3Bucket": "devstack-local-code", "S3Key": "functions/x"},
                },
            },
            "Mapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"EventSourceArn": queue_arn, "FunctionName": function_name, **properties},
            },
        }
    }


def test_a_mapping_with_defaults_filters_and_a_disabled_state(session: boto3.session.Session) -> None:
    template = a_template(
        {"Fn::GetAtt": ["Queue", "Arn"]},
        {"Fn::GetAtt": ["Fn", "Arn"]},
        Enabled=False,
        MaximumBatchingWindowInSeconds=2,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["a"]}})}]},
    )
    resources = create_resources(session, template)
    specs, _ = function_specs(resources, {})

    (mapping,), skipped = sqs_mappings(resources, specs)

    assert skipped == []
    assert (mapping.batch_size, mapping.batching_window_seconds) == (10, 2)
    assert (mapping.report_batch_item_failures, mapping.maximum_concurrency, mapping.max_receive_count) == (
        False,
        None,
        None,
    )
    assert mapping.enabled is False
    assert len(mapping.filters) == 1
    assert mapping.describe() == "Queue -> Fn (batch 10, 1 filter(s), disabled)"


@pytest.mark.parametrize(
    ("queue_arn", "function_name", "reason"),
    [
        ("arn:aws:kinesis:eu-central-1:123456789012:stream/s", {"Ref": "Fn"}, "is not a local queue"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "some-other-function", "not one devstack runs"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, {"Ref": "Nowhere"}, "not one devstack runs"),
    ],
)
def test_a_mapping_devstack_cannot_run_is_skipped_with_a_reason(
    session: boto3.session.Session, queue_arn: Any, function_name: Any, reason: str
) -> None:
    resources = create_resources(session, a_template(queue_arn, function_name))
    specs, _ = function_specs(resources, {})

    mappings, (skipped,) = sqs_mappings(resources, specs)

    assert mappings == []
    assert skipped.startswith("Mapping: ")
    assert reason in skipped


def test_a_mapping_with_a_broken_filter_is_skipped(session: boto3.session.Session) -> None:
    template = a_template(
        {"Fn::GetAtt": ["Queue", "Arn"]},
        {"Ref": "Fn"},
        FilterCriteria={"Filters": [{"Pattern": '{"body": "x"}'}]},
    )
    resources = create_resources(session, template)

    mappings, (skipped,) = sqs_mappings(resources, function_specs(resources, {})[0])

    assert mappings == []
    assert "a leaf of a pattern is a list" in skipped


def test_a_mapping_whose_condition_is_false_is_passed_over(session: boto3.session.Session) -> None:
    """As CloudFormation would not create it (nor the queue it reads, here)."""
    template = a_template({"Fn::GetAtt": ["Queue", "Arn"]}, {"Ref": "Fn"})
    template["Conditions"] = {"Never": {"Fn::Equals": ["a", "b"]}}
    template["Resources"]["Mapping"]["Condition"] = "Never"
    template["Resources"]["Queue"]["Condition"] = "Never"
    resources = create_resources(session, template)

    assert sqs_mappings(resources, function_specs(resources, {})[0]) == ([], [])


def test_a_function_is_found_by_name_or_arn(session: boto3.session.Session) -> None:
    resources = create_resources(session, a_template({"Fn::GetAtt": ["Queue", "Arn"]}, {"Ref": "Fn"}))
    specs, _ = function_specs(resources, {})
    spec = specs["Fn"]

    assert function_logical_id(spec.function_name, resources, specs) == "Fn"
    assert function_logical_id(spec.arn, resources, specs) == "Fn"
    assert function_logical_id(f"{spec.arn}:live", resources, specs) == "Fn"
    assert function_logical_id({"Fn::GetAtt": ["Elsewhere", "Arn"]}, resources, specs) is None


# ------------------------------------------------------------------------------------ one batch


def test_a_batch_is_lambdas_sqs_event_and_a_success_deletes_it(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    function = Function(answer={"batchItemFailures": []})
    (first, second) = queues.send(
        '{"inquiry_id": "a"}',
        "plain text",
    )
    sqs.send_message(
        QueueUrl=queues.url,
        MessageBody="with attributes",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "x"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    poller = a_poller(queues, sqs, function, output)

    outcome = poller.poll_once()

    assert outcome is not None
    assert (outcome.received, len(outcome.deleted), outcome.failed) == (3, 3, ())
    (event,) = function.events
    records = {r["body"]: r for r in event["Records"]}
    record = records['{"inquiry_id": "a"}']
    assert record["messageId"] == first
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queues.arn
    assert record["awsRegion"] == REGION
    assert record["md5OfBody"] == hashlib.md5(b'{"inquiry_id": "a"}').hexdigest()  # noqa: S324 - SQS's checksum
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= record["attributes"].keys()
    assert record["messageAttributes"] == {}
    assert records["plain text"]["messageId"] == second
    attributed = records["with attributes"]
    assert attributed["messageAttributes"] == {
        "kind": {"stringValue": "x", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "blob": {
            "binaryValue": base64.b64encode(b"\x00\x01").decode(),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    assert "md5OfMessageAttributes" in attributed
    assert queues.count() == 0
    assert "FnMapping: 3 from Source -> Fn: 3 done" in output.getvalue()


def test_an_empty_queue_invokes_nothing(queues: Queues, sqs: Any, output: io.StringIO) -> None:
    function = Function()

    assert a_poller(queues, sqs, function, output).poll_once() is None
    assert function.events == []


def test_reported_failures_stay_and_the_rest_is_deleted(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    ok, bad = queues.send("ok", "bad")
    function = Function(answer={"batchItemFailures": [{"itemIdentifier": bad}]})

    outcome = a_poller(queues, sqs, function, output).poll_once()

    assert outcome is not None
    assert (outcome.deleted, outcome.failed) == ((ok,), (bad,))
    assert queues.count() == 1
    queues.expire(function.events[0], bad)
    assert queues.bodies(queues.url) == ["bad"]
    assert "1 done, 1 back to the queue" in output.getvalue()


def test_a_message_that_keeps_failing_is_redriven_to_the_dlq(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    (bad,) = queues.send("bad")

    def fail_and_time_out(event: dict[str, Any]) -> dict[str, Any]:
        queues.expire(event)
        return {"batchItemFailures": [{"itemIdentifier": bad}]}

    function = Function(answer=fail_and_time_out)
    poller = a_poller(queues, sqs, function, output)

    outcomes = [poller.poll_once(), poller.poll_once(), poller.poll_once()]

    assert [o is not None for o in outcomes] == [True, True, False]  # the third receive moved it
    receive_counts = [e["Records"][0]["attributes"]["ApproximateReceiveCount"] for e in function.events]
    assert receive_counts == ["1", "2"]
    assert queues.count() == 0
    assert queues.bodies(queues.dlq_url) == ["bad"]
    assert "1 of them to the DLQ at the next receive" in output.getvalue()


def test_a_function_error_deletes_nothing(queues: Queues, sqs: Any, output: io.StringIO) -> None:
    queues.send("a", "b")
    function = Function(answer=FunctionFailed("Sandbox.Timedout"))

    outcome = a_poller(queues, sqs, function, output).poll_once()

    assert outcome is not None
    assert (len(outcome.failed), outcome.deleted, outcome.error) == (2, (), "Sandbox.Timedout")
    assert queues.count() == 2
    assert "0 done, 2 back to the queue (Sandbox.Timedout)" in output.getvalue()


def test_without_report_batch_item_failures_a_return_deletes_everything(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    (message,) = queues.send("a")
    function = Function(answer={"batchItemFailures": [{"itemIdentifier": message}]})

    a_poller(queues, sqs, function, output, report_batch_item_failures=False).poll_once()

    assert queues.count() == 0


@pytest.mark.parametrize(
    ("answer", "failed"),
    [
        (None, set()),
        ({}, set()),
        ({"statusCode": 200}, set()),
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m1"}]}, {"m1"}),
        ("not an object", None),
        ({"batchItemFailures": "m1"}, None),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, None),
        ({"batchItemFailures": [{"id": "m1"}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": "elsewhere"}]}, None),
        ({"batchItemFailures": ["m1"]}, None),
    ],
)
def test_batch_item_failures_are_read_as_lambda_reads_them(answer: Any, failed: set[str] | None) -> None:
    assert failed_message_ids(answer, ["m1", "m2"]) == failed


def test_an_invalid_answer_fails_the_whole_batch(queues: Queues, sqs: Any, output: io.StringIO) -> None:
    queues.send("a", "b")
    function = Function(answer={"batchItemFailures": [{"itemIdentifier": "not-in-the-batch"}]})

    outcome = a_poller(queues, sqs, function, output).poll_once()

    assert outcome is not None
    assert (len(outcome.failed), outcome.error) == (2, "InvalidBatchItemFailures")
    assert queues.count() == 2


def test_a_batch_larger_than_ten_is_gathered_from_several_receives(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    queues.send(*[f"m{n}" for n in range(15)])
    function = Function()

    outcome = a_poller(queues, sqs, function, output, batch_size=12).poll_once()

    assert outcome is not None
    assert outcome.received == len(function.events[0]["Records"]) == 12
    assert queues.count() == 3


def test_filters_drop_what_matches_none_of_them(queues: Queues, sqs: Any, output: io.StringIO) -> None:
    queues.send('{"kind": "a"}', '{"kind": "b"}', "plain", "[1]")
    function = Function()
    pattern = compile_pattern({"body": {"kind": ["a"]}})

    outcome = a_poller(queues, sqs, function, output, filters=(pattern,)).poll_once()

    assert outcome is not None
    assert [r["body"] for r in function.events[0]["Records"]] == ['{"kind": "a"}']
    assert len(outcome.filtered) == 3
    assert queues.count() == 0
    assert "3 filtered out" in output.getvalue()


def test_a_batch_the_filters_drop_entirely_invokes_nothing(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    queues.send("plain")
    function = Function()
    pattern = compile_pattern({"body": [{"prefix": "{"}]})

    outcome = a_poller(queues, sqs, function, output, filters=(pattern,)).poll_once()

    assert outcome is not None
    assert (outcome.received, len(outcome.filtered)) == (1, 1)
    assert function.events == []


def test_a_refused_delete_is_reported_not_raised(queues: Queues, sqs: Any, output: io.StringIO) -> None:
    queues.send("a")

    def receipt_goes_stale(event: dict[str, Any]) -> None:
        sqs.purge_queue(QueueUrl=queues.url)  # the message is gone: its receipt handle too
        for record in event["Records"]:
            record["receiptHandle"] = "stale"

    a_poller(queues, sqs, Function(answer=receipt_goes_stale), output).poll_once()

    assert "a delete was refused: ReceiptHandleIsInvalid" in output.getvalue()


# ---------------------------------------------------------------------------------- the threads


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_pollers_drain_the_queue_at_most_max_concurrency_at_once(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def slow(event: dict[str, Any]) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    queues.send(*[f"m{n}" for n in range(12)])
    function = Function(answer=slow)
    poller = a_poller(queues, sqs, function, output, batch_size=2, concurrency=2)
    poller.start()
    try:
        wait_until(lambda: queues.count() == 0)
    finally:
        poller.stop()
        assert poller.join(5)
    assert 1 <= peak <= 2
    assert sum(len(e["Records"]) for e in function.events) == 12


def test_a_disabled_mapping_takes_nothing_until_enabled(
    queues: Queues, sqs: Any, output: io.StringIO
) -> None:
    function = Function()
    poller = a_poller(queues, sqs, function, output, enabled=False)
    poller.start()
    try:
        queues.send("waits")
        time.sleep(0.2)
        assert (poller.enabled, function.events, queues.count()) == (False, [], 1)
        assert poller.describe()["enabled"] is False

        poller.set_enabled(True)
        wait_until(lambda: queues.count() == 0)

        poller.set_enabled(False)  # returns once no poller is inside a batch
        queues.send("waits again")
        time.sleep(0.2)
        assert queues.count() == 1
    finally:
        poller.stop()
        assert poller.join(5)
    assert [r["body"] for e in function.events for r in e["Records"]] == ["waits"]


def test_a_polling_error_is_reported_and_polling_goes_on(
    sqs: Any, output: io.StringIO, queues: Queues
) -> None:
    function = Function()
    broken = a_mapping(queues, queue_url=queues.url + "-gone")
    poller = SqsPoller(
        broken, sqs=sqs, invoke=function, console=Console(output), region=REGION, wait_seconds=0
    )
    poller.start()
    try:
        wait_until(lambda: "polling failed: QueueDoesNotExist" in output.getvalue())
    finally:
        poller.stop()
        assert poller.join(5)


def test_describe_says_how_the_mapping_runs(queues: Queues, sqs: Any, output: io.StringIO) -> None:
    poller = a_poller(queues, sqs, Function(), output, maximum_concurrency=2, concurrency=2)

    assert poller.describe() == {
        "function": "Fn",
        "queue": "Source",
        "queue_url": queues.url,
        "batch_size": 5,
        "maximum_concurrency": 2,
        "pollers": 2,
        "report_batch_item_failures": True,
        "enabled": True,
    }
