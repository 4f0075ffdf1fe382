"""The committed OpenAPI document is what the code generates (run `make openapi` after a change)."""

from __future__ import annotations

import json

from tools.openapi import DOCUMENT, build_document, render


def test_committed_document_matches_the_code() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == render(build_document()), "run `make openapi`"


def test_document_describes_the_public_contract() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    post = document["paths"]["/inquiries"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "application/x-www-form-urlencoded"}
    assert {"202", "400", "403", "409", "413", "415", "422", "503"} <= set(post["responses"])
    form = document["components"]["schemas"]["InquiryForm"]
    assert form["additionalProperties"] is False
    assert set(form["required"]) == {"name", "email", "subject", "message", "captcha_token"}
    assert form["properties"]["message"]["maxLength"] == 5000
