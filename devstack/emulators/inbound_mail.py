"""``POST /_local/inbound-mail``: a mail arrives at the privacy address, as SES's receipt rule would take it
(docs/architecture.md §8, a contract; devstack only, never deployed).

The body is the raw MIME message. Like SES, devstack runs the template's ``AWS::SES::ReceiptRule`` (whatever
its Condition: receiving is switched off in the template's defaults, and on locally):

1. the S3 action: the message, with the headers SES adds, is stored in the rule's bucket under its prefix +
   a new SES-style message id;
2. the Lambda action: the function gets SES's event (``Records[].ses.{mail, receipt}``: headers, common
   headers, verdicts), invoked as Lambda invokes asynchronously (retries, then the OnFailure destination).

Verdicts are PASS, unless the request says ``X-Local-Verdict: FAIL`` (every verdict FAIL) or names some,
``X-Local-Verdict: spam=FAIL, dmarc=FAIL`` (a DMARC FAIL comes with ``dmarcPolicy`` ``reject``).

Answer: ``200 {"message_id", "bucket", "key", "function", "delivery": {"status", "attempts", "result" |
"error"}}`` once the function has run; ``GET`` lists the receipt rules devstack emulates.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any, Final, Protocol

from devstack.console import Console
from devstack.emulators import PointsNoFunction, no_local_endpoint
from devstack.event_sources import function_logical_id
from devstack.functions import FunctionSpec
from devstack.http import HttpRequest, HttpResponse, json_response
from devstack.intrinsics import UnresolvableError
from devstack.resources import ResourceMap

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

PREFIX: Final = "/_local/inbound-mail"
VERDICT_HEADER: Final = "X-Local-Verdict"
VERDICTS: Final = ("spam", "virus", "spf", "dkim", "dmarc")
_STATUSES: Final = frozenset({"PASS", "FAIL", "GRAY", "PROCESSING_FAILED"})
_ID_ALPHABET: Final = string.ascii_lowercase + string.digits
LOCAL_RECIPIENT: Final = "privacy@localhost"  # when the rule names none (PrivacyMailAddress is empty locally)


class Delivered(Protocol):
    def as_json(self) -> dict[str, Any]: ...


Deliver = Callable[[str, dict[str, Any]], Delivered]


@dataclass(frozen=True)
class ReceiptRule:
    """What one AWS::SES::ReceiptRule does, resolved to the local resources."""

    logical_id: str
    name: str
    recipients: tuple[str, ...]
    bucket: str
    prefix: str
    function: str  # logical id
    function_arn: str
    scan_enabled: bool

    def describe(self) -> dict[str, Any]:
        return {
            "rule": self.logical_id,
            "name": self.name,
            "recipients": list(self.recipients),
            "s3": {"bucket": self.bucket, "prefix": self.prefix},
            "function": self.function,
        }


def receipt_rules(
    resources: ResourceMap, specs: Mapping[str, FunctionSpec]
) -> tuple[list[ReceiptRule], list[str]]:
    """The template's receipt rules with an S3 action followed by a Lambda action on a local function, and a
    line for each rule devstack cannot run."""
    rules: list[ReceiptRule] = []
    skipped: list[str] = []
    for logical_id, resource in resources.template["Resources"].items():
        if resource.get("Type") != "AWS::SES::ReceiptRule":
            continue
        rule = ((resource.get("Properties") or {}).get("Rule")) or {}
        try:
            rules.append(_receipt_rule(resources, specs, logical_id, rule))
        except (UnresolvableError, LookupError, TypeError, ValueError) as problem:
            skipped.append(f"{logical_id}: {problem}")
    return rules, skipped


def _receipt_rule(
    resources: ResourceMap, specs: Mapping[str, FunctionSpec], logical_id: str, rule: Mapping[str, Any]
) -> ReceiptRule:
    actions = list(rule.get("Actions") or [])
    s3 = next((a["S3Action"] for a in actions if "S3Action" in a), None)
    lambda_action = next((a["LambdaAction"] for a in actions if "LambdaAction" in a), None)
    if s3 is None or lambda_action is None:
        raise LookupError("it has no S3 action and Lambda action")
    function = function_logical_id(lambda_action.get("FunctionArn"), resources, specs)
    if function is None:
        raise LookupError("its Lambda action names no local function")
    read = resources.resolve(
        {"Name": rule.get("Name", logical_id), "Recipients": rule.get("Recipients") or [], "S3": s3}
    )
    return ReceiptRule(
        logical_id=logical_id,
        name=str(read["Name"]),
        recipients=tuple(str(r) for r in read["Recipients"] if r),
        bucket=str(read["S3"]["BucketName"]),
        prefix=str(read["S3"].get("ObjectKeyPrefix") or ""),
        function=function,
        function_arn=specs[function].arn,
        scan_enabled=rule.get("ScanEnabled") in {True, "true", "True"},
    )


def message_id() -> str:
    """An SES-style message id: 40 lower-case letters and digits."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(40))


def requested_verdicts(header: str | None) -> dict[str, str]:
    """The verdicts a request asks for: all PASS; ``FAIL`` makes all FAIL; ``spam=FAIL, dkim=GRAY`` some.
    Raises ValueError naming what it does not understand."""
    verdicts = dict.fromkeys(VERDICTS, "PASS")
    if not header or not header.strip():
        return verdicts
    if "=" not in header:
        status = header.strip().upper()
        if status not in _STATUSES:
            raise ValueError(f"{VERDICT_HEADER}: unknown status {status!r}")
        return dict.fromkeys(VERDICTS, status)
    for pair in header.split(","):
        name, _, status = (part.strip() for part in pair.partition("="))
        if name.lower() not in verdicts or status.upper() not in _STATUSES:
            raise ValueError(f"{VERDICT_HEADER}: cannot read {pair.strip()!r}")
        verdicts[name.lower()] = status.upper()
    return verdicts


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _addresses(message: Message, name: str) -> list[str]:
    """The addresses of a header; none when the header is too hostile for ``getaddresses`` (its comment
    parser recurses: a From of thousands of nested comments must reach the function, as SES lets it)."""
    try:
        return [
            address for _, address in getaddresses([str(v) for v in message.get_all(name, [])]) if address
        ]
    except (RecursionError, ValueError, IndexError):
        return []


def _headers(raw: bytes) -> Message:
    """The message's headers only (as SES reads them for its event): the body is never parsed, so a
    hostile MIME structure reaches the function instead of failing here."""
    return BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)


@dataclass(frozen=True)
class Arrival:
    """One mail as SES took it: its new id, the recipients, the verdicts, when."""

    message_id: str
    recipients: tuple[str, ...]
    verdicts: dict[str, str]
    received: datetime


class InboundMailEmulator(PointsNoFunction):
    prefix = PREFIX
    endpoints = ("GET|POST /_local/inbound-mail",)

    def __init__(
        self,
        rules: list[ReceiptRule],
        *,
        s3: Callable[[], S3Client],
        deliver: Deliver,
        region: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._rules = rules
        self._s3 = s3
        self._deliver = deliver
        self._region = region
        self._clock = clock

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if subpath not in {"", "/"}:
            return no_local_endpoint(request)
        if request.method == "GET":
            return json_response(200, {"rules": [rule.describe() for rule in self._rules]})
        if request.method != "POST":
            return json_response(
                405, {"message": "use POST with a raw MIME message"}, [("Allow", "GET, POST")]
            )
        return self._post(request)

    def _post(self, request: HttpRequest) -> HttpResponse:
        if not self._rules:
            return json_response(503, {"message": "the template has no SES receipt rule devstack can run"})
        if not request.body.strip():
            return json_response(400, {"message": "the body must be a raw MIME message (RFC 5322)"})
        try:
            verdicts = requested_verdicts(request.header(VERDICT_HEADER))
        except ValueError as problem:
            return json_response(400, {"message": str(problem)})
        return json_response(200, self.receive(request.body, verdicts))

    def receive(self, raw: bytes, verdicts: Mapping[str, str]) -> dict[str, Any]:
        """Run the first receipt rule on ``raw``: store it, then invoke the function with SES's event."""
        rule = self._rules[0]
        message = _headers(raw)
        arrival = Arrival(
            message_id=message_id(),
            recipients=tuple(rule.recipients or _addresses(message, "To") or [LOCAL_RECIPIENT]),
            verdicts=dict(verdicts),
            received=self._clock(),
        )
        stored = self._ses_headers(message, arrival) + raw
        key = f"{rule.prefix}{arrival.message_id}"
        self._s3().put_object(Bucket=rule.bucket, Key=key, Body=stored)
        event = ses_event(rule, _headers(stored), arrival)
        delivery = self._deliver(rule.function, event)
        return {
            "message_id": arrival.message_id,
            "bucket": rule.bucket,
            "key": key,
            "function": rule.function,
            "delivery": delivery.as_json(),
        }

    def _ses_headers(self, message: Message, arrival: Arrival) -> bytes:
        """The headers SES's S3 action puts in front of the message."""
        sender = (_addresses(message, "From") or [""])[0]
        when = email.utils.format_datetime(arrival.received.astimezone(UTC))
        lines = [
            f"Return-Path: <{sender}>",
            f"Received: from localhost (localhost [127.0.0.1]) by inbound-smtp.{self._region}.amazonaws.com "
            f"with SMTP id {arrival.message_id} for {arrival.recipients[0]}; {when}",
            f"X-SES-Spam-Verdict: {arrival.verdicts['spam']}",
            f"X-SES-Virus-Verdict: {arrival.verdicts['virus']}",
        ]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8", "replace")


def ses_event(rule: ReceiptRule, message: Message, arrival: Arrival) -> dict[str, Any]:
    """SES's Lambda action event for ``message`` (the shape of events/rights_mail_ses_receipt.json)."""
    timestamp = _iso(arrival.received)
    sender = (_addresses(message, "Return-Path") or _addresses(message, "From") or [""])[0]
    receipt: dict[str, Any] = {
        "timestamp": timestamp,
        "processingTimeMillis": 1,
        "recipients": list(arrival.recipients),
        **{f"{name}Verdict": {"status": status} for name, status in arrival.verdicts.items()},
        "action": {"type": "Lambda", "functionArn": rule.function_arn, "invocationType": "Event"},
    }
    if arrival.verdicts["dmarc"] == "FAIL":
        receipt["dmarcPolicy"] = "reject"
    mail = {
        "timestamp": timestamp,
        "source": sender,
        "messageId": arrival.message_id,
        "destination": list(arrival.recipients),
        "headersTruncated": False,
        "headers": [{"name": k, "value": str(v)} for k, v in message.items()],
        "commonHeaders": _common_headers(message, sender),
    }
    return {
        "Records": [
            {"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {"mail": mail, "receipt": receipt}}
        ]
    }


def _common_headers(message: Message, sender: str) -> dict[str, Any]:
    common: dict[str, Any] = {"returnPath": sender}
    for name, key in (("From", "from"), ("To", "to"), ("Cc", "cc"), ("Reply-To", "replyTo")):
        values = [str(v) for v in message.get_all(name, [])]
        if values:
            common[key] = values
    for name, key in (("Date", "date"), ("Message-ID", "messageId"), ("Subject", "subject")):
        if message.get(name) is not None:
            common[key] = str(message.get(name))
    return common


def inbound_mail_emulator(
    resources: ResourceMap,
    specs: Mapping[str, FunctionSpec],
    *,
    deliver: Deliver,
    s3: Callable[[], S3Client],
    region: str,
    console: Console,
) -> InboundMailEmulator:
    """The emulator for the template's receipt rules, with a console line for each (and each it skips)."""
    rules, skipped = receipt_rules(resources, specs)
    for rule in rules:
        console.info(
            f"  receipt rule {rule.logical_id}: S3 {rule.bucket}/{rule.prefix}, then {rule.function} "
            f"(POST {PREFIX})"
        )
    for line in skipped:
        console.info(f"  not emulated: receipt rule {line}")
    return InboundMailEmulator(rules, s3=s3, deliver=deliver, region=region)
