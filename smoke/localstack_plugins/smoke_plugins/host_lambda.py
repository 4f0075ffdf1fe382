"""A LocalStack Lambda runtime executor that runs each Python function as a host subprocess (no Docker).

One process per execution environment, as Lambda keeps one per container: ``bootstrap.py`` imports the
handler once and answers invocations one at a time. The process gets what a Lambda runtime gets and no
more: the environment LocalStack computed for the function (its variables, credentials, and
AWS_ENDPOINT_URL back to the stack), the function's code then each layer's ``python/`` folder on
PYTHONPATH, and ``-S`` so nothing of this venv's site-packages leaks in, except boto3 and its own
dependencies (what the Lambda Python runtime provides), linked into one folder at the end of the path.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import NAMESPACE
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor

LOG = logging.getLogger(__name__)
BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
# what the Lambda Python runtime ships besides the standard library
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


@functools.cache
def runtime_packages_dir() -> str:
    """A folder with links to this venv's boto3 and its dependencies, and nothing else (made once)."""
    import boto3

    site = Path(boto3.__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="lambda-runtime-"))
    for name in RUNTIME_PACKAGES:
        if (site / name).exists():
            (folder / name).symlink_to(site / name)
    return str(folder)


class HostPythonExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # noqa: A002 - LocalStack's signature
        super().__init__(id=id, function_version=function_version)
        self._process: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str] = queue.Queue()
        self._logs: list[str] = []
        self._logs_lock = threading.Lock()

    def start(self, env_vars: dict[str, str]) -> None:
        fv_config = self.function_version.config
        if not str(fv_config.runtime or "").startswith("python"):
            raise LambdaRuntimeException(f"host-python runs Python functions only, not {fv_config.runtime}")
        code_dir = fv_config.code.get_unzipped_code_location()
        layer_dirs = [str(layer.code.get_unzipped_code_location() / "python") for layer in fv_config.layers]
        environment = {key: str(value) for key, value in env_vars.items()}
        environment.update(
            {
                "LAMBDA_TASK_ROOT": str(code_dir),
                "PYTHONPATH": os.pathsep.join([str(code_dir), *layer_dirs, runtime_packages_dir()]),
                "PYTHONDONTWRITEBYTECODE": "1",
                "PATH": "/usr/bin:/bin",
                "LANG": "C.UTF-8",
            }
        )
        self._process = subprocess.Popen(
            [sys.executable, "-S", "-u", str(BOOTSTRAP), str(fv_config.handler)],
            cwd=code_dir,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read_answers, daemon=True).start()
        threading.Thread(target=self._read_logs, daemon=True).start()
        ready = self._answer(timeout=config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT)
        if ready.get("status") != "ready":
            raise LambdaRuntimeException(f"the handler did not load: {ready.get('error')}")

    def _read_answers(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put("")  # the process ended

    def _read_logs(self) -> None:
        assert self._process is not None
        assert self._process.stderr is not None
        for line in self._process.stderr:
            with self._logs_lock:
                self._logs.append(line)

    def _answer(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            return {"status": "timeout"}
        if not line:
            return {"status": "exited", "error": self.get_logs()[-2000:]}
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _take_logs(self) -> str:
        with self._logs_lock:
            text = "".join(self._logs)
            self._logs.clear()
        return text

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        if self._process is None or self._process.stdin is None:
            raise LambdaRuntimeException("the execution environment is not started")
        request_id = payload["invoke-id"]
        timeout = int(self.function_version.config.timeout)
        request = {
            "request_id": request_id,
            "function_arn": payload["invoked-function-arn"],
            "payload": payload["payload"],
            "timeout_seconds": timeout,
        }
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = self._answer(timeout=timeout + 1)
        if answer.get("status") == "timeout":
            self.stop()
            error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"Task timed out after {timeout} seconds",
            }
            return InvocationResult(
                request_id, json.dumps(error).encode(), is_error=True, logs=self._take_logs()
            )
        if answer.get("status") == "exited":
            error = {"errorType": "Runtime.ExitError", "errorMessage": "the runtime exited"}
            return InvocationResult(
                request_id, json.dumps(error).encode(), is_error=True, logs=self._take_logs()
            )
        return InvocationResult(
            request_id,
            str(answer.get("result", "null")).encode(),
            is_error=bool(answer.get("is_error")),
            logs=self._take_logs(),
        )

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        return f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}{NAMESPACE}/{self.id}"

    def get_logs(self) -> str:
        with self._logs_lock:
            return "".join(self._logs)

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()
        for layer in function_version.config.layers:
            if layer.code:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Nothing to clean: the unzipped code is LocalStack's and goes with its temporary folder."""


class HostPythonExecutorPlugin(RuntimeExecutorPlugin):
    name = "host-python"

    def load(self, *args: Any, **kwargs: Any) -> type[RuntimeExecutor]:
        return HostPythonExecutor
