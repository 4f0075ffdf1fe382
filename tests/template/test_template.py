"""template.yaml, translated by SAM, keeps the contracts that code, devstack and operators rely on.

Each test names the promise it guards: the data contract of InquiriesTable (docs/architecture.md §3), the
claim-check
queue with its DLQ, runtime hygiene of every function, least privilege, the public routes and their auth,
logs free of personal data, and the environment the code reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from contact_intake.intake.settings import ForwarderSettings, IntakeSettings
from contact_intake.recordings.settings import RecordingsSettings, RecordingUploadedSettings
from contact_intake.retention.settings import (
    AccountEventsSettings,
    HelpdeskEventsSettings,
    SweeperSettings,
)
from contact_intake.rights.settings import RightsApiSettings, RightsMailSettings, RightsWorkerSettings

Resources = dict[str, dict[str, Any]]

# Every function and the settings model its code reads from the environment. A new function registers
# its model here, so its template variables are checked against what the code expects.
FUNCTION_SETTINGS: dict[str, type[BaseModel]] = {
    "IntakeFunction": IntakeSettings,
    "ForwarderFunction": ForwarderSettings,
    "AccountEventsFunction": AccountEventsSettings,
    "HelpdeskEventsFunction": HelpdeskEventsSettings,
    "SweeperFunction": SweeperSettings,
    "RightsMailFunction": RightsMailSettings,
    "RightsApiFunction": RightsApiSettings,
    "RightsWorkerFunction": RightsWorkerSettings,
    "RecordingsFunction": RecordingsSettings,
    "RecordingUploadedFunction": RecordingUploadedSettings,
}

# Routes anyone may call, as (METHOD, path). Every other route must require a signature or authorizer.
PUBLIC_ROUTES = {
    ("POST", "/inquiries"): "IntakeFunction",
    ("OPTIONS", "/inquiries"): "IntakeFunction",
    # authenticated by the shared secret header, checked by the function in constant time
    ("POST", "/helpdesk/events"): "HelpdeskEventsFunction",
    # the link in a rights acknowledgement (GET/HEAD show the page, POST confirms): the single-use 256-bit
    # token is the credential
    ("GET", "/rights-requests/verify"): "RightsApiFunction",
    ("HEAD", "/rights-requests/verify"): "RightsApiFunction",
    ("POST", "/rights-requests/verify"): "RightsApiFunction",
}

# Variables the runtime conventions own, not the settings models.
CONVENTION_PREFIXES = ("POWERTOOLS_", "AWS_")

# Allowed actions that need Resource "*" because the service has no narrower resource (none yet).
ALL_RESOURCES_ALLOWED: set[str] = set()

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def get_att(logical_id: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def ref(logical_id: str) -> dict[str, str]:
    return {"Ref": logical_id}


# ---------------------------------------------------------------- InquiriesTable (docs/architecture.md §3)


@pytest.fixture(scope="module")
def table(resources: Resources) -> dict[str, Any]:
    assert resources["InquiriesTable"]["Type"] == "AWS::DynamoDB::Table"
    return resources["InquiriesTable"]


def test_inquiries_table_is_keyed_by_inquiry_id(table: dict[str, Any]) -> None:
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "inquiry_id", "KeyType": "HASH"}]
    assert {"AttributeName": "inquiry_id", "AttributeType": "S"} in props["AttributeDefinitions"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_inquiries_table_expires_items_by_expires_at(table: dict[str, Any]) -> None:
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


@pytest.mark.parametrize(
    ("index_name", "hash_key"), [("by_subject", "subject_key"), ("by_customer", "customer_number")]
)
def test_inquiries_table_has_keys_only_index(table: dict[str, Any], index_name: str, hash_key: str) -> None:
    indexes = {gsi["IndexName"]: gsi for gsi in table["Properties"]["GlobalSecondaryIndexes"]}
    assert index_name in indexes
    index = indexes[index_name]
    assert index["KeySchema"] == [
        {"AttributeName": hash_key, "KeyType": "HASH"},
        {"AttributeName": "received_at", "KeyType": "RANGE"},
    ]
    # keys only: personal fields are read from the table itself, never copied into an index
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    definitions = {
        d["AttributeName"]: d["AttributeType"] for d in table["Properties"]["AttributeDefinitions"]
    }
    assert definitions[hash_key] == "S"
    assert definitions["received_at"] == "S"


def test_inquiries_table_is_recoverable_encrypted_and_retained(table: dict[str, Any]) -> None:
    props = table["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


# ---------------------------------------------------------------- queues


def test_inquiry_queue_redrives_to_its_dlq(resources: Resources) -> None:
    queue = resources["InquiryQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": get_att("InquiryDLQ", "Arn"),
        "maxReceiveCount": 5,
    }
    # at least six times the forwarder's 30 s timeout, or a slow batch is received twice
    assert queue["VisibilityTimeout"] >= 6 * 30


def test_dlq_keeps_messages_longer_than_the_queue(resources: Resources) -> None:
    default_retention = 4 * 24 * 3600
    queue_retention = resources["InquiryQueue"]["Properties"].get("MessageRetentionPeriod", default_retention)
    dlq_retention = resources["InquiryDLQ"]["Properties"]["MessageRetentionPeriod"]
    assert dlq_retention == 14 * 24 * 3600
    assert dlq_retention > queue_retention


def test_every_queue_is_encrypted(resources_of_type: Callable[[str], Resources]) -> None:
    queues = resources_of_type("AWS::SQS::Queue")
    assert {"InquiryQueue", "InquiryDLQ"} <= queues.keys()
    for logical_id, queue in queues.items():
        props = queue["Properties"]
        assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props, logical_id


# ---------------------------------------------------------------- functions


@pytest.fixture(scope="module")
def functions(resources_of_type: Callable[[str], Resources]) -> Resources:
    found = resources_of_type("AWS::Lambda::Function")
    assert "IntakeFunction" in found
    return found


def test_every_function_runs_python313_on_arm64_with_the_common_layer(
    functions: Resources, resources: Resources, sam_template: dict[str, Any]
) -> None:
    layer_ids = {lid for lid, res in resources.items() if res["Type"] == "AWS::Lambda::LayerVersion"}
    # SAM suffixes the layer's logical id with a content hash
    (common_layer,) = {lid for lid in layer_ids if lid.startswith("CommonLayer")}
    for logical_id, function in functions.items():
        props = function["Properties"]
        assert props["Runtime"] == "python3.13", logical_id
        assert props["Architectures"] == ["arm64"], logical_id
        assert ref(common_layer) in props.get("Layers", []), logical_id
    layer = sam_template["Resources"]["CommonLayer"]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}


def test_every_function_logs_json_without_xray(functions: Resources) -> None:
    for logical_id, function in functions.items():
        props = function["Properties"]
        # no X-Ray: the SDK costs ~300 ms of cold start (docs/architecture.md §1)
        assert props.get("TracingConfig", {}).get("Mode", "PassThrough") == "PassThrough", logical_id
        assert props["LoggingConfig"]["LogFormat"] == "JSON", logical_id


def _log_group_of(function_id: str, function: dict[str, Any], log_groups: Resources) -> dict[str, Any] | None:
    """The log group a function writes to: named by LoggingConfig, or /aws/lambda/<its name>."""
    configured = function["Properties"].get("LoggingConfig", {}).get("LogGroup")
    for logical_id, group in log_groups.items():
        name = group["Properties"].get("LogGroupName")
        if configured in (ref(logical_id), name):
            return group
        if configured is None and name == {"Fn::Sub": f"/aws/lambda/${{{function_id}}}"}:
            return group
    return None


def test_every_function_has_a_log_group_with_retention(
    functions: Resources, resources_of_type: Callable[[str], Resources]
) -> None:
    log_groups = resources_of_type("AWS::Logs::LogGroup")
    for logical_id, function in functions.items():
        group = _log_group_of(logical_id, function, log_groups)
        assert group is not None, f"{logical_id} has no explicit log group (it would keep logs forever)"
        assert group["Properties"]["RetentionInDays"] == ref("LogRetentionDays"), logical_id


def test_log_retention_default_is_a_cloudwatch_value(sam_template: dict[str, Any]) -> None:
    parameter = sam_template["Parameters"]["LogRetentionDays"]
    assert parameter["Default"] in parameter["AllowedValues"]
    assert parameter["Default"] == 30


# ---------------------------------------------------------------- environment (config.py)


def _settings_aliases(model: type[BaseModel]) -> tuple[set[str], set[str]]:
    """(every alias, the aliases without a default) of a settings model."""
    aliases = {field.alias or name for name, field in model.model_fields.items()}
    required = {field.alias or name for name, field in model.model_fields.items() if field.is_required()}
    return aliases, required


def test_every_function_has_a_settings_model(functions: Resources) -> None:
    assert set(functions) == set(FUNCTION_SETTINGS)


@pytest.mark.parametrize(("function_id", "model"), FUNCTION_SETTINGS.items())
def test_environment_matches_what_the_code_reads(
    functions: Resources, function_id: str, model: type[BaseModel]
) -> None:
    variables = functions[function_id]["Properties"]["Environment"]["Variables"]
    aliases, required = _settings_aliases(model)
    assert required, "the settings model lost its required fields?"
    missing = required - variables.keys()
    assert not missing, f"{function_id} lacks required variables {sorted(missing)}"
    unknown = {name for name in variables if not name.startswith(CONVENTION_PREFIXES)} - aliases
    assert not unknown, f"{function_id} sets variables its code never reads: {sorted(unknown)}"
    assert {
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
    } <= variables.keys()


def test_intake_environment_points_at_its_resources(functions: Resources) -> None:
    variables = functions["IntakeFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["INQUIRIES_TABLE"] == ref("InquiriesTable")
    assert variables["INQUIRY_QUEUE_URL"] == ref("InquiryQueue")
    assert variables["CAPTCHA_SECRET_PARAM"] == ref("CaptchaSecretParameterName")
    assert variables["SUBJECT_PEPPER_PARAM"] == ref("SubjectPepperParameterName")
    assert variables["CAPTCHA_ACTION"] == "contact"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "ContactIntake"


def test_no_secret_value_in_any_environment(functions: Resources) -> None:
    # secrets live in SSM or Secrets Manager; the environment may only name the parameter or secret
    for logical_id, function in functions.items():
        for name in function["Properties"].get("Environment", {}).get("Variables", {}):
            if any(word in name for word in ("SECRET", "PEPPER", "PASSWORD", "TOKEN", "API_KEY")):
                assert name.endswith(("_PARAM", "_SECRET_ID")), (
                    f"{logical_id}.{name} looks like a secret value"
                )


# ---------------------------------------------------------------- least privilege


def test_no_allowed_action_has_a_wildcard(statements: list[tuple[str, dict[str, Any]]]) -> None:
    assert statements
    for where, statement in statements:
        assert "NotAction" not in statement, where
        if statement.get("Effect") != "Allow":
            continue  # a Deny with a wildcard only narrows
        for action in as_list(statement.get("Action", [])):
            assert isinstance(action, str), where
            assert action != "*", where
            assert not action.endswith(":*"), f"{where}: {action}"
            assert "*" not in action, f"{where}: {action} (name each action)"


def test_no_allowed_action_on_every_resource(statements: list[tuple[str, dict[str, Any]]]) -> None:
    for where, statement in statements:
        if statement.get("Effect") != "Allow" or "Principal" in statement:
            continue
        if "*" in as_list(statement.get("Resource", [])):
            actions = set(as_list(statement["Action"]))
            assert actions <= ALL_RESOURCES_ALLOWED, f"{where}: {sorted(actions)} on Resource *"


def _role_statements(resources: Resources, function_id: str) -> list[dict[str, Any]]:
    role = resources[f"{function_id}Role"]["Properties"]
    return [s for policy in role.get("Policies", []) for s in as_list(policy["PolicyDocument"]["Statement"])]


def test_intake_function_may_do_only_its_job(resources: Resources) -> None:
    granted: dict[str, list[Any]] = {}
    for statement in _role_statements(resources, "IntakeFunction"):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    assert set(granted) == {
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:ConditionCheckItem",
        "sqs:SendMessage",
        "ssm:GetParameter",
        "kms:Decrypt",
    }
    # the tables themselves, not their indexes; the accounts mirror only read and condition-checked (the
    # customer's write is a transaction: ConditionCheck on the account, Put of the inquiry; D62)
    assert granted["dynamodb:PutItem"] == [get_att("InquiriesTable", "Arn")]
    assert granted["dynamodb:GetItem"] == [get_att("InquiriesTable", "Arn"), get_att("AccountsTable", "Arn")]
    assert granted["dynamodb:ConditionCheckItem"] == [get_att("AccountsTable", "Arn")]
    assert granted["sqs:SendMessage"] == [get_att("InquiryQueue", "Arn")]
    parameter_arn = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${%s}"
    assert sorted(granted["ssm:GetParameter"], key=json.dumps) == sorted(
        [
            {"Fn::Sub": parameter_arn % "CaptchaSecretParameterName"},
            {"Fn::Sub": parameter_arn % "SubjectPepperParameterName"},
        ],
        key=json.dumps,
    )


def test_intake_decrypts_only_through_ssm(resources: Resources) -> None:
    (decrypt,) = [
        s for s in _role_statements(resources, "IntakeFunction") if "kms:Decrypt" in as_list(s["Action"])
    ]
    assert as_list(decrypt["Action"]) == ["kms:Decrypt"]
    conditions = decrypt["Condition"]["StringEquals"]
    assert conditions["kms:ViaService"] == {"Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"}
    assert len(as_list(conditions["kms:EncryptionContext:PARAMETER_ARN"])) == 2


def test_secret_parameter_names_are_absolute(sam_template: dict[str, Any]) -> None:
    # the ARN is built as ...:parameter${Name}, which is only right for names that start with "/"
    for name in ("CaptchaSecretParameterName", "SubjectPepperParameterName"):
        parameter = sam_template["Parameters"][name]
        assert parameter["Default"].startswith("/")
        assert parameter["AllowedPattern"].startswith("^/")


# ---------------------------------------------------------------- API


@pytest.fixture(scope="module")
def api_body(resources: Resources) -> dict[str, Any]:
    body: dict[str, Any] = resources["ContactApi"]["Properties"]["Body"]
    return body


def _operations(api_body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in api_body["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def _authorizers(operation: dict[str, Any]) -> set[str]:
    # SAM leaves {"NONE": []} as the marker of a route that opted out of the default authorizer
    return {name for requirement in operation.get("security", []) for name in requirement} - {"NONE"}


def _invoked(operation: dict[str, Any]) -> str:
    """The logical id the integration invokes: a function (``${F.Arn}``) or an alias (``${FAliaslive}``)."""
    integration = operation["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy"
    uri = integration["uri"]["Fn::Sub"]
    return uri.split("functions/${", 1)[1].split("}", 1)[0].removesuffix(".Arn")


def _function_of(resources: Resources, logical_id: str) -> str:
    """An alias's function (AutoPublishAlias); a function's own id."""
    if resources[logical_id]["Type"] == "AWS::Lambda::Alias":
        return str(resources[logical_id]["Properties"]["FunctionName"]["Ref"])
    return logical_id


def _target(operation: dict[str, Any], resources: Resources | None = None) -> str:
    """The function a route reaches (through its alias when ``resources`` are given)."""
    invoked = _invoked(operation)
    return invoked if resources is None else _function_of(resources, invoked)


@pytest.mark.parametrize(("route", "function_id"), PUBLIC_ROUTES.items())
def test_public_route_reaches_its_function_without_auth(
    api_body: dict[str, Any], resources: Resources, route: tuple[str, str], function_id: str
) -> None:
    operations = _operations(api_body)
    assert route in operations
    operation = operations[route]
    assert _target(operation, resources) == function_id
    assert not _authorizers(operation)
    assert "credentials" not in operation["x-amazon-apigateway-integration"]
    method, path = route
    invoked = _invoked(operation)  # the permission is for what the integration invokes (the alias, if any)
    source_arns = [
        res["Properties"]["SourceArn"]["Fn::Sub"][0]
        for res in resources.values()
        if res["Type"] == "AWS::Lambda::Permission" and res["Properties"]["FunctionName"] == ref(invoked)
    ]
    assert any(arn.endswith(f"/{method}{path}") for arn in source_arns), "API Gateway may not invoke it"


def test_intake_resumes_from_a_snapshot_of_its_published_version(
    api_body: dict[str, Any], resources: Resources
) -> None:
    """SnapStart on IntakeFunction: published versions are snapshotted, and the API invokes the alias (a
    snapshot exists only for a version, never for $LATEST)."""
    intake = resources["IntakeFunction"]["Properties"]
    assert intake["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    aliases = [
        logical_id
        for logical_id, res in resources.items()
        if res["Type"] == "AWS::Lambda::Alias" and res["Properties"]["FunctionName"] == ref("IntakeFunction")
    ]
    assert len(aliases) == 1
    operations = _operations(api_body)
    for route in (("POST", "/inquiries"), ("OPTIONS", "/inquiries")):
        assert _invoked(operations[route]) == aliases[0], route


def test_every_other_route_requires_auth(api_body: dict[str, Any]) -> None:
    for route, operation in _operations(api_body).items():
        if route not in PUBLIC_ROUTES:
            assert _authorizers(operation), f"{route} is open to anyone"


def test_api_answers_cors_in_the_function_not_in_sam(sam_template: dict[str, Any]) -> None:
    # SAM Cors would answer every Origin with a mock OPTIONS integration; the function checks the list
    assert "Cors" not in sam_template["Resources"]["ContactApi"]["Properties"]
    assert "Cors" not in sam_template.get("Globals", {}).get("Api", {})


def test_api_is_regional_and_its_iam_routes_use_the_resource_policy(
    resources: Resources, sam_template: dict[str, Any]
) -> None:
    assert resources["ContactApi"]["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    auth = sam_template["Resources"]["ContactApi"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == "AWS_IAM"
    # not CALLER_CREDENTIALS: that would make SAM set the integration credentials to arn:aws:iam::*:user/*
    assert auth["InvokeRole"] == "NONE"
    assert auth["AddDefaultAuthorizerToCorsPreflight"] is False


@pytest.fixture(scope="module")
def stage(resources_of_type: Callable[[str], Resources]) -> dict[str, Any]:
    stages = [
        s
        for s in resources_of_type("AWS::ApiGateway::Stage").values()
        if s["Properties"]["RestApiId"] == ref("ContactApi")
    ]
    assert len(stages) == 1, "one stage only (no SAM 'Stage' stage)"
    return stages[0]


def test_stage_is_throttled(stage: dict[str, Any], sam_template: dict[str, Any]) -> None:
    settings = {(m["ResourcePath"], m["HttpMethod"]): m for m in stage["Properties"]["MethodSettings"]}
    everything = settings[("/*", "*")]
    assert everything["ThrottlingRateLimit"] == ref("ApiThrottlingRateLimit")
    assert everything["ThrottlingBurstLimit"] == ref("ApiThrottlingBurstLimit")
    parameters = sam_template["Parameters"]
    assert parameters["ApiThrottlingRateLimit"]["Default"] == 20
    assert parameters["ApiThrottlingBurstLimit"]["Default"] == 40
    assert stage["Properties"]["StageName"] == ref("StageName")
    assert parameters["StageName"]["Default"] == "v1"


def test_stage_logs_no_request_data(stage: dict[str, Any]) -> None:
    for setting in stage["Properties"]["MethodSettings"]:
        assert not setting.get("DataTraceEnabled", False), "data trace logs request bodies"


def test_access_log_holds_no_personal_data(stage: dict[str, Any], resources: Resources) -> None:
    access = stage["Properties"]["AccessLogSetting"]
    destination = access["DestinationArn"]["Fn::GetAtt"][0]
    assert resources[destination]["Properties"]["RetentionInDays"] == ref("LogRetentionDays")
    fields = json.loads(access["Format"])
    assert {
        "requestId",
        "status",
        "httpMethod",
        "resourcePath",
        "responseLatency",
        "responseLength",
    } <= fields.keys()
    for forbidden in (
        "$context.identity.",
        "$context.path",
        "$input.",
        "$context.authorizer",
        "$context.requestOverride",
    ):
        assert forbidden not in access["Format"], forbidden


# ---------------------------------------------------------------- alarms and outputs


def _alarm(resources: Resources, logical_id: str) -> dict[str, Any]:
    alarm = resources[logical_id]
    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    props: dict[str, Any] = alarm["Properties"]
    assert props["AlarmActions"] == {"Fn::If": ["HasAlarmTopic", [ref("AlarmTopicArn")], ref("AWS::NoValue")]}
    return props


def test_dlq_alarm_fires_on_the_first_message(resources: Resources) -> None:
    props = _alarm(resources, "InquiryDLQAlarm")
    assert (props["Namespace"], props["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert props["Dimensions"] == [{"Name": "QueueName", "Value": get_att("InquiryDLQ", "QueueName")}]
    assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanThreshold", 0)


def test_intake_errors_alarm(resources: Resources) -> None:
    props = _alarm(resources, "IntakeErrorsAlarm")
    assert (props["Namespace"], props["MetricName"]) == ("AWS/Lambda", "Errors")
    assert props["Dimensions"] == [{"Name": "FunctionName", "Value": ref("IntakeFunction")}]
    assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanThreshold", 0)


def test_every_function_has_a_throttles_alarm(resources: Resources, functions: Resources) -> None:
    """A throttled invocation keeps a person or a queue waiting: each function has its own alarm on it."""
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for name, alarm in resources.items()
        if alarm["Type"] == "AWS::CloudWatch::Alarm" and alarm["Properties"].get("MetricName") == "Throttles"
    }
    assert watched == set(functions)
    for name in (n for n, r in resources.items() if r["Properties"].get("MetricName") == "Throttles"):
        props = _alarm(resources, name)
        assert (props["Namespace"], props["ComparisonOperator"], props["Threshold"]) == (
            "AWS/Lambda",
            "GreaterThanThreshold",
            0,
        )


def test_every_parameter_is_in_exactly_one_group(sam_template: dict[str, Any]) -> None:
    """The console and `sam deploy --guided` show the parameters grouped by capability; none is left out."""
    groups = sam_template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    grouped = [name for group in groups for name in group["Parameters"]]
    assert sorted(grouped) == sorted(sam_template["Parameters"])
    assert all(group["Label"]["default"] for group in groups)


def test_alarm_topic_is_optional(sam_template: dict[str, Any]) -> None:
    assert sam_template["Parameters"]["AlarmTopicArn"]["Default"] == ""
    assert sam_template["Conditions"]["HasAlarmTopic"] == {
        "Fn::Not": [{"Fn::Equals": [ref("AlarmTopicArn"), ""]}]
    }


def test_outputs_name_every_url_table_and_queue(translated: dict[str, Any]) -> None:
    outputs = translated["Outputs"]
    assert outputs["InquiriesTableName"]["Value"] == ref("InquiriesTable")
    assert outputs["InquiryQueueUrl"]["Value"] == ref("InquiryQueue")
    assert outputs["InquiryDLQUrl"]["Value"] == ref("InquiryDLQ")
    assert outputs["IntakeFunctionName"]["Value"] == ref("IntakeFunction")
    assert outputs["ApiUrl"]["Value"] == {
        "Fn::Sub": "https://${ContactApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageName}"
    }
    tables_and_queues = {
        lid
        for lid, res in translated["Resources"].items()
        if res["Type"] in {"AWS::DynamoDB::Table", "AWS::SQS::Queue"}
    }
    referenced = {json.dumps(output["Value"]) for output in outputs.values()}
    for logical_id in tables_and_queues:
        assert json.dumps(ref(logical_id)) in referenced, f"no output for {logical_id}"


# ---------------------------------------------------------------- ForwarderFunction (docs/architecture.md §6)


def _forwarder_mapping(resources: Resources) -> dict[str, Any]:
    (mapping,) = [
        res["Properties"]
        for res in resources.values()
        if res["Type"] == "AWS::Lambda::EventSourceMapping"
        and res["Properties"]["FunctionName"] == ref("ForwarderFunction")
    ]
    return mapping


def test_forwarder_reads_inquiry_queue_with_partial_batch_failures(resources: Resources) -> None:
    mapping = _forwarder_mapping(resources)
    assert mapping["EventSourceArn"] == get_att("InquiryQueue", "Arn")
    # without it one failed record makes SQS redeliver the whole batch
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= mapping["BatchSize"] <= 10
    # the cap that keeps a burst from flooding the helpdesk (template comment on the parameter)
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": ref("ForwarderMaxConcurrency")}


def test_forwarder_concurrency_and_rate_are_parameters(
    sam_template: dict[str, Any], functions: Resources
) -> None:
    parameters = sam_template["Parameters"]
    assert parameters["ForwarderMaxConcurrency"]["MinValue"] == 2  # Lambda's minimum for MaximumConcurrency
    assert parameters["ForwarderMaxConcurrency"]["Default"] >= 2
    assert parameters["HelpdeskRateLimitPerMinute"]["MinValue"] >= 1
    variables = functions["ForwarderFunction"]["Properties"]["Environment"]["Variables"]
    # the pacer spreads a throttled backlog by the same two numbers the mapping and the helpdesk use
    assert variables["FORWARDER_MAX_CONCURRENCY"] == ref("ForwarderMaxConcurrency")
    assert variables["HELPDESK_RATE_LIMIT_PER_MINUTE"] == ref("HelpdeskRateLimitPerMinute")


def test_forwarder_timeout_fits_six_times_in_the_visibility_timeout(
    functions: Resources, resources: Resources
) -> None:
    timeout = functions["ForwarderFunction"]["Properties"]["Timeout"]
    assert resources["InquiryQueue"]["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_forwarder_has_no_function_level_dlq(functions: Resources, sam_template: dict[str, Any]) -> None:
    # a function DLQ applies to async invocations only; InquiryQueue's redrive policy is the DLQ (STYLE)
    assert "DeadLetterConfig" not in functions["ForwarderFunction"]["Properties"]
    assert "DeadLetterQueue" not in sam_template["Resources"]["ForwarderFunction"]["Properties"]
    assert "DeadLetterQueue" not in sam_template.get("Globals", {}).get("Function", {})


def test_forwarder_environment_points_at_its_resources(functions: Resources) -> None:
    variables = functions["ForwarderFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["INQUIRIES_TABLE"] == ref("InquiriesTable")
    assert variables["INQUIRY_QUEUE_URL"] == ref("InquiryQueue")
    assert variables["INQUIRY_DLQ_URL"] == ref("InquiryDLQ")
    assert variables["HELPDESK_DOMAIN"] == ref("HelpdeskDomain")
    assert variables["HELPDESK_API_KEY_SECRET_ID"] == ref("HelpdeskApiKeySecretName")


def test_forwarder_may_do_only_its_job(resources: Resources) -> None:
    granted: dict[str, list[Any]] = {}
    for statement in _role_statements(resources, "ForwarderFunction"):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    assert set(granted) == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
        "sqs:SendMessage",
        "secretsmanager:GetSecretValue",
    }
    # the accounts mirror only read: a closed account's inquiry is not sent (D63)
    assert granted["dynamodb:GetItem"] == [get_att("InquiriesTable", "Arn"), get_att("AccountsTable", "Arn")]
    assert granted["dynamodb:UpdateItem"] == [get_att("InquiriesTable", "Arn")]
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"):
        assert granted[action] == [get_att("InquiryQueue", "Arn")], action
    assert sorted(granted["sqs:SendMessage"], key=json.dumps) == sorted(
        [get_att("InquiryQueue", "Arn"), get_att("InquiryDLQ", "Arn")], key=json.dumps
    )
    assert granted["secretsmanager:GetSecretValue"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}"
            ":secret:${HelpdeskApiKeySecretName}-??????"
        }
    ]
    # no managed policy beyond the basic execution role (SAM's SQS event would add one for every queue)
    role = resources["ForwarderFunctionRole"]["Properties"]
    assert [str(arn).rsplit(":", 1)[1] for arn in role["ManagedPolicyArns"]] == [
        "policy/service-role/AWSLambdaBasicExecutionRole"
    ]
