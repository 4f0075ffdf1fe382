"""The rights engine's collaborators, built lazily once per container and replaceable in tests.

RightsApiFunction uses it as it is; RightsMailFunction and RightsWorkerFunction build theirs on it (their
settings extend rights.settings.RightsSettings), so every rights function talks to the same table,
queue and sender in the same way.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from contact_intake.core.secrets import SecretReader
from contact_intake.core.wiring import Wiring
from contact_intake.rights.acknowledgements import AcknowledgementLimit
from contact_intake.rights.outbound import Mailer
from contact_intake.rights.queue import RightsQueue
from contact_intake.rights.service import RightsService
from contact_intake.rights.store import RightsRequestStore

if TYPE_CHECKING:  # RightsSettings or, for RightsApiFunction, settings read without pydantic (D92)
    from contact_intake.rights.plain_settings import RightsConfig


RC = TypeVar("RC", bound="RightsConfig")


class RightsWiring(Wiring[RC]):
    @cached_property
    def secrets(self) -> SecretReader:
        return SecretReader(max_age_seconds=self.settings.secrets_max_age_seconds)

    @cached_property
    def requests(self) -> RightsRequestStore:
        return RightsRequestStore(
            table_name=self.settings.rights_requests_table,
            client=lambda: self.clients.dynamodb,
            clock=self.clock,
        )

    @cached_property
    def queue(self) -> RightsQueue:
        return RightsQueue(queue_url=self.settings.rights_queue_url, client=lambda: self.clients.sqs)

    @cached_property
    def mailer(self) -> Mailer:
        return Mailer(sender=self.settings.mail_from, client=lambda: self.clients.sesv2, clock=self.clock)

    @cached_property
    def acknowledgements(self) -> AcknowledgementLimit | None:
        """The limit on acknowledgements per address: None here (the DPO's requests are not limited);
        RightsMailWiring, which receives mail from anyone, has one."""
        return None

    @cached_property
    def rights(self) -> RightsService:
        s = self.settings
        return RightsService(
            store=self.requests,
            queue=self.queue,
            mailer=self.mailer,
            pepper=lambda: self.secrets.bytes(s.subject_pepper_param),
            api_url=s.public_api_url,
            retention_years=s.rights_retention_years,
            clock=self.clock,
            acknowledgements=self.acknowledgements,
        )
