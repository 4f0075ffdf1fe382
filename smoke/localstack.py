"""LocalStack's open-source core as a host process (no Docker), on a loopback port, kept off the internet.

Its configuration (localstack/config.py) is given explicitly, the rest of the environment left out:
- GATEWAY_LISTEN / LOCALSTACK_HOST: one loopback port, and every URL it hands out (queue URLs) on it;
  GATEWAY_SERVER=hypercorn: its default server (twisted) binds the port on every IPv4 interface whatever
  GATEWAY_LISTEN's host says, hypercorn binds 127.0.0.1 only;
- DNS_ADDRESS=0: no DNS server (it would bind port 53 on every interface);
- DISABLE_EVENTS=1: no usage analytics sent out; SKIP_SSL_CERT_DOWNLOAD=1: no certificate download
  (the gateway speaks plain HTTP here anyway); API_ENDPOINT and ANALYTICS_API on a closed loopback port:
  what it still asks its vendor's platform (the CloudFormation engine's catalog of supported resource
  types, asked with no timeout) is refused at once instead of leaving the machine;
- PROVIDER_OVERRIDE_DYNAMODB=moto and LAMBDA_RUNTIME_EXECUTOR=host-python: the two in-repo plugins
  (smoke/localstack_plugins) instead of DynamoDB Local (Java, downloaded) and Docker;
- SQS_ENDPOINT_STRATEGY=path: queue URLs on the gateway's own host and port (no DNS name to resolve);
  CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES stays on: without the vendor's catalog the engine would call every
  type unsupported. A type it cannot create is then skipped with a log line, so the smoke checks each
  kind of resource through its own service's API and reports the skipped ones (smoke/inventory.py);
- TEMP: its files (unzipped code, state) in this run's temporary folder, removed afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parents[1]
PLUGINS = REPO_ROOT / "smoke" / "localstack_plugins"
CLOSED_PORT_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there, a connection is refused


class LocalStack:
    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log_path = workdir / "localstack.log"
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def environment(self) -> dict[str, str]:
        tmp = self._workdir / "tmp"
        tmp.mkdir(exist_ok=True)
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self._workdir)),
            "LANG": "C.UTF-8",
            "TEMP": str(tmp),
            "PYTHONPATH": str(PLUGINS),
            "GATEWAY_LISTEN": f"127.0.0.1:{self.port}",
            "LOCALSTACK_HOST": f"127.0.0.1:{self.port}",
            "GATEWAY_SERVER": "hypercorn",
            "DNS_ADDRESS": "0",
            "DISABLE_EVENTS": "1",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "PROVIDER_OVERRIDE_DYNAMODB": "moto",
            "LAMBDA_RUNTIME_EXECUTOR": "host-python",
            "API_ENDPOINT": CLOSED_PORT_URL,
            "ANALYTICS_API": CLOSED_PORT_URL,
            "SQS_ENDPOINT_STRATEGY": "path",
            "AWS_DEFAULT_REGION": "eu-central-1",
        }

    def start(self, timeout: float = 60.0) -> None:
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "localstack.runtime.main"],
            env=self.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its Lambda subprocesses go with it: stop() ends the whole group
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"LocalStack exited with {self._process.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_localstack/health", timeout=1) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"LocalStack was not ready within {timeout:g} s: {self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to its process group, then SIGKILL after 10 s; safe to call twice."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
