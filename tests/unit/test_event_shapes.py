"""api/ is the only code that knows AWS event shapes (docs/architecture.md §2): the domain below it gets
typed values (an AccountChange, a QueuedMessage), never an envelope or a record."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contact_intake.api.eventbridge import parse_account_event
from contact_intake.retention.account_events import AccountChange, AccountEventType, InvalidAccountEvent
from tests.builders import sample_event

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "common" / "contact_intake"
# Powertools' modules that model events: the REST resolver, the parser's envelopes, the batch processor and
# the event data classes
EVENT_MODULES = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.data_classes",
)
# keys of SQS's, EventBridge's and API Gateway's events, as code would spell them to read one
EVENT_KEYS = frozenset(
    {"Records", "batchItemFailures", "itemIdentifier", "receiptHandle", "detail-type", "httpMethod"}
)


def event_shapes(source: str) -> list[str]:
    """What in ``source`` reads an event: imports of EVENT_MODULES (also inside functions) and EVENT_KEYS
    as string constants (docstrings left out)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found += [name for name in names if name.startswith(EVENT_MODULES)]
        if isinstance(node, ast.Constant) and node.value in EVENT_KEYS and id(node) not in docstrings:
            found.append(repr(node.value))
    return found


def test_no_module_below_api_reads_an_event() -> None:
    domain = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "api"]
    assert len(domain) > 40
    readers = {str(p.relative_to(PACKAGE)): event_shapes(p.read_text("utf-8")) for p in domain}
    assert {module: found for module, found in readers.items() if found} == {}


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from aws_lambda_powertools.utilities.parser.models import EventBridgeModel", True),
        ("def f():\n    from aws_lambda_powertools.utilities.batch import BatchProcessor", True),
        ("import aws_lambda_powertools.event_handler", True),
        ("def f(event):\n    return event['Records']", True),
        ("def f():\n    return {'batchItemFailures': []}", True),
        ('def f():\n    """Reads the Records? no: a docstring."""', False),
        ("from aws_lambda_powertools.metrics import single_metric", False),
    ],
)
def test_the_check_sees_an_event_read(source: str, found: bool) -> None:
    assert bool(event_shapes(source)) is found


def test_the_domain_gets_the_account_event_without_its_envelope() -> None:
    event = sample_event("account_events_opened.json")
    change = parse_account_event(event)
    assert isinstance(change, AccountChange)
    assert change.event_id == event["id"]
    assert change.kind is AccountEventType.OPENED
    assert change.at == datetime(2026, 11, 20, 9, 14, 3, tzinfo=UTC)
    assert change.detail.customer_number == event["detail"]["customer_number"]


def test_an_envelope_from_another_source_is_refused_naming_the_field() -> None:
    event = sample_event("account_events_opened.json")
    event["source"] = "shop.orders"
    with pytest.raises(InvalidAccountEvent) as raised:
        parse_account_event(event)
    assert raised.value.fields == ["source"]
