"""template.yaml keeps the retention lifecycle's promises: the sweeper's sparse indexes, the accounts mirror
and the erasure ledger, the account events' rule with its DLQ, an alarm on every DLQ, and least privilege
for the functions that erase (no Scan anywhere)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.template.test_template import as_list, get_att, ref

Resources = dict[str, dict[str, Any]]


def _indexes(resources: Resources) -> dict[str, dict[str, Any]]:
    props = resources["InquiriesTable"]["Properties"]
    return {gsi["IndexName"]: gsi for gsi in props["GlobalSecondaryIndexes"]}


@pytest.mark.parametrize(
    ("index", "hash_key", "range_key", "range_type"),
    [("by_expiry_day", "expiry_day", "expires_at", "N"), ("by_pending", "pending_day", "received_at", "S")],
)
def test_the_sweeper_has_a_keys_only_day_partitioned_index(
    resources: Resources, index: str, hash_key: str, range_key: str, range_type: str
) -> None:
    gsi = _indexes(resources)[index]
    assert gsi["KeySchema"] == [
        {"AttributeName": hash_key, "KeyType": "HASH"},
        {"AttributeName": range_key, "KeyType": "RANGE"},
    ]
    assert gsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    definitions = {
        d["AttributeName"]: d["AttributeType"]
        for d in resources["InquiriesTable"]["Properties"]["AttributeDefinitions"]
    }
    assert (definitions[hash_key], definitions[range_key]) == ("S", range_type)


def test_no_function_may_scan(statements: list[tuple[str, dict[str, Any]]]) -> None:
    for where, statement in statements:
        assert "dynamodb:Scan" not in as_list(statement.get("Action", [])), where


def test_accounts_and_ledger_tables(resources: Resources) -> None:
    accounts = resources["AccountsTable"]
    assert accounts["Properties"]["KeySchema"] == [{"AttributeName": "customer_number", "KeyType": "HASH"}]
    assert accounts["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }
    ledger = resources["ErasureLedgerTable"]
    assert ledger["Properties"]["KeySchema"] == [
        {"AttributeName": "subject_key", "KeyType": "HASH"},
        {"AttributeName": "inquiry_id", "KeyType": "RANGE"},
    ]
    assert ledger["DeletionPolicy"] == "Retain"
    assert ledger["Properties"]["DeletionProtectionEnabled"] is True
    for table in (accounts, ledger):
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_account_events_come_from_the_default_bus_with_retries_and_a_dlq(resources: Resources) -> None:
    rule = resources["AccountEventsFunctionShopAccountEvents"]
    assert rule["Type"] == "AWS::Events::Rule"
    assert "EventBusName" not in rule["Properties"]  # the default bus
    assert rule["Properties"]["EventPattern"] == {
        "source": ["shop.accounts"],
        "detail-type": ["AccountOpened", "AccountEmailChanged", "AccountClosed"],
    }
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == get_att("AccountEventsFunction", "Arn")
    assert target["DeadLetterConfig"] == {"Arn": get_att("AccountEventsDLQ", "Arn")}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    # function failures (EventBridge invokes asynchronously) land in the same DLQ, not nowhere
    config = resources["AccountEventsFunctionEventInvokeConfig"]["Properties"]
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == get_att("AccountEventsDLQ", "Arn")
    assert config["MaximumRetryAttempts"] == 2


def test_only_the_rule_may_dead_letter_into_the_account_events_dlq(resources: Resources) -> None:
    (statement,) = resources["AccountEventsDLQPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": get_att("AccountEventsFunctionShopAccountEvents", "Arn")}
    }


def test_the_sweeper_runs_on_the_schedule_parameter(
    resources: Resources, sam_template: dict[str, Any]
) -> None:
    rules = [r for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    schedules = [r for r in rules if r["Properties"].get("ScheduleExpression") == ref("SweeperSchedule")]
    assert len(schedules) == 1
    assert schedules[0]["Properties"]["Targets"][0]["Arn"] == get_att("SweeperFunction", "Arn")
    parameters = sam_template["Parameters"]
    assert parameters["SweeperSchedule"]["Default"] == "rate(1 hour)"
    assert parameters["StuckInquiryMinutes"]["Default"] == 15
    assert parameters["ResolvedGraceDays"]["Default"] == 0
    assert parameters["WebhookSecretParameterName"]["Default"] == "/contact-intake/helpdesk-webhook-secret"
    assert resources["SweeperFunction"]["Properties"]["ReservedConcurrentExecutions"] == 1


def _dead_letter_queues(resources: Resources) -> set[str]:
    """Every queue something dead-letters into: redrive policies, rule targets, Lambda destinations."""

    def of_type(kind: str) -> list[dict[str, Any]]:
        return [r["Properties"] for r in resources.values() if r["Type"] == kind]

    text = json.dumps(
        [
            [p.get("RedrivePolicy") for p in of_type("AWS::SQS::Queue")],
            [t.get("DeadLetterConfig") for p in of_type("AWS::Events::Rule") for t in p.get("Targets", [])],
            [p.get("DestinationConfig") for p in of_type("AWS::Lambda::EventInvokeConfig")],
        ]
    )
    return {
        lid for lid, r in resources.items() if r["Type"] == "AWS::SQS::Queue" and f'["{lid}", "Arn"]' in text
    }


def test_every_dlq_has_an_alarm_on_its_first_message(
    resources: Resources, resources_of_type: Callable[[str], Resources]
) -> None:
    dlqs = _dead_letter_queues(resources)
    assert {"InquiryDLQ", "AccountEventsDLQ"} <= dlqs
    alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources_of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and alarm["Properties"]["Threshold"] == 0
        and alarm["Properties"]["AlarmActions"]
        == {"Fn::If": ["HasAlarmTopic", [ref("AlarmTopicArn")], ref("AWS::NoValue")]}
    }
    assert dlqs <= alarmed


def test_the_sweeper_has_an_errors_alarm(resources: Resources) -> None:
    props = resources["SweeperErrorsAlarm"]["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("AWS/Lambda", "Errors")
    assert props["Dimensions"] == [{"Name": "FunctionName", "Value": ref("SweeperFunction")}]


def _granted(resources: Resources, function_id: str) -> dict[str, list[Any]]:
    role = resources[f"{function_id}Role"]["Properties"]
    granted: dict[str, list[Any]] = {}
    for policy in role.get("Policies", []):
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    return granted


def _index(name: str) -> dict[str, str]:
    return {"Fn::Sub": "${InquiriesTable.Arn}/index/" + name}


@pytest.mark.parametrize(
    ("function_id", "expected"),
    [
        (
            "AccountEventsFunction",
            {
                "dynamodb:PutItem": [get_att("AccountsTable", "Arn"), get_att("ErasureLedgerTable", "Arn")],
                "dynamodb:GetItem": [get_att("AccountsTable", "Arn"), get_att("InquiriesTable", "Arn")],
                "dynamodb:DeleteItem": [get_att("InquiriesTable", "Arn")],
                # an e-mail change: the customer's inquiries and recordings follow the account (D61)
                "dynamodb:UpdateItem": [get_att("InquiriesTable", "Arn"), get_att("RecordingsTable", "Arn")],
                "dynamodb:Query": [
                    _index("by_customer"),
                    {"Fn::Sub": "${RecordingsTable.Arn}/index/by_subject"},
                ],
                "sqs:SendMessage": [get_att("AccountEventsDLQ", "Arn")],
            },
        ),
        (
            "HelpdeskEventsFunction",
            {
                "dynamodb:GetItem": [get_att("InquiriesTable", "Arn")],
                "dynamodb:UpdateItem": [get_att("InquiriesTable", "Arn")],
                "dynamodb:DeleteItem": [get_att("InquiriesTable", "Arn")],
                "dynamodb:PutItem": [get_att("ErasureLedgerTable", "Arn")],
            },
        ),
        (
            "SweeperFunction",
            {
                "dynamodb:GetItem": [get_att("InquiriesTable", "Arn"), get_att("AccountsTable", "Arn")],
                # ... and marks unconfirmed rights requests expired (found by status, one UpdateItem each)
                "dynamodb:UpdateItem": [
                    get_att("InquiriesTable", "Arn"),
                    get_att("RightsRequestsTable", "Arn"),
                ],
                "dynamodb:DeleteItem": [get_att("InquiriesTable", "Arn")],
                # the reconciliation of recent closures (D63): tombstones by day, then by customer
                "dynamodb:Query": [
                    _index("by_expiry_day"),
                    _index("by_pending"),
                    _index("by_customer"),
                    {"Fn::Sub": "${AccountsTable.Arn}/index/by_closed_day"},
                    {"Fn::Sub": "${RightsRequestsTable.Arn}/index/by_status"},
                ],
                "dynamodb:PutItem": [get_att("ErasureLedgerTable", "Arn")],
                "sqs:SendMessage": [get_att("InquiryQueue", "Arn")],
            },
        ),
    ],
)
def test_the_erasing_functions_may_do_only_their_job(
    resources: Resources, function_id: str, expected: dict[str, list[Any]]
) -> None:
    granted = _granted(resources, function_id)
    data_actions = {a: r for a, r in granted.items() if a.startswith(("dynamodb:", "sqs:"))}
    assert {a: sorted(r, key=json.dumps) for a, r in data_actions.items()} == {
        a: sorted(r, key=json.dumps) for a, r in expected.items()
    }
    assert granted["secretsmanager:GetSecretValue"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
            "${HelpdeskApiKeySecretName}-??????"
        }
    ]
    assert set(granted) - set(data_actions) <= {
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "kms:Decrypt",
    }
