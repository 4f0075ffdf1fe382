"""What the routes' Powertools declarations say of their answers, for the OpenAPI document
(docs/openapi.json, tools/openapi.py): the one JSON error body (``http.error_body`` writes it) and the
two ways an answer is described.

Imported by the declaration modules only (``intake_api``, ``helpdesk_events_api``, ``rights_api_app``,
``recordings_handler``), which import Powertools' resolver anyway: the handlers that answer without it
(the intake, the helpdesk webhook, the verification link; docs/decisions.md D75, D85, D88) do not import
this module on their way to a first answer.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[dict[str, str]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def error(description: str) -> OpenAPIResponse:
    """An error answer: the JSON error body (docs/architecture.md §4)."""
    return {"description": description, "content": {"application/json": {"model": ErrorBody}}}


def ok(description: str, model: type[BaseModel]) -> OpenAPIResponse:
    """A JSON answer in ``model``'s shape."""
    return {"description": description, "content": {"application/json": {"model": model}}}
