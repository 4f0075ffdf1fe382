"""Unconfirmed rights requests leave the DPO's list by themselves (docs/decisions.md, D47).

A request still awaiting verification when its link runs out becomes ``expired``: terminal, not open, no
mail to anyone (the address may never have asked), no refusal; the record and its audit trail are kept for
the DPO until the record's own retention ends. Reads already show it as expired the moment the link runs
out (contact_intake.rights.store); this pass, run by SweeperFunction on its schedule, writes the status and
the audit entry, so the ``by_status`` index and the audit trail say so too.
"""

from __future__ import annotations

from datetime import datetime

from contact_intake.core.observability import MetricUnit, logger, metrics
from contact_intake.rights.models import SYSTEM_ACTOR, AuditAction, AuditEntry
from contact_intake.rights.store import RightsRequestStore


def expire_unverified(store: RightsRequestStore, now: datetime) -> int:
    """Mark every request whose link ran out unconfirmed ``expired``; how many were. Raises
    ServiceUnavailable when the table cannot be read (the next run catches up)."""
    count = store.expire_unverified(now=now, audit=AuditEntry(now, SYSTEM_ACTOR, AuditAction.EXPIRED))
    if count:
        metrics.add_metric(name="RightsRequestExpired", unit=MetricUnit.Count, value=count)
    logger.info("unverified rights requests expired", extra={"expired": count})
    return count
