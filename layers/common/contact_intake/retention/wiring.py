"""Where the erasing functions' collaborators are built (account events, helpdesk events, the sweeper):
lazily, once per container, replaceable in tests.

A test swaps a collaborator by assigning it (``wiring.intake = FakeIntake()``) or starts afresh with a
new wiring object; no internals are patched.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from contact_intake.core.secrets import SecretReader
from contact_intake.core.wiring import Wiring
from contact_intake.intake.queue import InquiryQueue
from contact_intake.intake.store import InquiryStore

if TYPE_CHECKING:
    from contact_intake.retention.account_events import AccountMirror
    from contact_intake.retention.erasure import Eraser
    from contact_intake.retention.ledger import ErasureLedger
    from contact_intake.retention.resolution import ResolutionService, WebhookAuthenticator
    from contact_intake.retention.settings import (  # noqa: F401  (base classes' arguments)
        AccountEventsSettings,
        ErasureSettings,
        HelpdeskEventsSettings,
        SweeperSettings,
    )
    from contact_intake.retention.sweeper import Sweeper

if TYPE_CHECKING:
    from contact_intake.helpdesk.port import Helpdesk


ES = TypeVar("ES", bound="ErasureSettings")


class ErasureWiring(Wiring[ES]):
    """The Eraser and what it needs: the base of every function that erases. ``clock`` is for tests."""

    @cached_property
    def secrets(self) -> SecretReader:
        """SSM SecureString parameters (the pepper, the webhook secret)."""
        return SecretReader(max_age_seconds=self.settings.secrets_max_age_seconds)

    @cached_property
    def helpdesk(self) -> Helpdesk:
        from contact_intake.helpdesk.wiring import build_helpdesk

        return build_helpdesk(self.settings, session=self.clients.http)

    @cached_property
    def store(self) -> InquiryStore:
        return InquiryStore(
            table_name=self.settings.inquiries_table, client=lambda: self.clients.dynamodb, clock=self.clock
        )

    @cached_property
    def ledger(self) -> ErasureLedger:
        from contact_intake.retention.ledger import ErasureLedger

        return ErasureLedger(
            table_name=self.settings.erasure_ledger_table, client=lambda: self.clients.dynamodb
        )

    @cached_property
    def eraser(self) -> Eraser:
        from contact_intake.retention.erasure import Eraser

        return Eraser(
            store=self.store,
            ledger=self.ledger,
            helpdesk=self.helpdesk,
            clock=self.clock,
        )


class AccountEventsWiring(ErasureWiring["AccountEventsSettings"]):
    @cached_property
    def mirror(self) -> AccountMirror:
        from contact_intake.intake.accounts import AccountStore
        from contact_intake.retention.account_events import AccountMirror

        accounts = AccountStore(table_name=self.settings.accounts_table, client=lambda: self.clients.dynamodb)
        recordings = None
        if self.settings.recordings_table:
            from contact_intake.recordings.store import RecordingLedger

            recordings = RecordingLedger(
                table_name=self.settings.recordings_table,
                client=lambda: self.clients.dynamodb,
                clock=self.clock,
            )
        return AccountMirror(
            accounts=accounts,
            eraser=self.eraser,
            pepper=lambda: self.secrets.bytes(self.settings.subject_pepper_param),
            clock=self.clock,
            inquiries=self.store,
            recordings=recordings,
        )


class HelpdeskEventsWiring(ErasureWiring["HelpdeskEventsSettings"]):
    @cached_property
    def authenticator(self) -> WebhookAuthenticator:
        from contact_intake.retention.resolution import WebhookAuthenticator

        return WebhookAuthenticator(lambda: self.secrets.text(self.settings.webhook_secret_param))

    @cached_property
    def resolutions(self) -> ResolutionService:
        from contact_intake.retention.resolution import ResolutionService

        return ResolutionService(
            store=self.store,
            eraser=self.eraser,
            grace=timedelta(days=self.settings.resolved_grace_days),
            clock=self.clock,
        )


class SweeperWiring(ErasureWiring["SweeperSettings"]):
    @cached_property
    def queue(self) -> InquiryQueue:
        return InquiryQueue(queue_url=self.settings.inquiry_queue_url, client=lambda: self.clients.sqs)

    @cached_property
    def sweeper(self) -> Sweeper:
        from contact_intake.intake.accounts import AccountStore
        from contact_intake.retention.sweeper import Sweeper

        table = self.settings.accounts_table
        return Sweeper(
            store=self.store,
            eraser=self.eraser,
            queue=self.queue,
            stuck_after=timedelta(minutes=self.settings.stuck_after_minutes),
            lookback_days=self.settings.sweep_lookback_days,
            clock=self.clock,
            accounts=AccountStore(table_name=table, client=lambda: self.clients.dynamodb) if table else None,
            closure_lookback_days=self.settings.closure_lookback_days,
        )
