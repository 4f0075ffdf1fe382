from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BeforeValidator
from pydantic.fields import FieldInfo

from contact_intake.core.errors import ConfigurationError
from contact_intake.core.plain_settings import Variable
from contact_intake.core.settings import _split_csv
from contact_intake.intake.plain_settings import INTAKE_VARIABLES, PlainIntakeSettings, intake_settings
from contact_intake.intake.settings import IntakeSettings
from contact_intake.rights.plain_settings import (
    RIGHTS_API_VARIABLES,
    PlainRightsApiSettings,
    rights_api_settings,
)
from contact_intake.rights.settings import RightsApiSettings
from tests.conftest import TEST_ENVIRONMENT


def test_reads_and_splits_the_environment() -> None:
    settings = IntakeSettings.from_env(
        {**TEST_ENVIRONMENT, "ALLOWED_ORIGINS": " https://a.example , https://b.example,"}
    )
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.captcha_hostnames == ["shop.example", "localhost"]
    assert settings.captcha_min_score == 0.5
    assert settings.max_body_bytes == 32 * 1024


def test_missing_variable_is_named_without_values() -> None:
    env = {k: v for k, v in TEST_ENVIRONMENT.items() if k != "INQUIRIES_TABLE"}
    with pytest.raises(ConfigurationError, match="INQUIRIES_TABLE"):
        IntakeSettings.from_env(env)


def test_out_of_range_score_fails_at_start() -> None:
    with pytest.raises(ConfigurationError, match="CAPTCHA_MIN_SCORE"):
        IntakeSettings.from_env({**TEST_ENVIRONMENT, "CAPTCHA_MIN_SCORE": "1.5"})


def test_the_captcha_provider_is_chosen_by_configuration_and_an_unknown_one_fails_at_start() -> None:
    assert IntakeSettings.from_env(TEST_ENVIRONMENT).captcha_provider == "recaptcha"  # the default
    assert (
        intake_settings({**TEST_ENVIRONMENT, "CAPTCHA_PROVIDER": "recaptcha"}).captcha_provider == "recaptcha"
    )
    for read in (IntakeSettings.from_env, intake_settings):
        with pytest.raises(ConfigurationError, match="CAPTCHA_PROVIDER"):
            read({**TEST_ENVIRONMENT, "CAPTCHA_PROVIDER": "turnstile"})


def test_the_wiring_builds_the_configured_providers_verifier() -> None:
    from contact_intake.intake.captcha import RecaptchaVerifier
    from contact_intake.intake.wiring import IntakeWiring

    wiring = IntakeWiring(intake_settings(TEST_ENVIRONMENT))
    assert isinstance(wiring.verifier, RecaptchaVerifier)


def test_hostnames_are_required() -> None:
    with pytest.raises(ConfigurationError, match="CAPTCHA_HOSTNAMES"):
        IntakeSettings.from_env({**TEST_ENVIRONMENT, "CAPTCHA_HOSTNAMES": " , "})


# ---------------------------------------------------------------- settings read without the models
# the plain settings readers (intake/, rights/ plain_settings.py) read RightsApiSettings's and
# IntakeSettings's variables without the models
# when they are plain (docs/decisions.md D92, D93); these tests hold it to the models: the same fields,
# aliases, types, defaults and constraints, and for any environment the same values or pydantic's error.


@dataclasses.dataclass(frozen=True)
class Plain:
    model: type[Any]
    variables: Mapping[str, Variable]
    plain: type[Any]
    read: Callable[[Mapping[str, str]], Any]

    @property
    def environment(self) -> dict[str, str]:
        aliases = {v.alias for v in self.variables.values()}
        return {k: v for k, v in TEST_ENVIRONMENT.items() if k in aliases}


RIGHTS_API = Plain(RightsApiSettings, RIGHTS_API_VARIABLES, PlainRightsApiSettings, rights_api_settings)
INTAKE = Plain(IntakeSettings, INTAKE_VARIABLES, PlainIntakeSettings, intake_settings)
BOTH = pytest.mark.parametrize("case", [RIGHTS_API, INTAKE], ids=["rights_api", "intake"])


def _declared(info: FieldInfo) -> tuple[Any, dict[str, Any]]:
    """A field's type and constraints as the plain reading names them: config's CsvList is ``list``; any
    other metadata (a validator, a strict flag) fails: the plain reading would not know it."""
    kind: Any = info.annotation
    constraints: dict[str, Any] = {}
    for item in info.metadata:
        if isinstance(item, BeforeValidator) and item.func is _split_csv and info.annotation == list[str]:
            kind = list
            continue
        found = {
            name: getattr(item, name)
            for name in ("min_length", "max_length", "pattern", "ge", "gt", "le", "lt", "multiple_of")
            if getattr(item, name, None) is not None
        }
        assert found, f"{item!r} is not a constraint the plain reading knows"
        constraints |= found
    return kind, constraints


@BOTH
def test_the_plain_reading_declares_the_models_fields(case: Plain) -> None:
    model = case.model.model_fields
    assert list(case.variables) == list(model)
    assert [f.name for f in dataclasses.fields(case.plain)] == list(model)
    for name, info in model.items():
        variable = case.variables[name]
        assert variable.alias == info.alias, name
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        assert variable.default == default, name
        assert (variable.kind, dict(variable.constraints)) == _declared(info), name
    assert case.model.model_config.get("extra") == "ignore"
    decorators = case.model.__pydantic_decorators__
    assert not decorators.model_validators
    assert not decorators.field_validators
    assert not decorators.validators


def _outcome(case: Plain, environ: Mapping[str, str], *, plain: bool) -> tuple[str, Any]:
    try:
        settings = case.read(environ) if plain else case.model.from_env(environ)
    except ConfigurationError as error:
        return "error", str(error)
    return "values", {name: getattr(settings, name) for name in case.variables}


@BOTH
def test_a_plain_environment_is_read_without_the_model(case: Plain) -> None:
    settings = case.read(case.environment)
    assert isinstance(settings, case.plain)
    assert _outcome(case, case.environment, plain=True) == _outcome(case, case.environment, plain=False)
    assert settings.max_body_bytes in {16 * 1024, 32 * 1024}  # a default


def test_a_default_list_is_not_shared() -> None:
    env = {k: v for k, v in INTAKE.environment.items() if k != "ALLOWED_ORIGINS"}
    first, second = intake_settings(env), intake_settings(env)
    assert first.allowed_origins == second.allowed_origins == []
    assert first.allowed_origins is not second.allowed_origins


CHANGES = [
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
    {"INQUIRIES_TABLE": None},
    {"CAPTCHA_HOSTNAMES": ""},
    {"CAPTCHA_HOSTNAMES": ","},
    {"CAPTCHA_HOSTNAMES": " , "},
    {"CAPTCHA_HOSTNAMES": "a.example,,b.example,"},
    {"CAPTCHA_HOSTNAMES": "a.example, b.example"},
    {"ALLOWED_ORIGINS": ""},
    {"ALLOWED_ORIGINS": "https://a.example,https://b.example"},
    {"CAPTCHA_MIN_SCORE": "0"},
    {"CAPTCHA_MIN_SCORE": "1"},
    {"CAPTCHA_MIN_SCORE": "1.0"},
    {"CAPTCHA_MIN_SCORE": "1.5"},
    {"CAPTCHA_MIN_SCORE": ".5"},
    {"CAPTCHA_MIN_SCORE": "5e-1"},
    {"CAPTCHA_MIN_SCORE": "nan"},
    {"CAPTCHA_TIMEOUT_SECONDS": "0"},
    {"CAPTCHA_TIMEOUT_SECONDS": "0.000000001"},
    {"CAPTCHA_TIMEOUT_SECONDS": "10"},
    {"CAPTCHA_TIMEOUT_SECONDS": "10.000000001"},
    {"CAPTCHA_VERIFY_URL": ""},
    {"CAPTCHA_ACTION": "contact form"},
    {"THANK_YOU_URL": "https://shop.example/thanks"},
    {"captcha_hostnames": "x.example"},
]


@BOTH
@pytest.mark.parametrize("change", CHANGES)
def test_every_environment_gets_the_models_values_or_its_error(
    case: Plain, change: dict[str, str | None]
) -> None:
    env = {k: v for k, v in {**case.environment, **change}.items() if v is not None}
    assert _outcome(case, env, plain=True) == _outcome(case, env, plain=False)


_VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "3", "10", "11", "16384", "-1", " 7", "07", "x", "a b", "é", ",", "a,,b",
                     "0.5", "1.0", "0.49", "3.25", "1e3", "privacy@shop.example", "https://api.shop.example/v1",
                     "http://h/x/", "arn:aws:iam::123456789012:role/DPO",
                     "arn:aws-cn:iam::123456789012:user/a/b"]),
    st.text(max_size=12),
)  # fmt: skip


@BOTH
@given(data=st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_property_the_plain_reading_never_disagrees_with_the_model(case: Plain, data: st.DataObject) -> None:
    aliases = st.sampled_from([v.alias for v in case.variables.values()])
    env = {**case.environment, **data.draw(st.dictionaries(aliases, _VALUES, max_size=4))}
    assert _outcome(case, env, plain=True) == _outcome(case, env, plain=False)
