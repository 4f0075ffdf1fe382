"""What the Freshdesk client's tests share: the account they talk to (``responses`` answers it), its API key,
the Authorization header the client must send with it, a requester's address, a client on that account, and
the cap on the pages it follows."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from contact_intake.helpdesk import freshdesk
from contact_intake.helpdesk.freshdesk import FreshdeskClient

BASE = "https://myshop.freshdesk.com/api/v2"
API_KEY = "fd-api-key-0123456789"
BASIC = "Basic " + base64.b64encode(f"{API_KEY}:X".encode()).decode()
EMAIL = "jan+shop@example.nl"


def a_client(**overrides: Any) -> FreshdeskClient:
    """A client of the ``myshop`` account with API_KEY; ``overrides`` replace its arguments."""
    options: dict[str, Any] = {"session": requests.Session(), "api_key": lambda: API_KEY, "domain": "myshop"}
    return FreshdeskClient(**{**options, **overrides})


def cap_pages(monkeypatch: pytest.MonkeyPatch, pages: int) -> None:
    """For the test, the client follows a listing's Link header to at most ``pages`` pages."""
    monkeypatch.setattr(freshdesk, "MAX_PAGES", pages)
