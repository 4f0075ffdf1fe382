"""RightsMailFunction's collaborators: the rights engine's (RightsWiring), the raw mail in S3, and the intake
that joins them. Built lazily once per container; a test replaces any of them by assigning it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property

from contact_intake.clients import Clients
from contact_intake.config import RightsMailSettings
from contact_intake.rights.mail_intake import RightsMailIntake, RightsReceiver
from contact_intake.rights.raw_mail import RawMailStore
from contact_intake.rights.wiring import RightsWiring


class RightsMailWiring(RightsWiring):
    settings: RightsMailSettings

    def __init__(
        self,
        settings: RightsMailSettings,
        clients: Clients | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(settings, clients, clock)

    @cached_property
    def raw_mail(self) -> RawMailStore:
        return RawMailStore(
            bucket=self.settings.inbound_mail_bucket,
            client=lambda: self.clients.s3,
            prefix=self.settings.inbound_mail_prefix,
        )

    @cached_property
    def receiver(self) -> RightsReceiver:
        """The rights service's intake of new requests (a test replaces it with a fake)."""
        return self.rights

    @cached_property
    def mail_intake(self) -> RightsMailIntake:
        return RightsMailIntake(raw_mail=self.raw_mail, rights=self.receiver)
