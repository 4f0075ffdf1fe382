"""``contact-intake-dpo``: handle rights requests from the command line (docs/dpo-guide.md).

Every command signs its request with your AWS credentials (SigV4). People get aligned tables; scripts get
the API's JSON with ``--json``. Exit codes: 0 done, 1 refused or failed (the message says why), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TextIO

from contact_intake.rights import models
from dpo_cli.client import ENDPOINT_VARIABLE, CliError, DpoClient, connect

# the API's own vocabulary (rights/models.py imports the standard library only, so the command line needs no
# more than it did: docs/decisions.md D114)
RIGHTS = tuple(str(right) for right in models.RIGHTS)
UNCLASSIFIED = str(models.RightType.UNCLASSIFIED)
STATUSES = ("open", "awaiting_verification", "verified", "in_progress", "completed", "rejected", "expired")
CLOSED = frozenset({"completed", "rejected", "expired"})  # no deadline runs for these
LANGUAGES = ("nl", "de", "en", "fr")
CORRECTABLE = ("name", "email", "customer_number")

Handler = Callable[[DpoClient, argparse.Namespace], dict[str, Any]]


# ---------------------------------------------------------------- output


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain columns, left-aligned, two spaces apart (no borders: easy to read, easy to grep)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=False)).rstrip()
        for line in lines
    )


def _day(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%Y-%m-%d") if value else "-"


def _moment(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def _days(value: int, status: str) -> str:
    """The deadline in words: "6 days left", "34 days overdue", "due today"; nothing for a closed request."""
    if status in CLOSED:
        return ""
    if value == 0:
        return "due today"
    count = abs(value)
    unit = "day" if count == 1 else "days"
    return f"{count} {unit} overdue" if value < 0 else f"{count} {unit} left"


def _locale(value: str) -> str:
    """--locale: nl, de, en or fr (a regional variant such as de-AT is its language)."""
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    if primary not in LANGUAGES:
        raise argparse.ArgumentTypeError(
            f"unsupported language {value!r}: choose one of {', '.join(LANGUAGES)} (the person's mails and "
            "confirmation page are written in these)"
        )
    return primary


def format_list(answer: dict[str, Any]) -> str:
    requests = answer.get("requests", [])
    if not requests:
        return "No requests."
    rows = [
        (
            r["request_id"],
            r["type"],
            r["status"],
            r["channel"],
            _day(r["received_at"]),
            _day(r["extended_due_at"] or r["due_at"]) + (" (ext.)" if r["extended_due_at"] else ""),
            _days(r["days_left"], r["status"]) or "-",
        )
        for r in requests
    ]
    return table(("ID", "TYPE", "STATUS", "CHANNEL", "RECEIVED", "DUE", "DEADLINE"), rows)


def format_request(request: dict[str, Any]) -> str:
    due = request["extended_due_at"] or request["due_at"]
    fields: list[tuple[str, str]] = [
        ("Request", request["request_id"]),
        ("Type", request["type"]),
        ("Status", request["status"]),
        ("Channel", request["channel"]),
        ("E-mail", request["email"]),
        ("Language", request["locale"]),
        ("Received", _moment(request["received_at"])),
        (
            "Due",
            _moment(due)
            + (f" ({deadline})" if (deadline := _days(request["days_left"], request["status"])) else ""),
        ),
    ]
    if request["extended_due_at"]:
        fields += [
            ("First due", _moment(request["due_at"])),
            ("Extended for", request["extension_reason"] or "-"),
        ]
    optional = [
        ("Acknowledged", _moment(request["acknowledged_at"]) if request["acknowledged_at"] else None),
        ("Verified", _moment(request["verified_at"]) if request["verified_at"] else None),
        ("Raw mail", request["raw_mail_key"]),
        ("Corrections", ", ".join(f"{k}={v}" for k, v in request["corrections"].items()) or None),
        ("Rejected for", "; ".join(request["rejection_reasons"]) or None),
        (
            "Objection",
            None
            if request["objection_upheld"] is None
            else ("upheld" if request["objection_upheld"] else "not upheld"),
        ),
        ("Grounds", request["objection_grounds"]),
        (
            "Restriction lifted",
            _moment(request["restriction_lifted_at"]) if request["restriction_lifted_at"] else None,
        ),
        ("Completed", _moment(request["completed_at"]) if request["completed_at"] else None),
    ]
    fields += [(label, value) for label, value in optional if value]
    width = max(len(label) for label, _ in fields)
    lines = [f"{label + ':':<{width + 1}}  {value}" for label, value in fields]
    audit = [
        (_moment(e["at"]), e["actor"], e["action"], ", ".join(f"{k}={v}" for k, v in e["counts"].items()))
        for e in request["audit"]
    ]
    lines += ["", "Audit trail:", table(("AT", "ACTOR", "ACTION", "COUNTS"), audit) if audit else "(empty)"]
    return "\n".join(lines)


# ---------------------------------------------------------------- commands


def _corrections(pairs: Sequence[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    corrections = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in CORRECTABLE:
            raise CliError(
                f"--correct takes FIELD=VALUE with FIELD one of {', '.join(CORRECTABLE)}; got {pair!r}"
            )
        corrections[name] = value
    return corrections


def _create(client: DpoClient, args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": args.type,
        "email": args.email,
        "locale": args.locale,
        "identity_verified": args.verified,
    }
    if args.received_at:
        body["received_at"] = args.received_at
    corrections = _corrections(args.correct)
    if corrections:
        body["corrections"] = corrections
    return client.create(body)


def _amend(client: DpoClient, args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if args.type:
        body["type"] = args.type
    corrections = _corrections(args.correct)
    if corrections:
        body["corrections"] = corrections
    if not body:
        raise CliError("amend needs --type or --correct")
    return client.amend(args.request_id, body)


COMMANDS: dict[str, tuple[Handler, Callable[[dict[str, Any]], str]]] = {
    "create": (_create, format_request),
    "list": (lambda c, a: c.list_requests(a.status), format_list),
    "show": (lambda c, a: c.show(a.request_id), format_request),
    "extend": (lambda c, a: c.extend(a.request_id, a.months, a.reason), format_request),
    "reject": (lambda c, a: c.reject(a.request_id, a.reason), format_request),
    "decide-objection": (lambda c, a: c.decide_objection(a.request_id, a.upheld, a.grounds), format_request),
    "lift-restriction": (lambda c, a: c.lift_restriction(a.request_id), format_request),
    "amend": (_amend, format_request),
    "resend": (lambda c, a: c.resend(a.request_id), format_request),
}


def _connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--endpoint",
        default=default,
        help=f"the API's base URL, the stack's ApiUrl output (default: ${ENDPOINT_VARIABLE})",
    )
    parser.add_argument("--region", default=default, help="AWS region to sign for (default: your profile's)")
    parser.add_argument(
        "--profile", default=default, help="AWS profile whose credentials sign (default: the usual chain)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print the API's JSON answer (for scripts)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contact-intake-dpo",
        description="Handle data subject rights requests (access, erasure, ...) as the DPO.",
        epilog="Every request is signed with your AWS credentials. See docs/dpo-guide.md.",
    )
    _connection_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=description)
        _connection_options(sub, suppress=True)
        return sub

    create = command(
        "create",
        "record a request received by letter, phone or in person",
        "Record a request the DPO received. With --verified you have checked the person's identity and "
        "the request runs at once; with --send-link the person gets the acknowledgement with a "
        "verification link.",
    )
    create.add_argument("--type", required=True, choices=(*RIGHTS, UNCLASSIFIED), help="the right asked for")
    create.add_argument("--email", required=True, help="the person's e-mail address (answers go there)")
    create.add_argument(
        "--locale", default="en", type=_locale, help="the person's language: nl, de, en or fr (default en)"
    )
    verified = create.add_mutually_exclusive_group(required=True)
    verified.add_argument(
        "--verified", dest="verified", action="store_true", help="you verified their identity"
    )
    verified.add_argument(
        "--send-link", dest="verified", action="store_false", help="e-mail them a verification link"
    )
    create.add_argument("--received-at", help="when it reached you, ISO 8601 with offset (default now)")
    create.add_argument(
        "--correct", action="append", metavar="FIELD=VALUE", help="rectification: a corrected value"
    )

    listing = command(
        "list",
        "list requests, open ones by default, with days left",
        "List requests, earliest deadline first.",
    )
    listing.add_argument("--status", default="open", choices=STATUSES, help="which requests (default open)")

    show = command("show", "show one request with its audit trail", "Show one request with its audit trail.")
    show.add_argument("request_id", metavar="ID")

    extend = command(
        "extend",
        "extend the deadline by 1 or 2 months (inside the first month; the person is told)",
        "Extend the deadline by up to two months. Only inside the first month, once, with a reason that "
        "is sent to the person.",
    )
    extend.add_argument("request_id", metavar="ID")
    extend.add_argument("--months", type=int, required=True, choices=(1, 2), help="further months")
    extend.add_argument("--reason", required=True, help="why (sent to the person)")

    reject = command(
        "reject",
        "refuse a request, with reasons (the person is told of the right to complain)",
        "Refuse a request. The reasons are sent to the person with the right to complain to a supervisory "
        "authority. Repeat --reason for several.",
    )
    reject.add_argument("request_id", metavar="ID")
    reject.add_argument("--reason", action="append", required=True, help="a reason (sent to the person)")

    decide = command(
        "decide-objection",
        "decide an objection: upheld (erase) or not (with the compelling grounds)",
        "Decide an objection (Art. 21). Upheld: the person's data is erased. Not upheld: --grounds are "
        "sent to the person and the restriction that applied meanwhile is lifted.",
    )
    decide.add_argument("request_id", metavar="ID")
    upheld = decide.add_mutually_exclusive_group(required=True)
    upheld.add_argument("--upheld", dest="upheld", action="store_true", help="the objection stands")
    upheld.add_argument(
        "--not-upheld", dest="upheld", action="store_false", help="compelling grounds override it"
    )
    decide.add_argument(
        "--grounds", default="", help="the compelling legitimate grounds (required when not upheld)"
    )

    lift = command(
        "lift-restriction",
        "lift a restriction (the person is told first)",
        "Lift the restriction a completed restriction request put in place.",
    )
    lift.add_argument("request_id", metavar="ID")

    amend = command(
        "amend",
        "classify an unclassified request, or give a rectification's corrections",
        "Say which right an unclassified request asks for, or what a rectification corrects; a verified "
        "request then runs.",
    )
    amend.add_argument("request_id", metavar="ID")
    amend.add_argument("--type", choices=RIGHTS, help="the right asked for")
    amend.add_argument("--correct", action="append", metavar="FIELD=VALUE", help="a corrected value")

    resend = command(
        "resend",
        "send a fresh confirmation link for a request awaiting verification (the old link stops working)",
        "Send the person a fresh confirmation link, valid for seven days, for a request still awaiting "
        "verification; the old link stops working at once. A confirmed, closed or expired request is "
        "refused.",
    )
    resend.add_argument("request_id", metavar="ID")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    handler, formatter = COMMANDS[args.command]
    try:
        client = DpoClient(connect(args.endpoint, args.region, args.profile))
        answer = handler(client, args)
    except CliError as error:
        print(f"contact-intake-dpo: {error}", file=err)
        return 1
    text = json.dumps(answer, indent=2, ensure_ascii=False) if args.json else formatter(answer)
    try:
        print(text, file=out)
        out.flush()
    except BrokenPipeError:  # piped into `head` or `less` that quit: the reader has what it wanted
        _silence(out)
    return 0


def _silence(out: TextIO) -> None:
    """After a broken pipe, point the stream at /dev/null so the interpreter's final flush stays quiet."""
    try:
        descriptor = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
