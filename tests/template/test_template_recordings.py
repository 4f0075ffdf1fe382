"""Call recordings in template.yaml, translated by SAM (docs/architecture.md §7 "Call recordings"): the
audio's lifecycle
expiry per purpose, the bucket's encryption and reach, the consent ledger, the routes behind AWS_IAM, the
S3 -> EventBridge -> RecordingUploadedFunction path, and who may do what."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contact_intake.recordings.models import Purpose, audio_key
from contact_intake.recordings.settings import RecordingsStorageSettings
from tests.template.conftest import load_sam_template, translate

Resources = dict[str, dict[str, Any]]
PREFIXED = [f"${{RecordingsBucket.Arn}}/{purpose}/*" for purpose in Purpose]
# each purpose, its retention parameter, and the variable the functions read it from
RETENTION = {
    Purpose.TRAINING: ("TrainingRecordingRetentionDays", "RECORDING_TRAINING_DAYS"),
    Purpose.QUALITY: ("QualityRecordingRetentionDays", "RECORDING_QUALITY_DAYS"),
    Purpose.AGREEMENT_DOCUMENTATION: ("AgreementRecordingRetentionDays", "RECORDING_AGREEMENT_DAYS"),
}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements_of(resources: Resources, role: str) -> dict[str, dict[str, Any]]:
    policies = resources[role]["Properties"]["Policies"]
    # SAM's own statements (the OnFailure destination's sqs:SendMessage) have no Sid
    return {
        s.get("Sid", p["PolicyName"]): s for p in policies for s in as_list(p["PolicyDocument"]["Statement"])
    }


def subs(value: Any) -> list[str]:
    return [v["Fn::Sub"] if isinstance(v, dict) and "Fn::Sub" in v else json.dumps(v) for v in as_list(value)]


# ---------------------------------------------------------------- the audio's lifecycle


@pytest.fixture(scope="module")
def bucket(resources: Resources) -> dict[str, Any]:
    props: dict[str, Any] = resources["RecordingsBucket"]["Properties"]
    return props


def test_each_purpose_has_its_own_lifecycle_expiry_from_a_parameter(
    bucket: dict[str, Any], sam_template: dict[str, Any]
) -> None:
    rules = {rule["Prefix"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    # one rule per purpose, on the prefix the code writes that purpose's audio under
    assert set(rules) == {audio_key(p, "id", "audio/mpeg").split("/")[0] + "/" for p in Purpose}
    for purpose, (parameter, _) in RETENTION.items():
        rule = rules[f"{purpose}/"]
        assert rule["Status"] == "Enabled"
        assert rule["ExpirationInDays"] == {"Ref": parameter}
        assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
        assert "Filter" not in rule
        assert "TagFilters" not in rule
    parameters = sam_template["Parameters"]
    defaults = {purpose: parameters[name]["Default"] for purpose, (name, _) in RETENTION.items()}
    assert defaults == {Purpose.TRAINING: 90, Purpose.QUALITY: 90, Purpose.AGREEMENT_DOCUMENTATION: 730}
    assert (
        max(defaults[Purpose.TRAINING], defaults[Purpose.QUALITY]) < defaults[Purpose.AGREEMENT_DOCUMENTATION]
    )


def test_the_code_defaults_are_the_templates() -> None:
    fields = RecordingsStorageSettings.model_fields
    parameters = load_sam_template()["Parameters"]
    for parameter, variable in RETENTION.values():
        (field,) = [f for f in fields.values() if f.alias == variable]
        assert field.default == parameters[parameter]["Default"], variable
    (proof,) = [f for f in fields.values() if f.alias == "RECORDING_PROOF_DAYS"]
    assert proof.default == parameters["RecordingConsentProofDays"]["Default"]


def test_a_changed_retention_reaches_the_rule_and_the_functions() -> None:
    translated = translate(load_sam_template(), {"TrainingRecordingRetentionDays": "30"})
    rules = translated["Resources"]["RecordingsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (training,) = [r for r in rules if r["Prefix"] == "training/"]
    assert training["ExpirationInDays"] == {"Ref": "TrainingRecordingRetentionDays"}
    for function in ("RecordingsFunction", "RecordingUploadedFunction"):
        variables = translated["Resources"][function]["Properties"]["Environment"]["Variables"]
        for parameter, variable in RETENTION.values():
            assert variables[variable] == {"Ref": parameter}, (function, variable)
        assert variables["RECORDING_PROOF_DAYS"] == {"Ref": "RecordingConsentProofDays"}


def test_no_object_can_be_put_outside_a_retention_prefix(resources: Resources) -> None:
    statements = resources["RecordingsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (outside,) = [s for s in statements if s["Sid"] == "DenyObjectsOutsideRetentionPrefixes"]
    assert (outside["Effect"], outside["Principal"], outside["Action"]) == ("Deny", "*", "s3:PutObject")
    assert subs(outside["NotResource"]) == PREFIXED


# ---------------------------------------------------------------- encryption and reach


def test_the_audio_is_encrypted_with_its_own_rotating_key(
    bucket: dict[str, Any], resources: Resources
) -> None:
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["RecordingsKey", "Arn"]},
    }
    key = resources["RecordingsKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # the retained bucket's audio stays readable
    assert resources["RecordingsBucket"]["DeletionPolicy"] == "Retain"


def test_the_key_is_usable_only_through_s3_and_never_by_wildcard(resources: Resources) -> None:
    statements = resources["RecordingsKey"]["Properties"]["KeyPolicy"]["Statement"]
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {
            "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
        }
        assert not any("*" in action for action in as_list(statement["Action"])), statement["Sid"]
    usable = [s for s in statements if {"kms:Decrypt", "kms:GenerateDataKey"} & set(as_list(s["Action"]))]
    assert len(usable) == 1
    assert usable[0]["Condition"]["StringEquals"]["kms:ViaService"] == {
        "Fn::Sub": "s3.${AWS::Region}.amazonaws.com"
    }


def test_the_bucket_is_private_tls_only_and_tells_eventbridge(
    bucket: dict[str, Any], resources: Resources
) -> None:
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "VersioningConfiguration" not in bucket  # a withdrawal's delete is final
    assert bucket["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    statements = resources["RecordingsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (tls,) = [s for s in statements if s["Sid"] == "DenyInsecureTransport"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# ---------------------------------------------------------------- the ledger


def test_the_ledger_finds_a_persons_recordings_and_expires_what_is_due(resources: Resources) -> None:
    table = resources["RecordingsTable"]
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "recording_id", "KeyType": "HASH"}]
    indexes = {gsi["IndexName"]: gsi["KeySchema"] for gsi in props["GlobalSecondaryIndexes"]}
    assert indexes == {
        "by_subject": [
            {"AttributeName": "subject_key", "KeyType": "HASH"},
            {"AttributeName": "registered_at", "KeyType": "RANGE"},
        ],
        "by_phone": [
            {"AttributeName": "phone_key", "KeyType": "HASH"},
            {"AttributeName": "registered_at", "KeyType": "RANGE"},
        ],
    }
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"


# ---------------------------------------------------------------- routes and events


def test_the_recording_routes_require_a_signature_and_reach_their_function(resources: Resources) -> None:
    paths = resources["ContactApi"]["Properties"]["Body"]["paths"]
    routes = {
        ("post", "/recordings"),
        ("get", "/recordings/{recording_id}"),
        ("delete", "/recordings/{recording_id}"),
    }
    for method, path in routes:
        operation = paths[path][method]
        assert operation["security"] == [{"AWS_IAM": []}], (method, path)
        assert "RecordingsFunction.Arn" in operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
    assert {(m, p) for p, item in paths.items() if p.startswith("/recordings") for m in item} == routes


def test_every_new_object_goes_to_the_upload_function_with_a_dead_letter_queue(resources: Resources) -> None:
    rule = resources["RecordingUploadedFunctionRecordingObjectCreated"]["Properties"]
    assert json.loads(json.dumps(rule["EventPattern"])) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [{"Ref": "RecordingsBucket"}]}},
    }
    (target,) = rule["Targets"]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["RecordingEventsDLQ", "Arn"]}}
    invoke = resources["RecordingUploadedFunctionEventInvokeConfig"]["Properties"]
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["RecordingEventsDLQ", "Arn"]
    }
    alarm = resources["RecordingEventsDLQAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["RecordingEventsDLQ", "QueueName"]}}
    ]


# ---------------------------------------------------------------- least privilege


def test_the_telephony_policy_invokes_only_registration_and_withdrawal(resources: Resources) -> None:
    (statement,) = resources["TelephonyRecordingsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "execute-api:Invoke"
    base = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ContactApi}/${StageName}"
    assert subs(statement["Resource"]) == [f"{base}/POST/recordings", f"{base}/DELETE/recordings/*"]


def test_the_functions_reach_only_audio_under_the_retention_prefixes(resources: Resources) -> None:
    api = statements_of(resources, "RecordingsFunctionRole")
    assert as_list(api["RecordingAudioPresign"]["Action"]) == ["s3:PutObject", "s3:GetObject"]
    for sid in ("RecordingAudioPresign", "RecordingAudioDelete"):
        assert subs(api[sid]["Resource"]) == PREFIXED
    uploaded = statements_of(resources, "RecordingUploadedFunctionRole")
    actions = {a for s in uploaded.values() for a in as_list(s["Action"])}
    # the confirmation never reads audio and never decrypts (and SAM lets it dead-letter a failed event)
    assert actions == {
        "sqs:SendMessage",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:ListBucketVersions",
    }
    assert subs(uploaded["RecordingAudioDelete"]["Resource"]) == PREFIXED
    rights = {
        s["Sid"]: s for s in resources["RecordingsRightsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    }
    assert subs(rights["RecordingAudio"]["Resource"]) == PREFIXED
    assert subs(rights["RecordingsBySubject"]["Resource"]) == [
        "${RecordingsTable.Arn}/index/by_subject",
        "${RecordingsTable.Arn}/index/by_phone",
    ]


def test_the_outputs_name_what_operators_and_the_rights_worker_need(translated: dict[str, Any]) -> None:
    outputs = translated["Outputs"]
    assert outputs["TelephonyRecordingsPolicyArn"]["Value"] == {"Ref": "TelephonyRecordingsPolicy"}
    assert outputs["RecordingsRightsPolicyArn"]["Value"] == {"Ref": "RecordingsRightsPolicy"}
    assert outputs["RecordingsUrl"]["Value"]["Fn::Sub"].endswith("/${StageName}/recordings")


# ---------------------------------------------------------------- write-once audio (D66)


def test_the_bucket_policy_denies_every_put_without_if_none_match(resources: Resources) -> None:
    """The presigned PUT signs If-None-Match: * (tests/integration/test_recordings.py shows the 412); the
    bucket policy makes it the rule for every principal, so credentials that could sign their own PUT (the
    functions' roles) cannot overwrite an audio object either, nor CopyObject onto one."""
    policy = resources["RecordingsBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "RecordingsBucket"}
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    deny = statements["DenyPutWithoutIfNoneMatch"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "s3:PutObject")
    assert deny["Resource"] == {"Fn::Sub": "${RecordingsBucket.Arn}/*"}
    assert deny["Condition"] == {"Null": {"s3:if-none-match": "true"}}
    insecure = statements["DenyInsecureTransport"]
    assert insecure["Effect"] == "Deny"
    assert insecure["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
