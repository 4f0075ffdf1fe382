"""Each function's configuration as one validated model, read once per container from the environment.

A missing or bad variable fails at start with a message naming the variable, not at the first request.
Secrets are never in the environment: only the *names* of the SSM SecureString parameters that hold them.
This module holds the base; each capability declares its functions' settings beside its wiring
(``intake/settings.py``, ``retention/settings.py``, ``recordings/settings.py``, ``rights/settings.py``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from contact_intake.core.errors import ConfigurationError


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], BeforeValidator(_split_csv)]


class EnvModel(BaseModel):
    """A settings model whose field aliases are environment variable names."""

    # defer_build: a model's validator is built when it is first used, so a function pays only for its
    # own settings at init, not for the other functions' (docs/decisions.md D76)
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        try:
            return cls.model_validate(dict(env))
        except ValidationError as exc:
            problems = "; ".join(
                f"{(err['loc'] or ('settings',))[0]}: {err['msg']}"
                for err in exc.errors(include_input=False, include_url=False)
            )
            raise ConfigurationError(f"{cls.__name__} is misconfigured: {problems}") from None
