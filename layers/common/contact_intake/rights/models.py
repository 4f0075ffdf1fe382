"""A rights request (GDPR Art. 15-22) as stored in RightsRequestsTable (docs/architecture.md §3), and its
vocabulary.

The record holds the contact address (needed to answer, erased with the request) and the texts the DPO
writes (reasons, grounds, corrections). The audit trail never does: its entries are who, what, when and
counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final


class RightType(StrEnum):
    """The right asked for (docs/architecture.md §3, a contract). ``unclassified``: the text did not say;
    the DPO decides."""

    ACCESS = "access"
    PORTABILITY = "portability"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    UNCLASSIFIED = "unclassified"


class RequestStatus(StrEnum):
    """The lifecycle (docs/architecture.md §3, a contract): awaiting_verification -> verified ->
    in_progress -> completed; any open status -> rejected; awaiting_verification -> expired when the
    link's life runs out unconfirmed (no mail, no refusal). Nothing leaves completed, rejected or expired."""

    AWAITING_VERIFICATION = "awaiting_verification"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    EXPIRED = "expired"


OPEN_STATUSES: Final = (
    RequestStatus.AWAITING_VERIFICATION,
    RequestStatus.VERIFIED,
    RequestStatus.IN_PROGRESS,
)
FINAL_STATUSES: Final = (RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.EXPIRED)


class Channel(StrEnum):
    EMAIL = "email"  # a mail to the privacy address (RightsMailFunction)
    DPO = "dpo"  # entered by the DPO (letter, phone, in person) through the DPO API or CLI


class QueueAction(StrEnum):
    """What a RightsQueue message asks the worker to do. The plain claim check ``{"request_id": ...}``
    (no action) means: carry out the request as its type says."""

    EXECUTE = "execute"
    LIFT_RESTRICTION = "lift_restriction"  # the DPO lifted a restriction: clear ``restricted`` flags
    ERASE = "erase"  # an objection was upheld: erase the subject's data


class AuditAction(StrEnum):
    """The actions this package records. The worker adds its own (any short snake_case string)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"  # the acknowledgement with the verification link was sent
    # no acknowledgement: the address has a live link or had its daily cap (counts: live_link|daily_cap)
    ACKNOWLEDGEMENT_SUPPRESSED = "acknowledgement_suppressed"
    TOKEN_REISSUED = "token_reissued"  # noqa: S105 - a retried receive sent a fresh link (the first was never sent)
    VERIFIED = "verified"  # by mailbox control: the person posted the confirmation form (counts: see RIGHTS)
    TOKEN_RESENT = "token_resent"  # noqa: S105 - the DPO sent a fresh link; the old one no longer works
    EXPIRED = "expired"  # the link's life ran out unconfirmed: terminal, nothing was mailed
    VERIFIED_BY_DPO = "verified_by_dpo"  # the DPO checked the identity
    VERIFICATION_UNDONE = "verification_undone"  # verified, but the queue refused it: the link works again
    AMENDED = "amended"
    AMENDMENT_UNDONE = "amendment_undone"  # the amended request could not be queued: as it was before
    EXTENDED = "extended"
    REJECTED = "rejected"
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_NOT_UPHELD = "objection_not_upheld"
    DECISION_UNDONE = "decision_undone"  # the decision's follow-up could not be queued: undecided again
    RESTRICTION_LIFTED = "restriction_lifted"
    LIFT_UNDONE = "lift_undone"
    NOTIFIED = "notified"  # a mail went to the person (counts: the template's number, see outbound)
    STARTED = "started"
    COMPLETED = "completed"


SYSTEM_ACTOR: Final = "system"
DPO_ACTOR_PREFIX: Final = "dpo:"


def dpo_actor(principal_arn: str) -> str:
    """The audit actor for a DPO: their IAM principal (accountability: who decided)."""
    return f"{DPO_ACTOR_PREFIX}{principal_arn}"


# The rights a person can confirm on the verification page (``unclassified`` is not one of them).
RIGHTS: Final = tuple(right for right in RightType if right is not RightType.UNCLASSIFIED)


def right_choice_counts(read: RightType, chosen: RightType) -> dict[str, int]:
    """The "verified" audit entry's counts: whether the person changed the right read from the mail, and
    from and to which (right names as count keys, e.g. ``{"right_changed": 1, "from_erasure": 1,
    "to_access": 1}``): enumerated names only, never anything the person wrote."""
    if read is chosen:
        return {"right_changed": 0}
    return {"right_changed": 1, f"from_{read}": 1, f"to_{chosen}": 1}


# What a rectification may correct in the inquiries (the fields a person gave us).
CORRECTABLE_FIELDS: Final = frozenset({"name", "email", "customer_number"})


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit trail: when, who (``system`` or ``dpo:<principal>``), what, and
    counts. No personal data: no address, no reason text, no name."""

    at: datetime
    actor: str
    action: str
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass
class RightsRequest:
    """One row of RightsRequestsTable. Attribute names marked ★ in docs/architecture.md §3 are a contract."""

    request_id: str
    type: RightType
    subject_key: str  # HMAC of the normalised address (contact_intake.core.subject)
    channel: Channel
    status: RequestStatus
    received_at: datetime  # the deadline counts from here
    due_at: datetime  # received_at + 1 calendar month
    locale: str  # nl, de, en or fr: the language of every mail and page about this request
    email: str  # where answers go (verified by the link, or by the DPO); erased with the request
    expires_at: int  # epoch seconds: the record's own retention (TTL)
    extended_due_at: datetime | None = None
    extension_reason: str | None = None
    token_hash: str | None = None  # SHA-256 hex of the verification token; the token itself is never kept
    token_expires_at: datetime | None = None
    token_used_at: datetime | None = None
    acknowledged_at: datetime | None = None
    verified_at: datetime | None = None
    raw_mail_key: str | None = None  # S3 key of the raw message (e-mail channel)
    corrections: dict[str, str] = field(default_factory=dict)  # rectification: field -> corrected value
    rejection_reasons: list[str] = field(default_factory=list)
    objection_upheld: bool | None = None
    objection_grounds: str | None = None
    restriction_lifted_at: datetime | None = None
    completed_at: datetime | None = None
    audit: list[AuditEntry] = field(default_factory=list)

    @property
    def effective_due_at(self) -> datetime:
        """The deadline that applies: the extended one when the request was extended."""
        return self.extended_due_at or self.due_at

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def executable(self) -> bool:
        """Whether the worker can carry it out without the DPO: its right is known, and a rectification
        says what to correct."""
        if self.type is RightType.UNCLASSIFIED:
            return False
        return self.type is not RightType.RECTIFICATION or bool(self.corrections)
