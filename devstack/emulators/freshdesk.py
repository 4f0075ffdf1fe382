"""The helpdesk emulator's data: Freshdesk API v2 tickets, contacts and conversations, in memory.

Plain operations that answer Freshdesk's JSON shapes or raise ``ApiError`` with Freshdesk's status and error
body; ``devstack.emulators.helpdesk`` puts HTTP, auth and the fault controls around them. What Freshdesk does
and this copies (docs/architecture.md §6, §8):

- ``POST /tickets`` validates as Freshdesk does (a requester, a valid e-mail, subject and description, the
  integer enumerations of status/priority/source, only known fields and custom fields) and answers ``400``
  ``{"description": "Validation failed", "errors": [{"field", "message", "code"}]}``. A new requester e-mail
  becomes a contact.
- ``DELETE /tickets/{id}`` moves the ticket to the trash: ``GET`` still shows it, with ``"deleted": true``;
  lists and search leave it out; a second delete is ``404``. Hard-deleting a contact removes the contact and
  every ticket it requested for good (``404`` afterwards).
- ``GET /tickets?email=`` of an address no contact has is a ``400`` ("There is no contact matching the given
  email"), not an empty list; without ``updated_since`` only tickets created in the last 30 days are listed.
- ``PUT /contacts/{id}`` changes the name or the e-mail (the tickets follow: they belong to the contact); an
  address another contact has is a ``409`` ``duplicate_value``.

``put_ticket`` and ``put_conversation`` set up what came to the helpdesk some other way (a mailed-in ticket,
an agent's reply or note, a message of another participant) without the API's rules: the tests use them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

TICKET_STATUSES: Final = frozenset({2, 3, 4, 5})  # open, pending, resolved, closed
TICKET_PRIORITIES: Final = frozenset({1, 2, 3, 4})
TICKET_SOURCES: Final = frozenset({1, 2, 3, 5, 6, 7, 9, 10})
DEFAULT_CUSTOM_FIELDS: Final = frozenset(
    {"cf_inquiry_id"}
)  # what the forwarder writes (HELPDESK_INQUIRY_FIELD)
MAX_PER_PAGE: Final = 100
DEFAULT_PER_PAGE: Final = 30
LIST_WINDOW: Final = timedelta(days=30)  # GET /tickets without updated_since: created in the last 30 days
EMBEDDED_CONVERSATIONS: Final = 10  # GET /tickets/{id}?include=conversations embeds the first ten
MAX_TEXT: Final = 255
FIRST_CONTACT_ID: Final = 1_000_000_001  # far from ticket ids, so a mix-up of the two fails loudly
FIRST_CONVERSATION_ID: Final = 9_000_000_001
AGENT_USER_ID: Final = 1  # who writes a reply or a note unless told otherwise
CONTACT_UPDATE_FIELDS: Final = frozenset({"name", "email"})  # what a contact keeps here

_REQUESTER_FIELDS: Final = (
    "requester_id",
    "email",
    "phone",
    "twitter_id",
    "facebook_id",
    "unique_external_id",
)
_TICKET_FIELDS: Final = frozenset(
    {
        *_REQUESTER_FIELDS, "name", "subject", "type", "status", "priority", "description", "responder_id",
        "cc_emails", "custom_fields", "due_by", "email_config_id", "fr_due_by", "group_id", "product_id",
        "source", "tags", "company_id", "parent_id",
    }
)  # fmt: skip
_LIST_PARAMETERS: Final = frozenset(
    {
        "email",
        "requester_id",
        "updated_since",
        "order_by",
        "order_type",
        "page",
        "per_page",
        "include",
        "filter",
    }
)
_EMAIL: Final = re.compile(
    r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_TAGS: Final = re.compile(r"<[^>]+>")


class ApiError(Exception):
    """A Freshdesk error answer: the status and the JSON body (None: an empty body)."""

    def __init__(self, status: int, body: Any = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str


def validation_failed(*errors: FieldError) -> ApiError:
    return ApiError(400, {"description": "Validation failed", "errors": [asdict(e) for e in errors]})


def not_found() -> ApiError:
    return ApiError(404, {"code": "access_denied", "message": "Record not found"})


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 date-time (``Z`` or an offset; a bare date is midnight UTC), or None."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_email(value: str) -> bool:
    return len(value) <= 254 and _EMAIL.fullmatch(value) is not None


# ------------------------------------------------------------------------------------------------ records


@dataclass
class Contact:
    id: int
    name: str
    email: str | None
    created_at: datetime
    updated_at: datetime
    deleted: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "active": False,  # not verified: the person never logged in to the portal
            "deleted": self.deleted,
            "address": None,
            "company_id": None,
            "description": None,
            "job_title": None,
            "language": "en",
            "mobile": None,
            "phone": None,
            "time_zone": "Amsterdam",
            "twitter_id": None,
            "unique_external_id": None,
            "other_emails": [],
            "tags": [],
            "custom_fields": {},
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


@dataclass
class Conversation:
    """A reply or a note. ``incoming`` with the requester's ``user_id`` is a message of the requester (how
    an integration posts one: a note with incoming true and the contact's user id); with another contact's
    id, another participant's. A reply goes to the requester, with its cc and bcc as given."""

    id: int
    ticket_id: int
    body: str
    private: bool
    source: int  # 0 reply, 2 note
    user_id: int
    to_emails: list[str]
    created_at: datetime
    incoming: bool = False
    from_email: str | None = None
    cc_emails: list[str] = field(default_factory=list)
    bcc_emails: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "body": self.body,
            "body_text": _text(self.body),
            "incoming": self.incoming,
            "private": self.private,
            "source": self.source,
            "user_id": self.user_id,
            "support_email": None,
            "to_emails": list(self.to_emails),
            "from_email": self.from_email,
            "cc_emails": list(self.cc_emails),
            "bcc_emails": list(self.bcc_emails),
            "attachments": [],
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
        }


@dataclass
class Ticket:
    id: int
    requester_id: int
    subject: str
    description: str
    status: int
    priority: int
    source: int
    created_at: datetime
    updated_at: datetime
    type: str | None = None
    tags: list[str] = field(default_factory=list)
    cc_emails: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    conversations: list[Conversation] = field(default_factory=list)
    deleted: bool = False

    def as_json(self, *, description: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "subject": self.subject,
            "status": self.status,
            "priority": self.priority,
            "source": self.source,
            "type": self.type,
            "requester_id": self.requester_id,
            "responder_id": None,
            "group_id": None,
            "company_id": None,
            "product_id": None,
            "email_config_id": None,
            "tags": list(self.tags),
            "cc_emails": list(self.cc_emails),
            "fwd_emails": [],
            "reply_cc_emails": [],
            "to_emails": None,
            "custom_fields": dict(self.custom_fields),
            "spam": False,
            "fr_escalated": False,
            "is_escalated": False,
            "due_by": iso(self.created_at + timedelta(days=3)),
            "fr_due_by": iso(self.created_at + timedelta(days=1)),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }
        if description:
            body["description"] = self.description
            body["description_text"] = _text(self.description)
        if self.deleted:
            body["deleted"] = True
        return body


def _text(markup: str) -> str:
    """Freshdesk's ``*_text`` twin of an HTML field: tags out, entities decoded, whitespace folded."""
    return re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", markup))).strip()


# -------------------------------------------------------------------------------------------- validation


def _check_text(payload: Mapping[str, Any], name: str, errors: list[FieldError], *, required: bool) -> None:
    if name not in payload:
        if required:
            errors.append(FieldError(name, "It should be a/an String", "missing_field"))
        return
    value = payload[name]
    if not isinstance(value, str):
        errors.append(FieldError(name, "It should be a/an String", "datatype_mismatch"))
    elif name != "description" and len(value) > MAX_TEXT:
        errors.append(
            FieldError(
                name,
                f"Has {len(value)} characters, it can have maximum of {MAX_TEXT} characters",
                "invalid_value",
            )
        )
    elif required and not value.strip():
        errors.append(
            FieldError(name, "It should not be blank as this is a mandatory field", "invalid_value")
        )


def _check_choice(
    payload: Mapping[str, Any], name: str, allowed: frozenset[int], errors: list[FieldError]
) -> None:
    if name not in payload:
        return
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int):
        kind = type(value).__name__.replace("str", "String").replace("NoneType", "Null")
        errors.append(
            FieldError(name, f"Value set is of type {kind}.It should be a/an Integer", "datatype_mismatch")
        )
    elif value not in allowed:
        listed = ",".join(str(v) for v in sorted(allowed))
        errors.append(FieldError(name, f"It should be one of these values: '{listed}'", "invalid_value"))


def _check_list(
    payload: Mapping[str, Any], name: str, errors: list[FieldError], *, emails: bool = False
) -> None:
    if name not in payload:
        return
    value = payload[name]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.append(FieldError(name, "It should be a/an Array", "datatype_mismatch"))
    elif emails and not all(is_email(item) for item in value):
        errors.append(
            FieldError(
                name,
                "It should contain elements that are in the 'valid email address' format",
                "invalid_value",
            )
        )
    elif any(len(item) > MAX_TEXT for item in value):
        errors.append(
            FieldError(name, f"Each element can have maximum of {MAX_TEXT} characters", "invalid_value")
        )


def _check_custom_fields(payload: Mapping[str, Any], known: frozenset[str], errors: list[FieldError]) -> None:
    if "custom_fields" not in payload:
        return
    value = payload["custom_fields"]
    if not isinstance(value, dict):
        errors.append(FieldError("custom_fields", "It should be a/an key/value pair", "datatype_mismatch"))
        return
    for key, item in value.items():
        if key not in known:
            errors.append(FieldError(key, "Unexpected/invalid field in request", "invalid_field"))
        elif item is not None and not isinstance(item, str | int | float | bool):
            errors.append(FieldError(key, "It should be a/an String", "datatype_mismatch"))
        elif isinstance(item, str) and len(item) > MAX_TEXT:
            errors.append(
                FieldError(
                    key,
                    f"Has {len(item)} characters, it can have maximum of {MAX_TEXT} characters",
                    "invalid_value",
                )
            )


def ticket_errors(
    payload: Mapping[str, Any], known_custom_fields: frozenset[str], *, create: bool
) -> list[FieldError]:
    """Freshdesk's validation of a ticket create (or update: nothing required) body, in its error format."""
    errors = [
        FieldError(name, "Unexpected/invalid field in request", "invalid_field")
        for name in payload
        if name not in _TICKET_FIELDS
    ]
    if create and not any(payload.get(name) not in (None, "") for name in _REQUESTER_FIELDS):
        errors.append(
            FieldError(
                "requester_id",
                "Please fill at least 1 of requester_id, phone, email, twitter_id, facebook_id, "
                "unique_external_id attributes",
                "missing_field",
            )
        )
    if "email" in payload:
        email = payload["email"]
        if not isinstance(email, str):
            errors.append(FieldError("email", "It should be a/an String", "datatype_mismatch"))
        elif not is_email(email):
            errors.append(
                FieldError("email", "It should be in the 'valid email address' format", "invalid_value")
            )
    if "requester_id" in payload and (
        isinstance(payload["requester_id"], bool) or not isinstance(payload["requester_id"], int)
    ):
        errors.append(FieldError("requester_id", "It should be a/an Positive Integer", "datatype_mismatch"))
    for name in ("subject", "description"):
        _check_text(payload, name, errors, required=create)
    for name in ("name", "type"):
        _check_text(payload, name, errors, required=False)
    _check_choice(payload, "status", TICKET_STATUSES, errors)
    _check_choice(payload, "priority", TICKET_PRIORITIES, errors)
    _check_choice(payload, "source", TICKET_SOURCES, errors)
    _check_list(payload, "tags", errors)
    _check_list(payload, "cc_emails", errors, emails=True)
    _check_custom_fields(payload, known_custom_fields, errors)
    return errors


# ------------------------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Page:
    """One page of a list answer; ``next_page`` is set when there is more (the ``link`` header)."""

    items: list[dict[str, Any]]
    next_page: int | None = None


class FreshdeskState:
    """Tickets, contacts and conversations. Not thread-safe on its own: the emulator holds a lock."""

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        known_custom_fields: frozenset[str] = DEFAULT_CUSTOM_FIELDS,
    ) -> None:
        self._clock = clock
        self.known_custom_fields = known_custom_fields
        self.tickets: dict[int, Ticket] = {}
        self.contacts: dict[int, Contact] = {}
        self._next_ticket = 1
        self._next_contact = FIRST_CONTACT_ID
        self._next_conversation = FIRST_CONVERSATION_ID
        self.hard_deleted_contacts: list[int] = []  # in the order they went

    # -- contacts

    def contact_by_email(self, email: str, *, include_deleted: bool = True) -> Contact | None:
        wanted = email.strip().lower()
        return next(
            (
                c
                for c in self.contacts.values()
                if c.email is not None and c.email.lower() == wanted and (include_deleted or not c.deleted)
            ),
            None,
        )

    def _requester(self, payload: Mapping[str, Any]) -> Contact:
        now = self._clock()
        if "requester_id" in payload:
            contact = self.contacts.get(payload["requester_id"])
            if contact is None:
                raise validation_failed(
                    FieldError(
                        "requester_id", "There is no contact matching the given requester_id", "invalid_value"
                    )
                )
            return contact
        email = payload.get("email")
        contact = self.contact_by_email(email) if isinstance(email, str) else None
        if contact is None:
            name = payload.get("name") or (email.split("@")[0] if isinstance(email, str) else "Unknown")
            contact = Contact(
                self._next_contact, str(name), email if isinstance(email, str) else None, now, now
            )
            self.contacts[contact.id] = contact
            self._next_contact += 1
        return contact

    def list_contacts(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """GET /contacts: ``email`` filters; soft-deleted contacts only with ``state=deleted``."""
        deleted = query.get("state") == "deleted"
        email = query.get("email")
        if email is not None and not is_email(email):
            raise validation_failed(
                FieldError("email", "It should be in the 'valid email address' format", "invalid_value")
            )
        return [
            c.as_json()
            for c in sorted(self.contacts.values(), key=lambda c: c.id)
            if c.deleted == deleted and (email is None or (c.email or "").lower() == email.lower())
        ]

    def get_contact(self, contact_id: int) -> dict[str, Any]:
        contact = self.contacts.get(contact_id)
        if contact is None:
            raise not_found()
        return contact.as_json()

    def delete_contact(self, contact_id: int) -> None:
        """DELETE /contacts/{id}: soft delete (the contact can be restored; its tickets stay)."""
        contact = self.contacts.get(contact_id)
        if contact is None or contact.deleted:
            raise not_found()
        contact.deleted = True
        contact.updated_at = self._clock()

    def hard_delete_contact(self, contact_id: int, *, force: bool) -> None:
        """DELETE /contacts/{id}/hard_delete[?force=true]: the contact and all its tickets, for good."""
        contact = self.contacts.get(contact_id)
        if contact is None:
            raise not_found()
        if not contact.deleted and not force:
            raise validation_failed(
                FieldError(
                    "force", "The contact should be soft deleted first, or use force=true", "invalid_value"
                )
            )
        del self.contacts[contact_id]
        self.hard_deleted_contacts.append(contact_id)
        for ticket_id in [t.id for t in self.tickets.values() if t.requester_id == contact_id]:
            del self.tickets[ticket_id]

    def update_contact(self, contact_id: int, payload: Any) -> dict[str, Any]:
        """PUT /contacts/{id}: a new name or e-mail; an address another contact has is a 409."""
        contact = self.contacts.get(contact_id)
        if contact is None:
            raise not_found()
        if not isinstance(payload, dict):
            raise validation_failed(FieldError("", "Request body has invalid json format", "invalid_json"))
        errors = [
            FieldError(name, "Unexpected/invalid field in request", "invalid_field")
            for name in payload
            if name not in CONTACT_UPDATE_FIELDS
        ]
        _check_text(payload, "name", errors, required=False)
        email = payload.get("email")
        if "email" in payload and not (isinstance(email, str) and is_email(email)):
            errors.append(
                FieldError("email", "It should be in the 'valid email address' format", "invalid_value")
            )
        if errors:
            raise validation_failed(*errors)
        holder = self.contact_by_email(email) if isinstance(email, str) else None
        if holder is not None and holder.id != contact.id:
            raise ApiError(
                409,
                {
                    "description": "Validation failed",
                    "errors": [
                        {
                            "field": "email",
                            "message": "It should be a unique value",
                            "code": "duplicate_value",
                            "additional_info": {"user_id": holder.id},
                        }
                    ],
                },
            )
        contact.name = payload.get("name", contact.name)
        contact.email = email if isinstance(email, str) else contact.email
        contact.updated_at = self._clock()
        return contact.as_json()

    # -- tickets

    def create_ticket(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise validation_failed(FieldError("", "Request body has invalid json format", "invalid_json"))
        errors = ticket_errors(payload, self.known_custom_fields, create=True)
        if errors:
            raise validation_failed(*errors)
        contact = self._requester(payload)
        now = self._clock()
        ticket = Ticket(
            id=self._next_ticket,
            requester_id=contact.id,
            subject=payload["subject"],
            description=payload["description"],
            status=payload.get("status", 2),
            priority=payload.get("priority", 1),
            source=payload.get("source", 2),
            type=payload.get("type"),
            tags=list(payload.get("tags", [])),
            cc_emails=list(payload.get("cc_emails", [])),
            custom_fields=dict.fromkeys(sorted(self.known_custom_fields))
            | dict(payload.get("custom_fields", {})),
            created_at=now,
            updated_at=now,
        )
        self.tickets[ticket.id] = ticket
        self._next_ticket += 1
        return ticket.as_json()

    def put_ticket(
        self,
        email: str,
        name: str = "",
        subject: str = "",
        *,
        ticket_id: int | None = None,
        description: str | None = None,
        status: int = 2,
        priority: int = 1,
        source: int = 1,
        tags: Sequence[str] = ("email",),
        custom_fields: Mapping[str, Any] | None = None,
        created_at: datetime | None = None,
    ) -> Ticket:
        """A ticket as it stands, without the API's validation: by default one mailed to the support
        address (source 1) by ``email``, whose contact it makes if need be. ``ticket_id`` picks the id."""
        number = self._next_ticket if ticket_id is None else ticket_id
        if number in self.tickets:
            raise ValueError(f"ticket {number} exists")
        moment = self._clock() if created_at is None else created_at
        ticket = Ticket(
            id=number,
            requester_id=self._requester({"email": email, "name": name}).id,
            subject=subject,
            description=f"<div>{html.escape(subject)}</div>" if description is None else description,
            status=status,
            priority=priority,
            source=source,
            tags=list(tags),
            custom_fields=dict.fromkeys(sorted(self.known_custom_fields)) | dict(custom_fields or {}),
            created_at=moment,
            updated_at=moment,
        )
        self.tickets[number] = ticket
        self._next_ticket = max(self._next_ticket, number + 1)
        return ticket

    def _ticket(self, ticket_id: int, *, deleted_ok: bool = False) -> Ticket:
        ticket = self.tickets.get(ticket_id)
        if ticket is None or (ticket.deleted and not deleted_ok):
            raise not_found()
        return ticket

    def get_ticket(self, ticket_id: int, include: set[str]) -> dict[str, Any]:
        ticket = self._ticket(ticket_id, deleted_ok=True)
        body = ticket.as_json()
        if "conversations" in include:
            body["conversations"] = [c.as_json() for c in ticket.conversations[:EMBEDDED_CONVERSATIONS]]
        if "requester" in include:
            body["requester"] = self._requester_json(ticket)
        return body

    def _requester_json(self, ticket: Ticket) -> dict[str, Any] | None:
        contact = self.contacts.get(ticket.requester_id)
        if contact is None:
            return None
        return {"id": contact.id, "name": contact.name, "email": contact.email, "mobile": None, "phone": None}

    def update_ticket(self, ticket_id: int, payload: Any) -> dict[str, Any]:
        ticket = self._ticket(ticket_id)
        if not isinstance(payload, dict):
            raise validation_failed(FieldError("", "Request body has invalid json format", "invalid_json"))
        errors = ticket_errors(payload, self.known_custom_fields, create=False)
        if errors:
            raise validation_failed(*errors)
        if "requester_id" in payload or "email" in payload:
            ticket.requester_id = self._requester(payload).id
        for name in ("subject", "description", "status", "priority", "source", "type"):
            if name in payload:
                setattr(ticket, name, payload[name])
        if "tags" in payload:
            ticket.tags = list(payload["tags"])
        if "cc_emails" in payload:
            ticket.cc_emails = list(payload["cc_emails"])
        ticket.custom_fields.update(payload.get("custom_fields", {}))
        ticket.updated_at = self._clock()
        return ticket.as_json()

    def delete_ticket(self, ticket_id: int) -> None:
        """To the trash: still readable with ``deleted: true``; a second delete is a 404."""
        ticket = self._ticket(ticket_id)
        ticket.deleted = True
        ticket.updated_at = self._clock()

    def restore_ticket(self, ticket_id: int) -> None:
        ticket = self._ticket(ticket_id, deleted_ok=True)
        if not ticket.deleted:
            raise not_found()
        ticket.deleted = False
        ticket.updated_at = self._clock()

    def list_tickets(self, query: Mapping[str, str]) -> Page:
        """GET /tickets with Freshdesk's filters, order and pages (see the module docstring)."""
        unknown = sorted(set(query) - _LIST_PARAMETERS)
        if unknown:
            raise validation_failed(
                *(FieldError(n, "Unexpected/invalid field in request", "invalid_field") for n in unknown)
            )
        page, per_page = _paging(query, MAX_PER_PAGE, DEFAULT_PER_PAGE)
        selected = self._listed(query)
        order_by = query.get("order_by", "created_at")
        if order_by not in {"created_at", "due_by", "updated_at", "status"}:
            raise validation_failed(
                FieldError(
                    "order_by",
                    "It should be one of these values: 'created_at,due_by,updated_at,status'",
                    "invalid_value",
                )
            )
        descending = query.get("order_type", "desc") != "asc"
        key = "created_at" if order_by == "due_by" else order_by  # due_by is created_at + 3 days here
        selected.sort(key=lambda t: (getattr(t, key), t.id), reverse=descending)
        include = _includes(query)
        chunk = selected[(page - 1) * per_page : page * per_page]
        items = []
        for ticket in chunk:
            body = ticket.as_json(description="description" in include)
            if "requester" in include:
                body["requester"] = self._requester_json(ticket)
            items.append(body)
        return Page(items, page + 1 if len(selected) > page * per_page else None)

    def _listed(self, query: Mapping[str, str]) -> list[Ticket]:
        predefined = query.get("filter")
        if predefined not in {None, "deleted", "spam", "new_and_my_open", "watching"}:
            raise validation_failed(
                FieldError(
                    "filter",
                    "It should be one of these values: 'new_and_my_open,watching,spam,deleted'",
                    "invalid_value",
                )
            )
        if predefined in {"spam", "watching"}:
            return []
        requester = self._requester_filter(query)
        since = query.get("updated_since")
        floor = parse_time(since) if since is not None else None
        if since is not None and floor is None:
            raise validation_failed(
                FieldError(
                    "updated_since",
                    "It should be in the 'combined date and time ISO8601' format",
                    "invalid_value",
                )
            )
        window_start = self._clock() - LIST_WINDOW
        return [
            t
            for t in self.tickets.values()
            if t.deleted == (predefined == "deleted")
            and (requester is None or t.requester_id == requester)
            and (t.updated_at >= floor if floor is not None else t.created_at >= window_start)
            and (predefined != "new_and_my_open" or t.status == 2)
        ]

    def _requester_filter(self, query: Mapping[str, str]) -> int | None:
        if "email" in query:
            email = query["email"]
            if not is_email(email):
                raise validation_failed(
                    FieldError("email", "It should be in the 'valid email address' format", "invalid_value")
                )
            contact = self.contact_by_email(email)
            if contact is None:
                raise validation_failed(
                    FieldError("email", "There is no contact matching the given email", "invalid_value")
                )
            return contact.id
        if "requester_id" in query:
            try:
                return int(query["requester_id"])
            except ValueError:
                raise validation_failed(
                    FieldError("requester_id", "It should be a/an Positive Integer", "datatype_mismatch")
                ) from None
        return None

    # -- conversations

    def add_conversation(self, ticket_id: int, payload: Any, *, note: bool) -> dict[str, Any]:
        """POST /tickets/{id}/reply (public, to the requester) or /notes (private unless told otherwise)."""
        ticket = self._ticket(ticket_id)
        if not isinstance(payload, dict):
            raise validation_failed(FieldError("", "Request body has invalid json format", "invalid_json"))
        allowed = {"body", "private", "incoming", "notify_emails", "user_id"} if note else {
            "body", "cc_emails", "bcc_emails", "from_email", "user_id",
        }  # fmt: skip
        errors = [
            FieldError(n, "Unexpected/invalid field in request", "invalid_field")
            for n in payload
            if n not in allowed
        ]
        _check_text(payload, "body", errors, required=True)
        errors.extend(
            FieldError(flag, "It should be a/an Boolean", "datatype_mismatch")
            for flag in ("private", "incoming")
            if flag in payload and not isinstance(payload[flag], bool)
        )
        addresses = {n: payload.get(n, []) for n in ("notify_emails", "cc_emails", "bcc_emails")}
        for name, value in addresses.items():
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(FieldError(name, "It should be a/an Array", "datatype_mismatch"))
        if "user_id" in payload and not (
            isinstance(payload["user_id"], int) and not isinstance(payload["user_id"], bool)
        ):
            errors.append(FieldError("user_id", "It should be a/an Positive Integer", "datatype_mismatch"))
        if errors:
            raise validation_failed(*errors)
        contact = self.contacts.get(ticket.requester_id)
        now = self._clock()
        incoming = bool(payload.get("incoming", False)) if note else False
        user_id = int(payload.get("user_id", 1))
        author = self.contacts.get(user_id) if incoming else None
        if note:  # a note goes to whom it notifies
            to_emails = list(addresses["notify_emails"])
        else:
            to_emails = [] if contact is None or contact.email is None else [contact.email]
        conversation = Conversation(
            id=self._next_conversation,
            ticket_id=ticket.id,
            body=payload["body"],
            private=bool(payload.get("private", True)) if note else False,
            source=2 if note else 0,
            user_id=user_id,
            to_emails=to_emails,
            created_at=now,
            incoming=incoming,
            from_email=author.email if author is not None else payload.get("from_email"),
            cc_emails=list(addresses["cc_emails"]),
            bcc_emails=list(addresses["bcc_emails"]),
        )
        self._next_conversation += 1
        ticket.conversations.append(conversation)
        ticket.updated_at = now
        return conversation.as_json()

    def put_conversation(
        self,
        ticket_id: int,
        body_text: str,
        *,
        incoming: bool = False,
        private: bool = False,
        user_id: int | None = None,
        from_email: str | None = None,
        to_emails: Sequence[str] | None = None,
        cc_emails: Sequence[str] = (),
        bcc_emails: Sequence[str] = (),
    ) -> dict[str, Any]:
        """A conversation as it stands, without the API's rules. By default an incoming one is the
        requester's own (their user id and address), an outgoing one an agent's public reply to the
        requester; ``private`` makes it a note; the other arguments override (another participant's
        message, a reply to someone else)."""
        ticket = self.tickets[ticket_id]
        requester = self.contacts.get(ticket.requester_id)
        address = None if requester is None else requester.email
        if incoming:
            author, sender, recipients = ticket.requester_id, address, []
        else:
            author, sender = AGENT_USER_ID, None
            recipients = [] if private or address is None else [address]
        conversation = Conversation(
            id=self._next_conversation,
            ticket_id=ticket.id,
            body=f"<div>{html.escape(body_text)}</div>",
            private=private,
            source=2 if private else 0,
            user_id=author if user_id is None else user_id,
            to_emails=recipients if to_emails is None else list(to_emails),
            created_at=self._clock(),
            incoming=incoming,
            from_email=sender if from_email is None else from_email,
            cc_emails=list(cc_emails),
            bcc_emails=list(bcc_emails),
        )
        self._next_conversation += 1
        ticket.conversations.append(conversation)
        return conversation.as_json()

    def list_conversations(self, ticket_id: int, query: Mapping[str, str]) -> Page:
        ticket = self._ticket(ticket_id, deleted_ok=True)
        page, per_page = _paging(query, MAX_PER_PAGE, DEFAULT_PER_PAGE)
        chunk = ticket.conversations[(page - 1) * per_page : page * per_page]
        more = len(ticket.conversations) > page * per_page
        return Page([c.as_json() for c in chunk], page + 1 if more else None)

    # -- for /_local/helpdesk/_state

    def snapshot(self) -> dict[str, Any]:
        """Everything, deleted tickets included, each ticket with its requester and conversations."""
        tickets = []
        for ticket in sorted(self.tickets.values(), key=lambda t: t.id):
            body = ticket.as_json()
            body["deleted"] = ticket.deleted
            body["requester"] = self._requester_json(ticket)
            body["conversations"] = [c.as_json() for c in ticket.conversations]
            tickets.append(body)
        contacts = [c.as_json() for c in sorted(self.contacts.values(), key=lambda c: c.id)]
        return {"tickets": tickets, "contacts": contacts}


def _paging(query: Mapping[str, str], max_per_page: int, default_per_page: int) -> tuple[int, int]:
    try:
        page = int(query.get("page", "1"))
    except ValueError:
        page = 0
    if page < 1:
        raise validation_failed(FieldError("page", "It should be a Positive Integer", "invalid_value"))
    try:
        per_page = int(query.get("per_page", str(default_per_page)))
    except ValueError:
        per_page = 0
    if not 1 <= per_page <= max_per_page:
        raise validation_failed(
            FieldError(
                "per_page",
                f"It should be a Positive Integer less than or equal to {max_per_page}",
                "invalid_value",
            )
        )
    return page, per_page


def _includes(query: Mapping[str, str]) -> set[str]:
    return {part.strip() for part in query.get("include", "").split(",") if part.strip()}
