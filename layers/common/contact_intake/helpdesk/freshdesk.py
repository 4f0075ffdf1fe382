"""The helpdesk's one adapter: Freshdesk API v2 behind the port of ``contact_intake.helpdesk.port``.

What is Freshdesk's lives here only: the API key's Basic auth, the inquiry-id custom field
(``cf_inquiry_id``) and the filter query over it, the ticket payload, the restriction tag written back with
a whole-list PUT, the contact's hard delete, the shape of tickets, contacts and conversations, and the
mapping of HTTP answers to the port's errors: 400/401/403/404 and other 4xx are permanent; 429 (with
``retry_after_seconds``), 5xx, timeouts and connection errors are transient. Error messages name the
operation, the HTTP status and Freshdesk's error codes only: never the API key, the requester's address or
name, or the ticket text. Nothing here logs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

from markupsafe import escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contact_intake.core.errors import ConfigurationError
from contact_intake.helpdesk.port import (
    CONTACT_FIELDS,
    ContactCopy,
    FieldProblem,
    HelpdeskAuthError,
    HelpdeskCopy,
    HelpdeskError,
    HelpdeskNotFound,
    HelpdeskRateLimited,
    HelpdeskRejected,
    HelpdeskServerError,
    HelpdeskTimeout,
    HelpdeskUnavailable,
    HelpdeskValidationError,
    MessageCopy,
    Ticket,
    TicketCopy,
    TicketDraft,
)

if TYPE_CHECKING:
    # imported on the first call: ForwarderFunction's import does not pay for it (docs/decisions.md D87)
    import requests

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 10.0)  # (connect, read) seconds
DEFAULT_RETRY_AFTER_SECONDS = 60
DEFAULT_INQUIRY_ID_FIELD = "cf_inquiry_id"
DEFAULT_TAGS: tuple[str, ...] = ("contact-form",)
STATUS_OPEN = 2
PRIORITY_LOW = 1
SOURCE_PORTAL = 2
PER_PAGE = 100  # Freshdesk's largest page
MAX_PAGES = 300  # a guard against a link header that never ends; never a silent truncation
# GET /tickets returns only tickets created in the last 30 days unless updated_since is given.
LIST_ALL_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
# An inquiry's tickets are asked for as updated since the attempt, less this much for clock skew between
# Lambda and Freshdesk (a ticket's updated_at is never before its creation).
LOOKUP_SKEW: Final = timedelta(hours=1)
# on the person's tickets while their data is restricted (Art. 18, 19)
RESTRICTED_TAG: Final = "privacy-restricted"
TICKET_STATUSES: Final = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}
# Freshdesk's bookkeeping about a contact, not data about the person (never counted as withheld)
CONTACT_BOOKKEEPING: Final = frozenset(
    {"id", "active", "deleted", "company_id", "view_all_tickets", "csat_rating", "preferred_source"}
)
_TICKET_ADDRESS_FIELDS: Final = ("cc_emails", "fwd_emails", "reply_cc_emails", "to_emails")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# Our inquiry ids are UUIDs; anything with a quote would break out of the search query's string.
_INQUIRY_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_MAX_CODE_LENGTH = 64

M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------------------------------------- models


class FreshdeskTicket(BaseModel):
    """A Freshdesk ticket as answered by the API; fields we do not use are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    subject: str = Field(default="", repr=False)
    status: int | None = None
    requester_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    conversations: list[dict[str, Any]] | None = Field(default=None, repr=False)


class FreshdeskContact(BaseModel):
    """A Freshdesk contact, reduced to what erasure needs."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    deleted: bool = False


# ------------------------------------------------------------------------------------------ pure parts


def ticket_description_html(message: str) -> str:
    """The ticket's HTML description: the person's text escaped, each line break (CRLF, LF, CR) a <br>."""
    return "<br>".join(str(escape(line)) for line in _LINE_BREAK.split(message))


def ticket_payload(
    draft: TicketDraft,
    *,
    inquiry_id_field: str = DEFAULT_INQUIRY_ID_FIELD,
    tags: Sequence[str] = DEFAULT_TAGS,
) -> dict[str, Any]:
    """The POST /tickets body for a draft: an open, low-priority portal ticket carrying the inquiry id.

    Tickets have no language attribute in API v2 (the requester's contact has one), so the locale
    travels as a ``lang:<locale>`` tag.
    """
    all_tags = list(tags)
    if draft.locale:
        all_tags.append(f"lang:{draft.locale}")
    return {
        "email": draft.requester_email,
        "name": draft.requester_name,
        "subject": draft.subject,
        "description": ticket_description_html(draft.message),
        "status": STATUS_OPEN,
        "priority": PRIORITY_LOW,
        "source": SOURCE_PORTAL,
        "tags": all_tags,
        "custom_fields": {inquiry_id_field: draft.inquiry_id},
    }


def inquiry_search_query(inquiry_id: str, field: str = DEFAULT_INQUIRY_ID_FIELD) -> str:
    """The filter API's ``query`` value: the whole expression in double quotes, the value in single ones.

    Raises ValueError for an id that could break out of the quoted string.
    """
    if not _INQUIRY_ID.fullmatch(inquiry_id):
        raise ValueError("inquiry id has characters the search query cannot carry")
    return f"\"{field}:'{inquiry_id}'\""


def retry_after_seconds(header: str | None, default: int = DEFAULT_RETRY_AFTER_SECONDS) -> int:
    """``Retry-After`` as whole seconds; ``default`` when absent, negative or not an integer."""
    try:
        seconds = int((header or "").strip())
    except ValueError:
        return default
    return seconds if seconds >= 0 else default


def freshdesk_base_url(domain: str | None = None, base_url: str | None = None) -> str:
    """``https://{domain}.freshdesk.com/api/v2``, or an explicit base URL (devstack's emulator).

    Plain http is accepted for loopback hosts only: the API key travels in every request.
    Raises ConfigurationError unless exactly one of the two is given and valid.
    """
    if (domain is None) == (base_url is None):
        raise ConfigurationError("Freshdesk: give either a domain or a base URL")
    if domain is not None:
        if not _DOMAIN.fullmatch(domain):
            raise ConfigurationError("Freshdesk: the domain must be a bare subdomain, e.g. 'myshop'")
        return f"https://{domain}.freshdesk.com/api/v2"
    parts = urlsplit(str(base_url))
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)
    if not secure or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError("Freshdesk: the base URL must be https (http only on loopback)")
    return str(base_url).rstrip("/")


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _code(body: Any) -> str:
    code = body.get("code") if isinstance(body, dict) else None
    return str(code)[:_MAX_CODE_LENGTH] if code else ""


def _field_problems(body: Any) -> tuple[FieldProblem, ...]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return ()
    return tuple(
        FieldProblem(
            field=str(item.get("field") or "")[:_MAX_CODE_LENGTH],
            code=str(item.get("code") or "invalid")[:_MAX_CODE_LENGTH],
        )
        for item in errors
        if isinstance(item, dict)
    )


def _names_field(error: HelpdeskValidationError, field: str) -> bool:
    return any(problem.field == field for problem in error.problems)


_STATUS_ERRORS: dict[int, type[HelpdeskError]] = {
    401: HelpdeskAuthError,
    403: HelpdeskAuthError,
    404: HelpdeskNotFound,
}


def error_for_response(operation: str, response: requests.Response) -> HelpdeskError:
    """The typed error for a non-2xx answer."""
    status = response.status_code
    body = _body(response)
    if status == 400:
        return HelpdeskValidationError(operation, problems=_field_problems(body), reason=_code(body))
    if status == 429:
        return HelpdeskRateLimited(
            operation, retry_after_seconds=retry_after_seconds(response.headers.get("Retry-After"))
        )
    if status >= 500:
        return HelpdeskServerError(operation, status=status, reason=_code(body))
    error_type = _STATUS_ERRORS.get(status, HelpdeskRejected)
    return error_type(operation, status=status, reason=_code(body))


def _ints(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) else ()


def contact_copy(contact: Mapping[str, Any]) -> ContactCopy:
    """A contact as Freshdesk answers it, as the port's ContactCopy."""
    others = sum(
        1 for name, value in contact.items()
        if name not in CONTACT_FIELDS and name not in CONTACT_BOOKKEEPING and value not in (None, "", [], {})
    )  # fmt: skip
    return ContactCopy(fields={name: contact.get(name) for name in CONTACT_FIELDS}, other_fields=others)


def message_copy(conversation: Mapping[str, Any], requester_id: int | None) -> MessageCopy:
    """A conversation as Freshdesk answers it, as the port's MessageCopy. ``private`` is True unless
    Freshdesk says False (a field it did not send counts as a note)."""
    author = conversation.get("from_email")
    return MessageCopy(
        id=_ints(conversation.get("id")) or 0,
        private=conversation.get("private") is not False,
        incoming=conversation.get("incoming") is True,
        from_requester=requester_id is not None and _ints(conversation.get("user_id")) == requester_id,
        text=_str(conversation.get("body_text")),
        created_at=conversation.get("created_at"),
        author=author if isinstance(author, str) and author else None,
        to=_strs(conversation.get("to_emails")),
        cc=_strs(conversation.get("cc_emails")),
        bcc=_strs(conversation.get("bcc_emails")),
    )


def ticket_copy(ticket: Mapping[str, Any], conversations: Sequence[Mapping[str, Any]]) -> TicketCopy:
    """A ticket and its conversations as Freshdesk answers them, as the port's TicketCopy."""
    requester_id = _ints(ticket.get("requester_id"))
    status = _ints(ticket.get("status"))
    return TicketCopy(
        id=_ints(ticket.get("id")) or 0,
        subject=_str(ticket.get("subject")),
        status=TICKET_STATUSES.get(status, "other") if status is not None else "other",
        description=_str(ticket.get("description_text")),
        created_at=ticket.get("created_at"),
        updated_at=ticket.get("updated_at"),
        copied_addresses=tuple(a for name in _TICKET_ADDRESS_FIELDS for a in _strs(ticket.get(name))),
        messages=tuple(message_copy(c, requester_id) for c in conversations),
    )


def helpdesk_copy(
    contact: Mapping[str, Any] | None,
    tickets: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
) -> HelpdeskCopy:
    """Freshdesk's documents of a person (the contact, each ticket with its conversations) as the port's
    HelpdeskCopy."""
    return HelpdeskCopy(
        contact=contact_copy(contact) if contact is not None else None,
        tickets=tuple(ticket_copy(ticket, conversations) for ticket, conversations in tickets),
    )


# ---------------------------------------------------------------------------------------------- client


class FreshdeskClient:
    """Freshdesk API v2 over an injected ``requests.Session``; Basic auth with the API key as user, ``X``
    as password. The key is asked of ``api_key`` at each call (it comes from a cached secret store); what
    ``api_key`` raises propagates unchanged."""

    def __init__(
        self,
        *,
        session: requests.Session,
        api_key: Callable[[], str],
        domain: str | None = None,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        inquiry_id_field: str = DEFAULT_INQUIRY_ID_FIELD,
        inquiry_id_search_field: str | None = None,
        tags: Sequence[str] = DEFAULT_TAGS,
    ) -> None:
        self._session = session
        self._api_key = api_key
        self._base_url = freshdesk_base_url(domain, base_url)
        self._timeout = timeout
        self._inquiry_id_field = inquiry_id_field
        # The filter API may name a custom field differently from the ticket body: kept apart for that.
        self._inquiry_id_search_field = inquiry_id_search_field or inquiry_id_field
        self._tags = tuple(tags)

    @property
    def base_url(self) -> str:
        return self._base_url

    # -- the port (contact_intake.helpdesk.port.Helpdesk): the domain's verbs over the calls below

    def open_ticket(self, draft: TicketDraft) -> Ticket:
        return self._domain_ticket(self.create_ticket(draft))

    def find_inquiry_tickets(
        self, requester_email: str, inquiry_id: str, *, since: datetime | None = None
    ) -> list[Ticket]:
        """The requester's tickets (a plain list, not the search index, which lags writes by minutes)
        whose inquiry-id custom field is ``inquiry_id``, oldest first."""
        updated_since = since - LOOKUP_SKEW if since is not None else LIST_ALL_SINCE
        listed = self.list_tickets_by_requester_email(requester_email, updated_since=updated_since)
        mine = [self._domain_ticket(t) for t in listed]
        return sorted((t for t in mine if t.inquiry_id == inquiry_id), key=lambda t: t.id)

    def requester_tickets(self, email: str) -> list[Ticket]:
        return [self._domain_ticket(t) for t in self.list_tickets_by_requester_email(email)]

    def delete_requester(self, email: str) -> bool:
        contact = self.find_contact_by_email(email)
        if contact is None:
            return False
        self.delete_contact_permanently(contact.id)
        return True

    def set_restricted(self, ticket_id: int, restricted: bool) -> bool:
        """Add or remove RESTRICTED_TAG. The tags are read from the ticket itself before they are written
        back whole (Freshdesk's PUT replaces the list)."""
        ticket = self.get_ticket(ticket_id)
        if (RESTRICTED_TAG in ticket.tags) == restricted:
            return False
        tags = (
            [*ticket.tags, RESTRICTED_TAG] if restricted else [t for t in ticket.tags if t != RESTRICTED_TAG]
        )
        self.update_ticket(ticket.id, {"tags": tags})
        return True

    def read_copy(self, email: str) -> HelpdeskCopy:
        tickets = []
        for ticket in self.list_tickets_by_requester_email(email):
            try:
                document = self.get_ticket_document(ticket.id)
                conversations = self.list_conversations(ticket.id)
            except HelpdeskNotFound:
                continue  # deleted since it was listed
            tickets.append((document, conversations))
        return helpdesk_copy(self.find_contact_document(email), tickets)

    def update_requester(self, email: str, *, name: str | None = None, new_email: str | None = None) -> bool:
        fields = {k: v for k, v in (("name", name), ("email", new_email)) if v is not None}
        if not fields:
            return False
        contact = self.find_contact_by_email(email)
        if contact is None:  # none, or corrected already by an earlier delivery
            return False
        self.update_contact(contact.id, fields)
        return True

    def _domain_ticket(self, ticket: FreshdeskTicket) -> Ticket:
        inquiry_id = str(ticket.custom_fields.get(self._inquiry_id_field) or "")
        return Ticket(id=ticket.id, inquiry_id=inquiry_id or None)

    # -- tickets

    def create_ticket(self, draft: TicketDraft) -> FreshdeskTicket:
        """POST /tickets. Freshdesk has no idempotency key: on HelpdeskTimeout/Unavailable/ServerError the
        ticket may exist, so look it up with ``find_tickets_by_inquiry_id`` before creating again."""
        payload = ticket_payload(draft, inquiry_id_field=self._inquiry_id_field, tags=self._tags)
        response = self._send("create_ticket", "POST", "/tickets", json=payload)
        return self._parse(FreshdeskTicket, "create_ticket", response)

    def get_ticket(self, ticket_id: int, *, include_conversations: bool = False) -> FreshdeskTicket:
        """GET /tickets/{id}; a deleted ticket comes back with ``deleted`` true. Raises HelpdeskNotFound.
        Freshdesk embeds at most the first ten conversations."""
        params = {"include": "conversations"} if include_conversations else None
        response = self._send("get_ticket", "GET", f"/tickets/{int(ticket_id)}", params=params)
        return self._parse(FreshdeskTicket, "get_ticket", response)

    def update_ticket(self, ticket_id: int, fields: Mapping[str, Any]) -> FreshdeskTicket:
        """PUT /tickets/{id} with the given fields; answers the updated ticket."""
        response = self._send("update_ticket", "PUT", f"/tickets/{int(ticket_id)}", json=dict(fields))
        return self._parse(FreshdeskTicket, "update_ticket", response)

    def delete_ticket(self, ticket_id: int) -> None:
        """DELETE /tickets/{id} (Freshdesk moves it to the trash). Idempotent: a 404 counts as done."""
        self._send("delete_ticket", "DELETE", f"/tickets/{int(ticket_id)}", missing_ok=True)

    def find_tickets_by_inquiry_id(self, inquiry_id: str) -> list[FreshdeskTicket]:
        """Tickets whose inquiry-id custom field is ``inquiry_id``, through the filter API (first page of
        30). Its index lags writes: a ticket made seconds ago may not be found yet."""
        query = inquiry_search_query(inquiry_id, self._inquiry_id_search_field)
        response = self._send("find_tickets", "GET", "/search/tickets", params={"query": query})
        body = _body(response)
        results = body.get("results") if isinstance(body, dict) else None
        return self._parse_list(FreshdeskTicket, "find_tickets", response, results)

    def list_tickets_by_requester_email(
        self, email: str, *, updated_since: datetime | None = LIST_ALL_SINCE
    ) -> list[FreshdeskTicket]:
        """Every (non-deleted, non-spam) ticket of a requester, all pages.

        ``updated_since`` defaults to long ago because without it Freshdesk lists only the last 30 days;
        pass None to leave it out. Pages are followed while the answer has a ``link: rel="next"`` header,
        always on our own base URL. An address with no contact has no tickets: Freshdesk answers that
        with a 400 on ``email`` ("There is no contact matching the given email"), which is told apart from
        a malformed address by asking for the contact.
        """
        params: dict[str, str | int] = {"email": email, "per_page": PER_PAGE}
        if updated_since is not None:
            params["updated_since"] = updated_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        tickets: list[FreshdeskTicket] = []
        for page in range(1, MAX_PAGES + 1):
            try:
                response = self._send("list_tickets", "GET", "/tickets", params={**params, "page": page})
            except HelpdeskValidationError as refused:
                if page == 1 and _names_field(refused, "email") and self.find_contact_by_email(email) is None:
                    return []
                raise
            tickets += self._parse_list(FreshdeskTicket, "list_tickets", response, _body(response))
            if "next" not in response.links:
                return tickets
        raise HelpdeskServerError("list_tickets", reason="too many pages")

    # -- contacts

    def find_contact_by_email(self, email: str) -> FreshdeskContact | None:
        """GET /contacts?email=: the (active) contact with that address, or None."""
        response = self._send("find_contact", "GET", "/contacts", params={"email": email})
        contacts = self._parse_list(FreshdeskContact, "find_contact", response, _body(response))
        return contacts[0] if contacts else None

    def delete_contact_permanently(self, contact_id: int) -> None:
        """DELETE /contacts/{id}/hard_delete?force=true. Idempotent: a 404 counts as already gone."""
        self._send(
            "delete_contact",
            "DELETE",
            f"/contacts/{int(contact_id)}/hard_delete",
            params={"force": "true"},
            missing_ok=True,
        )

    def update_contact(self, contact_id: int, fields: Mapping[str, Any]) -> FreshdeskContact:
        """PUT /contacts/{id} with the given fields (a rectification, Art. 19); answers the contact."""
        response = self._send("update_contact", "PUT", f"/contacts/{int(contact_id)}", json=dict(fields))
        return self._parse(FreshdeskContact, "update_contact", response)

    # -- the rights worker's copies (access and portability): Freshdesk's own JSON, every field kept

    def get_ticket_document(self, ticket_id: int) -> dict[str, Any]:
        """GET /tickets/{id} as Freshdesk answers it (description included). Raises HelpdeskNotFound."""
        response = self._send("get_ticket", "GET", f"/tickets/{int(ticket_id)}")
        return self._document("get_ticket", response)

    def list_conversations(self, ticket_id: int) -> list[dict[str, Any]]:
        """Every conversation (replies and notes) of a ticket, all pages of GET /tickets/{id}/conversations,
        as Freshdesk answers them (``get_ticket`` embeds only the first ten)."""
        conversations: list[dict[str, Any]] = []
        path = f"/tickets/{int(ticket_id)}/conversations"
        for page in range(1, MAX_PAGES + 1):
            response = self._send(
                "list_conversations", "GET", path, params={"per_page": PER_PAGE, "page": page}
            )
            items = _body(response)
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise HelpdeskServerError(
                    "list_conversations", status=response.status_code, reason="unreadable answer"
                )
            conversations += items
            if "next" not in response.links:
                return conversations
        raise HelpdeskServerError("list_conversations", reason="too many pages")

    def find_contact_document(self, email: str) -> dict[str, Any] | None:
        """GET /contacts?email=: the contact with that address as Freshdesk answers it, or None."""
        response = self._send("find_contact", "GET", "/contacts", params={"email": email})
        contacts = _body(response)
        if not isinstance(contacts, list) or not all(isinstance(item, dict) for item in contacts):
            raise HelpdeskServerError("find_contact", status=response.status_code, reason="unreadable answer")
        return contacts[0] if contacts else None

    @staticmethod
    def _document(operation: str, response: requests.Response) -> dict[str, Any]:
        body = _body(response)
        if not isinstance(body, dict):
            raise HelpdeskServerError(operation, status=response.status_code, reason="unreadable answer")
        return body

    # -- transport

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Mapping[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> requests.Response:
        import requests  # the session's own module, loaded with it (Clients.http); a dict lookup here

        key = self._api_key()
        if not key:
            raise HelpdeskAuthError(operation, reason="no API key")
        try:
            response = self._session.request(
                method,
                self._base_url + path,
                params=params,
                json=json,
                auth=(key, "X"),
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.Timeout:
            raise HelpdeskTimeout(operation) from None
        except requests.RequestException:
            raise HelpdeskUnavailable(operation) from None
        if 200 <= response.status_code < 300 or (missing_ok and response.status_code == 404):
            return response
        raise error_for_response(operation, response)

    @staticmethod
    def _parse(model: type[M], operation: str, response: requests.Response) -> M:
        return FreshdeskClient._parse_list(model, operation, response, [_body(response)])[0]

    @staticmethod
    def _parse_list(model: type[M], operation: str, response: requests.Response, items: Any) -> list[M]:
        unreadable = HelpdeskServerError(operation, status=response.status_code, reason="unreadable answer")
        if not isinstance(items, list):
            raise unreadable
        try:
            return [model.model_validate(item) for item in items]
        except ValidationError:
            # pydantic's message quotes the input, which holds personal data.
            raise unreadable from None
