"""Invoking functions the way Lambda does: each in its own worker process (``devstack.worker``).

A worker is started on a function's first invocation (a real cold start), keeps its module state, and
runs one invocation at a time. A function gets up to ``pool_size`` workers, started only when
invocations overlap. A worker that dies, or overruns the function's Timeout (then it is killed, as Lambda
does), is replaced on the next invocation. Worker output is prefixed with the function's logical id.

This is the generic invocation layer: the API emulation, the SQS event sources, EventBridge rules and
schedules all invoke through ``Invoker.invoke``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, Final

from devstack.console import Console
from devstack.functions import FunctionSpec

INIT_TIMEOUT_SECONDS: Final = 30.0  # Lambda allows 10 s; a busy 2-core laptop running tests needs slack


class FunctionFailed(Exception):
    """The function raised, timed out, or its worker died; ``error_type`` says which."""

    def __init__(self, error_type: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type


def worker_environment(spec: FunctionSpec, repo_root: Path) -> dict[str, str]:
    """The worker's whole environment: the function's, its PYTHONPATH, and PATH. Nothing else leaks in."""
    return {
        **spec.environment,
        "PYTHONPATH": os.pathsep.join(str(repo_root / folder) for folder in spec.pythonpath),
        "PATH": os.environ.get("PATH", os.defpath),
    }


class Worker:
    """One worker process of one function: a Lambda execution environment."""

    def __init__(self, spec: FunctionSpec, repo_root: Path, console: Console) -> None:
        self.spec = spec
        self._console = console
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._init_ms: float | None = None
        self._ready = False
        self._process = subprocess.Popen(
            [sys.executable, "-m", "devstack.worker", spec.handler],
            cwd=repo_root,
            env=worker_environment(spec, repo_root),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert self._process.stdout is not None
        assert self._process.stderr is not None
        self._pump(self._read_messages, self._process.stdout)
        self._pump(self._copy_logs, self._process.stderr)

    def _pump(self, target: Callable[[IO[str]], None], stream: IO[str]) -> None:
        threading.Thread(
            target=target, args=(stream,), name=f"{self.spec.logical_id}-pipe", daemon=True
        ).start()

    def _read_messages(self, stream: IO[str]) -> None:
        for line in stream:
            try:
                self._messages.put(json.loads(line))
            except ValueError:
                self._console.function_line(self.spec.logical_id, "devstack: unreadable worker message")
        self._messages.put(None)  # the worker is gone

    def _copy_logs(self, stream: IO[str]) -> None:
        for line in stream:
            self._console.function_line(self.spec.logical_id, line.rstrip("\n"))

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        """The function's result; raises FunctionFailed (and leaves a dead worker) when it fails."""
        cold = not self._ready
        if cold:
            self._await_ready()
        started = time.perf_counter()
        deadline_ms = int(time.time() * 1000) + self.spec.timeout_seconds * 1000
        context = {
            "aws_request_id": request_id,
            "invoked_function_arn": self.spec.arn,
            "deadline_ms": deadline_ms,
        }
        self._send({"type": "invoke", "event": event, "context": context})
        answer = self._receive(self.spec.timeout_seconds, timeout_error="Sandbox.Timedout")
        duration = (time.perf_counter() - started) * 1000
        init = f" Init Duration: {self._init_ms:.2f} ms" if cold else ""
        self._console.function_line(
            self.spec.logical_id, f"REPORT RequestId: {request_id} Duration: {duration:.2f} ms{init}"
        )
        if answer["type"] == "result":
            return answer.get("result")
        raise FunctionFailed(str(answer.get("error", {}).get("errorType", "Unknown")))

    def _await_ready(self) -> None:
        message = self._receive(INIT_TIMEOUT_SECONDS, timeout_error="Runtime.InitTimeout")
        if message["type"] != "ready":
            self.stop()
            raise FunctionFailed(str(message.get("error", {}).get("errorType", "Runtime.InitError")))
        self._init_ms = float(message.get("init_ms", 0.0))
        self._ready = True

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(message, separators=(",", ":")) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise FunctionFailed("Runtime.ExitError") from None

    def _receive(self, timeout: float, *, timeout_error: str) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=timeout)
        except queue.Empty:
            self._console.function_line(
                self.spec.logical_id, f"devstack: {timeout_error} after {timeout:g} s"
            )
            self.kill()
            raise FunctionFailed(timeout_error) from None
        if message is None:
            self._process.wait()
            raise FunctionFailed("Runtime.ExitError")
        return message

    def kill(self) -> None:
        self._process.kill()
        self._process.wait()

    def close_input(self) -> None:
        """EOF on the worker's stdin: it exits once its invocation in progress (if any) is over."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(OSError):
                self._process.stdin.close()

    def stop(self, grace_seconds: float = 2.0) -> None:
        """End the worker: EOF on its stdin first, then SIGTERM, then SIGKILL."""
        self.close_input()
        for signal_it in (self._process.terminate, self._process.kill):
            try:
                self._process.wait(timeout=grace_seconds)
                return
            except subprocess.TimeoutExpired:
                signal_it()
        self._process.wait()


class FunctionPool:
    """Up to ``size`` workers of one function; each runs one invocation at a time."""

    def __init__(self, start_worker: Callable[[], Worker], size: int) -> None:
        self._start_worker = start_worker
        self._size = size
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._condition = threading.Condition()
        self._closed = False

    @property
    def size(self) -> int:
        return self._size

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        if self._size == 0:
            raise FunctionFailed("TooManyRequestsException")  # reserved concurrency 0: the function is off
        worker = self._acquire()
        try:
            return worker.invoke(event, request_id)
        finally:
            self._release(worker)

    def _acquire(self) -> Worker:
        with self._condition:
            while True:
                if self._closed:
                    raise FunctionFailed("devstack.Stopping")
                while self._idle:
                    worker = self._idle.pop()  # the warmest one, as Lambda reuses
                    if worker.alive:
                        return worker
                    self._all.discard(worker)
                if len(self._all) < self._size:
                    break
                self._condition.wait()
            worker = self._start_worker()  # Popen is quick; the cold start happens in invoke()
            self._all.add(worker)
            return worker

    def _release(self, worker: Worker) -> None:
        with self._condition:
            if worker.alive and not self._closed:
                self._idle.append(worker)
            else:
                self._all.discard(worker)
            self._condition.notify()

    def close(self) -> list[Worker]:
        """Take no more invocations; the workers, each told to exit (stop them to wait for it)."""
        with self._condition:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._condition.notify_all()
        for worker in workers:
            worker.close_input()
        return workers

    def stop(self) -> None:
        for worker in self.close():
            worker.stop()


def _pool_size(spec: FunctionSpec, pool_size: int) -> int:
    """devstack's pool size, capped by the function's reserved concurrency as Lambda caps it."""
    return pool_size if spec.reserved_concurrency is None else min(pool_size, spec.reserved_concurrency)


class Invoker:
    """Invokes any function of the template by logical id."""

    def __init__(
        self, specs: Mapping[str, FunctionSpec], *, repo_root: Path, console: Console, pool_size: int = 2
    ) -> None:
        self.specs = dict(specs)
        self._console = console
        self._pools = {
            logical_id: FunctionPool(self._starter(spec, repo_root), _pool_size(spec, pool_size))
            for logical_id, spec in specs.items()
        }

    def _starter(self, spec: FunctionSpec, repo_root: Path) -> Callable[[], Worker]:
        return lambda: Worker(spec, repo_root, self._console)

    def capacity(self, logical_id: str) -> int:
        """How many invocations of the function can run at once (its worker pool's size)."""
        pool = self._pools.get(logical_id)
        return pool.size if pool is not None else 0

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        """The function's result; raises FunctionFailed. A request id is made per invocation."""
        pool = self._pools.get(logical_id)
        if pool is None:
            raise FunctionFailed("devstack.UnknownFunction")
        try:
            return pool.invoke(event, str(uuid.uuid4()))
        except FunctionFailed as failed:
            self._console.info(f"{logical_id} failed: {failed.error_type}")
            raise

    def stop(self) -> None:
        """Stop every worker: all are told at once, then each is waited for (and killed if it lingers)."""
        workers = [worker for pool in self._pools.values() for worker in pool.close()]
        for worker in workers:
            worker.stop()
