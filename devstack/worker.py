"""One function's container: ``python -m devstack.worker <module.function>``.

Like a Lambda execution environment it imports the handler once (the init phase, a real cold start),
keeps module state between invocations, and runs one invocation at a time.

Protocol, JSON lines: requests arrive on the original stdin, answers leave on the original stdout.
The function itself never sees those pipes: its stdin is /dev/null and its stdout (where Powertools
writes logs and EMF metrics) is pointed at stderr, which devstack reads and prefixes with the function's
logical id. Messages:

    <- {"type": "ready", "init_ms": 812.3}  or  {"type": "init_error", "error": {...}}, then exit
    -> {"type": "invoke", "event": {...},
        "context": {"aws_request_id": ..., "invoked_function_arn": ..., "deadline_ms": ...}}
    <- {"type": "result", "result": ...}  or  {"type": "error", "error": {"errorType", "errorMessage"}}

Only the standard library is imported here: the function's own imports are part of its cold start.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, Any


class LambdaContext:
    """The context object the Lambda Python runtime passes (same attribute names and types)."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.aws_request_id: str = payload["aws_request_id"]
        self.invoked_function_arn: str = payload["invoked_function_arn"]
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a str, as in Lambda
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = f"local/{payload['aws_request_id']}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms: int = payload["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, str]:
    return {"errorType": error_type or type(exc).__name__, "errorMessage": str(exc)}


def _log_exception(exc: BaseException) -> None:
    """As the Lambda runtime does: the error and its traceback go to the function's log."""
    sys.stderr.write(f"[ERROR] {type(exc).__name__}: {exc}\n")
    sys.stderr.write("".join(traceback.format_exception(exc)))
    sys.stderr.flush()


def load_handler(handler: str) -> Callable[[Any, LambdaContext], Any]:
    module_name, _, function_name = handler.rpartition(".")
    module = importlib.import_module(module_name)
    function: Callable[[Any, LambdaContext], Any] = getattr(module, function_name)
    return function


def invoke(function: Callable[[Any, LambdaContext], Any], message: dict[str, Any]) -> dict[str, Any]:
    """One invocation's answer message; never raises for the function's own failures."""
    try:
        result = function(message["event"], LambdaContext(message["context"]))
    except Exception as exc:
        _log_exception(exc)
        return {"type": "error", "error": _error(exc)}
    try:
        json.dumps(result)
    except (TypeError, ValueError) as exc:
        return {"type": "error", "error": _error(exc, "Runtime.MarshalError")}
    return {"type": "result", "result": result}


def _take_protocol_pipes() -> tuple[IO[str], IO[str]]:
    """Keep stdin/stdout for the protocol; give the function /dev/null and stderr instead."""
    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    return protocol_in, protocol_out


def _send(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message, separators=(",", ":")) + "\n")
    stream.flush()


def main(argv: list[str]) -> int:
    protocol_in, protocol_out = _take_protocol_pipes()
    # `python -m` put the repo root first on sys.path; a Lambda function sees only its code and layers.
    sys.path[:] = [p for p in sys.path if p not in {"", os.getcwd()}]
    started = time.perf_counter()
    try:
        function = load_handler(argv[1])
    except Exception as exc:
        _log_exception(exc)
        _send(protocol_out, {"type": "init_error", "error": _error(exc, "Runtime.ImportModuleError")})
        return 1
    _send(protocol_out, {"type": "ready", "init_ms": round((time.perf_counter() - started) * 1000, 1)})
    for line in protocol_in:
        answer = invoke(function, json.loads(line))
        sys.stdout.flush()
        _send(protocol_out, answer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
