"""Running ``python -m devstack`` as the e2e tests do: on free ports, until the ready line, then SIGTERM.

Ports are chosen by the kernel (AWS_PORT=0, API_PORT=0), so parallel runs never collide; the API URL
comes from the ready line and everything else from ``/_local/resources.json``.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
READY = "devstack ready: "
# ready in seconds on an idle machine; the margin is for xdist workers starting one each on a busy 2-core
# one (a busier machine: DEVSTACK_START_TIMEOUT=<seconds>)
START_TIMEOUT_SECONDS = int(os.environ.get("DEVSTACK_START_TIMEOUT", "120"))
# SIGTERM lets in-flight invocations finish; on a loaded machine that can take a while
STOP_TIMEOUT_SECONDS = int(os.environ.get("DEVSTACK_STOP_TIMEOUT", "60"))


@dataclass
class RunningDevstack:
    api_url: str
    aws_endpoint: str
    resources_json: dict[str, Any]
    session: boto3.session.Session
    startup_seconds: float
    output: list[str] = field(default_factory=list)

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.aws_endpoint)  # type: ignore[call-overload]

    def resource(self, logical_id: str) -> str:
        return str(self.resources_json["resources"][logical_id])


def _pump(stream: Any, lines: list[str], arrivals: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))
        arrivals.put(line.rstrip("\n"))
    arrivals.put(None)


def _await_ready(process: subprocess.Popen[str], arrivals: queue.Queue[str | None], output: list[str]) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = arrivals.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            pytest.fail(f"devstack exited with {process.wait()} before it was ready:\n" + "\n".join(output))
        if line.startswith(READY):
            return line[len(READY) :].strip()
    process.kill()
    pytest.fail(f"devstack was not ready within {START_TIMEOUT_SECONDS} s:\n" + "\n".join(output))


def start_devstack() -> tuple[RunningDevstack, subprocess.Popen[str], threading.Thread]:
    """Start devstack and wait for its ready line (fails the test run after START_TIMEOUT_SECONDS)."""
    env = {**os.environ, "AWS_PORT": "0", "API_PORT": "0", "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    output: list[str] = []
    arrivals: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(process.stdout, output, arrivals), daemon=True)
    reader.start()
    api_url = _await_ready(process, arrivals, output)
    startup = time.monotonic() - started
    described = requests.get(f"{api_url}/_local/resources.json", timeout=10).json()
    session = boto3.session.Session(
        aws_access_key_id="local", aws_secret_access_key="local", region_name=described["region"]
    )
    stack = RunningDevstack(api_url, described["aws_endpoint"], described, session, startup, output)
    return stack, process, reader


def stop_devstack(process: subprocess.Popen[str], reader: threading.Thread) -> int:
    """SIGTERM, as a terminal or a process manager sends it; the exit code."""
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    reader.join(timeout=5)
    return code
