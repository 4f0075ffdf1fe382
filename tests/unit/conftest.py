"""Unit tests never touch the network: sockets are disabled (pytest-socket). Here too the fixtures several
test files share: the template as devstack translates it, a session on moto's account and the resources
template.yaml creates in it, and a spy on hmac.compare_digest."""

from __future__ import annotations

import copy
import hmac
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from pytest_socket import disable_socket, enable_socket

from devstack.resources import ResourceMap, create_resources
from devstack.settings import local_parameter_values
from devstack.template import load_template, parameter_values, translate
from tests.aws_support import REGION, ROOT, moto_session


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


@pytest.fixture(scope="session")
def _translated_repo_template() -> dict[str, Any]:
    loaded = load_template(ROOT / "template.yaml")
    return translate(loaded, parameter_values(loaded, local_parameter_values(3000)), REGION)


@pytest.fixture
def repo_template(_translated_repo_template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml as devstack translates it (local parameters, API port 3000), a fresh copy per test:
    ``create_resources(session, repo_template, local_parameter_values(3000))`` creates what the file does,
    without the SAM transform per test (~0.25 s of CPU each)."""
    result: dict[str, Any] = copy.deepcopy(_translated_repo_template)
    return result


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.session.Session]:
    """A boto3 session on moto's account, for the test's duration (see tests/aws_support.py)."""
    with moto_session(monkeypatch) as moto:
        yield moto


@pytest.fixture
def repo_resources(session: boto3.session.Session, repo_template: dict[str, Any]) -> ResourceMap:
    """What template.yaml creates, in the test's moto account."""
    return create_resources(session, repo_template, local_parameter_values(3000))


@pytest.fixture
def compare_digest_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """The arguments of every ``hmac.compare_digest`` call the test makes (each still compared for real):
    for the tests that a secret or a token is compared in constant time."""
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls
