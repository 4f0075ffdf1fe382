"""A real siteverify on 127.0.0.1: an HTTP server on a free port that answers POSTs in the format of
Google's (and Turnstile's) siteverify and records every request it got.

The verifier talks to it over a real socket with its own HTTP library (urllib3), so what the tests see is
what goes over the wire: the method, the path, the headers, the form-encoded body. Answers are queued as
`responses` queued them: each request takes the next one, and the last one is repeated.

- ``says(body, status=200)``: a JSON answer;
- ``answers(raw, status, content_type)``: any body (a garbled or HTML answer);
- ``stalls(seconds)``: the answer comes after ``seconds`` (past the verifier's read timeout);
- ``hangs_up()``: the connection is closed without an answer.

``closed_port()`` is a URL nothing listens on (connection refused); ``unanswered_connect()`` a URL whose
listener never accepts, so a connect times out (Linux drops SYNs to a full backlog).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

PATH = "/recaptcha/api/siteverify"


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    delay_seconds: float = 0.0
    hang_up: bool = False


@dataclass(frozen=True)
class Received:
    """One request as it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    body: str

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body, keep_blank_values=True)


@dataclass
class SiteverifyDouble:
    url: str
    requests: list[Received] = field(default_factory=list)
    _queue: list[Answer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def says(self, body: Any, status: int = 200) -> None:
        self._queue.append(Answer(status=status, body=json.dumps(body).encode()))

    def answers(self, raw: str, status: int = 200, content_type: str = "text/html") -> None:
        self._queue.append(Answer(status=status, body=raw.encode(), content_type=content_type))

    def stalls(self, seconds: float, body: Any | None = None) -> None:
        self._queue.append(Answer(body=json.dumps(body or {}).encode(), delay_seconds=seconds))

    def hangs_up(self) -> None:
        self._queue.append(Answer(hang_up=True))

    def next_answer(self, received: Received) -> Answer | None:
        with self._lock:
            self.requests.append(received)
            if not self._queue:
                return None
            return self._queue.pop(0) if len(self._queue) > 1 else self._queue[0]


def _handler_for(double: SiteverifyDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            received = Received("POST", self.path, dict(self.headers.items()), body)
            answer = double.next_answer(received)
            if answer is None:  # nothing queued: the test did not expect a call
                answer = Answer(status=500, body=b'{"error": "no answer queued"}')
            if answer.hang_up:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            time.sleep(answer.delay_seconds)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:  # a stalled answer's client has given up and gone
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
            """Quiet."""

    return Handler


@contextmanager
def siteverify_double() -> Iterator[SiteverifyDouble]:
    """The double, serving on a free port of 127.0.0.1 until the block ends."""
    double = SiteverifyDouble(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(double))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    double.url = f"http://{host!s}:{port}{PATH}"
    thread = threading.Thread(
        target=server.serve_forever, args=(0.01,), name="siteverify-double", daemon=True
    )
    thread.start()
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port() -> str:
    """A siteverify URL on a port nothing listens on: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{PATH}"


@contextmanager
def unanswered_connect() -> Iterator[str]:
    """A siteverify URL whose listener never accepts and whose backlog is full: a connect times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers = []
    try:
        for _ in range(3):  # Linux queues backlog + 1; the rest of the SYNs are dropped
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(address)
            fillers.append(filler)
        yield f"http://127.0.0.1:{address[1]}{PATH}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
