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
    settings: HelpdeskSettings, *, session: requests.Session, secret: Callable[[str], str]
) -> Helpdesk:
    """The adapter ``settings.helpdesk_provider`` names, over ``session``; ``secret`` reads a secret's
    text by its id (cached by the caller's SecretReader) and is asked for the API key at each call.

    Imports the adapter here, so a function that never calls the helpdesk never loads it (D87)."""
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
