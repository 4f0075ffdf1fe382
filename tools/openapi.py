"""The public API's OpenAPI document, generated from the handlers' Powertools routes.

`python -m tools.openapi --write` regenerates docs/openapi.json; `--check` exits 1 when the committed
document and the code have drifted (tests/unit/test_openapi_drift.py runs the same comparison).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "openapi.json"
# every function that serves HTTP routes: (folder under functions/, handler module)
API_MODULES = [
    ("intake", "intake_api"),  # the route intake_handler answers, declared for Powertools
    ("helpdesk_events", "helpdesk_events_api"),  # the route helpdesk_events_handler answers or hands over
    ("rights_api", "rights_api_app"),  # the routes rights_api_handler answers or hands over
    ("recordings", "recordings_handler"),
]
# placeholders so the handlers' settings validate; only names, nothing is called
_PLACEHOLDER_ENV = {
    "INQUIRIES_TABLE": "InquiriesTable",
    "INQUIRY_QUEUE_URL": "https://sqs.invalid/InquiryQueue",
    "CAPTCHA_SECRET_PARAM": "/contact-intake/recaptcha-secret",
    "SUBJECT_PEPPER_PARAM": "/contact-intake/subject-pepper",
    "CAPTCHA_HOSTNAMES": "shop.example",
    "ACCOUNTS_TABLE": "AccountsTable",
    "ERASURE_LEDGER_TABLE": "ErasureLedgerTable",
    "WEBHOOK_SECRET_PARAM": "/contact-intake/helpdesk-webhook-secret",
    "HELPDESK_DOMAIN": "example",
    "HELPDESK_API_KEY_SECRET_ID": "contact-intake/helpdesk-api-key",
    "RIGHTS_REQUESTS_TABLE": "RightsRequestsTable",
    "RIGHTS_QUEUE_URL": "https://sqs.invalid/RightsQueue",
    "MAIL_FROM": "privacy@shop.example",
    "RECORDINGS_TABLE": "RecordingsTable",
    "RECORDINGS_BUCKET": "recordings-bucket",
    "DPO_PRINCIPAL_ARN": "arn:aws:iam::123456789012:role/dpo",
    "TELEPHONY_PRINCIPAL_ARN": "arn:aws:iam::123456789012:role/telephony",
}
FORM = "application/x-www-form-urlencoded"


def build_document() -> dict[str, Any]:
    for key, value in _PLACEHOLDER_ENV.items():
        os.environ.setdefault(key, value)
    sys.path.insert(0, str(ROOT / "layers" / "common"))
    document: dict[str, Any] = {}
    for folder, module_name in API_MODULES:
        sys.path.insert(0, str(ROOT / "functions" / folder))
        module = importlib.import_module(module_name)
        schema = json.loads(
            module.app.get_openapi_json_schema(
                title="Contact Intake API",
                version="1.0.0",
                description="Customer questions in, privacy rights honoured. See README.md.",
            )
        )
        document = _merge(document, schema)
    _document_form_posts(document)
    _document_unreadable_bodies(document)
    return document


def _merge(into: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if not into:
        return schema
    into.setdefault("paths", {}).update(schema.get("paths", {}))
    components = into.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.get("components", {}).get("schemas", {}))
    return into


def _document_form_posts(document: dict[str, Any]) -> None:
    """POST /inquiries also takes the same fields urlencoded (a form without JavaScript)."""
    body = document["paths"]["/inquiries"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]
    body[FORM] = {"schema": schema}


def _document_unreadable_bodies(document: dict[str, Any]) -> None:
    """Every operation that reads a JSON body answers 400 ``malformed_body`` when it cannot be read (not
    JSON, not UTF-8): api/http.py maps it the same way for every function (found by the fuzzer)."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            content = (
                operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            )
            if "application/json" in content:
                operation.setdefault("responses", {}).setdefault(
                    "400",
                    {
                        "description": "The body is not readable JSON.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                        },
                    },
                )


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help="write docs/openapi.json")
    group.add_argument("--check", action="store_true", help="exit 1 when docs/openapi.json is stale")
    args = parser.parse_args(argv)
    text = render(build_document())
    if args.write:
        DOCUMENT.parent.mkdir(parents=True, exist_ok=True)
        DOCUMENT.write_text(text, encoding="utf-8")
        print(f"wrote {DOCUMENT.relative_to(ROOT)}")
        return 0
    current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
    if current != text:
        print("docs/openapi.json is stale: run `make openapi`", file=sys.stderr)
        return 1
    print("docs/openapi.json is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
