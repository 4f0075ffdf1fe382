"""An in-memory Freshdesk (API v2) behind ``responses``: tickets that exist, so "exactly one ticket" is
checkable.

It answers the formats of the real API (``POST /tickets`` → 201 with the ticket, ``GET /tickets`` a bare
list, ``/search/tickets`` ``{"results", "total"}``, ``DELETE`` → 204, error bodies with ``code`` /
``errors``) with Basic auth (API key as user, ``X``). Controls for tests and the benchmark:

- ``fail_next(n, mode)``: the next n calls fail with ``429`` (``Retry-After``), ``500``, ``timeout``
  (nothing created) or ``lost_response`` (the ticket *is* created, then the answer times out);
- ``limit_per_minute``: ticket creates per clock minute; over it, ``429`` with ``Retry-After`` until the
  next minute (compressed time: pass a fake ``clock``);
- ``invalid_emails``: addresses a create refuses with Freshdesk's ``400`` validation body;
- ``search_lag``: how long a new ticket stays out of the search index (the real one lags minutes).
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

BASE_URL = "https://myshop.freshdesk.com/api/v2"
API_KEY = "fd-test-api-key"

Answer = tuple[int, dict[str, str], str]


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, json.dumps(body)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class StoredTicket:
    id: int
    email: str
    name: str
    subject: str
    description: str
    tags: list[str]
    custom_fields: dict[str, Any]
    source: int
    status: int
    priority: int
    created_at: datetime
    deleted: bool = False

    def as_json(self, *, with_description: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "subject": self.subject,
            "status": self.status,
            "priority": self.priority,
            "source": self.source,
            "requester_id": 1000 + self.id,
            "tags": list(self.tags),
            "custom_fields": dict(self.custom_fields),
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.created_at),
            "spam": False,
            "fr_escalated": False,
        }
        if self.deleted:
            body["deleted"] = True
        if with_description:
            body["description"] = self.description
            body["description_text"] = re.sub(r"<[^>]+>", " ", self.description)
        return body


@dataclass
class FakeFreshdesk:
    """Freshdesk's ticket API in memory. ``install(rsps)`` registers it on a ``responses`` mock."""

    base_url: str = BASE_URL
    api_key: str = API_KEY
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    limit_per_minute: int | None = None
    invalid_emails: set[str] = field(default_factory=set)
    search_lag: timedelta = timedelta(minutes=3)
    before_call: Callable[[str], None] | None = None  # e.g. a benchmark advancing its clock per call
    tickets: dict[int, StoredTicket] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    _faults: list[str] = field(default_factory=list)
    _inquiry_faults: dict[str, str] = field(default_factory=dict)
    _next_id: int = 1
    creates_per_minute: Counter[int] = field(default_factory=Counter)  # accepted creates by clock minute

    # -- controls

    def fail_next(self, count: int, mode: str) -> None:
        if mode not in {"429", "500", "timeout", "lost_response"}:
            raise ValueError(mode)
        self._faults.extend([mode] * count)

    def fail_inquiry(self, inquiry_id: str, mode: str) -> None:
        """Every create for this inquiry id answers ``500`` or ``429``, whatever else is going on."""
        if mode not in {"429", "500"}:
            raise ValueError(mode)
        self._inquiry_faults[inquiry_id] = mode

    def live_tickets(
        self, inquiry_id: str | None = None, field_name: str = "cf_inquiry_id"
    ) -> list[StoredTicket]:
        return [
            t
            for t in self.tickets.values()
            if not t.deleted and (inquiry_id is None or t.custom_fields.get(field_name) == inquiry_id)
        ]

    def install(self, rsps: responses.RequestsMock) -> FakeFreshdesk:
        base = re.escape(self.base_url)
        rsps.add_callback(responses.POST, re.compile(rf"^{base}/tickets$"), self._create)
        rsps.add_callback(responses.GET, re.compile(rf"^{base}/tickets(\?.*)?$"), self._list)
        rsps.add_callback(responses.GET, re.compile(rf"^{base}/tickets/\d+(\?.*)?$"), self._get)
        rsps.add_callback(responses.DELETE, re.compile(rf"^{base}/tickets/\d+$"), self._delete)
        rsps.add_callback(responses.GET, re.compile(rf"^{base}/search/tickets(\?.*)?$"), self._search)
        return self

    # -- the API

    def _create(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("create_ticket", request, creates=True)
        if refused:
            return refused
        body = json.loads(request.body or b"{}")
        targeted = self._inquiry_faults.get(str(body.get("custom_fields", {}).get("cf_inquiry_id")))
        if targeted == "500":
            return _json(500, {"code": "internal_error", "message": "We're sorry, something went wrong."})
        if targeted == "429":
            return _json(429, {"code": "rate_limit_exceeded"}, {"Retry-After": "7"})
        # Freshdesk takes an internationalised domain only as its A-label (xn--)
        if body.get("email") in self.invalid_emails or not str(body.get("email", "")).isascii():
            return _json(
                400,
                {
                    "description": "Validation failed",
                    "errors": [
                        {
                            "field": "email",
                            "message": "It should be in the 'valid email address' format",
                            "code": "invalid_value",
                        }
                    ],
                },
            )
        ticket = StoredTicket(
            id=self._next_id,
            email=body["email"],
            name=body.get("name", ""),
            subject=body["subject"],
            description=body["description"],
            tags=list(body.get("tags", [])),
            custom_fields=dict(body.get("custom_fields", {})),
            source=body.get("source", 2),
            status=body.get("status", 2),
            priority=body.get("priority", 1),
            created_at=self.clock(),
        )
        self._next_id += 1
        self.tickets[ticket.id] = ticket
        if self._take_fault("lost_response"):
            raise requests.ReadTimeout("the answer was lost")  # created, but the caller never hears
        return _json(201, ticket.as_json(), {"Location": f"{self.base_url}/tickets/{ticket.id}"})

    def _list(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("list_tickets", request)
        if refused:
            return refused
        query = parse_qs(urlsplit(request.url or "").query)
        email = query.get("email", [None])[0]
        since = query.get("updated_since", [None])[0]
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        floor = (
            datetime.fromisoformat(since.replace("Z", "+00:00"))
            if since
            else self.clock() - timedelta(days=30)  # Freshdesk's default: created in the last 30 days
        )
        matching = sorted(
            (
                t
                for t in self.tickets.values()
                if not t.deleted
                and (email is None or t.email.lower() == email.lower())
                and t.created_at >= floor
            ),
            key=lambda t: t.id,
        )
        chunk = matching[(page - 1) * per_page : page * per_page]
        headers = {}
        if len(matching) > page * per_page:
            headers["Link"] = f'<{self.base_url}/tickets?page={page + 1}>; rel="next"'
        return _json(200, [t.as_json(with_description=False) for t in chunk], headers)

    def _get(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("get_ticket", request)
        if refused:
            return refused
        ticket = self.tickets.get(self._id_of(request))
        if ticket is None:
            return _json(404, {"code": "access_denied", "message": "Record not found"})
        return _json(200, ticket.as_json())

    def _delete(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("delete_ticket", request)
        if refused:
            return refused
        ticket = self.tickets.get(self._id_of(request))
        if ticket is None or ticket.deleted:
            return _json(404, {"code": "access_denied", "message": "Record not found"})
        ticket.deleted = True
        return 204, {}, ""

    def _search(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("search_tickets", request)
        if refused:
            return refused
        query = parse_qs(urlsplit(request.url or "").query).get("query", [""])[0]
        match = re.fullmatch(r"\"(\w+):'([^']*)'\"", query)
        if not match:
            return _json(
                400,
                {"description": "Validation failed", "errors": [{"field": "query", "code": "invalid_value"}]},
            )
        indexed_before = self.clock() - self.search_lag
        results = [
            t.as_json(with_description=False)
            for t in self.live_tickets(match.group(2), match.group(1))
            if t.created_at <= indexed_before
        ]
        return _json(200, {"results": results, "total": len(results)})

    # -- plumbing

    def _guard(
        self, operation: str, request: requests.PreparedRequest, *, creates: bool = False
    ) -> Answer | None:
        self.calls[operation] += 1
        if self.before_call is not None:
            self.before_call(operation)
        expected = "Basic " + base64.b64encode(f"{self.api_key}:X".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return _json(
                401,
                {
                    "code": "invalid_credentials",
                    "message": "You have to be logged in to perform this action.",
                },
            )
        if self._take_fault("429"):
            return _json(429, {"code": "rate_limit_exceeded"}, {"Retry-After": "7"})
        if self._take_fault("500"):
            return _json(500, {"code": "internal_error", "message": "We're sorry, something went wrong."})
        if self._take_fault("timeout"):
            raise requests.ReadTimeout("no answer")
        if creates and self.limit_per_minute is not None:
            return self._rate_limit()
        return None

    def _rate_limit(self) -> Answer | None:
        assert self.limit_per_minute is not None
        now = self.clock()
        minute = math.floor(now.timestamp() / 60)
        if self.creates_per_minute[minute] >= self.limit_per_minute:
            self.calls["create_ticket_refused"] += 1
            retry_after = max(1, math.ceil((minute + 1) * 60 - now.timestamp()))
            return _json(
                429,
                {"code": "rate_limit_exceeded"},
                {
                    "Retry-After": str(retry_after),
                    "X-RateLimit-Total": str(self.limit_per_minute),
                    "X-RateLimit-Remaining": "0",
                },
            )
        self.creates_per_minute[minute] += 1
        return None

    def _take_fault(self, mode: str) -> bool:
        if self._faults and self._faults[0] == mode:
            self._faults.pop(0)
            return True
        return False

    @staticmethod
    def _id_of(request: requests.PreparedRequest) -> int:
        path = urlsplit(request.url or "").path
        return int(path.rstrip("/").rsplit("/", 1)[1])
