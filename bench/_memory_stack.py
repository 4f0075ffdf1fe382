"""What bench/memory.py runs the functions against: devstack's pieces without devstack's triggers.

- a ThreadedMotoServer in this process, with every table, queue and bucket of template.yaml created by
  ``devstack.resources.create_resources`` (the integration tests' and devstack's helper) and devstack's local
  secrets (``devstack.local_secrets.seed_local_secrets``);
- devstack's third-party emulators on one local HTTP server: siteverify, the Freshdesk API v2 emulator and
  the sent-mail capture (SES itself is moto's);
- each function's exact environment from the template (``devstack.functions.function_specs``: Globals and
  the function's own variables resolved to the local resources, plus the emulators' URLs);
- ``Probe``: one function in a fresh interpreter (bench/_memory_probe.py), invoked event by event.

No SQS pollers, schedules or S3 notifications run: the benchmark hands every event to the function itself,
so what each probe does, and when, is the benchmark's choice.
"""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench._intake import ROOT

if TYPE_CHECKING:
    from devstack.emulators.helpdesk import HelpdeskEmulator
    from devstack.functions import FunctionSpec
    from devstack.resources import AwsClients, ResourceMap

PROBE = Path(__file__).resolve().parent / "_memory_probe.py"
REGION = "eu-central-1"
# the Origin of the sample API events (events/intake_*.json); allowed here as the shop's site
SAMPLE_ORIGIN = "https://www.example.com"
INIT_TIMEOUT_SECONDS = 60.0


@dataclass
class Stack:
    aws_endpoint: str
    api_url: str
    resources: ResourceMap
    specs: dict[str, FunctionSpec]
    aws: AwsClients
    helpdesk: HelpdeskEmulator
    # third-party HTTP calls the functions made (by emulator prefix and method)
    http_calls: Counter[str] = field(default_factory=Counter)

    def name(self, logical_id: str) -> str:
        return str(self.resources.resources[logical_id])


def _resources(endpoint: str, api_port: int, console: Any) -> tuple[ResourceMap, AwsClients]:
    """The template's tables, queues and buckets in moto at ``endpoint``, and devstack's local secrets."""
    import boto3

    from devstack.local_secrets import seed_local_secrets
    from devstack.resources import AwsClients, create_resources
    from devstack.settings import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, local_parameter_values
    from devstack.template import load_template, placeholder_values

    session = boto3.session.Session(
        aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY, region_name=REGION
    )
    template = load_template(ROOT / "template.yaml")
    overrides = local_parameter_values(api_port)
    overrides["AllowedOrigins"] = f"{SAMPLE_ORIGIN},{overrides['AllowedOrigins']}"
    overrides.update(placeholder_values(template, overrides))
    resources = create_resources(session, template, overrides, endpoint_url=endpoint)
    aws = AwsClients(session, endpoint)
    seed_local_secrets(aws, resources.parameters)
    return resources, aws


@contextmanager
def local_stack() -> Iterator[Stack]:
    """moto, the template's resources and secrets, and the emulators on 127.0.0.1; stopped on exit."""
    import logging

    from moto.server import ThreadedMotoServer

    from devstack.console import Console
    from devstack.emulators import EmulatorRegistry
    from devstack.emulators.captcha import SiteverifyEmulator
    from devstack.emulators.helpdesk import HelpdeskEmulator
    from devstack.emulators.mail import mail_emulators
    from devstack.functions import function_specs
    from devstack.http import ApiServer, HttpRequest, HttpResponse
    from devstack.local_secrets import RECAPTCHA_SECRET
    from devstack.settings import HOST, LOCAL_ACCESS_KEY, LOCAL_FUNCTION_VARIABLES, LOCAL_SECRET_KEY

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    console = Console(io.StringIO())  # devstack's info lines are not this benchmark's output
    moto = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
    moto.start()
    registry: list[Any] = []
    http_calls: Counter[str] = Counter()

    def application(request: HttpRequest) -> HttpResponse:
        for prefix in ("/_local/captcha", "/_local/helpdesk", "/_local/mail"):
            if request.path.startswith(prefix):
                http_calls[f"{prefix.removeprefix('/_local/')} {request.method}"] += 1
        response: HttpResponse = registry[0].handle(request)
        return response

    server = ApiServer(HOST, 0, application, console)
    helpdesk: HelpdeskEmulator | None = None
    try:
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        api_url = f"http://{HOST}:{server.port}"
        resources, aws = _resources(endpoint, server.port, console)
        helpdesk = HelpdeskEmulator()
        third_parties = [
            SiteverifyEmulator(RECAPTCHA_SECRET),
            helpdesk,
            *mail_emulators(aws, resources.parameters, console),
        ]
        registry.append(EmulatorRegistry(third_parties))
        local_environment: dict[str, str | None] = {
            **LOCAL_FUNCTION_VARIABLES,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY,
            **registry[0].environment(api_url),
        }
        specs, _ = function_specs(resources, local_environment)
        server.start()
        yield Stack(endpoint, api_url, resources, specs, aws, helpdesk, http_calls)
    finally:
        if helpdesk is not None:
            helpdesk.stop()  # as devstack does: a held request (none here) ends at once
        server.stop()
        _reset_moto(moto)
        moto.stop()


def _reset_moto(moto: Any) -> None:
    """Empty moto's backends, which live in this process and outlast the server: a second stack in the
    same run (intake_cold, then rights_cold) creates the template's resources afresh."""
    import urllib.request

    host, port = moto.get_host_and_port()
    request = urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (our own local moto)
        answer.read()


class ProbeFailed(RuntimeError):
    """The function's process failed to start, died, or overran its timeout."""


@dataclass(frozen=True)
class Answer:
    ok: bool  # the handler returned (False: it raised)
    result: Any
    error: str
    ms: float
    peak_kib: int  # VmHWM (bench/_memory_probe.py _memory)
    rss_kib: int
    ru_maxrss_kib: int
    log_bytes: int
    calls: dict[str, int]


class Probe:
    """One function in a fresh interpreter: its template environment, its code and layer on PYTHONPATH."""

    def __init__(self, spec: FunctionSpec, extra_environment: Mapping[str, str] | None = None) -> None:
        from devstack.invoker import worker_environment

        self.spec = spec
        self._dir = tempfile.TemporaryDirectory(prefix=f"bench-memory-{spec.logical_id}-")
        self.log_path = Path(self._dir.name) / "stdout.log"
        self.stderr_path = Path(self._dir.name) / "stderr.log"
        env = {**worker_environment(spec, ROOT), **(extra_environment or {})}
        env["BENCH_LOG_FILE"] = str(self.log_path)
        for key in ("HOME", "LANG", "TMPDIR"):
            if key in os.environ:
                env.setdefault(key, os.environ[key])
        self._stderr = self.stderr_path.open("w", encoding="utf-8")
        self._process = subprocess.Popen(
            [sys.executable, "-P", str(PROBE), spec.handler],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
        )
        ready = self._receive(INIT_TIMEOUT_SECONDS)
        if ready.get("type") != "ready":
            self.close()
            raise ProbeFailed(f"{spec.logical_id} did not start: {ready.get('error')}\n{self.stderr_tail()}")
        self.init_ms = float(ready["init_ms"])
        self.init_peak_kib = int(ready["peak_kib"])
        self.init_rss_kib = int(ready["rss_kib"])
        self.init_ru_maxrss_kib = int(ready["ru_maxrss_kib"])
        self.init_log_bytes = int(ready["log_bytes"])
        self.answers: list[Answer] = []

    def invoke(self, event: Mapping[str, Any]) -> Answer:
        """The function's answer to ``event`` (its result, or the error it raised), with its memory."""
        deadline_ms = int(time.time() * 1000) + self.spec.timeout_seconds * 1000
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps({"event": event, "deadline_ms": deadline_ms}) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise ProbeFailed(f"{self.spec.logical_id} is gone:\n{self.stderr_tail()}") from None
        message = self._receive(self.spec.timeout_seconds + 30.0)
        if message.get("type") not in {"result", "error"}:
            raise ProbeFailed(f"{self.spec.logical_id}: unexpected answer {message}")
        answer = Answer(
            ok=message["type"] == "result",
            result=message.get("result"),
            error=str(message.get("error", "")),
            ms=float(message["ms"]),
            peak_kib=int(message["peak_kib"]),
            rss_kib=int(message["rss_kib"]),
            ru_maxrss_kib=int(message["ru_maxrss_kib"]),
            log_bytes=int(message["log_bytes"]),
            calls=dict(message.get("calls") or {}),
        )
        self.answers.append(answer)
        return answer

    def _receive(self, timeout: float) -> dict[str, Any]:
        stdout = self._process.stdout
        assert stdout is not None
        readable, _, _ = select.select([stdout], [], [], timeout)
        if not readable:
            self._process.kill()
            raise ProbeFailed(f"{self.spec.logical_id}: no answer in {timeout:g} s\n{self.stderr_tail()}")
        line = stdout.readline()
        if not line:
            self._process.wait()
            raise ProbeFailed(
                f"{self.spec.logical_id} exited ({self._process.returncode}):\n{self.stderr_tail()}"
            )
        message: dict[str, Any] = json.loads(line)
        return message

    def stderr_tail(self, chars: int = 3000) -> str:
        self._stderr.flush()
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def close(self) -> None:
        """EOF on the probe's stdin, then wait (kill after a grace period); the temporary files go."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            with suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._stderr.close()
        self._dir.cleanup()
