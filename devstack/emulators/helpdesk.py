"""``/_local/helpdesk``: a Freshdesk API v2 stand-in and its controls (docs/architecture.md §8, a contract).

The API is at ``/_local/helpdesk/api/v2/...`` (tickets, search, conversations, contacts; see
``devstack.emulators.freshdesk`` for what it copies of Freshdesk). It takes any non-empty API key as the
Basic-auth user (Freshdesk's password is the dummy ``X``), or only ``api_key`` when one is given, and
answers ``401`` otherwise. The tests serve the same emulator in-process behind ``responses``
(tests/helpdesk_fake.py): one model of Freshdesk for devstack and the tests.

Controls, for tests and experiments:

- ``POST /_local/helpdesk/_faults`` ``{"fail_next": N, "mode": "429"|"500"|"timeout"|"lost_response"|
  "404"}``: the next N API calls fail that way. ``429`` carries ``Retry-After`` (``retry_after_seconds``,
  default 1). ``timeout`` holds the request longer than the client's read timeout (``hold_seconds``, default
  12 s), does nothing, then answers ``504``. ``lost_response`` does the call (the ticket *is* created) and
  closes the connection without an answer. ``404`` answers "Record not found" (deleted meanwhile).
  ``{"fail_every": {"operation": "create_ticket", "custom_fields": {"cf_inquiry_id": "..."}}, "mode": M}``
  (``operation``, ``id`` — the ticket or contact id in the path — and ``custom_fields`` of the body, each
  optional): every matching call fails that way until cleared. ``GET`` lists the pending faults and the
  standing ones, ``DELETE`` clears both.
- ``POST /_local/helpdesk/_settings`` ``{"rate_limit_per_minute": R | null, "search_lag_seconds": S,
  "timeout_hold_seconds": H, "retry_after_seconds": A, "invalid_emails": [...]}``: at most R ticket creates
  per clock minute (then ``429`` with ``Retry-After`` until the next minute), a search index that lags
  writes by S seconds, as Freshdesk's does, and addresses a ticket create refuses as invalid (``400``).
- ``GET /_local/helpdesk/_state``: every ticket (deleted ones too, with requester and conversations), every
  contact, the settings, the pending faults and the calls counted per operation. ``DELETE`` empties it all.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import threading
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode

from devstack.emulators import no_local_endpoint
from devstack.emulators.freshdesk import (
    DEFAULT_CUSTOM_FIELDS,
    ApiError,
    FieldError,
    FreshdeskState,
    Page,
    not_found,
    validation_failed,
)
from devstack.emulators.freshdesk_search import MAX_PAGE, RESULTS_PER_PAGE, compile_query
from devstack.http import HttpRequest, HttpResponse, json_response

PREFIX: Final = "/_local/helpdesk"
API_PATH: Final = "/api/v2"
FAULT_MODES: Final = ("429", "500", "timeout", "lost_response", "404")
# contact_intake.helpdesk.freshdesk.DEFAULT_TIMEOUT reads for 10 s: a held request must outlast that
CLIENT_READ_TIMEOUT_SECONDS: Final = 10.0
DEFAULT_HOLD_SECONDS: Final = CLIENT_READ_TIMEOUT_SECONDS + 2
MAX_FAULTS: Final = 1000

_ID = r"(\d{1,18})"
# (method, path pattern below /api/v2, operation name)
_ROUTES: Final = tuple(
    (method, re.compile(pattern), name)
    for method, pattern, name in (
        ("POST", r"/tickets", "create_ticket"),
        ("GET", r"/tickets", "list_tickets"),
        ("GET", rf"/tickets/{_ID}", "get_ticket"),
        ("PUT", rf"/tickets/{_ID}", "update_ticket"),
        ("DELETE", rf"/tickets/{_ID}", "delete_ticket"),
        ("PUT", rf"/tickets/{_ID}/restore", "restore_ticket"),
        ("GET", rf"/tickets/{_ID}/conversations", "list_conversations"),
        ("POST", rf"/tickets/{_ID}/reply", "reply"),
        ("POST", rf"/tickets/{_ID}/notes", "add_note"),
        ("GET", r"/search/tickets", "search_tickets"),
        ("GET", r"/contacts", "list_contacts"),
        ("GET", rf"/contacts/{_ID}", "get_contact"),
        ("PUT", rf"/contacts/{_ID}", "update_contact"),
        ("DELETE", rf"/contacts/{_ID}", "delete_contact"),
        ("DELETE", rf"/contacts/{_ID}/hard_delete", "hard_delete_contact"),
    )
)


OPERATIONS: Final = frozenset(name for _, _, name in _ROUTES)


def operation_for(method: str, path: str) -> str | None:
    """The operation a request below /api/v2 (``path``, e.g. "/tickets/7") calls, or None."""
    return next((name for verb, pattern, name in _ROUTES if verb == method and pattern.fullmatch(path)), None)


@dataclass
class HelpdeskSettings:
    rate_limit_per_minute: int | None = None
    search_lag_seconds: float = 0.0
    timeout_hold_seconds: float = DEFAULT_HOLD_SECONDS
    retry_after_seconds: int = 1  # of a 429 fault
    invalid_emails: set[str] = field(default_factory=set)  # a ticket create refuses them (400)

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"invalid_emails": sorted(self.invalid_emails)}


@dataclass(frozen=True)
class Fault:
    mode: str
    hold_seconds: float | None = None


@dataclass(frozen=True)
class FaultRule:
    """A standing fault: every call that matches (each part optional) fails with ``mode``."""

    mode: str
    operation: str | None = None
    id: int | None = None  # the ticket or contact id in the path
    custom_fields: Mapping[str, Any] = field(default_factory=dict)  # of the request body

    def matches(self, operation: str, call: _Call) -> bool:
        sent = call.payload.get("custom_fields") if isinstance(call.payload, dict) else None
        sent = sent if isinstance(sent, dict) else {}
        return (
            (self.operation is None or self.operation == operation)
            and (self.id is None or self.id == call.number)
            and all(sent.get(name) == value for name, value in self.custom_fields.items())
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class ControlError(ValueError):
    """A control request that makes no sense; its message is the 400 answer."""


@dataclass(frozen=True)
class _Call:
    """One API call's inputs, parsed."""

    query: dict[str, str]
    number: int  # the id in the path (ticket or contact), 0 when there is none
    base_url: str
    payload: Any


def _done(action: Callable[[], None]) -> HttpResponse:
    action()
    return HttpResponse(204)


def _error_response(error: ApiError) -> HttpResponse:
    headers = tuple(error.headers.items())
    if error.body is None:
        return HttpResponse(error.status, headers)
    return json_response(error.status, error.body, headers)


class HelpdeskEmulator:
    """The emulator: one in-memory Freshdesk account, safe for concurrent requests."""

    prefix = PREFIX
    endpoints = (
        "GET|POST|PUT|DELETE /_local/helpdesk/api/v2/... (Freshdesk API v2)",
        "GET|POST|DELETE /_local/helpdesk/_faults",
        "GET|POST /_local/helpdesk/_settings",
        "GET|DELETE /_local/helpdesk/_state",
    )

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        known_custom_fields: frozenset[str] = DEFAULT_CUSTOM_FIELDS,
        settings: HelpdeskSettings | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        hold: Callable[[float], object] | None = None,
    ) -> None:
        """``api_key``: the only key accepted (default: any). ``base_url``: the API's address in
        ``Location`` and ``link`` headers (default: this emulator's below the request's Host). ``hold``:
        what a ``timeout`` fault does with its seconds (default: wait, or until ``stop``); in-process, the
        tests' double raises the client's read timeout instead."""
        self._clock = clock
        self._known_custom_fields = known_custom_fields
        self._api_key = api_key
        self._base_url = base_url
        self._lock = threading.Lock()
        self._released = threading.Event()  # set on stop: held requests end at once
        self._hold = hold or self._released.wait
        self._initial_settings = settings or HelpdeskSettings()
        self._reset()

    def _reset(self) -> None:
        self.state = FreshdeskState(self._clock, self._known_custom_fields)
        self.settings = HelpdeskSettings(**asdict(self._initial_settings))
        self.calls: Counter[str] = Counter()
        self._faults: deque[Fault] = deque()
        self.fault_rules: list[FaultRule] = []
        self.creates_per_minute: Counter[int] = Counter()  # accepted creates per clock minute

    def environment(self, api_url: str) -> Mapping[str, str | None]:
        # the functions name the helpdesk by one of the two; a base URL wins (helpdesk/settings.py)
        return {"HELPDESK_BASE_URL": f"{api_url}{PREFIX}{API_PATH}", "HELPDESK_DOMAIN": None}

    def stop(self) -> None:
        self._released.set()

    # --- controls, in-process (the HTTP controls below call these) --------------------------------------

    def fail_next(self, count: int, mode: str, hold_seconds: float | None = None) -> None:
        """The next ``count`` API calls fail with ``mode`` (FAULT_MODES)."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_FAULTS:
            raise ControlError(f"fail_next must be a whole number from 1 to {MAX_FAULTS}")
        if mode not in FAULT_MODES:
            raise ControlError(f"mode must be one of {', '.join(FAULT_MODES)}")
        if hold_seconds is not None and (
            isinstance(hold_seconds, bool) or not isinstance(hold_seconds, int | float) or hold_seconds < 0
        ):
            raise ControlError("hold_seconds must be a number of seconds")
        with self._lock:
            self._faults.extend([Fault(mode, None if hold_seconds is None else float(hold_seconds))] * count)

    def fail_every(
        self,
        mode: str,
        *,
        operation: str | None = None,
        id: int | None = None,  # noqa: A002  # the control's field name
        custom_fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Every API call that matches fails with ``mode`` until the faults are cleared."""
        if mode not in FAULT_MODES:
            raise ControlError(f"mode must be one of {', '.join(FAULT_MODES)}")
        if operation is not None and operation not in OPERATIONS:
            raise ControlError(f"operation must be one of {', '.join(sorted(OPERATIONS))}")
        if id is not None and (isinstance(id, bool) or not isinstance(id, int)):
            raise ControlError("id must be a whole number")
        if custom_fields is not None and not isinstance(custom_fields, Mapping):
            raise ControlError("custom_fields must be an object")
        with self._lock:
            self.fault_rules.append(FaultRule(mode, operation, id, dict(custom_fields or {})))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self.fault_rules.clear()

    # --- requests ---------------------------------------------------------------------------------------

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if subpath == API_PATH or subpath.startswith(API_PATH + "/"):
            return self._api(request, subpath[len(API_PATH) :])
        controls = {
            "/_faults": self._faults_control,
            "/_settings": self._settings_control,
            "/_state": self._state_control,
        }
        control = controls.get(subpath)
        if control is None:
            return no_local_endpoint(request)
        try:
            return control(request)
        except ControlError as problem:
            return json_response(400, {"message": str(problem)})

    def _api(self, request: HttpRequest, path: str) -> HttpResponse:
        key = _api_key(request)
        if not key or (self._api_key is not None and key != self._api_key):
            return json_response(
                401,
                {
                    "code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action.",
                },
            )
        found = [
            (method, match, name) for method, pattern, name in _ROUTES if (match := pattern.fullmatch(path))
        ]
        if not found:
            return HttpResponse(404)
        route = next(((match, name) for method, match, name in found if method == request.method), None)
        if route is None:
            allowed = ",".join(sorted({method for method, _, _ in found}))
            message = (
                f"{request.method} method is not allowed. It should be one of these method(s): {allowed}"
            )
            return json_response(405, {"message": message}, [("Allow", allowed)])
        match, operation = route
        with self._lock:
            self.calls[operation] += 1
            fault = self._faults.popleft() if self._faults else None
        return self._answer(operation, request, match.groups(), fault)

    def _answer(
        self, operation: str, request: HttpRequest, ids: tuple[str, ...], fault: Fault | None
    ) -> HttpResponse:
        """The operation's answer, or the fault's: the next pending one, else a standing one it matches."""
        if fault is not None and fault.mode != "lost_response":
            return self._fail(fault)
        try:
            call = _call(operation, request, ids, self._base_url or _base_url(request))
            with self._lock:
                rule = next((r for r in self.fault_rules if r.matches(operation, call)), None)
            fault = fault or (None if rule is None else Fault(rule.mode))
            if fault is not None and fault.mode != "lost_response":
                return self._fail(fault)
            with self._lock:
                response = self._operations[operation](call)
        except ApiError as error:
            response = _error_response(error)
        if fault is not None:  # lost_response: it was done, but the answer never arrives
            return HttpResponse(response.status, response.headers, response.body, drop_connection=True)
        return response

    def _fail(self, fault: Fault) -> HttpResponse:
        if fault.mode == "429":
            return json_response(
                429,
                {"code": "rate_limit_exceeded", "message": "Too many requests"},
                [("Retry-After", str(self.settings.retry_after_seconds))],
            )
        if fault.mode == "500":
            return json_response(
                500, {"code": "internal_error", "message": "We're sorry, something went wrong."}
            )
        if fault.mode == "404":
            return _error_response(not_found())
        hold = self.settings.timeout_hold_seconds if fault.hold_seconds is None else fault.hold_seconds
        self._hold(hold)  # outside the lock: other requests go on meanwhile
        return json_response(504, {"code": "gateway_timeout", "message": "The request timed out"})

    @property
    def _operations(self) -> dict[str, Callable[[_Call], HttpResponse]]:
        state = self.state
        return {
            "create_ticket": self._create_ticket,
            "list_tickets": lambda c: _page_response(
                state.list_tickets(c.query), f"{c.base_url}/tickets", c.query
            ),
            "get_ticket": lambda c: json_response(200, state.get_ticket(c.number, _includes(c.query))),
            "update_ticket": lambda c: json_response(200, state.update_ticket(c.number, c.payload)),
            "delete_ticket": lambda c: _done(lambda: state.delete_ticket(c.number)),
            "restore_ticket": lambda c: _done(lambda: state.restore_ticket(c.number)),
            "list_conversations": lambda c: _page_response(
                state.list_conversations(c.number, c.query),
                f"{c.base_url}/tickets/{c.number}/conversations",
                c.query,
            ),
            "reply": lambda c: json_response(201, state.add_conversation(c.number, c.payload, note=False)),
            "add_note": lambda c: json_response(201, state.add_conversation(c.number, c.payload, note=True)),
            "search_tickets": lambda c: json_response(200, self._search(c.query)),
            "list_contacts": lambda c: json_response(200, state.list_contacts(c.query)),
            "get_contact": lambda c: json_response(200, state.get_contact(c.number)),
            "update_contact": lambda c: json_response(200, state.update_contact(c.number, c.payload)),
            "delete_contact": lambda c: _done(lambda: state.delete_contact(c.number)),
            "hard_delete_contact": lambda c: _done(
                lambda: state.hard_delete_contact(c.number, force=c.query.get("force") == "true")
            ),
        }

    def _create_ticket(self, call: _Call) -> HttpResponse:
        self._count_create()
        email = call.payload.get("email") if isinstance(call.payload, dict) else None
        if email in self.settings.invalid_emails:
            raise validation_failed(
                FieldError("email", "It should be in the 'valid email address' format", "invalid_value")
            )
        ticket = self.state.create_ticket(call.payload)
        return json_response(201, ticket, [("Location", f"{call.base_url}/tickets/{ticket['id']}")])

    def _count_create(self) -> None:
        """The per-minute create limit (called under the lock); raises the 429 when it is spent."""
        limit = self.settings.rate_limit_per_minute
        if limit is None:
            return
        now = self._clock().timestamp()
        minute = math.floor(now / 60)
        if self.creates_per_minute[minute] >= limit:
            self.calls["create_ticket_throttled"] += 1
            retry_after = max(1, math.ceil((minute + 1) * 60 - now))
            raise ApiError(
                429,
                {"code": "rate_limit_exceeded", "message": "Too many requests"},
                {
                    "Retry-After": str(retry_after),
                    "X-RateLimit-Total": str(limit),
                    "X-RateLimit-Remaining": "0",
                },
            )
        self.creates_per_minute[minute] += 1

    def _search(self, query: Mapping[str, str]) -> dict[str, Any]:
        predicate = compile_query(query.get("query", ""), self._known_custom_fields)
        try:
            page = int(query.get("page", "1"))
        except ValueError:
            page = 0
        if not 1 <= page <= MAX_PAGE:
            raise validation_failed(
                FieldError(
                    "page",
                    f"It should be a Positive Integer less than or equal to {MAX_PAGE}",
                    "invalid_value",
                )
            )
        indexed_until = self._clock() - timedelta(seconds=self.settings.search_lag_seconds)
        found = sorted(
            (
                t
                for t in self.state.tickets.values()
                if not t.deleted and t.updated_at <= indexed_until and predicate(t)
            ),
            key=lambda t: (t.created_at, t.id),
            reverse=True,
        )
        chunk = found[(page - 1) * RESULTS_PER_PAGE : page * RESULTS_PER_PAGE]
        return {"results": [t.as_json(description=False) for t in chunk], "total": len(found)}

    # --- controls ---------------------------------------------------------------------------------------

    def _faults_control(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            body = _control_body(request)
            mode = str(body.get("mode"))
            if "fail_every" in body:
                match = body["fail_every"]
                if not isinstance(match, dict) or set(match) - {"operation", "id", "custom_fields"}:
                    raise ControlError("fail_every takes operation, id and custom_fields")
                self.fail_every(mode, **match)
            else:
                self.fail_next(body.get("fail_next", 0), mode, body.get("hold_seconds"))
        elif request.method == "DELETE":
            self.clear_faults()
        elif request.method != "GET":
            return json_response(
                405, {"message": "use GET, POST or DELETE"}, [("Allow", "GET, POST, DELETE")]
            )
        with self._lock:
            return json_response(
                200,
                {
                    "pending": [fault.mode for fault in self._faults],
                    "every": [rule.as_json() for rule in self.fault_rules],
                },
            )

    def _settings_control(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            body = _control_body(request)
            unknown = sorted(set(body) - set(asdict(self.settings)))
            if unknown:
                raise ControlError(f"unknown settings: {', '.join(unknown)}")
            limit = body.get("rate_limit_per_minute", self.settings.rate_limit_per_minute)
            if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
                raise ControlError("rate_limit_per_minute must be a positive whole number or null")
            retry_after = body.get("retry_after_seconds", self.settings.retry_after_seconds)
            if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
                raise ControlError("retry_after_seconds must be a whole number of seconds")
            invalid = body.get("invalid_emails", sorted(self.settings.invalid_emails))
            if not isinstance(invalid, list) or not all(isinstance(a, str) for a in invalid):
                raise ControlError("invalid_emails must be a list of addresses")
            numbers = {
                name: body[name] for name in ("search_lag_seconds", "timeout_hold_seconds") if name in body
            }
            for name, value in numbers.items():
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ControlError(f"{name} must be a number of seconds")
            with self._lock:
                self.settings.rate_limit_per_minute = limit
                self.settings.retry_after_seconds = retry_after
                self.settings.invalid_emails = set(invalid)
                for name, value in numbers.items():
                    setattr(self.settings, name, float(value))
        elif request.method != "GET":
            return json_response(405, {"message": "use GET or POST"}, [("Allow", "GET, POST")])
        return json_response(200, self.settings.as_json())

    def _state_control(self, request: HttpRequest) -> HttpResponse:
        if request.method == "DELETE":
            with self._lock:
                self._reset()
            return HttpResponse(204)
        if request.method not in {"GET", "HEAD"}:
            return json_response(405, {"message": "use GET or DELETE"}, [("Allow", "GET, DELETE")])
        with self._lock:
            snapshot = self.state.snapshot()
            snapshot.update(
                settings=self.settings.as_json(),
                faults=[fault.mode for fault in self._faults],
                calls=dict(sorted(self.calls.items())),
            )
        return json_response(200, snapshot)


def _call(operation: str, request: HttpRequest, ids: tuple[str, ...], base_url: str) -> _Call:
    wants_body = request.method in {"POST", "PUT"} and operation != "restore_ticket"
    return _Call(
        query=dict(parse_qsl(request.query, keep_blank_values=True)),
        number=int(ids[0]) if ids else 0,
        base_url=base_url,
        payload=_json_body(request) if wants_body else None,
    )


def _api_key(request: HttpRequest) -> str:
    """The Basic-auth user (Freshdesk's API key), or "" when there is none."""
    scheme, _, encoded = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[0]


def _base_url(request: HttpRequest) -> str:
    return f"http://{request.header('Host') or '127.0.0.1'}{PREFIX}{API_PATH}"


def _json_body(request: HttpRequest) -> Any:
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        shown = content_type or "(none)"
        raise ApiError(
            415,
            {
                "code": "invalid_content_type",
                "message": f"Content-Type header is set to {shown}. It should be set to application/json",
            },
        )
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise validation_failed(
            FieldError("", "Request body has invalid json format", "invalid_json")
        ) from None


def _control_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise ControlError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _includes(query: Mapping[str, str]) -> set[str]:
    return {part.strip() for part in query.get("include", "").split(",") if part.strip()}


def _page_response(page: Page, url: str, query: Mapping[str, str]) -> HttpResponse:
    headers = []
    if page.next_page is not None:
        headers.append(("link", f'<{url}?{urlencode({**query, "page": page.next_page})}>; rel="next"'))
    return json_response(200, page.items, headers)
