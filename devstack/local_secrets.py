"""Local secrets, written to moto where the template says the functions will look for them.

The secret *names* come from the template's parameters (their defaults, or local overrides); the values
are fixed local stand-ins, except the pepper, which is new on every run (state is in memory anyway).
SSM parameters are SecureStrings; Secrets Manager secrets carry the value as their SecretString.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from devstack.resources import AwsClients

RECAPTCHA_SECRET: Final = "local-recaptcha-secret"  # noqa: S105 - what /_local/captcha/siteverify expects


@dataclass(frozen=True)
class LocalSecret:
    store: Literal["ssm", "secretsmanager"]
    make_value: Callable[[], str]


# template parameter holding the secret's name -> where it lives and how to make the local value
LOCAL_SECRETS: Final[Mapping[str, LocalSecret]] = {
    "CaptchaSecretParameterName": LocalSecret("ssm", lambda: RECAPTCHA_SECRET),
    "SubjectPepperParameterName": LocalSecret("ssm", lambda: secrets.token_hex(32)),
    "WebhookSecretParameterName": LocalSecret("ssm", lambda: "local-webhook-secret"),
    # the helpdesk emulator takes any non-empty API key (docs/architecture.md §8)
    "HelpdeskApiKeySecretName": LocalSecret("secretsmanager", lambda: "local-helpdesk-api-key"),
}


def seed_local_secrets(clients: AwsClients, parameters: Mapping[str, object]) -> list[str]:
    """Write each local secret whose parameter the template declares; describe each one written."""
    written = []
    for parameter, secret in LOCAL_SECRETS.items():
        name = parameters.get(parameter)
        if not isinstance(name, str) or not name:
            continue
        if secret.store == "ssm":
            clients.ssm.put_parameter(
                Name=name, Value=secret.make_value(), Type="SecureString", Overwrite=True
            )
            written.append(f"{name} (SSM SecureString)")
        else:
            clients.client("secretsmanager").create_secret(Name=name, SecretString=secret.make_value())
            written.append(f"{name} (Secrets Manager)")
    return written
