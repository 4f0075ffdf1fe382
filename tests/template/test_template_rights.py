"""template.yaml keeps the rights engine's promises: RightsRequestsTable as docs/architecture.md §3 names it
(TTL, the
three indexes, nothing personal in the DPO's list index), the claim-check queue with its DLQ and alarm,
every DPO route behind AWS_IAM and only the verification link public, and least privilege for
RightsApiFunction (one table, one queue, one sender)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.template.test_template import _operations, _target, as_list, get_att, ref

Resources = dict[str, dict[str, Any]]

DPO_ROUTES = {
    ("POST", "/rights-requests"),
    ("GET", "/rights-requests"),
    ("GET", "/rights-requests/{request_id}"),
    ("POST", "/rights-requests/{request_id}/extend"),
    ("POST", "/rights-requests/{request_id}/reject"),
    ("POST", "/rights-requests/{request_id}/objection-decision"),
    ("POST", "/rights-requests/{request_id}/lift-restriction"),
    ("POST", "/rights-requests/{request_id}/amend"),
    ("POST", "/rights-requests/{request_id}/resend"),
}
# the link: GET and HEAD show the page (and change nothing), POST confirms
VERIFY_ROUTES = {
    ("GET", "/rights-requests/verify"),
    ("HEAD", "/rights-requests/verify"),
    ("POST", "/rights-requests/verify"),
}


@pytest.fixture(scope="module")
def table(resources: Resources) -> dict[str, Any]:
    assert resources["RightsRequestsTable"]["Type"] == "AWS::DynamoDB::Table"
    return resources["RightsRequestsTable"]


def _indexes(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {gsi["IndexName"]: gsi for gsi in table["Properties"]["GlobalSecondaryIndexes"]}


def test_rights_table_is_keyed_by_request_id_with_ttl_pitr_and_sse(table: dict[str, Any]) -> None:
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "request_id", "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize(
    ("index", "keys"),
    [
        ("by_status", [("status", "HASH"), ("due_at", "RANGE")]),
        ("by_subject", [("subject_key", "HASH"), ("received_at", "RANGE")]),
        ("by_token_hash", [("token_hash", "HASH")]),
    ],
)
def test_rights_table_indexes(table: dict[str, Any], index: str, keys: list[tuple[str, str]]) -> None:
    gsi = _indexes(table)[index]
    assert gsi["KeySchema"] == [{"AttributeName": name, "KeyType": kind} for name, kind in keys]
    definitions = {
        d["AttributeName"]: d["AttributeType"] for d in table["Properties"]["AttributeDefinitions"]
    }
    assert all(definitions[name] == "S" for name, _ in keys)


def test_only_non_personal_fields_reach_the_indexes(table: dict[str, Any]) -> None:
    indexes = _indexes(table)
    assert indexes["by_subject"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert indexes["by_token_hash"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    listed = indexes["by_status"]["Projection"]
    assert listed["ProjectionType"] == "INCLUDE"
    # what the DPO's list shows, and never the address, the reasons or the token hash
    assert set(listed["NonKeyAttributes"]) == {
        "type",
        "channel",
        "received_at",
        "extended_due_at",
        "expires_at",
    }


def test_rights_queue_redrives_to_its_dlq_which_alarms(resources: Resources) -> None:
    queue = resources["RightsQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": get_att("RightsDLQ", "Arn"),
        "maxReceiveCount": 5,
    }
    assert queue["SqsManagedSseEnabled"] is True
    dlq = resources["RightsDLQ"]["Properties"]
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    alarm = resources["RightsDLQAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": get_att("RightsDLQ", "QueueName")}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_every_dpo_route_requires_a_sigv4_signature(resources: Resources) -> None:
    operations = _operations(resources["ContactApi"]["Properties"]["Body"])
    rights_routes = {route for route in operations if route[1].startswith("/rights-requests")}
    assert rights_routes == DPO_ROUTES | VERIFY_ROUTES
    for route in DPO_ROUTES:
        operation = operations[route]
        assert _target(operation) == "RightsApiFunction", route
        assert operation["security"] == [{"AWS_IAM": []}], route


def test_only_the_verification_link_is_public(resources: Resources) -> None:
    for route in VERIFY_ROUTES:
        operation = _operations(resources["ContactApi"]["Properties"]["Body"])[route]
        assert _target(operation) == "RightsApiFunction", route
        assert operation.get("security", [{"NONE": []}]) == [{"NONE": []}], route


def test_rights_api_environment_points_at_its_resources(resources: Resources) -> None:
    variables = resources["RightsApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["RIGHTS_REQUESTS_TABLE"] == ref("RightsRequestsTable")
    assert variables["RIGHTS_QUEUE_URL"] == ref("RightsQueue")
    assert variables["MAIL_FROM"] == ref("MailFrom")
    assert variables["PUBLIC_API_URL"] == ref("PublicApiUrl")
    assert variables["SUBJECT_PEPPER_PARAM"] == ref("SubjectPepperParameterName")
    assert variables["RIGHTS_RETENTION_YEARS"] == ref("RightsRequestRetentionYears")


def test_rights_parameters(sam_template: dict[str, Any]) -> None:
    parameters = sam_template["Parameters"]
    assert "Default" not in parameters["MailFrom"]  # a deploy-time choice, never a placeholder sender
    assert parameters["PublicApiUrl"]["Default"] == ""
    assert parameters["RightsRequestRetentionYears"]["Default"] == 3


def test_rights_api_may_do_only_its_job(resources: Resources) -> None:
    role = resources["RightsApiFunctionRole"]["Properties"]
    granted: dict[str, list[Any]] = {}
    conditions: dict[str, Any] = {}
    for policy in role["Policies"]:
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                granted.setdefault(action, []).extend(as_list(statement["Resource"]))
                conditions[action] = statement.get("Condition")
    assert set(granted) == {
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "sqs:SendMessage",
        "ses:SendEmail",
        "ssm:GetParameter",
        "kms:Decrypt",
    }
    for action in ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert granted[action] == [get_att("RightsRequestsTable", "Arn")], action
    assert sorted(json.dumps(r) for r in granted["dynamodb:Query"]) == sorted(
        json.dumps({"Fn::Sub": f"${{RightsRequestsTable.Arn}}/index/{index}"})
        for index in ("by_status", "by_token_hash")
    )
    assert granted["sqs:SendMessage"] == [get_att("RightsQueue", "Arn")]
    # the identity of MailFrom (address or domain), and only with MailFrom as the sender
    assert all("identity/" in json.dumps(resource) for resource in granted["ses:SendEmail"])
    assert conditions["ses:SendEmail"] == {"StringEquals": {"ses:FromAddress": ref("MailFrom")}}
    pepper = (
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SubjectPepperParameterName}"
    )
    assert granted["ssm:GetParameter"] == [{"Fn::Sub": pepper}]


def test_outputs_name_the_rights_resources(translated: dict[str, Any]) -> None:
    outputs = translated["Outputs"]
    assert outputs["RightsRequestsTableName"]["Value"] == ref("RightsRequestsTable")
    assert outputs["RightsQueueUrl"]["Value"] == ref("RightsQueue")
    assert outputs["RightsDLQUrl"]["Value"] == ref("RightsDLQ")
    assert outputs["RightsApiFunctionName"]["Value"] == ref("RightsApiFunction")
