"""Fixtures that load template.yaml and translate it to CloudFormation offline, once per session.

SAM translates without AWS: a stub managed-policy loader stands in for IAM's policy list, code and layer
folders become ``s3://`` URIs (as ``sam package`` would make them), and a region is given explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
REGION = "eu-central-1"

# Values for the parameters without a default (the real ones are given at deploy time).
PARAMETER_VALUES = {
    "AllowedOrigins": "https://www.example.com",
    "ThankYouUrl": "https://www.example.com/thanks",
    "CaptchaHostnames": "www.example.com",
    "DpoPrincipalArn": "arn:aws:iam::123456789012:role/ContactIntakeDPO",
    "TelephonyPrincipalArn": "arn:aws:iam::123456789012:role/TelephonyRecordings",
}

Resources = dict[str, dict[str, Any]]


def load_sam_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The SAM template as plain dicts and lists (CloudFormation short tags become ``Ref``/``Fn::*``)."""
    result: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(path))))
    return result


def with_s3_code_uris(template: dict[str, Any]) -> dict[str, Any]:
    """Replace local CodeUri/ContentUri folders with s3:// URIs, as ``sam package`` does."""
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://template-tests/{logical_id}.zip"
    return template


class OfflinePolicyLoader(ManagedPolicyLoader):
    """A ManagedPolicyLoader that knows no managed policy names instead of listing them from IAM.

    SAM adds AWSLambdaBasicExecutionRole by ARN, so only a policy *name* in ``Policies`` would need it.
    """

    def __init__(self) -> None:
        super().__init__(iam_client=None)  # type: ignore[arg-type]

    def load(self) -> dict[str, str]:
        return {}


def translate(template: dict[str, Any], parameter_values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The CloudFormation template SAM makes of ``template`` (which is modified in place)."""
    values = {"AWS::Region": REGION, **PARAMETER_VALUES, **(parameter_values or {})}
    with pytest.MonkeyPatch.context() as patch:
        # SAM takes the region and partition from a default boto3 session: pin it, whatever the shell has
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.delenv("AWS_PROFILE", raising=False)
        result: dict[str, Any] = transform(with_s3_code_uris(template), values, OfflinePolicyLoader())
    return result


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    """template.yaml as written (SAM resources, Globals not yet applied). Do not mutate."""
    return load_sam_template()


@pytest.fixture(scope="session")
def translated() -> dict[str, Any]:
    """template.yaml translated to plain CloudFormation. Do not mutate."""
    return translate(load_sam_template())


@pytest.fixture(scope="session")
def resources(translated: dict[str, Any]) -> Resources:
    """The translated template's resources by logical id."""
    result: Resources = translated["Resources"]
    return result


@pytest.fixture(scope="session")
def resources_of_type(resources: Resources) -> Callable[[str], Resources]:
    """``resources_of_type("AWS::SQS::Queue")``: the translated resources of one type, by logical id."""

    def select(resource_type: str) -> Resources:
        return {lid: res for lid, res in resources.items() if res["Type"] == resource_type}

    return select


def iam_statements(resources: Resources) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM policy statement of the translated template, as (where, statement)."""
    for logical_id, resource in resources.items():
        properties = resource.get("Properties", {})
        documents: list[tuple[str, Any]] = []
        if resource["Type"] == "AWS::IAM::Role":
            documents.append((f"{logical_id} trust policy", properties.get("AssumeRolePolicyDocument")))
            documents += [
                (f"{logical_id} {p.get('PolicyName')}", p.get("PolicyDocument"))
                for p in properties.get("Policies", [])
            ]
        elif resource["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            documents.append((logical_id, properties.get("PolicyDocument")))
        elif "PolicyDocument" in properties:  # queue, topic, bucket policies
            documents.append((logical_id, properties["PolicyDocument"]))
        for where, document in documents:
            statements = (document or {}).get("Statement", [])
            for statement in statements if isinstance(statements, list) else [statements]:
                yield where, statement


@pytest.fixture(scope="session")
def statements(resources: Resources) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM statement of the translated template, as (where, statement)."""
    return list(iam_statements(resources))
