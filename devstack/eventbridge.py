"""EventBridge rules and schedules from the translated template, and Lambda's asynchronous invocation.

- ``EventBus.put`` takes an event as a producer sends it (``source``, ``detail-type``, ``detail``, optional
  ``time``/``id``/``resources``), wraps it in EventBridge's envelope (version, id, detail-type, source,
  account, time, region, resources, detail) and delivers it to the targets of every enabled
  ``AWS::Events::Rule`` whose ``EventPattern`` matches (a target's Input, InputPath or InputTransformer
  applied).
- ``Scheduler`` runs the targets of every rule with a ``ScheduleExpression`` (SAM ``Type: Schedule``) and of
  every ``AWS::Scheduler::Schedule`` (``ScheduleV2``) every ``DEVSTACK_SCHEDULE_SECONDS`` instead of on
  their expression, with the Scheduled Event EventBridge sends; ``run_now`` runs one at once.
- ``AsyncInvoker`` delivers as Lambda's asynchronous invocation does: a failed run is retried up to the
  function's ``EventInvokeConfig`` MaximumRetryAttempts (2 by default; locally at once, without Lambda's
  minutes of back-off), then the invocation record goes to its OnFailure SQS destination. Unlike AWS, the
  call returns when the delivery is over, so the caller (a test, a developer) sees what happened.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from devstack.console import Console
from devstack.event_patterns import EventPredicate, PatternError, compile_pattern
from devstack.event_sources import function_logical_id
from devstack.functions import FunctionSpec
from devstack.intrinsics import UnresolvableError
from devstack.invoker import FunctionFailed
from devstack.resources import ResourceMap, physical_name
from devstack.settings import ACCOUNT_ID

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

DEFAULT_ASYNC_RETRIES: Final = 2  # Lambda's default MaximumRetryAttempts for asynchronous invocations
DEFAULT_BUS: Final = "default"
_PLACEHOLDER: Final = re.compile(r"<([A-Za-z0-9_.$-]+)>")

Invoke = Callable[[str, dict[str, Any]], Any]


class EventError(ValueError):
    """A posted event EventBridge would refuse; the message says why."""


# ------------------------------------------------------------------------------------ asynchronous invokes


@dataclass(frozen=True)
class AsyncConfig:
    """A function's EventInvokeConfig: retries, and the SQS queue its failed invocations go to."""

    max_retries: int = DEFAULT_ASYNC_RETRIES
    on_failure_queue_url: str | None = None


@dataclass(frozen=True)
class Delivery:
    """The end of one asynchronous invocation."""

    function: str
    succeeded: bool
    attempts: int
    result: Any = None
    error: str | None = None
    dead_lettered_to: str | None = None  # the OnFailure queue's URL, when the record went there

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "function": self.function,
            "status": "succeeded" if self.succeeded else "failed",
            "attempts": self.attempts,
        }
        if self.succeeded:
            answer["result"] = self.result
        else:
            answer["error"] = self.error
        if self.dead_lettered_to:
            answer["on_failure"] = self.dead_lettered_to
        return answer


def async_configs(resource_map: ResourceMap, specs: Mapping[str, FunctionSpec]) -> dict[str, AsyncConfig]:
    """Each function's AWS::Lambda::EventInvokeConfig (only SQS destinations are delivered locally)."""
    configs: dict[str, AsyncConfig] = {}
    for resource in resource_map.template["Resources"].values():
        if resource.get("Type") != "AWS::Lambda::EventInvokeConfig":
            continue
        properties = resource.get("Properties") or {}
        function = function_logical_id(properties.get("FunctionName"), resource_map, specs)
        if function is None:
            continue
        read = resource_map.resolve(
            {k: properties[k] for k in ("MaximumRetryAttempts", "DestinationConfig") if k in properties}
        )
        destination = ((read.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        configs[function] = AsyncConfig(
            max_retries=int(read.get("MaximumRetryAttempts", DEFAULT_ASYNC_RETRIES)),
            on_failure_queue_url=_queue_url(resource_map, destination) if destination else None,
        )
    return configs


def _queue_url(resource_map: ResourceMap, arn: str) -> str | None:
    for logical_id, made in resource_map.created.items():
        if made.attributes.get("Arn") == arn and resource_map.resource_type(logical_id) == "AWS::SQS::Queue":
            return made.physical_id
    return None


@dataclass(frozen=True, eq=False, repr=False)
class AsyncInvoker:
    invoke: Invoke
    _: KW_ONLY
    specs: Mapping[str, FunctionSpec]
    configs: Mapping[str, AsyncConfig]
    sqs: SQSClient | None
    console: Console
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def deliver(self, function: str, event: dict[str, Any]) -> Delivery:
        """Invoke ``function`` with ``event`` as Lambda's asynchronous invocation would; never raises."""
        config = self.configs.get(function, AsyncConfig())
        error = "Unknown"
        attempts = 0
        for attempts in range(1, config.max_retries + 2):
            try:
                return Delivery(function, True, attempts, result=self.invoke(function, event))
            except FunctionFailed as failed:
                error = failed.error_type
            if error == "devstack.Stopping":  # devstack is shutting down: no retry, no failure record
                return Delivery(function, False, attempts, error=error)
        destination = None
        if config.on_failure_queue_url is not None and self.sqs is not None:
            record = self._failure_record(function, event, error, attempts)
            self.sqs.send_message(QueueUrl=config.on_failure_queue_url, MessageBody=json.dumps(record))
            destination = config.on_failure_queue_url
            self.console.info(
                f"{function}: asynchronous invocation failed {attempts} times; record sent to {destination}"
            )
        return Delivery(function, False, attempts, error=error, dead_lettered_to=destination)

    def _failure_record(
        self, function: str, event: dict[str, Any], error: str, attempts: int
    ) -> dict[str, Any]:
        """The invocation record Lambda sends to an OnFailure destination."""
        spec = self.specs.get(function)
        arn = f"{spec.arn}:$LATEST" if spec is not None else function
        return {
            "version": "1.0",
            "timestamp": self.clock()
            .astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": arn,
                "condition": "RetriesExhausted",
                "approximateInvokeCount": attempts,
            },
            "requestPayload": event,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorType": error, "errorMessage": error},
        }


# -------------------------------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Target:
    id: str
    function: str  # logical id
    input: str | None = None  # Input: constant JSON text
    input_path: str | None = None
    input_transformer: Mapping[str, Any] | None = None

    def payload(self, event: dict[str, Any]) -> Any:
        """What the target gets for ``event``: the event, or what Input/InputPath/InputTransformer make."""
        if self.input is not None:
            return json.loads(self.input)
        if self.input_path is not None:
            return json_path(event, self.input_path)
        if self.input_transformer is not None:
            return transform_input(event, self.input_transformer)
        return event


@dataclass(frozen=True, kw_only=True)
class Trigger:
    """What starts functions on its own, a rule or a schedule: its logical id and ARN, its targets, and
    whether it is enabled."""

    logical_id: str
    arn: str
    targets: tuple[Target, ...]
    enabled: bool = True


@dataclass(frozen=True, kw_only=True)
class Rule(Trigger):
    name: str
    event_bus: str = DEFAULT_BUS
    schedule: str | None = None  # the ScheduleExpression (a scheduled rule has no pattern)
    pattern: EventPredicate | None = field(default=None, repr=False)


def rules_from_template(
    resource_map: ResourceMap, specs: Mapping[str, FunctionSpec]
) -> tuple[list[Rule], list[str]]:
    """The template's AWS::Events::Rule resources with Lambda targets devstack runs; lines for the rest."""

    def read(logical_id: str, properties: Mapping[str, Any]) -> Rule | str:
        rule = _rule(resource_map, specs, logical_id, properties)
        return rule if rule.targets else "no target is a function devstack runs"

    return resource_map.read_each("AWS::Events::Rule", read, (UnresolvableError, PatternError, ValueError))


def _rule(
    resource_map: ResourceMap,
    specs: Mapping[str, FunctionSpec],
    logical_id: str,
    properties: Mapping[str, Any],
) -> Rule:
    read = resource_map.resolve(
        {
            k: properties[k]
            for k in ("Name", "EventPattern", "ScheduleExpression", "State", "EventBusName")
            if k in properties
        }
    )
    pattern = read.get("EventPattern")
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    targets = []
    for target in properties.get("Targets") or []:
        function = function_logical_id(target.get("Arn"), resource_map, specs)
        if function is None:
            continue
        extra = resource_map.resolve(
            {k: target[k] for k in ("Input", "InputPath", "InputTransformer") if k in target}
        )
        targets.append(
            Target(
                id=str(target.get("Id", function)),
                function=function,
                input=extra.get("Input"),
                input_path=extra.get("InputPath"),
                input_transformer=extra.get("InputTransformer"),
            )
        )
    bus = str(read.get("EventBusName", DEFAULT_BUS)).rsplit("/", 1)[-1]
    return Rule(
        logical_id=logical_id,
        name=str(read.get("Name") or physical_name(logical_id)),
        arn=resource_map.get_att(logical_id, "Arn"),
        targets=tuple(targets),
        event_bus=bus,
        enabled=str(read.get("State", "ENABLED")).upper() == "ENABLED",
        schedule=read.get("ScheduleExpression"),
        pattern=compile_pattern(pattern) if pattern is not None else None,
    )


def json_path(event: Any, path: str) -> Any:
    """InputPath / InputPathsMap: ``$``, ``$.detail``, ``$.detail.items[0]``; None when it is absent."""
    if path == "$":
        return event
    if not path.startswith("$."):
        raise ValueError(f"unsupported JSON path {path!r}")
    value = event
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path[2:]):
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            return None
    return value


def transform_input(event: dict[str, Any], transformer: Mapping[str, Any]) -> Any:
    """InputTransformer: InputTemplate's ``<name>`` placeholders filled from InputPathsMap (or aws.events.*).

    As in EventBridge, a placeholder inside a JSON string takes the (escaped) text; elsewhere the JSON value.
    """
    values = {name: json_path(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()}
    values |= {
        "aws.events.event": event,
        "aws.events.event.json": event,
        "aws.events.event.ingestion-time": event.get("time"),
    }
    template = str(transformer.get("InputTemplate", ""))

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        before = template[: match.start()]
        in_string = before.count('"') % 2 == 1
        if in_string:  # the text, escaped for its place inside a JSON string
            return json.dumps(value if isinstance(value, str) else json.dumps(value))[1:-1]
        return json.dumps(value)

    filled = _PLACEHOLDER.sub(fill, template)
    try:
        return json.loads(filled)
    except ValueError:
        return filled  # a plain-text template gives a string


def envelope(event: Mapping[str, Any], *, region: str, clock: Callable[[], datetime]) -> dict[str, Any]:
    """A producer's event (PutEvents' Source/DetailType/Detail, or their envelope names) in EventBridge's
    envelope; raises EventError for what PutEvents would refuse."""
    source = event.get("source", event.get("Source"))
    detail_type = event.get("detail-type", event.get("DetailType"))
    detail = event.get("detail", event.get("Detail", {}))
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            raise EventError("detail must be a JSON object") from None
    if not isinstance(source, str) or not source:
        raise EventError("source is required (a string)")
    if not isinstance(detail_type, str) or not detail_type:
        raise EventError("detail-type is required (a string)")
    if not isinstance(detail, dict):
        raise EventError("detail must be a JSON object")
    when = event.get("time", event.get("Time"))
    if when is None:
        when = clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    resources = event.get("resources", event.get("Resources", []))
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise EventError("resources must be a list of ARNs")
    return {
        "version": "0",
        "id": str(event.get("id") or uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT_ID,
        "time": str(when),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


class EventBus:
    """``POST /_local/events``: route an event by the template's rules and deliver it to their targets."""

    def __init__(
        self,
        rules: list[Rule],
        delivery: AsyncInvoker,
        *,
        region: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.rules = [rule for rule in rules if rule.pattern is not None]
        self._delivery = delivery
        self._region = region
        self._clock = clock

    def put(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The envelope sent, the rules that matched, and each target's delivery. Raises EventError."""
        sent = envelope(event, region=self._region, clock=self._clock)
        bus = str(event.get("event_bus_name", event.get("EventBusName", DEFAULT_BUS))).rsplit("/", 1)[-1]
        matched = []
        for rule in self.rules:
            assert rule.pattern is not None
            if not rule.enabled or rule.event_bus != bus or not rule.pattern(sent):
                continue
            deliveries = [
                {
                    "target": target.id,
                    **self._delivery.deliver(target.function, target.payload(sent)).as_json(),
                }
                for target in rule.targets
            ]
            matched.append({"rule": rule.logical_id, "targets": deliveries})
        return {"event": sent, "matched": matched}


# ---------------------------------------------------------------------------------------------- schedules


@dataclass(frozen=True, kw_only=True)
class Schedule(Trigger):
    expression: str
    scheduler: bool = False  # an AWS::Scheduler::Schedule (EventBridge Scheduler) rather than a rule

    def event(self, *, region: str, clock: Callable[[], datetime]) -> dict[str, Any]:
        """The Scheduled Event EventBridge sends for a scheduled rule (Scheduler sends the target's Input)."""
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": region,
            "resources": [self.arn],
            "detail": {},
        }


def schedules_from_template(
    resource_map: ResourceMap, specs: Mapping[str, FunctionSpec], rules: list[Rule]
) -> tuple[list[Schedule], list[str]]:
    """Scheduled rules, and AWS::Scheduler::Schedule resources with a function target."""

    def read(logical_id: str, properties: Mapping[str, Any]) -> Schedule | str:
        target = properties.get("Target") or {}
        function = function_logical_id(target.get("Arn"), resource_map, specs)
        if function is None:
            return "its target is not a function devstack runs"
        resolved = resource_map.resolve(
            {k: properties[k] for k in ("Name", "ScheduleExpression", "State") if k in properties}
        )
        given = resource_map.resolve(target.get("Input")) if "Input" in target else None
        name = str(resolved.get("Name") or physical_name(logical_id))
        return Schedule(
            logical_id=logical_id,
            expression=str(resolved.get("ScheduleExpression", "")),
            arn=f"arn:aws:scheduler:{resource_map.region}:{ACCOUNT_ID}:schedule/default/{name}",
            targets=(Target(id=logical_id, function=function, input=given if given is not None else "{}"),),
            enabled=str(resolved.get("State", "ENABLED")).upper() == "ENABLED",
            scheduler=True,
        )

    schedules = [
        Schedule(
            logical_id=rule.logical_id,
            expression=rule.schedule,
            arn=rule.arn,
            targets=rule.targets,
            enabled=rule.enabled,
        )
        for rule in rules
        if rule.schedule is not None
    ]
    scheduled, skipped = resource_map.read_each("AWS::Scheduler::Schedule", read)
    return schedules + scheduled, skipped


class Scheduler:
    """Runs each enabled schedule every ``interval_seconds`` (0: never on its own), one run at a time each."""

    def __init__(
        self,
        schedules: list[Schedule],
        delivery: AsyncInvoker,
        *,
        region: str,
        interval_seconds: float,
        console: Console,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.schedules = {schedule.logical_id: schedule for schedule in schedules}
        self.interval_seconds = interval_seconds
        self._delivery = delivery
        self._region = region
        self._console = console
        self._clock = clock
        self._locks = {logical_id: threading.Lock() for logical_id in self.schedules}
        self._stopping = threading.Event()
        self._ticker: threading.Thread | None = None
        self._runs: list[threading.Thread] = []  # periodic runs, started by the ticker only

    def start(self) -> None:
        if self.interval_seconds <= 0 or not self.schedules:
            return
        self._ticker = threading.Thread(target=self._tick, name="devstack-scheduler", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        self._stopping.set()

    def join(self, timeout: float) -> None:
        """Wait for the ticker, then for the runs it started (a run in progress ends with its function)."""
        if self._ticker is not None:
            self._ticker.join(timeout)
        for run in list(self._runs):
            run.join(timeout)

    def _tick(self) -> None:
        while not self._stopping.wait(self.interval_seconds):
            self._runs = [run for run in self._runs if run.is_alive()]
            for logical_id, schedule in self.schedules.items():
                lock = self._locks[logical_id]
                if schedule.enabled and lock.acquire(blocking=False):  # a run still going: skip this tick
                    runner = threading.Thread(
                        target=self._run_locked, args=(schedule, lock), name=f"{logical_id}-run", daemon=True
                    )
                    self._runs.append(runner)
                    runner.start()

    def _run_locked(self, schedule: Schedule, lock: threading.Lock) -> None:
        try:
            self._run(schedule, quiet=True)
        finally:
            lock.release()

    def run_now(self, logical_id: str) -> list[dict[str, Any]]:
        """Run one schedule at once (after a run in progress ends); raises KeyError for an unknown one."""
        schedule = self.schedules[logical_id]
        with self._locks[logical_id]:
            return self._run(schedule, quiet=False)

    def _run(self, schedule: Schedule, *, quiet: bool) -> list[dict[str, Any]]:
        """Deliver the schedule's event to its targets; a periodic run says something only when one fails."""
        event = schedule.event(region=self._region, clock=self._clock)
        deliveries = []
        for target in schedule.targets:
            delivery = self._delivery.deliver(target.function, target.payload(event))
            deliveries.append({"target": target.id, **delivery.as_json()})
            if not (quiet and delivery.succeeded):
                status = "ok" if delivery.succeeded else f"failed ({delivery.error})"
                self._console.info(f"schedule {schedule.logical_id} -> {target.function}: {status}")
        return deliveries
