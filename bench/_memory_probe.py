"""One function's container for bench/memory.py: ``python -P bench/_memory_probe.py module.function``.

Like devstack's worker (and a Lambda execution environment) it imports the handler once, keeps module state
between invocations and runs one invocation at a time; unlike it, every answer carries this process's
memory: ``peak_kib`` (the peak resident set, KiB: what Lambda's "Max Memory Used" reports; see ``_memory``
for why VmHWM rather than ``getrusage(RUSAGE_SELF).ru_maxrss``, which is reported alongside) and
``rss_kib`` (VmRSS now, for the leak check), plus the AWS API calls the invocation made and the bytes the
function has logged so far.

Protocol, JSON lines on the original stdin/stdout:

    <- {"type": "ready", "init_ms", "peak_kib", "rss_kib", "ru_maxrss_kib", "log_bytes"}
       or {"type": "init_error", "error"}
    -> {"event": {...}, "deadline_ms": ...}
    <- {"type": "result" | "error", "result" | "error", "ms", "calls", "peak_kib", "rss_kib", ...}

The function never sees the protocol pipes: its stdout (Powertools' JSON logs and EMF metrics) goes to the
file named by BENCH_LOG_FILE, its stdin is /dev/null. Only the standard library is imported before the
handler, and botocore is instrumented when the handler imports it (a post-import hook), not before: the
init figure is the function's own.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback
from typing import Any

CALLS: dict[str, int] = {}


def ru_maxrss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def status_kib() -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS (resident now) of this process, KiB; empty without /proc."""
    found = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    found[line[:5]] = int(line.split()[1])
    except OSError:
        pass
    return found


def _count_calls(client_module: Any) -> None:
    """Count every AWS API call by ``service.Operation`` (every call runs BaseClient._make_api_call)."""
    base = client_module.BaseClient
    original = base._make_api_call

    def counted(self: Any, operation_name: str, api_params: Any) -> Any:
        key = f"{self.meta.service_model.service_name}.{operation_name}"
        CALLS[key] = CALLS.get(key, 0) + 1
        return original(self, operation_name, api_params)

    base._make_api_call = counted


class _AfterImport:
    """A meta path finder that instruments ``botocore.client`` right after it is first imported."""

    target = "botocore.client"

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != self.target:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        execute = loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            _count_calls(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        sys.meta_path.remove(self)
        return spec


class LambdaContext:
    """The attributes of the Lambda Python runtime's context object that the functions read."""

    def __init__(self, deadline_ms: int, request_id: str) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
        self.invoked_function_arn = f"arn:aws:lambda:eu-central-1:123456789012:function:{self.function_name}"
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = f"bench/{request_id}"
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _take_pipes() -> tuple[Any, Any]:
    """Keep stdin/stdout for the protocol; the function gets /dev/null and the log file instead."""
    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    log = os.open(os.environ.get("BENCH_LOG_FILE", os.devnull), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.close(log)
    return protocol_in, protocol_out


def _log_bytes() -> int:
    sys.stdout.flush()
    try:
        return os.fstat(1).st_size
    except OSError:
        return 0


def _send(stream: Any, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message, separators=(",", ":"), default=str) + "\n")
    stream.flush()


def _memory() -> dict[str, int]:
    """``peak_kib``: VmHWM where /proc has it, else ru_maxrss. Both are the kernel's high-water mark of the
    resident set, but ru_maxrss also keeps the peak of the memory this process had before its exec: the
    forked copy of the parent (the benchmark, with moto loaded: ~300 MB). VmHWM starts at the exec."""
    status = status_kib()
    maxrss = ru_maxrss_kib()
    return {
        "peak_kib": status.get("VmHWM", maxrss),
        "rss_kib": status.get("VmRSS", 0),
        "ru_maxrss_kib": maxrss,
        "log_bytes": _log_bytes(),
    }


def main(handler: str) -> int:
    protocol_in, protocol_out = _take_pipes()
    sys.meta_path.insert(0, _AfterImport())
    started = time.perf_counter()
    try:
        module_name, _, function_name = handler.rpartition(".")
        function = getattr(__import__(module_name), function_name)
    except Exception as exc:
        traceback.print_exc()
        _send(protocol_out, {"type": "init_error", "error": f"{type(exc).__name__}: {exc}"})
        return 1
    init_ms = round((time.perf_counter() - started) * 1000, 1)
    _send(protocol_out, {"type": "ready", "init_ms": init_ms, **_memory()})
    for number, line in enumerate(protocol_in):
        message = json.loads(line)
        before = dict(CALLS)
        context = LambdaContext(int(message["deadline_ms"]), f"bench-{number:06d}")
        t0 = time.perf_counter()
        try:
            answer: dict[str, Any] = {"type": "result", "result": function(message["event"], context)}
        except Exception as exc:
            traceback.print_exc()
            answer = {"type": "error", "error": f"{type(exc).__name__}: {exc}"}
        answer["ms"] = round((time.perf_counter() - t0) * 1000, 2)
        answer["calls"] = {k: v - before.get(k, 0) for k, v in CALLS.items() if v != before.get(k, 0)}
        answer.update(_memory())
        _send(protocol_out, answer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
