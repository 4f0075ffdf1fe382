"""The one place a helpdesk adapter is built: every wiring that needs the helpdesk calls
``build_helpdesk`` (ForwarderWiring, ErasureWiring and through it the rights worker's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never

if TYPE_CHECKING:
    import requests

    from contact_intake.helpdesk.port import Helpdesk
    from contact_intake.helpdesk.settings import HelpdeskSettings


def build_helpdesk(
    settings: HelpdeskSettings, *, session: requests.Session, secret: Callable[[str], str] | None = None
) -> Helpdesk:
    """The adapter ``settings.helpdesk_provider`` names, over ``session``; ``secret`` reads a secret's
    text by its id and is asked for the API key at each call. By default the key is read from Secrets
    Manager, cached ``settings.secrets_max_age_seconds``.

    Imports the adapter here, so a function that never calls the helpdesk never loads it (D87)."""
    if secret is None:
        from contact_intake.core.secrets import SecretReader, secrets_manager_fetch

        key = SecretReader(max_age_seconds=settings.secrets_max_age_seconds, fetch=secrets_manager_fetch)
        secret = key.text
    if settings.helpdesk_provider == "freshdesk":
        from contact_intake.helpdesk.freshdesk import FreshdeskClient

        return FreshdeskClient(
            session=session,
            api_key=lambda: secret(settings.helpdesk_api_key_secret_id),
            # an explicit base URL (devstack's emulator) wins over the template's domain
            domain=None if settings.helpdesk_base_url else settings.helpdesk_domain,
            base_url=settings.helpdesk_base_url,
            inquiry_id_field=settings.helpdesk_inquiry_field,
        )
    assert_never(settings.helpdesk_provider)  # HelpdeskSettings accepts only the providers above
