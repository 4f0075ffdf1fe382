"""RightsMailFunction on moto: the template's InboundMailBucket holds the raw mail under raw/<SES message
id> (as the receipt rule's S3 action puts it), the handler gets SES's event, and the rights service (a
fake of its ``receive``) is asked for the request. FAIL verdicts: no request, no reply, the raw mail gone.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from contact_intake.rights.inbound.limits import MAX_DECODED_CHARS, MAX_LINE_BREAKS, MAX_PARTS
from contact_intake.rights.mail_wiring import RightsMailWiring
from contact_intake.rights.models import Channel, RightType
from contact_intake.rights.raw_mail import RawMailMissing
from tests import hostile_mail as hostile
from tests.integration.conftest import Aws, wire_handler
from tests.integration.rights_support import MESSAGE_ID, RIGHTS_MAIL, InboundMail, real_inbound
from tests.rights_mail_fakes import FakeRights, corpus_mail, corpus_manifest

__all__ = ["real_inbound"]  # a fixture (tests/integration/rights_support.py)


@pytest.fixture
def inbound(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> InboundMail:
    """The handler with the fake rights service (tests/rights_mail_fakes.py) as its receiver."""
    wiring = wire_handler(aws, monkeypatch, RIGHTS_MAIL, counted=())
    rights = FakeRights()
    wiring.receiver = rights
    return InboundMail(aws, importlib.import_module(str(RIGHTS_MAIL.module)), rights)


def test_a_stored_mail_becomes_a_request(inbound: InboundMail) -> None:
    key = inbound.store(corpus_mail("de_erasure_windows-1252_qp.eml"))

    answer = inbound.deliver()

    assert [call["right"] for call in inbound.rights.calls] == [RightType.ERASURE]
    call = inbound.rights.calls[0]
    assert (call["channel"], call["email"], call["locale"], call["raw_mail_key"]) == (
        Channel.EMAIL,
        "k.schroeder@example.com",
        "de",
        key,
    )
    (mail,) = answer["mails"]
    assert mail["outcome"] == "received"
    assert mail["right"] == "erasure"
    assert inbound.exists(key)


@pytest.mark.parametrize("name", ["fr_portability_forward.eml", "nl_rectification_html_only.eml"])
def test_corpus_mails_arrive_through_the_bucket(inbound: InboundMail, name: str) -> None:
    inbound.store(corpus_mail(name))
    inbound.deliver()
    assert [call["right"] for call in inbound.rights.calls] == [corpus_manifest()[name]["right"]]


@pytest.mark.parametrize("verdict", ["spamVerdict", "virusVerdict"])
def test_a_failed_scan_gets_no_request_and_the_raw_mail_is_deleted(
    inbound: InboundMail, verdict: str
) -> None:
    key = inbound.store(corpus_mail("en_access_plain.eml"))

    answer = inbound.deliver(**{verdict: {"status": "FAIL"}})

    assert inbound.rights.calls == []
    assert answer["mails"][0]["outcome"] in {"spam", "virus"}
    assert not inbound.exists(key)


def test_an_auto_reply_is_not_answered(inbound: InboundMail) -> None:
    key = inbound.store(corpus_mail("en_out_of_office.eml"))
    assert inbound.deliver()["mails"][0]["outcome"] == "automatic"
    assert inbound.rights.calls == []
    assert not inbound.exists(key)


def test_a_missing_raw_mail_fails_the_invocation(inbound: InboundMail) -> None:
    # Lambda retries the asynchronous invocation, then dead-letters the event (RightsMailDLQ)
    with pytest.raises(RawMailMissing):
        inbound.deliver()
    assert inbound.rights.calls == []


def test_the_function_reads_only_its_prefix(inbound: InboundMail) -> None:
    inbound.s3.put_object(Bucket=inbound.bucket, Key=f"other/{MESSAGE_ID}", Body=b"Subject: x\r\n\r\ndelete")
    with pytest.raises(RawMailMissing):
        inbound.deliver()


# ---------------------------------------------------------------- with the real rights service


def _sent_mails() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"].sent_messages)


def test_a_mail_becomes_a_stored_request_and_an_acknowledgement(
    real_inbound: tuple[InboundMail, RightsMailWiring],
) -> None:
    inbound, wiring = real_inbound
    key = inbound.store(corpus_mail("fr_objection_alternative_base64.eml"))

    (mail,) = inbound.deliver()["mails"]
    # SES retries the Lambda action's asynchronous invocation: the same mail makes no second request
    (again,) = inbound.deliver()["mails"]

    request = wiring.requests.get(mail["request_id"])
    assert request is not None
    assert again["request_id"] == request.request_id
    assert (request.type, request.channel, request.status) == (
        RightType.OBJECTION,
        Channel.EMAIL,
        "awaiting_verification",
    )
    assert (request.email, request.locale) == ("julien.bernard@example.net", "fr")
    assert request.acknowledged_at is not None
    (acknowledgement,) = [m for m in _sent_mails() if "julien.bernard@example.net" in m.destinations]
    assert "/rights-requests/verify?token=" in acknowledgement.raw_data
    assert inbound.exists(key)


def test_the_request_keeps_its_raw_mails_key_for_erasure(
    real_inbound: tuple[InboundMail, RightsMailWiring],
) -> None:
    inbound, wiring = real_inbound
    key = inbound.store(corpus_mail("en_access_plain.eml"))
    (mail,) = inbound.deliver()["mails"]
    request = wiring.requests.get(mail["request_id"])
    assert request is not None
    assert request.raw_mail_key == key


# ---------------------------------------------------------------- hostile mail (D55)

HOSTILE = {
    "containers": lambda: hostile.nested_multiparts(1_000),
    "parts": lambda: hostile.parts_without_headers(MAX_PARTS + 1),
    "lines": lambda: hostile.tiny_parts(MAX_LINE_BREAKS // 8 + 1),
    "header": lambda: hostile.nested_comment_from(5_000),
    "text": lambda: hostile.html_parts(2, MAX_DECODED_CHARS // 2 + 1),
}


@pytest.mark.parametrize("limit", list(HOSTILE))
def test_a_hostile_mail_becomes_a_request_marked_for_the_dpo_and_is_acknowledged(
    real_inbound: tuple[InboundMail, RightsMailWiring], limit: str
) -> None:
    inbound, wiring = real_inbound
    key = inbound.store(HOSTILE[limit]())

    (mail,) = inbound.deliver()["mails"]  # the handler returns: no RecursionError, no retry

    assert (mail["outcome"], mail["right"]) == ("received", "unclassified")
    request = wiring.requests.get(mail["request_id"])
    assert request is not None
    assert (request.type, request.status, request.raw_mail_key) == (
        RightType.UNCLASSIFIED,
        "awaiting_verification",
        key,
    )
    (received,) = [entry for entry in request.audit if entry.action == "received"]
    assert received.counts["too_complex"] == 1
    assert received.counts[f"too_complex_{limit}"] == 1
    (acknowledgement,) = [m for m in _sent_mails() if "ann@example.org" in m.destinations]
    assert "/rights-requests/verify?token=" in acknowledgement.raw_data
