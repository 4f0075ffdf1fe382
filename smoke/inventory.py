"""What the stack created, checked kind by kind through each service's own API (not CloudFormation's word).

Each check returns detail lines to print and raises AssertionError on a mismatch with the template.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

Clients = Any  # a callable: service name -> boto3 client


def by_type(resources: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        kinds.setdefault(resource["ResourceType"], []).append(resource)
    return kinds


def created_as_declared(translated: Mapping[str, Any], resources: list[dict[str, Any]]) -> list[str]:
    """Every unconditional resource of the translated template is in the stack, CREATE_COMPLETE."""
    status = {r["LogicalResourceId"]: r["ResourceStatus"] for r in resources}
    declared = translated["Resources"]
    missing = [
        logical_id
        for logical_id, resource in declared.items()
        if "Condition" not in resource and status.get(logical_id) != "CREATE_COMPLETE"
    ]
    assert not missing, f"not created: {missing}"
    counts = Counter(r["ResourceType"] for r in resources)
    lines = [
        f"{len(resources)} resources CREATE_COMPLETE ({len(declared)} declared, the rest behind conditions):"
    ]
    lines += [f"  {count:3d} {kind}" for kind, count in sorted(counts.items())]
    skipped = sorted(set(declared) - set(status))
    if skipped:
        lines.append(f"  not created, their conditions false: {', '.join(skipped)}")
    return lines


def tables(client: Clients, kinds: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    lines = []
    for resource in kinds.get("AWS::DynamoDB::Table", []):
        table = client("dynamodb").describe_table(TableName=resource["PhysicalResourceId"])["Table"]
        assert table["TableStatus"] == "ACTIVE", table["TableStatus"]
        keys = "+".join(key["AttributeName"] for key in table["KeySchema"])
        indexes = len(table.get("GlobalSecondaryIndexes", []))
        lines.append(f"table {resource['LogicalResourceId']}: ACTIVE, key {keys}, {indexes} GSI")
    assert lines, "no table"
    return lines


def queues(
    client: Clients, kinds: Mapping[str, list[dict[str, Any]]], translated: Mapping[str, Any]
) -> list[str]:
    sqs = client("sqs")
    urls = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in kinds.get("AWS::SQS::Queue", [])}
    arns = {
        logical_id: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for logical_id, url in urls.items()
    }
    lines = []
    for logical_id, url in urls.items():
        declared = translated["Resources"][logical_id].get("Properties", {}).get("RedrivePolicy")
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if declared is None:
            assert "RedrivePolicy" not in attributes, f"{logical_id} has a redrive policy it did not declare"
            lines.append(f"queue {logical_id}: no redrive policy (a dead-letter queue)")
            continue
        actual = json.loads(attributes.get("RedrivePolicy", "{}"))
        target = declared["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert actual.get("deadLetterTargetArn") == arns[target], f"{logical_id} redrives to {actual}"
        assert int(actual["maxReceiveCount"]) == int(declared["maxReceiveCount"]), actual
        lines.append(f"queue {logical_id}: redrive to {target} after {actual['maxReceiveCount']} receives")
    assert lines, "no queue"
    return lines


def buckets(client: Clients, kinds: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    lines = []
    for resource in kinds.get("AWS::S3::Bucket", []):
        client("s3").head_bucket(Bucket=resource["PhysicalResourceId"])
        lines.append(f"bucket {resource['LogicalResourceId']}: exists")
    assert lines, "no bucket"
    return lines


def api_routes(sam_template: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(METHOD, path) -> authorization type, for every Api event of the SAM template's functions."""
    api = next((r for r in sam_template["Resources"].values() if r.get("Type") == "AWS::Serverless::Api"), {})
    default = ((api.get("Properties") or {}).get("Auth") or {}).get("DefaultAuthorizer", "NONE")
    routes = {}
    for resource in sam_template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in ((resource.get("Properties") or {}).get("Events") or {}).values():
            if event.get("Type") != "Api":
                continue
            properties = event["Properties"]
            authorizer = (properties.get("Auth") or {}).get("Authorizer", default)
            routes[(properties["Method"].upper(), properties["Path"])] = authorizer
    return routes


def rest_api(
    client: Clients, kinds: Mapping[str, list[dict[str, Any]]], sam_template: Mapping[str, Any]
) -> list[str]:
    apigateway = client("apigateway")
    (api,) = kinds["AWS::ApiGateway::RestApi"]
    api_id = api["PhysicalResourceId"]
    deployed = {}
    for page in apigateway.get_paginator("get_resources").paginate(restApiId=api_id):
        for item in page["items"]:
            for method in item.get("resourceMethods") or {}:
                answer = apigateway.get_method(restApiId=api_id, resourceId=item["id"], httpMethod=method)
                deployed[(method, item["path"])] = answer["authorizationType"]
    expected = api_routes(sam_template)
    assert set(deployed) == set(expected), (
        f"routes differ: deployed {sorted(deployed)}, template {sorted(expected)}"
    )
    stages = [stage["stageName"] for stage in apigateway.get_stages(restApiId=api_id)["item"]]
    lines = [f"REST API {api_id}: the template's {len(deployed)} routes, stages {stages}"]
    lines += [
        f"  {method:7s} {path} (template auth {expected[(method, path)]}, deployed {auth})"
        for (method, path), auth in sorted(deployed.items(), key=str)
    ]
    if any(deployed[route] != expected[route] for route in expected):
        # LocalStack's OpenAPI import drops the awsSigv4 security scheme SAM writes for AWS_IAM
        lines.append("  (LocalStack records AWS_IAM routes as NONE: IAM authorization is shown by AWS only)")
    return lines


def roles(client: Clients, kinds: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    names = []
    for resource in kinds.get("AWS::IAM::Role", []):
        client("iam").get_role(RoleName=resource["PhysicalResourceId"])
        names.append(resource["LogicalResourceId"])
    assert names, "no role"
    return [f"{len(names)} roles exist: {', '.join(sorted(names))}"]


def functions(client: Clients, kinds: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    lambda_ = client("lambda")
    (layer,) = kinds["AWS::Lambda::LayerVersion"]
    layer_arn = layer["PhysicalResourceId"]
    content = lambda_.get_layer_version_by_arn(Arn=layer_arn)
    lines = [f"layer {layer['LogicalResourceId']}: {layer_arn.rsplit(':', 2)[-2]} v{content['Version']}"]
    for resource in kinds.get("AWS::Lambda::Function", []):
        configuration = lambda_.get_function(FunctionName=resource["PhysicalResourceId"])["Configuration"]
        assert configuration["State"] == "Active", configuration["State"]
        layers = [item["Arn"] for item in configuration.get("Layers", [])]
        assert layers == [layer_arn], layers
        lines.append(
            f"function {resource['LogicalResourceId']}: {configuration['Runtime']} "
            f"{'/'.join(configuration['Architectures'])}, {configuration['MemorySize']} MB, "
            "Active, with the layer"
        )
    mappings = lambda_.list_event_source_mappings()["EventSourceMappings"]
    lines.extend(
        f"event source mapping: {mapping['EventSourceArn'].rsplit(':', 1)[-1]} -> "
        f"{mapping['FunctionArn'].rsplit(':', 1)[-1]} ({mapping['State']})"
        for mapping in mappings
    )
    assert mappings, "no event source mapping"
    return lines
