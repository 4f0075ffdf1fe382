"""Typed errors of the domain, each with the HTTP status and public code it maps to at the boundary.

Messages are public: they never carry personal data, internal names or stack traces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class FieldError:
    """One bad field of a request: the field's public name, a machine code and a human message."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


# Every public error code: its HTTP status and its default message. The API's error codes are this one list
# (the rights and recordings codes too); a message is public, so it never carries personal data, internal
# names or stack traces.
ANSWERS: Final[Mapping[str, tuple[int, str]]] = {
    "internal_error": (500, "The request could not be processed."),
    "malformed_body": (400, "The request body could not be read."),
    "unauthorized": (401, "Missing or wrong credentials."),
    "forbidden": (403, "The caller is not allowed to use this route."),
    "captcha_failed": (403, "The captcha check failed. Please try again."),
    "not_found": (404, "Not found."),
    "idempotency_conflict": (409, "This Idempotency-Key was already used with a different request body."),
    "ticket_mismatch": (409, "The ticket does not belong to this inquiry."),
    "invalid_state": (409, "The request's state does not allow this action."),
    "recording_conflict": (409, "The recording cannot be changed in its current state."),
    "gone": (410, "This link has expired or was already used."),
    "body_too_large": (413, "The request body is too large."),
    "unsupported_media_type": (415, "Send application/json or application/x-www-form-urlencoded."),
    "validation_error": (422, "Some fields are missing or invalid."),
    "service_unavailable": (503, "The service is temporarily unavailable. Please try again shortly."),
    "captcha_unavailable": (503, "The captcha check is temporarily unavailable. Please try again shortly."),
}


class ContactIntakeError(Exception):
    """Base of every error the API answers with a JSON error body. A subclass names its public code as a
    class keyword, ``class Gone(ContactIntakeError, code="gone")``, and so its status and default message
    (ANSWERS); ``message=`` gives it a message of its own. What it leaves out it inherits."""

    code: str = "internal_error"
    status: int = ANSWERS[code][0]
    default_message: str = ANSWERS[code][1]

    def __init_subclass__(cls, *, code: str | None = None, message: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
            cls.status, cls.default_message = ANSWERS[code]
        if message is not None:
            cls.default_message = message

    def __init__(self, message: str | None = None, fields: list[FieldError] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or []
        super().__init__(self.message)


class MalformedBody(ContactIntakeError, code="malformed_body"): ...


class Unauthorized(ContactIntakeError, code="unauthorized"): ...


class CaptchaRejected(ContactIntakeError, code="captcha_failed"):
    """The captcha said this was not a person (or the token was reused, expired, or for another site)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason  # internal, for logs and metrics only (a siteverify error code or our check)


class NotFound(ContactIntakeError, code="not_found"): ...


class IdempotencyConflict(ContactIntakeError, code="idempotency_conflict"): ...


class TicketMismatch(ContactIntakeError, code="ticket_mismatch"):
    """The helpdesk reported a ticket that is not the one recorded for the inquiry: nothing is changed."""


class Gone(ContactIntakeError, code="gone"): ...


class BodyTooLarge(ContactIntakeError, code="body_too_large"): ...


class UnsupportedMediaType(ContactIntakeError, code="unsupported_media_type"): ...


class ValidationFailed(ContactIntakeError, code="validation_error"): ...


class ServiceUnavailable(ContactIntakeError, code="service_unavailable"):
    """A dependency (storage, captcha provider) failed: nothing was stored, the client may retry."""


class CaptchaUnavailable(ServiceUnavailable, code="captcha_unavailable"):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ConfigurationError(RuntimeError):
    """The function's configuration is missing or invalid: raised at start, never answered to a client."""


class MalformedMessage(ValueError):
    """A queue message whose body is not one of ours (the claim check of the queue it came from): it can
    never succeed, so it is dropped or dead-lettered, never retried. The message says what is wrong in a few
    words, never quoting the body. Never answered to a client."""
