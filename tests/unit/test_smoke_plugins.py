"""The LocalStack plugins of make smoke, as far as they run without LocalStack: the host runtime loop
(smoke/localstack_plugins/smoke_plugins/bootstrap.py) and the entry points LocalStack finds them by."""

from __future__ import annotations

import ast
import configparser
import json
import subprocess
import sys
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "smoke" / "localstack_plugins"
BOOTSTRAP = PLUGINS / "smoke_plugins" / "bootstrap.py"

HANDLER = """
import os
import sys

print("loaded", file=sys.stderr)


def lambda_handler(event, context):
    print("a log line")  # goes to the log stream, not into the answer
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {
        "echo": event,
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "function": context.function_name,
        "time_left_positive": context.get_remaining_time_in_millis() > 0,
    }
"""


@pytest.fixture
def runtime(tmp_path: Path) -> subprocess.Popen[str]:
    (tmp_path / "app.py").write_text(HANDLER)
    process = subprocess.Popen(
        [sys.executable, "-S", "-u", str(BOOTSTRAP), "app.lambda_handler"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "AWS_LAMBDA_FUNCTION_NAME": "fn", "PATH": "/usr/bin:/bin"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process
    process.kill()
    process.wait(timeout=5)
    for stream in (process.stdin, process.stdout, process.stderr):
        assert stream is not None
        stream.close()


def ask(process: subprocess.Popen[str], payload: object, request_id: str) -> dict[str, object]:
    assert process.stdin is not None
    assert process.stdout is not None
    request = {
        "request_id": request_id,
        "function_arn": "arn:fn",
        "payload": json.dumps(payload),
        "timeout_seconds": 3,
    }
    process.stdin.write(json.dumps(request) + "\n")
    process.stdin.flush()
    answer: dict[str, object] = json.loads(process.stdout.readline())
    return answer


def test_the_runtime_loads_the_handler_once_and_answers_each_invocation(
    runtime: subprocess.Popen[str],
) -> None:
    assert runtime.stdout is not None
    assert json.loads(runtime.stdout.readline()) == {"status": "ready"}
    first = ask(runtime, {"n": 1}, "req-1")
    second = ask(runtime, {"n": 2}, "req-2")
    assert first["is_error"] is False
    assert json.loads(str(first["result"])) == {
        "echo": {"n": 1},
        "request_id": "req-1",
        "arn": "arn:fn",
        "function": "fn",
        "time_left_positive": True,
    }
    assert json.loads(str(second["result"]))["request_id"] == "req-2"


def test_a_raising_handler_answers_lambdas_error_shape_and_the_runtime_goes_on(
    runtime: subprocess.Popen[str],
) -> None:
    assert runtime.stdout is not None
    runtime.stdout.readline()  # ready
    failed = ask(runtime, {"fail": True}, "req-1")
    assert failed["is_error"] is True
    error = json.loads(str(failed["result"]))
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "asked to fail")
    assert ask(runtime, {}, "req-2")["is_error"] is False


def test_a_handler_that_cannot_be_imported_is_reported_at_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-S", str(BOOTSTRAP), "missing.lambda_handler"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        input="",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    answer = json.loads(result.stdout)
    assert answer["status"] == "failed"
    assert answer["error"]["errorType"] == "ModuleNotFoundError"


def test_each_entry_point_names_a_module_and_an_object_that_exist() -> None:
    (dist_info,) = PLUGINS.glob("*.dist-info")
    entry_points = configparser.ConfigParser(delimiters=("=",))
    entry_points.optionxform = str  # type: ignore[assignment,method-assign]
    entry_points.read(dist_info / "entry_points.txt")
    found = {}
    for section in entry_points.sections():
        for name, target in entry_points[section].items():
            module, _, attribute = target.strip().partition(":")
            source = PLUGINS.joinpath(*module.split(".")).with_suffix(".py")
            defined = {
                node.name
                for node in ast.parse(source.read_text()).body
                if isinstance(node, ast.FunctionDef | ast.ClassDef)
            }
            assert attribute in defined, f"{target} is not defined"
            found[(section, name)] = target
    assert set(found) == {
        ("localstack.aws.provider", "dynamodb:moto"),
        ("localstack.lambda.runtime_executor", "host-python"),
    }
