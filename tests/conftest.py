"""Suite-wide set-up: every function folder importable, a valid function environment, log capture."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
import moto.kms.models
import moto.kms.utils

ROOT = Path(__file__).resolve().parent.parent
for folder in sorted((ROOT / "functions").iterdir()):
    if folder.is_dir() and str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

# What the template gives IntakeFunction (names only; tests point the clients at moto or fakes).
TEST_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_REGION": "eu-central-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "INQUIRIES_TABLE": "test-inquiries",
    "INQUIRY_QUEUE_URL": "https://sqs.eu-central-1.amazonaws.com/123456789012/test-inquiries",
    "CAPTCHA_SECRET_PARAM": "/contact-intake/recaptcha-secret",
    "SUBJECT_PEPPER_PARAM": "/contact-intake/subject-pepper",
    "CAPTCHA_HOSTNAMES": "shop.example,localhost",
    "ALLOWED_ORIGINS": "https://shop.example",
    "THANK_YOU_URL": "https://shop.example/thanks",
    "ACCOUNTS_TABLE": "test-accounts",
    # AccountEvents-, HelpdeskEvents- and SweeperFunction (the Eraser's ledger, the webhook's secret)
    "ERASURE_LEDGER_TABLE": "test-erasure-ledger",
    "WEBHOOK_SECRET_PARAM": "/contact-intake/helpdesk-webhook-secret",
    # ForwarderFunction (HELPDESK_* as the template sets them; the fake Freshdesk answers that domain)
    "INQUIRY_DLQ_URL": "https://sqs.eu-central-1.amazonaws.com/123456789012/test-inquiries-dlq",
    "HELPDESK_DOMAIN": "myshop",
    "HELPDESK_API_KEY_SECRET_ID": "contact-intake/helpdesk-api-key",
    "HELPDESK_RATE_LIMIT_PER_MINUTE": "80",
    "FORWARDER_MAX_CONCURRENCY": "2",
    # RightsMailFunction (the raw mail SES stored)
    "INBOUND_MAIL_BUCKET": "test-inbound-mail",
    # RecordingsFunction and RecordingUploadedFunction (recordings.settings.RecordingsStorageSettings)
    "RECORDINGS_TABLE": "test-recordings",
    "RECORDINGS_BUCKET": "test-recordings-audio",
    # who may call the DPO and recording routes (the template's DpoPrincipalArn, TelephonyPrincipalArn);
    # the roles the sample events in events/ assume
    "DPO_PRINCIPAL_ARN": "arn:aws:iam::123456789012:role/ContactIntakeDPO",
    "TELEPHONY_PRINCIPAL_ARN": "arn:aws:iam::123456789012:role/TelephonyRecordings",
    # every rights function (contact_intake.rights.settings.RightsSettings)
    "RIGHTS_REQUESTS_TABLE": "test-rights-requests",
    "RIGHTS_QUEUE_URL": "https://sqs.eu-central-1.amazonaws.com/123456789012/test-rights",
    "MAIL_FROM": "privacy@shop.example",
    "PUBLIC_API_URL": "https://api.shop.example/v1",
    # RightsWorkerFunction (messages that can never succeed go to RightsDLQ at once)
    "RIGHTS_DLQ_URL": "https://sqs.eu-central-1.amazonaws.com/123456789012/test-rights-dlq",
    "POWERTOOLS_METRICS_NAMESPACE": "ContactIntake",
    "POWERTOOLS_SERVICE_NAME": "contact-intake",
}
for key, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(key, value)

# Every boto3 session (the tests make one or more per test: moto's account, each wiring's Clients) gets a
# new botocore loader, which parses the services' JSON models and endpoint rules again: about half of an
# integration test's set-up. The data is read-only and the same for every session, so the suite shares one
# loader per data path, as one long-lived Lambda container does. Clients and sessions stay per test.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)

# moto gives every KMS key an RSA-2048 private key, symmetric ones included, where AWS has none: two per
# moto account of the template (RecordingsKey, and the aws/dynamodb key a KMS-encrypted table makes), ~50 ms
# of CPU each, a third of an integration test's set-up. A symmetric key's private key is never used (KMS
# signs and verifies only with asymmetric keys), so those share one; asymmetric keys still get their own.
_moto_private_key = moto.kms.utils.generate_private_key


@functools.cache
def _unused_private_key(key_spec: str) -> Any:
    return _moto_private_key(key_spec)


def _private_key(key_spec: str) -> Any:
    asymmetric = key_spec.startswith(("RSA_", "ECC_", "SM2"))
    return _moto_private_key(key_spec) if asymmetric else _unused_private_key(key_spec)


moto.kms.models.generate_private_key = _private_key  # type: ignore[attr-defined]  # moto's Key uses this name

pytest_plugins = ["tests.logcapture", "pytester"]
