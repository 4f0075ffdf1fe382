"""RightsMailFunction's collaborators: the rights engine's (RightsWiring), the raw mail in S3, and the intake
that joins them. Built lazily once per container; a test replaces any of them by assigning it."""

from __future__ import annotations

from functools import cached_property

from contact_intake.rights.acknowledgements import AcknowledgementLimit
from contact_intake.rights.mail_intake import RightsMailIntake, RightsReceiver
from contact_intake.rights.models import RequestStatus, RightsRequest
from contact_intake.rights.raw_mail import RawMailStore
from contact_intake.rights.settings import RightsMailSettings
from contact_intake.rights.wiring import RightsWiring


class RightsMailWiring(RightsWiring[RightsMailSettings]):
    @cached_property
    def acknowledgements(self) -> AcknowledgementLimit | None:
        """One live link per address and a daily cap (RIGHTS_ACK_DAILY_CAP) on the same table."""
        requests = self.requests
        return AcknowledgementLimit(
            table_name=self.settings.rights_requests_table,
            client=lambda: self.clients.dynamodb,
            awaiting=lambda request_id: _awaiting(requests.get(request_id)),
            daily_cap=self.settings.rights_ack_daily_cap,
        )

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


def _awaiting(request: RightsRequest | None) -> bool:
    """Whether the request's link can still verify it (the live link of its address)."""
    return (
        request is not None
        and request.status is RequestStatus.AWAITING_VERIFICATION
        and request.token_used_at is None
    )
