"""RightsWorkerFunction's collaborators: the rights engine's (RightsWiring: the requests, the mailer, the
pepper) and the Eraser's (ErasureWiring: the inquiries, the ledger, the helpdesk), and what only the worker
uses. Built lazily once per container; a test replaces any of them by assigning it.

``recordings`` is the call recordings' rights interface (withdraw, erase, list by subject key); the engine
falls back to NoRecordings only when built without one (tests of other rights).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from contact_intake.core.clients import Clients
from contact_intake.retention.wiring import ErasureWiring
from contact_intake.rights.settings import RightsWorkerSettings
from contact_intake.rights.wiring import RightsWiring

if TYPE_CHECKING:
    from contact_intake.helpdesk.port import Helpdesk
    from contact_intake.intake.accounts import AccountVerifier
    from contact_intake.intake.queue import DeadLetterQueue, InquiryQueue
    from contact_intake.intake.store import InquiryStore
    from contact_intake.retention.erasure import Eraser
    from contact_intake.rights.engine import RecordingsHook, RightsEngine, RightsWork
    from contact_intake.rights.raw_mail import RawMailStore


class RightsWorkerWiring(RightsWiring[RightsWorkerSettings]):
    def __init__(
        self,
        settings: RightsWorkerSettings,
        clients: Clients | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(settings, clients, clock)
        self.erasure = ErasureWiring(settings, self.clients, clock)

    @cached_property
    def helpdesk(self) -> Helpdesk:
        return self.erasure.helpdesk

    @cached_property
    def inquiries(self) -> InquiryStore:
        return self.erasure.store

    @cached_property
    def eraser(self) -> Eraser:
        return self.erasure.eraser

    @cached_property
    def raw_mail(self) -> RawMailStore:
        from contact_intake.rights.raw_mail import RawMailStore

        return RawMailStore(bucket=self.settings.inbound_mail_bucket, client=lambda: self.clients.s3)

    @cached_property
    def inquiry_queue(self) -> InquiryQueue:
        from contact_intake.intake.queue import InquiryQueue

        return InquiryQueue(queue_url=self.settings.inquiry_queue_url, client=lambda: self.clients.sqs)

    @cached_property
    def dead_letters(self) -> DeadLetterQueue:
        from contact_intake.intake.queue import DeadLetterQueue

        return DeadLetterQueue(queue_url=self.settings.rights_dlq_url, client=lambda: self.clients.sqs)

    @cached_property
    def customers(self) -> AccountVerifier:
        from contact_intake.intake.accounts import AccountStore, AccountVerifier

        return AccountVerifier(
            AccountStore(table_name=self.settings.accounts_table, client=lambda: self.clients.dynamodb)
        )

    @cached_property
    def recordings(self) -> RecordingsHook:
        """The recordings ledger's rights interface (contact_intake.recordings.service.RecordingsRights)."""
        from contact_intake.recordings.wiring import RecordingsStorageWiring

        return RecordingsStorageWiring(self.settings, self.clients, self.clock).rights

    @cached_property
    def engine(self) -> RightsEngine:
        from contact_intake.rights.engine import RightsEngine, Worker

        s = self.settings
        worker = Worker(
            requests=self.requests,
            inquiries=self.inquiries,
            eraser=self.eraser,
            helpdesk=self.helpdesk,
            raw_mail=self.raw_mail,
            mailer=self.mailer,
            inquiry_queue=self.inquiry_queue,
            customers=self.customers,
            pepper=lambda: self.secrets.bytes(s.subject_pepper_param),
            recordings=self.recordings,
            delete_helpdesk_contacts=s.helpdesk_delete_contacts,
            clock=self.clock,
        )
        return RightsEngine(worker, lease=timedelta(seconds=s.worker_lease_seconds))

    @cached_property
    def work(self) -> RightsWork:
        from contact_intake.rights.engine import RightsWork

        return RightsWork(engine=self.engine, dead_letters=self.dead_letters)
