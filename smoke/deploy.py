"""From the built template to a CloudFormation stack and back: package, translate, create, inventory, delete.

- Package: each built code folder zipped and put in an S3 bucket of the local stack, its CodeUri or
  ContentUri replaced by the object's s3:// URI (what ``sam package`` does).
- Translate client-side with samtranslator (LocalStack's server-side SAM transform rejects references to
  logical ids that SAM generates, e.g. ``AccountEventsFunctionShopAccountEvents``, which AWS accepts), then
  create a plain CloudFormation stack from the translated template, given by TemplateURL as ``sam
  deploy`` gives it (it is larger than a TemplateBody may be).
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smoke.artifacts import zip_folder

CODE_PROPERTIES = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}
TERMINAL_FAILURES = ("FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_IN_PROGRESS")


def package(
    template: dict[str, Any], folder_of: Callable[[str, str], Path], s3: Any, bucket: str
) -> dict[str, Any]:
    """A copy of the built template with every code folder uploaded; ``folder_of(logical_id, uri)``."""
    packaged = copy.deepcopy(template)
    for logical_id, resource in packaged["Resources"].items():
        key = CODE_PROPERTIES.get(resource.get("Type", ""))
        properties = resource.get("Properties") or {}
        if key and isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
            object_key = f"code/{logical_id}.zip"
            s3.put_object(
                Bucket=bucket, Key=object_key, Body=zip_folder(folder_of(logical_id, properties[key]))
            )
            properties[key] = f"s3://{bucket}/{object_key}"
    return packaged


def translate(template: Mapping[str, Any], parameters: Mapping[str, str], region: str) -> dict[str, Any]:
    """The CloudFormation template the SAM transform makes of ``template`` (SAM's own translator, offline)."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    values = {"AWS::Region": region, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", **parameters}
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    result: dict[str, Any] = translator.translate(
        copy.deepcopy(dict(template)), parameter_values=values, get_managed_policy_map=dict
    )
    return result


@dataclass(frozen=True)
class Stack:
    name: str
    bucket: str  # where the template goes, as sam deploy's --s3-bucket
    template: Mapping[str, Any]  # translated
    parameters: Mapping[str, str]


def create_stack(cloudformation: Any, s3: Any, stack: Stack) -> list[dict[str, Any]]:
    """Creates the stack and waits for it; its resources. RuntimeError with the failed events otherwise."""
    name = stack.name
    s3.put_object(Bucket=stack.bucket, Key="template.json", Body=json.dumps(stack.template).encode())
    cloudformation.create_stack(
        StackName=name,
        TemplateURL=f"{s3.meta.endpoint_url}/{stack.bucket}/template.json",
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in stack.parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    status = wait_for_stack(cloudformation, name, "CREATE_COMPLETE")
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"the stack ended {status}:\n" + "\n".join(failed_events(cloudformation, name)))
    resources: list[dict[str, Any]] = []
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=name):
        resources.extend(page["StackResourceSummaries"])
    return resources


def wait_for_stack(cloudformation: Any, name: str, goal: str, timeout: float = 300.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
        status = str(stacks[0]["StackStatus"])
        if status == goal or not status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def failed_events(cloudformation: Any, name: str) -> list[str]:
    events = cloudformation.describe_stack_events(StackName=name)["StackEvents"]
    return [
        f"{event['LogicalResourceId']} ({event['ResourceType']}): {event['ResourceStatus']} "
        f"{event.get('ResourceStatusReason', '')}"
        for event in events
        if "FAILED" in event["ResourceStatus"]
    ]


def fallback_events(cloudformation: Any, name: str) -> list[str]:
    """Resources LocalStack deployed as placeholders, their type unsupported (none of this template yet)."""
    events = cloudformation.describe_stack_events(StackName=name)["StackEvents"]
    return sorted(
        {
            f"{event['LogicalResourceId']} ({event['ResourceType']}): {event['ResourceStatusReason']}"
            for event in events
            if "not supported" in event.get("ResourceStatusReason", "")
        }
    )


def delete_stack(cloudformation: Any, name: str) -> str:
    cloudformation.delete_stack(StackName=name)
    try:
        return wait_for_stack(cloudformation, name, "DELETE_COMPLETE")
    except cloudformation.exceptions.ClientError as exc:  # a deleted stack is gone from describe_stacks
        if "does not exist" in str(exc):
            return "DELETE_COMPLETE"
        raise
