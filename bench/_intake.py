"""What the intake benchmarks share: the function's environment, a valid API Gateway event and fast local
stand-ins for AWS (a moto server) and for Google's siteverify. The Lambda context is
bench._probe.lambda_context.

Nothing heavy is imported at module level: ``python -m bench intake_cold`` keeps its parent light.
"""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import os
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "layers" / "common"
INTAKE_FUNCTION = ROOT / "functions" / "intake"
PROBE = Path(__file__).resolve().parent / "_probe.py"
RESULT_PREFIX = "BENCH-RESULT "
# What the template needs without a default, for the benchmarks that create its resources on moto
# (devstack.resources.create_resources; the test suite's are tests/integration/conftest.py TEST_PARAMETERS)
TEMPLATE_PARAMETERS = {
    "AllowedOrigins": "https://shop.example",
    "ThankYouUrl": "https://shop.example/thanks",
    "CaptchaHostnames": "shop.example",
    "DpoPrincipalArn": "arn:aws:iam::123456789012:role/ContactIntakeDPO",
    "TelephonyPrincipalArn": "arn:aws:iam::123456789012:role/TelephonyRecordings",
    "HelpdeskDomain": "myshop",
}


def _assigned(node: ast.stmt, name: str) -> ast.expr | None:
    """The value assigned to ``name`` by this top-level statement, if it is such an assignment."""
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
        return node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
        return node.value
    return None


def _test_environment() -> dict[str, str]:
    """What the template gives IntakeFunction, as the test suite has it: TEST_ENVIRONMENT of
    tests/conftest.py, read by parsing, never importing it (importing the suite sets process-wide state)."""
    conftest = ROOT / "tests" / "conftest.py"
    tree = ast.parse(conftest.read_text(encoding="utf-8"))
    values = [v for v in (_assigned(node, "TEST_ENVIRONMENT") for node in tree.body) if v is not None]
    value = ast.literal_eval(values[-1]) if values else None
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise RuntimeError(f"{conftest} assigns no TEST_ENVIRONMENT dict literal of strings")


HANDLER_ENVIRONMENT: dict[str, str] = _test_environment()
SITEVERIFY_OK: dict[str, Any] = {
    "success": True,
    "hostname": "shop.example",
    "action": "contact",
    "score": 0.9,
    "challenge_ts": "2026-11-25T04:24:36Z",
}
# Variables of the parent's environment that would change what a child measures.
_NOT_INHERITED = ("AWS_", "POWERTOOLS_", "COVERAGE_", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE")


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A fresh interpreter's environment: the function's variables, the layer and the function folder on
    PYTHONPATH (as Lambda puts /opt/python and /var/task there), and nothing AWS from the parent."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
    env.update(HANDLER_ENVIRONMENT)
    env["PYTHONPATH"] = os.pathsep.join([str(LAYER), str(INTAKE_FUNCTION)])
    env.update(extra or {})
    return env


def use_handler_in_process() -> None:
    """Make ``import intake_handler`` work in this process, with the function's environment (this
    process is the benchmark's own: its AWS settings are replaced, nothing here may reach real AWS)."""
    for folder in (LAYER, INTAKE_FUNCTION):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    for key in [k for k in os.environ if k.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE"))]:
        del os.environ[key]
    os.environ.update(HANDLER_ENVIRONMENT)


@contextmanager
def output_to_devnull() -> Iterator[None]:
    """Logger lines and EMF metrics go to /dev/null while timing (a write per line, like Lambda's pipe)."""
    from contact_intake.core.observability import logger

    handler = logger.logger_handler
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        previous = handler.setStream(sink) if hasattr(handler, "setStream") else None
        try:
            yield
        finally:
            if previous is not None and hasattr(handler, "setStream"):
                handler.setStream(previous)


def a_form(**overrides: str) -> dict[str, str]:
    """A valid contact form (a fresh captcha token each time)."""
    form = {
        "name": "Bench Person",
        "email": "bench.person@example.org",
        "subject": "Order 4711",
        "message": "The new cat food is not to my cat's taste.\nCan I exchange it?",
        "locale": "nl",
        "captcha_token": f"pass:{uuid.uuid4()}",
    }
    form.update(overrides)
    return form


def api_event(form: Mapping[str, str], *, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway REST proxy event for POST /inquiries (the shape of tests/builders.api_event)."""
    all_headers = {
        "Accept": "application/json",
        "Origin": "https://shop.example",
        "Content-Type": "application/json",
        **(headers or {}),
    }
    return {
        "resource": "/inquiries",
        "path": "/inquiries",
        "httpMethod": "POST",
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/inquiries",
            "httpMethod": "POST",
            "path": "/v1/inquiries",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "identity": {"sourceIp": "198.51.100.23", "userAgent": "bench"},
            "requestTimeEpoch": 1764044676000,
        },
        "body": json.dumps(form),
        "isBase64Encoded": False,
    }


@dataclass(frozen=True)
class LocalAws:
    """A moto server on 127.0.0.1 with the intake's table, queue and SSM parameters."""

    endpoint: str
    queue_url: str

    def child_variables(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.endpoint, "INQUIRY_QUEUE_URL": self.queue_url}


def create_intake_resources(endpoint: str | None) -> str:
    """Create the table, the queue and the two SecureString parameters; return the queue URL."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id=HANDLER_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=HANDLER_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        region_name=HANDLER_ENVIRONMENT["AWS_REGION"],
    )
    dynamodb = session.client("dynamodb", endpoint_url=endpoint)
    dynamodb.create_table(
        TableName=HANDLER_ENVIRONMENT["INQUIRIES_TABLE"],
        KeySchema=[{"AttributeName": "inquiry_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "inquiry_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    queue_url = session.client("sqs", endpoint_url=endpoint).create_queue(QueueName="test-inquiries")[
        "QueueUrl"
    ]
    ssm = session.client("ssm", endpoint_url=endpoint)
    for name, value in (
        (HANDLER_ENVIRONMENT["CAPTCHA_SECRET_PARAM"], "bench-recaptcha-secret"),
        (HANDLER_ENVIRONMENT["SUBJECT_PEPPER_PARAM"], "bench-pepper-0123456789abcdef"),
    ):
        ssm.put_parameter(Name=name, Value=value, Type="SecureString")
    return queue_url


@contextmanager
def local_aws() -> Iterator[LocalAws]:
    """A ThreadedMotoServer in this process for the children to call (fast, no network)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on the console
    server: ThreadedMotoServer = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        yield LocalAws(endpoint=endpoint, queue_url=create_intake_resources(endpoint))
    finally:
        server.stop()


@dataclass
class LocalSiteverify:
    """A local siteverify: its URL, the verdict it gives (changeable between requests), requests served."""

    url: str = ""
    verdict: dict[str, Any] = field(default_factory=lambda: dict(SITEVERIFY_OK))
    calls: int = 0


def _siteverify_handler(state: LocalSiteverify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.calls += 1
            answer = json.dumps(state.verdict).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
            """Quiet."""

    return Handler


@contextmanager
def local_siteverify() -> Iterator[LocalSiteverify]:
    """A tiny HTTP server answering every POST with ``verdict`` (a person's, unless changed)."""
    state = LocalSiteverify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _siteverify_handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), name="siteverify", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        state.url = f"http://{host!s}:{port}/recaptcha/api/siteverify"
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
