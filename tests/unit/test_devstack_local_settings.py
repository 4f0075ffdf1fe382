"""devstack's settings for event sources and schedules, the functions' local environment, and a lost answer
(the helpdesk emulator's ``lost_response``) on the wire."""

from __future__ import annotations

import io
import socket
import threading
from typing import Any

import boto3
import pytest

from devstack.console import Console
from devstack.emulators import EmulatorRegistry
from devstack.emulators.helpdesk import HelpdeskEmulator
from devstack.functions import function_specs
from devstack.http import HttpRequest, HttpResponse, _Handler
from devstack.resources import create_resources
from devstack.settings import LOCAL_FUNCTION_VARIABLES, Settings, local_parameter_values


def test_the_schedule_interval_and_the_visibility_cap_have_defaults() -> None:
    settings = Settings.from_env({})

    assert (settings.schedule_seconds, settings.max_visibility_seconds) == (10.0, 5)


def test_the_schedule_interval_and_the_visibility_cap_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"DEVSTACK_SCHEDULE_SECONDS": "0.5", "DEVSTACK_MAX_VISIBILITY_SECONDS": "0"})

    assert (settings.schedule_seconds, settings.max_visibility_seconds) == (0.5, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEVSTACK_SCHEDULE_SECONDS", "-1"),
        ("DEVSTACK_SCHEDULE_SECONDS", "soon"),
        ("DEVSTACK_SCHEDULE_SECONDS", "nan"),
        ("DEVSTACK_MAX_VISIBILITY_SECONDS", "2.5"),
        ("DEVSTACK_MAX_VISIBILITY_SECONDS", "-3"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_the_functions_talk_to_the_helpdesk_emulator_instead_of_freshdesk(
    session: boto3.session.Session, repo_template: dict[str, Any]
) -> None:
    resources = create_resources(session, repo_template, local_parameter_values(3000))
    local = {
        **LOCAL_FUNCTION_VARIABLES,
        **EmulatorRegistry([HelpdeskEmulator()]).environment("http://127.0.0.1:3000"),
    }

    specs, _ = function_specs(resources, local)

    for logical_id in (
        "ForwarderFunction",
        "AccountEventsFunction",
        "HelpdeskEventsFunction",
        "SweeperFunction",
    ):
        environment = specs[logical_id].environment
        assert "HELPDESK_DOMAIN" not in environment, logical_id
        assert environment["HELPDESK_BASE_URL"] == "http://127.0.0.1:3000/_local/helpdesk/api/v2"
    assert specs["ForwarderFunction"].environment["FORWARD_SETTLE_SECONDS"] == "2"


class _Server:
    """What _Handler needs of its server: the application and the console."""

    def __init__(self, response: HttpResponse) -> None:
        self.console = Console(io.StringIO())
        self.application = lambda request: response


class _UnixHandler(_Handler):
    """The real handler, minus TCP_NODELAY: unit tests have only Unix socket pairs, which refuse it."""

    disable_nagle_algorithm = False


def serve_one(response: HttpResponse) -> tuple[bytes, str]:
    """One request through the real handler over a socket pair; what the client read, and the log."""
    client, server_side = socket.socketpair()
    server = _Server(response)
    worker = threading.Thread(target=_UnixHandler, args=(server_side, ("127.0.0.1", 1), server), daemon=True)
    worker.start()
    # one request on a connection that closes after it: the handler thread ends, nothing waits on keep-alive
    client.sendall(b"POST /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
    received = b""
    client.settimeout(5)
    while chunk := client.recv(4096):
        received += chunk
        if b"\r\n\r\n" in received and not response.drop_connection:
            break
    worker.join(5)
    client.close()
    server_side.close()
    log: Any = server.console._stream
    return received, log.getvalue()


def test_an_answer_is_written_and_logged() -> None:
    received, log = serve_one(HttpResponse(201, (("Content-Type", "application/json"),), b"{}"))

    assert received.startswith(b"HTTP/1.1 201")
    assert "POST /x 201" in log


def test_a_dropped_answer_closes_the_connection_without_a_byte() -> None:
    received, log = serve_one(HttpResponse(201, (), b"{}", drop_connection=True))

    assert received == b""
    assert "POST /x dropped" in log


def test_the_registry_lets_an_emulator_remove_a_variable() -> None:
    registry = EmulatorRegistry([HelpdeskEmulator()])

    assert registry.environment("http://h")["HELPDESK_DOMAIN"] is None
    assert registry.handle(HttpRequest("GET", "/_local/elsewhere")).status == 404
