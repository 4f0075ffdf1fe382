"""EventBridge rules, schedules and Lambda's asynchronous invocation as devstack runs them, and their
/_local/ endpoints (/_local/events, /_local/schedules, /_local/event-sources), at the handler level."""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from devstack.console import Console
from devstack.emulators.triggers import EventsEndpoint, EventSourcesEndpoint, SchedulesEndpoint
from devstack.event_sources import SqsMapping, SqsPoller
from devstack.eventbridge import (
    AsyncConfig,
    AsyncInvoker,
    EventBus,
    EventError,
    Rule,
    Schedule,
    Scheduler,
    Target,
    async_configs,
    envelope,
    json_path,
    rules_from_template,
    schedules_from_template,
    transform_input,
)
from devstack.functions import function_specs
from devstack.http import HttpRequest, HttpResponse
from devstack.invoker import FunctionFailed
from devstack.resources import ResourceMap, create_resources
from tests.aws_support import REGION

NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


@pytest.fixture
def output() -> io.StringIO:
    return io.StringIO()


class Functions:
    """A stand-in for Invoker.invoke: per function a list of answers (an exception is raised)."""

    def __init__(self, **answers: list[Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, function: str, event: Any) -> Any:
        with self._lock:
            self.calls.append((function, event))
            queue = self.answers.get(function) or [{"ok": True}]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def a_delivery(functions: Functions, output: io.StringIO, **configs: AsyncConfig) -> AsyncInvoker:
    return AsyncInvoker(functions, specs={}, configs=configs, sqs=None, console=Console(output), clock=clock)


# ------------------------------------------------------------------------------------- the template


def test_the_account_events_rule_and_the_sweepers_schedule_come_from_the_template(
    repo_resources: ResourceMap,
) -> None:
    specs, _ = function_specs(repo_resources, {})

    rules, skipped = rules_from_template(repo_resources, specs)
    schedules, skipped_schedules = schedules_from_template(repo_resources, specs, rules)

    assert skipped == skipped_schedules == []
    by_id = {rule.logical_id: rule for rule in rules}
    accounts = by_id["AccountEventsFunctionShopAccountEvents"]
    assert [t.function for t in accounts.targets] == ["AccountEventsFunction"]
    assert accounts.pattern is not None
    assert accounts.pattern({"source": "shop.accounts", "detail-type": "AccountClosed"})
    assert not accounts.pattern({"source": "shop.accounts", "detail-type": "AccountDeleted"})
    assert accounts.arn == (
        "arn:aws:events:eu-central-1:123456789012:rule/contact-intake-AccountEventsFunctionShopAccountEvents"
    )
    (sweep,) = schedules
    assert (sweep.logical_id, sweep.expression) == ("SweeperFunctionSweep", "rate(1 hour)")
    assert [t.function for t in sweep.targets] == ["SweeperFunction"]


def test_the_functions_async_configs_come_from_the_template(repo_resources: ResourceMap) -> None:
    specs, _ = function_specs(repo_resources, {})

    configs = async_configs(repo_resources, specs)

    assert configs["AccountEventsFunction"] == AsyncConfig(2, repo_resources.ref("AccountEventsDLQ"))
    assert configs["SweeperFunction"] == AsyncConfig(1, None)


LAMBDA = {
    "Type": "AWS::Lambda::Function",
    "Properties": {
        "Handler": "m.handler",
        "Runtime": "python3.13",
        "Code": {"S3Bucket": "devstack-local-code", "S3Key": "functions/x"},
    },
}
FN_ARN = {"Fn::GetAtt": ["Fn", "Arn"]}


def test_rules_read_with_their_inputs_states_buses_and_conditions(session: boto3.session.Session) -> None:
    template = {
        "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
        "Resources": {
            "Fn": LAMBDA,
            "Constant": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Name": "constant-rule",
                    "EventPattern": json.dumps({"source": ["a"]}),
                    "State": "DISABLED",
                    "EventBusName": "arn:aws:events:eu-central-1:123456789012:event-bus/orders",
                    "Targets": [{"Arn": FN_ARN, "Id": "T1", "Input": '{"fixed": 1}'}],
                },
            },
            "Pathed": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": {"source": ["b"]},
                    "Targets": [{"Arn": FN_ARN, "Id": "T2", "InputPath": "$.detail"}],
                },
            },
            "Elsewhere": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": {"source": ["c"]},
                    "Targets": [{"Arn": "arn:aws:sns:eu-central-1:1:t", "Id": "X"}],
                },
            },
            "Broken": {
                "Type": "AWS::Events::Rule",
                "Properties": {"EventPattern": {"source": "c"}, "Targets": [{"Arn": FN_ARN}]},
            },
            "Off": {
                "Type": "AWS::Events::Rule",
                "Condition": "Never",
                "Properties": {"Targets": [{"Arn": FN_ARN}]},
            },
        },
    }
    resources = create_resources(session, template)

    rules, skipped = rules_from_template(resources, function_specs(resources, {})[0])

    by_id = {rule.logical_id: rule for rule in rules}
    assert sorted(by_id) == ["Constant", "Pathed"]
    constant = by_id["Constant"]
    assert (constant.name, constant.enabled, constant.event_bus) == ("constant-rule", False, "orders")
    assert constant.targets == (Target(id="T1", function="Fn", input='{"fixed": 1}'),)
    assert by_id["Pathed"].targets[0].input_path == "$.detail"
    assert sorted(line.split(":")[0] for line in skipped) == ["Broken", "Elsewhere"]


def test_scheduler_schedules_are_read_too(session: boto3.session.Session) -> None:
    template = {
        "Resources": {
            "Fn": LAMBDA,
            "Nightly": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "cron(0 3 * * ? *)",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {
                        "Arn": FN_ARN,
                        "RoleArn": "arn:aws:iam::123456789012:role/r",
                        "Input": '{"job": "n"}',
                    },
                },
            },
            "Plain": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(5 minutes)",
                    "State": "DISABLED",
                    "Target": {"Arn": FN_ARN},
                },
            },
            "Queue": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 day)",
                    "Target": {"Arn": "arn:aws:sqs:eu-central-1:1:q"},
                },
            },
            "Unresolvable": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {"ScheduleExpression": {"Ref": "Nothing"}, "Target": {"Arn": FN_ARN}},
            },
            "Off": {
                "Type": "AWS::Scheduler::Schedule",
                "Condition": "Never",
                "Properties": {"ScheduleExpression": "rate(1 day)", "Target": {"Arn": FN_ARN}},
            },
        },
        "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
    }
    resources = create_resources(session, template)
    specs, _ = function_specs(resources, {})

    schedules, skipped = schedules_from_template(resources, specs, [])

    by_id = {s.logical_id: s for s in schedules}
    nightly = by_id["Nightly"]
    assert (nightly.expression, nightly.enabled, nightly.scheduler) == ("cron(0 3 * * ? *)", True, True)
    assert (
        nightly.arn == "arn:aws:scheduler:eu-central-1:123456789012:schedule/default/contact-intake-Nightly"
    )
    assert nightly.targets[0].payload({"ignored": True}) == {"job": "n"}
    assert by_id["Plain"].enabled is False
    assert by_id["Plain"].targets[0].payload({}) == {}
    assert sorted(line.split(":")[0] for line in skipped) == ["Queue", "Unresolvable"]
    assert "Off" not in by_id  # its Condition is false: CloudFormation would not create it


# ---------------------------------------------------------------------------------------- envelopes


def an_envelope(detail_type: str, source: str, resources: list[str], detail: Any) -> dict[str, Any]:
    """The envelope EventBridge delivers, sent at the tests' clock (NOW) from the local account; its random
    id left out."""
    return {
        "version": "0",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-11-25T10:00:00Z",
        "region": REGION,
        "resources": resources,
        "detail": detail,
    }


def test_an_event_gets_eventbridges_envelope() -> None:
    sent = envelope(
        {"source": "shop.accounts", "detail-type": "AccountOpened", "detail": {"customer_number": "C-1"}},
        region=REGION,
        clock=clock,
    )

    assert sent.pop("id")
    assert sent == an_envelope("AccountOpened", "shop.accounts", [], {"customer_number": "C-1"})


def test_putevents_names_an_id_and_a_time_are_taken_as_given() -> None:
    sent = envelope(
        {
            "Source": "shop.accounts",
            "DetailType": "AccountClosed",
            "Detail": '{"customer_number": "C-1"}',
            "Time": "2026-01-02T03:04:05Z",
            "Resources": ["arn:x"],
            "id": "given-id",
        },
        region=REGION,
        clock=clock,
    )

    assert (sent["id"], sent["time"], sent["resources"], sent["detail"]) == (
        "given-id",
        "2026-01-02T03:04:05Z",
        ["arn:x"],
        {"customer_number": "C-1"},
    )


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"detail-type": "X", "detail": {}}, "source is required"),
        ({"source": "", "detail-type": "X"}, "source is required"),
        ({"source": "s", "detail": {}}, "detail-type is required"),
        ({"source": "s", "detail-type": "X", "detail": "{not json"}, "detail must be a JSON object"),
        ({"source": "s", "detail-type": "X", "detail": [1]}, "detail must be a JSON object"),
        ({"source": "s", "detail-type": "X", "resources": "arn:x"}, "resources must be a list"),
    ],
)
def test_an_event_putevents_would_refuse_is_an_error(event: dict[str, Any], message: str) -> None:
    with pytest.raises(EventError, match=message):
        envelope(event, region=REGION, clock=clock)


EVENT: dict[str, Any] = {
    "id": "e1",
    "source": "shop.accounts",
    "time": "2026-11-25T10:00:00Z",
    "detail": {"customer_number": "C-1", "items": [{"sku": "A"}, {"sku": "B"}], "note": 'say "hi"'},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", EVENT),
        ("$.detail.customer_number", "C-1"),
        ("$.detail.items[1].sku", "B"),
        ("$.detail.items[5]", None),
        ("$.detail.missing.deeper", None),
        ("$.source.nested", None),
    ],
)
def test_json_paths(path: str, expected: Any) -> None:
    assert json_path(EVENT, path) == expected


def test_an_unsupported_json_path_is_an_error() -> None:
    with pytest.raises(ValueError, match="unsupported JSON path"):
        json_path(EVENT, "detail")


def test_an_input_transformer_fills_its_template() -> None:
    transformer = {
        "InputPathsMap": {
            "customer": "$.detail.customer_number",
            "items": "$.detail.items",
            "note": "$.detail.note",
        },
        "InputTemplate": '{"who": "<customer>", "what": <items>, "text": "<note>", '
        '"when": "<aws.events.event.ingestion-time>", "keep": "<unknown>"}',
    }

    assert transform_input(EVENT, transformer) == {
        "who": "C-1",
        "what": [{"sku": "A"}, {"sku": "B"}],
        "text": 'say "hi"',
        "when": "2026-11-25T10:00:00Z",
        "keep": "<unknown>",
    }


def test_an_input_transformer_may_make_plain_text() -> None:
    transformer = {"InputPathsMap": {"c": "$.detail.customer_number"}, "InputTemplate": "Customer <c> closed"}

    assert transform_input(EVENT, transformer) == 'Customer "C-1" closed'


def test_a_targets_payload_is_the_event_unless_it_says_otherwise() -> None:
    assert Target("t", "Fn").payload(EVENT) == EVENT
    assert Target("t", "Fn", input="[1]").payload(EVENT) == [1]
    assert Target("t", "Fn", input_path="$.detail.customer_number").payload(EVENT) == "C-1"
    transformer = {"InputPathsMap": {"c": "$.detail.customer_number"}, "InputTemplate": '{"c": <c>}'}
    assert Target("t", "Fn", input_transformer=transformer).payload(EVENT) == {"c": "C-1"}


# --------------------------------------------------------------------------------- async invocations


def test_a_failed_asynchronous_invocation_is_retried(output: io.StringIO) -> None:
    functions = Functions(Fn=[FunctionFailed("ValueError"), {"done": 1}])

    delivery = a_delivery(functions, output).deliver("Fn", {"e": 1})

    assert (delivery.succeeded, delivery.attempts, delivery.result) == (True, 2, {"done": 1})
    assert delivery.as_json() == {
        "function": "Fn",
        "status": "succeeded",
        "attempts": 2,
        "result": {"done": 1},
    }


def test_after_its_retries_the_invocation_record_goes_to_the_on_failure_queue(
    session: boto3.session.Session, output: io.StringIO
) -> None:
    sqs = session.client("sqs")
    dlq = sqs.create_queue(QueueName="on-failure")["QueueUrl"]
    template = {"Resources": {"Fn": LAMBDA}}
    resources = create_resources(session, template)
    specs, _ = function_specs(resources, {})
    functions = Functions(Fn=[FunctionFailed("Sandbox.Timedout")])
    invoker = AsyncInvoker(
        functions,
        specs=specs,
        configs={"Fn": AsyncConfig(max_retries=1, on_failure_queue_url=dlq)},
        sqs=sqs,
        console=Console(output),
        clock=clock,
    )

    delivery = invoker.deliver("Fn", {"source": "shop.accounts"})

    assert (delivery.succeeded, delivery.attempts, delivery.error) == (False, 2, "Sandbox.Timedout")
    assert delivery.as_json()["on_failure"] == dlq
    (message,) = sqs.receive_message(QueueUrl=dlq)["Messages"]
    record = json.loads(message["Body"])
    assert record["version"] == "1.0"
    assert record["timestamp"] == "2026-11-25T10:00:00.000Z"
    assert record["requestContext"]["functionArn"] == f"{specs['Fn'].arn}:$LATEST"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"source": "shop.accounts"}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "Sandbox.Timedout"
    assert "failed 2 times; record sent to" in output.getvalue()


def test_without_a_config_lambdas_default_of_two_retries_applies(output: io.StringIO) -> None:
    functions = Functions(Fn=[FunctionFailed("ValueError")])

    delivery = a_delivery(functions, output).deliver("Fn", {})

    assert (delivery.succeeded, delivery.attempts) == (False, 3)
    assert delivery.as_json() == {"function": "Fn", "status": "failed", "attempts": 3, "error": "ValueError"}


def test_a_stopping_devstack_neither_retries_nor_records(output: io.StringIO) -> None:
    functions = Functions(Fn=[FunctionFailed("devstack.Stopping")])

    delivery = a_delivery(functions, output, Fn=AsyncConfig(5, "http://queue")).deliver("Fn", {})

    assert (delivery.attempts, delivery.dead_lettered_to) == (1, None)


# ------------------------------------------------------------------------------------------- the bus


def a_rule(logical_id: str, pattern: dict[str, Any], **fields: Any) -> Rule:
    from devstack.event_patterns import compile_pattern

    defaults: dict[str, Any] = {
        "name": logical_id,
        "arn": f"arn:{logical_id}",
        "targets": (Target("T", "Fn"),),
    }
    return Rule(logical_id=logical_id, pattern=compile_pattern(pattern), **{**defaults, **fields})


def a_bus(rules: list[Rule], functions: Functions, output: io.StringIO) -> EventBus:
    """An EventBus on the test's clock, delivering to ``functions``."""
    return EventBus(rules, a_delivery(functions, output), region=REGION, clock=clock)


def test_an_event_is_delivered_to_the_targets_of_the_rules_it_matches(output: io.StringIO) -> None:
    functions = Functions(Fn=[{"applied": True}])
    rules = [
        a_rule("Accounts", {"source": ["shop.accounts"]}),
        a_rule("Orders", {"source": ["shop.orders"]}),
        a_rule("Disabled", {"source": ["shop.accounts"]}, enabled=False),
        a_rule("OtherBus", {"source": ["shop.accounts"]}, event_bus="orders"),
        Rule(
            logical_id="Scheduled",
            name="s",
            arn="arn:s",
            targets=(Target("T", "Fn"),),
            schedule="rate(1 hour)",
        ),
    ]
    bus = a_bus(rules, functions, output)

    answer = bus.put({"source": "shop.accounts", "detail-type": "AccountOpened", "detail": {"n": 1}})

    assert [r.logical_id for r in bus.rules] == ["Accounts", "Orders", "Disabled", "OtherBus"]
    assert answer["matched"] == [
        {
            "rule": "Accounts",
            "targets": [
                {
                    "target": "T",
                    "function": "Fn",
                    "status": "succeeded",
                    "attempts": 1,
                    "result": {"applied": True},
                }
            ],
        }
    ]
    ((function, delivered),) = functions.calls
    assert function == "Fn"
    assert delivered == answer["event"]
    assert delivered["detail"] == {"n": 1}


def test_an_event_on_another_bus_reaches_that_bus_rules(output: io.StringIO) -> None:
    functions = Functions()
    bus = a_bus([a_rule("OtherBus", {"source": ["shop.accounts"]}, event_bus="orders")], functions, output)

    answer = bus.put(
        {"source": "shop.accounts", "detail-type": "X", "EventBusName": "arn:aws:events:r:1:event-bus/orders"}
    )

    assert [m["rule"] for m in answer["matched"]] == ["OtherBus"]


# ----------------------------------------------------------------------------------------- schedules


def a_schedule(logical_id: str = "Sweep", **fields: Any) -> Schedule:
    defaults: dict[str, Any] = {
        "expression": "rate(1 hour)",
        "arn": f"arn:aws:events:r:1:rule/{logical_id}",
        "targets": (Target("T", "Fn"),),
    }
    return Schedule(logical_id=logical_id, **{**defaults, **fields})


def a_scheduler(
    delivery: AsyncInvoker,
    output: io.StringIO,
    *,
    interval_seconds: float,
    schedules: list[Schedule] | None = None,
) -> Scheduler:
    """A Scheduler on the test's clock, telling ``output``; by default the one schedule of a_schedule()."""
    return Scheduler(
        [a_schedule()] if schedules is None else schedules,
        delivery,
        region=REGION,
        interval_seconds=interval_seconds,
        console=Console(output),
        clock=clock,
    )


def test_a_schedule_run_now_sends_the_scheduled_event(output: io.StringIO) -> None:
    functions = Functions(Fn=[{"erased": 0}])
    scheduler = a_scheduler(a_delivery(functions, output), output, interval_seconds=0)

    deliveries = scheduler.run_now("Sweep")

    assert deliveries == [
        {"target": "T", "function": "Fn", "status": "succeeded", "attempts": 1, "result": {"erased": 0}}
    ]
    ((_, event),) = functions.calls
    assert event.pop("id")
    assert event == an_envelope("Scheduled Event", "aws.events", ["arn:aws:events:r:1:rule/Sweep"], {})
    assert "schedule Sweep -> Fn: ok" in output.getvalue()
    with pytest.raises(KeyError):
        scheduler.run_now("Nothing")


def test_schedules_run_on_the_local_interval_and_stop(output: io.StringIO) -> None:
    functions = Functions(Fn=[FunctionFailed("ValueError")])
    schedules = [a_schedule(), a_schedule("Off", enabled=False)]
    delivery = AsyncInvoker(
        functions, specs={}, configs={"Fn": AsyncConfig(0)}, sqs=None, console=Console(output)
    )
    scheduler = a_scheduler(delivery, output, interval_seconds=0.02, schedules=schedules)

    scheduler.start()
    deadline = time.monotonic() + 10
    while len(functions.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    scheduler.stop()
    scheduler.join(5)
    count = len(functions.calls)
    time.sleep(0.1)

    assert count >= 2
    assert len(functions.calls) == count  # nothing runs after the stop
    assert "schedule Sweep -> Fn: failed (ValueError)" in output.getvalue()
    assert "Off" not in output.getvalue()


def test_a_tick_skips_a_schedule_whose_run_is_still_going(output: io.StringIO) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow(function: str, event: Any) -> None:
        started.set()
        release.wait(10)

    delivery = AsyncInvoker(slow, specs={}, configs={}, sqs=None, console=Console(output))
    scheduler = a_scheduler(delivery, output, interval_seconds=0.01)
    scheduler.start()
    try:
        assert started.wait(5)
        time.sleep(0.1)  # ticks pass while the run goes on
        assert sum(t.name == "Sweep-run" and t.is_alive() for t in threading.enumerate()) == 1
    finally:
        release.set()
        scheduler.stop()
        scheduler.join(5)


def test_interval_zero_runs_nothing_on_its_own(output: io.StringIO) -> None:
    functions = Functions()
    scheduler = a_scheduler(a_delivery(functions, output), output, interval_seconds=0)

    scheduler.start()
    scheduler.stop()
    scheduler.join(1)

    assert functions.calls == []


# ------------------------------------------------------------------------------------ the endpoints


def request(method: str, path: str, body: Any = None) -> HttpRequest:
    raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    return HttpRequest(method, path, body=raw)


def payload(response: HttpResponse) -> Any:
    return json.loads(response.body)


@pytest.fixture
def events(output: io.StringIO) -> EventsEndpoint:
    bus = a_bus([a_rule("Accounts", {"source": ["shop.accounts"]})], Functions(), output)
    return EventsEndpoint(bus)


def test_post_local_events_answers_the_envelope_and_the_matches(events: EventsEndpoint) -> None:
    response = events.handle(
        request(
            "POST",
            "/_local/events",
            {"source": "shop.accounts", "detail-type": "AccountOpened", "detail": {}},
        ),
        "",
    )

    assert response.status == 200
    answer = payload(response)
    assert answer["event"]["detail-type"] == "AccountOpened"
    assert [m["rule"] for m in answer["matched"]] == ["Accounts"]


def test_local_events_lists_the_rules_and_refuses_what_is_not_an_event(events: EventsEndpoint) -> None:
    assert payload(events.handle(request("GET", "/_local/events"), "/")) == {
        "rules": [{"rule": "Accounts", "enabled": True, "event_bus": "default", "targets": ["Fn"]}]
    }
    assert events.handle(request("POST", "/_local/events", b"[1]"), "").status == 400
    assert events.handle(request("POST", "/_local/events", b"\xff"), "").status == 400
    missing = events.handle(request("POST", "/_local/events", {"detail-type": "X"}), "")
    assert (missing.status, payload(missing)) == (400, {"message": "source is required (a string)"})
    assert events.handle(request("PUT", "/_local/events"), "").status == 405
    assert events.handle(request("GET", "/_local/events/x"), "/x").status == 404
    assert events.environment("http://x") == {}


def test_local_schedules_list_and_run(output: io.StringIO) -> None:
    functions = Functions(Fn=[{"erased": 1}])
    scheduler = a_scheduler(a_delivery(functions, output), output, interval_seconds=10)
    endpoint = SchedulesEndpoint(scheduler)

    listed = endpoint.handle(request("GET", "/_local/schedules"), "")
    ran = endpoint.handle(request("POST", "/_local/schedules/Sweep/run"), "/Sweep/run")

    assert payload(listed) == {
        "interval_seconds": 10,
        "schedules": [
            {"schedule": "Sweep", "expression": "rate(1 hour)", "enabled": True, "targets": ["Fn"]}
        ],
    }
    assert payload(ran) == {
        "schedule": "Sweep",
        "targets": [
            {"target": "T", "function": "Fn", "status": "succeeded", "attempts": 1, "result": {"erased": 1}}
        ],
    }
    unknown = endpoint.handle(request("POST", "/_local/schedules/Nope/run"), "/Nope/run")
    assert (unknown.status, payload(unknown)["message"]) == (404, "no schedule Nope (schedules: Sweep)")
    assert endpoint.handle(request("GET", "/_local/schedules/Sweep/run"), "/Sweep/run").status == 405
    assert endpoint.handle(request("POST", "/_local/schedules"), "").status == 405
    assert endpoint.handle(request("POST", "/_local/schedules/Sweep"), "/Sweep").status == 404
    assert endpoint.environment("http://x") == {}


def test_local_event_sources_list_pause_and_resume(output: io.StringIO) -> None:
    mapping = SqsMapping("FnMapping", "Fn", "Queue", "http://q", "arn:q")
    poller = SqsPoller(mapping, sqs=None, invoke=Functions(), console=Console(output), region=REGION)  # type: ignore[arg-type]
    endpoint = EventSourcesEndpoint({"FnMapping": poller})

    listed = payload(endpoint.handle(request("GET", "/_local/event-sources"), ""))
    paused = endpoint.handle(
        request("POST", "/_local/event-sources/FnMapping", {"enabled": False}), "/FnMapping"
    )
    one = payload(endpoint.handle(request("GET", "/_local/event-sources/FnMapping"), "/FnMapping"))
    resumed = endpoint.handle(
        request("POST", "/_local/event-sources/FnMapping", {"enabled": True}), "/FnMapping"
    )

    assert listed["FnMapping"]["enabled"] is True
    assert (paused.status, payload(paused)["enabled"], one["enabled"]) == (200, False, False)
    assert payload(resumed)["enabled"] is True
    assert (
        endpoint.handle(
            request("POST", "/_local/event-sources/FnMapping", {"enabled": "no"}), "/FnMapping"
        ).status
        == 400
    )
    assert endpoint.handle(request("GET", "/_local/event-sources/Nope"), "/Nope").status == 404
    assert endpoint.handle(request("DELETE", "/_local/event-sources/FnMapping"), "/FnMapping").status == 405
    assert endpoint.handle(request("POST", "/_local/event-sources"), "").status == 405
    assert endpoint.environment("http://x") == {}
