"""The tests' Freshdesk: devstack's helpdesk emulator (devstack/emulators/helpdesk.py over the model in
freshdesk.py) served in-process behind ``responses``, on the domain the tests name. One model of Freshdesk
for ``make dev``, the e2e tests and these: the formats, the validation, the contacts and conversations,
the faults and the limits are the emulator's.

This adapter only turns a ``requests`` call into the emulator's request and its answer back, and gives the
tests short names for the emulator's controls and state:

- ``fail_next(n, mode)``: the next n calls fail with ``429`` (``Retry-After: 7``), ``500``, ``timeout``
  (``requests.ReadTimeout`` at once, nothing done), ``lost_response`` (done, then ``requests.ReadTimeout``)
  or ``404``; ``fail_inquiry(id, mode)`` fails every create for that inquiry; ``fail_every`` any other
  standing fault;
- ``limit_per_minute``: ticket creates per clock minute (compressed time: pass a fake ``clock``);
- ``invalid_emails``: addresses a create refuses with Freshdesk's ``400``;
- ``search_lag``: how long a write stays out of the search index (the real one lags minutes);
- ``before_call(operation)``: called before each API call (a benchmark advancing its clock, a crash);
- ``add_ticket`` / ``add_conversation``: what came to the helpdesk some other way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
import responses

from devstack.emulators.freshdesk import Contact, Ticket
from devstack.emulators.helpdesk import API_PATH, HelpdeskEmulator, HelpdeskSettings, operation_for
from devstack.http import HttpRequest

BASE_URL = "https://myshop.freshdesk.com/api/v2"
API_KEY = "fd-test-api-key"
INQUIRY_FIELD = "cf_inquiry_id"

Answer = tuple[int, dict[str, str], str]


def _no_answer(seconds: float) -> None:
    raise requests.ReadTimeout("no answer")  # the client's read timeout, without waiting for it


class FakeFreshdesk:
    """``install(rsps)`` registers the emulator on a ``responses`` mock; the attributes are its state."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        limit_per_minute: int | None = None,
        search_lag: timedelta = timedelta(minutes=3),
        before_call: Callable[[str], None] | None = None,
        base_url: str = BASE_URL,
        api_key: str = API_KEY,
    ) -> None:
        self.clock = clock
        self.base_url = base_url
        self.before_call = before_call
        settings = HelpdeskSettings(
            rate_limit_per_minute=limit_per_minute,
            search_lag_seconds=search_lag.total_seconds(),
            retry_after_seconds=7,
        )
        self.emulator = HelpdeskEmulator(
            clock=clock, settings=settings, api_key=api_key, base_url=base_url, hold=_no_answer
        )

    def install(self, rsps: responses.RequestsMock) -> FakeFreshdesk:
        every_path = re.compile(rf"^{re.escape(self.base_url)}/.*")
        for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE):
            rsps.add_callback(method, every_path, self._answer, content_type=None)
        return self

    def _answer(self, request: requests.PreparedRequest) -> Answer:
        url = urlsplit(request.url or "")
        path = url.path[len(urlsplit(self.base_url).path) :]
        operation = operation_for(str(request.method), path)
        if self.before_call is not None and operation is not None:
            self.before_call(operation)
        body = request.body or b""
        answer = self.emulator.handle(
            HttpRequest(
                method=str(request.method),
                path=url.path,
                query=url.query,
                headers=tuple(request.headers.items()),
                body=body.encode() if isinstance(body, str) else body,
            ),
            API_PATH + path,
        )
        if answer.drop_connection:
            raise requests.ReadTimeout("the answer was lost")  # done, but the caller never hears
        return answer.status, dict(answer.headers), answer.body.decode()

    # -- the emulator's state

    @property
    def tickets(self) -> dict[int, Ticket]:
        return self.emulator.state.tickets

    @property
    def contacts(self) -> dict[int, Contact]:
        return self.emulator.state.contacts

    @property
    def calls(self) -> Counter[str]:
        return self.emulator.calls

    @property
    def creates_per_minute(self) -> Counter[int]:
        return self.emulator.creates_per_minute

    @property
    def hard_deleted(self) -> list[int]:
        return self.emulator.state.hard_deleted_contacts

    @property
    def invalid_emails(self) -> set[str]:
        return self.emulator.settings.invalid_emails

    @property
    def search_lag(self) -> timedelta:
        return timedelta(seconds=self.emulator.settings.search_lag_seconds)

    @search_lag.setter
    def search_lag(self, lag: timedelta) -> None:
        self.emulator.settings.search_lag_seconds = lag.total_seconds()

    def live_tickets(self, inquiry_id: str | None = None, field_name: str = INQUIRY_FIELD) -> list[Ticket]:
        return [
            t
            for t in self.tickets.values()
            if not t.deleted and (inquiry_id is None or t.custom_fields.get(field_name) == inquiry_id)
        ]

    def requester_of(self, ticket: Ticket) -> Contact:
        return self.contacts[ticket.requester_id]

    def contact_for(self, email: str) -> Contact:
        contact = self.emulator.state.contact_by_email(email)
        if contact is None:
            raise LookupError("no contact has that address")
        return contact

    def tickets_of(self, email: str) -> list[Ticket]:
        """The tickets (deleted ones too) of the contact with that address."""
        contact = self.emulator.state.contact_by_email(email)
        return [t for t in self.tickets.values() if contact is not None and t.requester_id == contact.id]

    # -- controls

    def fail_next(self, count: int, mode: str) -> None:
        self.emulator.fail_next(count, mode)

    def fail_every(self, mode: str, **match: Any) -> None:
        self.emulator.fail_every(mode, **match)

    def fail_inquiry(self, inquiry_id: str, mode: str) -> None:
        """Every create for this inquiry id answers ``mode``, whatever else is going on."""
        self.fail_every(mode, operation="create_ticket", custom_fields={INQUIRY_FIELD: inquiry_id})

    def add_ticket(self, email: str, name: str = "", subject: str = "", **fields: Any) -> Ticket:
        """A ticket that came to the helpdesk some other way (by default mailed to the support address);
        ``ticket_id``, ``status``, ``source``, ``tags``, ``description``, ``created_at`` as keywords, any
        other keyword a custom field (``cf_inquiry_id=...``)."""
        known = {"ticket_id", "description", "status", "priority", "source", "tags", "created_at"}
        custom = {k: v for k, v in fields.items() if k not in known}
        given = {k: v for k, v in fields.items() if k in known}
        return self.emulator.state.put_ticket(email, name, subject, custom_fields=custom, **given)

    def add_conversation(self, ticket_id: int, body_text: str, **options: Any) -> dict[str, Any]:
        """A conversation as Freshdesk lists it (``FreshdeskState.put_conversation``)."""
        return self.emulator.state.put_conversation(ticket_id, body_text, **options)
