"""The runtime loop of one host execution environment (started by host_lambda.HostPythonExecutor).

Imports the handler once, then per line on stdin ({request_id, function_arn, payload, timeout_seconds})
calls it with the event and a Lambda-like context and writes one JSON line on the original stdout:
{"result": <the handler's JSON answer or an error object>, "is_error": bool}. The function's own output
(print, logging) goes to stderr, which the executor hands to LocalStack as the invocation's logs.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from typing import Any


class Context:
    def __init__(self, request_id: str, function_arn: str, timeout_seconds: int) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the function's prints go to the log stream
    sys.stdout = sys.stderr
    module_name, _, function_name = sys.argv[1].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name.replace("/", ".")), function_name)
    except Exception as exc:
        traceback.print_exc()
        answers.write(json.dumps({"status": "failed", "error": _error(exc)}) + "\n")
        return
    answers.write(json.dumps({"status": "ready"}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        context = Context(request["request_id"], request["function_arn"], int(request["timeout_seconds"]))
        try:
            result = json.dumps(handler(json.loads(request["payload"] or "null"), context))
            is_error = False
        except Exception as exc:
            traceback.print_exc()
            result, is_error = json.dumps(_error(exc)), True
        answers.write(json.dumps({"status": "done", "result": result, "is_error": is_error}) + "\n")


if __name__ == "__main__":
    main()
