"""Fakes of the ports RightsMailIntake uses: the raw mail bucket and the rights service's intake.

``FakeRights`` records every ``receive`` call with its arguments (bound to the signature of the port,
contact_intake.rights.mail_intake.RightsReceiver), so a test asserts what a mail became.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from inspect import signature
from pathlib import Path
from typing import Any

from contact_intake.core.errors import ServiceUnavailable
from contact_intake.rights.mail_intake import RightsReceiver
from contact_intake.rights.raw_mail import RawMailMissing

MAIL_CORPUS = Path(__file__).resolve().parent / "data" / "mail"


def corpus_manifest() -> dict[str, dict[str, Any]]:
    manifest: dict[str, dict[str, Any]] = json.loads((MAIL_CORPUS / "manifest.json").read_text("utf-8"))
    return manifest


def corpus_mail(name: str) -> bytes:
    return (MAIL_CORPUS / name).read_bytes()


_RECEIVE = signature(RightsReceiver.receive)


@dataclass(frozen=True)
class ReceivedRequest:
    request_id: str


@dataclass
class FakeRights(RightsReceiver):
    """The rights service's intake as RightsMailIntake sees it (the RightsReceiver port it declares): each
    ``receive`` recorded with all its arguments, bound to the port's signature (a call the port does not take
    fails here as it would there), the right as its string; ``failing``: the service is unavailable."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = False

    def receive(self, **arguments: Any) -> ReceivedRequest:
        bound = _RECEIVE.bind(self, **arguments)
        if self.failing:
            raise ServiceUnavailable()
        bound.apply_defaults()
        call = {name: value for name, value in bound.arguments.items() if name != "self"}
        self.calls.append({**call, "right": str(call["right"])})
        return ReceivedRequest(request_id=str(uuid.uuid4()))


@dataclass
class FakeRawMail:
    """InboundMailBucket in memory, with RawMailStore's key scheme."""

    prefix: str = "raw/"
    objects: dict[str, bytes] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def key_for(self, message_id: str) -> str:
        return f"{self.prefix}{message_id}"

    def put(self, message_id: str, raw: bytes) -> str:
        key = self.key_for(message_id)
        self.objects[key] = raw
        return key

    def read(self, key: str) -> bytes:
        if key not in self.objects:
            raise RawMailMissing(key)
        return self.objects[key]

    def delete(self, key: str) -> None:
        self.deleted.append(key)
        self.objects.pop(key, None)
