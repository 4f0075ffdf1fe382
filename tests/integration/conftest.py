"""moto-backed fixtures: the template's own tables and queues, and the intake handler wired to them."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from contact_intake.clients import Clients
from contact_intake.config import IntakeSettings
from contact_intake.wiring import IntakeWiring
from devstack.resources import create_resources
from tests.builders import FakeContext

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
TEST_PARAMETERS = {
    "AllowedOrigins": "https://shop.example",
    "ThankYouUrl": "https://shop.example/thanks",
    "RecaptchaHostnames": "shop.example,localhost",
}
LOCAL_SECRETS = {
    "/contact-intake/recaptcha-secret": "local-test-recaptcha-secret",
    "/contact-intake/subject-pepper": "local-test-pepper",
}


class Aws:
    """The moto account of one test: resource names from the template, and call counting."""

    def __init__(self, resources: Any) -> None:
        self.resources = resources
        self.session = boto3.session.Session(region_name=REGION)
        self.dynamodb = self.session.client("dynamodb")
        self.sqs = self.session.client("sqs")
        self.calls: Counter[str] = Counter()

    def name(self, logical_id: str) -> str:
        return str(self.resources.resources[logical_id])

    def count_calls_of(self, *clients: Any) -> None:
        def count(model: Any, **_: Any) -> None:
            self.calls[f"{model.service_model.service_name}.{model.name}"] += 1

        for client in clients:
            client.meta.events.register("before-call.*.*", count)

    def get_item(self, inquiry_id: str) -> dict[str, Any]:
        answer = self.dynamodb.get_item(
            TableName=self.name("InquiriesTable"), Key={"inquiry_id": {"S": inquiry_id}}
        )
        return dict(answer["Item"])

    def scan_count(self) -> int:
        return int(self.dynamodb.scan(TableName=self.name("InquiriesTable"), Select="COUNT")["Count"])

    def receive_all(self, queue: str = "InquiryQueue") -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(
            QueueUrl=self.name(queue),
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        return list(answer.get("Messages", []))


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        resources = create_resources(session, ROOT / "template.yaml", TEST_PARAMETERS)
        ssm = session.client("ssm")
        for name, value in LOCAL_SECRETS.items():
            ssm.put_parameter(Name=name, Value=value, Type="SecureString")
        yield Aws(resources)


@pytest.fixture
def wiring(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> IntakeWiring:
    """The handler's wiring, pointed at this test's moto tables (its Powertools caches emptied)."""
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    monkeypatch.setenv("INQUIRIES_TABLE", aws.name("InquiriesTable"))
    monkeypatch.setenv("INQUIRY_QUEUE_URL", aws.name("InquiryQueue"))
    handler = importlib.import_module("intake_handler")
    settings = IntakeSettings.from_env()
    fresh = IntakeWiring(settings, Clients())
    aws.count_calls_of(fresh.clients.dynamodb, fresh.clients.sqs)
    monkeypatch.setattr(handler, "settings", settings)
    monkeypatch.setattr(handler, "wiring", fresh)
    return fresh


@pytest.fixture
def invoke(wiring: IntakeWiring) -> Any:
    handler = importlib.import_module("intake_handler")

    def call(event: dict[str, Any]) -> dict[str, Any]:
        return dict(handler.lambda_handler(event, FakeContext()))

    return call
