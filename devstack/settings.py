"""devstack's settings: ports, region, the local credentials and the local parameter values."""

from __future__ import annotations

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

# Template parameters overridden locally ("{api_port}" is filled in once the API is bound).
LOCAL_PARAMETERS: Final[Mapping[str, str]] = {
    "RecaptchaHostnames": "localhost,127.0.0.1",
    "AllowedOrigins": "http://127.0.0.1:{api_port},http://localhost:{api_port}",
    "ThankYouUrl": "/thanks.html",
    "HelpdeskDomain": "local",
}


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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read AWS_PORT, API_PORT, AWS_REGION, DEVSTACK_TEMPLATE and DEVSTACK_POOL_SIZE."""
        env = os.environ if environ is None else environ
        template = env.get("DEVSTACK_TEMPLATE")
        return cls(
            aws_port=_port(env, "AWS_PORT", 4566),
            api_port=_port(env, "API_PORT", 3000),
            region=env.get("AWS_REGION") or "eu-central-1",
            template_path=Path(template).resolve() if template else REPO_ROOT / "template.yaml",
            pool_size=max(1, int(env.get("DEVSTACK_POOL_SIZE") or 2)),
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    port = int(raw)
    if not 0 <= port <= 65535:
        raise ValueError(f"{name} must be a TCP port (0 for any free port), got {raw!r}")
    return port
