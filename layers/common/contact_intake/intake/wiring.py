"""Where IntakeFunction's and ForwarderFunction's collaborators are built: lazily, once per container,
replaceable in tests.

A test swaps a collaborator by assigning it (``wiring.intake = FakeIntake()``) or starts afresh with a
new wiring object; no internals are patched.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from contact_intake.core.secrets import SecretReader, SsmSecrets
from contact_intake.core.wiring import Wiring
from contact_intake.intake.captcha import CaptchaVerifier, RecaptchaPolicy, RecaptchaVerifier
from contact_intake.intake.queue import InquiryQueue
from contact_intake.intake.service import IntakeService
from contact_intake.intake.store import InquiryStore

if TYPE_CHECKING:
    from contact_intake.intake.accounts import AccountVerifier
    from contact_intake.intake.plain_settings import IntakeConfig  # noqa: F401  (a base class's argument)
    from contact_intake.intake.settings import ForwarderSettings  # noqa: F401  (a base class's argument)

if TYPE_CHECKING:
    # imported where built, so IntakeFunction's cold start never pays for the forwarder's modules
    from contact_intake.helpdesk.port import Helpdesk
    from contact_intake.intake.forwarder import Forwarder, HelpdeskPacer, InquiryMessages
    from contact_intake.intake.queue import DeadLetterQueue


class IntakeWiring(Wiring["IntakeConfig"]):
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
        """The configured provider's verifier (CAPTCHA_PROVIDER; the settings accept only the providers
        named here, so a second one adds its builder below and its value to the settings' pattern)."""
        builders: dict[str, Callable[[], CaptchaVerifier]] = {"recaptcha": self._recaptcha}
        return builders[self.settings.captcha_provider]()

    def _recaptcha(self) -> CaptchaVerifier:
        s = self.settings
        return RecaptchaVerifier(
            pool=self.clients.http_pool,
            secret=lambda: self.secrets.text(s.captcha_secret_param),
            verify_url=s.captcha_verify_url,
            policy=RecaptchaPolicy(
                hostnames=tuple(s.captcha_hostnames),
                action=s.captcha_action,
                min_score=s.captcha_min_score,
            ),
            timeout_seconds=s.captcha_timeout_seconds,
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
        from contact_intake.intake.accounts import AccountStore, AccountVerifier

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


class ForwarderWiring(Wiring["ForwarderSettings"]):
    """ForwarderFunction's collaborators. ``pacer`` holds this container's view of the helpdesk's rate
    limit, so it lives as long as the container does. ``clock`` is for tests and the benchmark."""

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
        from contact_intake.intake.queue import DeadLetterQueue

        return DeadLetterQueue(queue_url=self.settings.inquiry_dlq_url, client=lambda: self.clients.sqs)

    @cached_property
    def helpdesk(self) -> Helpdesk:
        from contact_intake.helpdesk.wiring import build_helpdesk

        return build_helpdesk(self.settings, session=self.clients.http)

    @cached_property
    def pacer(self) -> HelpdeskPacer:
        from contact_intake.intake.forwarder import HelpdeskPacer

        s = self.settings
        return HelpdeskPacer(
            per_minute=s.helpdesk_rate_limit_per_minute,
            concurrency=s.forwarder_max_concurrency,
            clock=self.clock,
        )

    @cached_property
    def forwarder(self) -> Forwarder:
        from contact_intake.intake.accounts import AccountStore
        from contact_intake.intake.forwarder import Forwarder

        table = self.settings.accounts_table
        return Forwarder(
            store=self.store,
            helpdesk=self.helpdesk,
            pacer=self.pacer,
            settle_seconds=self.settings.forward_settle_seconds,
            clock=self.clock,
            accounts=AccountStore(table_name=table, client=lambda: self.clients.dynamodb) if table else None,
        )

    @cached_property
    def messages(self) -> InquiryMessages:
        from contact_intake.intake.forwarder import InquiryMessages

        return InquiryMessages(forwarder=self.forwarder, queue=self.queue, dead_letters=self.dead_letters)
