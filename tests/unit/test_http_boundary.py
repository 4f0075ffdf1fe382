"""The HTTP boundary: body preparation, error shapes, CORS."""

from __future__ import annotations

import base64
import json
import logging
from typing import Annotated
from urllib.parse import urlencode

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from contact_intake.api.http import (
    check_path,
    check_size,
    cors_headers,
    error_answer,
    error_body,
    error_response,
    field_errors,
    prepare_form_post,
    with_headers,
)
from contact_intake.core.errors import (
    BodyTooLarge,
    CaptchaRejected,
    MalformedBody,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
)
from tests.builders import a_form, api_event

LIMIT = 32 * 1024


def test_json_passes_through_as_json() -> None:
    event = api_event(a_form(), content_type="application/json; charset=utf-8")
    prepared = prepare_form_post(event, LIMIT)
    assert not prepared.form_post
    assert json.loads(event["body"])["name"] == a_form()["name"]
    assert event["headers"]["Content-Type"] == "application/json"


def test_urlencoded_becomes_json_with_the_widget_field_renamed() -> None:
    fields = {**a_form(), "g-recaptcha-response": "pass:w"}
    del fields["captcha_token"]
    event = api_event(
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={"Accept": "text/html,application/xhtml+xml"},
    )
    prepared = prepare_form_post(event, LIMIT)
    assert prepared.form_post
    assert prepared.wants_html
    assert json.loads(event["body"])["captcha_token"] == "pass:w"


def test_urlencoded_empty_fields_count_as_not_given() -> None:
    fields = {**a_form(), "customer_number": "", "website": "", "subject": ""}
    event = api_event(urlencode(fields), content_type="application/x-www-form-urlencoded")
    prepare_form_post(event, LIMIT)
    body = json.loads(event["body"])
    assert "customer_number" not in body
    assert "website" not in body
    assert "subject" not in body
    assert body["name"] == a_form()["name"]


def test_urlencoded_without_html_accept_gets_json() -> None:
    event = api_event(urlencode(a_form()), content_type="application/x-www-form-urlencoded")
    assert not prepare_form_post(event, LIMIT).wants_html


def test_base64_bodies_are_decoded() -> None:
    event = api_event(None)
    event["body"] = base64.b64encode(json.dumps(a_form()).encode()).decode()
    event["isBase64Encoded"] = True
    prepare_form_post(event, LIMIT)
    assert json.loads(event["body"])["subject"] == a_form()["subject"]
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ("x" * (LIMIT + 1), "application/json", BodyTooLarge),
        ("{}", "text/plain", UnsupportedMediaType),
        ("{}", None, UnsupportedMediaType),
        ("{}", "multipart/form-data; boundary=x", UnsupportedMediaType),
        ("{not json", "application/json", MalformedBody),
        ("[1, 2]", "application/json", MalformedBody),
        ('"text"', "application/json", MalformedBody),
        ("a=1&a=2", "application/x-www-form-urlencoded", ValidationFailed),
        ("captcha_token=a&g-recaptcha-response=b", "application/x-www-form-urlencoded", ValidationFailed),
        ("no-equals-sign", "application/x-www-form-urlencoded", MalformedBody),
    ],
)
def test_bad_bodies(body: str, content_type: str | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        prepare_form_post(api_event(body, content_type=content_type), LIMIT)


def test_body_at_the_limit_is_fine() -> None:
    body = json.dumps({"message": "m" * (LIMIT - 20)})
    body += " " * (LIMIT - len(body.encode()))
    prepare_form_post(api_event(body), LIMIT)


def test_non_utf8_and_bad_base64_are_malformed() -> None:
    event = api_event(None)
    event["body"], event["isBase64Encoded"] = base64.b64encode(b"\xff\xfe{}").decode(), True
    with pytest.raises(MalformedBody):
        prepare_form_post(event, LIMIT)
    event["body"] = "***not base64***"
    with pytest.raises(MalformedBody):
        prepare_form_post(event, LIMIT)


def test_error_body_shape() -> None:
    response = error_response(CaptchaRejected(reason="low-score"))
    assert response.status_code == 403
    assert json.loads(response.body or "") == {
        "error": {"code": "captcha_failed", "message": "The captcha check failed. Please try again."}
    }
    validation = json.loads(error_response(ValidationFailed()).body or "")
    assert validation["error"]["fields"] == []


def test_a_handler_answering_without_the_resolver_maps_errors_as_the_resolver_does(
    caplog: pytest.LogCaptureFixture,
) -> None:
    typed = CaptchaRejected(reason="low-score")
    assert error_answer(typed, {"resource": "/inquiries"}) == (
        403,
        {"Content-Type": "application/json"},
        error_body(typed),
    )
    with caplog.at_level(logging.ERROR):
        status, headers, body = error_answer(RuntimeError("quotes the input"), {"resource": "/inquiries"})
    assert (status, headers) == (500, {"Content-Type": "application/json"})
    assert json.loads(body)["error"]["code"] == "internal_error"
    logged = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "RuntimeError" in logged
    assert "/inquiries" in logged
    assert "quotes the input" not in logged


def test_check_size_counts_the_decoded_body() -> None:
    event = api_event(None)
    event["body"], event["isBase64Encoded"] = base64.b64encode(b"x" * LIMIT).decode(), True
    check_size(event, LIMIT)  # the base64 text is longer; the body is not
    event["body"] = base64.b64encode(b"x" * (LIMIT + 1)).decode()
    with pytest.raises(BodyTooLarge):
        check_size(event, LIMIT)


def test_field_errors_name_headers_like_headers() -> None:
    errors = field_errors(
        [{"loc": ("header", "idempotency-key"), "type": "string_too_long", "msg": "too long"}]
    )
    assert errors[0].field == "Idempotency-Key"
    assert errors[0].code == "too_long"
    assert field_errors([{"loc": ("body",), "type": "model_attributes_type", "msg": "m"}])[0].field == "body"


def test_cors_only_for_configured_origins() -> None:
    allowed = ["https://shop.example"]
    ok = cors_headers(api_event(None, headers={"Origin": "https://shop.example"}), allowed)
    assert ok["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Idempotency-Key" in ok["Access-Control-Allow-Headers"]
    assert cors_headers(api_event(None, headers={"Origin": "https://evil.example"}), allowed) == {}
    event = api_event(None)
    del event["headers"]["Origin"]
    assert cors_headers(event, allowed) == {}


def test_with_headers_updates_both_maps() -> None:
    response = with_headers({"headers": {}, "multiValueHeaders": {"A": ["1"]}}, {"Vary": "Origin"})
    assert response["headers"]["Vary"] == "Origin"
    assert response["multiValueHeaders"]["Vary"] == ["Origin"]
    assert with_headers({"statusCode": 200}, {}) == {"statusCode": 200}


def test_a_path_parameter_the_router_cannot_match_is_a_404_not_a_500() -> None:
    # API Gateway passes /things/<anything> to the function; Powertools' route pattern leaves some
    # characters out (U+0085 here, found by the fuzzer), and then no route matches at all
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from contact_intake.api.http import register_error_handlers
    from tests.builders import FakeContext

    app = APIGatewayRestResolver(enable_validation=True)
    register_error_handlers(app)

    @app.get("/things/<thing_id>")
    def get_thing(thing_id: str) -> dict[str, str]:
        return {"thing_id": thing_id}

    def get(path: str) -> dict[str, object]:
        event = api_event(None, method="GET", path=path, content_type=None)
        return dict(app.resolve(event, FakeContext()))

    assert get("/things/abc")["statusCode"] == 200
    answer = get("/things/\x852")
    assert answer["statusCode"] == 404
    assert json.loads(str(answer["body"])) == {"error": {"code": "not_found", "message": "Not found."}}


class _Thing(BaseModel):
    name: str


def test_a_body_that_is_not_utf8_is_a_400_not_a_500() -> None:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from contact_intake.api.http import register_error_handlers
    from tests.builders import FakeContext

    app = APIGatewayRestResolver(enable_validation=True)
    register_error_handlers(app)

    @app.post("/things")
    def post_thing(thing: Annotated[_Thing, Body(embed=False)]) -> dict[str, str]:
        return {"name": thing.name}

    event = api_event(None, path="/things")
    event["body"], event["isBase64Encoded"] = base64.b64encode(b"\xff\xfe").decode(), True
    answer = app.resolve(event, FakeContext())
    assert answer["statusCode"] == 400, answer["body"]
    assert json.loads(answer["body"])["error"]["code"] == "malformed_body"


@pytest.mark.parametrize(
    "path", ["/rights-requests/\n", "/rights-requests\n", "/recordings/x\r", "/inquiries\x00"]
)
def test_a_path_with_a_control_character_does_not_exist(path: str) -> None:
    # Powertools' ^...$ would route "/rights-requests/\n" to the list (the fuzzer found it)
    with pytest.raises(NotFound):
        check_path({"path": path})


@pytest.mark.parametrize(
    "path", ["/rights-requests", "/rights-requests/0f8fad5b-d9cb-469f-a165-70867728950e"]
)
def test_an_ordinary_path_passes(path: str) -> None:
    check_path({"path": path})
