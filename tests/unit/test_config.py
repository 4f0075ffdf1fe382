from __future__ import annotations

import pytest

from contact_intake.core.errors import ConfigurationError
from contact_intake.intake.settings import IntakeSettings
from tests.conftest import TEST_ENVIRONMENT


def test_reads_and_splits_the_environment() -> None:
    settings = IntakeSettings.from_env(
        {**TEST_ENVIRONMENT, "ALLOWED_ORIGINS": " https://a.example , https://b.example,"}
    )
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.recaptcha_hostnames == ["shop.example", "localhost"]
    assert settings.recaptcha_min_score == 0.5
    assert settings.max_body_bytes == 32 * 1024


def test_missing_variable_is_named_without_values() -> None:
    env = {k: v for k, v in TEST_ENVIRONMENT.items() if k != "INQUIRIES_TABLE"}
    with pytest.raises(ConfigurationError, match="INQUIRIES_TABLE"):
        IntakeSettings.from_env(env)


def test_out_of_range_score_fails_at_start() -> None:
    with pytest.raises(ConfigurationError, match="RECAPTCHA_MIN_SCORE"):
        IntakeSettings.from_env({**TEST_ENVIRONMENT, "RECAPTCHA_MIN_SCORE": "1.5"})


def test_hostnames_are_required() -> None:
    with pytest.raises(ConfigurationError, match="RECAPTCHA_HOSTNAMES"):
        IntakeSettings.from_env({**TEST_ENVIRONMENT, "RECAPTCHA_HOSTNAMES": " , "})
