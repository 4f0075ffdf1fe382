"""The sweeper, run on a schedule: keeps the deletion promise on time and nothing stuck.

(a) Expiry. DynamoDB's TTL deletes an item days after its ``expires_at`` and never touches the helpdesk,
    but the statement promises "at the latest after 12 months". So every inquiry whose ``expires_at`` has
    passed is erased here, through the Eraser (ticket, ledger, item), found through the sparse GSI
    ``by_expiry_day`` (``expiry_day`` = the UTC day of ``expires_at``, range key ``expires_at``): one
    Query per day from ``lookback_days`` ago up to today, each reading only the keys that are due.
(b) Re-enqueue. The intake's SendMessage can fail after its write. Inquiries still ``received`` more than
    ``stuck_after`` after they came in are found through the sparse GSI ``by_pending`` (``pending_day`` =
    the UTC day of ``received_at``, present only while ``status=received``) and queued again; each is then
    taken out of the index, so the sweeper re-enqueues an inquiry at most once and the queue's retries
    and DLQ (with its alarm) own it from there.

(c) Closed accounts (docs/decisions.md D63). AccountClosed erases the customer's inquiries through the
    ``by_customer`` index, which lags writes: an inquiry written just before the tombstone can be missing
    from it. So every run looks again at the accounts closed in the last ``closure_lookback_days`` (the
    mirror's sparse index ``by_closed_day``) and erases whatever ``by_customer`` shows for each, after a
    consistent read confirms the account is still closed (a newer AccountOpened may have reopened it).

None of the parts scans a table: the cost of a run is the due items plus a fixed 2 x (lookback_days + 1)
+ (closure_lookback_days + 1) Queries, however large the table grows (docs/operations.md "Retention and
deletion"); the scheduled handler adds one more, for the rights requests awaiting verification.

A run stops starting new work when the invocation is nearly out of time, or when the helpdesk says 429
(the rest waits for the next run). Failed erasures are counted and the run ends in SweepIncomplete so the
function's error alarm fires; everything left over is found again by the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from contact_intake.core.errors import ServiceUnavailable
from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.helpdesk.port import HelpdeskError, HelpdeskRateLimited
from contact_intake.intake.accounts import AccountStatus
from contact_intake.intake.queue import EnqueueFailed
from contact_intake.intake.store import utc_day
from contact_intake.retention.erasure import Eraser, ErasureOutcome, ErasureReason

if TYPE_CHECKING:
    from contact_intake.intake.accounts import AccountStore
    from contact_intake.intake.queue import InquiryQueue
    from contact_intake.intake.store import InquiryStore

# A sweeper outage of up to this many days is caught up on. Further back there is nothing to find: TTL
# has deleted those items by then (typically within two days of expires_at).
DEFAULT_LOOKBACK_DAYS = 30
# Closures are looked at again this many days back: the index lag it repairs is seconds; the days cover a
# sweeper outage. (A tombstone lives 90 days.)
DEFAULT_CLOSURE_LOOKBACK_DAYS = 3
# stop starting new work with less than this left: one erasure may wait out the helpdesk's 10 s timeout
SAFETY_MARGIN_MS = 20_000


class SweepIncomplete(Exception):
    """Some due erasures failed this run; they are retried by the next. Counts only, no ids."""


class _PassEnds(Exception):
    """The time is nearly up or the helpdesk said 429: the pass stops (the report says deferred) and the
    rest waits for the next run."""


@dataclass
class SweepReport:
    expired_found: int = 0
    erased: int = 0
    already_absent: int = 0
    held: int = 0  # restricted since the index was read (D68): kept
    erase_failed: int = 0
    closure_erased: int = 0  # customer inquiries of closed accounts the closure itself had missed
    requeued: int = 0
    requeue_failed: int = 0
    deferred: bool = False  # the helpdesk throttled us, or time ran out: the next run goes on
    queries: int = 0

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


@dataclass(kw_only=True, frozen=True, eq=False, repr=False)
class Sweeper:
    store: InquiryStore
    eraser: Eraser
    queue: InquiryQueue
    stuck_after: timedelta
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    accounts: AccountStore | None = None
    closure_lookback_days: int = DEFAULT_CLOSURE_LOOKBACK_DAYS

    def run(self, time_left_ms: Callable[[], int] = lambda: 10**9) -> SweepReport:
        """One sweep. Raises SweepIncomplete (after doing all it could) when an erasure failed."""
        now = self.clock()
        report = SweepReport()
        for sweep_pass in (self._erase_expired, self._requeue_stuck, self._reconcile_closures):
            try:
                sweep_pass(now, report, time_left_ms)
            except _PassEnds:
                report.deferred = True
        for name, value in (("SweeperErased", report.erased), ("InquiriesRequeued", report.requeued),
                            ("SweeperEraseFailed", report.erase_failed),
                            ("ClosedAccountInquiriesErased", report.closure_erased),
                            ("SweeperRequeueFailed", report.requeue_failed)):  # fmt: skip
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        logger.info("sweep done", extra=report.as_dict())
        if report.erase_failed or report.requeue_failed:
            raise SweepIncomplete(
                f"{report.erase_failed} erasure(s) and {report.requeue_failed} re-enqueue(s) failed;"
                " the next run retries them"
            )
        return report

    def _days(self, now: datetime) -> Iterator[str]:
        """The UTC days to look at, oldest first."""
        for back in range(self.lookback_days, -1, -1):
            yield utc_day(now - timedelta(days=back))

    @staticmethod
    def _check_time(time_left_ms: Callable[[], int]) -> None:
        """Raises _PassEnds when too little time is left to start another step."""
        if time_left_ms() < SAFETY_MARGIN_MS:
            raise _PassEnds()

    def _erase(
        self,
        inquiry_id: str,
        reason: ErasureReason,
        report: SweepReport,
        time_left_ms: Callable[[], int],
        *,
        failed: str,
        unless_restricted: bool = False,
    ) -> ErasureOutcome | HelpdeskError | ServiceUnavailable:
        """One erasure of a pass: its outcome, or the error it failed with (counted, and logged as ``failed``
        with its type). Raises _PassEnds when the time is nearly up or the helpdesk rate-limits."""
        self._check_time(time_left_ms)
        try:
            return self.eraser.erase_inquiry(inquiry_id, reason, unless_restricted=unless_restricted)
        except HelpdeskRateLimited:
            raise _PassEnds() from None
        except (HelpdeskError, ServiceUnavailable) as error:
            report.erase_failed += 1
            logger.warning(failed, extra={"inquiry_id": inquiry_id, "error_type": type(error).__name__})
            return error

    def _erase_expired(self, now: datetime, report: SweepReport, time_left_ms: Callable[[], int]) -> None:
        for day in self._days(now):
            report.queries += 1
            for inquiry_id in self.store.keys_expired_on(day, now):
                report.expired_found += 1
                outcome = self._erase(
                    inquiry_id,
                    ErasureReason.RETENTION_EXPIRED,
                    report,
                    time_left_ms,
                    failed="expiry erasure failed",
                    unless_restricted=True,
                )
                if not isinstance(outcome, ErasureOutcome):
                    if not getattr(outcome, "permanent", False):
                        return  # the helpdesk or storage is down: every further call would wait too
                    continue  # this ticket only (a 4xx): the others can still go
                if outcome is ErasureOutcome.ERASED:
                    report.erased += 1
                elif outcome is ErasureOutcome.HELD:
                    report.held += 1
                else:
                    report.already_absent += 1

    def _reconcile_closures(
        self, now: datetime, report: SweepReport, time_left_ms: Callable[[], int]
    ) -> None:
        if self.accounts is None:
            return
        for back in range(self.closure_lookback_days, -1, -1):
            report.queries += 1
            for number in self.accounts.closed_on(utc_day(now - timedelta(days=back))):
                account = self.accounts.get(number, consistent=True)
                if account is not None and account.status is not AccountStatus.CLOSED:
                    continue  # reopened since: its inquiries are a live account's again
                for inquiry_id in list(self.store.keys_by_customer(number)):
                    outcome = self._erase(
                        inquiry_id,
                        ErasureReason.ACCOUNT_CLOSED,
                        report,
                        time_left_ms,
                        failed="closure reconciliation failed",
                    )
                    if not isinstance(outcome, ErasureOutcome):
                        return
                    if outcome is ErasureOutcome.ERASED:
                        report.closure_erased += 1
                        logger.info("closed account's inquiry erased late", extra={"inquiry_id": inquiry_id})

    def _requeue_stuck(self, now: datetime, report: SweepReport, time_left_ms: Callable[[], int]) -> None:
        cutoff = now - self.stuck_after
        for day in self._days(now):
            if day > utc_day(cutoff):
                return  # nothing received on a later day can be older than the cutoff
            report.queries += 1
            for inquiry_id in self.store.keys_pending_on(day, cutoff):
                self._check_time(time_left_ms)
                try:
                    self.queue.send(inquiry_id)
                except EnqueueFailed:
                    report.requeue_failed += 1
                    return  # SQS is failing: try again next run, the items stay in by_pending
                self.store.release_pending(inquiry_id)
                report.requeued += 1
                logger.info("stuck inquiry re-enqueued", extra={"inquiry_id": inquiry_id})
