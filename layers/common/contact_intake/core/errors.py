"""Typed errors of the domain, each with the HTTP status and public code it maps to at the boundary.

Messages are public: they never carry personal data, internal names or stack traces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One bad field of a request: the field's public name, a machine code and a human message."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class ContactIntakeError(Exception):
    """Base of every error the API answers with a JSON error body. A subclass names what it answers with as
    class keywords, ``class Gone(ContactIntakeError, status=410, code="gone", message="...")``: the HTTP
    status, the public code and the default (public) message; what it leaves out it inherits."""

    status: int = 500
    code: str = "internal_error"
    default_message: str = "The request could not be processed."

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, message: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = status or cls.status
        cls.code = code or cls.code
        cls.default_message = message or cls.default_message

    def __init__(self, message: str | None = None, fields: list[FieldError] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or []
        super().__init__(self.message)


class MalformedBody(
    ContactIntakeError, status=400, code="malformed_body", message="The request body could not be read."
): ...


class Unauthorized(
    ContactIntakeError, status=401, code="unauthorized", message="Missing or wrong credentials."
): ...


class CaptchaRejected(
    ContactIntakeError,
    status=403,
    code="captcha_failed",
    message="The captcha check failed. Please try again.",
):
    """The captcha said this was not a person (or the token was reused, expired, or for another site)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason  # internal, for logs and metrics only (a siteverify error code or our check)


class NotFound(ContactIntakeError, status=404, code="not_found", message="Not found."): ...


class IdempotencyConflict(
    ContactIntakeError,
    status=409,
    code="idempotency_conflict",
    message="This Idempotency-Key was already used with a different request body.",
): ...


class TicketMismatch(
    ContactIntakeError,
    status=409,
    code="ticket_mismatch",
    message="The ticket does not belong to this inquiry.",
):
    """The helpdesk reported a ticket that is not the one recorded for the inquiry: nothing is changed."""


class Gone(
    ContactIntakeError, status=410, code="gone", message="This link has expired or was already used."
): ...


class BodyTooLarge(
    ContactIntakeError, status=413, code="body_too_large", message="The request body is too large."
): ...


class UnsupportedMediaType(
    ContactIntakeError,
    status=415,
    code="unsupported_media_type",
    message="Send application/json or application/x-www-form-urlencoded.",
): ...


class ValidationFailed(
    ContactIntakeError, status=422, code="validation_error", message="Some fields are missing or invalid."
): ...


class ServiceUnavailable(
    ContactIntakeError,
    status=503,
    code="service_unavailable",
    message="The service is temporarily unavailable. Please try again shortly.",
):
    """A dependency (storage, captcha provider) failed: nothing was stored, the client may retry."""


class CaptchaUnavailable(
    ServiceUnavailable,
    code="captcha_unavailable",
    message="The captcha check is temporarily unavailable. Please try again shortly.",
):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ConfigurationError(RuntimeError):
    """The function's configuration is missing or invalid: raised at start, never answered to a client."""


class MalformedMessage(ValueError):
    """A queue message whose body is not one of ours (the claim check of the queue it came from): it can
    never succeed, so it is dropped or dead-lettered, never retried. The message says what is wrong in a few
    words, never quoting the body. Never answered to a client."""
