"""The access and portability export (GDPR Art. 15 and 20): one machine-readable JSON document.

What it holds, for one verified person (their subject key, nothing of anyone else):

- ``inquiries``: every stored inquiry, each with the record exactly as stored (every attribute, the derived
  bookkeeping ones included: nothing is held back) and the Art. 15(1) facts that apply to that record: its
  purposes, its lawful basis, its recipients, how long it is kept (``expires_at``, or the account's
  lifetime) and where it came from;
- ``helpdesk``: the person's own part of the helpdesk's copy, built from an allow-list (Art. 15(4), 20(4)):
  their contact's own fields, and per ticket its id, subject, status, dates, the person's own messages (the
  ticket's description, the conversations they wrote) and the public replies addressed to them. Private
  notes, cc/bcc/forward addresses, other participants' messages and replies to others are left out and
  listed for the DPO's review instead (``withheld_for_review``: counts and conversation ids, into the
  request's audit trail, never into the document);
- ``call_recordings``: what the recordings ledger holds about the person (contact_intake.rights.engine's
  recordings hook);
- ``processing``: the Art. 15(1) and (2) facts for all of it: purposes, categories, lawful bases,
  recipients (Freshworks as processor under the EU standard contractual clauses, Google reCAPTCHA),
  retention rules, source, the rights (rectification, erasure, restriction, objection, portability,
  withdrawal of consent, complaint to a supervisory authority), and that there is no automated
  decision-making in the sense of Art. 22.

The document is versioned (``schema`` and ``schema_version``; docs/rights-export-v2.schema.json describes
version 2, the allow-listed helpdesk part; docs/rights-export-v1.schema.json the raw one of version 1): a
reader can rely on the shape of a version, and a change to it is a new version. Keys and
the explanatory texts are English (the mail around it is in the person's language).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import getaddresses
from enum import StrEnum
from typing import Any, Final

from contact_intake.core.retention import LawfulBasis
from contact_intake.core.subject import normalise_email
from contact_intake.helpdesk.port import ContactCopy, HelpdeskCopy, TicketCopy
from contact_intake.intake.models import InquiryRecord, InquiryStatus
from contact_intake.intake.store import to_item
from contact_intake.rights.models import RightsRequest
from contact_intake.rights.outbound import Attachment
from contact_intake.rights.templates import DUTCH_AUTHORITY_URL

SCHEMA: Final = "contact-intake/rights-export"
SCHEMA_VERSION: Final = "2.0"
MEDIA_TYPE: Final = "application/json"

# ---------------------------------------------------------------- the Art. 15(1) facts

PURPOSES: Final[dict[str, str]] = {
    "answer_inquiry": "To answer your question and to communicate with you about it.",
    "link_customer_profile": (
        "To link your question to your customer profile, because you gave your customer number and it "
        "belongs to your e-mail address."
    ),
    "bot_protection": (
        "To tell people from automated programs (bots) on the contact form and so prevent spam "
        "(Google reCAPTCHA)."
    ),
    "call_recording": (
        "Call recordings, only with your consent, and only for training, quality control or the "
        "documentation of agreements."
    ),
}

LAWFUL_BASES: Final[dict[str, dict[str, str]]] = {
    "contract": {
        "article": "Art. 6(1)(b) GDPR",
        "description": "Performance of the contract with you as a registered customer.",
    },
    "legitimate_interests": {
        "article": "Art. 6(1)(f) GDPR",
        "description": (
            "Our legitimate interest in answering questions from people who have no customer account, and "
            "in keeping the contact form free of spam."
        ),
    },
    "consent": {
        "article": "Art. 6(1)(a) GDPR",
        "description": "Your consent (call recordings); you may withdraw it at any time.",
    },
}

RECIPIENTS: Final[dict[str, dict[str, str]]] = {
    "freshworks": {
        "name": "Freshworks (Freshdesk helpdesk system)",
        "role": "processor (Art. 28 GDPR)",
        "purpose": "The helpdesk system in which our customer service handles and answers your question.",
        "data": "Your name, e-mail address, the subject and text of your question, and the conversation "
        "about it.",
        "safeguards": "A data processing agreement based on the EU standard contractual clauses "
        "(Art. 46(2)(c) GDPR).",
    },
    "google_recaptcha": {
        "name": "Google Ireland Limited (reCAPTCHA)",
        "role": "provider of the reCAPTCHA check on the contact form",
        "purpose": "To tell whether the contact form was filled in by a person or by an automated program.",
        "data": "Characteristics of your visit to the contact form, such as your IP address, the time "
        "spent on the page and mouse movements.",
        "safeguards": "Lawful basis Art. 6(1)(f) GDPR: our legitimate interest in preventing spam.",
    },
}

CATEGORIES: Final = (
    "Identification and contact data: name, e-mail address.",
    "Customer number, when you gave it and it belongs to your e-mail address.",
    "Your question: subject, text and language, and the conversation with customer service about it.",
    "Technical characteristics of your use of the contact form (reCAPTCHA, processed by Google).",
    "Call recordings, only with your consent.",
)

RETENTION_RULES: Final[dict[str, str]] = {
    "until_handled_at_most_12_months": (
        "Deleted automatically as soon as your question has been fully handled, at the latest 12 months "
        "after we received it."
    ),
    "account_lifetime": (
        "You are a registered customer: kept at most for as long as your customer account exists, and "
        "deleted when the account is closed."
    ),
    "call_recordings": "Kept only as long as needed for the purpose you consented to; deleted when you "
    "withdraw your consent.",
}

SOURCES: Final[dict[str, str]] = {
    "data_subject_web_form": "You: you gave us this data through the contact form on our website.",
    "data_subject_phone": "You: you gave us this data on the phone.",
}

RIGHTS: Final = (
    ("access", "Art. 15 GDPR", "To know whether we process your data, and to receive a copy of it."),
    ("rectification", "Art. 16 GDPR", "To have inaccurate data corrected and incomplete data completed."),
    ("erasure", "Art. 17 GDPR", "To have your data erased."),
    ("restriction", "Art. 18 GDPR", "To have the processing of your data restricted: kept, but not used."),
    ("portability", "Art. 20 GDPR", "To receive the data you gave us in a machine-readable format."),
    (
        "objection",
        "Art. 21 GDPR",
        "To object, on grounds relating to your particular situation, to processing based on our "
        "legitimate interests: we stop unless we have compelling legitimate grounds or need it for legal "
        "claims.",
    ),
    ("withdraw_consent", "Art. 7(3) GDPR", "To withdraw your consent at any time (call recordings)."),
    (
        "complaint",
        "Art. 77 GDPR",
        "To lodge a complaint with a supervisory authority: in the Netherlands the Autoriteit "
        f"Persoonsgegevens ({DUTCH_AUTHORITY_URL}), or the authority where you live or work, or where "
        "the alleged infringement took place.",
    ),
)

AUTOMATED_DECISIONS: Final = {
    "exists": False,
    "explanation": (
        "No decision based solely on automated processing, including profiling, that has legal or "
        "similarly significant effects for you is made (Art. 22 GDPR). The reCAPTCHA check only decides "
        "whether the contact form accepts a submission."
    ),
}


# ---------------------------------------------------------------- the helpdesk part: an allow-list

HELPDESK_SCOPE: Final = (
    "Your helpdesk contact, and per ticket its subject, status and dates, your own messages and our "
    "replies to you. Internal notes of our staff and messages from or to other people on a ticket are not "
    "part of this copy: they concern others too. Our data protection officer reviews them and sends you "
    "what the rights of others allow."
)


class WithheldReason(StrEnum):
    """Why a conversation is not in the person's export (the audit's count names)."""

    PRIVATE_NOTE = "private_notes"
    OTHER_PARTICIPANT = "other_participants_messages"
    NOT_ADDRESSED_TO_THEM = "replies_to_others"


@dataclass(frozen=True)
class Withheld:
    """One conversation left out of the export, for the DPO's review: ids only."""

    ticket_id: int
    conversation_id: int
    reason: WithheldReason


@dataclass(frozen=True)
class HelpdeskReview:
    """What the allow-list left out of the helpdesk part: conversations by id and reason, and how many
    addresses of other people (cc, bcc, forwards, other recipients) and contact fields were dropped."""

    conversations: tuple[Withheld, ...] = ()
    other_addresses: int = 0
    contact_fields: int = 0

    def counts(self) -> dict[str, int]:
        """The audit entry's counts: one per reason, the two totals, and ``conversation_<id>`` -> ticket id
        for each withheld conversation (numbers only: no address, no text)."""
        by_reason = Counter(str(w.reason) for w in self.conversations)
        counts = {str(reason): by_reason.get(str(reason), 0) for reason in WithheldReason}
        counts |= {"other_addresses": self.other_addresses, "contact_fields": self.contact_fields}
        counts |= {f"conversation_{w.conversation_id}": w.ticket_id for w in self.conversations}
        return counts

    @property
    def empty(self) -> bool:
        return not (self.conversations or self.other_addresses or self.contact_fields)


def _addresses(values: Iterable[Any]) -> list[str]:
    """The addresses of a helpdesk address list (``a@x`` or ``"Name" <a@x>``), normalised."""
    texts = [str(v) for v in values if isinstance(v, str)]
    return [normalise_email(address) for _, address in getaddresses(texts) if address]


def _own_contact(contact: ContactCopy | None) -> tuple[dict[str, Any] | None, int]:
    if contact is None:
        return None, 0
    return dict(contact.fields), contact.other_fields


def _own_ticket(ticket: TicketCopy, person: str) -> tuple[dict[str, Any], list[Withheld], int]:
    """The ticket's allow-listed part for ``person`` (a normalised address), what was withheld, and how
    many other people's addresses were dropped."""
    others = sum(1 for address in _addresses(ticket.copied_addresses) if address != person)
    messages: list[dict[str, Any]] = []
    description = ticket.description.strip()
    if description:
        messages.append(
            {"id": None, "kind": "your_question", "created_at": ticket.created_at, "text": description}
        )
    withheld: list[Withheld] = []
    for message in ticket.messages:
        recipients = _addresses(message.to)
        author = _addresses([message.author] if message.author else [])
        by_them = message.incoming and (message.from_requester or author == [person])
        if message.private:  # a note, or a message the helpdesk did not say was public
            withheld.append(Withheld(ticket.id, message.id, WithheldReason.PRIVATE_NOTE))
            continue
        if message.incoming and not by_them:
            withheld.append(Withheld(ticket.id, message.id, WithheldReason.OTHER_PARTICIPANT))
            continue
        if not by_them and person not in recipients:
            withheld.append(Withheld(ticket.id, message.id, WithheldReason.NOT_ADDRESSED_TO_THEM))
            continue
        # other people's addresses on it (the support mailbox a person writes to is none of them)
        listed = (message.cc, message.bcc) if by_them else (message.to, message.cc, message.bcc)
        others += sum(
            1 for addresses in listed for address in _addresses(addresses) if address != person
        )  # fmt: skip
        messages.append(
            {
                "id": message.id,
                "kind": "your_message" if by_them else "reply_to_you",
                "created_at": message.created_at,
                "text": message.text,
            }
        )
    document = {
        "id": ticket.id,
        "subject": ticket.subject,
        "status": ticket.status,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "messages": messages,
    }
    return document, withheld, others


def helpdesk_part(copy: HelpdeskCopy, email: str) -> tuple[dict[str, Any], HelpdeskReview]:
    """The export's ``helpdesk`` section for the person at ``email`` (allow-listed), and what it left out
    for the DPO's review. Pure."""
    person = normalise_email(email)
    contact, contact_fields = _own_contact(copy.contact)
    tickets, withheld, others = [], [], 0
    for ticket in copy.tickets:
        document, left_out, dropped = _own_ticket(ticket, person)
        tickets.append(document)
        withheld += left_out
        others += dropped
    section = {"recipient": "freshworks", "scope": HELPDESK_SCOPE, "contact": contact, "tickets": tickets}
    return section, HelpdeskReview(tuple(withheld), others, contact_fields)


@dataclass(frozen=True)
class ExportContents:
    inquiries: Sequence[InquiryRecord] = ()
    helpdesk: HelpdeskCopy = field(default_factory=HelpdeskCopy)
    recordings: Sequence[Mapping[str, Any]] = ()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def plain(value: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value (``{"S": ...}``, ``{"N": ...}``, ...) as plain JSON."""
    ((kind, inner),) = value.items()
    if kind == "N":
        number = float(inner)
        return int(number) if number.is_integer() else number
    if kind == "M":
        return {name: plain(item) for name, item in inner.items()}
    if kind in {"L", "NS", "SS"}:
        items = [plain(item if kind == "L" else {kind[0]: item}) for item in inner]
        return items if kind == "L" else sorted(items)
    return None if kind == "NULL" else inner  # S, BOOL (B never occurs in our tables)


def stored_record(record: InquiryRecord) -> dict[str, Any]:
    """Every attribute of the stored item, as plain JSON, in a stable order."""
    attributes: dict[str, Any] = {**record.extra, **to_item(record)}
    return {name: plain(attributes[name]) for name in sorted(attributes)}


def record_facts(record: InquiryRecord) -> dict[str, Any]:
    """The Art. 15(1) facts of one inquiry: purposes, lawful basis, recipients, retention, source."""
    customer = record.lawful_basis is LawfulBasis.CONTRACT
    purposes = ["answer_inquiry", "bot_protection"]
    if customer and record.customer_number:
        purposes.insert(1, "link_customer_profile")
    recipients = ["google_recaptcha"]
    if record.helpdesk_ticket_id is not None or record.status is not InquiryStatus.RECEIVED:
        recipients.insert(0, "freshworks")
    retention: dict[str, Any]
    if record.expires_at is None:
        retention = {"rule": "account_lifetime", "erased_at_the_latest": None}
    else:
        retention = {
            "rule": "until_handled_at_most_12_months",
            "erased_at_the_latest": _iso(datetime.fromtimestamp(record.expires_at, UTC)),
        }
    basis = str(record.lawful_basis)
    return {
        "purposes": purposes,
        "lawful_basis": {"code": basis, **LAWFUL_BASES[basis]},
        "recipients": recipients,
        "retention": {**retention, "description": RETENTION_RULES[retention["rule"]]},
        "source": "data_subject_web_form",
        "restricted": record.restricted,
    }


def processing_facts() -> dict[str, Any]:
    """The Art. 15(1)-(2) facts that hold for all of the person's data."""
    return {
        "purposes": dict(PURPOSES),
        "categories_of_personal_data": list(CATEGORIES),
        "lawful_bases": {code: dict(basis) for code, basis in LAWFUL_BASES.items()},
        "recipients": {code: dict(recipient) for code, recipient in RECIPIENTS.items()},
        "shared_with_unauthorised_third_parties": False,
        "third_country_transfers": [
            {
                "recipient": "freshworks",
                "safeguards": RECIPIENTS["freshworks"]["safeguards"],
            }
        ],
        "retention": dict(RETENTION_RULES),
        "sources": dict(SOURCES),
        "provision_required": (
            "Giving us this data is not a legal or contractual requirement; without it we may not be able "
            "to handle your question."
        ),
        "automated_decision_making": dict(AUTOMATED_DECISIONS),
        "rights": [
            {"right": right, "legal_provision": article, "description": text}
            for right, article, text in RIGHTS
        ],
    }


def build_export(
    request: RightsRequest, contents: ExportContents, *, generated_at: datetime
) -> dict[str, Any]:
    """The export document for ``request`` (access or portability). Pure: everything comes in."""
    inquiries = sorted(contents.inquiries, key=lambda r: (r.received_at, r.inquiry_id))
    helpdesk, _ = helpdesk_part(contents.helpdesk, request.email)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(generated_at),
        "request": {
            "reference": request.request_id,
            "right": str(request.type),
            "received_at": _iso(request.received_at),
        },
        "data_subject": {"email": request.email},
        "summary": {
            "inquiries": len(inquiries),
            "helpdesk_tickets": len(helpdesk["tickets"]),
            "helpdesk_messages": sum(len(t["messages"]) for t in helpdesk["tickets"]),
            "call_recordings": len(contents.recordings),
        },
        "inquiries": [{"record": stored_record(r), "processing": record_facts(r)} for r in inquiries],
        "helpdesk": helpdesk,
        "call_recordings": [dict(recording) for recording in contents.recordings],
        "processing": processing_facts(),
    }


def export_attachment(request: RightsRequest, document: Mapping[str, Any]) -> Attachment:
    """The document as the mail's attachment: UTF-8 JSON, named after the request's reference."""
    content = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n"
    return (f"personal-data-{request.request_id}.json", content.encode("utf-8"), MEDIA_TYPE)
