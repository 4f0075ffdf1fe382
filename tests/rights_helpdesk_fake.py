"""The fake Freshdesk of tests/helpdesk_fake.py with what the rights worker also uses: requester contacts
(made by a ticket create, as Freshdesk does), ``PUT /tickets/{id}``, ``GET /tickets/{id}/conversations``
(paged, ``link: rel="next"``), ``GET /contacts?email=``, ``PUT /contacts/{id}`` (409 on an address another
contact has) and ``DELETE /contacts/{id}/hard_delete`` (the contact and all its tickets, for good).
Bodies and status codes as Freshdesk's API v2."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

from tests.helpdesk_fake import Answer, FakeFreshdesk, StoredTicket, _iso, _json


@dataclass
class StoredContact:
    id: int
    email: str
    name: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "active": False,
            "language": "en",
            "time_zone": "Amsterdam",
            "other_emails": [],
            "created_at": "2026-01-05T08:00:00Z",
            "updated_at": "2026-01-05T08:00:00Z",
        }


@dataclass
class RightsFreshdesk(FakeFreshdesk):
    contacts: dict[int, StoredContact] = field(default_factory=dict)
    conversations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    hard_deleted: list[int] = field(default_factory=list)
    gone_on_get: set[int] = field(default_factory=set)  # listed, then deleted before GET /tickets/{id}
    _next_contact: int = 5001

    # -- controls

    def add_ticket(self, email: str, name: str, subject: str, **custom_fields: Any) -> StoredTicket:
        """A ticket that came to the helpdesk some other way (an e-mail to the support address)."""
        ticket = StoredTicket(
            id=self._next_id, email=email, name=name, subject=subject, description=f"<div>{subject}</div>",
            tags=["email"], custom_fields=dict(custom_fields), source=1, status=2, priority=1,
            created_at=self.clock(),
        )  # fmt: skip
        self._next_id += 1
        self.tickets[ticket.id] = ticket
        self.contact_for(email, name)
        return ticket

    def add_conversation(
        self,
        ticket_id: int,
        body_text: str,
        *,
        incoming: bool = False,
        private: bool = False,
        user_id: int | None = None,
        from_email: str | None = None,
        to_emails: list[str] | None = None,
        cc_emails: list[str] | None = None,
        bcc_emails: list[str] | None = None,
    ) -> dict[str, Any]:
        """A conversation as Freshdesk lists it. By default an incoming one is the requester's own (their user
        id, their address), an outgoing one an agent's (user 77) public reply to the requester; ``private``
        makes a note (source 2)."""
        ticket = self.tickets[ticket_id]
        requester = 1000 + ticket.id  # StoredTicket.as_json's requester_id
        if incoming:
            author, sender, recipients = requester, ticket.email, ["support@shop.example"]
        else:
            author, sender, recipients = 77, "support@shop.example", [] if private else [ticket.email]
        conversation = {
            "id": 9000 + sum(len(c) for c in self.conversations.values()),
            "ticket_id": ticket_id,
            "body": f"<div>{body_text}</div>",
            "body_text": body_text,
            "incoming": incoming,
            "private": private,
            "source": 2 if private else 0,
            "user_id": author if user_id is None else user_id,
            "from_email": sender if from_email is None else from_email,
            "support_email": "support@shop.example",
            "to_emails": recipients if to_emails is None else to_emails,
            "cc_emails": list(cc_emails or []),
            "bcc_emails": list(bcc_emails or []),
            "created_at": _iso(self.clock()),
            "updated_at": _iso(self.clock()),
            "attachments": [],
        }
        self.conversations.setdefault(ticket_id, []).append(conversation)
        return conversation

    def contact_for(self, email: str, name: str = "") -> StoredContact:
        for contact in self.contacts.values():
            if contact.email.lower() == email.lower():
                return contact
        contact = StoredContact(id=self._next_contact, email=email, name=name)
        self._next_contact += 1
        self.contacts[contact.id] = contact
        return contact

    def tickets_of(self, email: str) -> list[StoredTicket]:
        return [t for t in self.tickets.values() if t.email.lower() == email.lower()]

    def install(self, rsps: responses.RequestsMock) -> RightsFreshdesk:
        base = re.escape(self.base_url)
        # none of these overlaps a route of the parent's (responses cycles through overlapping matches)
        rsps.add_callback(responses.PUT, re.compile(rf"^{base}/tickets/\d+$"), self._update_ticket)
        rsps.add_callback(
            responses.GET, re.compile(rf"^{base}/tickets/\d+/conversations(\?.*)?$"), self._conversations
        )
        rsps.add_callback(responses.GET, re.compile(rf"^{base}/contacts(\?.*)?$"), self._find_contacts)
        rsps.add_callback(responses.PUT, re.compile(rf"^{base}/contacts/\d+$"), self._update_contact)
        rsps.add_callback(
            responses.DELETE, re.compile(rf"^{base}/contacts/\d+/hard_delete(\?.*)?$"), self._hard_delete
        )
        super().install(rsps)
        return self

    # -- the API

    def _create(self, request: requests.PreparedRequest) -> Answer:
        answer = super()._create(request)
        if answer[0] == 201:
            body = json.loads(request.body or b"{}")
            self.contact_for(body["email"], body.get("name", ""))
        return answer

    def _get(self, request: requests.PreparedRequest) -> Answer:
        if self._id_of(request) in self.gone_on_get:
            self._guard("get_ticket", request)
            return _json(404, {"code": "access_denied", "message": "Record not found"})
        return super()._get(request)

    def _update_ticket(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("update_ticket", request)
        if refused:
            return refused
        ticket = self.tickets.get(self._id_of(request))
        if ticket is None or ticket.deleted:
            return _json(404, {"code": "access_denied", "message": "Record not found"})
        body = json.loads(request.body or b"{}")
        if "tags" in body:
            ticket.tags = list(body["tags"])
        return _json(200, ticket.as_json())

    def _conversations(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("list_conversations", request)
        if refused:
            return refused
        parts = urlsplit(request.url or "")
        ticket_id = int(parts.path.split("/")[-2])
        if ticket_id not in self.tickets:
            return _json(404, {"code": "access_denied", "message": "Record not found"})
        query = parse_qs(parts.query)
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        every = self.conversations.get(ticket_id, [])
        headers = {}
        if len(every) > page * per_page:
            headers["Link"] = (
                f'<{self.base_url}/tickets/{ticket_id}/conversations?page={page + 1}>; rel="next"'
            )
        return _json(200, every[(page - 1) * per_page : page * per_page], headers)

    def _find_contacts(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("find_contact", request)
        if refused:
            return refused
        email = parse_qs(urlsplit(request.url or "").query).get("email", [""])[0]
        found = [c.as_json() for c in self.contacts.values() if c.email.lower() == email.lower()]
        return _json(200, found)

    def _update_contact(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("update_contact", request)
        if refused:
            return refused
        contact = self.contacts.get(self._id_of(request))
        if contact is None:
            return _json(404, {"code": "access_denied", "message": "Record not found"})
        body = json.loads(request.body or b"{}")
        new_email = body.get("email")
        if new_email and any(
            c.email.lower() == new_email.lower() and c.id != contact.id for c in self.contacts.values()
        ):
            return _json(
                409,
                {
                    "description": "Validation failed",
                    "errors": [
                        {
                            "field": "email",
                            "message": "It should be a unique value",
                            "code": "duplicate_value",
                        }
                    ],
                },
            )
        if new_email:
            for ticket in self.tickets_of(contact.email):  # tickets belong to the contact, not to an address
                ticket.email = new_email
            contact.email = new_email
        if "name" in body:
            contact.name = body["name"]
            for ticket in self.tickets_of(contact.email):
                ticket.name = body["name"]
        return _json(200, contact.as_json())

    def _hard_delete(self, request: requests.PreparedRequest) -> Answer:
        refused = self._guard("hard_delete_contact", request)
        if refused:
            return refused
        contact_id = int(urlsplit(request.url or "").path.split("/")[-2])
        contact = self.contacts.pop(contact_id, None)
        if contact is None:
            return _json(404, {"code": "access_denied", "message": "Record not found"})
        self.hard_deleted.append(contact_id)
        for ticket in self.tickets_of(contact.email):  # the contact and all its tickets, trashed ones too
            del self.tickets[ticket.id]
        return 204, {}, ""
