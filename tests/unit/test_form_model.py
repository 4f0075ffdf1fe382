"""The form model: each bad input and the exact public error it gets."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from contact_intake.api.http import field_errors
from contact_intake.intake.models import InquiryForm
from tests.builders import a_form

CONTROL = "must be one line without control characters"


def errors_for(**overrides: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        InquiryForm.model_validate(a_form(**overrides))
    return [(e.field, e.code) for e in field_errors(caught.value.errors())]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": ""}, [("name", "too_short")]),
        ({"name": "   "}, [("name", "too_short")]),
        ({"name": "a" * 201}, [("name", "too_long")]),
        ({"name": "Ann\nSmith"}, [("name", "invalid")]),
        ({"name": "Ann\r\n"}, [("name", "invalid")]),  # a trailing CR/LF is rejected, not stripped
        ({"name": "Ann\u2028Smith"}, [("name", "invalid")]),
        ({"name": 42}, [("name", "wrong_type")]),
        ({"email": "not-an-address"}, [("email", "invalid")]),
        ({"email": "ann@localhost"}, [("email", "invalid")]),
        ({"email": "ann@example.org\r\nBcc: x@example.org"}, [("email", "invalid")]),
        ({"email": "a" * 250 + "@example.org"}, [("email", "invalid")]),
        ({"subject": ""}, [("subject", "too_short")]),
        ({"subject": "s" * 201}, [("subject", "too_long")]),
        ({"subject": "Re: x\rInjected: y"}, [("subject", "invalid")]),
        ({"message": ""}, [("message", "too_short")]),
        ({"message": "m" * 5001}, [("message", "too_long")]),
        ({"message": "nul\x00byte"}, [("message", "invalid")]),
        ({"message": "bell\x07"}, [("message", "invalid")]),
        ({"customer_number": "12 34"}, [("customer_number", "invalid_format")]),
        ({"customer_number": "C-1\n"}, [("customer_number", "invalid")]),
        ({"locale": "dutch"}, [("locale", "invalid_format")]),
        ({"captcha_token": ""}, [("captcha_token", "too_short")]),
        ({"website": "w" * 2001}, [("website", "too_long")]),
        ({"unexpected": "x"}, [("unexpected", "unknown_field")]),
        ({"name": None, "email": None}, [("name", "required"), ("email", "required")]),
        ({"captcha_token": None}, [("captcha_token", "required")]),
    ],
)
def test_bad_input_gets_its_exact_error(overrides: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert errors_for(**overrides) == expected


def test_control_character_message_is_plain() -> None:
    with pytest.raises(ValidationError) as caught:
        InquiryForm.model_validate(a_form(name="A\nB"))
    (error,) = field_errors(caught.value.errors())
    assert error.message == CONTROL


def test_error_messages_never_echo_the_input() -> None:
    secret = "Geheimnaam Xyzzy"
    with pytest.raises(ValidationError) as caught:
        InquiryForm.model_validate(a_form(name=secret + "\n", unexpected=secret))
    for error in field_errors(caught.value.errors()):
        assert "Xyzzy" not in error.message


@pytest.mark.parametrize(
    ("overrides", "field", "value"),
    [
        ({"name": "  Ann  "}, "name", "Ann"),
        ({"message": "line one\r\nline two\ttabbed"}, "message", "line one\r\nline two\ttabbed"),
        ({"name": "a" * 200}, "name", "a" * 200),
        ({"message": "m" * 5000}, "message", "m" * 5000),
        ({"email": "Ann@Example.ORG"}, "email", "ann@example.org"),  # the canonical address (D60)
        ({"name": "José Ñúñez-Ødegård"}, "name", "José Ñúñez-Ødegård"),
        ({"locale": "nl-BE"}, "locale", "nl-BE"),
        ({"customer_number": "C-998877"}, "customer_number", "C-998877"),
    ],
)
def test_valid_edge_inputs_are_accepted(overrides: dict[str, Any], field: str, value: str) -> None:
    form = InquiryForm.model_validate(a_form(**overrides))
    assert str(getattr(form, field)) == value


def test_honeypot_defaults_to_empty() -> None:
    assert InquiryForm.model_validate(a_form()).website == ""
