"""The contact form (web/) in Debian's Chromium, driven by Playwright, against the session's devstack.

One browser for the session, a fresh context per test. Screenshots of every language and every error state
go to test-artifacts/form/ (gitignored). Playwright's own browser downloads are never used: the browser is
/usr/bin/chromium (``.ci/run`` installs it); without it these tests are skipped, saying why.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import (
    BrowserContext,
    Locator,
    Page,
    Request,
    Route,
    expect,
)

from tests.builders import PERSON
from tests.e2e.chromium import CHROMIUM, NO_CHROMIUM, TIMEOUT_MS, screenshot
from tests.e2e.devstack_process import ROOT, RunningDevstack

ARTIFACTS = ROOT / "test-artifacts" / "form"
MOBILE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

expect.set_options(timeout=TIMEOUT_MS)

# What each language must show: its own words, written here, not read from web/i18n.js.
LANGUAGES: dict[str, dict[str, Any]] = {
    "nl": {
        "labels": ("Naam", "E-mailadres", "Klantnummer (optioneel)", "Onderwerp", "Je vraag"),
        "submit": "Versturen",
        "notice": (
            "Freshworks",
            "uiterlijk na 12 maanden",
            "Google reCAPTCHA",
            "IP-adres",
            "artikel 6, lid 1",
        ),
        "link": "Lees de volledige privacyverklaring",
        "success": "Bedankt, we hebben je vraag ontvangen",
    },
    "de": {
        "labels": ("Name", "E-Mail-Adresse", "Kundennummer (optional)", "Betreff", "Ihre Frage"),
        "submit": "Senden",
        "notice": (
            "Freshworks",
            "spätestens nach 12 Monaten",
            "Google reCAPTCHA",
            "IP-Adresse",
            "Art. 6 Abs. 1",
        ),
        "link": "Vollständige Datenschutzerklärung lesen",
        "success": "Vielen Dank, wir haben Ihre Frage erhalten",
    },
    "en": {
        "labels": ("Name", "E-mail address", "Customer number (optional)", "Subject", "Your question"),
        "submit": "Send",
        "notice": (
            "Freshworks",
            "at the latest after 12 months",
            "Google reCAPTCHA",
            "IP address",
            "Art. 6(1)",
        ),
        "link": "Read the full privacy statement",
        "success": "Thank you, we have received your question",
    },
    "fr": {
        "labels": ("Nom", "Adresse e-mail", "Numéro client (facultatif)", "Objet", "Votre question"),
        "submit": "Envoyer",
        "notice": ("Freshworks", "au plus tard après 12 mois", "Google reCAPTCHA", "adresse IP", "article 6"),
        "link": "Lire la déclaration de confidentialité complète",
        "success": "Merci, nous avons bien reçu votre question",
    },
}
EN_LABELS = LANGUAGES["en"]["labels"]


# --- fixtures and helpers ----------------------------------------------------------------------------------


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def a_subject(tag: str) -> str:
    """A subject no other test uses, to find this test's inquiries in the shared table."""
    return f"{PERSON['subject']} {tag} {uuid.uuid4().hex[:8]}"


def stored_with_subject(devstack: RunningDevstack, subject: str) -> list[dict[str, Any]]:
    table = devstack.resource("InquiriesTable")
    pages = (
        devstack.client("dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=table,
            FilterExpression="#s = :s",
            ExpressionAttributeNames={"#s": "subject"},
            ExpressionAttributeValues={":s": {"S": subject}},
            ConsistentRead=True,
        )
    )
    return [item for answer in pages for item in answer.get("Items", [])]


def textbox(page: Page, label: str) -> Locator:
    """A text control by its accessible name (the label without the required marker)."""
    return page.get_by_role("textbox", name=label, exact=True)


def fill_form(
    page: Page, subject: str, labels: tuple[str, ...] = EN_LABELS, customer_number: str = ""
) -> None:
    """Fill by each control's accessible name, so an unlabelled control fails here."""
    for label, value in zip(
        labels, (PERSON["name"], PERSON["email"], customer_number, subject, PERSON["message"]), strict=True
    ):
        textbox(page, label).fill(value)


def open_form(page: Page, devstack: RunningDevstack, query: str = "") -> Page:
    page.goto(f"{devstack.api_url}/{query}")
    expect(page.locator("#contact-form")).to_be_visible()
    return page


def inquiry_posts(page: Page) -> list[Request]:
    """Every POST /inquiries the page makes from now on."""
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r) if r.method == "POST" and "/inquiries" in r.url else None)
    return seen


def expect_field_error(page: Page, field: str, text: str | re.Pattern[str]) -> None:
    """The error is shown at the field, is the field's accessible description, and marks it invalid."""
    control = page.locator(f"#{field}")
    expect(page.locator(f"#{field}-error")).to_be_visible()
    expect(page.locator(f"#{field}-error")).to_have_text(text)
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_accessible_description(
        text if isinstance(text, re.Pattern) else re.compile(re.escape(text))
    )


def expect_success(page: Page, devstack: RunningDevstack, subject: str) -> dict[str, Any]:
    expect(page.locator("#success")).to_be_visible()
    expect(page.locator("#success")).to_be_focused()
    inquiry_id = page.locator("#inquiry-id").inner_text()
    assert re.fullmatch(r"[0-9a-f-]{36}", inquiry_id), inquiry_id
    items = stored_with_subject(devstack, subject)
    assert [item["inquiry_id"]["S"] for item in items] == [inquiry_id]
    return items[0]


# --- the happy path, in every language ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "de", "en", "fr"])
def test_a_question_is_sent_in_each_language(page: Page, devstack: RunningDevstack, lang: str) -> None:
    expected = LANGUAGES[lang]
    open_form(page, devstack, f"?lang={lang}")
    subject = a_subject(f"happy-{lang}")

    expect(page.locator("html")).to_have_attribute("lang", lang)
    notice = page.locator(".privacy")
    for phrase in expected["notice"]:
        expect(notice).to_contain_text(phrase)
    link = page.get_by_role("link", name=expected["link"])
    expect(link).to_have_attribute("href", f"https://shop.example/privacy?lang={lang}")
    fill_form(page, subject, expected["labels"])
    screenshot(page, ARTIFACTS, f"{lang}-filled-desktop")
    page.get_by_role("button", name=expected["submit"]).click()

    expect(page.get_by_role("heading", name=expected["success"])).to_be_visible()
    item = expect_success(page, devstack, subject)
    assert item["locale"] == {"S": lang}
    assert item["name"] == {"S": PERSON["name"]}
    assert item["message"] == {"S": PERSON["message"]}
    screenshot(page, ARTIFACTS, f"{lang}-success-desktop")


def test_without_lang_the_browser_language_decides_else_english(
    new_context: Callable[..., BrowserContext], devstack: RunningDevstack
) -> None:
    german = open_form(new_context(locale="de-AT").new_page(), devstack)
    japanese = open_form(new_context(locale="ja-JP").new_page(), devstack)
    unknown_lang = open_form(new_context(locale="fr-BE").new_page(), devstack, "?lang=xx")

    expect(german.locator("html")).to_have_attribute("lang", "de")
    expect(textbox(german, "E-Mail-Adresse")).to_be_visible()
    expect(japanese.locator("html")).to_have_attribute("lang", "en")
    expect(unknown_lang.locator("html")).to_have_attribute("lang", "fr")


def test_the_form_reads_well_on_a_phone(
    new_context: Callable[..., BrowserContext], devstack: RunningDevstack
) -> None:
    page = open_form(new_context(viewport=MOBILE, has_touch=True).new_page(), devstack, "?lang=nl")
    fill_form(page, a_subject("mobile"), LANGUAGES["nl"]["labels"])

    width = page.evaluate("document.documentElement.scrollWidth")
    button = page.get_by_role("button", name="Versturen").bounding_box()

    assert width <= MOBILE["width"]  # nothing sticks out sideways
    assert button is not None
    assert button["height"] >= 44  # a touch target
    screenshot(page, ARTIFACTS, "nl-filled-mobile")
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator("#success")).to_be_visible()
    screenshot(page, ARTIFACTS, "nl-success-mobile")


# --- validation --------------------------------------------------------------------------------------------


def test_every_empty_required_field_is_shown_at_the_field_and_nothing_is_sent(
    page: Page, devstack: RunningDevstack
) -> None:
    posts = inquiry_posts(open_form(page, devstack, "?lang=en"))

    page.get_by_role("button", name="Send").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(4)
    expect_field_error(page, "name", "Enter your name.")
    expect_field_error(page, "email", "Enter your e-mail address.")
    expect_field_error(page, "subject", "Enter a subject.")
    expect_field_error(page, "message", "Enter your question.")
    expect(page.locator("#customer_number")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name")).to_be_focused()  # the first bad field
    expect(page.get_by_role("status")).to_have_text(
        "Not sent yet. Please check: Name, E-mail address, Subject, Your question."
    )
    screenshot(page, ARTIFACTS, "en-required-errors-desktop")

    summary.get_by_role("link", name=re.compile("^Subject")).click()
    expect(page.locator("#subject")).to_be_focused()
    page.locator("#subject").fill("Now there is a subject")
    expect(page.locator("#subject-error")).to_be_hidden()  # fixed fields lose their message as you type
    expect(summary.get_by_role("link")).to_have_count(3)
    assert posts == []


def test_every_malformed_field_is_shown_at_the_field(
    new_context: Callable[..., BrowserContext], devstack: RunningDevstack
) -> None:
    page = open_form(new_context(viewport=MOBILE).new_page(), devstack, "?lang=de")
    posts = inquiry_posts(page)
    textbox(page, "E-Mail-Adresse").fill("zoe.quasimodo.example.org")
    textbox(page, "Kundennummer (optional)").fill("C 998877!")
    # Values a keyboard cannot produce (maxlength stops typing; pasted control characters do get in)
    page.locator("#name").evaluate("(el) => { el.value = 'Zo\\u0007e' }")
    page.locator("#subject").evaluate("(el) => { el.value = 'x'.repeat(201) }")
    page.locator("#message").evaluate("(el) => { el.value = 'ok\\n\\u0000' }")

    page.get_by_role("button", name="Senden").click()

    expect_field_error(page, "name", "Bitte eine Zeile ohne Tabulatoren oder andere Steuerzeichen.")
    expect_field_error(page, "email", "Bitte geben Sie eine E-Mail-Adresse wie name@beispiel.de ein.")
    expect_field_error(page, "customer_number", re.compile("Buchstaben, Ziffern und Bindestrichen"))
    expect_field_error(page, "subject", "Bitte höchstens 200 Zeichen.")
    expect_field_error(page, "message", re.compile("Steuerzeichen"))
    expect(page.locator("#name")).to_be_focused()
    screenshot(page, ARTIFACTS, "de-format-errors-mobile")
    assert posts == []


def test_the_servers_field_errors_are_shown_at_their_fields(page: Page, devstack: RunningDevstack) -> None:
    open_form(page, devstack, "?lang=fr")
    subject = a_subject("server-422")
    fill_form(page, subject, LANGUAGES["fr"]["labels"])
    # A syntactically fine address on a reserved domain: only the server's e-mail check knows.
    textbox(page, "Adresse e-mail").fill("zoe@shop.test")

    with page.expect_response("**/inquiries") as answer:
        page.get_by_role("button", name="Envoyer").click()

    assert answer.value.status == 422
    expect_field_error(page, "email", "Indiquez une adresse e-mail comme nom@exemple.fr.")
    expect(page.locator("#email")).to_be_focused()

    # Past the client's checks entirely: the request is altered on its way out, the server answers.
    def tamper(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        route.continue_(
            post_data=json.dumps({**body, "name": "", "customer_number": "C 1", "subject": "s" * 201})
        )

    page.route("**/inquiries", tamper)
    textbox(page, "Adresse e-mail").fill(PERSON["email"])
    with page.expect_response("**/inquiries") as answer:
        page.get_by_role("button", name="Envoyer").click()

    assert answer.value.status == 422
    assert {f["field"] for f in answer.value.json()["error"]["fields"]} == {
        "name",
        "customer_number",
        "subject",
    }
    expect_field_error(page, "name", "Indiquez votre nom.")
    expect_field_error(page, "customer_number", re.compile("lettres, des chiffres et des tirets"))
    expect_field_error(page, "subject", "200 caractères au maximum.")
    expect(page.locator("#email")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name")).to_be_focused()
    screenshot(page, ARTIFACTS, "fr-server-errors-desktop")
    assert stored_with_subject(devstack, subject) == []


# --- captcha and the other failure states ----------------------------------------------------------------


def test_a_failed_captcha_keeps_the_text_and_asks_to_send_again(
    page: Page, devstack: RunningDevstack
) -> None:
    open_form(page, devstack, "?lang=nl&captcha=low")
    subject = a_subject("captcha-low")
    fill_form(page, subject, LANGUAGES["nl"]["labels"])

    with page.expect_response("**/inquiries") as answer:
        page.get_by_role("button", name="Versturen").click()

    assert answer.value.status == 403
    expect(page.get_by_role("status")).to_contain_text("We konden niet bevestigen dat je een mens bent")
    expect(textbox(page, "Je vraag")).to_have_value(PERSON["message"])
    expect(page.get_by_role("button", name="Versturen")).to_be_enabled()
    screenshot(page, ARTIFACTS, "nl-captcha-failed-desktop")
    assert stored_with_subject(devstack, subject) == []


# Codes of the answers played below: API Gateway's throttling (its GatewayResponses shape) and the API's.
FAILURE_CODES = {
    429: "throttled",
    503: "service_unavailable",
    413: "body_too_large",
    409: "idempotency_conflict",
}


@pytest.mark.parametrize(
    ("status", "shown", "button"),
    [
        (429, "Too many requests", "Try again"),
        (503, "temporarily unavailable", "Try again"),
        (413, "too long to send", "Send"),
        (409, "please send it again", "Send"),
    ],
)
def test_each_failure_state_is_explained_and_the_text_kept(
    page: Page, devstack: RunningDevstack, status: int, shown: str, button: str
) -> None:
    """The answers API Gateway (429 throttling, 5xx) and the API give, played by the page's network layer."""
    open_form(page, devstack, "?lang=en")
    subject = a_subject(f"state-{status}")
    fill_form(page, subject)
    body = {"error": {"code": FAILURE_CODES[status], "message": "played by the test"}}
    page.route("**/inquiries", lambda route: route.fulfill(status=status, json=body))

    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("status")).to_contain_text(shown)
    expect(page.get_by_role("button", name=button)).to_be_focused()
    expect(textbox(page, "Your question")).to_have_value(PERSON["message"])
    screenshot(page, ARTIFACTS, f"en-{status}-desktop")
    page.unroute("**/inquiries")
    page.get_by_role("button", name=button).click()
    expect_success(page, devstack, subject)


def test_a_retry_after_a_lost_answer_reuses_the_key_and_makes_one_inquiry(
    page: Page, devstack: RunningDevstack
) -> None:
    open_form(page, devstack, "?lang=en")
    subject = a_subject("lost-answer")
    fill_form(page, subject)
    keys: list[str] = []
    first_answer: list[dict[str, Any]] = []

    def lose_the_answer(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if not first_answer:
            first_answer.append(route.fetch().json())  # the server stores it ...
            route.abort("connectionreset")  # ... and the page never hears back
        else:
            route.continue_()

    page.route("**/inquiries", lose_the_answer)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("No connection to our server")
    screenshot(page, ARTIFACTS, "en-network-desktop")
    page.get_by_role("button", name="Try again").click()

    item = expect_success(page, devstack, subject)
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", keys[0])
    assert item["inquiry_id"]["S"] == first_answer[0]["inquiry_id"]


def test_a_double_click_makes_one_inquiry(page: Page, devstack: RunningDevstack) -> None:
    posts = inquiry_posts(open_form(page, devstack, "?lang=en"))
    subject = a_subject("double-click")
    fill_form(page, subject)

    page.get_by_role("button", name="Send").dblclick()

    expect_success(page, devstack, subject)  # exactly one stored item with this subject
    assert len(posts) == 1


def test_a_new_text_after_a_failure_gets_a_new_key(page: Page, devstack: RunningDevstack) -> None:
    open_form(page, devstack, "?lang=en")
    subject = a_subject("edited")
    fill_form(page, subject)
    keys: list[str] = []

    def unavailable_once(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fulfill(status=503, json={"error": {"code": "service_unavailable", "message": "x"}})
        else:
            route.continue_()

    page.route("**/inquiries", unavailable_once)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("temporarily unavailable")
    textbox(page, "Subject").fill(subject + " (edited)")
    page.get_by_role("button", name="Try again").click()

    expect_success(page, devstack, subject + " (edited)")
    assert keys[0] != keys[1]


def test_a_filled_honeypot_looks_sent_but_nothing_is_stored(page: Page, devstack: RunningDevstack) -> None:
    open_form(page, devstack, "?lang=en")
    subject = a_subject("honeypot")
    fill_form(page, subject)
    honeypot = page.locator("#website")
    expect(honeypot).to_have_attribute("tabindex", "-1")
    expect(honeypot).to_have_attribute("autocomplete", "off")
    expect(page.locator(".hp")).to_have_attribute("aria-hidden", "true")
    expect(honeypot).not_to_be_in_viewport()
    honeypot.fill("https://spam.example", force=True)  # what a bot does

    page.get_by_role("button", name="Send").click()

    expect(page.locator("#success")).to_be_visible()
    assert stored_with_subject(devstack, subject) == []


# --- keyboard only, and no JavaScript ----------------------------------------------------------------------


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def test_the_form_can_be_used_with_the_keyboard_alone(page: Page, devstack: RunningDevstack) -> None:
    open_form(page, devstack, "?lang=en")
    subject = a_subject("keyboard")
    keyboard = page.keyboard

    keyboard.press("Tab")
    assert focused_id(page) == "name"
    keyboard.press("Enter")  # an empty form: the errors, and focus back on the first bad field
    expect(page.locator("#error-summary")).to_be_visible()
    assert focused_id(page) == "name"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus indicator

    for field_id, text in (("name", PERSON["name"]), ("email", PERSON["email"]), ("customer_number", "")):
        assert focused_id(page) == field_id
        keyboard.type(text)
        keyboard.press("Tab")
    assert focused_id(page) == "subject"
    keyboard.press("Shift+Tab")
    assert focused_id(page) == "customer_number"
    keyboard.press("Tab")
    keyboard.type(subject)
    keyboard.press("Tab")
    assert focused_id(page) == "message"
    keyboard.type(PERSON["message"])
    keyboard.press("Tab")
    assert focused_id(page) == "privacy-link"  # the honeypot is skipped
    keyboard.press("Tab")
    assert focused_id(page) == "submit"
    expect(page.locator("#error-summary")).to_be_hidden()  # every field is right now: no stale messages
    expect(page.get_by_role("status")).to_have_text("")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    screenshot(page, ARTIFACTS, "en-keyboard-focus-desktop")
    keyboard.press("Enter")

    expect_success(page, devstack, subject)


def test_without_javascript_the_form_posts_and_lands_on_the_thank_you_page(
    new_context: Callable[..., BrowserContext], devstack: RunningDevstack
) -> None:
    page = open_form(new_context(java_script_enabled=False).new_page(), devstack)
    subject = a_subject("no-js")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#contact-form")).to_have_attribute("action", "/inquiries")
    fill_form(page, subject)
    screenshot(page, ARTIFACTS, "en-nojs-filled-desktop")

    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()

    assert page.url == f"{devstack.api_url}/thanks.html"
    expect(page.get_by_role("heading", name="Thank you, we have received your question")).to_be_visible()
    items = stored_with_subject(devstack, subject)
    assert len(items) == 1
    assert items[0]["locale"] == {"S": "en"}
    assert "customer_number" not in items[0]  # the empty optional field counts as not given
    screenshot(page, ARTIFACTS, "en-nojs-thanks-desktop")


# --- the production captcha: reCAPTCHA v3, loaded by the form only ----------------------------------------

RECAPTCHA_STUB = """
window.grecaptcha = {
  ready: function (callback) { callback(); },
  execute: function (key, options) {
    window.__captchaCalls = (window.__captchaCalls || []).concat([[key, options.action]]);
    return Promise.resolve("stub-token-from-google");
  }
};
"""


def test_recaptcha_v3_is_loaded_by_the_form_with_the_site_key_and_action_contact(
    page: Page, devstack: RunningDevstack
) -> None:
    config = (ROOT / "web" / "config.js").read_text(encoding="utf-8")
    production = config.replace('captcha: "local"', 'captcha: "recaptcha-v3"').replace(
        'recaptchaSiteKey: ""', 'recaptchaSiteKey: "site-key-123"'
    )
    assert production != config
    scripts: list[str] = []
    page.route("**/config.js", lambda route: route.fulfill(body=production, content_type="text/javascript"))

    def google(route: Route) -> None:
        scripts.append(route.request.url)
        route.fulfill(body=RECAPTCHA_STUB, content_type="text/javascript")

    page.route("https://www.google.com/recaptcha/**", google)
    page.goto(f"{devstack.api_url}/thanks.html?lang=fr")
    expect(page.get_by_role("heading")).to_have_text("Merci, nous avons bien reçu votre question")
    assert scripts == []  # only the form loads it, not every page

    open_form(page, devstack, "?lang=fr&captcha=low")  # the test flag means nothing outside local mode
    expect(page.locator("#local-warning")).to_be_hidden()
    fill_form(page, a_subject("recaptcha"), LANGUAGES["fr"]["labels"])
    with page.expect_request("**/inquiries") as sent:
        page.get_by_role("button", name="Envoyer").click()

    assert scripts == ["https://www.google.com/recaptcha/api.js?render=site-key-123&hl=fr"]
    assert page.evaluate("window.__captchaCalls") == [["site-key-123", "contact"]]
    assert json.loads(sent.value.post_data or "{}")["captcha_token"] == "stub-token-from-google"
    # devstack's siteverify does not know Google's token: the page says so, as for any captcha failure
    expect(page.get_by_role("status")).to_contain_text("pas pu confirmer que vous êtes une personne")


def test_the_local_captcha_warns_when_the_form_is_hosted_elsewhere(page: Page) -> None:
    """config.js as committed (devstack's values) on a shop's host: a banner, not a silently broken form."""

    def serve_web(route: Route) -> None:
        name = route.request.url.split("?")[0].rsplit("/", 1)[-1] or "index.html"
        route.fulfill(path=ROOT / "web" / name)

    page.route("https://www.shop.example/contact/**", serve_web)
    page.goto("https://www.shop.example/contact/?lang=en")

    expect(page.locator("#local-warning")).to_be_visible()
    expect(page.locator("#local-warning")).to_contain_text('captcha: "local"')
