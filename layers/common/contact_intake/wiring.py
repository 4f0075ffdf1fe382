"""Where each function's collaborators are built: lazily, once per container, replaceable in tests.

A test swaps a collaborator by assigning it (``wiring.intake = FakeIntake()``) or starts afresh with a
new wiring object; no internals are patched.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from contact_intake.captcha import CaptchaVerifier, RecaptchaPolicy, RecaptchaVerifier
from contact_intake.clients import Clients
from contact_intake.intake import IntakeService
from contact_intake.queue import InquiryQueue
from contact_intake.secrets import SecretReader, SsmSecrets
from contact_intake.store import InquiryStore

if TYPE_CHECKING:
    from contact_intake.account_events import AccountMirror
    from contact_intake.accounts import AccountVerifier
    from contact_intake.config import (
        AccountEventsSettings,
        ErasureSettings,
        HelpdeskEventsSettings,
        SweeperSettings,
    )
    from contact_intake.erasure import Eraser
    from contact_intake.ledger import ErasureLedger
    from contact_intake.plain_config import IntakeConfig  # IntakeSettings, or read without it (D93)
    from contact_intake.resolution import ResolutionService, WebhookAuthenticator
    from contact_intake.rights.store import RightsRequestStore
    from contact_intake.sweeper import Sweeper

if TYPE_CHECKING:
    # imported where built, so IntakeFunction's cold start never pays for the forwarder's modules
    from contact_intake.config import ForwarderSettings
    from contact_intake.forwarder import Forwarder, HelpdeskPacer, InquiryMessages
    from contact_intake.helpdesk import FreshdeskClient
    from contact_intake.queue import DeadLetterQueue


class IntakeWiring:
    def __init__(self, settings: IntakeConfig, clients: Clients | None = None) -> None:
        self.settings = settings
        self.clients = clients or Clients()

    @cached_property
    def ssm_secrets(self) -> SsmSecrets:
        return SsmSecrets(lambda: self.clients.ssm)

    @cached_property
    def secrets(self) -> SecretReader:
        return SecretReader(max_age_seconds=self.settings.secrets_max_age_seconds, fetch=self.ssm_secrets)

    def prime(self) -> None:
        """Build everything the first request uses, calling nothing: no connection is open and no secret
        is cached when a SnapStart snapshot is taken (docs/decisions.md D78)."""
        _ = (self.intake, self.clients.dynamodb, self.clients.sqs, self.clients.http_pool)
        _ = self.ssm_secrets.provider

    def restored(self) -> None:
        """After a SnapStart restore: every copy draws its own random numbers (botocore's retry jitter uses
        ``random``; ids come from os.urandom), and no cached secret or its age survives from the snapshot."""
        random.seed()
        self.ssm_secrets.forget()

    @cached_property
    def verifier(self) -> CaptchaVerifier:
        s = self.settings
        return RecaptchaVerifier(
            pool=self.clients.http_pool,
            secret=lambda: self.secrets.text(s.recaptcha_secret_param),
            verify_url=s.recaptcha_verify_url,
            policy=RecaptchaPolicy(
                hostnames=tuple(s.recaptcha_hostnames),
                action=s.recaptcha_action,
                min_score=s.recaptcha_min_score,
            ),
            timeout_seconds=s.recaptcha_timeout_seconds,
        )

    @cached_property
    def store(self) -> InquiryStore:
        return InquiryStore(
            table_name=self.settings.inquiries_table,
            client=lambda: self.clients.dynamodb,
            accounts_table=self.settings.accounts_table,  # a customer's write checks the account (D62)
        )

    @cached_property
    def queue(self) -> InquiryQueue:
        return InquiryQueue(queue_url=self.settings.inquiry_queue_url, client=lambda: self.clients.sqs)

    @cached_property
    def customers(self) -> AccountVerifier:
        from contact_intake.accounts import AccountStore, AccountVerifier

        return AccountVerifier(
            AccountStore(table_name=self.settings.accounts_table, client=lambda: self.clients.dynamodb)
        )

    @cached_property
    def intake(self) -> IntakeService:
        return IntakeService(
            verifier=self.verifier,
            store=self.store,
            queue=self.queue,
            customers=self.customers,
            pepper=lambda: self.secrets.bytes(self.settings.subject_pepper_param),
        )


class ForwarderWiring:
    """ForwarderFunction's collaborators. ``pacer`` holds this container's view of the helpdesk's rate
    limit, so it lives as long as the container does. ``clock`` is for tests and the benchmark."""

    def __init__(
        self,
        settings: ForwarderSettings,
        clients: Clients | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.clients = clients or Clients()
        self.clock = clock

    @cached_property
    def secrets(self) -> SecretReader:
        from contact_intake.secrets import secrets_manager_fetch

        return SecretReader(
            max_age_seconds=self.settings.secrets_max_age_seconds, fetch=secrets_manager_fetch
        )

    @cached_property
    def store(self) -> InquiryStore:
        return InquiryStore(
            table_name=self.settings.inquiries_table, client=lambda: self.clients.dynamodb, clock=self.clock
        )

    @cached_property
    def queue(self) -> InquiryQueue:
        return InquiryQueue(queue_url=self.settings.inquiry_queue_url, client=lambda: self.clients.sqs)

    @cached_property
    def dead_letters(self) -> DeadLetterQueue:
        from contact_intake.queue import DeadLetterQueue

        return DeadLetterQueue(queue_url=self.settings.inquiry_dlq_url, client=lambda: self.clients.sqs)

    @cached_property
    def helpdesk(self) -> FreshdeskClient:
        from contact_intake.helpdesk import FreshdeskClient

        s = self.settings
        return FreshdeskClient(
            session=self.clients.http,
            api_key=lambda: self.secrets.text(s.helpdesk_api_key_secret_id),
            # an explicit base URL (devstack's emulator) wins over the template's domain
            domain=None if s.helpdesk_base_url else s.helpdesk_domain,
            base_url=s.helpdesk_base_url,
            inquiry_id_field=s.helpdesk_inquiry_field,
        )

    @cached_property
    def pacer(self) -> HelpdeskPacer:
        from contact_intake.forwarder import HelpdeskPacer

        s = self.settings
        return HelpdeskPacer(
            per_minute=s.helpdesk_rate_limit_per_minute,
            concurrency=s.forwarder_max_concurrency,
            clock=self.clock,
        )

    @cached_property
    def forwarder(self) -> Forwarder:
        from contact_intake.accounts import AccountStore
        from contact_intake.forwarder import Forwarder

        table = self.settings.accounts_table
        return Forwarder(
            store=self.store,
            helpdesk=self.helpdesk,
            pacer=self.pacer,
            inquiry_id_field=self.settings.helpdesk_inquiry_field,
            settle_seconds=self.settings.forward_settle_seconds,
            clock=self.clock,
            accounts=AccountStore(table_name=table, client=lambda: self.clients.dynamodb) if table else None,
        )

    @cached_property
    def messages(self) -> InquiryMessages:
        from contact_intake.forwarder import InquiryMessages

        return InquiryMessages(forwarder=self.forwarder, queue=self.queue, dead_letters=self.dead_letters)


class ErasureWiring:
    """The Eraser and what it needs: the base of every function that erases. ``clock`` is for tests."""

    def __init__(
        self,
        settings: ErasureSettings,
        clients: Clients | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.clients = clients or Clients()
        self.clock = clock

    @cached_property
    def secrets(self) -> SecretReader:
        """SSM SecureString parameters (the pepper, the webhook secret)."""
        return SecretReader(max_age_seconds=self.settings.secrets_max_age_seconds)

    @cached_property
    def helpdesk_key(self) -> SecretReader:
        """The helpdesk API key, from Secrets Manager (as the forwarder reads it)."""
        from contact_intake.secrets import secrets_manager_fetch

        return SecretReader(
            max_age_seconds=self.settings.secrets_max_age_seconds, fetch=secrets_manager_fetch
        )

    @cached_property
    def helpdesk(self) -> FreshdeskClient:
        from contact_intake.helpdesk import FreshdeskClient

        s = self.settings
        return FreshdeskClient(
            session=self.clients.http,
            api_key=lambda: self.helpdesk_key.text(s.helpdesk_api_key_secret_id),
            domain=s.helpdesk_domain,
            base_url=s.helpdesk_base_url,
            inquiry_id_field=s.helpdesk_inquiry_field,
        )

    @cached_property
    def store(self) -> InquiryStore:
        return InquiryStore(
            table_name=self.settings.inquiries_table, client=lambda: self.clients.dynamodb, clock=self.clock
        )

    @cached_property
    def ledger(self) -> ErasureLedger:
        from contact_intake.ledger import ErasureLedger

        return ErasureLedger(
            table_name=self.settings.erasure_ledger_table, client=lambda: self.clients.dynamodb
        )

    @cached_property
    def eraser(self) -> Eraser:
        from contact_intake.erasure import Eraser

        return Eraser(
            store=self.store,
            ledger=self.ledger,
            helpdesk=self.helpdesk,
            inquiry_id_field=self.settings.helpdesk_inquiry_field,
            clock=self.clock,
        )


class AccountEventsWiring(ErasureWiring):
    settings: AccountEventsSettings

    def __init__(
        self,
        settings: AccountEventsSettings,
        clients: Clients | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(settings, clients, clock)

    @cached_property
    def mirror(self) -> AccountMirror:
        from contact_intake.account_events import AccountMirror
        from contact_intake.accounts import AccountStore

        accounts = AccountStore(table_name=self.settings.accounts_table, client=lambda: self.clients.dynamodb)
        recordings = None
        if self.settings.recordings_table:
            from contact_intake.recording_store import RecordingLedger

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


class HelpdeskEventsWiring(ErasureWiring):
    settings: HelpdeskEventsSettings

    def __init__(
        self,
        settings: HelpdeskEventsSettings,
        clients: Clients | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(settings, clients, clock)

    @cached_property
    def authenticator(self) -> WebhookAuthenticator:
        from contact_intake.resolution import WebhookAuthenticator

        return WebhookAuthenticator(lambda: self.secrets.text(self.settings.webhook_secret_param))

    @cached_property
    def resolutions(self) -> ResolutionService:
        from contact_intake.resolution import ResolutionService

        return ResolutionService(
            store=self.store,
            eraser=self.eraser,
            grace=timedelta(days=self.settings.resolved_grace_days),
            clock=self.clock,
        )


class SweeperWiring(ErasureWiring):
    settings: SweeperSettings

    def __init__(
        self,
        settings: SweeperSettings,
        clients: Clients | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(settings, clients, clock)

    @cached_property
    def queue(self) -> InquiryQueue:
        return InquiryQueue(queue_url=self.settings.inquiry_queue_url, client=lambda: self.clients.sqs)

    @cached_property
    def rights_requests(self) -> RightsRequestStore | None:
        """The rights requests table, for the expiry of unconfirmed requests (None when not configured)."""
        if not self.settings.rights_requests_table:
            return None
        from contact_intake.rights.store import RightsRequestStore

        return RightsRequestStore(
            table_name=self.settings.rights_requests_table,
            client=lambda: self.clients.dynamodb,
            clock=self.clock,
        )

    @cached_property
    def sweeper(self) -> Sweeper:
        from contact_intake.accounts import AccountStore
        from contact_intake.sweeper import Sweeper

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
