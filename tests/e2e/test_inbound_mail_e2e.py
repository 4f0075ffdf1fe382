"""The e-mail channel end to end on devstack: a mail posted to ``/_local/inbound-mail`` goes through the
template's SES receipt rule (raw mail into InboundMailBucket, then RightsMailFunction), becomes a rights
request, and the neutral acknowledgement with the verification link shows up in ``/_local/mail.json``.
A FAIL verdict gets no reply and leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.builders import PERSON, a_plain_mail
from tests.e2e.devstack_process import RunningDevstack
from tests.e2e.local_api import HTTP_TIMEOUT

pytestmark = pytest.mark.e2e


def request_mail(to_address: str, subject: str, text: str) -> bytes:
    """A plain mail from the suite's test person (the log capture looks for her data in every log line)."""
    return a_plain_mail(PERSON["email"], to_address, subject, text, sender_name=PERSON["name"])


def deliver(devstack: RunningDevstack, raw: bytes, **headers: str) -> dict[str, Any]:
    response = requests.post(
        f"{devstack.api_url}/_local/inbound-mail", data=raw, headers=headers, timeout=3 * HTTP_TIMEOUT
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def mails_to(devstack: RunningDevstack, address: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{devstack.api_url}/_local/mail.json", params={"to": address}, timeout=HTTP_TIMEOUT
    )
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


def raw_mail_exists(devstack: RunningDevstack, bucket: str, key: str) -> bool:
    try:
        devstack.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def test_a_mail_to_the_privacy_address_is_acknowledged_with_a_link(devstack: RunningDevstack) -> None:
    before = len(mails_to(devstack, PERSON["email"]))
    raw = request_mail(
        "privacy@shop.localhost",
        "Verzoek om inzage",
        f"Geachte heer/mevrouw,\n\nGraag ontvang ik een kopie van mijn persoonsgegevens.\n\n{PERSON['name']}",
    )

    answer = deliver(devstack, raw)

    assert answer["function"] == "RightsMailFunction"
    assert answer["bucket"] == devstack.resource("InboundMailBucket")
    delivery = answer["delivery"]
    assert delivery["status"] == "succeeded", delivery
    (mail,) = delivery["result"]["mails"]
    assert (mail["outcome"], mail["right"], mail["message_id"]) == (
        "received",
        "access",
        answer["message_id"],
    )
    # the request keeps the raw mail (an erasure deletes it with the request)
    assert raw_mail_exists(devstack, answer["bucket"], answer["key"])
    acknowledgements = mails_to(devstack, PERSON["email"])[before:]
    assert len(acknowledgements) == 1
    (acknowledgement,) = acknowledgements
    assert acknowledgement["from"].endswith("privacy@shop.localhost")
    assert f"{devstack.api_url}/rights-requests/verify?token=" in acknowledgement["text"]
    assert mail["request_id"] in acknowledgement["subject"] + acknowledgement["text"]


def test_a_failed_scan_gets_no_reply_and_leaves_nothing(devstack: RunningDevstack) -> None:
    address = "spam-target@example.org"
    raw = request_mail("privacy@shop.localhost", "Please delete my data", "Please delete all my data.")
    raw = raw.replace(PERSON["email"].encode(), address.encode())

    answer = deliver(devstack, raw, **{"X-Local-Verdict": "FAIL"})

    (mail,) = answer["delivery"]["result"]["mails"]
    assert (mail["outcome"], mail["request_id"]) == ("virus", None)
    assert not raw_mail_exists(devstack, answer["bucket"], answer["key"])
    assert mails_to(devstack, address) == []


def test_the_local_receipt_rule_is_the_templates(devstack: RunningDevstack) -> None:
    response = requests.get(f"{devstack.api_url}/_local/inbound-mail", timeout=HTTP_TIMEOUT)
    (rule,) = response.json()["rules"]
    assert rule["rule"] == "PrivacyMailReceiptRule"
    assert rule["s3"] == {"bucket": devstack.resource("InboundMailBucket"), "prefix": "raw/"}
    assert rule["function"] == "RightsMailFunction"
