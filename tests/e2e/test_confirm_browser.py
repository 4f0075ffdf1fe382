"""The confirmation page a rights link opens, in Debian's Chromium through Playwright, against devstack:
in each of the four languages it names the right read from the mail and what it does, has no serious or
critical axe-core violation (the engine is vendored: tests/e2e/vendor/axe-core), and its form, which needs
no script, confirms the right the person chose. Screenshots go to test-artifacts/confirm/ (gitignored).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from dpo_cli.client import Connection, DpoClient
from tests.e2e.axe import blocking, violations
from tests.e2e.chromium import CHROMIUM, NO_CHROMIUM, screenshot
from tests.e2e.devstack_process import ROOT, RunningDevstack
from tests.e2e.local_api import HTTP_TIMEOUT, wait_for

ARTIFACTS = ROOT / "test-artifacts" / "confirm"
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/rights-requests/verify\?token=[A-Za-z0-9_-]+)")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM),
]

# What each language must show: its own words, written here, not read from rights/templates/.
LANGUAGES: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Bevestig uw privacyverzoek",
        "erasure_effect": "Dit kan niet ongedaan worden gemaakt.",
        "access": "inzage in uw persoonsgegevens",
        "submit": "Verzoek bevestigen",
        "confirmed": "Verzoek bevestigd",
    },
    "de": {
        "title": "Bestätigen Sie Ihre Datenschutzanfrage",
        "erasure_effect": "Das kann nicht rückgängig gemacht werden.",
        "access": "Auskunft",
        "submit": "Anfrage bestätigen",
        "confirmed": "Anfrage bestätigt",
    },
    "en": {
        "title": "Confirm your privacy request",
        "erasure_effect": "This cannot be undone.",
        "access": "access to your personal data",
        "submit": "Confirm request",
        "confirmed": "Request confirmed",
    },
    "fr": {
        "title": "Confirmez votre demande relative à vos données",
        "erasure_effect": "Cette opération est irréversible.",
        "access": "accès à vos données personnelles",
        "submit": "Confirmer la demande",
        "confirmed": "Demande confirmée",
    },
}


def dpo(devstack: RunningDevstack) -> DpoClient:
    from botocore.credentials import ReadOnlyCredentials

    region = devstack.resources_json["region"]
    return DpoClient(Connection(devstack.api_url, region, ReadOnlyCredentials("local", "local", None)))


def a_request(devstack: RunningDevstack, right: str, locale: str) -> tuple[str, str]:
    """A request the DPO recorded with --send-link: (its id, the link mailed to the person)."""
    address = f"confirm-{uuid.uuid4().hex[:12]}@example.org"
    created = dpo(devstack).create(
        {"type": right, "email": address, "locale": locale, "identity_verified": False}
    )

    def mails() -> list[dict[str, Any]]:
        answer = requests.get(
            f"{devstack.api_url}/_local/mail.json", params={"to": address}, timeout=HTTP_TIMEOUT
        )
        answer.raise_for_status()
        return list(answer.json()["messages"])

    mail = wait_for(mails, f"the acknowledgement to {address}")[-1]
    found = LINK.search(mail["text"])
    assert found, mail["text"]
    return str(created["request_id"]), found.group(1)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_page_in_each_language_is_accessible_and_confirms_the_chosen_right(
    new_context: Callable[..., BrowserContext], devstack: RunningDevstack, lang: str
) -> None:
    words = LANGUAGES[lang]
    request_id, link = a_request(devstack, "erasure", lang)
    # axe is injected, so this context lets scripts past the page's CSP (the CSP is tested below)
    page = new_context(bypass_csp=True, java_script_enabled=True).new_page()
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    expect(page.get_by_text(words["erasure_effect"]).first).to_be_visible()
    group = page.get_by_role("group")
    expect(group.get_by_role("radio")).to_have_count(7)
    expect(page.locator('input[name="right"][value="erasure"]')).to_be_checked()
    screenshot(page, ARTIFACTS, f"confirm-{lang}")
    found = violations(page)
    assert blocking(found) == [], blocking(found)
    assert dpo(devstack).show(request_id)["status"] == "awaiting_verification"  # opening changed nothing
    # the person meant access: they pick it by its label and confirm
    page.get_by_label(re.compile(re.escape(words["access"]), re.IGNORECASE)).check()
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["confirmed"])
    screenshot(page, ARTIFACTS, f"confirmed-{lang}")
    after = violations(page)
    assert blocking(after) == [], blocking(after)
    shown = dpo(devstack).show(request_id)
    assert shown["type"] == "access"
    assert shown["status"] in {"verified", "in_progress", "completed"}


def test_without_javascript_and_under_the_pages_csp_an_unclassified_request_is_picked_and_confirmed(
    new_context: Callable[..., BrowserContext], devstack: RunningDevstack
) -> None:
    request_id, link = a_request(devstack, "unclassified", "en")
    page = new_context(java_script_enabled=False).new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(link)
    expect(page.locator('input[name="right"]:checked')).to_have_count(0)  # nothing preselected
    page.get_by_role("button", name="Confirm request").click()  # the browser asks for a choice first
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your privacy request")
    assert dpo(devstack).show(request_id)["status"] == "awaiting_verification"
    page.get_by_label(re.compile("restriction of processing", re.IGNORECASE)).check()
    page.get_by_role("button", name="Confirm request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request confirmed")
    assert blocked == []  # the form posts back under form-action 'self'; nothing was refused
    shown = dpo(devstack).show(request_id)
    assert shown["type"] == "restriction"
    assert shown["status"] in {"verified", "in_progress", "completed"}
    assert shown["audit"][2]["counts"] == {"right_changed": 1, "from_unclassified": 1, "to_restriction": 1}
