"""The Freshdesk client against `responses`: the request format of every operation, one test per status."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import responses

from contact_intake.core.errors import ConfigurationError
from contact_intake.helpdesk.freshdesk import (
    FieldProblem,
    FreshdeskClient,
    FreshdeskContact,
    FreshdeskTicket,
    HelpdeskAuthError,
    HelpdeskError,
    HelpdeskNotFound,
    HelpdeskRateLimited,
    HelpdeskRejected,
    HelpdeskServerError,
    HelpdeskTimeout,
    HelpdeskUnavailable,
    HelpdeskValidationError,
    TicketDraft,
    freshdesk_base_url,
    inquiry_search_query,
    retry_after_seconds,
    ticket_description_html,
    ticket_payload,
)
from tests.unit.freshdesk_wire import API_KEY, BASE, BASIC, EMAIL, a_client, cap_pages

INQUIRY_ID = "6f1c2a9e-4b7d-4c1e-9a35-0d2e8f7b6a41"
NAME = "Jan de Vries"
SUBJECT = "Bestelling 4711 kwijt"
MESSAGE = 'Hallo,\r\nwaar is mijn <b>pakket</b> & "retour"?\nGroet, Jan'
PERSONAL = (API_KEY, EMAIL, "jan", NAME, "Vries", SUBJECT, "pakket", "retour")

TICKET = {
    "id": 42,
    "subject": SUBJECT,
    "status": 2,
    "priority": 1,
    "source": 2,
    "requester_id": 9001,
    "tags": ["contact-form", "lang:nl"],
    "custom_fields": {"cf_inquiry_id": INQUIRY_ID},
    "created_at": "2026-11-25T04:24:36Z",
    "updated_at": "2026-11-25T04:24:37Z",
    "description": "<div>...</div>",
    "spam": False,
    "fr_escalated": False,
}


def a_draft(**overrides: Any) -> TicketDraft:
    fields: dict[str, Any] = {
        "inquiry_id": INQUIRY_ID,
        "requester_email": EMAIL,
        "requester_name": NAME,
        "subject": SUBJECT,
        "message": MESSAGE,
        "locale": "nl",
    }
    return TicketDraft(**{**fields, **overrides})


@pytest.fixture
def client() -> FreshdeskClient:
    return a_client()


def sent() -> requests.PreparedRequest:
    return responses.calls[-1].request  # type: ignore[no-any-return]


def sent_json() -> Any:
    return json.loads(sent().body or b"")


def assert_nothing_personal(error: HelpdeskError) -> None:
    text = f"{error} {error!r} {error.args} {error.reason}".lower()
    for secret in PERSONAL:
        assert secret.lower() not in text
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None


# ------------------------------------------------------------------------------ description and payload


@pytest.mark.parametrize(
    ("message", "html"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("\"double\" and 'single'", "&#34;double&#34; and &#39;single&#39;"),
        ("one\r\ntwo\nthree\rfour", "one<br>two<br>three<br>four"),
        ("para\n\nnext", "para<br><br>next"),
        ("Grüße, Ærø — 日本語 🙂", "Grüße, Ærø — 日本語 🙂"),
        ("<img src=x onerror=alert(1)>\n&lt;", "&lt;img src=x onerror=alert(1)&gt;<br>&amp;lt;"),
        ("", ""),
    ],
)
def test_the_description_is_the_text_escaped_with_its_line_breaks(message: str, html: str) -> None:
    assert ticket_description_html(message) == html


def test_the_description_is_a_plain_string_not_markup() -> None:
    assert type(ticket_description_html("<b>")) is str


def test_the_payload_is_an_open_low_priority_portal_ticket_with_the_inquiry_id() -> None:
    assert ticket_payload(a_draft()) == {
        "email": EMAIL,
        "name": NAME,
        "subject": SUBJECT,
        "description": (
            "Hallo,<br>waar is mijn &lt;b&gt;pakket&lt;/b&gt; &amp; &#34;retour&#34;?<br>Groet, Jan"
        ),
        "status": 2,
        "priority": 1,
        "source": 2,
        "tags": ["contact-form", "lang:nl"],
        "custom_fields": {"cf_inquiry_id": INQUIRY_ID},
    }


def test_without_a_locale_there_is_no_language_tag_and_fields_are_configurable() -> None:
    payload = ticket_payload(a_draft(locale=None), inquiry_id_field="cf_contact_id", tags=("web", "eu"))
    assert payload["tags"] == ["web", "eu"]
    assert payload["custom_fields"] == {"cf_contact_id": INQUIRY_ID}
    assert "language" not in payload


def test_a_draft_keeps_personal_data_out_of_its_repr() -> None:
    text = repr(a_draft())
    assert INQUIRY_ID in text
    for secret in (EMAIL, NAME, SUBJECT, "pakket"):
        assert secret not in text


# ----------------------------------------------------------------------------------------- create


@responses.activate
def test_create_posts_the_freshdesk_format_and_returns_the_ticket(client: FreshdeskClient) -> None:
    responses.add(responses.POST, f"{BASE}/tickets", json=TICKET, status=201)

    ticket = client.create_ticket(a_draft())

    request = sent()
    assert request.method == "POST"
    assert request.url == f"{BASE}/tickets"
    assert request.headers["Authorization"] == BASIC
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    body = sent_json()
    assert body["source"] == 2
    assert body["status"] == 2
    assert body["priority"] == 1
    assert body["custom_fields"] == {"cf_inquiry_id": INQUIRY_ID}
    assert body["email"] == EMAIL
    assert body["name"] == NAME
    assert "&lt;b&gt;pakket&lt;/b&gt; &amp; &#34;retour&#34;" in body["description"]
    assert "<b>" not in body["description"]
    assert ticket.id == 42
    assert ticket.requester_id == 9001
    assert ticket.custom_fields["cf_inquiry_id"] == INQUIRY_ID
    assert ticket.created_at == datetime(2026, 11, 25, 4, 24, 36, tzinfo=UTC)
    assert ticket.deleted is False
    assert SUBJECT not in repr(ticket)


@responses.activate
def test_the_configured_custom_field_and_tags_are_sent() -> None:
    responses.add(responses.POST, f"{BASE}/tickets", json=TICKET, status=201)
    a_client(inquiry_id_field="cf_web_inquiry", tags=["shop"]).create_ticket(a_draft(locale="de"))
    assert sent_json()["custom_fields"] == {"cf_web_inquiry": INQUIRY_ID}
    assert sent_json()["tags"] == ["shop", "lang:de"]


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(None, (3.05, 10.0)), ((1.0, 4.0), (1.0, 4.0))],
)
@responses.activate
def test_connect_and_read_timeouts_are_passed_to_requests(
    timeout: tuple[float, float] | None, expected: tuple[float, float]
) -> None:
    responses.add(responses.POST, f"{BASE}/tickets", json=TICKET, status=201)
    client = a_client() if timeout is None else a_client(timeout=timeout)
    client.create_ticket(a_draft())
    assert responses.calls[0].request.req_kwargs["timeout"] == expected  # type: ignore[attr-defined]


@responses.activate
def test_the_api_key_is_asked_for_at_each_call_not_at_construction() -> None:
    keys = iter(["key-one", "key-two"])
    asked: list[str] = []

    def api_key() -> str:
        asked.append("asked")
        return next(keys)

    client = a_client(api_key=api_key)
    assert asked == []
    responses.add(responses.GET, f"{BASE}/tickets/42", json=TICKET)
    client.get_ticket(42)
    client.get_ticket(42)
    auth = [call.request.headers["Authorization"] for call in responses.calls]
    assert auth == [
        "Basic " + base64.b64encode(b"key-one:X").decode(),
        "Basic " + base64.b64encode(b"key-two:X").decode(),
    ]


@responses.activate
def test_an_empty_api_key_fails_as_auth_without_calling_freshdesk() -> None:
    with pytest.raises(HelpdeskAuthError) as caught:
        a_client(api_key=lambda: "").create_ticket(a_draft())
    assert caught.value.permanent
    assert len(responses.calls) == 0


# ----------------------------------------------------------------------------------------- errors

VALIDATION_BODY = {
    "description": "Validation failed",
    "errors": [
        {
            "field": "email",
            "message": f"It should be a valid email address like {EMAIL}",
            "code": "invalid_value",
        },
        {"field": "cf_inquiry_id", "message": "Unexpected/invalid field in request", "code": "invalid_field"},
    ],
}


@responses.activate
def test_a_400_keeps_fields_and_codes_but_not_the_messages(client: FreshdeskClient) -> None:
    responses.add(responses.POST, f"{BASE}/tickets", json=VALIDATION_BODY, status=400)
    with pytest.raises(HelpdeskValidationError) as caught:
        client.create_ticket(a_draft())
    error = caught.value
    assert error.problems == (
        FieldProblem(field="email", code="invalid_value"),
        FieldProblem(field="cf_inquiry_id", code="invalid_field"),
    )
    assert error.status == 400
    assert error.permanent
    assert error.operation == "create_ticket"
    assert "email: invalid_value" in str(error)
    assert_nothing_personal(error)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"code": "invalid_json", "message": "Request body has invalid json format"}, "invalid_json"),
        ({"description": "Validation failed"}, "validation_failed"),
        ("not json at all", "validation_failed"),
        ({"errors": ["odd", {"message": "x"}]}, "invalid"),
    ],
)
@responses.activate
def test_a_400_of_another_shape_still_is_a_validation_error(
    client: FreshdeskClient, body: Any, reason: str
) -> None:
    if isinstance(body, str):
        responses.add(responses.POST, f"{BASE}/tickets", body=body, status=400)
    else:
        responses.add(responses.POST, f"{BASE}/tickets", json=body, status=400)
    with pytest.raises(HelpdeskValidationError) as caught:
        client.create_ticket(a_draft())
    assert caught.value.reason == reason
    assert caught.value.permanent


@pytest.mark.parametrize(
    ("status", "body", "error_type", "permanent", "reason"),
    [
        (
            401,
            {"code": "invalid_credentials", "message": "You have to be logged in"},
            HelpdeskAuthError,
            True,
            "invalid_credentials",
        ),
        (
            403,
            {"code": "access_denied", "message": "You are not authorized"},
            HelpdeskAuthError,
            True,
            "access_denied",
        ),
        (404, None, HelpdeskNotFound, True, ""),
        (405, {"code": "method_not_allowed"}, HelpdeskRejected, True, "method_not_allowed"),
        (409, {"code": "duplicate_value"}, HelpdeskRejected, True, "duplicate_value"),
        (415, {"code": "invalid_content_type"}, HelpdeskRejected, True, "invalid_content_type"),
        (500, None, HelpdeskServerError, False, ""),
        (502, "<html>Bad gateway</html>", HelpdeskServerError, False, ""),
        (503, {"code": "service_unavailable"}, HelpdeskServerError, False, "service_unavailable"),
    ],
)
@responses.activate
def test_each_status_is_its_typed_error(
    status: int,
    body: Any,
    error_type: type[HelpdeskError],
    permanent: bool,
    reason: str,
) -> None:
    if isinstance(body, dict):
        responses.add(responses.POST, f"{BASE}/tickets", json=body, status=status)
    else:
        responses.add(responses.POST, f"{BASE}/tickets", body=body or "", status=status)
    with pytest.raises(error_type) as caught:
        a_client().create_ticket(a_draft())
    error = caught.value
    assert type(error) is error_type
    assert isinstance(error, HelpdeskError)
    assert error.status == status
    assert error.permanent is permanent
    assert error.reason == reason
    assert_nothing_personal(error)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120),
        ("1", 1),
        ("0", 0),
        (" 30 ", 30),
        (None, 60),
        ("", 60),
        ("soon", 60),
        ("-5", 60),
        ("2.5", 60),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 60),
    ],
)
@responses.activate
def test_a_429_is_transient_and_carries_retry_after(
    client: FreshdeskClient, header: str | None, seconds: int
) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    responses.add(responses.POST, f"{BASE}/tickets", json={}, status=429, headers=headers)
    with pytest.raises(HelpdeskRateLimited) as caught:
        client.create_ticket(a_draft())
    assert caught.value.retry_after_seconds == seconds
    assert caught.value.status == 429
    assert caught.value.permanent is False
    assert_nothing_personal(caught.value)


def test_retry_after_has_a_configurable_default() -> None:
    assert retry_after_seconds(None, default=5) == 5
    assert retry_after_seconds("7", default=5) == 7


@pytest.mark.parametrize(
    ("failure", "error_type"),
    [
        (requests.ConnectTimeout(f"timed out: {BASE}/tickets?email={EMAIL}"), HelpdeskTimeout),
        (requests.ReadTimeout(f"read timed out {EMAIL}"), HelpdeskTimeout),
        (requests.ConnectionError(f"refused: {BASE}/tickets?email={EMAIL}"), HelpdeskUnavailable),
        (requests.exceptions.SSLError("certificate verify failed"), HelpdeskUnavailable),
        (requests.exceptions.ChunkedEncodingError("reset"), HelpdeskUnavailable),
    ],
)
@responses.activate
def test_no_answer_is_transient_and_says_nothing_personal(
    client: FreshdeskClient, failure: Exception, error_type: type[HelpdeskError]
) -> None:
    responses.add(responses.GET, f"{BASE}/tickets", body=failure)
    with pytest.raises(error_type) as caught:
        client.list_tickets_by_requester_email(EMAIL)
    assert caught.value.permanent is False
    assert caught.value.status is None
    assert caught.value.operation == "list_tickets"
    assert_nothing_personal(caught.value)


@pytest.mark.parametrize(
    "setup",
    [
        lambda: responses.add(responses.POST, f"{BASE}/tickets", body="<html>ok</html>", status=201),
        lambda: responses.add(responses.POST, f"{BASE}/tickets", json=[TICKET], status=201),
        lambda: responses.add(
            responses.POST, f"{BASE}/tickets", json={**TICKET, "id": f"not-a-number {EMAIL}"}, status=201
        ),
    ],
)
@responses.activate
def test_an_unreadable_success_is_a_transient_server_error_without_the_input(
    client: FreshdeskClient, setup: Callable[[], None]
) -> None:
    setup()
    with pytest.raises(HelpdeskServerError) as caught:
        client.create_ticket(a_draft())
    assert caught.value.status == 201
    assert caught.value.reason == "unreadable answer"
    assert caught.value.permanent is False
    assert_nothing_personal(caught.value)


# ------------------------------------------------------------------------------ get, update, delete


@responses.activate
def test_get_ticket_with_conversations_and_the_deleted_flag(client: FreshdeskClient) -> None:
    conversations = [{"id": 1, "body": "<div>hi</div>", "incoming": True, "private": False}]
    responses.add(
        responses.GET,
        f"{BASE}/tickets/42",
        json={**TICKET, "deleted": True, "conversations": conversations},
    )
    ticket = client.get_ticket(42, include_conversations=True)
    assert sent().method == "GET"
    assert sent().url == f"{BASE}/tickets/42?include=conversations"
    assert sent().headers["Authorization"] == BASIC
    assert ticket.deleted is True
    assert ticket.conversations == conversations


@responses.activate
def test_get_ticket_without_conversations_sends_no_include(client: FreshdeskClient) -> None:
    responses.add(responses.GET, f"{BASE}/tickets/42", json=TICKET)
    ticket = client.get_ticket(42)
    assert sent().url == f"{BASE}/tickets/42"
    assert ticket.conversations is None
    assert ticket == FreshdeskTicket.model_validate(TICKET)


@responses.activate
def test_get_of_a_missing_ticket_is_not_found(client: FreshdeskClient) -> None:
    responses.add(responses.GET, f"{BASE}/tickets/7", json={}, status=404)
    with pytest.raises(HelpdeskNotFound) as caught:
        client.get_ticket(7)
    assert caught.value.operation == "get_ticket"
    assert caught.value.permanent


@responses.activate
def test_update_ticket_puts_the_fields(client: FreshdeskClient) -> None:
    responses.add(responses.PUT, f"{BASE}/tickets/42", json={**TICKET, "status": 4})
    ticket = client.update_ticket(42, {"status": 4, "tags": ["erased"]})
    assert sent().method == "PUT"
    assert sent().url == f"{BASE}/tickets/42"
    assert sent().headers["Authorization"] == BASIC
    assert sent_json() == {"status": 4, "tags": ["erased"]}
    assert ticket.status == 4


@responses.activate
def test_update_of_a_bad_field_is_a_validation_error(client: FreshdeskClient) -> None:
    responses.add(
        responses.PUT,
        f"{BASE}/tickets/42",
        json={"description": "Validation failed", "errors": [{"field": "status", "code": "invalid_value"}]},
        status=400,
    )
    with pytest.raises(HelpdeskValidationError) as caught:
        client.update_ticket(42, {"status": 99})
    assert caught.value.problems == (FieldProblem("status", "invalid_value"),)
    assert caught.value.operation == "update_ticket"


# the client's two deletes: the call, the path it deletes, the URL it sends (a contact's: forced, hard)
DELETES = [
    pytest.param(lambda c: c.delete_ticket(42), "/tickets/42", "/tickets/42", id="ticket"),
    pytest.param(
        lambda c: c.delete_contact_permanently(9001),
        "/contacts/9001/hard_delete",
        "/contacts/9001/hard_delete?force=true",
        id="contact",
    ),
]


@pytest.mark.parametrize("status", [204, 404])  # 404: already gone, which a delete counts as done
@pytest.mark.parametrize(("delete", "path", "url"), DELETES)
@responses.activate
def test_a_delete_sends_delete_and_is_done_when_deleted_or_gone(
    client: FreshdeskClient, delete: Callable[[FreshdeskClient], None], path: str, url: str, status: int
) -> None:
    responses.add(responses.DELETE, f"{BASE}{path}", status=status)
    assert delete(client) is None
    assert delete(client) is None  # idempotent
    assert len(responses.calls) == 2
    assert sent().method == "DELETE"
    assert sent().url == f"{BASE}{url}"
    assert sent().headers["Authorization"] == BASIC


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, HelpdeskAuthError), (429, HelpdeskRateLimited), (500, HelpdeskServerError)],
)
@responses.activate
def test_other_failures_of_delete_still_raise(
    client: FreshdeskClient, status: int, error_type: type[HelpdeskError]
) -> None:
    responses.add(responses.DELETE, f"{BASE}/tickets/42", status=status)
    with pytest.raises(error_type):
        client.delete_ticket(42)


# ---------------------------------------------------------------------------------------- search


def test_the_search_query_is_double_quoted_with_the_value_single_quoted() -> None:
    assert inquiry_search_query(INQUIRY_ID) == f"\"cf_inquiry_id:'{INQUIRY_ID}'\""
    assert inquiry_search_query("abc", "inquiry_id") == "\"inquiry_id:'abc'\""


@pytest.mark.parametrize("bad", ["", "x' OR status:2 OR cf_inquiry_id:'y", 'a"b', "a b", "é", "x" * 129])
def test_an_id_that_could_break_the_query_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="search query"):
        inquiry_search_query(bad)


@responses.activate
def test_find_by_inquiry_id_uses_the_filter_api_url_encoded(client: FreshdeskClient) -> None:
    responses.add(responses.GET, f"{BASE}/search/tickets", json={"results": [TICKET], "total": 1})
    tickets = client.find_tickets_by_inquiry_id(INQUIRY_ID)
    assert sent().method == "GET"
    assert sent().url == f"{BASE}/search/tickets?query=%22cf_inquiry_id%3A%27{INQUIRY_ID}%27%22"
    assert sent().headers["Authorization"] == BASIC
    assert [t.id for t in tickets] == [42]


@responses.activate
def test_find_by_inquiry_id_with_no_match_is_empty(client: FreshdeskClient) -> None:
    responses.add(responses.GET, f"{BASE}/search/tickets", json={"results": [], "total": 0})
    assert client.find_tickets_by_inquiry_id(INQUIRY_ID) == []


@responses.activate
def test_the_search_field_name_can_differ_from_the_ticket_field() -> None:
    responses.add(responses.GET, f"{BASE}/search/tickets", json={"results": [], "total": 0})
    a_client(inquiry_id_search_field="inquiry_id").find_tickets_by_inquiry_id("abc")
    assert sent().url == f"{BASE}/search/tickets?query=%22inquiry_id%3A%27abc%27%22"


@pytest.mark.parametrize("body", [{"total": 0}, [TICKET], {"results": "none"}])
@responses.activate
def test_a_search_answer_without_results_is_unreadable(client: FreshdeskClient, body: Any) -> None:
    responses.add(responses.GET, f"{BASE}/search/tickets", json=body)
    with pytest.raises(HelpdeskServerError, match="unreadable"):
        client.find_tickets_by_inquiry_id(INQUIRY_ID)


@responses.activate
def test_a_refused_search_query_is_a_validation_error(client: FreshdeskClient) -> None:
    responses.add(
        responses.GET,
        f"{BASE}/search/tickets",
        json={
            "description": "Validation failed",
            "errors": [{"field": "cf_inquiry_id", "code": "invalid_field"}],
        },
        status=400,
    )
    with pytest.raises(HelpdeskValidationError) as caught:
        client.find_tickets_by_inquiry_id(INQUIRY_ID)
    assert caught.value.problems == (FieldProblem("cf_inquiry_id", "invalid_field"),)


# ----------------------------------------------------------------------------------- list by email

LIST_URL = f"{BASE}/tickets"
ENCODED_EMAIL = "jan%2Bshop%40example.nl"
SINCE = "updated_since=2000-01-01T00%3A00%3A00Z"


@responses.activate
def test_list_by_email_follows_the_link_header_over_two_pages(client: FreshdeskClient) -> None:
    next_link = f'<{BASE}/tickets?email={ENCODED_EMAIL}&page=2&per_page=100>; rel="next"'
    responses.add(
        responses.GET,
        LIST_URL,
        json=[{**TICKET, "id": n} for n in range(1, 101)],
        headers={"link": next_link},
    )
    responses.add(responses.GET, LIST_URL, json=[{**TICKET, "id": 101}])

    tickets = client.list_tickets_by_requester_email(EMAIL)

    assert [t.id for t in tickets] == list(range(1, 102))
    urls = [call.request.url for call in responses.calls]
    assert urls == [
        f"{LIST_URL}?email={ENCODED_EMAIL}&per_page=100&{SINCE}&page=1",
        f"{LIST_URL}?email={ENCODED_EMAIL}&per_page=100&{SINCE}&page=2",
    ]
    assert all(call.request.headers["Authorization"] == BASIC for call in responses.calls)


@responses.activate
def test_list_by_email_never_follows_a_link_to_another_host(client: FreshdeskClient) -> None:
    responses.add(
        responses.GET,
        LIST_URL,
        json=[TICKET],
        headers={"link": '<https://evil.example/steal?page=2>; rel="next"'},
    )
    responses.add(responses.GET, LIST_URL, json=[])
    assert [t.id for t in client.list_tickets_by_requester_email(EMAIL)] == [42]
    assert all(call.request.url.startswith(f"{LIST_URL}?") for call in responses.calls)


@responses.activate
def test_list_by_email_with_a_given_window_or_none(client: FreshdeskClient) -> None:
    responses.add(responses.GET, LIST_URL, json=[])
    client.list_tickets_by_requester_email(EMAIL, updated_since=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert (
        sent().url
        == f"{LIST_URL}?email={ENCODED_EMAIL}&per_page=100&updated_since=2026-01-02T03%3A04%3A05Z&page=1"
    )
    client.list_tickets_by_requester_email(EMAIL, updated_since=None)
    assert sent().url == f"{LIST_URL}?email={ENCODED_EMAIL}&per_page=100&page=1"


@responses.activate
def test_list_by_email_with_no_tickets_is_empty(client: FreshdeskClient) -> None:
    responses.add(responses.GET, LIST_URL, json=[])
    assert client.list_tickets_by_requester_email(EMAIL) == []


NO_CONTACT = {
    "description": "Validation failed",
    "errors": [
        {"field": "email", "message": "There is no contact matching the given email", "code": "invalid_value"}
    ],
}


@responses.activate
def test_list_by_email_of_an_address_without_a_contact_is_empty(client: FreshdeskClient) -> None:
    """Freshdesk refuses to list by an address no contact has (a 400, not an empty list)."""
    responses.add(responses.GET, LIST_URL, json=NO_CONTACT, status=400)
    responses.add(responses.GET, f"{BASE}/contacts", json=[])

    assert client.list_tickets_by_requester_email(EMAIL) == []
    assert sent().url == f"{BASE}/contacts?email={ENCODED_EMAIL}"


@responses.activate
def test_list_by_email_refused_although_the_contact_exists_is_a_validation_error(
    client: FreshdeskClient,
) -> None:
    responses.add(responses.GET, LIST_URL, json=NO_CONTACT, status=400)
    responses.add(responses.GET, f"{BASE}/contacts", json=[{"id": 9001, "email": EMAIL}])

    with pytest.raises(HelpdeskValidationError) as caught:
        client.list_tickets_by_requester_email(EMAIL)
    assert caught.value.problems == (FieldProblem("email", "invalid_value"),)


@responses.activate
def test_list_by_a_malformed_address_is_a_validation_error(client: FreshdeskClient) -> None:
    malformed = {
        "description": "Validation failed",
        "errors": [
            {
                "field": "email",
                "message": "It should be in the 'valid email address' format",
                "code": "invalid_value",
            }
        ],
    }
    responses.add(responses.GET, LIST_URL, json=malformed, status=400)
    responses.add(responses.GET, f"{BASE}/contacts", json=malformed, status=400)

    with pytest.raises(HelpdeskValidationError):
        client.list_tickets_by_requester_email("not-an-address")


@responses.activate
def test_list_by_email_refused_for_another_field_asks_for_no_contact(client: FreshdeskClient) -> None:
    refused = {
        "description": "Validation failed",
        "errors": [{"field": "updated_since", "code": "invalid_value"}],
    }
    responses.add(responses.GET, LIST_URL, json=refused, status=400)

    with pytest.raises(HelpdeskValidationError):
        client.list_tickets_by_requester_email(EMAIL)
    assert len(responses.calls) == 1


@responses.activate
def test_a_link_header_that_never_ends_fails_instead_of_truncating(
    client: FreshdeskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cap_pages(monkeypatch, 3)
    responses.add(
        responses.GET, LIST_URL, json=[TICKET], headers={"link": f'<{LIST_URL}?page=n>; rel="next"'}
    )
    with pytest.raises(HelpdeskServerError, match="too many pages"):
        client.list_tickets_by_requester_email(EMAIL)
    assert len(responses.calls) == 3


@responses.activate
def test_a_failing_second_page_raises(client: FreshdeskClient) -> None:
    responses.add(
        responses.GET, LIST_URL, json=[TICKET], headers={"link": f'<{LIST_URL}?page=2>; rel="next"'}
    )
    responses.add(responses.GET, LIST_URL, json={}, status=429, headers={"Retry-After": "2"})
    with pytest.raises(HelpdeskRateLimited) as caught:
        client.list_tickets_by_requester_email(EMAIL)
    assert caught.value.retry_after_seconds == 2


# ---------------------------------------------------------------------------------------- contacts


@responses.activate
def test_find_contact_by_email(client: FreshdeskClient) -> None:
    responses.add(
        responses.GET,
        f"{BASE}/contacts",
        json=[{"id": 9001, "name": NAME, "email": EMAIL, "active": False, "deleted": False}],
    )
    contact = client.find_contact_by_email(EMAIL)
    assert contact == FreshdeskContact(id=9001, deleted=False)
    assert sent().url == f"{BASE}/contacts?email={ENCODED_EMAIL}"
    assert sent().headers["Authorization"] == BASIC


@responses.activate
def test_find_contact_by_email_without_one_is_none(client: FreshdeskClient) -> None:
    responses.add(responses.GET, f"{BASE}/contacts", json=[])
    assert client.find_contact_by_email(EMAIL) is None


@responses.activate
def test_hard_delete_refused_is_an_auth_error(client: FreshdeskClient) -> None:
    responses.add(
        responses.DELETE, f"{BASE}/contacts/9001/hard_delete", json={"code": "access_denied"}, status=403
    )
    with pytest.raises(HelpdeskAuthError) as caught:
        client.delete_contact_permanently(9001)
    assert caught.value.operation == "delete_contact"
    assert caught.value.reason == "access_denied"


# ---------------------------------------------------------------------------------- configuration


@responses.activate
def test_devstack_base_url_is_used_as_given() -> None:
    local = "http://127.0.0.1:3000/_local/helpdesk/api/v2"
    responses.add(responses.GET, f"{local}/tickets/42", json=TICKET)
    client = a_client(domain=None, base_url=local + "/")
    assert client.base_url == local
    client.get_ticket(42)
    assert sent().url == f"{local}/tickets/42"
    assert sent().headers["Authorization"] == BASIC


@pytest.mark.parametrize(
    ("domain", "base_url", "expected"),
    [
        ("myshop", None, "https://myshop.freshdesk.com/api/v2"),
        ("my-shop-eu", None, "https://my-shop-eu.freshdesk.com/api/v2"),
        (None, "https://support.example.com/api/v2", "https://support.example.com/api/v2"),
        (
            None,
            "http://localhost:3000/_local/helpdesk/api/v2",
            "http://localhost:3000/_local/helpdesk/api/v2",
        ),
    ],
)
def test_the_base_url(domain: str | None, base_url: str | None, expected: str) -> None:
    assert freshdesk_base_url(domain, base_url) == expected


@pytest.mark.parametrize(
    ("domain", "base_url"),
    [
        (None, None),
        ("myshop", "https://myshop.freshdesk.com/api/v2"),
        ("myshop.evil.example/x", None),
        ("-shop", None),
        ("", None),
        (None, "http://myshop.freshdesk.com/api/v2"),
        (None, "ftp://127.0.0.1/api/v2"),
        (None, "https:///api/v2"),
        (None, "https://myshop.freshdesk.com/api/v2?x=1"),
    ],
)
def test_a_bad_base_url_fails_at_construction(domain: str | None, base_url: str | None) -> None:
    with pytest.raises(ConfigurationError, match="Freshdesk"):
        a_client(domain=domain, base_url=base_url)


def test_ticket_tolerates_extra_and_missing_optional_fields() -> None:
    ticket = FreshdeskTicket.model_validate(
        {"id": 5, "brand_new_field": {"x": 1}, "custom_fields": {"cf_a": None}}
    )
    assert ticket.id == 5
    assert ticket.deleted is False
    assert ticket.custom_fields == {"cf_a": None}
    assert ticket.created_at is None
