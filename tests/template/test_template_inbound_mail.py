"""The inbound e-mail channel in template.yaml (docs/architecture.md §7, docs/inbound-mail.md): the raw mail
bucket,
SES's receipt rule (S3 action, then the Lambda action), the function's narrow rights, and the switch
that keeps SES receiving off until the operator turns it on in a region that receives mail."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from contact_intake.rights.settings import RightsMailSettings
from tests.template.conftest import load_sam_template, translate

Resources = dict[str, dict[str, Any]]
RULE_ARN = (
    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:receipt-rule-set/${RuleSet}"
    ":receipt-rule/${AWS::StackName}-privacy-mailbox"
)
RULE_SET = {
    "Fn::If": [
        "UseExistingReceiptRuleSet",
        {"Ref": "MailReceiptRuleSetName"},
        {"Fn::Sub": "${AWS::StackName}-inbound"},
    ]
}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- the bucket


@pytest.fixture(scope="module")
def bucket(resources: Resources) -> dict[str, Any]:
    return resources["InboundMailBucket"]


def test_raw_mail_is_encrypted_private_and_unversioned(bucket: dict[str, Any]) -> None:
    props = bucket["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    # a deletion (spam, erasure) is final
    assert "VersioningConfiguration" not in props


def test_raw_mail_expires_after_the_retention_parameter(
    bucket: dict[str, Any], sam_template: dict[str, Any]
) -> None:
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    # every object in the bucket
    assert "Prefix" not in rule
    assert "Filter" not in rule
    assert rule["ExpirationInDays"] == {"Ref": "RawMailRetentionDays"}
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    parameter = sam_template["Parameters"]["RawMailRetentionDays"]
    assert parameter["Default"] == 30
    assert 1 <= parameter["MinValue"] <= parameter["Default"] <= parameter["MaxValue"] <= 365


@pytest.fixture(scope="module")
def bucket_policy(resources: Resources) -> list[dict[str, Any]]:
    policy = resources["InboundMailBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "InboundMailBucket"}
    return list(policy["PolicyDocument"]["Statement"])


def test_the_bucket_refuses_requests_without_tls(bucket_policy: list[dict[str, Any]]) -> None:
    (deny,) = [s for s in bucket_policy if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*"
    assert deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::GetAtt": ["InboundMailBucket", "Arn"]} in deny["Resource"]
    assert {"Fn::Sub": "${InboundMailBucket.Arn}/*"} in deny["Resource"]


def test_only_this_accounts_privacy_rule_may_store_mail(bucket_policy: list[dict[str, Any]]) -> None:
    (allow,) = [s for s in bucket_policy if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "ses.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == {"Fn::Sub": "${InboundMailBucket.Arn}/raw/*"}
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::Sub": [RULE_ARN, {"RuleSet": RULE_SET}]}}


# ---------------------------------------------------------------- the receipt rule


@pytest.fixture(scope="module")
def rule(resources: Resources) -> dict[str, Any]:
    return resources["PrivacyMailReceiptRule"]


def test_the_rule_stores_the_mail_then_invokes_the_function_asynchronously(rule: dict[str, Any]) -> None:
    props = rule["Properties"]["Rule"]
    s3_action, lambda_action = props["Actions"]
    assert s3_action == {"S3Action": {"BucketName": {"Ref": "InboundMailBucket"}, "ObjectKeyPrefix": "raw/"}}
    assert lambda_action == {
        "LambdaAction": {
            "FunctionArn": {"Fn::GetAtt": ["RightsMailFunction", "Arn"]},
            "InvocationType": "Event",
        }
    }
    assert props["Recipients"] == [{"Ref": "PrivacyMailAddress"}]
    assert props["ScanEnabled"] is True  # spam and virus verdicts
    assert props["TlsPolicy"] == "Require"
    assert props["Enabled"] is True
    assert props["Name"] == {"Fn::Sub": "${AWS::StackName}-privacy-mailbox"}


def test_the_prefix_is_the_one_the_function_reads(rule: dict[str, Any], resources: Resources) -> None:
    variables = resources["RightsMailFunction"]["Properties"]["Environment"]["Variables"]
    s3_action = rule["Properties"]["Rule"]["Actions"][0]["S3Action"]
    assert variables["INBOUND_MAIL_PREFIX"] == s3_action["ObjectKeyPrefix"]
    assert variables["INBOUND_MAIL_BUCKET"] == s3_action["BucketName"]


def test_the_rule_is_made_after_both_permissions(rule: dict[str, Any]) -> None:
    # SES checks that it may write the bucket and invoke the function when the rule is created
    assert set(rule["DependsOn"]) == {"InboundMailBucketPolicy", "RightsMailSesInvokePermission"}


def test_ses_may_invoke_the_function_only_for_this_rule(resources: Resources) -> None:
    permission = resources["RightsMailSesInvokePermission"]
    props = permission["Properties"]
    assert permission["Condition"] == "ReceiveMail"
    assert props["Action"] == "lambda:InvokeFunction"
    assert props["Principal"] == "ses.amazonaws.com"
    assert props["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert props["SourceArn"] == {"Fn::Sub": [RULE_ARN, {"RuleSet": RULE_SET}]}


def test_receiving_is_off_until_switched_on(sam_template: dict[str, Any], resources: Resources) -> None:
    parameters = sam_template["Parameters"]
    assert parameters["EnableMailReceiving"]["Default"] == "false"
    assert parameters["EnableMailReceiving"]["AllowedValues"] == ["true", "false"]
    assert parameters["MailReceiptRuleSetName"]["Default"] == ""
    conditions = sam_template["Conditions"]
    assert conditions["ReceiveMail"] == {"Fn::Equals": [{"Ref": "EnableMailReceiving"}, "true"]}
    assert resources["PrivacyMailReceiptRule"]["Condition"] == "ReceiveMail"
    # its own rule set only when no existing (active) one is named
    assert resources["PrivacyMailReceiptRuleSet"]["Condition"] == "CreateReceiptRuleSet"
    assert conditions["CreateReceiptRuleSet"] == {
        "Fn::And": [{"Condition": "ReceiveMail"}, {"Fn::Not": [{"Condition": "UseExistingReceiptRuleSet"}]}]
    }
    assert resources["PrivacyMailReceiptRule"]["Properties"]["RuleSetName"] == {
        "Fn::If": [
            "UseExistingReceiptRuleSet",
            {"Ref": "MailReceiptRuleSetName"},
            {"Ref": "PrivacyMailReceiptRuleSet"},
        ]
    }


def test_the_bucket_and_the_function_exist_without_receiving() -> None:
    # nothing but the SES resources depends on the switch: devstack and the tests use the rest
    translated = translate(load_sam_template(), {"EnableMailReceiving": "false"})["Resources"]
    for logical_id in ("InboundMailBucket", "InboundMailBucketPolicy", "RightsMailFunction", "RightsMailDLQ"):
        assert "Condition" not in translated[logical_id], logical_id


def test_the_privacy_address_parameter_takes_one_address(sam_template: dict[str, Any]) -> None:
    import re

    pattern = re.compile(sam_template["Parameters"]["PrivacyMailAddress"]["AllowedPattern"])
    assert pattern.match("privacy@rights.shop.example")
    assert pattern.match("")
    for bad in ("a@b", "privacy@shop.example,x@y.example", "privacy@shop.example "):
        assert not pattern.match(bad), bad


# ---------------------------------------------------------------- the function


def test_the_function_may_read_and_delete_raw_mail_only(resources: Resources) -> None:
    role = resources["RightsMailFunctionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in as_list(p["PolicyDocument"]["Statement"])]
    s3 = [s for s in statements if any(str(a).startswith("s3:") for a in as_list(s["Action"]))]
    assert len(s3) == 1
    assert sorted(as_list(s3[0]["Action"])) == ["s3:DeleteObject", "s3:GetObject"]
    assert s3[0]["Resource"] == {"Fn::Sub": "${InboundMailBucket.Arn}/raw/*"}


def test_the_function_may_do_only_what_receiving_a_request_takes(resources: Resources) -> None:
    role = resources["RightsMailFunctionRole"]["Properties"]
    granted: dict[str, list[Any]] = {}
    for policy in role["Policies"]:
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    assert set(granted) == {
        "s3:GetObject",
        "s3:DeleteObject",
        # RightsService.receive: a conditional PutItem, then UpdateItems; the acknowledgement limit's item
        # and its live request read (GetItem); never a query, a scan or a delete
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "ses:SendEmail",
        "ssm:GetParameter",
        "kms:Decrypt",
        "sqs:SendMessage",  # the OnFailure destination (SAM's policy for EventInvokeConfig)
    }
    assert granted["dynamodb:PutItem"] == [{"Fn::GetAtt": ["RightsRequestsTable", "Arn"]}]
    assert granted["dynamodb:UpdateItem"] == [{"Fn::GetAtt": ["RightsRequestsTable", "Arn"]}]
    assert granted["dynamodb:GetItem"] == [{"Fn::GetAtt": ["RightsRequestsTable", "Arn"]}]
    assert granted["sqs:SendMessage"] == [{"Fn::GetAtt": ["RightsMailDLQ", "Arn"]}]
    assert [str(arn).rsplit(":", 1)[1] for arn in role["ManagedPolicyArns"]] == [
        "policy/service-role/AWSLambdaBasicExecutionRole"
    ]


def test_the_verification_link_points_at_the_public_api(resources: Resources) -> None:
    variables = resources["RightsMailFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["PUBLIC_API_URL"] == {
        "Fn::If": [
            "HasPublicApiUrl",
            {"Ref": "PublicApiUrl"},
            {"Fn::Sub": "https://${ContactApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageName}"},
        ]
    }
    assert variables["RIGHTS_REQUESTS_TABLE"] == {"Ref": "RightsRequestsTable"}
    assert variables["MAIL_FROM"] == {"Ref": "MailFrom"}


def test_failed_runs_go_to_a_dlq_with_an_alarm(
    resources: Resources, resources_of_type: Callable[[str], Resources]
) -> None:
    (config,) = [
        r["Properties"]
        for r in resources_of_type("AWS::Lambda::EventInvokeConfig").values()
        if r["Properties"]["FunctionName"] == {"Ref": "RightsMailFunction"}
    ]
    assert config["MaximumRetryAttempts"] == 2
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["RightsMailDLQ", "Arn"]}
    assert resources["RightsMailDLQ"]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    alarm = resources["RightsMailDLQAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["RightsMailDLQ", "QueueName"]}}
    ]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_outputs_name_the_bucket_and_the_rule_set(translated: dict[str, Any]) -> None:
    outputs = translated["Outputs"]
    assert outputs["InboundMailBucketName"]["Value"] == {"Ref": "InboundMailBucket"}
    assert outputs["PrivacyMailReceiptRuleSetName"]["Condition"] == "CreateReceiptRuleSet"
    assert json.dumps(outputs["RightsMailDLQUrl"]["Value"]) == json.dumps({"Ref": "RightsMailDLQ"})


# ---------------------------------------------------------------- one live link per address (D57)


def test_the_daily_cap_is_a_parameter_the_function_reads(
    resources: Resources, sam_template: dict[str, Any]
) -> None:
    variables = resources["RightsMailFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["RIGHTS_ACK_DAILY_CAP"] == {"Ref": "RightsAcknowledgementDailyCap"}
    parameter = sam_template["Parameters"]["RightsAcknowledgementDailyCap"]
    assert (parameter["Type"], parameter["Default"], parameter["MinValue"]) == ("Number", 3, 1)
    assert RightsMailSettings.model_fields["rights_ack_daily_cap"].default == parameter["Default"]


def test_an_alarm_watches_the_volume_of_acknowledgements(
    resources: Resources, sam_template: dict[str, Any]
) -> None:
    alarm = resources["RightsAcknowledgementVolumeAlarm"]
    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    props = alarm["Properties"]
    globals_ = sam_template["Globals"]["Function"]["Environment"]["Variables"]
    assert props["Namespace"] == globals_["POWERTOOLS_METRICS_NAMESPACE"]
    assert props["Dimensions"] == [{"Name": "service", "Value": globals_["POWERTOOLS_SERVICE_NAME"]}]
    assert (props["MetricName"], props["Statistic"], props["Period"]) == ("AcknowledgementsSent", "Sum", 3600)
    assert props["Threshold"] == {"Ref": "RightsAcknowledgementAlarmThreshold"}
    assert props["ComparisonOperator"] == "GreaterThanThreshold"
    assert props["AlarmActions"] == {
        "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
    }
    assert sam_template["Parameters"]["RightsAcknowledgementAlarmThreshold"]["Default"] > 0
