"""Secrets by name from SSM Parameter Store (SecureString), through Powertools parameters (cached).

Only the parameter *names* are configuration; the values never touch the environment or the repo.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider


class SecretReader:
    """Reads and caches SecureString parameters; ``fetch`` is replaceable in tests."""

    def __init__(self, *, max_age_seconds: int = 300, fetch: Callable[[str, int], str] | None = None) -> None:
        self._max_age = max_age_seconds
        self._fetch = fetch or _powertools_fetch

    def text(self, name: str) -> str:
        return self._fetch(name, self._max_age)

    def bytes(self, name: str) -> bytes:
        return self.text(name).encode("utf-8")


def secrets_manager_fetch(name: str, max_age: int) -> str:
    """A Secrets Manager secret's string value by name or ARN (Powertools parameters, cached ``max_age``).

    For ``SecretReader(fetch=secrets_manager_fetch)``: the helpdesk API key lives in Secrets Manager.
    """
    from aws_lambda_powertools.utilities import parameters  # deferred: only the first request pays

    value: Any = parameters.get_secret(name, max_age=max_age)
    if not isinstance(value, str) or not value:
        raise ValueError("secret is empty or binary")
    return value


def _powertools_fetch(name: str, max_age: int) -> str:
    from aws_lambda_powertools.utilities import parameters  # deferred: only the first request pays

    value: Any = parameters.get_parameter(name, decrypt=True, max_age=max_age)
    if not isinstance(value, str) or not value:
        raise ValueError("secret parameter is empty")
    return value


class SsmSecrets:
    """A ``fetch`` for SecretReader: Powertools' SSM provider (its cache and ``max_age``) over a client of
    the function's own boto3 session, so a container has one session whose loader reads botocore's data
    once (the module-level ``get_parameter`` would build a second session). Built on first use."""

    def __init__(self, client: Callable[[], Any]) -> None:
        self._client = client

    @cached_property
    def provider(self) -> SSMProvider:
        from aws_lambda_powertools.utilities.parameters import SSMProvider

        return SSMProvider(boto3_client=self._client())

    def __call__(self, name: str, max_age: int) -> str:
        value: Any = self.provider.get(name, decrypt=True, max_age=max_age)
        if not isinstance(value, str) or not value:
            raise ValueError("secret parameter is empty")
        return value

    def forget(self) -> None:
        """Drop every cached value and its age (after a SnapStart restore: nothing from the snapshot)."""
        if "provider" in self.__dict__:
            self.provider.clear_cache()  # type: ignore[no-untyped-call]
