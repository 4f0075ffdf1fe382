"""The template's stateful resources, created in whatever AWS the given boto3 session talks to.

Used by devstack (against its moto server) and by the integration tests (under moto's ``mock_aws``), so
tables, queues and buckets come from template.yaml itself and cannot drift from it::

    resources = create_resources(boto3.Session(region_name="eu-central-1"), "template.yaml")
    resources.ref("InquiriesTable")          # the table's name
    resources.ref("InquiryQueue")            # the queue's URL
    resources.get_att("InquiryDLQ", "Arn")
    resources.resolve({"Fn::Sub": "${InquiriesTable}"})

Creators are a registry (``CREATORS``): a later issue adds a resource type by adding one function.
"""

from __future__ import annotations

import graphlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from devstack.intrinsics import Intrinsics, UnresolvableError, references
from devstack.settings import ACCOUNT_ID, REPO_ROOT, STACK_NAME
from devstack.template import (
    TemplateError,
    is_sam,
    load_template,
    parameter_values,
    pseudo_parameters,
    translate,
)

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_ssm.client import SSMClient

_FALLBACK_ARNS: Final = {
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{name}",
    "AWS::Logs::LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}:*",
    "AWS::Events::Rule": "arn:aws:events:{region}:{account}:rule/{name}",
}


def physical_name(logical_id: str) -> str:
    """The deterministic local name of a resource the template does not name itself."""
    return f"{STACK_NAME}-{logical_id}"


@dataclass(frozen=True)
class Created:
    """What creating a resource gave: its Ref value and its Fn::GetAtt attributes."""

    physical_id: str
    attributes: dict[str, str] = field(default_factory=dict)


class AwsClients:
    """boto3 clients of one session, built once each; ``endpoint_url`` points them at a local server."""

    def __init__(self, session: boto3.session.Session, endpoint_url: str | None = None) -> None:
        if not session.region_name:
            raise ValueError("the boto3 session needs a region")
        self.session = session
        self.region: str = session.region_name
        self.endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            from botocore.config import Config

            config = Config(s3={"addressing_style": "path"}, retries={"mode": "standard"})
            self._clients[service] = self.session.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.endpoint_url,
                config=config,
            )
        return self._clients[service]

    @property
    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self.client("dynamodb")
        return client

    @property
    def sqs(self) -> SQSClient:
        client: SQSClient = self.client("sqs")
        return client

    @property
    def s3(self) -> S3Client:
        client: S3Client = self.client("s3")
        return client

    @property
    def ssm(self) -> SSMClient:
        client: SSMClient = self.client("ssm")
        return client


Read = TypeVar("Read")  # what ResourceMap.read_each makes of a resource


@dataclass
class ResourceMap:
    """The local resources of a translated template, and the resolver of references to them."""

    region: str
    template: dict[str, Any]
    parameters: dict[str, Any]
    created: dict[str, Created] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, str]:
        """LogicalId -> table name | queue URL | bucket name | topic ARN, for every created resource."""
        return {logical_id: made.physical_id for logical_id, made in self.created.items()}

    def resource_type(self, logical_id: str) -> str:
        resource = self.template["Resources"].get(logical_id)
        if logical_id in (self.template.get("Parameters") or {}):
            raise UnresolvableError(
                f"parameter {logical_id} has no value: it needs a Default or a local value"
            )
        if not isinstance(resource, Mapping):
            raise UnresolvableError(f"{logical_id} is neither a parameter nor a resource of the template")
        return str(resource.get("Type", ""))

    def ref(self, logical_id: str) -> str:
        """What ``Ref`` gives for a resource (created ones: their local name or URL)."""
        if logical_id in self.created:
            return self.created[logical_id].physical_id
        kind = self.resource_type(logical_id)
        name = self._name_property(logical_id, kind)
        return name or physical_name(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> str:
        """What ``Fn::GetAtt`` gives; raises UnresolvableError for attributes devstack does not know."""
        made = self.created.get(logical_id)
        if made is not None and attribute in made.attributes:
            return made.attributes[attribute]
        kind = self.resource_type(logical_id)
        if attribute == "Arn" and kind in _FALLBACK_ARNS:
            return _FALLBACK_ARNS[kind].format(
                region=self.region, account=ACCOUNT_ID, name=self.ref(logical_id)
            )
        raise UnresolvableError(f"devstack cannot resolve Fn::GetAtt {logical_id}.{attribute} ({kind})")

    def resolve(self, value: Any) -> Any:
        """``value`` with its intrinsic functions resolved to the local resources and parameters."""
        return self._intrinsics.resolve(value)

    def condition(self, name: str) -> bool:
        return self._intrinsics.condition(name)

    def read_each(
        self,
        resource_type: str,
        read: Callable[[str, Mapping[str, Any]], Read | str],
        problems: tuple[type[Exception], ...] = (UnresolvableError,),
    ) -> tuple[list[Read], list[str]]:
        """The template's resources of ``resource_type`` (those whose Condition holds, in logical-id order),
        each read by ``read(logical_id, properties)`` into what devstack runs; and for each one devstack
        cannot run, a line "<logical id>: <why>", the why being the text ``read`` returns instead, or one of
        the ``problems`` it raises."""
        found: list[Read] = []
        skipped: list[str] = []
        for logical_id, resource in sorted(self.template["Resources"].items()):
            if resource.get("Type") != resource_type:
                continue
            if "Condition" in resource and not self.condition(resource["Condition"]):
                continue
            try:
                result = read(logical_id, resource.get("Properties") or {})
            except problems as problem:
                skipped.append(f"{logical_id}: {problem}")
                continue
            if isinstance(result, str):
                skipped.append(f"{logical_id}: {result}")
            else:
                found.append(result)
        return found, skipped

    @cached_property
    def _intrinsics(self) -> Intrinsics:
        return Intrinsics(
            parameters={**pseudo_parameters(self.region), **self.parameters},
            ref=self.ref,
            get_att=self.get_att,
            conditions=self.template.get("Conditions") or {},
            mappings=self.template.get("Mappings") or {},
        )

    def _name_property(self, logical_id: str, kind: str) -> str | None:
        name_key = {"AWS::Lambda::Function": "FunctionName", "AWS::IAM::Role": "RoleName"}.get(kind)
        properties = self.template["Resources"][logical_id].get("Properties") or {}
        if name_key and name_key in properties:
            return str(self.resolve(properties[name_key]))
        return None


ResourceCreator = Callable[[AwsClients, str, dict[str, Any]], Created]
# (resource type, logical id, resolved properties) -> the properties to create it with
PropertiesAdjuster = Callable[[str, str, dict[str, Any]], dict[str, Any]]


def cap_visibility_timeout(max_seconds: int) -> PropertiesAdjuster:
    """Queues with a VisibilityTimeout (SQS's default: 30 s) of at most ``max_seconds``; 0 leaves them be.

    devstack's: a failed message comes back in seconds, not minutes, so local retries and redrives are
    quick to watch and to test.
    """

    def adjust(resource_type: str, logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        if resource_type != "AWS::SQS::Queue" or max_seconds <= 0:
            return properties
        visibility = int(properties.get("VisibilityTimeout", 30))
        return {**properties, "VisibilityTimeout": min(visibility, max_seconds)}

    return adjust


def create_resources(
    session: boto3.session.Session,
    template: Path | str | Mapping[str, Any] | None = None,
    parameter_overrides: Mapping[str, Any] | None = None,
    *,
    endpoint_url: str | None = None,
    adjust: PropertiesAdjuster | None = None,
) -> ResourceMap:
    """Create every table, queue, bucket and topic of ``template`` (default: the repo's template.yaml).

    ``template`` is a path, or a loaded template (SAM or already translated). Resources are created in
    dependency order (a queue after its DLQ); a resource whose Condition is false is skipped. ``adjust``
    may change a resource's resolved properties before it is created (devstack caps visibility timeouts).
    Raises TemplateError or UnresolvableError when the template cannot be read or resolved.
    """
    clients = AwsClients(session, endpoint_url)
    cfn, values = prepare_template(template, parameter_overrides, clients.region)
    resource_map = ResourceMap(region=clients.region, template=cfn, parameters=values)
    for logical_id in _creation_order(cfn):
        resource = cfn["Resources"][logical_id]
        if "Condition" in resource and not resource_map.condition(resource["Condition"]):
            continue
        properties = resource_map.resolve(resource.get("Properties") or {})
        if adjust is not None:
            properties = adjust(resource["Type"], logical_id, properties)
        resource_map.created[logical_id] = CREATORS[resource["Type"]](clients, logical_id, properties)
    return resource_map


def prepare_template(
    template: Path | str | Mapping[str, Any] | None,
    parameter_overrides: Mapping[str, Any] | None,
    region: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The translated template and its parameter values (typed: a CommaDelimitedList is a list)."""
    loaded = (
        template
        if isinstance(template, Mapping)
        else load_template(Path(template or REPO_ROOT / "template.yaml"))
    )
    values = parameter_values(loaded, parameter_overrides)
    cfn = translate(loaded, values, region) if is_sam(loaded) else dict(loaded)
    return cfn, typed_parameter_values(cfn, values)


def typed_parameter_values(template: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """What ``Ref`` of each parameter gives: list-typed parameters as lists, the rest as given."""
    declared: Mapping[str, Any] = template.get("Parameters") or {}
    typed: dict[str, Any] = {}
    for name, value in values.items():
        kind = str((declared.get(name) or {}).get("Type", "String"))
        is_list = kind == "CommaDelimitedList" or kind.startswith("List<")
        typed[name] = (
            [part.strip() for part in value.split(",")] if is_list and isinstance(value, str) else value
        )
    return typed


def _creation_order(cfn: Mapping[str, Any]) -> list[str]:
    resources: Mapping[str, Any] = cfn.get("Resources") or {}
    creatable = {
        lid for lid, res in resources.items() if isinstance(res, Mapping) and res.get("Type") in CREATORS
    }
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for logical_id in sorted(creatable):
        depends_on = resources[logical_id].get("DependsOn") or []
        depends = references(resources[logical_id].get("Properties") or {}) | set(
            [depends_on] if isinstance(depends_on, str) else depends_on
        )
        sorter.add(logical_id, *sorted(depends & creatable))
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as exc:
        raise TemplateError(f"circular references between resources: {exc.args[1]}") from None


# --- DynamoDB -----------------------------------------------------------------------------------------

_INDEX_KEYS: Final = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")


def create_table(clients: AwsClients, logical_id: str, properties: dict[str, Any]) -> Created:
    """AWS::DynamoDB::Table: keys, indexes, billing, streams, then TTL and point-in-time recovery."""
    args = _table_arguments(logical_id, properties)
    description = clients.dynamodb.create_table(**args)["TableDescription"]
    name = args["TableName"]
    ttl = properties.get("TimeToLiveSpecification") or {}
    if _true(ttl.get("Enabled")):
        clients.dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
        )
    pitr = properties.get("PointInTimeRecoverySpecification") or {}
    if _true(pitr.get("PointInTimeRecoveryEnabled")):
        clients.dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    attributes = {"Arn": description["TableArn"]}
    if "LatestStreamArn" in description:
        attributes["StreamArn"] = description["LatestStreamArn"]
    return Created(name, attributes)


def _table_arguments(logical_id: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    billing = properties.get("BillingMode", "PROVISIONED")
    args: dict[str, Any] = {
        "TableName": properties.get("TableName") or physical_name(logical_id),
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        args["ProvisionedThroughput"] = properties.get("ProvisionedThroughput") or {
            "ReadCapacityUnits": 5,
            "WriteCapacityUnits": 5,
        }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if properties.get(key):
            args[key] = [{k: v for k, v in index.items() if k in _INDEX_KEYS} for index in properties[key]]
    stream = properties.get("StreamSpecification")
    if stream:
        args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    sse = properties.get("SSESpecification")
    if sse:
        args["SSESpecification"] = {"Enabled": _true(sse.get("SSEEnabled"))}
    if "DeletionProtectionEnabled" in properties:
        args["DeletionProtectionEnabled"] = _true(properties["DeletionProtectionEnabled"])
    return args


# --- SQS ----------------------------------------------------------------------------------------------

# KmsMasterKeyId / KmsDataKeyReusePeriodSeconds are left out: devstack creates no KMS keys.
_QUEUE_ATTRIBUTES: Final = frozenset(
    {
        "ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue", "FifoThroughputLimit",
        "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy",
        "RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout",
    }
)  # fmt: skip


def create_queue(clients: AwsClients, logical_id: str, properties: dict[str, Any]) -> Created:
    """AWS::SQS::Queue with its attributes (RedrivePolicy's DLQ ARN already resolved). Ref is the URL."""
    fifo = _true(properties.get("FifoQueue"))
    name = properties.get("QueueName") or physical_name(logical_id) + (".fifo" if fifo else "")
    attributes = {k: _attribute_text(v) for k, v in properties.items() if k in _QUEUE_ATTRIBUTES}
    url = clients.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    arn = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return Created(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list):
        return json.dumps(value)
    return str(value)


# --- S3 and SNS ---------------------------------------------------------------------------------------


def bucket_name(logical_id: str) -> str:
    """``contact-intake-<logicalid>``: lower case and at most 63 characters, as S3 wants."""
    return re.sub(r"[^a-z0-9.-]", "-", physical_name(logical_id).lower())[:63].rstrip("-.")


def create_bucket(clients: AwsClients, logical_id: str, properties: dict[str, Any]) -> Created:
    """AWS::S3::Bucket, versioned when the template says so. Ref is the bucket's name."""
    name = properties.get("BucketName") or bucket_name(logical_id)
    if clients.region == "us-east-1":
        clients.s3.create_bucket(Bucket=name)
    else:
        clients.s3.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": clients.region},  # type: ignore[typeddict-item]
        )
    versioning = (properties.get("VersioningConfiguration") or {}).get("Status")
    if versioning:
        clients.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    return Created(
        name,
        {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{clients.region}.amazonaws.com",
        },
    )


def create_topic(clients: AwsClients, logical_id: str, properties: dict[str, Any]) -> Created:
    """AWS::SNS::Topic. Ref is the topic's ARN."""
    fifo = _true(properties.get("FifoTopic"))
    name = properties.get("TopicName") or physical_name(logical_id) + (".fifo" if fifo else "")
    attributes = {"FifoTopic": "true"} if fifo else {}
    arn = str(clients.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"])
    return Created(arn, {"TopicArn": arn, "TopicName": name})


# --- KMS ----------------------------------------------------------------------------------------------


def create_kms_key(clients: AwsClients, logical_id: str, properties: dict[str, Any]) -> Created:
    """AWS::KMS::Key with its policy and rotation. Ref is the key id; GetAtt gives Arn and KeyId."""
    kms = clients.client("kms")
    args: dict[str, Any] = {
        "Description": str(properties.get("Description", "")),
        "KeyUsage": str(properties.get("KeyUsage", "ENCRYPT_DECRYPT")),
        "KeySpec": str(properties.get("KeySpec", "SYMMETRIC_DEFAULT")),
    }
    policy = properties.get("KeyPolicy")
    if policy:
        args["Policy"] = policy if isinstance(policy, str) else json.dumps(policy)
    metadata = kms.create_key(**args)["KeyMetadata"]
    key_id = str(metadata["KeyId"])
    if _true(properties.get("EnableKeyRotation")):
        kms.enable_key_rotation(KeyId=key_id)
    return Created(key_id, {"Arn": str(metadata["Arn"]), "KeyId": key_id})


def create_kms_alias(clients: AwsClients, logical_id: str, properties: dict[str, Any]) -> Created:
    """AWS::KMS::Alias. Ref is the alias name (``alias/...``)."""
    name = str(properties["AliasName"])
    clients.client("kms").create_alias(AliasName=name, TargetKeyId=str(properties["TargetKeyId"]))
    return Created(name)


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


CREATORS: dict[str, ResourceCreator] = {
    "AWS::DynamoDB::Table": create_table,
    "AWS::SQS::Queue": create_queue,
    "AWS::S3::Bucket": create_bucket,
    "AWS::SNS::Topic": create_topic,
    "AWS::KMS::Key": create_kms_key,
    "AWS::KMS::Alias": create_kms_alias,
}
