"""Unit tests never touch the network: sockets are disabled (pytest-socket)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_socket import disable_socket, enable_socket

from devstack.settings import local_parameter_values
from devstack.template import load_template, parameter_values, translate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()


@pytest.fixture(scope="session")
def _translated_repo_template() -> dict[str, Any]:
    loaded = load_template(ROOT / "template.yaml")
    return translate(loaded, parameter_values(loaded, local_parameter_values(3000)), "eu-central-1")


@pytest.fixture
def repo_template(_translated_repo_template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml as devstack translates it (local parameters, API port 3000), a fresh copy per test:
    ``create_resources(session, repo_template, local_parameter_values(3000))`` creates what the file does,
    without the SAM transform per test (~0.25 s of CPU each)."""
    result: dict[str, Any] = copy.deepcopy(_translated_repo_template)
    return result
