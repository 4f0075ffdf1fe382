"""The Freshdesk client's calls for the rights worker, against ``responses`` with Freshdesk's formats: the
ticket and contact documents as answered, every page of a ticket's conversations, a contact update; an
answer that is not what Freshdesk sends is a HelpdeskServerError, a 409 a HelpdeskRejected."""

from __future__ import annotations

import json

import pytest
import responses
from responses import matchers

from contact_intake.helpdesk.freshdesk import (
    FreshdeskClient,
    HelpdeskNotFound,
    HelpdeskRejected,
    HelpdeskServerError,
)
from tests.unit.freshdesk_wire import BASE, BASIC, EMAIL, a_client, cap_pages

TICKET = {
    "id": 42,
    "subject": "Bestelling 4711 kwijt",
    "description": "<div>Waar is mijn pakket?</div>",
    "description_text": "Waar is mijn pakket?",
    "custom_fields": {"cf_inquiry_id": "6f1c2a9e"},
    "status": 2,
}
CONTACT = {"id": 5001, "name": "Jan de Vries", "email": EMAIL, "phone": None, "language": "nl"}


def conversation(number: int) -> dict[str, object]:
    return {"id": 9000 + number, "body_text": f"reply {number}", "incoming": number % 2 == 0, "ticket_id": 42}


@pytest.fixture
def client() -> FreshdeskClient:
    return a_client()


@responses.activate
def test_the_ticket_document_keeps_every_field(client: FreshdeskClient) -> None:
    responses.get(
        f"{BASE}/tickets/42", json=TICKET, match=[matchers.header_matcher({"Authorization": BASIC})]
    )

    assert client.get_ticket_document(42) == TICKET


@responses.activate
def test_a_missing_ticket_document_is_not_found(client: FreshdeskClient) -> None:
    responses.get(
        f"{BASE}/tickets/42", status=404, json={"code": "access_denied", "message": "Record not found"}
    )

    with pytest.raises(HelpdeskNotFound):
        client.get_ticket_document(42)


@responses.activate
def test_every_page_of_conversations(client: FreshdeskClient) -> None:
    first = [conversation(n) for n in range(100)]
    responses.get(
        f"{BASE}/tickets/42/conversations",
        json=first,
        headers={"Link": f'<{BASE}/tickets/42/conversations?page=2>; rel="next"'},
        match=[matchers.query_param_matcher({"per_page": "100", "page": "1"})],
    )
    responses.get(
        f"{BASE}/tickets/42/conversations",
        json=[conversation(100)],
        match=[matchers.query_param_matcher({"per_page": "100", "page": "2"})],
    )

    conversations = client.list_conversations(42)

    assert [c["id"] for c in conversations] == [9000 + n for n in range(101)]


@pytest.mark.parametrize("body", [{"id": 1}, [1, 2], "text"])
@responses.activate
def test_unreadable_conversations(client: FreshdeskClient, body: object) -> None:
    responses.get(f"{BASE}/tickets/42/conversations", json=body)

    with pytest.raises(HelpdeskServerError, match="unreadable answer"):
        client.list_conversations(42)


@responses.activate
def test_a_conversation_list_that_never_ends_is_an_error(
    client: FreshdeskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cap_pages(monkeypatch, 2)
    responses.get(
        f"{BASE}/tickets/42/conversations",
        json=[conversation(1)],
        headers={"Link": f'<{BASE}/tickets/42/conversations?page=9>; rel="next"'},
    )

    with pytest.raises(HelpdeskServerError, match="too many pages"):
        client.list_conversations(42)


@responses.activate
def test_the_contact_document(client: FreshdeskClient) -> None:
    responses.get(f"{BASE}/contacts", json=[CONTACT], match=[matchers.query_param_matcher({"email": EMAIL})])

    assert client.find_contact_document(EMAIL) == CONTACT


@responses.activate
def test_no_contact_document(client: FreshdeskClient) -> None:
    responses.get(f"{BASE}/contacts", json=[])

    assert client.find_contact_document(EMAIL) is None


@pytest.mark.parametrize("body", [{"id": 1}, ["x"]])
@responses.activate
def test_unreadable_contact_document(client: FreshdeskClient, body: object) -> None:
    responses.get(f"{BASE}/contacts", json=body)

    with pytest.raises(HelpdeskServerError):
        client.find_contact_document(EMAIL)


@responses.activate
def test_unreadable_ticket_document(client: FreshdeskClient) -> None:
    responses.get(f"{BASE}/tickets/42", json=[TICKET])

    with pytest.raises(HelpdeskServerError):
        client.get_ticket_document(42)


@responses.activate
def test_a_contact_is_updated_with_put(client: FreshdeskClient) -> None:
    updated = {**CONTACT, "name": "Jan de Vries-Bakker"}
    responses.put(f"{BASE}/contacts/5001", json=updated)

    contact = client.update_contact(5001, {"name": "Jan de Vries-Bakker"})

    assert contact.id == 5001
    (call,) = responses.calls
    assert json.loads(call.request.body or b"") == {"name": "Jan de Vries-Bakker"}
    assert call.request.headers["Authorization"] == BASIC


@responses.activate
def test_an_address_another_contact_has_is_refused(client: FreshdeskClient) -> None:
    responses.put(
        f"{BASE}/contacts/5001",
        status=409,
        json={
            "description": "Validation failed",
            "errors": [
                {"field": "email", "message": "It should be a unique value", "code": "duplicate_value"}
            ],
        },
    )

    with pytest.raises(HelpdeskRejected) as refused:
        client.update_contact(5001, {"email": "taken@example.nl"})

    assert refused.value.permanent
    assert "taken" not in str(refused.value)
