"""template.yaml runs RightsWorkerFunction as its code expects: on RightsQueue with partial batch failures
(one request per batch), a timeout that fits six times into the queue's visibility timeout and under the
lease, RightsDLQ with its alarm behind it, its environment pointing at the template's resources, and least
privilege: exactly the actions the engine uses, on exactly its tables, indexes, queues, bucket prefix and
sender."""

from __future__ import annotations

import json
from typing import Any

from tests.template.test_template import as_list, get_att, ref

Resources = dict[str, dict[str, Any]]


def test_the_worker_reads_rights_queue_one_request_at_a_time(resources: Resources) -> None:
    (mapping,) = [
        res["Properties"]
        for res in resources.values()
        if res["Type"] == "AWS::Lambda::EventSourceMapping"
        and res["Properties"]["FunctionName"] == ref("RightsWorkerFunction")
    ]
    assert mapping["EventSourceArn"] == get_att("RightsQueue", "Arn")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 1
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}


def test_timeout_visibility_and_lease_fit_together(resources: Resources) -> None:
    function = resources["RightsWorkerFunction"]["Properties"]
    timeout = function["Timeout"]
    assert resources["RightsQueue"]["Properties"]["VisibilityTimeout"] >= 6 * timeout
    # a duplicate delivery must not take over a request while a run may still be working on it
    assert int(function["Environment"]["Variables"]["RIGHTS_WORKER_LEASE_SECONDS"]) > timeout
    # the queue's redrive is its DLQ (no function-level DeadLetterQueue for an SQS trigger)
    assert "DeadLetterConfig" not in function
    assert resources["RightsQueue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == get_att(
        "RightsDLQ", "Arn"
    )
    assert resources["RightsDLQAlarm"]["Properties"]["Dimensions"] == [
        {"Name": "QueueName", "Value": get_att("RightsDLQ", "QueueName")}
    ]


def test_the_environment_points_at_the_templates_resources(resources: Resources) -> None:
    variables = resources["RightsWorkerFunction"]["Properties"]["Environment"]["Variables"]
    expected = {
        "RIGHTS_REQUESTS_TABLE": ref("RightsRequestsTable"),
        "RIGHTS_QUEUE_URL": ref("RightsQueue"),
        "RIGHTS_DLQ_URL": ref("RightsDLQ"),
        "INQUIRIES_TABLE": ref("InquiriesTable"),
        "INQUIRY_QUEUE_URL": ref("InquiryQueue"),
        "ERASURE_LEDGER_TABLE": ref("ErasureLedgerTable"),
        "ACCOUNTS_TABLE": ref("AccountsTable"),
        "INBOUND_MAIL_BUCKET": ref("InboundMailBucket"),
        "RECORDINGS_TABLE": ref("RecordingsTable"),
        "RECORDINGS_BUCKET": ref("RecordingsBucket"),
        "SUBJECT_PEPPER_PARAM": ref("SubjectPepperParameterName"),
        "MAIL_FROM": ref("MailFrom"),
        "HELPDESK_DOMAIN": ref("HelpdeskDomain"),
        "HELPDESK_API_KEY_SECRET_ID": ref("HelpdeskApiKeySecretName"),
        "HELPDESK_DELETE_CONTACTS": ref("HelpdeskDeleteContacts"),
    }
    assert {name: variables[name] for name in expected} == expected


def test_erasure_deletes_the_helpdesk_contact_unless_told_not_to(sam_template: dict[str, Any]) -> None:
    # a ticket delete only moves it to Freshdesk's trash; the contact's hard delete removes both for good
    parameter = sam_template["Parameters"]["HelpdeskDeleteContacts"]
    assert parameter["Default"] == "true"
    assert parameter["AllowedValues"] == ["true", "false"]


def test_the_worker_may_do_only_its_job(resources: Resources) -> None:
    role = resources["RightsWorkerFunctionRole"]["Properties"]
    granted: dict[str, list[str]] = {}
    for policy in role["Policies"]:
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                granted.setdefault(action, []).extend(json.dumps(r) for r in as_list(statement["Resource"]))
    assert set(granted) == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
        "s3:DeleteObject",
        "ses:SendEmail",
        "ssm:GetParameter",
        "kms:Decrypt",
        "secretsmanager:GetSecretValue",
    }

    def arn(logical_id: str) -> str:
        return json.dumps(get_att(logical_id, "Arn"))

    def index(table: str, name: str) -> str:
        return json.dumps({"Fn::Sub": f"${{{table}.Arn}}/index/{name}"})

    assert sorted(granted["dynamodb:GetItem"]) == sorted(
        [arn("RightsRequestsTable"), arn("InquiriesTable"), arn("AccountsTable")]
    )
    assert sorted(granted["dynamodb:UpdateItem"]) == sorted(
        [arn("RightsRequestsTable"), arn("InquiriesTable")]
    )
    # the rights requests are never deleted by the worker (the record of what was done stays)
    assert granted["dynamodb:DeleteItem"] == [arn("InquiriesTable")]
    assert granted["dynamodb:PutItem"] == [arn("ErasureLedgerTable")]  # the ledger: append only
    assert sorted(granted["dynamodb:Query"]) == sorted(
        [index("RightsRequestsTable", "by_subject"), index("InquiriesTable", "by_subject")]
    )
    assert sorted(granted["sqs:SendMessage"]) == sorted([arn("InquiryQueue"), arn("RightsDLQ")])
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"):
        assert granted[action] == [arn("RightsQueue")]
    # raw mail is deleted, never read
    assert granted["s3:DeleteObject"] == [json.dumps({"Fn::Sub": "${InboundMailBucket.Arn}/raw/*"})]
    assert all("identity/" in resource for resource in granted["ses:SendEmail"])
    # the recordings: the policy the recordings module defines for the worker, reviewed with it
    assert role["ManagedPolicyArns"][1:] == [ref("RecordingsRightsPolicy")]


def test_the_worker_sends_only_as_mail_from(resources: Resources) -> None:
    role = resources["RightsWorkerFunctionRole"]["Properties"]
    (send,) = [
        statement
        for policy in role["Policies"]
        for statement in as_list(policy["PolicyDocument"]["Statement"])
        if "ses:SendEmail" in as_list(statement["Action"])
    ]
    assert send["Condition"] == {"StringEquals": {"ses:FromAddress": ref("MailFrom")}}


def test_the_worker_has_its_log_group_and_output(resources: Resources, translated: dict[str, Any]) -> None:
    group = resources["RightsWorkerFunctionLogGroup"]["Properties"]
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${RightsWorkerFunction}"}
    assert group["RetentionInDays"] == ref("LogRetentionDays")
    assert translated["Outputs"]["RightsWorkerFunctionName"]["Value"] == ref("RightsWorkerFunction")
