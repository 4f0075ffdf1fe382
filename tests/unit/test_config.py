from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.fields import FieldInfo

from contact_intake.config import IntakeSettings, RightsApiSettings
from contact_intake.errors import ConfigurationError
from contact_intake.plain_config import RIGHTS_API_VARIABLES, PlainRightsApiSettings, rights_api_settings
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


# ---------------------------------------------------------------- RightsApiFunction's plain settings
# contact_intake.plain_config reads RightsApiSettings's variables without pydantic when they are plain
# (docs/decisions.md D92); these tests hold it to the model: the same fields, aliases, defaults and
# constraints, and for any environment the same values or pydantic's own error.

RIGHTS_API = {
    k: v for k, v in TEST_ENVIRONMENT.items() if k in {v.alias for v in RIGHTS_API_VARIABLES.values()}
}


def _declared(info: FieldInfo) -> dict[str, Any]:
    """A field's constraints; any other metadata (a validator, a strict flag) fails: the plain reading
    would not know it."""
    constraints: dict[str, Any] = {}
    for item in info.metadata:
        found = {
            name: getattr(item, name)
            for name in ("min_length", "max_length", "pattern", "ge", "gt", "le", "lt", "multiple_of")
            if getattr(item, name, None) is not None
        }
        assert found, f"{item!r} is not a constraint the plain reading knows"
        constraints |= found
    return constraints


def test_the_plain_reading_declares_the_models_fields() -> None:
    model = RightsApiSettings.model_fields
    assert list(RIGHTS_API_VARIABLES) == list(model)
    assert [f.name for f in dataclasses.fields(PlainRightsApiSettings)] == list(model)
    for name, info in model.items():
        variable = RIGHTS_API_VARIABLES[name]
        assert variable.alias == info.alias, name
        assert variable.kind is info.annotation, name
        assert variable.default == (None if info.is_required() else info.default), name
        assert dict(variable.constraints) == _declared(info), name
    assert RightsApiSettings.model_config.get("extra") == "ignore"
    decorators = RightsApiSettings.__pydantic_decorators__
    assert not decorators.model_validators
    assert not decorators.field_validators
    assert not decorators.validators


def _outcome(read: Any) -> tuple[str, Any]:
    try:
        settings = read()
    except ConfigurationError as error:
        return "error", str(error)
    return "values", {name: getattr(settings, name) for name in RIGHTS_API_VARIABLES}


def test_a_plain_environment_is_read_without_pydantic() -> None:
    settings = rights_api_settings(RIGHTS_API)
    assert isinstance(settings, PlainRightsApiSettings)
    assert _outcome(lambda: settings) == _outcome(lambda: RightsApiSettings.from_env(RIGHTS_API))
    assert settings.max_body_bytes == 16 * 1024  # a default


@pytest.mark.parametrize(
    "change",
    [
        {"RIGHTS_REQUESTS_TABLE": None},
        {"RIGHTS_REQUESTS_TABLE": ""},
        {"MAIL_FROM": "privacy"},
        {"MAIL_FROM": "privacy@shop.example\n"},
        {"MAIL_FROM": " privacy@shop.example"},
        {"MAIL_FROM": "privé@shop.example"},
        {"PUBLIC_API_URL": "https://api.shop.example/v1/"},
        {"PUBLIC_API_URL": ""},
        {"DPO_PRINCIPAL_ARN": "arn:aws:iam::123:role/x"},
        {"DPO_PRINCIPAL_ARN": "arn:aws:iam::123456789012:role/Ünicode"},
        {"RIGHTS_RETENTION_YEARS": "0"},
        {"RIGHTS_RETENTION_YEARS": "10"},
        {"RIGHTS_RETENTION_YEARS": "11"},
        {"RIGHTS_RETENTION_YEARS": " 5"},
        {"RIGHTS_RETENTION_YEARS": "05"},
        {"RIGHTS_RETENTION_YEARS": "5.0"},
        {"RIGHTS_RETENTION_YEARS": "1_0"},
        {"SECRETS_MAX_AGE_SECONDS": "0"},
        {"SECRETS_MAX_AGE_SECONDS": "-1"},
        {"MAX_BODY_BYTES": "0"},
        {"MAX_BODY_BYTES": "99999999999999999999999"},
        {"max_body_bytes": "10"},
        {"mail_from": "other@shop.example", "MAIL_FROM": None},
    ],
)
def test_every_environment_gets_the_models_values_or_its_error(change: dict[str, str | None]) -> None:
    env = {k: v for k, v in {**RIGHTS_API, **change}.items() if v is not None}
    assert _outcome(lambda: rights_api_settings(env)) == _outcome(lambda: RightsApiSettings.from_env(env))


_VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "3", "10", "11", "16384", "-1", " 7", "07", "x", "a b", "é",
                     "privacy@shop.example", "https://api.shop.example/v1", "http://h/x/",
                     "arn:aws:iam::123456789012:role/DPO", "arn:aws-cn:iam::123456789012:user/a/b"]),
    st.text(max_size=12),
)  # fmt: skip


@given(
    st.dictionaries(st.sampled_from([v.alias for v in RIGHTS_API_VARIABLES.values()]), _VALUES, max_size=4)
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_the_plain_reading_never_disagrees_with_the_model(change: dict[str, str]) -> None:
    env = {**RIGHTS_API, **change}
    assert _outcome(lambda: rights_api_settings(env)) == _outcome(lambda: RightsApiSettings.from_env(env))
