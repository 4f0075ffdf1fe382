"""The helpdesk's one settings block, mixed into the settings of every function that uses the helpdesk
(ForwarderFunction, the erasing functions, RightsWorkerFunction).

The variable names are the template's (a contract with operators). HELPDESK_PROVIDER chooses the adapter
(only ``freshdesk`` today; any other value fails at start); HELPDESK_DOMAIN names the provider's account
(Freshdesk's ``{domain}.freshdesk.com``) unless HELPDESK_BASE_URL is set: devstack sets it, pointing at
its emulator, as it sets AWS_ENDPOINT_URL, and it wins over a domain.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from contact_intake.core.settings import EnvModel

# the adapters contact_intake.helpdesk.wiring.build_helpdesk knows
HelpdeskProvider = Literal["freshdesk"]


class HelpdeskSettings(EnvModel):
    """Which helpdesk, where, with which credential, and the ticket field carrying the inquiry id."""

    helpdesk_provider: HelpdeskProvider = Field(alias="HELPDESK_PROVIDER", default="freshdesk")
    helpdesk_domain: str | None = Field(alias="HELPDESK_DOMAIN", default=None, min_length=1)
    helpdesk_base_url: str | None = Field(alias="HELPDESK_BASE_URL", default=None, min_length=1)
    # the Secrets Manager secret (name or ARN) holding the helpdesk's API key; never the key itself
    helpdesk_api_key_secret_id: str = Field(alias="HELPDESK_API_KEY_SECRET_ID", min_length=1)
    # the ticket's custom field that carries the inquiry id (named by the helpdesk's administrator)
    helpdesk_inquiry_field: str = Field(
        alias="HELPDESK_INQUIRY_FIELD", default="cf_inquiry_id", pattern=r"^[A-Za-z0-9_]{1,64}$"
    )
    secrets_max_age_seconds: int = Field(alias="SECRETS_MAX_AGE_SECONDS", default=300, ge=0)

    @model_validator(mode="after")
    def _a_helpdesk_address(self) -> Self:
        if self.helpdesk_domain is None and self.helpdesk_base_url is None:
            raise ValueError("set HELPDESK_DOMAIN (or HELPDESK_BASE_URL)")
        return self
