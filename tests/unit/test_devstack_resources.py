"""Resources from the template itself (under moto's mock_aws), and the functions' local environments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from devstack.functions import function_specs
from devstack.intrinsics import UnresolvableError
from devstack.local_secrets import seed_local_secrets
from devstack.resources import AwsClients, ResourceMap, bucket_name, create_resources
from devstack.settings import LOCAL_PARAMETERS, Settings
from devstack.template import TemplateError, load_template, placeholder_values
from tests.aws_support import REGION


def test_the_template_gives_the_inquiries_table_the_queue_and_its_dlq(repo_resources: ResourceMap) -> None:
    resources = repo_resources.resources

    assert resources["InquiriesTable"] == "contact-intake-InquiriesTable"
    assert resources["InquiryQueue"].endswith("/contact-intake-InquiryQueue")
    assert resources["InquiryDLQ"].endswith("/contact-intake-InquiryDLQ")
    types = {repo_resources.resource_type(logical_id) for logical_id in resources}
    assert types <= {
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::S3::Bucket",
        "AWS::SNS::Topic",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
    }


def test_the_table_has_the_templates_keys_indexes_billing_and_ttl(
    session: boto3.session.Session, repo_resources: ResourceMap
) -> None:
    dynamodb = session.client("dynamodb")
    name = repo_resources.ref("InquiriesTable")

    table = dynamodb.describe_table(TableName=name)["Table"]

    assert table["KeySchema"] == [{"AttributeName": "inquiry_id", "KeyType": "HASH"}]
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} >= {"by_subject", "by_customer"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_the_queue_redrives_to_its_dlq(session: boto3.session.Session, repo_resources: ResourceMap) -> None:
    sqs = session.client("sqs")

    attributes = sqs.get_queue_attributes(QueueUrl=repo_resources.ref("InquiryQueue"), AttributeNames=["All"])

    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert redrive == {
        "deadLetterTargetArn": repo_resources.get_att("InquiryDLQ", "Arn"),
        "maxReceiveCount": 5,
    }
    assert attributes["Attributes"]["VisibilityTimeout"] == "180"


def test_references_resolve_to_the_local_resources(repo_resources: ResourceMap) -> None:
    assert repo_resources.resolve({"Fn::Sub": "${InquiriesTable}/${AWS::Region}"}) == (
        f"contact-intake-InquiriesTable/{REGION}"
    )
    assert repo_resources.resolve({"Fn::GetAtt": ["InquiryDLQ", "QueueName"]}) == "contact-intake-InquiryDLQ"
    assert repo_resources.resolve({"Ref": "IntakeFunction"}) == "contact-intake-IntakeFunction"
    assert repo_resources.get_att("IntakeFunction", "Arn").endswith(":function:contact-intake-IntakeFunction")


def test_the_intake_function_runs_with_the_templates_variables_resolved_and_the_local_ones_on_top(
    repo_resources: ResourceMap,
) -> None:
    local = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "THANK_YOU_URL": "/overridden"}

    specs, skipped = function_specs(repo_resources, local)

    assert skipped == []
    assert all(spec.environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566" for spec in specs.values())
    intake = specs["IntakeFunction"]
    assert intake.handler == "intake_handler.lambda_handler"
    assert intake.pythonpath == ["functions/intake", "layers/common"]
    assert (intake.timeout_seconds, intake.memory_mb) == (10, 1024)
    assert intake.reserved_concurrency is None
    assert all(s.reserved_concurrency in {None, 1} for s in specs.values())
    environment = intake.environment
    assert environment["INQUIRIES_TABLE"] == "contact-intake-InquiriesTable"
    assert environment["INQUIRY_QUEUE_URL"] == repo_resources.ref("InquiryQueue")
    assert environment["CAPTCHA_SECRET_PARAM"] == "/contact-intake/recaptcha-secret"
    assert environment["CAPTCHA_HOSTNAMES"] == LOCAL_PARAMETERS["CaptchaHostnames"]
    assert environment["ALLOWED_ORIGINS"] == "http://127.0.0.1:3000,http://localhost:3000"
    assert environment["POWERTOOLS_SERVICE_NAME"] == "contact-intake"  # from Globals
    assert environment["AWS_LAMBDA_LOG_FORMAT"] == "JSON"  # LoggingConfig, as Lambda sets it
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "contact-intake-IntakeFunction"
    assert environment["THANK_YOU_URL"] == "/overridden"
    assert intake.describe() == {
        "handler": intake.handler,
        "pythonpath": intake.pythonpath,
        "environment": environment,
    }


def test_local_secrets_are_secure_strings_where_the_template_says(
    session: boto3.session.Session, repo_resources: ResourceMap
) -> None:
    written = seed_local_secrets(AwsClients(session), repo_resources.parameters)

    ssm = session.client("ssm")
    assert {
        "/contact-intake/recaptcha-secret (SSM SecureString)",
        "/contact-intake/subject-pepper (SSM SecureString)",
    } <= set(written)
    secret = ssm.get_parameter(Name="/contact-intake/recaptcha-secret", WithDecryption=True)["Parameter"]
    assert (secret["Type"], secret["Value"]) == ("SecureString", "local-recaptcha-secret")
    pepper = ssm.get_parameter(Name="/contact-intake/subject-pepper", WithDecryption=True)["Parameter"]
    assert len(pepper["Value"]) == 64


TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: {Type: String, Default: dev}
  Origins: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Mappings:
  Sizes: {dev: {memory: 256}}
Globals:
  Function:
    Runtime: python3.13
    CodeUri: functions/shared/
    Environment:
      Variables: {FROM_GLOBALS: "yes"}
Resources:
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/common}
  Recordings:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
  Alerts:
    Type: AWS::SNS::Topic
  Jobs:
    Type: AWS::SQS::Queue
    DependsOn: Alerts
    Properties: {FifoQueue: true, ContentBasedDeduplication: true}
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Named:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${Env}-named"
      BillingMode: PROVISIONED
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      Layers: [!Ref Layer, arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:1]
      MemorySize: !FindInMap [Sizes, !Ref Env, memory]
      Environment:
        Variables:
          BUCKET: !Ref Recordings
          BUCKET_ARN: !GetAtt Recordings.Arn
          TOPIC: !Ref Alerts
          JOBS: !GetAtt Jobs.QueueName
          ORIGINS: !Join [";", !Ref Origins]
          FIRST_ORIGIN: !Select [0, !Ref Origins]
          MODE: !If [IsProd, strict, !Ref AWS::NoValue]
          LITERAL: !Sub "${!NotAVariable}-${Env}"
          WITH_VARS: !Sub ["${x}-${Env}", {x: !Ref Named}]
  Inline:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code: {ZipFile: "exports.handler = async () => 1"}
"""


@pytest.fixture
def fixture_resources(session: boto3.session.Session, tmp_path: Path) -> ResourceMap:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    return create_resources(session, path)


def test_buckets_topics_fifo_queues_and_named_tables_are_created(
    session: boto3.session.Session, fixture_resources: ResourceMap
) -> None:
    resources = fixture_resources.resources

    assert resources["Recordings"] == "contact-intake-recordings" == bucket_name("Recordings")
    assert (
        session.client("s3").get_bucket_versioning(Bucket="contact-intake-recordings")["Status"] == "Enabled"
    )
    assert resources["Alerts"].startswith("arn:aws:sns:eu-central-1:")
    assert resources["Jobs"].endswith("/contact-intake-Jobs.fifo")
    assert resources["Named"] == "dev-named"
    assert "ProdOnly" not in resources  # its Condition is false


def test_a_functions_variables_use_every_intrinsic_devstack_resolves(fixture_resources: ResourceMap) -> None:
    specs, skipped = function_specs(fixture_resources, {})

    worker = specs["Worker"]
    assert [s.logical_id for s in skipped] == ["Inline"]
    assert worker.code_folder == "functions/shared"  # from Globals
    assert worker.layer_folders == ("layers/common",)  # the public layer ARN is left to the venv
    assert worker.memory_mb == 256
    environment = worker.environment
    assert environment["FROM_GLOBALS"] == "yes"
    assert environment["BUCKET"] == "contact-intake-recordings"
    assert environment["BUCKET_ARN"] == "arn:aws:s3:::contact-intake-recordings"
    assert environment["TOPIC"] == fixture_resources.ref("Alerts")
    assert environment["JOBS"] == "contact-intake-Jobs.fifo"
    assert environment["ORIGINS"] == "a;b"
    assert environment["FIRST_ORIGIN"] == "a"
    assert "MODE" not in environment  # AWS::NoValue
    assert environment["LITERAL"] == "${NotAVariable}-dev"
    assert environment["WITH_VARS"] == "dev-named-dev"


@pytest.mark.parametrize(
    "value",
    [
        {"Fn::ImportValue": "x"},
        {"Fn::GetAtt": ["Recordings", "WebsiteURL"]},
        {"Ref": "NoSuchThing"},
        {"Fn::If": ["NoSuchCondition", 1, 2]},
        {"Fn::FindInMap": ["Sizes", "prod", "memory"]},
    ],
)
def test_what_devstack_cannot_resolve_is_an_error_naming_it(
    fixture_resources: ResourceMap, value: Any
) -> None:
    with pytest.raises(Exception, match=r"(?i)resolve|no condition|not in the template|neither"):
        fixture_resources.resolve(value)


def test_short_tags_load_as_their_long_form_and_dates_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Version: 2012-10-17\nResources:\n  A:\n    Properties:\n"
        "      X: !GetAtt Q.Arn\n      Y: !Sub '${Q}'\n      Z: !If [C, !Ref Q, !Condition D]\n"
        "      W: !Join\n        - ','\n        - [a, b]\n",
        encoding="utf-8",
    )

    loaded = load_template(path)

    assert loaded["Version"] == "2012-10-17"
    assert loaded["Resources"]["A"]["Properties"] == {
        "X": {"Fn::GetAtt": ["Q", "Arn"]},
        "Y": {"Fn::Sub": "${Q}"},
        "Z": {"Fn::If": ["C", {"Ref": "Q"}, {"Condition": "D"}]},
        "W": {"Fn::Join": [",", ["a", "b"]]},
    }


def test_a_parameter_without_a_default_gets_a_placeholder_and_one_without_any_value_is_named(
    session: boto3.session.Session,
) -> None:
    template = {
        "Parameters": {"Domain": {"Type": "String"}, "Limit": {"Type": "Number", "MinValue": 2}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "d", "Value": "x"}]}}},
    }

    assert placeholder_values(template, {}) == {"Domain": "local", "Limit": "2"}
    assert placeholder_values(template, {"Domain": "shop"}) == {"Limit": "2"}
    resources = create_resources(session, template)
    with pytest.raises(UnresolvableError, match="parameter Domain has no value"):
        resources.resolve({"Ref": "Domain"})


@pytest.mark.parametrize("text", ["", "Resources: [", "Parameters: {}\n"])
def test_a_broken_template_is_a_template_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(TemplateError):
        load_template(path)


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"AWS_PORT": "0", "API_PORT": "3100", "AWS_REGION": "eu-west-1"})

    assert (settings.aws_port, settings.api_port, settings.region) == (0, 3100, "eu-west-1")
    assert Settings.from_env({}).api_port == 3000
    with pytest.raises(ValueError, match="API_PORT"):
        Settings.from_env({"API_PORT": "70000"})


def test_a_kms_key_and_its_alias_are_created_with_rotation(session: boto3.session.Session) -> None:
    template = {
        "Resources": {
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "Description": "audio",
                    "EnableKeyRotation": True,
                    "KeyPolicy": {"Version": "2012-10-17", "Statement": []},
                },
            },
            "Alias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": "alias/audio", "TargetKeyId": {"Ref": "Key"}},
            },
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"Tags": [{"Key": "key", "Value": {"Fn::GetAtt": ["Key", "Arn"]}}]},
            },
        }
    }

    resources = create_resources(session, template)

    kms = session.client("kms")
    key_id = resources.ref("Key")
    assert resources.get_att("Key", "Arn") == kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "audio"
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert resources.ref("Alias") == "alias/audio"
    assert kms.describe_key(KeyId="alias/audio")["KeyMetadata"]["KeyId"] == key_id
