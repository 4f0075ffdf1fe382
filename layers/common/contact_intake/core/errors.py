"""Typed errors of the domain, each with the HTTP status and public code it maps to at the boundary.

Messages are public: they never carry personal data, internal names or stack traces.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One bad field of a request: the field's public name, a machine code and a human message."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class ContactIntakeError(Exception):
    """Base of every error the API answers with a JSON error body."""

    status: int = 500
    code: str = "internal_error"
    default_message: str = "The request could not be processed."

    def __init__(self, message: str | None = None, fields: list[FieldError] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or []
        super().__init__(self.message)


class MalformedBody(ContactIntakeError):
    status, code = 400, "malformed_body"
    default_message = "The request body could not be read."


class Unauthorized(ContactIntakeError):
    status, code = 401, "unauthorized"
    default_message = "Missing or wrong credentials."


class CaptchaRejected(ContactIntakeError):
    """The captcha said this was not a person (or the token was reused, expired, or for another site)."""

    status, code = 403, "captcha_failed"
    default_message = "The captcha check failed. Please try again."

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason  # internal, for logs and metrics only (a siteverify error code or our check)


class NotFound(ContactIntakeError):
    status, code = 404, "not_found"
    default_message = "Not found."


class IdempotencyConflict(ContactIntakeError):
    status, code = 409, "idempotency_conflict"
    default_message = "This Idempotency-Key was already used with a different request body."


class TicketMismatch(ContactIntakeError):
    """The helpdesk reported a ticket that is not the one recorded for the inquiry: nothing is changed."""

    status, code = 409, "ticket_mismatch"
    default_message = "The ticket does not belong to this inquiry."


class Gone(ContactIntakeError):
    status, code = 410, "gone"
    default_message = "This link has expired or was already used."


class BodyTooLarge(ContactIntakeError):
    status, code = 413, "body_too_large"
    default_message = "The request body is too large."


class UnsupportedMediaType(ContactIntakeError):
    status, code = 415, "unsupported_media_type"
    default_message = "Send application/json or application/x-www-form-urlencoded."


class ValidationFailed(ContactIntakeError):
    status, code = 422, "validation_error"
    default_message = "Some fields are missing or invalid."


class ServiceUnavailable(ContactIntakeError):
    """A dependency (storage, captcha provider) failed: nothing was stored, the client may retry."""

    status, code = 503, "service_unavailable"
    default_message = "The service is temporarily unavailable. Please try again shortly."


class CaptchaUnavailable(ServiceUnavailable):
    code = "captcha_unavailable"
    default_message = "The captcha check is temporarily unavailable. Please try again shortly."

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ConfigurationError(RuntimeError):
    """The function's configuration is missing or invalid: raised at start, never answered to a client."""


class MalformedMessage(ValueError):
    """A queue message whose body is not one of ours (the claim check of the queue it came from): it can
    never succeed, so it is dropped or dead-lettered, never retried. The message says what is wrong in a few
    words, never quoting the body. Never answered to a client."""
