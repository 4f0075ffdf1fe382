"""SQS event sources: every ``AWS::Lambda::EventSourceMapping`` on a local queue, polled as Lambda polls.

For each mapping up to ``MaximumConcurrency`` pollers (at most the function's worker pool) long-poll the
queue, build the SQS event Lambda builds (``Records`` with messageId, receiptHandle, body, attributes with
ApproximateReceiveCount, messageAttributes, md5OfBody, eventSource ``aws:sqs``, eventSourceARN, awsRegion),
invoke the function through the Invoker, and settle the batch as Lambda does:

- the function returned: every message is deleted, except, with ``ReportBatchItemFailures``, the ones it
  lists in ``batchItemFailures`` (an answer naming an id that is not in the batch, or an empty one, fails the
  whole batch, as Lambda's does);
- the function raised, timed out or its worker died: nothing is deleted.

What is not deleted becomes visible again after the queue's visibility timeout, and moto moves a message to
the queue's dead-letter queue once it has been received ``maxReceiveCount`` times (the redrive). A mapping's
``FilterCriteria`` drop (delete) the messages that match none of its patterns, as Lambda's filtering does.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from devstack.console import Console
from devstack.event_patterns import EventPredicate, PatternError, compile_pattern
from devstack.functions import FunctionSpec
from devstack.intrinsics import UnresolvableError
from devstack.invoker import FunctionFailed
from devstack.resources import ResourceMap

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

DEFAULT_BATCH_SIZE: Final = 10  # Lambda's default for SQS
RECEIVE_WAIT_SECONDS: Final = 1  # short long-polls: a poller notices a stop within about a second
MAX_RECEIVE: Final = 10  # SQS's MaxNumberOfMessages ceiling

Invoke = Callable[[str, dict[str, Any]], Any]
_READ: Final = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FunctionResponseTypes",
    "ScalingConfig",
    "Enabled",
    "FilterCriteria",
)


@dataclass(frozen=True)
class SqsMapping:
    """One event source mapping on a local queue, as read from the translated template."""

    logical_id: str
    function: str  # the function's logical id
    queue: str  # the queue's logical id
    queue_url: str
    queue_arn: str
    batch_size: int = DEFAULT_BATCH_SIZE
    batching_window_seconds: int = 0
    report_batch_item_failures: bool = False
    maximum_concurrency: int | None = None
    enabled: bool = True
    max_receive_count: int | None = None  # the queue's redrive policy, for the console only
    filters: tuple[EventPredicate, ...] = field(default=(), repr=False)

    def describe(self) -> str:
        parts = [f"batch {self.batch_size}"]
        if self.maximum_concurrency is not None:
            parts.append(f"at most {self.maximum_concurrency} at once")
        if self.report_batch_item_failures:
            parts.append("ReportBatchItemFailures")
        if self.max_receive_count is not None:
            parts.append(f"DLQ after {self.max_receive_count} receives")
        if self.filters:
            parts.append(f"{len(self.filters)} filter(s)")
        if not self.enabled:
            parts.append("disabled")
        return f"{self.queue} -> {self.function} ({', '.join(parts)})"


def function_logical_id(
    value: Any, resource_map: ResourceMap, specs: Mapping[str, FunctionSpec]
) -> str | None:
    """The logical id of the function a FunctionName / target Arn names (Ref, GetAtt, name or ARN)."""
    if isinstance(value, Mapping):
        if value.get("Ref") in specs:
            return str(value["Ref"])
        get_att = value.get("Fn::GetAtt")
        if isinstance(get_att, list) and get_att and get_att[0] in specs:
            return str(get_att[0])
    try:
        resolved = str(resource_map.resolve(value))
    except UnresolvableError:
        return None
    for logical_id, spec in specs.items():
        if resolved in {spec.function_name, spec.arn} or resolved.startswith(spec.arn + ":"):
            return logical_id
    return None


def sqs_mappings(
    resource_map: ResourceMap, specs: Mapping[str, FunctionSpec]
) -> tuple[list[SqsMapping], list[str]]:
    """The template's SQS event source mappings devstack can run, and a line for each one it cannot."""
    return resource_map.read_each(
        "AWS::Lambda::EventSourceMapping",
        lambda logical_id, properties: _mapping(resource_map, specs, logical_id, properties),
        (UnresolvableError, PatternError, ValueError, TypeError),
    )


def _mapping(
    resource_map: ResourceMap,
    specs: Mapping[str, FunctionSpec],
    logical_id: str,
    properties: Mapping[str, Any],
) -> SqsMapping | str:
    function = function_logical_id(properties.get("FunctionName"), resource_map, specs)
    if function is None:
        return "its function is not one devstack runs"
    source_arn = str(resource_map.resolve(properties.get("EventSourceArn")))
    queue = next(
        (
            lid
            for lid, made in resource_map.created.items()
            if made.attributes.get("Arn") == source_arn
            and resource_map.resource_type(lid) == "AWS::SQS::Queue"
        ),
        None,
    )
    if queue is None:
        return f"{source_arn} is not a local queue (only SQS event sources are emulated)"
    read = resource_map.resolve({key: properties[key] for key in _READ if key in properties})
    scaling = read.get("ScalingConfig") or {}
    queue_properties = resource_map.template["Resources"][queue].get("Properties") or {}
    redrive = resource_map.resolve(queue_properties.get("RedrivePolicy") or {})
    if isinstance(redrive, str):
        redrive = json.loads(redrive)
    patterns = [json.loads(f["Pattern"]) for f in (read.get("FilterCriteria") or {}).get("Filters") or []]
    return SqsMapping(
        logical_id=logical_id,
        function=function,
        queue=queue,
        queue_url=resource_map.ref(queue),
        queue_arn=source_arn,
        batch_size=int(read.get("BatchSize", DEFAULT_BATCH_SIZE)),
        batching_window_seconds=int(read.get("MaximumBatchingWindowInSeconds", 0)),
        report_batch_item_failures="ReportBatchItemFailures" in (read.get("FunctionResponseTypes") or []),
        maximum_concurrency=int(scaling["MaximumConcurrency"]) if "MaximumConcurrency" in scaling else None,
        enabled=str(read.get("Enabled", True)).lower() != "false",
        max_receive_count=int(redrive["maxReceiveCount"]) if "maxReceiveCount" in redrive else None,
        filters=tuple(compile_pattern(pattern) for pattern in patterns),
    )


def lambda_record(message: MessageTypeDef, queue_arn: str, region: str) -> dict[str, Any]:
    """One ``Records`` entry of the SQS event Lambda builds from a received message."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return attribute


def _filterable(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a filter pattern sees: the record, its body parsed when it is a JSON object (as Lambda does)."""
    try:
        body = json.loads(record["body"])
    except ValueError:
        body = record["body"]
    return {**record, "body": body if isinstance(body, dict) else record["body"]}


@dataclass(frozen=True)
class BatchOutcome:
    """What one batch came to: ids of the messages deleted, handed back, and dropped by the filters."""

    received: int
    deleted: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    filtered: tuple[str, ...] = ()
    error: str | None = None  # the function's error type, when the whole batch failed with one


def failed_message_ids(result: Any, batch_ids: Sequence[str]) -> set[str] | None:
    """The ids a ReportBatchItemFailures answer reports failed; None when the answer fails the whole batch.

    Success: no answer, an empty object, or an empty/null ``batchItemFailures``. The whole batch fails
    when the answer is not an object, or an entry has no, an empty or an unknown ``itemIdentifier``.
    """
    if result is None:
        return set()
    if not isinstance(result, Mapping):
        return None
    failures = result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    failed = set()
    for entry in failures:
        identifier = entry.get("itemIdentifier") if isinstance(entry, Mapping) else None
        if not isinstance(identifier, str) or identifier not in batch_ids:
            return None
        failed.add(identifier)
    return failed


class SqsPoller:
    """One mapping's pollers: ``concurrency`` threads, each receiving and invoking one batch at a time."""

    def __init__(
        self,
        mapping: SqsMapping,
        *,
        sqs: SQSClient,
        invoke: Invoke,
        console: Console,
        region: str,
        concurrency: int = 1,
        wait_seconds: int = RECEIVE_WAIT_SECONDS,
    ) -> None:
        self.mapping = mapping
        self.concurrency = max(1, concurrency)
        self._sqs = sqs
        self._invoke = invoke
        self._console = console
        self._region = region
        self._wait_seconds = wait_seconds
        self._stopping = threading.Event()
        self._enabled = threading.Event()
        if mapping.enabled:
            self._enabled.set()
        self._idle = threading.Condition()  # guards _busy, and the enabled check that precedes a batch
        self._busy = 0  # pollers inside a receive or a batch
        self._threads: list[threading.Thread] = []

    @property
    def enabled(self) -> bool:
        return self._enabled.is_set()

    def set_enabled(self, enabled: bool, timeout: float = 120.0) -> None:
        """Enable or disable the mapping (as ``UpdateEventSourceMapping --enabled``). Disabling returns once
        no poller is receiving or running a batch any more (at most ``timeout`` seconds): from then on
        nothing is taken from the queue."""
        with self._idle:
            if enabled:
                self._enabled.set()
                return
            self._enabled.clear()
            self._idle.wait_for(lambda: self._busy == 0, timeout)

    def describe(self) -> dict[str, Any]:
        m = self.mapping
        return {
            "function": m.function,
            "queue": m.queue,
            "queue_url": m.queue_url,
            "batch_size": m.batch_size,
            "maximum_concurrency": m.maximum_concurrency,
            "pollers": self.concurrency,
            "report_batch_item_failures": m.report_batch_item_failures,
            "enabled": self.enabled,
        }

    # --- running --------------------------------------------------------------------------------------

    def start(self) -> None:
        for index in range(self.concurrency):
            thread = threading.Thread(
                target=self._run, name=f"{self.mapping.logical_id}-poller-{index}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        """Ask the pollers to stop; a receive in progress ends within ``wait_seconds``."""
        self._stopping.set()
        self._enabled.set()  # wake disabled pollers so they see the stop

    def join(self, timeout: float) -> bool:
        """Wait for the pollers to end; False when one is still running after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def _run(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        while not self._stopping.is_set():
            with self._idle:
                enabled = self._enabled.is_set()
                if enabled:
                    self._busy += 1
            if not enabled:
                self._enabled.wait()
                continue
            try:
                self.poll_once()
            except (BotoCoreError, ClientError) as exc:
                if self._stopping.is_set():
                    return
                self._console.error(f"{self.mapping.logical_id}: polling failed: {type(exc).__name__}")
                self._stopping.wait(1.0)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    # --- one batch ------------------------------------------------------------------------------------

    def poll_once(self) -> BatchOutcome | None:
        """Receive one batch, invoke the function with it and settle it; None when the queue was empty."""
        messages = self._receive()
        if not messages:
            return None
        m = self.mapping
        records = [lambda_record(message, m.queue_arn, self._region) for message in messages]
        dropped = [r for r in records if m.filters and not any(f(_filterable(r)) for f in m.filters)]
        records = [r for r in records if r not in dropped]
        self._delete(dropped)
        if not records:
            return BatchOutcome(len(messages), filtered=_ids(dropped))
        outcome = self._invoke_batch(records)
        outcome = BatchOutcome(len(messages), outcome.deleted, outcome.failed, _ids(dropped), outcome.error)
        self._report(outcome, records)
        return outcome

    def _receive(self) -> list[MessageTypeDef]:
        """Up to BatchSize messages: one long-poll, then more while they come (or the batching window lasts).

        A message seen twice (its visibility ran out meanwhile) is in the batch once, with its newest receipt.
        """
        m = self.mapping
        batch = {
            message["MessageId"]: message for message in self._receive_some(m.batch_size, self._wait_seconds)
        }
        deadline = time.monotonic() + m.batching_window_seconds
        while batch and len(batch) < m.batch_size and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            more = self._receive_some(m.batch_size - len(batch), 1 if remaining > 0 else 0)
            new = [message for message in more if message["MessageId"] not in batch]
            batch.update((message["MessageId"], message) for message in more)
            if not new and remaining <= 0:
                break
        return list(batch.values())

    def _receive_some(self, count: int, wait_seconds: int) -> list[MessageTypeDef]:
        answer = self._sqs.receive_message(
            QueueUrl=self.mapping.queue_url,
            MaxNumberOfMessages=min(MAX_RECEIVE, count),
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(answer.get("Messages") or [])

    def _invoke_batch(self, records: list[dict[str, Any]]) -> BatchOutcome:
        ids = [r["messageId"] for r in records]
        try:
            result = self._invoke(self.mapping.function, {"Records": records})
        except FunctionFailed as failed:
            return BatchOutcome(len(records), failed=tuple(ids), error=failed.error_type)
        if not self.mapping.report_batch_item_failures:
            failed_ids: set[str] | None = set()
        else:
            failed_ids = failed_message_ids(result, ids)
        if failed_ids is None:
            m = self.mapping
            self._console.info(
                f"{m.logical_id}: invalid batchItemFailures from {m.function}: the batch failed"
            )
            return BatchOutcome(len(records), failed=tuple(ids), error="InvalidBatchItemFailures")
        done = [r for r in records if r["messageId"] not in failed_ids]
        self._delete(done)
        return BatchOutcome(len(records), deleted=_ids(done), failed=tuple(i for i in ids if i in failed_ids))

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), MAX_RECEIVE):
            chunk = records[start : start + MAX_RECEIVE]
            answer = self._sqs.delete_message_batch(
                QueueUrl=self.mapping.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": r["receiptHandle"]} for index, r in enumerate(chunk)
                ],
            )
            for failure in answer.get("Failed") or []:
                # the message was received again meanwhile (its visibility ran out): the newer receipt decides
                self._console.info(f"{self.mapping.logical_id}: a delete was refused: {failure.get('Code')}")

    def _report(self, outcome: BatchOutcome, records: list[dict[str, Any]]) -> None:
        m = self.mapping
        text = (
            f"{m.logical_id}: {outcome.received} from {m.queue} -> {m.function}: {len(outcome.deleted)} done"
        )
        if outcome.failed:
            text += f", {len(outcome.failed)} back to the queue"
            if outcome.error:
                text += f" ({outcome.error})"
            if m.max_receive_count is not None:
                last = [
                    r
                    for r in records
                    if r["messageId"] in outcome.failed
                    and int(r["attributes"].get("ApproximateReceiveCount", 0)) >= m.max_receive_count
                ]
                if last:
                    text += f", {len(last)} of them to the DLQ at the next receive"
        if outcome.filtered:
            text += f", {len(outcome.filtered)} filtered out"
        self._console.info(text)


def _ids(records: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(r["messageId"]) for r in records)
