"""RightsApiFunction on moto, driven by the committed sample events (events/rights_api_*.json): the public
verification page in the request's language, and the DPO's routes with their identity, answers and errors."""

from __future__ import annotations

import base64
import html
import importlib
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest

from contact_intake.rights.models import RequestStatus, RightType
from contact_intake.rights.store import attr
from tests.builders import PERSON, FakeContext, sample_event
from tests.integration.conftest import answered_as_the_declared_routes
from tests.integration.rights_support import RightsHarness, rights

__all__ = ["rights"]

EMAIL = PERSON["email"]
SAMPLE_ARN = "arn:aws:sts::123456789012:assumed-role/ContactIntakeDPO/anna.devries"


@pytest.fixture
def api(rights: RightsHarness, monkeypatch: pytest.MonkeyPatch) -> Any:
    handler = importlib.import_module("rights_api_handler")
    monkeypatch.setattr(handler, "settings", rights.wiring.settings)
    monkeypatch.setattr(handler, "wiring", rights.wiring)

    def call(event: dict[str, Any]) -> dict[str, Any]:
        return dict(handler.lambda_handler(event, FakeContext()))

    return call


def dpo_event(name: str, request_id: str | None = None, body: Any = None, **query: str) -> dict[str, Any]:
    event = sample_event(f"rights_api_{name}.json")
    if request_id is not None:
        template_id = event["pathParameters"]["request_id"]
        event["path"] = event["path"].replace(template_id, request_id)
        event["requestContext"]["path"] = event["requestContext"]["path"].replace(template_id, request_id)
        event["pathParameters"] = {"request_id": request_id}
    if body is not None:
        event["body"] = json.dumps(body)
    if query:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    return event


def verify_event(token: str | None, accept_language: str | None = None) -> dict[str, Any]:
    event = sample_event("rights_api_verify.json")
    event["queryStringParameters"] = {"token": token} if token is not None else None
    event["multiValueQueryStringParameters"] = {"token": [token]} if token is not None else None
    if accept_language is None:
        event["headers"].pop("Accept-Language")
        event["multiValueHeaders"].pop("Accept-Language")
    else:
        event["headers"]["Accept-Language"] = accept_language
    return event


def header(answer: dict[str, Any], name: str) -> str | None:
    """A response header, from either map (Powertools answers a REST event in multiValueHeaders)."""
    for key, value in (answer.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    for key, values in (answer.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return str(values[-1])
    return None


def body_of(answer: dict[str, Any]) -> Any:
    return json.loads(answer["body"])


def create(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"type": "access", "email": EMAIL, "locale": "nl", "identity_verified": False} | fields
    answer = api(dpo_event("create", body=body))
    assert answer["statusCode"] == 201, answer
    return dict(body_of(answer))


# ---------------------------------------------------------------- the verification page


def confirm_event(token: str | None, right: str | None, *, raw: str | None = None) -> dict[str, Any]:
    """The confirmation form's POST (events/rights_api_confirm.json) with ``token`` and ``right``."""
    event = sample_event("rights_api_confirm.json")
    fields = {name: value for name, value in (("token", token), ("right", right)) if value is not None}
    event["body"] = raw if raw is not None else urlencode(fields)
    return event


def head_event(token: str) -> dict[str, Any]:
    event = verify_event(token, "en")
    event["httpMethod"] = event["requestContext"]["httpMethod"] = "HEAD"
    return event


def checked_right(page: str) -> list[str]:
    """The rights preselected on a confirmation page."""
    return re.findall(r'name="right" value="([a-z_]+)" checked', page)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_opening_the_link_changes_nothing(api: Any, rights: RightsHarness, method: str) -> None:
    # a mail gateway's scanner opens every link with GET or HEAD before the person reads the mail
    created = create(api, type="erasure", locale="de")
    token = rights.mailbox.token(EMAIL)
    before = rights.item(created["request_id"])
    mails_before = len(rights.mailbox.messages())
    for _ in range(3):
        answer = api(verify_event(token, "fr") if method == "GET" else head_event(token))
        assert answer["statusCode"] == 200
        assert header(answer, "Cache-Control") == "no-store"
        assert header(answer, "Referrer-Policy") == "no-referrer"
    after = rights.item(created["request_id"])
    assert after == before  # the store: status, token, type, every attribute as it was
    assert after is not None
    assert after["status"] == {"S": "awaiting_verification"}
    assert "token_used_at" not in after
    assert [entry["M"]["action"]["S"] for entry in after["audit"]["L"]] == ["received", "acknowledged"]
    assert rights.queued() == []  # the queue: nothing for the worker
    assert len(rights.mailbox.messages()) == mails_before
    assert rights.store.require(created["request_id"]).status is RequestStatus.AWAITING_VERIFICATION


def test_the_page_names_the_right_what_it_does_and_holds_the_form(api: Any, rights: RightsHarness) -> None:
    create(api, type="erasure", locale="de")
    token = rights.mailbox.token(EMAIL)
    page = api(verify_event(token, accept_language="fr"))
    body = page["body"]
    assert header(page, "Content-Type") == "text/html; charset=utf-8"
    assert '<html lang="de">' in body  # the request's language, not the browser's
    assert "Aus Ihrer Nachricht haben wir verstanden: Löschung Ihrer personenbezogenen Daten" in body
    assert "Das kann nicht rückgängig gemacht werden." in body  # what erasure does
    assert '<form method="post" action="verify">' in body
    assert f'<input type="hidden" name="token" value="{token}">' in body
    assert len(re.findall(r'type="radio"', body)) == 7  # the seven rights, unclassified not among them
    assert checked_right(body) == ["erasure"]  # preselected as read from the mail
    assert "<script" not in body
    csp = header(page, "Content-Security-Policy") or ""
    assert "default-src 'none'" in csp
    assert "form-action 'self'" in csp


def test_the_form_confirms_once_in_the_requests_language(api: Any, rights: RightsHarness) -> None:
    created = create(api, locale="de")
    token = rights.mailbox.token(EMAIL)
    first = api(confirm_event(token, "access"))
    assert first["statusCode"] == 200
    assert '<html lang="de">' in first["body"]
    assert "Anfrage bestätigt" in first["body"]
    assert header(first, "Cache-Control") == "no-store"
    assert header(first, "Referrer-Policy") == "no-referrer"
    again = api(confirm_event(token, "access"))
    assert again["statusCode"] == 410
    assert "Link nicht mehr gültig" in again["body"]
    assert api(verify_event(token))["statusCode"] == 410  # the page, too, says the link is used
    request = rights.store.require(created["request_id"])
    assert request.status is RequestStatus.VERIFIED
    assert (request.audit[-1].action, dict(request.audit[-1].counts)) == ("verified", {"right_changed": 0})
    assert rights.queued() == [{"request_id": created["request_id"]}]


def test_of_two_concurrent_posts_one_wins(api: Any, rights: RightsHarness) -> None:
    # Both posts read everything before either writes (a barrier at the write); DynamoDB then applies the
    # two conditional UpdateItems one after the other (moto does not serialise them itself: a lock does).
    created = create(api)
    token = rights.mailbox.token(EMAIL)
    at_the_write = threading.Barrier(2, timeout=30)
    one_at_a_time = threading.Lock()
    client = rights.wiring.clients.dynamodb

    def before(**_: Any) -> None:
        at_the_write.wait()
        one_at_a_time.acquire()

    def after(**_: Any) -> None:
        one_at_a_time.release()

    client.meta.events.register("before-call.dynamodb.UpdateItem", before)
    client.meta.events.register("after-call.dynamodb.UpdateItem", after)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(
                pool.map(lambda _: int(api(confirm_event(token, "access"))["statusCode"]), range(2))
            )
    finally:
        client.meta.events.unregister("before-call.dynamodb.UpdateItem", before)
        client.meta.events.unregister("after-call.dynamodb.UpdateItem", after)
    assert statuses == [200, 410]
    assert rights.queued() == [{"request_id": created["request_id"]}]
    verified = [e for e in rights.store.require(created["request_id"]).audit if e.action == "verified"]
    assert len(verified) == 1


def test_the_person_may_choose_another_right(api: Any, rights: RightsHarness) -> None:
    created = create(api, type="erasure")
    token = rights.mailbox.token(EMAIL)
    answer = api(confirm_event(token, "access"))
    assert answer["statusCode"] == 200
    request = rights.store.require(created["request_id"])
    assert request.type is RightType.ACCESS  # what the worker will read and carry out
    assert (request.audit[-1].action, dict(request.audit[-1].counts)) == (
        "verified",
        {"right_changed": 1, "from_erasure": 1, "to_access": 1},
    )
    assert rights.queued() == [{"request_id": created["request_id"]}]


def test_an_unclassified_request_lets_the_person_pick(api: Any, rights: RightsHarness) -> None:
    created = create(api, type="unclassified", locale="fr")
    token = rights.mailbox.token(EMAIL)
    page = api(verify_event(token))["body"]
    assert checked_right(page) == []  # nothing preselected: the person must pick
    assert "n'avons pas pu déterminer" in html.unescape(page)
    nothing = api(confirm_event(token, None))
    assert nothing["statusCode"] == 422
    assert "Veuillez choisir l'un des droits ci-dessous." in html.unescape(nothing["body"])
    assert 'role="alert"' in nothing["body"]
    assert rights.store.require(created["request_id"]).status is RequestStatus.AWAITING_VERIFICATION
    chosen = api(confirm_event(token, "restriction"))
    assert chosen["statusCode"] == 200
    request = rights.store.require(created["request_id"])
    assert request.type is RightType.RESTRICTION
    assert dict(request.audit[-1].counts) == {"right_changed": 1, "from_unclassified": 1, "to_restriction": 1}
    assert rights.queued() == [{"request_id": created["request_id"]}]


@pytest.mark.parametrize("right", ["unclassified", "delete_everything", "", "ERASURE"])
def test_an_invalid_right_is_refused_and_the_token_stays_unused(
    api: Any, rights: RightsHarness, right: str
) -> None:
    created = create(api, type="erasure")
    token = rights.mailbox.token(EMAIL)
    before = rights.item(created["request_id"])
    answer = api(confirm_event(token, right))
    assert answer["statusCode"] == 422
    assert checked_right(answer["body"]) == ["erasure"]  # the form again, as it was
    assert rights.item(created["request_id"]) == before
    assert rights.queued() == []
    assert api(confirm_event(token, "erasure"))["statusCode"] == 200  # the link still works


@pytest.mark.parametrize(
    "event",
    [
        lambda token: confirm_event(token, "access", raw="not a form at all %zz"),
        lambda token: confirm_event(None, "access"),
        lambda token: {**confirm_event(token, "access"), "headers": {"Content-Type": "application/json"},
                       "multiValueHeaders": {"Content-Type": ["application/json"]}},
    ],
)  # fmt: skip
def test_a_post_that_is_not_the_form_changes_nothing(api: Any, rights: RightsHarness, event: Any) -> None:
    created = create(api)
    token = rights.mailbox.token(EMAIL)
    before = rights.item(created["request_id"])
    answer = api(event(token))
    assert answer["statusCode"] in {400, 422}
    assert rights.item(created["request_id"]) == before


def test_an_invalid_right_with_a_dead_link_is_still_a_422(api: Any) -> None:
    answer = api(confirm_event("A" * 43, "__not_a_right__"))
    assert answer["statusCode"] == 422  # the field is checked first, whatever the token
    assert "Link niet meer geldig" in answer["body"]  # the browser's language (the sample's: nl)


def test_an_expired_link_is_gone_for_get_and_post(api: Any, rights: RightsHarness) -> None:
    created = create(api, locale="nl")
    token = rights.mailbox.token(EMAIL)
    rights.clock.advance(days=7, seconds=1)
    assert api(verify_event(token))["statusCode"] == 410
    gone = api(confirm_event(token, "access"))
    assert gone["statusCode"] == 410
    assert "Link niet meer geldig" in gone["body"]
    assert rights.queued() == []
    assert rights.store.require(created["request_id"]).status is RequestStatus.EXPIRED


@pytest.mark.parametrize(
    ("accept_language", "lang", "title"),
    [
        ("nl-NL,nl;q=0.9", "nl", "Link niet meer geldig"),
        ("fr", "fr", "Lien plus valable"),
        (None, "en", "Link no"),
    ],
)
def test_an_unknown_link_is_gone_in_the_browsers_language(
    api: Any, accept_language: str | None, lang: str, title: str
) -> None:
    answer = api(verify_event("A" * 43, accept_language))
    assert answer["statusCode"] == 410
    assert f'<html lang="{lang}">' in answer["body"]
    assert title in answer["body"]


@pytest.mark.parametrize("token", [None, ""])
def test_a_link_without_a_token_is_a_bad_request(api: Any, token: str | None) -> None:
    answer = api(verify_event(token, "de-AT"))
    assert answer["statusCode"] == 400
    assert "Link unvollständig" in answer["body"]


def test_the_page_says_try_again_when_storage_fails(
    api: Any, rights: RightsHarness, monkeypatch: Any
) -> None:
    create(api)
    token = rights.mailbox.token(EMAIL)
    from contact_intake.core.errors import ServiceUnavailable

    def down(*_: Any, **__: Any) -> None:
        raise ServiceUnavailable()

    monkeypatch.setattr(rights.store, "request_id_for_token", down)
    answer = api(verify_event(token, "nl"))
    assert answer["statusCode"] == 503
    assert "Tijdelijk niet beschikbaar" in answer["body"]
    for right in ("access", "not-a-right"):  # the form's post, a valid right or not: the same page
        posted = api(confirm_event(token, right))
        assert posted["statusCode"] == 503
        assert header(posted, "Content-Type") == "text/html; charset=utf-8"


# ---------------------------------------------------------------- the DPO's routes


def test_create_records_the_dpo_and_sends_the_link(api: Any, rights: RightsHarness) -> None:
    created = create(api, received_at="2026-11-20T10:00:00Z")
    assert created["status"] == "awaiting_verification"
    assert created["channel"] == "dpo"
    assert created["due_at"] == "2026-12-20T10:00:00Z"
    assert created["acknowledged_at"] is not None
    assert [(a["actor"], a["action"]) for a in created["audit"]] == [
        (f"dpo:{SAMPLE_ARN}", "received"),
        ("system", "acknowledged"),
    ]
    assert "https://api.shop.example/v1/rights-requests/verify?token=" in rights.mailbox.last(EMAIL)["text"]


def test_without_public_api_url_the_link_is_this_apis_own(api: Any, rights: RightsHarness) -> None:
    from contact_intake.rights.settings import RightsApiSettings

    handler = importlib.import_module("rights_api_handler")
    handler.settings = RightsApiSettings.model_validate(
        {**rights.wiring.settings.model_dump(), "public_api_url": ""}
    )
    rights.wiring.rights._api_url = ""
    create(api)
    text = rights.mailbox.last(EMAIL)["text"]
    assert (
        "https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/v1/rights-requests/verify?token=" in text
    )


def test_the_list_shows_open_requests_without_addresses(api: Any, rights: RightsHarness) -> None:
    created = create(api)
    answer = api(dpo_event("list"))
    assert answer["statusCode"] == 200
    (listed,) = body_of(answer)["requests"]
    assert set(listed) == {
        "request_id",
        "type",
        "status",
        "channel",
        "received_at",
        "due_at",
        "extended_due_at",
        "days_left",
    }
    assert (listed["request_id"], listed["days_left"]) == (created["request_id"], 30)
    assert EMAIL not in answer["body"]
    assert body_of(api(dpo_event("list", status="completed")))["requests"] == []
    assert api(dpo_event("list", status="everything"))["statusCode"] == 422


def test_show_gives_the_request_with_its_audit_trail(api: Any) -> None:
    created = create(api)
    answer = api(dpo_event("get", created["request_id"]))
    assert answer["statusCode"] == 200
    shown = body_of(answer)
    assert shown["email"] == EMAIL  # the DPO answers the person
    assert [a["action"] for a in shown["audit"]] == ["received", "acknowledged"]
    assert "token" not in json.dumps({k: v for k, v in shown.items() if k != "audit"})


def test_extend_reject_and_their_refusals(api: Any, rights: RightsHarness) -> None:
    created = create(api)
    request_id = created["request_id"]
    extended = api(dpo_event("extend", request_id))
    assert extended["statusCode"] == 200, extended
    assert body_of(extended)["extended_due_at"] == "2027-02-25T04:24:36Z"  # the sample: two months
    again = api(dpo_event("extend", request_id))
    assert again["statusCode"] == 409
    assert body_of(again)["error"]["code"] == "invalid_state"
    assert api(dpo_event("extend", request_id, body={"months": 3, "reason": "x"}))["statusCode"] == 422
    assert api(dpo_event("reject", request_id, body={"reasons": []}))["statusCode"] == 422
    rejected = api(dpo_event("reject", request_id))
    assert body_of(rejected)["status"] == "rejected"
    assert api(dpo_event("reject", request_id))["statusCode"] == 409
    assert "Autoriteit Persoonsgegevens" in rights.mailbox.last(EMAIL)["text"]


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("extend", {"months": 1, "reason": "busy\x00"}, "reason"),
        ("reject", {"reasons": ["fine", "no\x1bpe"]}, "reasons"),
        ("objection_decision", {"upheld": False, "grounds": "legal\x07claims"}, "grounds"),
        ("objection_decision", {"upheld": 1, "grounds": ""}, "upheld"),
        ("objection_decision", {"upheld": "yes"}, "upheld"),
    ],
)
def test_a_dpo_text_with_a_control_character_or_a_lax_boolean_is_422_at_its_field(
    api: Any, route: str, body: dict[str, Any], field: str
) -> None:
    created = create(api, type="objection", identity_verified=True)

    answer = api(dpo_event(route, created["request_id"], body=body))

    assert answer["statusCode"] == 422, answer
    assert field in json.dumps(body_of(answer)["error"]["fields"])
    assert body_of(api(dpo_event("get", created["request_id"])))["status"] == "verified"


def test_objection_decision_route(api: Any, rights: RightsHarness) -> None:
    created = create(api, type="objection", identity_verified=True)
    decided = api(dpo_event("objection_decision", created["request_id"]))
    assert decided["statusCode"] == 200, decided
    assert body_of(decided)["objection_upheld"] is False
    assert rights.queued()[-1] == {"request_id": created["request_id"], "action": "lift_restriction"}


def test_lift_restriction_route(api: Any, rights: RightsHarness) -> None:
    created = create(api, type="restriction", identity_verified=True)
    request_id = created["request_id"]
    assert api(dpo_event("lift_restriction", request_id))["statusCode"] == 409  # not in place yet
    rights.store.transition(
        request_id,
        expect=(RequestStatus.VERIFIED,),
        to=RequestStatus.COMPLETED,
        audit=(),
        set_fields={"completed_at": attr(rights.clock())},
    )
    lifted = api(dpo_event("lift_restriction", request_id))
    assert lifted["statusCode"] == 200
    assert body_of(lifted)["restriction_lifted_at"] is not None


def test_amend_route(api: Any, rights: RightsHarness) -> None:
    created = create(api, type="unclassified", identity_verified=True)
    amended = api(dpo_event("amend", created["request_id"]))
    assert body_of(amended)["type"] == str(RightType.ERASURE)
    assert rights.queued() == [{"request_id": created["request_id"]}]
    bad = api(dpo_event("amend", created["request_id"], body={"corrections": {"phone": "x"}}))
    assert bad["statusCode"] == 422


@pytest.mark.parametrize(
    "name", ["get", "extend", "reject", "objection_decision", "lift_restriction", "amend"]
)
def test_an_unknown_request_is_404(api: Any, name: str) -> None:
    answer = api(dpo_event(name, "00000000-0000-4000-8000-000000000000"))
    assert answer["statusCode"] == 404
    assert body_of(answer)["error"]["code"] == "not_found"


def test_a_request_id_of_a_line_break_is_404_not_the_list(api: Any) -> None:
    event = dpo_event("get", "00000000-0000-4000-8000-000000000000")
    event["path"] = "/rights-requests/\n"  # what API Gateway passes for /rights-requests/%0A
    event["pathParameters"] = {"request_id": "\n"}

    answer = api(event)

    assert answer["statusCode"] == 404
    assert body_of(answer)["error"]["code"] == "not_found"


def test_a_malformed_request_id_is_422(api: Any) -> None:
    answer = api(dpo_event("get", "not-a-uuid"))
    assert answer["statusCode"] == 422


@pytest.mark.parametrize(
    "name",
    [
        "create",
        "list",
        "get",
        "extend",
        "reject",
        "objection_decision",
        "lift_restriction",
        "amend",
        "resend",
    ],
)
def test_a_dpo_route_without_an_iam_identity_is_refused(api: Any, rights: RightsHarness, name: str) -> None:
    # API Gateway lets no unsigned request through to these routes; should one arrive anyway (a mistaken
    # deployment), the function refuses to act without knowing who acts
    event = dpo_event(name)
    event["requestContext"]["identity"]["userArn"] = None
    answer = api(event)
    assert answer["statusCode"] == 403
    assert body_of(answer)["error"]["code"] == "forbidden"
    assert rights.mailbox.messages() == []


@pytest.mark.parametrize(
    "name", ["create", "list", "get", "extend", "reject", "objection_decision", "lift_restriction", "amend"]
)
@pytest.mark.parametrize(
    "caller",
    [
        "arn:aws:sts::123456789012:assumed-role/TelephonyRecordings/pbx-recorder",  # the telephony principal
        "arn:aws:sts::123456789012:assumed-role/Admin/someone",  # any other principal of the account
        "arn:aws:iam::123456789012:user/ContactIntakeDPO",  # a user named as the DPO's role is not the role
    ],
)
def test_only_the_dpos_principal_may_use_a_dpo_route(
    api: Any, rights: RightsHarness, name: str, caller: str
) -> None:
    """D67, the function's own check behind the API's resource policy: a signed caller that is not the
    configured DPO (DPO_PRINCIPAL_ARN) is refused before anything is read or written."""
    request_id = create(api)["request_id"]
    sent = len(rights.mailbox.messages())
    event = dpo_event(name, None if name in {"create", "list"} else request_id)
    event["requestContext"]["identity"]["userArn"] = caller
    answer = api(event)
    assert answer["statusCode"] == 403
    assert body_of(answer)["error"]["code"] == "forbidden"
    assert len(rights.mailbox.messages()) == sent


def test_create_validates_its_fields(api: Any) -> None:
    for body in (
        {"type": "access", "email": "not-an-address", "identity_verified": True},
        {"type": "everything", "email": EMAIL, "identity_verified": True},
        {"type": "access", "email": EMAIL},
        {"type": "access", "email": EMAIL, "identity_verified": True, "received_at": "2026-11-20T10:00:00"},
        {"type": "access", "email": EMAIL, "identity_verified": True, "extra": 1},
        {"type": "access", "email": EMAIL, "identity_verified": 0.0},  # a boolean, not coerced (the fuzzer)
        {"type": "access", "email": EMAIL, "identity_verified": "yes"},
        {"type": "access", "email": EMAIL, "identity_verified": False, "received_at": 0.0},  # text, not epoch
        {"type": "access", "email": EMAIL, "identity_verified": False, "received_at": "1764662400"},
    ):
        answer = api(dpo_event("create", body=body))
        assert answer["statusCode"] == 422, body


def test_a_body_over_the_limit_is_413(api: Any) -> None:
    event = dpo_event("reject", body={"reasons": ["x" * 2000] * 10})
    assert api(event)["statusCode"] == 413


def test_a_base64_body_is_read(api: Any) -> None:
    event = dpo_event("create", body={"type": "access", "email": EMAIL, "identity_verified": True})
    event["body"] = base64.b64encode(event["body"].encode()).decode()
    event["isBase64Encoded"] = True
    assert api(event)["statusCode"] == 201


# ---------------------------------------------------------------- expiry and resend


def test_an_unconfirmed_request_expires_with_its_link(api: Any, rights: RightsHarness) -> None:
    created = create(api, type="erasure")
    mails = len(rights.mailbox.messages())
    rights.clock.advance(days=7, seconds=1)  # the link's seven days are over: no periodic pass has run yet
    open_ids = [r["request_id"] for r in body_of(api(dpo_event("list")))["requests"]]
    assert created["request_id"] not in open_ids
    awaiting = body_of(api(dpo_event("list", status="awaiting_verification")))["requests"]
    assert awaiting == []
    (expired,) = body_of(api(dpo_event("list", status="expired")))["requests"]
    assert (expired["request_id"], expired["status"]) == (created["request_id"], "expired")
    shown = body_of(api(dpo_event("get", created["request_id"])))
    assert shown["status"] == "expired"
    assert [e["action"] for e in shown["audit"]] == ["received", "acknowledged"]  # kept, with its trail
    refused = api(dpo_event("reject", created["request_id"], body={"reasons": ["never confirmed"]}))
    assert refused["statusCode"] == 409  # no refusal mailed to someone who may never have asked
    assert len(rights.mailbox.messages()) == mails  # no mail at all
    assert rights.queued() == []


def test_resend_invalidates_the_old_link_and_mails_a_new_one(api: Any, rights: RightsHarness) -> None:
    created = create(api, locale="nl")
    old = rights.mailbox.token(EMAIL)
    rights.clock.advance(days=6)
    answer = api(dpo_event("resend", created["request_id"]))
    assert answer["statusCode"] == 200, answer
    new = rights.mailbox.token(EMAIL)
    assert new != old
    assert rights.mailbox.last(EMAIL)["subject"] == f"Bevestig uw privacyverzoek ({created['request_id']})"
    assert api(verify_event(old))["statusCode"] == 410
    assert api(confirm_event(old, "access"))["statusCode"] == 410
    rights.clock.advance(days=3)  # past the first link's life, inside the new one's
    assert api(verify_event(new))["statusCode"] == 200
    assert api(confirm_event(new, "access"))["statusCode"] == 200
    audit = [(e.action, e.actor) for e in rights.store.require(created["request_id"]).audit]
    assert ("token_resent", f"dpo:{SAMPLE_ARN}") in audit
    assert audit[-1] == ("verified", "system")


@pytest.mark.parametrize("state", ["verified", "rejected", "expired"])
def test_resend_of_a_confirmed_or_closed_request_is_refused(
    api: Any, rights: RightsHarness, state: str
) -> None:
    created = create(api)
    token = rights.mailbox.token(EMAIL)
    if state == "verified":
        assert api(confirm_event(token, "access"))["statusCode"] == 200
    elif state == "rejected":
        api(dpo_event("reject", created["request_id"], body={"reasons": ["duplicate"]}))
    else:
        rights.clock.advance(days=8)
    mails = len(rights.mailbox.messages())
    answer = api(dpo_event("resend", created["request_id"]))
    assert answer["statusCode"] == 409
    error = body_of(answer)["error"]
    assert error["code"] == "invalid_state"
    assert error["message"] == (
        f"The request is {state}: only a request awaiting verification gets a new link."
    )
    assert len(rights.mailbox.messages()) == mails


def test_the_sample_create_event_makes_a_request_due_in_a_month(api: Any) -> None:
    # events/rights_api_create.json as `sam local invoke` sends it: received now, not two years ago
    answer = api(sample_event("rights_api_create.json"))
    assert answer["statusCode"] == 201
    assert 28 <= body_of(answer)["days_left"] <= 31


# ---------------------------------------------------------------- the handler against its declared routes
# rights_api_handler answers the public link without Powertools' event handler (a cold-start saving,
# docs/decisions.md D85); rights_api_app declares the same routes for Powertools, with its OpenAPI
# validation, and is what docs/openapi.json is generated from. Every kind of public request gets the same
# answer from both: status, headers and body.

LANGUAGES = ("nl", "de", "en", "fr")
DEAD = "A" * 43
# answered by the handler itself; the rest it hands to the resolver (a body that is not a plain form)
ANSWERED_HERE = {
    *(f"page, {lang}" for lang in LANGUAGES),
    "page, no Accept-Language",
    "unknown token",
    "expired token",
    "no token",
    "empty token",
    "HEAD",
    "HEAD, unknown token",
    "POST confirms",
    "POST invalid right",
    "POST invalid right, dead link",
    "POST empty right",
    "POST no token",
    "POST unknown token",
    "POST expired token",
    "storage down",
    "storage down, POST",
    "unexpected error",
    "wrong method",
}
HANDED_OVER = {"POST not a form (JSON)", "POST not a form (text)", "POST field sent twice", "token twice"}


def _pending(api: Any, rights: RightsHarness, locale: str, n: int = 0) -> str:
    """The live token of a new request awaiting verification, in ``locale``."""
    email = f"same.answer.{locale}.{n}@example.org"
    create(api, type="erasure", email=email, locale=locale)
    return rights.mailbox.token(email)


def _case_events(  # noqa: C901, PLR0911, PLR0912 (one branch per case)
    case: str, api: Any, rights: RightsHarness, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the handler's event, the resolver's event): the same request, in the same state. A confirmation
    uses its token, so the two get twin requests (same right, language and deadline)."""
    if case.startswith("page, ") and case.removeprefix("page, ") in LANGUAGES:
        event = verify_event(_pending(api, rights, case.removeprefix("page, ")), "fr")
        return event, event
    if case == "page, no Accept-Language":
        event = verify_event(_pending(api, rights, "de"))
        return event, event
    if case in {"unknown token", "HEAD, unknown token"}:
        event = verify_event(DEAD, "de") if case == "unknown token" else head_event(DEAD)
        return event, event
    if case in {"expired token", "POST expired token"}:
        token = _pending(api, rights, "fr")
        rights.clock.advance(days=7, seconds=1)
        event = verify_event(token, "nl") if case == "expired token" else confirm_event(token, "access")
        return event, event
    if case in {"no token", "empty token"}:
        event = verify_event(None if case == "no token" else "", "de-AT")
        return event, event
    if case == "HEAD":
        event = head_event(_pending(api, rights, "en"))
        return event, event
    if case == "POST confirms":
        return (
            confirm_event(_pending(api, rights, "de", 1), "access"),
            confirm_event(_pending(api, rights, "de", 2), "access"),
        )
    if case in {"POST invalid right", "POST empty right"}:
        event = confirm_event(_pending(api, rights, "fr"), "__not_a_right__" if "invalid" in case else "")
        return event, event
    if case == "POST invalid right, dead link":
        event = confirm_event(DEAD, "nope")
        return event, event
    if case in {"POST no token", "POST unknown token"}:
        event = confirm_event(None if case == "POST no token" else DEAD, "access")
        return event, event
    if case in {"storage down", "storage down, POST", "unexpected error"}:
        token = _pending(api, rights, "nl")
        failure = RuntimeError("internal detail") if case == "unexpected error" else None

        def down(*_: Any, **__: Any) -> None:
            from contact_intake.core.errors import ServiceUnavailable

            raise failure or ServiceUnavailable()

        monkeypatch.setattr(rights.store, "request_id_for_token", down)
        event = confirm_event(token, "access") if case == "storage down, POST" else verify_event(token, "nl")
        return event, event
    if case == "wrong method":
        event = verify_event(DEAD, "nl")
        event["httpMethod"] = event["requestContext"]["httpMethod"] = "PUT"
        return event, event
    if case.startswith("POST not a form"):
        event = confirm_event(None, None, raw=json.dumps({"token": DEAD, "right": "access"}))
        kind = "application/json" if "JSON" in case else "text/plain"
        event["headers"]["Content-Type"] = kind
        event["multiValueHeaders"]["Content-Type"] = [kind]
        return event, event
    if case == "POST field sent twice":
        event = confirm_event(
            None, None, raw=urlencode([("token", DEAD), ("right", "access"), ("right", "x")])
        )
        return event, event
    assert case == "token twice", case
    event = verify_event(DEAD, "nl")
    event["multiValueQueryStringParameters"] = {"token": [DEAD, "B" * 43]}
    return event, event


@pytest.mark.parametrize("case", sorted(ANSWERED_HERE | HANDED_OVER))
def test_the_handler_answers_the_link_as_the_declared_routes(
    api: Any, rights: RightsHarness, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    handler = importlib.import_module("rights_api_handler")
    declared = importlib.import_module("rights_api_app")
    event, twin = _case_events(case, api, rights, monkeypatch)
    ours = answered_as_the_declared_routes(
        handler.public, api, declared, event, twin, handed_over=case in HANDED_OVER
    )
    assert ours["statusCode"] in {200, 400, 404, 410, 422, 500, 503}


def test_the_link_is_answered_without_the_event_handler(rights: RightsHarness) -> None:
    """A fresh process that imports the handler and opens a link never imports Powertools' event handler,
    its OpenAPI validation or the DPO routes' module, nor pydantic (its settings are read without it, D92);
    a DPO route imports them when it arrives."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = """
import sys, rights_api_handler
from tests.builders import FakeContext, sample_event
answer = rights_api_handler.lambda_handler(sample_event("rights_api_verify.json"), FakeContext())
loaded = [m for m in ("aws_lambda_powertools.event_handler", "rights_api_app", "contact_intake.intake.models",
                      "pydantic", "contact_intake.core.settings") if m in sys.modules]
print(answer["statusCode"], loaded)
"""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(root / "functions" / "rights_api"), os.environ.get("PYTHONPATH", "")]
        ),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: the lookup fails fast, a 503 page
    }
    result = subprocess.run(
        [sys.executable, "-c", script], check=False, env=env, capture_output=True, text=True, cwd=root
    )
    assert result.returncode == 0, result.stderr[-2000:]
    status, loaded = result.stdout.split()[0], result.stdout.split(maxsplit=1)[1].strip()
    assert status in {"410", "503"}  # moto is not reachable from the child: a dead link or unavailable
    assert loaded == "[]"
