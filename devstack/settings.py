"""devstack's settings: ports, region, the local credentials and the local parameter values."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
HOST: Final = "127.0.0.1"
STACK_NAME: Final = "contact-intake"
ACCOUNT_ID: Final = "123456789012"  # moto's default account
LOCAL_ACCESS_KEY: Final = "local"
LOCAL_SECRET_KEY: Final = "local"  # noqa: S105 - the local stand-in, by contract
# the telephony integration's local key pair (contract): it may call /recordings, every DPO route is 403
TELEPHONY_ACCESS_KEY: Final = "local-telephony"
TELEPHONY_SECRET_KEY: Final = "local-telephony"  # noqa: S105 - the local stand-in, by contract
# the principals those keys sign as (API Gateway's userArn), and the template's parameters naming them
LOCAL_DPO_ARN: Final = f"arn:aws:iam::{ACCOUNT_ID}:user/{LOCAL_ACCESS_KEY}"
LOCAL_TELEPHONY_ARN: Final = f"arn:aws:iam::{ACCOUNT_ID}:user/{TELEPHONY_ACCESS_KEY}"

# Template parameters overridden locally ("{api_port}" is filled in once the API is bound).
LOCAL_PARAMETERS: Final[Mapping[str, str]] = {
    "CaptchaHostnames": "localhost,127.0.0.1",
    "AllowedOrigins": "http://127.0.0.1:{api_port},http://localhost:{api_port}",
    "ThankYouUrl": "/thanks.html",
    "HelpdeskDomain": "local",
    # the sender of rights mail; devstack verifies it in local SES (devstack/emulators/mail.py)
    "MailFrom": "privacy@shop.localhost",
    # the receipt rule's recipient, as POST /_local/inbound-mail delivers (devstack/emulators/inbound_mail.py)
    "PrivacyMailAddress": "privacy@shop.localhost",
    # who may call which route: `local` signs as the DPO, `local-telephony` as the telephony integration
    "DpoPrincipalArn": LOCAL_DPO_ARN,
    "TelephonyPrincipalArn": LOCAL_TELEPHONY_ARN,
}


# Variables devstack sets for every function, on top of the template's (a function ignores what it does not
# read). In AWS the forwarder waits 60 s after a create whose answer was lost before it trusts a lookup for
# the ticket, in case the create is still in flight. Locally the helpdesk emulator answers at once or never
# (a held "timeout" creates nothing) and a failed message is back after DEVSTACK_MAX_VISIBILITY_SECONDS, so
# 2 s keeps a fault test short and cannot make a second ticket.
LOCAL_FUNCTION_VARIABLES: Final[Mapping[str, str]] = {"FORWARD_SETTLE_SECONDS": "2"}


def local_parameter_values(api_port: int) -> dict[str, str]:
    """LOCAL_PARAMETERS with the API port filled in."""
    return {name: value.format(api_port=api_port) for name, value in LOCAL_PARAMETERS.items()}


@dataclass(frozen=True)
class Settings:
    """Where devstack listens and what it runs. Port 0 means "any free port" (tests use it)."""

    aws_port: int = 4566
    api_port: int = 3000
    region: str = "eu-central-1"
    repo_root: Path = REPO_ROOT
    template_path: Path = REPO_ROOT / "template.yaml"
    pool_size: int = 2  # worker processes per function, started on demand
    schedule_seconds: float = 10.0  # how often scheduled functions run locally; 0: only when triggered
    max_visibility_seconds: int = 5  # local queues' VisibilityTimeout is capped at this

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read AWS_PORT, API_PORT, AWS_REGION, DEVSTACK_TEMPLATE, DEVSTACK_POOL_SIZE,
        DEVSTACK_SCHEDULE_SECONDS and DEVSTACK_MAX_VISIBILITY_SECONDS; raises ValueError naming a bad one."""
        env = os.environ if environ is None else environ
        template = env.get("DEVSTACK_TEMPLATE")
        return cls(
            aws_port=_port(env, "AWS_PORT", 4566),
            api_port=_port(env, "API_PORT", 3000),
            region=env.get("AWS_REGION") or "eu-central-1",
            template_path=Path(template).resolve() if template else REPO_ROOT / "template.yaml",
            pool_size=max(1, int(env.get("DEVSTACK_POOL_SIZE") or 2)),
            schedule_seconds=_number(env, "DEVSTACK_SCHEDULE_SECONDS", 10.0),
            max_visibility_seconds=int(_number(env, "DEVSTACK_MAX_VISIBILITY_SECONDS", 5, whole=True)),
        )


def _number(env: Mapping[str, str], name: str, default: float, *, whole: bool = False) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = -1
    if value < 0 or math.isnan(value):
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {kind} of seconds (0 or more), got {raw!r}")
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    port = int(raw)
    if not 0 <= port <= 65535:
        raise ValueError(f"{name} must be a TCP port (0 for any free port), got {raw!r}")
    return port
