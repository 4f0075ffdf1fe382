"""Functions run in worker processes as in Lambda: cold start once, state kept, failures contained.

These start real worker processes (pipes, no network) on small handlers written to a temporary folder.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.console import Console
from devstack.functions import FunctionSpec
from devstack.invoker import FunctionFailed, Invoker
from devstack.settings import REPO_ROOT

HANDLER = """
import json, os, sys, threading, time

print("init: module imported")  # the init phase's stdout is a log line too
invocations = 0
barrier = None


def handler(event, context):
    global invocations
    invocations += 1
    kind = event.get("kind")
    if kind == "raise":
        raise ValueError("the function failed")
    if kind == "sleep":
        time.sleep(event["seconds"])
    if kind == "exit":
        os._exit(3)
    if kind == "unserialisable":
        return {"value": object()}
    print(json.dumps({"level": "INFO", "message": "handled", "n": invocations}))
    return {
        "invocations": invocations,
        "pid": os.getpid(),
        "environment": dict(os.environ),
        "sys_path": sys.path,
        "context": {
            "function_name": context.function_name,
            "aws_request_id": context.aws_request_id,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }
"""


def spec(
    folder: Path, *, handler: str = "handler_module.handler", timeout: int = 5, reserved: int | None = None
) -> FunctionSpec:
    return FunctionSpec(
        logical_id="TestFunction",
        function_name="contact-intake-TestFunction",
        handler=handler,
        code_folder=str(folder),  # absolute: the worker joins it to the repo root
        layer_folders=(),
        environment={
            "AWS_LAMBDA_FUNCTION_NAME": "contact-intake-TestFunction",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "SETTING": "from-the-template",
        },
        timeout_seconds=timeout,
        memory_mb=256,
        region="eu-central-1",
        reserved_concurrency=reserved,
    )


class Output:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.console = Console(self.stream)

    @property
    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def wait_for(self, wanted: Callable[[str], bool], seconds: float = 10.0) -> bool:
        """True as soon as a line satisfies ``wanted``; False after ``seconds`` without one."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(wanted(line) for line in self.lines):
                return True
            time.sleep(0.01)
        return any(wanted(line) for line in self.lines)


@pytest.fixture
def code(tmp_path: Path) -> Path:
    (tmp_path / "handler_module.py").write_text(HANDLER, encoding="utf-8")
    return tmp_path


@pytest.fixture
def output() -> Output:
    return Output()


@pytest.fixture
def invoker(code: Path, output: Output) -> Iterator[Invoker]:
    running = Invoker(
        {"TestFunction": spec(code, timeout=2)}, repo_root=REPO_ROOT, console=output.console, pool_size=2
    )
    yield running
    running.stop()


def test_the_first_invocation_is_a_cold_start_and_later_ones_reuse_the_container(
    invoker: Invoker, output: Output
) -> None:
    first = invoker.invoke("TestFunction", {})
    second = invoker.invoke("TestFunction", {})

    assert (first["invocations"], second["invocations"]) == (1, 2)
    assert first["pid"] == second["pid"]
    reports = [line for line in output.lines if "REPORT RequestId:" in line]
    assert "Init Duration" in reports[0]
    assert "Init Duration" not in reports[1]


def test_the_function_sees_its_own_environment_and_code_only(invoker: Invoker, code: Path) -> None:
    result = invoker.invoke("TestFunction", {})

    assert set(result["environment"]) - {"LC_CTYPE"} == {
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "SETTING", "PYTHONPATH", "PATH",
    }  # fmt: skip
    assert str(REPO_ROOT) not in result["sys_path"]
    assert str(code) in result["sys_path"]


def test_the_context_is_lambdas(invoker: Invoker) -> None:
    context = invoker.invoke("TestFunction", {})["context"]

    assert context["function_name"] == "contact-intake-TestFunction"
    assert context["memory_limit_in_mb"] == "256"
    assert context["invoked_function_arn"].endswith(":function:contact-intake-TestFunction")
    assert len(context["aws_request_id"]) == 36
    assert 0 < context["remaining_ms"] <= 2000


def test_the_functions_stdout_is_a_prefixed_log_line_not_protocol(invoker: Invoker, output: Output) -> None:
    invoker.invoke("TestFunction", {})

    assert "[TestFunction] init: module imported" in output.lines
    # the logs come over the worker's stderr, copied by their own thread: the line may land just after
    # the result (stdout), so wait for it (bounded) rather than race it
    assert output.wait_for(
        lambda line: line.startswith('[TestFunction] {"level": "INFO", "message": "handled"')
    )


@pytest.mark.parametrize(
    ("event", "error_type"),
    [({"kind": "raise"}, "ValueError"), ({"kind": "unserialisable"}, "Runtime.MarshalError")],
)
def test_a_failure_is_a_function_error_and_the_container_lives_on(
    invoker: Invoker, event: dict[str, Any], error_type: str
) -> None:
    with pytest.raises(FunctionFailed) as failed:
        invoker.invoke("TestFunction", event)

    assert failed.value.error_type == error_type
    assert invoker.invoke("TestFunction", {})["invocations"] == 2


def test_a_raised_error_is_logged_as_lambda_logs_it(invoker: Invoker, output: Output) -> None:
    with pytest.raises(FunctionFailed):
        invoker.invoke("TestFunction", {"kind": "raise"})

    assert "[TestFunction] [ERROR] ValueError: the function failed" in output.lines
    assert "devstack: TestFunction failed: ValueError" in output.lines


def test_a_timeout_kills_the_container_and_the_next_invocation_cold_starts(invoker: Invoker) -> None:
    before = invoker.invoke("TestFunction", {})

    with pytest.raises(FunctionFailed) as failed:
        invoker.invoke("TestFunction", {"kind": "sleep", "seconds": 10})

    assert failed.value.error_type == "Sandbox.Timedout"
    after = invoker.invoke("TestFunction", {})
    assert after["pid"] != before["pid"]
    assert after["invocations"] == 1


def test_a_dead_container_is_replaced(invoker: Invoker) -> None:
    with pytest.raises(FunctionFailed) as failed:
        invoker.invoke("TestFunction", {"kind": "exit"})

    assert failed.value.error_type == "Runtime.ExitError"
    assert invoker.invoke("TestFunction", {})["invocations"] == 1


def test_an_import_error_is_an_init_error(code: Path, output: Output) -> None:
    broken = Invoker(
        {"Broken": spec(code, handler="no_such_module.handler")}, repo_root=REPO_ROOT, console=output.console
    )
    try:
        with pytest.raises(FunctionFailed) as failed:
            broken.invoke("Broken", {})
    finally:
        broken.stop()

    assert failed.value.error_type == "Runtime.ImportModuleError"


def test_overlapping_invocations_get_separate_containers_up_to_the_pool_size(invoker: Invoker) -> None:
    pids: list[int] = []

    def slow() -> None:
        pids.append(invoker.invoke("TestFunction", {"kind": "sleep", "seconds": 0.5})["pid"])

    threads = [threading.Thread(target=slow) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pids) == 3
    assert len(set(pids)) == 2  # pool_size 2: the third waited for a free container


def test_reserved_concurrency_caps_the_pool(code: Path, output: Output) -> None:
    single = Invoker(
        {"Single": spec(code, reserved=1)}, repo_root=REPO_ROOT, console=output.console, pool_size=4
    )
    off = Invoker({"Off": spec(code, reserved=0)}, repo_root=REPO_ROOT, console=output.console)
    pids: list[int] = []

    def slow() -> None:
        pids.append(single.invoke("Single", {"kind": "sleep", "seconds": 0.2})["pid"])

    threads = [threading.Thread(target=slow) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with pytest.raises(FunctionFailed, match="TooManyRequests"):
            off.invoke("Off", {})
    finally:
        single.stop()
        off.stop()

    assert len(set(pids)) == 1


def test_an_unknown_function_is_an_error(invoker: Invoker) -> None:
    with pytest.raises(FunctionFailed):
        invoker.invoke("NoSuchFunction", {})


def test_stop_ends_every_container(code: Path, output: Output) -> None:
    running = Invoker({"TestFunction": spec(code)}, repo_root=REPO_ROOT, console=output.console)
    running.invoke("TestFunction", {})

    running.stop()

    with pytest.raises(FunctionFailed):
        running.invoke("TestFunction", {})
