"""A mail to the privacy address becomes a rights request (docs/architecture.md §7, the e-mail channel).

SES has stored the raw message in InboundMailBucket and sends its verdicts. For each mail:

1. spam or virus verdict FAIL, or a DMARC failure whose domain says ``reject`` (a forged sender): no
   reply, nothing kept: the raw message is deleted at once and only a metric and the SES message id
   remain. (Nothing that is not linked to a request is kept, because only a request's key lets an
   erasure find a raw mail again.)
2. the raw message is read and parsed; an auto-reply, bounce or list mail (RFC 3834), or a mail with no
   usable From address, is not answered either (a reply could start a mail loop, or has nowhere to go),
   and is deleted the same way;
3. everything else becomes a request: the right asked for, or ``unclassified`` for the DPO, the language,
   the receipt time (the deadline counts from it) and the raw mail's key. The rights service stores it
   and sends the neutral acknowledgement with the verification link to the From address, which is all
   that address is good for: it proves nothing until the link is followed.

A mail past one of the parser's limits (contact_intake.rights.inbound.limits, D55) is "too complex to
read": it is never classified, becomes an ``unclassified`` request whose "received" audit entry carries
``too_complex: 1`` and ``too_complex_<limit>: 1`` (what the DPO sees), and is acknowledged like any other.

Logs and metrics carry the SES message id, the verdicts, the classified right, scores, sizes and counts;
never an address, a subject or a word of the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.rights.inbound.classify import Classification, classify_mail
from contact_intake.rights.inbound.parse import InboundMail, parse_mail
from contact_intake.rights.models import Channel, RightType
from contact_intake.rights.raw_mail import RawMailStore

Outcome = Literal["received", "spam", "virus", "forged", "automatic", "no_sender"]
_NOT_ANSWERED_METRICS: dict[str, str] = {
    "spam": "RightsMailSpam",
    "virus": "RightsMailVirus",
    "forged": "RightsMailForged",
    "automatic": "RightsMailAutomatic",
    "no_sender": "RightsMailNoSender",
}


class Verdict(Protocol):
    @property
    def failed(self) -> bool: ...


class Receipt(Protocol):
    """SES's checks of one mail, as the intake reads them (api/ses_event.py parses the event into this)."""

    @property
    def virus(self) -> Verdict: ...
    @property
    def spam(self) -> Verdict: ...
    @property
    def dmarc(self) -> Verdict: ...
    @property
    def dmarc_policy(self) -> str | None: ...
    def verdicts(self) -> dict[str, str]: ...


class ReceivedMail(Protocol):
    @property
    def message_id(self) -> str: ...
    @property
    def timestamp(self) -> datetime: ...


class MailNotice(Protocol):
    """One received mail: its id, receipt time and SES's verdicts. The domain knows no event shape: the
    notification parsed from SES's receipt event (api/ses_event.py, SesNotification) has this form."""

    @property
    def mail(self) -> ReceivedMail: ...
    @property
    def receipt(self) -> Receipt: ...


class ReceivedRequest(Protocol):
    @property
    def request_id(self) -> str: ...


class RightsReceiver(Protocol):
    """The rights service's intake of a new request (contact_intake.rights.service.RightsService)."""

    def receive(
        self,
        *,
        channel: Channel,
        email: str,
        right: RightType,
        locale: str,
        received_at: datetime,
        raw_mail_key: str | None = None,
        counts: Mapping[str, int] | None = None,
    ) -> ReceivedRequest: ...


@dataclass(frozen=True)
class MailOutcome:
    """What became of one mail (ids and names only: safe to log and to return)."""

    message_id: str
    outcome: Outcome
    right: RightType | None = None
    request_id: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "message_id": self.message_id,
            "outcome": self.outcome,
            "right": None if self.right is None else str(self.right),
            "request_id": self.request_id,
        }


def rejection(notification: MailNotice) -> Outcome | None:
    """Why SES's verdicts forbid a reply, or None. Virus before spam; a DMARC failure counts only when the
    sender's domain asks receivers to reject such mail (with ``none`` or ``quarantine`` the verification
    link still protects the data, and a request must not be lost to a badly configured domain)."""
    receipt = notification.receipt
    if receipt.virus.failed:
        return "virus"
    if receipt.spam.failed:
        return "spam"
    if receipt.dmarc.failed and receipt.dmarc_policy == "reject":
        return "forged"
    return None


class RightsMailIntake:
    """Turns SES notifications into rights requests. Raises (so Lambda retries, then dead-letters) when S3
    or the rights service fails; a retry is safe because the raw mail stays until a request keeps it."""

    def __init__(self, raw_mail: RawMailStore, rights: RightsReceiver) -> None:
        self._raw_mail = raw_mail
        self._rights = rights

    def receive(self, notification: MailNotice) -> MailOutcome:
        message_id = notification.mail.message_id
        key = self._raw_mail.key_for(message_id)
        log: dict[str, object] = {"message_id": message_id, "verdicts": notification.receipt.verdicts()}
        rejected = rejection(notification)
        if rejected is not None:
            return self._discard(key, MailOutcome(message_id, rejected), log)
        raw = self._raw_mail.read(key)
        mail = parse_mail(raw)
        log |= _mail_facts(mail, len(raw))
        if mail.automatic:
            return self._discard(key, MailOutcome(message_id, "automatic"), log)
        if mail.sender is None:
            return self._discard(key, MailOutcome(message_id, "no_sender"), log)
        counts = {"raw_mail_bytes": len(raw), "attachments": mail.attachments}
        classification = classify_mail(mail)  # unclassified when only a fragment could be read
        if mail.too_complex is not None:
            counts |= {"too_complex": 1, f"too_complex_{mail.too_complex}": 1}
            log["too_complex"] = mail.too_complex
            metrics.add_metric(name="RightsMailTooComplex", unit=MetricUnit.Count, value=1)
        request = self._rights.receive(
            channel=Channel.EMAIL,
            email=mail.sender,
            right=classification.right,
            locale=mail.language,
            received_at=notification.mail.timestamp,
            raw_mail_key=key,
            counts=counts | _rule_counts(classification),
        )
        outcome = MailOutcome(message_id, "received", classification.right, request.request_id)
        metrics.add_metric(name="RightsMailReceived", unit=MetricUnit.Count, value=1)
        if classification.right is RightType.UNCLASSIFIED:
            metrics.add_metric(name="RightsMailUnclassified", unit=MetricUnit.Count, value=1)
        logger.info("rights mail received", extra={**log, **outcome.as_dict(), **_evidence(classification)})
        return outcome

    def _discard(self, key: str, outcome: MailOutcome, log: dict[str, object]) -> MailOutcome:
        self._raw_mail.delete(key)
        metrics.add_metric(name=_NOT_ANSWERED_METRICS[outcome.outcome], unit=MetricUnit.Count, value=1)
        logger.info("rights mail not answered", extra={**log, **outcome.as_dict()})
        return outcome


def _mail_facts(mail: InboundMail, size: int) -> dict[str, object]:
    """Facts about a mail that say nothing about its sender or content."""
    return {
        "bytes": size,
        "body_kind": mail.body_kind,
        "text_chars": len(mail.text),
        "attachments": mail.attachments,
        "forwarded": mail.forwarded,
        "reply": mail.reply,
        "language": mail.language,
        "language_source": mail.language_source,
        "mime_defects": mail.defects,
        "too_complex": mail.too_complex,
    }


def _evidence(classification: Classification) -> dict[str, object]:
    return {
        "classification": classification.reason,
        "scores": classification.scores,
        "rules": classification.rules,
    }


def _rule_counts(classification: Classification) -> dict[str, int]:
    """The classifier's matched rules and guards for the "received" audit entry: ids, never text, so the
    DPO can see why a mail was read as it was (``rule:erasure.verb_data``: 1)."""
    return {f"rule:{rule}": 1 for rule in classification.rules}
