"""The one erasure routine. Everything that deletes an inquiry goes through ``Eraser.erase_inquiry``: the
helpdesk's resolution webhook, the sweeper (12 months), account closure, and the rights requests.

Per inquiry, in this order:
1. read the item from the base table (consistent; expired items included: their tickets must go too);
2. delete its helpdesk ticket(s) (Art. 19): a 404 counts as gone; any other helpdesk error propagates,
   the item stays, and the caller retries: nothing is reported done before the ticket is gone;
3. append to the erasure ledger (hashes, ids, time, reason; no personal data), before the delete, so a
   crash between the two can never leave an erased item without its ledger entry;
4. delete the item.
Every step is idempotent, so the whole is safe to repeat: an id that is already gone is "already_absent".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from contact_intake.core.observability import MetricUnit, count_by, logger, metrics
from contact_intake.helpdesk.port import Helpdesk
from contact_intake.retention.ledger import ErasureEntry, ErasureLedger

if TYPE_CHECKING:
    from contact_intake.intake.models import InquiryRecord
    from contact_intake.intake.store import InquiryStore


class ErasureReason(StrEnum):
    RETENTION_EXPIRED = "retention_expired"  # 12 months passed (the sweeper)
    RESOLVED = "resolved"  # a prospect's question was handled (the helpdesk webhook)
    ACCOUNT_CLOSED = "account_closed"  # a customer's account ended (AccountClosed)
    RIGHTS_REQUEST = "rights_request"  # Art. 17
    OBJECTION_UPHELD = "objection_upheld"  # Art. 21, decided by the DPO


class ErasureOutcome(StrEnum):
    ERASED = "erased"
    ALREADY_ABSENT = "already_absent"
    HELD = "held"  # restricted (Art. 18): the retention deadline does not erase it (D68)


@dataclass(frozen=True)
class ErasureSummary:
    """What a multi-inquiry erasure did, in counts."""

    erased: int = 0
    already_absent: int = 0

    def plus(self, outcome: ErasureOutcome) -> ErasureSummary:
        if outcome is ErasureOutcome.ERASED:
            return ErasureSummary(self.erased + 1, self.already_absent)
        return ErasureSummary(self.erased, self.already_absent + 1)


class Eraser:
    def __init__(
        self,
        *,
        store: InquiryStore,
        ledger: ErasureLedger,
        helpdesk: Helpdesk,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._ledger = ledger
        self._helpdesk = helpdesk
        self._clock = clock

    def erase_inquiry(
        self, inquiry_id: str, reason: ErasureReason, *, unless_restricted: bool = False
    ) -> ErasureOutcome:
        """Erase one inquiry everywhere it is kept. ALREADY_ABSENT when there is nothing (left) to erase;
        with ``unless_restricted`` (the sweeper's retention deadline), HELD when it is restricted.

        Raises HelpdeskError (the ticket could not be deleted: the item is kept for a retry) or
        ServiceUnavailable (storage); a retry after either completes the erasure.
        """
        record = self._store.read_any(inquiry_id)
        if record is None:
            logger.info("erasure: already absent", extra={"inquiry_id": inquiry_id, "reason": str(reason)})
            return ErasureOutcome.ALREADY_ABSENT
        if unless_restricted and record.restricted:
            # a restriction removes expires_at (D68); this catches one set after the sweeper's index read
            logger.info("erasure: held by a restriction", extra={"inquiry_id": inquiry_id})
            return ErasureOutcome.HELD
        tickets = self._delete_tickets(record)
        self._ledger.record(
            ErasureEntry(
                subject_key=record.subject_key,
                inquiry_id=record.inquiry_id,
                erased_at=self._clock(),
                reason=str(reason),
                helpdesk_ticket_ids=tickets,
            )
        )
        self._store.delete(inquiry_id)
        _count_erased(reason)
        logger.info(
            "inquiry erased",
            extra={"inquiry_id": inquiry_id, "reason": str(reason), "tickets_deleted": len(tickets)},
        )
        return ErasureOutcome.ERASED

    def erase_subject(self, subject_key: str, reason: ErasureReason) -> ErasureSummary:
        """Erase every inquiry of a subject (GSI ``by_subject``), each through ``erase_inquiry``."""
        return self._erase_all(list(self._store.keys_by_subject(subject_key)), reason)

    def erase_customer(self, customer_number: str, reason: ErasureReason) -> ErasureSummary:
        """Erase every inquiry of a verified customer (GSI ``by_customer``), each by ``erase_inquiry``."""
        return self._erase_all(list(self._store.keys_by_customer(customer_number)), reason)

    def reapply(self, entries: Iterable[ErasureEntry]) -> ErasureSummary:
        """Erase again what the ledger says was erased: after a point-in-time restore brought items back."""
        summary = ErasureSummary()
        for entry in entries:
            summary = summary.plus(self.erase_inquiry(entry.inquiry_id, ErasureReason(entry.reason)))
        return summary

    def _erase_all(self, inquiry_ids: list[str], reason: ErasureReason) -> ErasureSummary:
        # ids are collected first: the erasures shrink the index being paged through
        summary = ErasureSummary()
        for inquiry_id in inquiry_ids:
            summary = summary.plus(self.erase_inquiry(inquiry_id, reason))
        return summary

    def _delete_tickets(self, record: InquiryRecord) -> tuple[int, ...]:
        """Delete the inquiry's ticket; return the ids deleted. Without a stored ticket id a ticket may
        still exist when the forwarder sent a create whose answer was lost (``forward_attempted_at`` set):
        then it is looked up by the inquiry id, as the forwarder does, and deleted too."""
        if record.helpdesk_ticket_id is not None:
            ids: tuple[int, ...] = (record.helpdesk_ticket_id,)
        elif record.forward_attempted_at is not None:
            found = self._helpdesk.find_inquiry_tickets(record.email, record.inquiry_id)
            ids = tuple(t.id for t in found)
        else:
            ids = ()
        for ticket_id in ids:
            self._helpdesk.delete_ticket(ticket_id)
        return ids


def _count_erased(reason: ErasureReason) -> None:
    metrics.add_metric(name="InquiriesErased", unit=MetricUnit.Count, value=1)
    count_by("InquiriesErasedByReason", "reason", str(reason))
