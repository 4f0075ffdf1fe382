"""Local secrets, written to (moto's) SSM as SecureString parameters where the template says to look.

The parameter *names* come from the template's parameters (their defaults, or local overrides); the
values are fixed local stand-ins, except the pepper, which is new on every run (state is in memory anyway).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Final

from devstack.resources import AwsClients

RECAPTCHA_SECRET: Final = "local-recaptcha-secret"  # what /_local/captcha/siteverify expects

# template parameter holding an SSM parameter name -> how to make the local value
LOCAL_SECRETS: Final[Mapping[str, Callable[[], str]]] = {
    "RecaptchaSecretParameterName": lambda: RECAPTCHA_SECRET,
    "SubjectPepperParameterName": lambda: secrets.token_hex(32),
    "WebhookSecretParameterName": lambda: "local-webhook-secret",
}


def seed_local_secrets(clients: AwsClients, parameters: Mapping[str, object]) -> list[str]:
    """Write each local secret whose parameter the template declares; return the SSM names written."""
    written = []
    for parameter, make_value in LOCAL_SECRETS.items():
        name = parameters.get(parameter)
        if not isinstance(name, str) or not name:
            continue
        clients.ssm.put_parameter(Name=name, Value=make_value(), Type="SecureString", Overwrite=True)
        written.append(name)
    return written
