"""contact-intake-dpo: every command signs with SigV4 for execute-api, prints plain tables (or the API's JSON
with --json), and explains failures in words a DPO can act on. The HTTP side is `responses`; the signature
is checked by devstack's own SigV4 verifier."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
import responses

from devstack.http import HttpRequest
from devstack.sigv4 import verify_sigv4
from dpo_cli.cli import build_parser, format_list, format_request, main, table
from dpo_cli.client import CliError, connect

API = "https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/v1"
REQUEST_ID = "3f0b9a52-7c1e-4d8a-9b6f-2e4c7a1d5b80"
LISTED = {
    "request_id": REQUEST_ID,
    "type": "erasure",
    "status": "verified",
    "channel": "email",
    "received_at": "2026-11-01T09:00:00Z",
    "due_at": "2026-12-01T09:00:00Z",
    "extended_due_at": None,
    "days_left": 6,
}
SHOWN = LISTED | {
    "locale": "nl",
    "email": "zoe@example.org",
    "acknowledged_at": "2026-11-01T09:00:01Z",
    "verified_at": "2026-11-01T10:00:00Z",
    "raw_mail_key": "raw/abc",
    "extension_reason": None,
    "rejection_reasons": [],
    "objection_upheld": None,
    "objection_grounds": None,
    "corrections": {},
    "restriction_lifted_at": None,
    "completed_at": None,
    "audit": [
        {"at": "2026-11-01T09:00:00Z", "actor": "system", "action": "received", "counts": {}},
        {"at": "2026-11-01T10:00:00Z", "actor": "system", "action": "verified", "counts": {}},
        {
            "at": "2026-11-02T08:00:00Z",
            "actor": "dpo:arn:aws:iam::123456789012:user/anna",
            "action": "extended",
            "counts": {"months": 2, "notified": 1},
        },
    ],
}


@pytest.fixture(autouse=True)
def local_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "CONTACT_INTAKE_API",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def as_http_request(prepared: Any) -> HttpRequest:
    """What devstack would receive for a request ``responses`` captured."""
    from urllib.parse import urlsplit

    url = urlsplit(prepared.url)
    body = prepared.body or b""
    return HttpRequest(
        method=prepared.method,
        path=url.path,
        query=url.query,
        headers=(("Host", url.netloc), *prepared.headers.items()),  # requests adds Host on the wire
        body=body if isinstance(body, bytes) else body.encode(),
    )


@responses.activate
def test_every_request_is_signed_for_execute_api() -> None:
    responses.get(f"{API}/rights-requests", json={"requests": [LISTED]})
    code, _, _ = run("--endpoint", API, "list")
    assert code == 0
    (call,) = responses.calls
    assert call.request.url == f"{API}/rights-requests?status=open"
    authorization = call.request.headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=local/")
    assert "/eu-central-1/execute-api/aws4_request" in authorization  # the region from the execute-api host
    assert verify_sigv4(as_http_request(call.request), region="eu-central-1").ok


@responses.activate
def test_a_signed_body_verifies_too() -> None:
    responses.post(f"{API}/rights-requests/{REQUEST_ID}/reject", json=SHOWN | {"status": "rejected"})
    code, _, _ = run(
        "--endpoint", API, "reject", REQUEST_ID, "--reason", "Manifestly unfounded.", "--reason", "Repeated."
    )
    assert code == 0
    request = responses.calls[0].request
    assert json.loads(request.body) == {"reasons": ["Manifestly unfounded.", "Repeated."]}
    assert verify_sigv4(as_http_request(request), region="eu-central-1").ok


@responses.activate
def test_list_prints_an_aligned_table_with_days_left() -> None:
    overdue = LISTED | {
        "request_id": "x" * 36,
        "type": "access",
        "days_left": -2,
        "extended_due_at": "2027-02-01T09:00:00Z",
    }
    responses.get(f"{API}/rights-requests", json={"requests": [LISTED, overdue]})
    code, out, _ = run("--endpoint", API, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TYPE", "STATUS", "CHANNEL", "RECEIVED", "DUE", "DEADLINE"]
    assert lines[1].split() == [
        *(REQUEST_ID, "erasure", "verified", "email", "2026-11-01", "2026-12-01"),
        *("6", "days", "left"),
    ]
    assert "2027-02-01 (ext.)" in lines[2]
    assert lines[2].endswith("2 days overdue")
    # aligned: every column starts at the same offset on every line
    assert len({line.index("verified") for line in lines[1:]}) == 1
    assert lines[0].index("STATUS") == lines[1].index("verified")


@responses.activate
def test_json_prints_the_api_answer_for_scripts() -> None:
    responses.get(f"{API}/rights-requests", json={"requests": [LISTED]})
    code, out, _ = run("list", "--endpoint", API, "--status", "verified", "--json")
    assert code == 0
    assert json.loads(out) == {"requests": [LISTED]}
    assert responses.calls[0].request.url.endswith("?status=verified")


@responses.activate
def test_show_prints_the_request_and_its_audit_trail() -> None:
    responses.get(f"{API}/rights-requests/{REQUEST_ID}", json=SHOWN)
    code, out, _ = run("--endpoint", API, "show", REQUEST_ID)
    assert code == 0
    fields = dict(line.split(":  ", 1) for line in out.split("\n\n")[0].splitlines())
    assert {label: value.strip() for label, value in fields.items()} == {
        "Request": REQUEST_ID,
        "Type": "erasure",
        "Status": "verified",
        "Channel": "email",
        "E-mail": "zoe@example.org",
        "Language": "nl",
        "Received": "2026-11-01 09:00 UTC",
        "Due": "2026-12-01 09:00 UTC (6 days left)",
        "Acknowledged": "2026-11-01 09:00 UTC",
        "Verified": "2026-11-01 10:00 UTC",
        "Raw mail": "raw/abc",
    }
    head = out.split("\n\n")[0].splitlines()
    assert len({len(line) - len(line[line.index(":") + 1 :].lstrip()) for line in head}) == 1  # aligned
    trail = out.split("Audit trail:\n", 1)[1].splitlines()
    assert trail[0].split() == ["AT", "ACTOR", "ACTION", "COUNTS"]
    assert trail[3].split() == [
        "2026-11-02",
        "08:00",
        "UTC",
        "dpo:arn:aws:iam::123456789012:user/anna",
        "extended",
        "months=2,",
        "notified=1",
    ]


def test_format_request_shows_decisions_and_extensions() -> None:
    text = format_request(
        SHOWN
        | {
            "extended_due_at": "2027-02-01T09:00:00Z",
            "extension_reason": "Many records.",
            "objection_upheld": False,
            "objection_grounds": "Legal claim.",
            "rejection_reasons": ["a", "b"],
            "corrections": {"name": "Zoë"},
            "restriction_lifted_at": "2026-11-03T00:00:00Z",
            "completed_at": "2026-11-04T00:00:00Z",
            "audit": [],
        }
    )
    for expected in (
        "Due:                 2027-02-01 09:00 UTC",
        "First due:           2026-12-01 09:00 UTC",
        "Extended for:        Many records.",
        "Objection:           not upheld",
        "Grounds:             Legal claim.",
        "Rejected for:        a; b",
        "Corrections:         name=Zoë",
        "Restriction lifted:  2026-11-03 00:00 UTC",
        "(empty)",
    ):
        assert expected in text, expected


def test_an_empty_list_says_so() -> None:
    assert format_list({"requests": []}) == "No requests."
    assert table(("A", "BB"), [("xxx", "y")]) == "A    BB\nxxx  y"


@responses.activate
def test_create_sends_what_the_dpo_said() -> None:
    responses.post(f"{API}/rights-requests", json=SHOWN, status=201)
    code, _, _ = run(
        *("--endpoint", API, "create", "--type", "rectification", "--email", "zoe@example.org"),
        *("--locale", "nl", "--verified", "--received-at", "2026-11-20T10:00:00+01:00"),
        *("--correct", "name=Zoë Q.", "--correct", "email=z@example.org"),
    )
    assert code == 0
    assert json.loads(responses.calls[0].request.body) == {
        "type": "rectification",
        "email": "zoe@example.org",
        "locale": "nl",
        "identity_verified": True,
        "received_at": "2026-11-20T10:00:00+01:00",
        "corrections": {"name": "Zoë Q.", "email": "z@example.org"},
    }


@responses.activate
@pytest.mark.parametrize(
    ("argv", "path", "body"),
    [
        (
            ["extend", REQUEST_ID, "--months", "2", "--reason", "busy"],
            "/extend",
            {"months": 2, "reason": "busy"},
        ),
        (
            ["decide-objection", REQUEST_ID, "--upheld"],
            "/objection-decision",
            {"upheld": True, "grounds": ""},
        ),
        (
            ["decide-objection", REQUEST_ID, "--not-upheld", "--grounds", "Legal claim."],
            "/objection-decision",
            {"upheld": False, "grounds": "Legal claim."},
        ),
        (["lift-restriction", REQUEST_ID], "/lift-restriction", None),
        (["amend", REQUEST_ID, "--type", "erasure"], "/amend", {"type": "erasure"}),
        (
            ["amend", REQUEST_ID, "--correct", "customer_number=C-1"],
            "/amend",
            {"corrections": {"customer_number": "C-1"}},
        ),
        (["create", "--type", "access", "--email", "a@example.org", "--send-link"], "", None),
        (["resend", REQUEST_ID], "/resend", None),
    ],
)
def test_each_command_calls_its_route(argv: list[str], path: str, body: dict[str, Any] | None) -> None:
    url = f"{API}/rights-requests" + (f"/{REQUEST_ID}{path}" if path else "")
    responses.post(url, json=SHOWN)
    code, out, err = run("--endpoint", API, *argv)
    assert (code, err) == (0, "")
    assert "Audit trail:" in out
    sent = responses.calls[0].request.body
    if body is not None:
        assert json.loads(sent) == body
    elif path:
        assert not sent


@responses.activate
def test_403_tells_the_dpo_to_check_their_credentials() -> None:
    responses.get(
        f"{API}/rights-requests", status=403, json={"error": {"code": "request_rejected", "message": "x"}}
    )
    code, out, err = run("--endpoint", API, "list")
    assert (code, out) == (1, "")
    assert err.startswith("contact-intake-dpo: not authorised: check your AWS credentials")


@responses.activate
@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (
            404,
            {"code": "not_found", "message": "No rights request with this id."},
            "No rights request with this id. (not_found, HTTP 404)",
        ),
        (409, {"code": "invalid_state", "message": "The request was already extended."}, "already extended"),
        (
            422,
            {
                "code": "validation_error",
                "message": "Some fields are missing or invalid.",
                "fields": [{"field": "months", "message": "too big"}],
            },
            "(validation_error, HTTP 422): months: too big",
        ),
        (503, {"code": "service_unavailable", "message": "Try again."}, "Try again."),
    ],
)
def test_api_errors_are_explained(status: int, error: dict[str, Any], expected: str) -> None:
    responses.post(f"{API}/rights-requests/{REQUEST_ID}/extend", status=status, json={"error": error})
    code, _, err = run("--endpoint", API, "extend", REQUEST_ID, "--months", "1", "--reason", "x")
    assert code == 1
    assert expected in err


@responses.activate
def test_a_gateway_failure_without_json_is_explained() -> None:
    responses.get(f"{API}/rights-requests/{REQUEST_ID}", status=502, body="Bad Gateway")
    code, _, err = run("--endpoint", API, "show", REQUEST_ID)
    assert code == 1
    assert "the service is unavailable: try again shortly (error, HTTP 502)" in err


@responses.activate
def test_an_unreachable_endpoint_is_explained() -> None:
    import requests

    responses.get(f"{API}/rights-requests", body=requests.ConnectionError("refused"))
    code, _, err = run("--endpoint", API, "list")
    assert code == 1
    assert f"cannot reach {API}: ConnectionError" in err


def test_the_endpoint_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run("list")
    assert code == 1
    assert "no endpoint: pass --endpoint or set CONTACT_INTAKE_API" in err
    monkeypatch.setenv("CONTACT_INTAKE_API", "http://127.0.0.1:3000/")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    connection = connect(None, None, None)
    assert (connection.endpoint, connection.region) == ("http://127.0.0.1:3000", "eu-west-1")


def test_connection_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CliError, match="http"):
        connect("ftp://example.org", "eu-central-1", None)
    with pytest.raises(CliError, match="no region"):
        connect("http://127.0.0.1:3000", None, None)
    assert connect(API, None, None).region == "eu-central-1"
    assert connect(API, "us-east-1", None).region == "us-east-1"
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(CliError, match="no AWS credentials"):
        connect(API, None, None)


def test_bad_corrections_and_empty_amendments_are_refused() -> None:
    code, _, err = run("--endpoint", API, "amend", REQUEST_ID, "--correct", "phone=1")
    assert code == 1
    assert "--correct takes FIELD=VALUE" in err
    code, _, err = run("--endpoint", API, "amend", REQUEST_ID)
    assert (code, err.strip()) == (1, "contact-intake-dpo: amend needs --type or --correct")


COMMANDS = [
    *("create", "list", "show", "extend", "reject", "decide-objection", "lift-restriction", "amend"),
    "resend",
]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([command, "--help"] if command else ["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: contact-intake-dpo")
    assert "--json" in text


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["extend", REQUEST_ID, "--months", "3", "--reason", "x"],
        ["decide-objection", REQUEST_ID],
        [],
    ):
        with pytest.raises(SystemExit) as exited:
            build_parser().parse_args(argv)
        assert exited.value.code == 2
    capsys.readouterr()


# ---------------------------------------------------------------- what a new user ran into (issue 10)


@pytest.mark.parametrize(
    ("days_left", "status", "shown"),
    [
        (-34, "verified", "34 days overdue"),
        (-1, "in_progress", "1 day overdue"),
        (0, "awaiting_verification", "due today"),
        (6, "verified", "6 days left"),
        (-34, "completed", None),
        (12, "rejected", None),
        (-3, "expired", None),
    ],
)
def test_the_deadline_reads_as_words_and_not_at_all_for_closed_requests(
    days_left: int, status: str, shown: str | None
) -> None:
    listed = format_list({"requests": [LISTED | {"days_left": days_left, "status": status}]})
    due = dict(
        line.split(":  ", 1) for line in format_request(SHOWN | {"days_left": days_left, "status": status})
        .split("\n\n")[0].splitlines()
    )["Due"].strip()  # fmt: skip
    assert "-34" not in listed
    assert "overdue days" not in listed
    if shown is None:
        assert listed.splitlines()[1].endswith("  -")
        assert due == "2026-12-01 09:00 UTC"  # closed: no deadline runs
    else:
        assert listed.splitlines()[1].endswith(shown)
        assert due == f"2026-12-01 09:00 UTC ({shown})"


class ClosedPipe(io.StringIO):
    """stdout piped into `head` that has quit: every write fails with EPIPE (a real descriptor behind it)."""

    def __init__(self) -> None:
        super().__init__()
        self._read, self._write = os.pipe()

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self._write


@responses.activate
def test_a_closed_pipe_ends_quietly() -> None:
    responses.get(f"{API}/rights-requests", json={"requests": [LISTED] * 50})
    out, err = ClosedPipe(), io.StringIO()
    assert main(["--endpoint", API, "list"], out=out, err=err) == 0
    assert err.getvalue() == ""  # no traceback, no message


def test_a_closed_pipe_ends_quietly_in_a_real_process() -> None:
    # the command's own process, its stdout a pipe closed before it writes (as `| head -0` does)
    script = (
        "import responses, sys\n"
        "from dpo_cli.cli import main\n"
        "with responses.RequestsMock() as mock:\n"
        f"    mock.get('{API}/rights-requests', json={{'requests': [{LISTED!r}] * 2000}})\n"
        f"    sys.exit(main(['--endpoint', '{API}', 'list']))\n"
    )
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: every write is EPIPE
    done = subprocess.run(  # our own interpreter and code
        [sys.executable, "-c", script],
        stdout=writer,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
        timeout=60,
    )
    os.close(writer)
    assert done.stderr.decode() == ""
    assert done.returncode == 0


@pytest.mark.parametrize("locale", ["es", "pt-BR", "xx"])
def test_an_unsupported_locale_is_refused_with_the_four_languages(
    locale: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["create", "--type", "access", "--email", "a@example.org", "--send-link",
                                   "--locale", locale])  # fmt: skip
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"unsupported language {locale!r}: choose one of nl, de, en, fr" in error


@responses.activate
def test_a_regional_locale_is_its_language() -> None:
    responses.post(f"{API}/rights-requests", json=SHOWN)
    code, _, _ = run("--endpoint", API, "create", "--type", "access", "--email", "a@example.org",
                     "--send-link", "--locale", "de-AT")  # fmt: skip
    assert code == 0
    assert json.loads(responses.calls[0].request.body)["locale"] == "de"


def test_the_command_line_offers_the_apis_rights_and_needs_nothing_the_layer_adds() -> None:
    from contact_intake.rights.models import RightType

    create = ["create", "--email", "a@example.org", "--verified", "--type"]
    assert [build_parser().parse_args([*create, str(right)]).type for right in RightType] == list(RightType)
    with pytest.raises(SystemExit):
        # amending gives a request its right: "unclassified" is not one
        build_parser().parse_args(["amend", "x", "--type", "unclassified"])
    # `pip install .` gives the command line botocore and requests only: what it imports of the domain
    # package must need nothing else (a fresh interpreter: this one has loaded the layer)
    script = (
        "import sys\nimport dpo_cli.cli\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(loaded & {'pydantic', 'boto3', 'aws_lambda_powertools'}))"
    )
    done = subprocess.run(  # our own interpreter and code
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
