"""Where each function's collaborators are built: lazily, once per container, replaceable in tests.

A test swaps a collaborator by assigning it (``wiring.intake = FakeIntake()``) or starts afresh with a
new wiring object; no internals are patched.
"""

from __future__ import annotations

from functools import cached_property

from contact_intake.captcha import CaptchaVerifier, RecaptchaPolicy, RecaptchaVerifier
from contact_intake.clients import Clients
from contact_intake.config import IntakeSettings
from contact_intake.intake import IntakeService
from contact_intake.queue import InquiryQueue
from contact_intake.secrets import SecretReader
from contact_intake.store import InquiryStore


class IntakeWiring:
    def __init__(self, settings: IntakeSettings, clients: Clients | None = None) -> None:
        self.settings = settings
        self.clients = clients or Clients()

    @cached_property
    def secrets(self) -> SecretReader:
        return SecretReader(max_age_seconds=self.settings.secrets_max_age_seconds)

    @cached_property
    def verifier(self) -> CaptchaVerifier:
        s = self.settings
        return RecaptchaVerifier(
            session=self.clients.http,
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
        return InquiryStore(table_name=self.settings.inquiries_table, client=lambda: self.clients.dynamodb)

    @cached_property
    def queue(self) -> InquiryQueue:
        return InquiryQueue(queue_url=self.settings.inquiry_queue_url, client=lambda: self.clients.sqs)

    @cached_property
    def intake(self) -> IntakeService:
        return IntakeService(
            verifier=self.verifier,
            store=self.store,
            queue=self.queue,
            pepper=lambda: self.secrets.bytes(self.settings.subject_pepper_param),
        )
