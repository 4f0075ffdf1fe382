"""Least privilege and safe defaults, checked on the *translated* template and generic over its resources.

Every check is a function that returns the violations it finds, so that a table, queue, bucket, topic,
function, role or route added later (rights worker, recordings, ...) is held to the same rules without a
line here. Each checker is also run on a deliberately bad resource, so that none of them can pass by
looking at nothing.

What is checked (issue 6, "least privilege and safe defaults"):
- no wildcard IAM action in any Allow (inline and SAM policy-template statements, as SAM expands them into
  the roles; queue, topic, bucket and key policies); AWS managed policies only from a reviewed list;
- encryption at rest on every table, queue, bucket and topic;
- every bucket: a TLS-only policy (Deny when aws:SecureTransport is false) and all four public access blocks;
- point-in-time recovery on every table;
- every log group has a retention, and every function has its own log group;
- throttling on every API stage;
- AWS_IAM on every route outside the public allow-list; no function URL or permission open to anyone.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.template.conftest import iam_statements

Resources = dict[str, dict[str, Any]]
Checker = Callable[[Resources], list[str]]

# The only routes anyone may call (docs/architecture.md §4): the form and its preflight, the verification
# link (its
# single-use 256-bit token is the credential), the helpdesk webhook (a shared secret header, checked by the
# function in constant time). Every other route, whoever adds it, must require a SigV4 signature.
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/inquiries"),
        ("OPTIONS", "/inquiries"),
        ("GET", "/rights-requests/verify"),
        ("HEAD", "/rights-requests/verify"),
        ("POST", "/rights-requests/verify"),
        ("POST", "/helpdesk/events"),
    }
)

# AWS managed policies a role may carry, with why. Anything else is written out as a narrow statement.
ALLOWED_MANAGED_POLICIES: dict[str, str] = {
    # SAM attaches it to every function role it creates: logs:CreateLogGroup/CreateLogStream/PutLogEvents.
    # Resource "*" is wider than the function's own group; SAM offers no way to drop it short of writing
    # every role by hand (decision recorded for the lead).
    "AWSLambdaBasicExecutionRole": "SAM's default for every function role",
    # the account-wide API Gateway CloudWatch role, needed for access logs
    "AmazonAPIGatewayPushToCloudWatchLogs": "API Gateway access logs (account singleton)",
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"}
SIGV4_AUTHTYPE = "awsSigv4"


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def of_type(resources: Resources, resource_type: str) -> Resources:
    return {lid: res for lid, res in resources.items() if res.get("Type") == resource_type}


def props(resource: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = resource.get("Properties") or {}
    return result


def is_true(value: Any) -> bool:
    """CloudFormation accepts true and "true" alike."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def refers_to(value: Any, logical_id: str) -> bool:
    """Whether an intrinsic (Ref, GetAtt, Sub) names ``logical_id``."""
    if isinstance(value, dict):
        if value.get("Ref") == logical_id:
            return True
        get_att = value.get("Fn::GetAtt")
        if isinstance(get_att, list) and get_att and get_att[0] == logical_id:
            return True
        sub = value.get("Fn::Sub")
        text = sub[0] if isinstance(sub, list) else sub
        if isinstance(text, str) and f"${{{logical_id}" in text:
            return True
    return False


# ---------------------------------------------------------------- IAM


def all_statements(resources: Resources) -> Iterator[tuple[str, dict[str, Any]]]:
    """The conftest's statements (roles, policies, queue/topic/bucket policies) plus KMS key policies."""
    yield from iam_statements(resources)
    for logical_id, key in of_type(resources, "AWS::KMS::Key").items():
        statements = (props(key).get("KeyPolicy") or {}).get("Statement", [])
        for statement in as_list(statements):
            yield f"{logical_id} key policy", statement


def _is_key_policy_root_delegation(where: str, statement: dict[str, Any]) -> bool:
    """A key policy's standard first statement: the account root gets kms:* so that IAM policies decide.

    Without it the key cannot be managed at all; it grants nothing by itself to any role or user.
    """
    if not where.endswith("key policy") or as_list(statement.get("Action")) != ["kms:*"]:
        return False
    principals = as_list((statement.get("Principal") or {}).get("AWS", []))
    return bool(principals) and all(
        isinstance(p, dict) and ":root" in str(p.get("Fn::Sub", "")) and "${AWS::AccountId}" in str(p)
        for p in principals
    )


def wildcard_actions(resources: Resources) -> list[str]:
    found = []
    for where, statement in all_statements(resources):
        if "NotAction" in statement and statement.get("Effect") == "Allow":
            found.append(f"{where}: Allow with NotAction")
        if statement.get("Effect") != "Allow" or _is_key_policy_root_delegation(where, statement):
            continue  # a Deny with a wildcard only narrows (the TLS-only bucket policies)
        found += [
            f"{where}: {action!r}"
            for action in as_list(statement.get("Action", []))
            if not isinstance(action, str) or "*" in action
        ]
    return found


def unreviewed_managed_policies(resources: Resources) -> list[str]:
    found = []
    for logical_id, role in of_type(resources, "AWS::IAM::Role").items():
        for arn in props(role).get("ManagedPolicyArns", []):
            own = isinstance(arn, dict) and arn.get("Ref") in of_type(resources, "AWS::IAM::ManagedPolicy")
            if own:
                continue  # this template's own policy: its statements go through every rule above
            text = arn.get("Fn::Sub", "") if isinstance(arn, dict) else str(arn)
            name = text.rsplit("/", 1)[-1]
            if ":iam::aws:policy/" not in text or name not in ALLOWED_MANAGED_POLICIES:
                found.append(f"{logical_id}: {arn}")
    return found


def open_invocations(resources: Resources) -> list[str]:
    """Function URLs without auth, and invoke permissions for anyone."""
    found = [
        f"{lid}: function URL with AuthType NONE"
        for lid, url in of_type(resources, "AWS::Lambda::Url").items()
        if props(url).get("AuthType") != "AWS_IAM"
    ]
    for logical_id, permission in of_type(resources, "AWS::Lambda::Permission").items():
        p = props(permission)
        if p.get("Principal") == "*" or p.get("FunctionUrlAuthType") == "NONE":
            found.append(f"{logical_id}: invocable by anyone")
        elif p.get("Principal") != "apigateway.amazonaws.com" and not (
            p.get("SourceArn") or p.get("SourceAccount")
        ):
            found.append(f"{logical_id}: a service permission without SourceArn or SourceAccount")
    return found


# ---------------------------------------------------------------- data at rest


def lacking(resources: Resources, resource_type: str, holds: Callable[[dict[str, Any]], Any]) -> list[str]:
    """The logical ids of the resources of ``resource_type`` whose properties ``holds`` is not true of."""
    return [lid for lid, resource in of_type(resources, resource_type).items() if not holds(props(resource))]


def unencrypted_tables(resources: Resources) -> list[str]:
    return lacking(
        resources,
        "AWS::DynamoDB::Table",
        lambda table: is_true((table.get("SSESpecification") or {}).get("SSEEnabled")),
    )


def unencrypted_queues(resources: Resources) -> list[str]:
    return lacking(
        resources,
        "AWS::SQS::Queue",
        lambda queue: is_true(queue.get("SqsManagedSseEnabled")) or queue.get("KmsMasterKeyId"),
    )


def _encrypted_bucket(bucket: dict[str, Any]) -> bool:
    rules = (bucket.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration", [])
    algorithms = {(r.get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules}
    return bool(rules) and algorithms <= {"AES256", "aws:kms", "aws:kms:dsse"}


def unencrypted_buckets(resources: Resources) -> list[str]:
    return lacking(resources, "AWS::S3::Bucket", _encrypted_bucket)


def unencrypted_topics(resources: Resources) -> list[str]:
    return lacking(resources, "AWS::SNS::Topic", lambda topic: topic.get("KmsMasterKeyId"))


def tables_without_pitr(resources: Resources) -> list[str]:
    return lacking(
        resources,
        "AWS::DynamoDB::Table",
        lambda table: is_true(
            (table.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
        ),
    )


def _denies_plain_http(statement: dict[str, Any], bucket_id: str) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    if principal not in ("*", {"AWS": "*"}):
        return False
    if not {"s3:*", "*"} & set(as_list(statement.get("Action", []))):
        return False
    condition = (statement.get("Condition") or {}).get("Bool") or {}
    if str(condition.get("aws:SecureTransport")).lower() != "false":
        return False
    targets = as_list(statement.get("Resource", []))
    bucket_arn = any(refers_to(t, bucket_id) and "/*" not in str(t) for t in targets)
    objects_arn = any(refers_to(t, bucket_id) and "/*" in str(t) for t in targets)
    return bucket_arn and objects_arn


def buckets_without_tls_only_policy(resources: Resources) -> list[str]:
    policies = of_type(resources, "AWS::S3::BucketPolicy").values()
    return [
        lid
        for lid in of_type(resources, "AWS::S3::Bucket")
        if not any(
            refers_to(props(policy).get("Bucket"), lid)
            and any(
                _denies_plain_http(s, lid)
                for s in as_list((props(policy).get("PolicyDocument") or {}).get("Statement", []))
            )
            for policy in policies
        )
    ]


PUBLIC_ACCESS_BLOCKS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def buckets_open_to_the_public(resources: Resources) -> list[str]:
    def blocked(bucket: dict[str, Any]) -> bool:
        block = bucket.get("PublicAccessBlockConfiguration") or {}
        return all(is_true(block.get(flag)) for flag in PUBLIC_ACCESS_BLOCKS)

    return lacking(resources, "AWS::S3::Bucket", blocked)


# ---------------------------------------------------------------- logs


def log_groups_without_retention(resources: Resources) -> list[str]:
    return lacking(resources, "AWS::Logs::LogGroup", lambda group: "RetentionInDays" in group)


def functions_without_log_group(resources: Resources) -> list[str]:
    """A function whose log group is not in the template gets one from Lambda that keeps logs forever."""
    groups = of_type(resources, "AWS::Logs::LogGroup")
    found = []
    for lid, function in of_type(resources, "AWS::Lambda::Function").items():
        configured = (props(function).get("LoggingConfig") or {}).get("LogGroup")
        if configured is not None:
            ok = any(
                refers_to(configured, gid) or configured == props(g).get("LogGroupName")
                for gid, g in groups.items()
            )
        else:
            default = {"Fn::Sub": f"/aws/lambda/${{{lid}}}"}
            ok = any(props(g).get("LogGroupName") == default for g in groups.values())
        if not ok:
            found.append(lid)
    return found


# ---------------------------------------------------------------- API


def unthrottled_stages(resources: Resources) -> list[str]:
    found = []
    for lid, stage in of_type(resources, "AWS::ApiGateway::Stage").items():
        settings = {
            (m.get("ResourcePath"), m.get("HttpMethod")): m for m in props(stage).get("MethodSettings", [])
        }
        everything = settings.get(("/*", "*"), {})
        if "ThrottlingRateLimit" not in everything or "ThrottlingBurstLimit" not in everything:
            found.append(lid)
    for lid, stage in of_type(resources, "AWS::ApiGatewayV2::Stage").items():
        route = props(stage).get("DefaultRouteSettings") or {}
        if "ThrottlingRateLimit" not in route or "ThrottlingBurstLimit" not in route:
            found.append(lid)
    return found


def routes(resources: Resources) -> Iterator[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """(api, METHOD, path, operation, security schemes) for every route of every REST API body."""
    for api_id, api in of_type(resources, "AWS::ApiGateway::RestApi").items():
        body = props(api).get("Body") or {}
        schemes = {
            **(body.get("components") or {}).get("securitySchemes", {}),
            **body.get("securityDefinitions", {}),
        }
        global_security = body.get("security", [])
        for path, item in (body.get("paths") or {}).items():
            for method, operation in item.items():
                if method in HTTP_METHODS:
                    op = {"security": global_security, **operation}
                    yield api_id, method.upper(), path, op, schemes


def routes_without_iam(resources: Resources) -> list[str]:
    found = []
    for api_id, method, path, operation, schemes in routes(resources):
        if (method, path) in PUBLIC_ROUTES:
            continue
        requirements = operation.get("security") or []
        # every alternative must be SigV4: [{"AWS_IAM": []}] (one requirement naming the IAM scheme)
        sigv4 = bool(requirements) and all(
            req
            and all(
                (schemes.get(name) or {}).get("x-amazon-apigateway-authtype") == SIGV4_AUTHTYPE
                for name in req
            )
            for req in requirements
        )
        if not sigv4:
            found.append(f"{api_id} {method} {path}: {requirements}")
    return found


def public_routes_missing(resources: Resources) -> list[str]:
    """The allow-list names routes that exist: a renamed route must not leave a stale opening behind."""
    present = {(method, path) for _, method, path, _, _ in routes(resources)}
    return [f"{m} {p}" for m, p in sorted(PUBLIC_ROUTES - present)]


CHECKERS: dict[str, Checker] = {
    "wildcard IAM action": wildcard_actions,
    "unreviewed managed policy": unreviewed_managed_policies,
    "open invocation": open_invocations,
    "table without SSE": unencrypted_tables,
    "queue without SSE": unencrypted_queues,
    "bucket without encryption": unencrypted_buckets,
    "topic without KMS": unencrypted_topics,
    "table without PITR": tables_without_pitr,
    "bucket without TLS-only policy": buckets_without_tls_only_policy,
    "bucket open to the public": buckets_open_to_the_public,
    "log group without retention": log_groups_without_retention,
    "function without its log group": functions_without_log_group,
    "unthrottled API stage": unthrottled_stages,
    "route without AWS_IAM": routes_without_iam,
    "public route that does not exist": public_routes_missing,
}


# ---------------------------------------------------------------- the template


@pytest.mark.parametrize("rule", CHECKERS)
def test_the_template_keeps_the_rule(resources: Resources, rule: str) -> None:
    assert CHECKERS[rule](resources) == [], rule


def test_the_rules_see_the_resources_they_guard(resources: Resources) -> None:
    # the generic checks are only as good as what they iterate over
    counted = {
        kind: len(of_type(resources, kind))
        for kind in ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket")
    }
    assert counted["AWS::DynamoDB::Table"] >= 4
    assert counted["AWS::SQS::Queue"] >= 4
    assert counted["AWS::S3::Bucket"] >= 1
    assert len(list(all_statements(resources))) >= 20
    iam_routes = [r for r in routes(resources) if (r[1], r[2]) not in PUBLIC_ROUTES]
    assert len(iam_routes) >= 5
    assert len(of_type(resources, "AWS::Lambda::Function")) >= 7
    # the routes the public allow-list does not name are all there, and all go through the checker
    assert {(m, p) for _, m, p, _, _ in routes(resources)} >= PUBLIC_ROUTES


# ---------------------------------------------------------------- each rule catches what it should


def _api(path: str, method: str, security: list[dict[str, list[str]]] | None) -> dict[str, Any]:
    operation: dict[str, Any] = {"x-amazon-apigateway-integration": {"type": "aws_proxy"}}
    if security is not None:
        operation["security"] = security
    return {
        "Type": "AWS::ApiGateway::RestApi",
        "Properties": {
            "Body": {
                "paths": {path: {method: operation}},
                "components": {
                    "securitySchemes": {
                        "AWS_IAM": {
                            "type": "apiKey",
                            "name": "Authorization",
                            "x-amazon-apigateway-authtype": "awsSigv4",
                        },
                        "Custom": {"type": "apiKey", "name": "X-Key", "in": "header"},
                    }
                },
            }
        },
    }


def _role(statement: dict[str, Any], managed: list[Any] | None = None) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Statement": []},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [statement]}}],
            "ManagedPolicyArns": managed or [],
        },
    }


BAD: list[tuple[str, Resources]] = [
    ("wildcard IAM action", {"R": _role({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn"})}),
    ("wildcard IAM action", {"R": _role({"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn"})}),
    (
        "wildcard IAM action",
        {"R": _role({"Effect": "Allow", "NotAction": "iam:PassRole", "Resource": "arn"})},
    ),
    (
        "wildcard IAM action",
        {
            "K": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "KeyPolicy": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": {"Fn::GetAtt": ["SomeRole", "Arn"]}},
                                "Action": "kms:*",
                                "Resource": "*",
                            }
                        ]
                    }
                },
            }
        },
    ),
    (
        "unreviewed managed policy",
        {
            "R": _role(
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "a"},
                ["arn:aws:iam::aws:policy/AdministratorAccess"],
            )
        },
    ),
    ("open invocation", {"U": {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE"}}}),
    ("open invocation", {"P": {"Type": "AWS::Lambda::Permission", "Properties": {"Principal": "*"}}}),
    (
        "open invocation",
        {"P": {"Type": "AWS::Lambda::Permission", "Properties": {"Principal": "s3.amazonaws.com"}}},
    ),
    ("table without SSE", {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {}}}),
    (
        "table without SSE",
        {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {"SSESpecification": {"SSEEnabled": False}}}},
    ),
    ("queue without SSE", {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": False}}}),
    ("bucket without encryption", {"B": {"Type": "AWS::S3::Bucket", "Properties": {}}}),
    ("topic without KMS", {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}}),
    (
        "table without PITR",
        {
            "T": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": False}},
            }
        },
    ),
    ("bucket without TLS-only policy", {"B": {"Type": "AWS::S3::Bucket"}}),
    (
        "bucket open to the public",
        {
            "B": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                    }
                },
            }
        },
    ),
    (
        "log group without retention",
        {"G": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "x"}}},
    ),
    ("function without its log group", {"F": {"Type": "AWS::Lambda::Function", "Properties": {}}}),
    (
        "unthrottled API stage",
        {
            "S": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 10}]
                },
            }
        },
    ),
    ("unthrottled API stage", {"S": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {}}}),
    ("route without AWS_IAM", {"A": _api("/recordings", "post", [{"NONE": []}])}),
    ("route without AWS_IAM", {"A": _api("/rights-requests", "get", None)}),
    ("route without AWS_IAM", {"A": _api("/rights-requests", "get", [{"Custom": []}])}),
    ("route without AWS_IAM", {"A": _api("/rights-requests", "get", [{"AWS_IAM": []}, {}])}),
    ("public route that does not exist", {"A": _api("/inquiries", "post", [{"NONE": []}])}),
]


@pytest.mark.parametrize(("rule", "bad"), BAD, ids=[f"{rule}-{i}" for i, (rule, _) in enumerate(BAD)])
def test_each_rule_catches_a_bad_resource(rule: str, bad: Resources) -> None:
    assert CHECKERS[rule](copy.deepcopy(bad)), f"{rule} missed {bad}"


def test_a_bucket_policy_must_deny_plain_http_on_the_bucket_and_its_objects(resources: Resources) -> None:
    broken = copy.deepcopy(resources)
    for policy in of_type(broken, "AWS::S3::BucketPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "aws:SecureTransport" in str(statement.get("Condition")):
                statement["Resource"] = [r for r in as_list(statement["Resource"]) if "/*" not in str(r)]
    assert set(buckets_without_tls_only_policy(broken)) == set(of_type(resources, "AWS::S3::Bucket"))


def test_the_key_policy_root_delegation_is_the_only_wildcard_exception() -> None:
    root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    key = {
        "Type": "AWS::KMS::Key",
        "Properties": {
            "KeyPolicy": {
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"}
                ]
            }
        },
    }
    assert wildcard_actions({"K": key}) == []
    # the same statement in a role is not the delegation
    assert wildcard_actions({"R": _role({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})})


def test_a_deny_may_use_a_wildcard() -> None:
    deny = {
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert wildcard_actions({"R": _role(deny)}) == []
