"""The helpdesk port (contact_intake.helpdesk.port), its one settings block, its one builder, and the
Freshdesk adapter's domain verbs against `responses` (the HTTP calls each verb makes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from contact_intake.core.errors import ConfigurationError
from contact_intake.helpdesk.freshdesk import RESTRICTED_TAG, FreshdeskClient
from contact_intake.helpdesk.port import Helpdesk, HelpdeskCopy, Ticket
from contact_intake.helpdesk.settings import HelpdeskSettings
from contact_intake.helpdesk.wiring import build_helpdesk
from contact_intake.intake.settings import ForwarderSettings
from contact_intake.intake.wiring import ForwarderWiring
from contact_intake.retention.settings import ErasureSettings
from contact_intake.retention.wiring import ErasureWiring
from contact_intake.rights.settings import RightsWorkerSettings

BASE = "https://myshop.freshdesk.com/api/v2"
INQUIRY = "6f1c2a9e-4b7d-4c1e-9a35-0d2e8f7b6a41"
EMAIL = "jan+shop@example.nl"
HELPDESK_ENV = {"HELPDESK_DOMAIN": "myshop", "HELPDESK_API_KEY_SECRET_ID": "contact-intake/helpdesk-api-key"}
PORT_VERBS = sorted(
    name for name in vars(Helpdesk) if not name.startswith("_") and callable(getattr(Helpdesk, name))
)


def a_client() -> FreshdeskClient:
    return FreshdeskClient(session=requests.Session(), api_key=lambda: "key", domain="myshop")


def a_ticket(ticket_id: int, inquiry_id: str | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    fields = {"cf_inquiry_id": inquiry_id} if inquiry_id else {}
    return {"id": ticket_id, "custom_fields": fields, "tags": tags or []}


def query(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


# ---------------------------------------------------------------------------------- settings and builder


def test_the_port_has_the_domain_verbs() -> None:
    assert PORT_VERBS == [
        "delete_requester",
        "delete_ticket",
        "find_inquiry_tickets",
        "open_ticket",
        "read_copy",
        "requester_tickets",
        "set_restricted",
        "update_requester",
    ]


def test_freshdesk_is_the_default_provider_and_the_only_one_accepted() -> None:
    assert HelpdeskSettings.from_env(HELPDESK_ENV).helpdesk_provider == "freshdesk"
    with pytest.raises(ConfigurationError, match="HELPDESK_PROVIDER"):
        HelpdeskSettings.from_env({**HELPDESK_ENV, "HELPDESK_PROVIDER": "zendesk"})


def test_a_helpdesk_needs_an_address() -> None:
    with pytest.raises(ConfigurationError, match="HELPDESK_DOMAIN"):
        HelpdeskSettings.from_env({"HELPDESK_API_KEY_SECRET_ID": "s"})


def test_every_function_that_uses_the_helpdesk_reads_the_one_block() -> None:
    for settings in (ForwarderSettings, ErasureSettings, RightsWorkerSettings):
        assert issubclass(settings, HelpdeskSettings), settings.__name__
        own = set(settings.model_fields) - set(HelpdeskSettings.model_fields)
        assert not {name for name in own if name.startswith("helpdesk_") and "rate" not in name} - {
            "helpdesk_delete_contacts"  # the rights worker's policy, not the helpdesk's configuration
        }, settings.__name__


def test_the_builder_makes_the_adapter_the_settings_name_and_reads_the_key_per_call() -> None:
    asked: list[str] = []
    local = "http://127.0.0.1:3000/_local/helpdesk/api/v2"
    settings = HelpdeskSettings.from_env({**HELPDESK_ENV, "HELPDESK_BASE_URL": local})

    helpdesk = build_helpdesk(
        settings, session=requests.Session(), secret=lambda name: asked.append(name) or "k"
    )

    assert isinstance(helpdesk, FreshdeskClient)
    assert helpdesk.base_url == local  # devstack's base URL wins over the domain
    assert all(callable(getattr(helpdesk, verb)) for verb in PORT_VERBS)
    assert asked == []  # nothing read until a call


def test_the_forwarder_and_the_eraser_build_the_same_helpdesk() -> None:
    erasure = ErasureSettings.from_env(
        {
            **HELPDESK_ENV,
            "INQUIRIES_TABLE": "t",
            "ERASURE_LEDGER_TABLE": "l",
            "HELPDESK_INQUIRY_FIELD": "cf_x",
        }
    )
    forwarder = ForwarderSettings.from_env(
        {
            **HELPDESK_ENV,
            "INQUIRIES_TABLE": "t",
            "INQUIRY_QUEUE_URL": "q",
            "INQUIRY_DLQ_URL": "d",
            "HELPDESK_RATE_LIMIT_PER_MINUTE": "80",
            "HELPDESK_INQUIRY_FIELD": "cf_x",
        }
    )
    built = [ErasureWiring(erasure).helpdesk, ForwarderWiring(forwarder).helpdesk]
    assert all(isinstance(h, FreshdeskClient) for h in built)
    assert {h.base_url for h in built if isinstance(h, FreshdeskClient)} == {BASE}
    assert {h._inquiry_id_field for h in built if isinstance(h, FreshdeskClient)} == {"cf_x"}


# ---------------------------------------------------------------------------------- the adapter's verbs


@responses.activate
def test_an_inquirys_tickets_are_read_from_the_requesters_list_since_the_attempt_less_the_skew() -> None:
    listed = [a_ticket(9, INQUIRY), a_ticket(3, "another"), a_ticket(5, INQUIRY), a_ticket(4)]
    responses.add(responses.GET, f"{BASE}/tickets", json=listed)
    attempt = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)

    found = a_client().find_inquiry_tickets(EMAIL, INQUIRY, since=attempt)

    assert found == [Ticket(5, INQUIRY), Ticket(9, INQUIRY)]  # oldest first
    (call,) = responses.calls
    assert urlsplit(call.request.url).path == "/api/v2/tickets"  # the list, never the lagging search
    assert query(call)["email"] == [EMAIL]
    assert query(call)["updated_since"] == ["2026-11-25T03:00:00Z"]  # an hour before the attempt


@responses.activate
def test_without_a_time_the_lookup_reaches_back_past_freshdesks_thirty_days() -> None:
    responses.add(responses.GET, f"{BASE}/tickets", json=[a_ticket(2, INQUIRY)])
    assert a_client().find_inquiry_tickets(EMAIL, INQUIRY) == [Ticket(2, INQUIRY)]
    assert query(responses.calls[0])["updated_since"] == ["2000-01-01T00:00:00Z"]


@responses.activate
def test_opening_a_ticket_answers_the_domain_ticket() -> None:
    from contact_intake.helpdesk.port import TicketDraft

    responses.add(responses.POST, f"{BASE}/tickets", json=a_ticket(42, INQUIRY), status=201)
    draft = TicketDraft(
        inquiry_id=INQUIRY, requester_email=EMAIL, requester_name="Jan", subject="s", message="m"
    )
    assert a_client().open_ticket(draft) == Ticket(42, INQUIRY)


@responses.activate
@pytest.mark.parametrize(
    ("tags", "restricted", "written"),
    [
        (["contact-form"], True, ["contact-form", RESTRICTED_TAG]),
        (["contact-form", RESTRICTED_TAG], False, ["contact-form"]),
        (["contact-form", RESTRICTED_TAG], True, None),
        (["contact-form"], False, None),
    ],
)
def test_restriction_reads_the_tags_then_writes_the_whole_list(
    tags: list[str], restricted: bool, written: list[str] | None
) -> None:
    responses.add(responses.GET, f"{BASE}/tickets/42", json=a_ticket(42, INQUIRY, tags))
    responses.add(responses.PUT, f"{BASE}/tickets/42", json=a_ticket(42, INQUIRY, written))

    changed = a_client().set_restricted(42, restricted)

    assert changed is (written is not None)
    puts = [c for c in responses.calls if c.request.method == "PUT"]
    assert [json.loads(c.request.body) for c in puts] == ([{"tags": written}] if written is not None else [])


@responses.activate
def test_the_requester_is_corrected_at_their_contact() -> None:
    responses.add(responses.GET, f"{BASE}/contacts", json=[{"id": 7}])
    responses.add(responses.PUT, f"{BASE}/contacts/7", json={"id": 7})

    assert a_client().update_requester(EMAIL, name="Jan de Vries", new_email="jan@example.nl") is True
    assert json.loads(responses.calls[1].request.body) == {"name": "Jan de Vries", "email": "jan@example.nl"}


@responses.activate
def test_a_correction_without_a_contact_or_without_fields_changes_nothing() -> None:
    responses.add(responses.GET, f"{BASE}/contacts", json=[])
    assert a_client().update_requester(EMAIL) is False
    assert len(responses.calls) == 0  # no fields: not even a lookup
    assert a_client().update_requester(EMAIL, name="Jan") is False
    assert [c.request.method for c in responses.calls] == ["GET"]


@responses.activate
def test_the_requester_is_deleted_for_good_when_there_is_one() -> None:
    responses.add(responses.GET, f"{BASE}/contacts", json=[{"id": 7}])
    responses.add(responses.DELETE, f"{BASE}/contacts/7/hard_delete", status=204)
    assert a_client().delete_requester(EMAIL) is True
    assert query(responses.calls[1])["force"] == ["true"]
    responses.replace(responses.GET, f"{BASE}/contacts", json=[])
    assert a_client().delete_requester(EMAIL) is False


@responses.activate
def test_the_copy_leaves_out_a_ticket_deleted_since_it_was_listed() -> None:
    responses.add(responses.GET, f"{BASE}/tickets", json=[a_ticket(1), a_ticket(2)])
    responses.add(responses.GET, f"{BASE}/tickets/1", json={"id": 1, "status": 4, "description_text": "q"})
    responses.add(responses.GET, f"{BASE}/tickets/2", json={}, status=404)
    responses.add(
        responses.GET,
        f"{BASE}/tickets/1/conversations",
        json=[{"id": 8, "private": False, "incoming": True, "user_id": 5, "body_text": "hi"}],
    )
    responses.add(responses.GET, f"{BASE}/contacts", json=[{"id": 5, "name": "Jan", "company_id": 3}])

    copy = a_client().read_copy(EMAIL)

    assert isinstance(copy, HelpdeskCopy)
    assert [(t.id, t.status, t.description) for t in copy.tickets] == [(1, "resolved", "q")]
    (message,) = copy.tickets[0].messages
    assert (message.id, message.private, message.incoming, message.text) == (8, False, True, "hi")
    assert copy.contact is not None
    assert copy.contact.fields["name"] == "Jan"
    assert copy.contact.other_fields == 0  # company_id is Freshdesk's bookkeeping
