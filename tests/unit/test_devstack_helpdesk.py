"""/_local/helpdesk: the Freshdesk API v2 emulator and its controls (docs/architecture.md §8), at the handler
level.

The last part runs the real FreshdeskClient against the emulator through a requests adapter (no socket):
the client and the emulator must agree on every call the functions make.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from contact_intake.helpdesk.freshdesk import (
    DEFAULT_TIMEOUT,
    FreshdeskClient,
    HelpdeskNotFound,
    HelpdeskRateLimited,
    HelpdeskServerError,
    HelpdeskUnavailable,
    HelpdeskValidationError,
    TicketDraft,
    helpdesk_copy,
)
from contact_intake.rights.export import helpdesk_part
from devstack.emulators.freshdesk import FIRST_CONTACT_ID
from devstack.emulators.helpdesk import DEFAULT_HOLD_SECONDS, HelpdeskEmulator, HelpdeskSettings
from devstack.http import HttpRequest, HttpResponse

HOST = "127.0.0.1:3000"
BASE = f"http://{HOST}/_local/helpdesk/api/v2"
AUTH = ("Authorization", "Basic " + base64.b64encode(b"any-api-key:X").decode())
EMAIL = "ann@example.org"
INQUIRY_ID = "6f1c2a9e-4b7d-4c1e-9a35-0d2e8f7b6a41"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emulator(clock: Clock) -> HelpdeskEmulator:
    return HelpdeskEmulator(clock=clock)


def call(
    emulator: HelpdeskEmulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    query: str = "",
    headers: tuple[tuple[str, str], ...] = (AUTH, ("Content-Type", "application/json")),
) -> HttpResponse:
    raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    request = HttpRequest(method, path, query, (("Host", HOST), *headers), raw)
    return emulator.handle(request, path.removeprefix("/_local/helpdesk"))


def api(
    emulator: HelpdeskEmulator, method: str, path: str, body: Any = None, query: str = ""
) -> HttpResponse:
    return call(emulator, method, f"/_local/helpdesk/api/v2{path}", body, query=query)


def payload(response: HttpResponse) -> Any:
    return json.loads(response.body)


def a_ticket(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": EMAIL,
        "name": "Ann Example",
        "subject": "Order 4711",
        "description": "Where is it?<br>Thanks",
        "status": 2,
        "priority": 1,
        "source": 2,
        "tags": ["contact-form"],
        "custom_fields": {"cf_inquiry_id": INQUIRY_ID},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def create(emulator: HelpdeskEmulator, **overrides: Any) -> dict[str, Any]:
    response = api(emulator, "POST", "/tickets", a_ticket(**overrides))
    assert response.status == 201, response.body
    return dict(payload(response))


def errors(response: HttpResponse) -> list[tuple[str, str]]:
    body = payload(response)
    assert body["description"] == "Validation failed"
    return [(e["field"], e["code"]) for e in body["errors"]]


def state(emulator: HelpdeskEmulator) -> dict[str, Any]:
    return dict(payload(call(emulator, "GET", "/_local/helpdesk/_state")))


# ----------------------------------------------------------------------------------------------- auth


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer abc", "Basic !!!notbase64", "Basic " + base64.b64encode(b":X").decode()],
)
def test_a_call_without_an_api_key_is_401(emulator: HelpdeskEmulator, authorization: str | None) -> None:
    headers = (("Authorization", authorization),) if authorization else ()

    response = call(emulator, "GET", "/_local/helpdesk/api/v2/tickets", headers=headers)

    assert response.status == 401
    assert payload(response)["code"] == "invalid_credentials"
    assert state(emulator)["calls"] == {}


# ------------------------------------------------------------------------------------------- tickets


def test_a_created_ticket_is_201_with_its_location_and_a_new_contact(emulator: HelpdeskEmulator) -> None:
    response = api(emulator, "POST", "/tickets", a_ticket())

    assert response.status == 201
    ticket = payload(response)
    assert response.header("Location") == f"{BASE}/tickets/{ticket['id']}"
    assert ticket["id"] == 1
    assert ticket["requester_id"] == FIRST_CONTACT_ID
    assert ticket["custom_fields"] == {"cf_inquiry_id": INQUIRY_ID}
    assert ticket["description_text"] == "Where is it? Thanks"
    assert ticket["created_at"] == "2026-11-25T10:00:30Z"
    assert "deleted" not in ticket
    (contact,) = state(emulator)["contacts"]
    assert (contact["id"], contact["email"], contact["name"]) == (FIRST_CONTACT_ID, EMAIL, "Ann Example")


def test_a_second_ticket_of_the_same_address_reuses_its_contact(emulator: HelpdeskEmulator) -> None:
    first = create(emulator)
    second = create(emulator, email=EMAIL.upper(), name=None)

    assert second["id"] == first["id"] + 1
    assert second["requester_id"] == first["requester_id"]
    assert len(state(emulator)["contacts"]) == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"email": None}, [("requester_id", "missing_field")]),
        ({"email": "not-an-address"}, [("email", "invalid_value")]),
        ({"email": 42}, [("email", "datatype_mismatch")]),
        ({"subject": None}, [("subject", "missing_field")]),
        ({"subject": "   "}, [("subject", "invalid_value")]),
        ({"subject": "x" * 256}, [("subject", "invalid_value")]),
        ({"description": None}, [("description", "missing_field")]),
        ({"status": "2"}, [("status", "datatype_mismatch")]),
        ({"status": 9}, [("status", "invalid_value")]),
        ({"priority": True}, [("priority", "datatype_mismatch")]),
        ({"source": 4}, [("source", "invalid_value")]),
        ({"tags": "contact-form"}, [("tags", "datatype_mismatch")]),
        ({"tags": ["x" * 256]}, [("tags", "invalid_value")]),
        ({"cc_emails": ["nope"]}, [("cc_emails", "invalid_value")]),
        ({"custom_fields": {"cf_unknown": "1"}}, [("cf_unknown", "invalid_field")]),
        ({"custom_fields": {"cf_inquiry_id": ["a"]}}, [("cf_inquiry_id", "datatype_mismatch")]),
        ({"custom_fields": {"cf_inquiry_id": "x" * 256}}, [("cf_inquiry_id", "invalid_value")]),
        ({"custom_fields": "cf_inquiry_id"}, [("custom_fields", "datatype_mismatch")]),
        ({"language": "nl"}, [("language", "invalid_field")]),
        ({"requester_id": "1"}, [("requester_id", "datatype_mismatch")]),
        ({"name": 7}, [("name", "datatype_mismatch")]),
    ],
)
def test_a_create_is_validated_as_freshdesk_does(
    emulator: HelpdeskEmulator, overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    response = api(emulator, "POST", "/tickets", a_ticket(**overrides))

    assert response.status == 400
    assert errors(response) == expected
    assert state(emulator)["tickets"] == []


def test_a_create_by_an_unknown_requester_id_is_refused(emulator: HelpdeskEmulator) -> None:
    response = api(emulator, "POST", "/tickets", a_ticket(email=None, requester_id=12345))

    assert errors(response) == [("requester_id", "invalid_value")]


def test_a_create_by_requester_id_uses_that_contact(emulator: HelpdeskEmulator) -> None:
    first = create(emulator)

    second = create(emulator, email=None, requester_id=first["requester_id"])

    assert second["requester_id"] == first["requester_id"]


def test_a_create_by_phone_only_makes_a_contact_without_an_address(emulator: HelpdeskEmulator) -> None:
    create(emulator, email=None, phone="+31201234567", name=None)

    (contact,) = state(emulator)["contacts"]
    assert (contact["email"], contact["name"]) == (None, "Unknown")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"[1, 2]", "application/json", 400, "invalid_json"),
        (b"\xff", "application/json", 400, "invalid_json"),
        (b"{}", "text/plain", 415, "invalid_content_type"),
        (b"{}", "", 415, "invalid_content_type"),
    ],
)
def test_a_body_freshdesk_cannot_read_is_refused(
    emulator: HelpdeskEmulator, body: bytes, content_type: str, status: int, code: str
) -> None:
    headers = (AUTH, ("Content-Type", content_type)) if content_type else (AUTH,)

    response = call(emulator, "POST", "/_local/helpdesk/api/v2/tickets", body, headers=headers)

    assert response.status == status
    answer = payload(response)
    assert code in (answer.get("code"), *(e["code"] for e in answer.get("errors", [])))


def test_get_includes_conversations_and_the_requester_when_asked(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)
    reply = api(emulator, "POST", f"/tickets/{ticket['id']}/reply", {"body": "<p>We are on it</p>"})
    note = api(emulator, "POST", f"/tickets/{ticket['id']}/notes", {"body": "internal", "private": True})

    plain = payload(api(emulator, "GET", f"/tickets/{ticket['id']}"))
    full = payload(api(emulator, "GET", f"/tickets/{ticket['id']}", query="include=conversations,requester"))

    assert (reply.status, note.status) == (201, 201)
    assert "conversations" not in plain
    assert [(c["body_text"], c["private"], c["source"]) for c in full["conversations"]] == [
        ("We are on it", False, 0),
        ("internal", True, 2),
    ]
    assert full["conversations"][0]["to_emails"] == [EMAIL]
    assert full["requester"]["email"] == EMAIL
    listed = api(emulator, "GET", f"/tickets/{ticket['id']}/conversations", query="per_page=1")
    assert len(payload(listed)) == 1
    assert 'rel="next"' in (listed.header("link") or "")


def test_a_conversation_needs_a_body(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)

    response = api(emulator, "POST", f"/tickets/{ticket['id']}/notes", {"private": "yes", "colour": "red"})

    assert errors(response) == [
        ("colour", "invalid_field"),
        ("body", "missing_field"),
        ("private", "datatype_mismatch"),
    ]


def test_an_update_changes_the_given_fields_only(emulator: HelpdeskEmulator, clock: Clock) -> None:
    ticket = create(emulator)
    clock.advance(minutes=5)

    response = api(
        emulator, "PUT", f"/tickets/{ticket['id']}", {"status": 4, "tags": ["done"], "custom_fields": {}}
    )

    updated = payload(response)
    assert (updated["status"], updated["tags"], updated["subject"]) == (4, ["done"], "Order 4711")
    assert updated["updated_at"] == "2026-11-25T10:05:30Z"
    assert errors(api(emulator, "PUT", f"/tickets/{ticket['id']}", {"status": 1})) == [
        ("status", "invalid_value")
    ]
    assert api(emulator, "PUT", "/tickets/999", {"status": 4}).status == 404


def test_an_update_can_move_the_ticket_to_another_requester(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)

    updated = payload(api(emulator, "PUT", f"/tickets/{ticket['id']}", {"email": "bob@example.org"}))

    assert updated["requester_id"] != ticket["requester_id"]
    assert errors(api(emulator, "PUT", f"/tickets/{ticket['id']}", [1])) == [("", "invalid_json")]


def test_a_deleted_ticket_shows_deleted_is_listed_nowhere_and_cannot_be_deleted_twice(
    emulator: HelpdeskEmulator,
) -> None:
    ticket = create(emulator)

    first = api(emulator, "DELETE", f"/tickets/{ticket['id']}")
    again = api(emulator, "DELETE", f"/tickets/{ticket['id']}")

    assert (first.status, first.body) == (204, b"")
    assert again.status == 404
    assert payload(api(emulator, "GET", f"/tickets/{ticket['id']}"))["deleted"] is True
    assert payload(api(emulator, "GET", "/tickets", query=f"email={EMAIL}")) == []
    assert [t["id"] for t in payload(api(emulator, "GET", "/tickets", query="filter=deleted"))] == [
        ticket["id"]
    ]
    search = api(emulator, "GET", "/search/tickets", query=f"query=\"cf_inquiry_id:'{INQUIRY_ID}'\"")
    assert payload(search) == {"results": [], "total": 0}


def test_a_deleted_ticket_can_be_restored(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)
    api(emulator, "DELETE", f"/tickets/{ticket['id']}")

    assert api(emulator, "PUT", f"/tickets/{ticket['id']}/restore").status == 204
    assert "deleted" not in payload(api(emulator, "GET", f"/tickets/{ticket['id']}"))
    assert api(emulator, "PUT", f"/tickets/{ticket['id']}/restore").status == 404


def test_an_unknown_ticket_is_404(emulator: HelpdeskEmulator) -> None:
    assert api(emulator, "GET", "/tickets/42").status == 404
    assert api(emulator, "DELETE", "/tickets/42").status == 404
    assert api(emulator, "POST", "/tickets/42/reply", {"body": "x"}).status == 404


def test_an_unknown_path_is_404_and_a_wrong_method_405(emulator: HelpdeskEmulator) -> None:
    assert api(emulator, "GET", "/agents").status == 404
    wrong = api(emulator, "PATCH", "/tickets")
    assert wrong.status == 405
    assert wrong.header("Allow") == "GET,POST"


# ------------------------------------------------------------------------------------------- listing


def test_the_list_by_email_pages_with_a_link_header(emulator: HelpdeskEmulator, clock: Clock) -> None:
    for _ in range(3):
        create(emulator)
        clock.advance(seconds=1)
    create(emulator, email="bob@example.org")

    first = api(emulator, "GET", "/tickets", query=f"email={EMAIL}&per_page=2&page=1")
    second = api(emulator, "GET", "/tickets", query=f"email={EMAIL}&per_page=2&page=2")

    assert [t["id"] for t in payload(first)] == [3, 2]  # newest first, as Freshdesk orders by default
    assert first.header("link") == f'<{BASE}/tickets?email=ann%40example.org&per_page=2&page=2>; rel="next"'
    assert [t["id"] for t in payload(second)] == [1]
    assert second.header("link") is None
    assert "description" not in payload(first)[0]


def test_the_list_orders_and_includes_as_asked(emulator: HelpdeskEmulator, clock: Clock) -> None:
    create(emulator)
    clock.advance(seconds=1)
    create(emulator, status=3)

    listed = payload(
        api(emulator, "GET", "/tickets", query="order_by=status&order_type=asc&include=description,requester")
    )

    assert [t["status"] for t in listed] == [2, 3]
    assert listed[0]["description"] == "Where is it?<br>Thanks"
    assert listed[0]["requester"]["email"] == EMAIL
    assert [
        t["status"] for t in payload(api(emulator, "GET", "/tickets", query="filter=new_and_my_open"))
    ] == [2]
    assert payload(api(emulator, "GET", "/tickets", query="filter=spam")) == []


def test_the_list_by_an_address_without_a_contact_is_a_400(emulator: HelpdeskEmulator) -> None:
    """Freshdesk does not answer an empty list here (helpdesk/freshdesk.py turns this into one)."""
    response = api(emulator, "GET", "/tickets", query="email=nobody%40example.org")

    assert response.status == 400
    (error,) = payload(response)["errors"]
    assert error == {
        "field": "email",
        "message": "There is no contact matching the given email",
        "code": "invalid_value",
    }


def test_without_updated_since_only_the_last_30_days_are_listed(
    emulator: HelpdeskEmulator, clock: Clock
) -> None:
    old = create(emulator)
    clock.advance(days=31)
    new = create(emulator)

    recent = payload(api(emulator, "GET", "/tickets", query=f"email={EMAIL}"))
    since = payload(
        api(emulator, "GET", "/tickets", query=f"email={EMAIL}&updated_since=2026-01-01T00:00:00Z")
    )
    later = payload(api(emulator, "GET", "/tickets", query="updated_since=2026-12-26T10:00:31%2B00:00"))

    assert [t["id"] for t in recent] == [new["id"]]
    assert [t["id"] for t in since] == [new["id"], old["id"]]
    assert later == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("per_page=x", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("updated_since=yesterday", "updated_since"),
        ("order_by=colour", "order_by"),
        ("filter=mine", "filter"),
        ("email=not-an-address", "email"),
        ("requester_id=abc", "requester_id"),
        ("colour=red", "colour"),
    ],
)
def test_a_list_with_a_bad_parameter_is_a_400(emulator: HelpdeskEmulator, query: str, field: str) -> None:
    response = api(emulator, "GET", "/tickets", query=query)

    assert response.status == 400
    assert [f for f, _ in errors(response)] == [field]


def test_the_list_by_requester_id(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)
    create(emulator, email="bob@example.org")

    listed = payload(api(emulator, "GET", "/tickets", query=f"requester_id={ticket['requester_id']}"))

    assert [t["id"] for t in listed] == [ticket["id"]]


# -------------------------------------------------------------------------------------------- search


def search(emulator: HelpdeskEmulator, expression: str, extra: str = "") -> HttpResponse:
    return api(emulator, "GET", "/search/tickets", query=f"query={expression}{extra}")


def test_search_by_the_inquiry_id_field(emulator: HelpdeskEmulator) -> None:
    mine = create(emulator)
    create(emulator, custom_fields={"cf_inquiry_id": "another"})

    answer = payload(search(emulator, f"\"cf_inquiry_id:'{INQUIRY_ID}'\""))

    assert answer["total"] == 1
    assert [t["id"] for t in answer["results"]] == [mine["id"]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"status:2"', [1]),
        ('"status:2 OR status:4"', [3, 1]),
        ("\"tag:'vip' AND priority:>2\"", [3]),
        ("\"(status:4 OR status:2) AND tag:'contact-form'\"", [1]),
        ('"priority:<1"', [2, 1]),  # :< is "at most"
        ('"tag:null"', [2]),
        ("\"created_at:>'2026-11-25' AND created_at:<'2026-11-25'\"", [3, 2, 1]),
        ("\"created_at:'2026-11-24'\"", []),
        ("\"due_by:>'2026-11-28'\"", [3, 2, 1]),
        ('"agent_id:null AND group_id:5"', []),  # nothing is assigned here
        ('"type:null"', [3, 2, 1]),
        ('"cf_inquiry_id:null"', [2]),
    ],
)
def test_search_expressions(emulator: HelpdeskEmulator, expression: str, expected: list[int]) -> None:
    create(emulator)  # 1: open, low, contact-form
    create(emulator, status=3, tags=[], custom_fields={})  # 2: pending, no tags, no inquiry id
    create(emulator, status=4, priority=4, tags=["vip"])  # 3: resolved, urgent, vip

    answer = search(emulator, expression)

    assert answer.status == 200, answer.body
    assert [t["id"] for t in payload(answer)["results"]] == expected


@pytest.mark.parametrize(
    "expression",
    [
        "status:2",  # not in double quotes
        '"status:"',
        '"colour:2"',
        '"status:2 AND"',
        '"(status:2"',
        '"status:2)"',
        "\"status:>'high'\"",
        "\"created_at:>'yesterday'\"",
        '"created_at:5"',
        '"AND"',
        '""',
        '"' + "status:2 OR " * 60 + 'status:3"',
    ],
)
def test_a_query_freshdesk_refuses_is_a_400(emulator: HelpdeskEmulator, expression: str) -> None:
    response = search(emulator, expression)

    assert response.status == 400
    assert [f for f, _ in errors(response)] == ["query"]


def test_search_pages_and_limits(emulator: HelpdeskEmulator) -> None:
    for _ in range(31):
        create(emulator)

    second = payload(search(emulator, '"status:2"', "&page=2"))

    assert second["total"] == 31
    assert [t["id"] for t in second["results"]] == [1]
    assert search(emulator, '"status:2"', "&page=11").status == 400
    assert search(emulator, '"status:2"', "&page=x").status == 400


def test_the_search_index_can_lag_writes(emulator: HelpdeskEmulator, clock: Clock) -> None:
    call(emulator, "POST", "/_local/helpdesk/_settings", {"search_lag_seconds": 60})
    create(emulator)

    hidden = payload(search(emulator, '"status:2"'))
    clock.advance(seconds=60)
    found = payload(search(emulator, '"status:2"'))

    assert (hidden["total"], found["total"]) == (0, 1)


# ------------------------------------------------------------------------------------------ contacts


def test_contacts_by_email_and_deletion(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)
    contact_id = ticket["requester_id"]

    found = payload(api(emulator, "GET", "/contacts", query="email=ANN%40example.org"))
    none = payload(api(emulator, "GET", "/contacts", query="email=bob%40example.org"))
    assert [c["id"] for c in found] == [contact_id]
    assert none == []
    assert payload(api(emulator, "GET", f"/contacts/{contact_id}"))["email"] == EMAIL
    assert errors(api(emulator, "GET", "/contacts", query="email=nope")) == [("email", "invalid_value")]

    assert api(emulator, "DELETE", f"/contacts/{contact_id}").status == 204
    assert api(emulator, "DELETE", f"/contacts/{contact_id}").status == 404
    assert payload(api(emulator, "GET", "/contacts", query=f"email={EMAIL}")) == []
    assert [c["id"] for c in payload(api(emulator, "GET", "/contacts", query="state=deleted"))] == [
        contact_id
    ]
    assert "deleted" not in payload(
        api(emulator, "GET", f"/tickets/{ticket['id']}")
    )  # a soft delete keeps them


def test_a_hard_delete_removes_the_contact_and_its_tickets_for_good(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)
    other = create(emulator, email="bob@example.org")

    response = api(emulator, "DELETE", f"/contacts/{ticket['requester_id']}/hard_delete", query="force=true")

    assert response.status == 204
    assert api(emulator, "GET", f"/tickets/{ticket['id']}").status == 404
    assert api(emulator, "GET", f"/contacts/{ticket['requester_id']}").status == 404
    assert [t["id"] for t in state(emulator)["tickets"]] == [other["id"]]
    assert (
        api(emulator, "DELETE", f"/contacts/{ticket['requester_id']}/hard_delete", query="force=true").status
        == 404
    )


def test_a_hard_delete_without_force_needs_a_soft_delete_first(emulator: HelpdeskEmulator) -> None:
    contact_id = create(emulator)["requester_id"]

    refused = api(emulator, "DELETE", f"/contacts/{contact_id}/hard_delete")
    api(emulator, "DELETE", f"/contacts/{contact_id}")
    accepted = api(emulator, "DELETE", f"/contacts/{contact_id}/hard_delete")

    assert errors(refused) == [("force", "invalid_value")]
    assert accepted.status == 204


def test_a_contact_update_changes_name_and_address_and_its_tickets_follow(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)
    contact_id = ticket["requester_id"]

    updated = api(emulator, "PUT", f"/contacts/{contact_id}", {"name": "Ann New", "email": "ann@new.example"})

    assert updated.status == 200
    assert (payload(updated)["name"], payload(updated)["email"]) == ("Ann New", "ann@new.example")
    assert [t["id"] for t in payload(api(emulator, "GET", "/tickets", query="email=ann%40new.example"))] == [
        ticket["id"]
    ]
    assert payload(api(emulator, "GET", "/contacts", query=f"email={EMAIL}")) == []


def test_a_contact_update_is_refused_as_freshdesk_refuses_it(emulator: HelpdeskEmulator) -> None:
    contact_id = create(emulator)["requester_id"]
    create(emulator, email="bob@example.org")

    taken = api(emulator, "PUT", f"/contacts/{contact_id}", {"email": "BOB@example.org"})
    malformed = api(emulator, "PUT", f"/contacts/{contact_id}", {"email": "ann new@example.org"})
    unknown = api(emulator, "PUT", f"/contacts/{contact_id}", {"shoe_size": 38})
    missing = api(emulator, "PUT", "/contacts/42", {"name": "Nobody"})

    assert taken.status == 409
    assert [(e["field"], e["code"]) for e in payload(taken)["errors"]] == [("email", "duplicate_value")]
    assert errors(malformed) == [("email", "invalid_value")]
    assert errors(unknown) == [("shoe_size", "invalid_field")]
    assert missing.status == 404
    assert payload(api(emulator, "GET", f"/contacts/{contact_id}"))["email"] == EMAIL


def test_put_ticket_and_put_conversation_set_up_what_came_another_way(emulator: HelpdeskEmulator) -> None:
    mailed = emulator.state.put_ticket(EMAIL, "Ann Example", "By mail", ticket_id=4711)
    emulator.state.put_conversation(mailed.id, "Hello?", incoming=True)
    emulator.state.put_conversation(mailed.id, "Hello Ann")
    emulator.state.put_conversation(mailed.id, "She is a regular", private=True)

    read = payload(api(emulator, "GET", "/tickets/4711", query="include=conversations"))

    assert (read["source"], read["tags"], read["description_text"]) == (1, ["email"], "By mail")
    assert [
        (c["incoming"], c["private"], c["from_email"], c["to_emails"]) for c in read["conversations"]
    ] == [
        (True, False, EMAIL, []),
        (False, False, None, [EMAIL]),
        (False, True, None, []),
    ]
    assert read["conversations"][0]["user_id"] == read["requester_id"]
    assert create(emulator)["id"] == 4712  # the API's next id is past it
    assert create(emulator)["requester_id"] == read["requester_id"]


# ------------------------------------------------------------------------------------------- faults


def set_faults(emulator: HelpdeskEmulator, body: Any) -> HttpResponse:
    return call(emulator, "POST", "/_local/helpdesk/_faults", body)


def test_429_fault_answers_retry_after_one_second_and_creates_nothing(emulator: HelpdeskEmulator) -> None:
    assert payload(set_faults(emulator, {"fail_next": 2, "mode": "429"}))["pending"] == ["429", "429"]

    first = api(emulator, "POST", "/tickets", a_ticket())
    second = api(emulator, "GET", "/tickets/1")
    third = api(emulator, "POST", "/tickets", a_ticket())

    assert (first.status, first.header("Retry-After")) == (429, "1")
    assert second.status == 429
    assert third.status == 201
    assert [t["id"] for t in state(emulator)["tickets"]] == [1]


def test_500_fault(emulator: HelpdeskEmulator) -> None:
    set_faults(emulator, {"fail_next": 1, "mode": "500"})

    assert api(emulator, "POST", "/tickets", a_ticket()).status == 500
    assert state(emulator)["tickets"] == []


def test_timeout_fault_holds_then_answers_504_without_creating(emulator: HelpdeskEmulator) -> None:
    set_faults(emulator, {"fail_next": 1, "mode": "timeout", "hold_seconds": 0})

    response = api(emulator, "POST", "/tickets", a_ticket())

    assert response.status == 504
    assert state(emulator)["tickets"] == []


def test_a_held_request_ends_at_once_when_devstack_stops(emulator: HelpdeskEmulator) -> None:
    call(emulator, "POST", "/_local/helpdesk/_settings", {"timeout_hold_seconds": 3600})
    set_faults(emulator, {"fail_next": 1, "mode": "timeout"})
    emulator.stop()

    assert api(emulator, "GET", "/tickets").status == 504


def test_the_default_hold_outlasts_the_clients_read_timeout() -> None:
    assert HelpdeskSettings().timeout_hold_seconds == DEFAULT_HOLD_SECONDS > DEFAULT_TIMEOUT[1]


def test_lost_response_fault_creates_the_ticket_and_drops_the_answer(emulator: HelpdeskEmulator) -> None:
    set_faults(emulator, {"fail_next": 1, "mode": "lost_response"})

    response = api(emulator, "POST", "/tickets", a_ticket())

    assert response.drop_connection is True
    assert [t["custom_fields"]["cf_inquiry_id"] for t in state(emulator)["tickets"]] == [INQUIRY_ID]
    assert api(emulator, "GET", "/tickets/1").drop_connection is False


def test_faults_can_be_listed_and_cleared(emulator: HelpdeskEmulator) -> None:
    set_faults(emulator, {"fail_next": 3, "mode": "500"})

    listed = payload(call(emulator, "GET", "/_local/helpdesk/_faults"))
    cleared = payload(call(emulator, "DELETE", "/_local/helpdesk/_faults"))

    assert listed == {"pending": ["500", "500", "500"], "every": []}
    assert cleared == {"pending": [], "every": []}
    assert call(emulator, "PUT", "/_local/helpdesk/_faults").status == 405


def test_a_standing_fault_fails_every_matching_call_until_cleared(emulator: HelpdeskEmulator) -> None:
    rule = {"operation": "create_ticket", "custom_fields": {"cf_inquiry_id": "doomed"}}
    listed = payload(set_faults(emulator, {"fail_every": rule, "mode": "500"}))

    doomed = [api(emulator, "POST", "/tickets", a_ticket(custom_fields={"cf_inquiry_id": "doomed"})).status]
    doomed += [api(emulator, "POST", "/tickets", a_ticket(custom_fields={"cf_inquiry_id": "doomed"})).status]
    others = [api(emulator, "POST", "/tickets", a_ticket()).status, api(emulator, "GET", "/tickets/1").status]
    call(emulator, "DELETE", "/_local/helpdesk/_faults")
    after = api(emulator, "POST", "/tickets", a_ticket(custom_fields={"cf_inquiry_id": "doomed"})).status

    assert listed == {"pending": [], "every": [{"mode": "500", "id": None, **rule}]}
    assert (doomed, others, after) == ([500, 500], [201, 200], 201)


def test_a_404_fault_answers_record_not_found_for_one_ticket(emulator: HelpdeskEmulator) -> None:
    kept, gone = create(emulator)["id"], create(emulator)["id"]
    set_faults(emulator, {"fail_every": {"operation": "get_ticket", "id": gone}, "mode": "404"})

    assert api(emulator, "GET", f"/tickets/{kept}").status == 200
    assert api(emulator, "GET", f"/tickets/{gone}").status == 404
    assert payload(api(emulator, "GET", f"/tickets/{gone}")) == {
        "code": "access_denied",
        "message": "Record not found",
    }


def test_the_retry_after_of_a_429_fault_and_refused_addresses_are_settings(
    emulator: HelpdeskEmulator,
) -> None:
    body = {"retry_after_seconds": 7, "invalid_emails": [EMAIL]}
    settings = payload(call(emulator, "POST", "/_local/helpdesk/_settings", body))
    set_faults(emulator, {"fail_next": 1, "mode": "429"})

    limited = api(emulator, "POST", "/tickets", a_ticket(email="bob@example.org"))
    refused = api(emulator, "POST", "/tickets", a_ticket())

    assert (settings["retry_after_seconds"], settings["invalid_emails"]) == (7, [EMAIL])
    assert (limited.status, limited.header("Retry-After")) == (429, "7")
    assert errors(refused) == [("email", "invalid_value")]
    assert api(emulator, "POST", "/tickets", a_ticket(email="bob@example.org")).status == 201


def test_in_process_a_timeout_fault_is_what_hold_makes_of_it(clock: Clock) -> None:
    held: list[float] = []
    emulator = HelpdeskEmulator(clock=clock, hold=held.append)
    emulator.fail_next(1, "timeout", hold_seconds=3)

    assert api(emulator, "POST", "/tickets", a_ticket()).status == 504
    assert held == [3.0]
    assert state(emulator)["tickets"] == []


def test_with_an_api_key_given_only_that_key_is_let_in(clock: Clock) -> None:
    emulator = HelpdeskEmulator(clock=clock, api_key="the-key")
    right = ("Authorization", "Basic " + base64.b64encode(b"the-key:X").decode())
    json_body = ("Content-Type", "application/json")

    assert api(emulator, "GET", "/tickets").status == 401  # AUTH carries another key
    assert call(emulator, "GET", "/_local/helpdesk/api/v2/tickets", headers=(right, json_body)).status == 200


@pytest.mark.parametrize(
    "body",
    [
        {"fail_every": {"operation": "fly"}, "mode": "500"},
        {"fail_every": {"colour": "red"}, "mode": "500"},
        {"fail_every": {"id": "7"}, "mode": "500"},
        {"fail_every": {}, "mode": "418"},
        {"fail_next": 0, "mode": "500"},
        {"fail_next": True, "mode": "500"},
        {"fail_next": 1, "mode": "503"},
        {"fail_next": 1, "mode": "timeout", "hold_seconds": -1},
        {"fail_next": 1, "mode": "timeout", "hold_seconds": "12"},
        [1],
        b"{",
    ],
)
def test_a_fault_that_makes_no_sense_is_a_400(emulator: HelpdeskEmulator, body: Any) -> None:
    response = set_faults(emulator, body)

    assert response.status == 400
    assert payload(call(emulator, "GET", "/_local/helpdesk/_faults")) == {"pending": [], "every": []}


# --------------------------------------------------------------------------------------- rate limit


def test_the_create_limit_per_minute_answers_429_until_the_next_minute(
    emulator: HelpdeskEmulator, clock: Clock
) -> None:
    settings = call(emulator, "POST", "/_local/helpdesk/_settings", {"rate_limit_per_minute": 2})
    assert payload(settings)["rate_limit_per_minute"] == 2

    made = [api(emulator, "POST", "/tickets", a_ticket()).status for _ in range(3)]
    refused = api(emulator, "POST", "/tickets", a_ticket())
    reads = api(emulator, "GET", "/tickets/1").status
    clock.advance(seconds=30)
    next_minute = api(emulator, "POST", "/tickets", a_ticket()).status

    assert made == [201, 201, 429]
    assert refused.header("Retry-After") == "30"
    assert refused.header("X-RateLimit-Remaining") == "0"
    assert (reads, next_minute) == (200, 201)
    assert state(emulator)["calls"]["create_ticket_throttled"] == 2


@pytest.mark.parametrize(
    "body",
    [
        {"rate_limit_per_minute": 0},
        {"rate_limit_per_minute": 1.5},
        {"search_lag_seconds": -1},
        {"timeout_hold_seconds": "a"},
        {"retry_after_seconds": -1},
        {"invalid_emails": "ann@example.org"},
        {"colour": "red"},
    ],
)
def test_a_setting_that_makes_no_sense_is_a_400(emulator: HelpdeskEmulator, body: dict[str, Any]) -> None:
    assert call(emulator, "POST", "/_local/helpdesk/_settings", body).status == 400


def test_settings_can_be_read_and_the_limit_lifted(emulator: HelpdeskEmulator) -> None:
    call(emulator, "POST", "/_local/helpdesk/_settings", {"rate_limit_per_minute": 1})
    lifted = call(emulator, "POST", "/_local/helpdesk/_settings", {"rate_limit_per_minute": None})

    assert payload(lifted)["rate_limit_per_minute"] is None
    assert payload(call(emulator, "GET", "/_local/helpdesk/_settings"))["search_lag_seconds"] == 0.0
    assert call(emulator, "DELETE", "/_local/helpdesk/_settings").status == 405


# -------------------------------------------------------------------------------------------- state


def test_state_shows_everything_and_delete_empties_it(emulator: HelpdeskEmulator) -> None:
    ticket = create(emulator)
    api(emulator, "DELETE", f"/tickets/{ticket['id']}")
    set_faults(emulator, {"fail_next": 1, "mode": "500"})

    before = state(emulator)
    emptied = call(emulator, "DELETE", "/_local/helpdesk/_state")
    after = state(emulator)

    assert [(t["id"], t["deleted"], t["requester"]["email"]) for t in before["tickets"]] == [(1, True, EMAIL)]
    assert before["faults"] == ["500"]
    assert before["calls"] == {"create_ticket": 1, "delete_ticket": 1}
    assert emptied.status == 204
    assert (after["tickets"], after["contacts"], after["faults"], after["calls"]) == ([], [], [], {})
    assert create(emulator)["id"] == 1
    assert call(emulator, "POST", "/_local/helpdesk/_state").status == 405


def test_an_unknown_local_path_is_404(emulator: HelpdeskEmulator) -> None:
    assert call(emulator, "GET", "/_local/helpdesk/_nothing").status == 404


def test_the_functions_are_pointed_at_the_emulator_instead_of_freshdesk(emulator: HelpdeskEmulator) -> None:
    assert emulator.environment("http://127.0.0.1:3000") == {
        "HELPDESK_BASE_URL": "http://127.0.0.1:3000/_local/helpdesk/api/v2",
        "HELPDESK_DOMAIN": None,
    }


# ------------------------------------------------------------- the real client against the emulator


class EmulatorAdapter(BaseAdapter):
    """A requests transport that hands each request to the emulator; a dropped answer is a lost one."""

    def __init__(self, emulator: HelpdeskEmulator) -> None:
        super().__init__()
        self._emulator = emulator

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = requests.utils.urlparse(request.url)
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        answer = self._emulator.handle(
            HttpRequest(request.method or "GET", url.path, url.query, tuple(request.headers.items()), body),
            url.path.removeprefix("/_local/helpdesk"),
        )
        if answer.drop_connection:
            raise requests.ConnectionError("Remote end closed connection without response")
        response = requests.Response()
        response.status_code = answer.status
        response.headers.update(dict(answer.headers))
        response._content = answer.body
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def client(emulator: HelpdeskEmulator) -> Iterator[FreshdeskClient]:
    session = requests.Session()
    session.mount("http://", EmulatorAdapter(emulator))
    yield FreshdeskClient(
        session=session,
        api_key=lambda: "local-helpdesk-api-key",
        base_url=f"http://{HOST}/_local/helpdesk/api/v2",
    )
    session.close()


def a_draft(inquiry_id: str = INQUIRY_ID, email: str = EMAIL) -> TicketDraft:
    return TicketDraft(
        inquiry_id=inquiry_id,
        requester_email=email,
        requester_name="Ann Example",
        subject="Order 4711",
        message="Where is <my> parcel?\nThanks",
        locale="en",
    )


def test_the_client_creates_reads_finds_and_deletes_tickets(
    client: FreshdeskClient, emulator: HelpdeskEmulator
) -> None:
    ticket = client.create_ticket(a_draft())

    read = client.get_ticket(ticket.id, include_conversations=True)
    found = client.find_tickets_by_inquiry_id(INQUIRY_ID)
    listed = client.list_tickets_by_requester_email(EMAIL)
    client.delete_ticket(ticket.id)
    client.delete_ticket(ticket.id)  # a second delete is a 404, which the client counts as done

    assert read.custom_fields == {"cf_inquiry_id": INQUIRY_ID}
    assert read.conversations == []
    assert payload(api(emulator, "GET", f"/tickets/{ticket.id}"))["description"] == (
        "Where is &lt;my&gt; parcel?<br>Thanks"
    )
    assert [t.id for t in found] == [t.id for t in listed] == [ticket.id]
    assert client.get_ticket(ticket.id).deleted is True
    assert client.list_tickets_by_requester_email(EMAIL) == []


def test_the_client_follows_the_emulators_pages(
    client: FreshdeskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contact_intake.helpdesk.freshdesk.PER_PAGE", 2)
    made = [client.create_ticket(a_draft(inquiry_id=f"inquiry-{n}")).id for n in range(5)]

    listed = client.list_tickets_by_requester_email(EMAIL)

    assert sorted(t.id for t in listed) == made


def test_the_client_lists_nothing_for_an_address_the_helpdesk_never_saw(client: FreshdeskClient) -> None:
    assert client.list_tickets_by_requester_email("nobody@example.org") == []


def test_the_client_finds_and_hard_deletes_the_contact(client: FreshdeskClient) -> None:
    ticket = client.create_ticket(a_draft())
    contact = client.find_contact_by_email(EMAIL)
    assert contact is not None

    client.delete_contact_permanently(contact.id)
    client.delete_contact_permanently(contact.id)

    assert client.find_contact_by_email(EMAIL) is None
    with pytest.raises(HelpdeskNotFound):
        client.get_ticket(ticket.id)


def test_the_client_sees_each_fault_as_its_typed_error(
    client: FreshdeskClient, emulator: HelpdeskEmulator
) -> None:
    set_faults(emulator, {"fail_next": 1, "mode": "429"})
    with pytest.raises(HelpdeskRateLimited) as limited:
        client.create_ticket(a_draft())
    assert limited.value.retry_after_seconds == 1

    set_faults(emulator, {"fail_next": 1, "mode": "500"})
    with pytest.raises(HelpdeskServerError):
        client.create_ticket(a_draft())

    set_faults(emulator, {"fail_next": 1, "mode": "lost_response"})
    with pytest.raises(HelpdeskUnavailable):
        client.create_ticket(a_draft())
    assert [t.custom_fields["cf_inquiry_id"] for t in client.find_tickets_by_inquiry_id(INQUIRY_ID)] == [
        INQUIRY_ID
    ]


def test_the_client_gets_freshdesks_validation_errors(client: FreshdeskClient) -> None:
    with pytest.raises(HelpdeskValidationError) as refused:
        client.create_ticket(a_draft(email="not-an-address"))
    assert [(p.field, p.code) for p in refused.value.problems] == [("email", "invalid_value")]


def test_the_export_takes_only_the_persons_own_part_of_what_the_emulator_answers(
    emulator: HelpdeskEmulator, client: FreshdeskClient
) -> None:
    """D65 against the emulator's Freshdesk shapes: the requester's own message (a note with incoming and
    their user id), a reply to them with a cc, a private note, another participant's message."""
    ticket = create(emulator)
    other = create(emulator, email="piet@example.net", name="Piet")
    requester, participant = ticket["requester_id"], other["requester_id"]
    path = f"/tickets/{ticket['id']}"
    for kind, body in (
        ("reply", {"body": "A new bag is on its way", "cc_emails": ["piet@example.net"]}),
        ("notes", {"body": "Internal: she called twice", "private": True}),
        ("notes", {"body": "Piet here, same problem", "private": False, "incoming": True,
                   "user_id": participant}),
        ("notes", {"body": "Thanks a lot", "private": False, "incoming": True, "user_id": requester}),
    ):  # fmt: skip
        assert api(emulator, "POST", f"{path}/{kind}", body).status == 201

    conversations = client.list_conversations(ticket["id"])
    assert [(c["incoming"], c["private"], c["from_email"]) for c in conversations] == [
        (False, False, None),
        (False, True, None),
        (True, False, "piet@example.net"),
        (True, False, EMAIL),
    ]
    copy = helpdesk_copy(
        client.find_contact_document(EMAIL), [(client.get_ticket_document(ticket["id"]), conversations)]
    )
    section, review = helpdesk_part(copy, EMAIL)

    (exported,) = section["tickets"]
    assert [(m["kind"], m["text"]) for m in exported["messages"]] == [
        ("your_question", "Where is it? Thanks"),
        ("reply_to_you", "A new bag is on its way"),
        ("your_message", "Thanks a lot"),
    ]
    assert "piet" not in json.dumps(section).lower()
    assert "called twice" not in json.dumps(section)
    assert sorted(str(w.reason) for w in review.conversations) == [
        "other_participants_messages",
        "private_notes",
    ]
    assert review.other_addresses == 1  # the reply's cc
