"""devstack's HTTP plumbing: plain request/response values and a threaded stdlib server around them.

Everything that answers requests (the API Gateway emulation, the /_local/ emulators, the static site)
is a function HttpRequest -> HttpResponse, testable without a socket.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from devstack.console import Console

MAX_BODY_BYTES: Final = 10 * 1024 * 1024  # API Gateway's payload limit


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # as sent, percent-encoding kept, without the query
    query: str = ""  # the raw query string
    headers: tuple[tuple[str, str], ...] = ()  # as sent: case and order kept, repeats kept
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """The last value of a header, case-insensitively."""
        wanted = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == wanted:
                found = value
        return found

    def form(self) -> dict[str, str]:
        """Query and urlencoded body fields (the body wins), last value of each."""
        fields = dict(parse_qsl(self.query, keep_blank_values=True))
        content_type = (self.header("content-type") or "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            fields.update(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        return fields


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    note: str = ""  # for devstack's access log only (e.g. the function that answered), never sent
    drop_connection: bool = False  # send nothing and close the connection (a lost answer, for fault tests)

    def header(self, name: str) -> str | None:
        return next((v for k, v in reversed(self.headers) if k.lower() == name.lower()), None)


def json_response(status: int, payload: Any, headers: Sequence[tuple[str, str]] = ()) -> HttpResponse:
    body = json.dumps(payload).encode("utf-8")
    return HttpResponse(status, (("Content-Type", "application/json"), *headers), body)


def text_response(status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> HttpResponse:
    return HttpResponse(status, (("Content-Type", content_type),), text.encode("utf-8"))


Application = Callable[[HttpRequest], HttpResponse]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out as two writes: without TCP_NODELAY the client's delayed ACK holds the body
    # back ~40 ms on every keep-alive request (measured: 50-60 ms a request, 1 ms of it in the function)
    disable_nagle_algorithm = True
    server: ApiServer

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except ConnectionError:
            self.close_connection = True

    def _serve(self) -> None:
        started = time.perf_counter()
        request = self._read_request()
        response = (
            json_response(413, {"message": "Request Too Long"}) if request is None else self._answer(request)
        )
        if response.drop_connection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._write(response, send_body=self.command != "HEAD")
        elapsed_ms = (time.perf_counter() - started) * 1000
        # method, path, status, latency: never the query (tokens travel there) nor a body
        status = "dropped" if response.drop_connection else str(response.status)
        note = f" {response.note}" if response.note else ""
        path = urlsplit(self.path).path
        self.server.console.info(f"{self.command} {path} {status} {elapsed_ms:.0f}ms{note}")

    # every method goes to the application, as API Gateway passes every method on
    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve  # noqa: N815

    def _answer(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.server.application(request)
        except Exception as exc:  # a devstack bug: answer like API Gateway would, name only the type
            self.server.console.error(
                f"devstack failed on {request.method} {request.path}: {type(exc).__name__}"
            )
            return json_response(500, {"message": "Internal server error"})

    def _read_request(self) -> HttpRequest | None:
        """The request, or None when its body is over API Gateway's limit."""
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        body = self._read_chunked() if chunked else self._read_sized()
        if body is None:
            self.close_connection = True
            return None
        target = urlsplit(self.path)
        return HttpRequest(
            method=self.command,
            path=target.path or "/",
            query=target.query,
            headers=tuple((k, v) for k, v in self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )

    def _read_sized(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk_size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if chunk_size == 0:
                while self.rfile.readline() not in {b"\r\n", b"\n", b""}:  # trailers
                    pass
                return b"".join(chunks)
            size += chunk_size
            if size > MAX_BODY_BYTES:
                return None
            chunks.append(self.rfile.read(chunk_size))
            self.rfile.readline()  # the CRLF after each chunk

    def _write(self, response: HttpResponse, *, send_body: bool) -> None:
        self.send_response_only(response.status)
        for key, value in response.headers:
            if key.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if send_body and response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        """Silenced: ``_serve`` writes the access log, without query strings."""


class ApiServer(ThreadingHTTPServer):
    """A threaded HTTP server handing every request to ``application``. Binds at construction."""

    daemon_threads = True
    allow_reuse_address = True
    # the listen backlog: socketserver's default of 5 resets connections when a browser's or a load
    # test's parallel connections arrive together (seen with 20 locust users)
    request_queue_size = 128

    def __init__(self, host: str, port: int, application: Application, console: Console) -> None:
        self.application = application
        self.console = console
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="devstack-api", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
        self.server_close()
