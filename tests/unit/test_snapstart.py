"""SnapStart: the intake's priming calls nothing, and a restored copy renews what must not be shared."""

from __future__ import annotations

import random
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from contact_intake.core import snapstart
from contact_intake.core.clients import Clients
from contact_intake.intake.settings import IntakeSettings
from contact_intake.intake.wiring import IntakeWiring

PEPPER = "/contact-intake/subject-pepper"


@pytest.fixture
def wiring() -> Iterator[IntakeWiring]:
    with mock_aws():
        boto3.client("ssm").put_parameter(Name=PEPPER, Value="before", Type="SecureString", Overwrite=True)
        yield IntakeWiring(IntakeSettings.from_env(), Clients())


def test_hooks_run_in_the_runtimes_order(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    monkeypatch.setattr(snapstart, "_before", [])
    monkeypatch.setattr(snapstart, "_after", [])
    for name in ("first", "second"):
        snapstart.before_snapshot(lambda name=name: ran.append(f"before {name}"))
        snapstart.after_restore(lambda name=name: ran.append(f"after {name}"))
    snapstart.run_before_snapshot()
    snapstart.run_after_restore()
    assert ran == ["before second", "before first", "after first", "after second"]


def test_priming_builds_the_clients_and_fetches_no_secret(wiring: IntakeWiring) -> None:
    wiring.prime()
    assert {"dynamodb", "sqs", "http_pool", "ssm"} <= set(vars(wiring.clients))
    assert "intake" in vars(wiring)
    assert wiring.ssm_secrets.provider.store == {}  # nothing cached in the snapshot


def test_a_restore_forgets_cached_secrets_and_their_age(wiring: IntakeWiring) -> None:
    assert wiring.secrets.text(PEPPER) == "before"
    boto3.client("ssm").put_parameter(Name=PEPPER, Value="after", Type="SecureString", Overwrite=True)
    assert wiring.secrets.text(PEPPER) == "before"  # cached for its max age
    wiring.restored()
    assert wiring.secrets.text(PEPPER) == "after"


def test_each_restored_copy_draws_its_own_random_numbers(wiring: IntakeWiring) -> None:
    random.seed(1)
    snapshot = random.getstate()
    wiring.restored()
    first_copy = [random.random() for _ in range(4)]
    random.setstate(snapshot)
    wiring.restored()
    assert [random.random() for _ in range(4)] != first_copy


def test_the_intake_handler_registers_its_hooks() -> None:
    import importlib

    handler = importlib.import_module("intake_handler")
    assert handler._prime in snapstart._before
    assert handler._restored in snapstart._after
