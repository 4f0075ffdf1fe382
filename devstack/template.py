"""Reading template.yaml: CloudFormation YAML (short tags included), then the SAM transform.

The SAM translator turns every ``AWS::Serverless::*`` resource into the CloudFormation resources that a
deployment would create (functions, layers, the REST API with its routes), so devstack reads the same
expanded template that CloudFormation would. Local ``CodeUri``/``ContentUri`` folders travel through the
translation as ``s3://devstack-local-code/<folder>`` and are read back with ``local_code_folder``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Final

import yaml

from devstack.settings import ACCOUNT_ID, STACK_NAME

LOCAL_CODE_BUCKET: Final = "devstack-local-code"
_URI_PROPERTIES: Final = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class TemplateError(Exception):
    """The template cannot be read, translated or resolved; the message says what and where."""


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader with CloudFormation's short tags, and dates left as strings (``Version: 2012-10-17``)."""


_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{suffix}", node.start_mark)
    if suffix in {"Ref", "Condition"}:
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_tag)


def load_template(path: Path) -> dict[str, Any]:
    """The template as plain data, short tags as their long form (``!Ref X`` -> ``{"Ref": "X"}``)."""
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.load(stream, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError:
        raise TemplateError(f"no template at {path}") from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise TemplateError(f"{path} has no Resources")
    return data


def parameter_values(
    template: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Each declared parameter's value: the override when given, else its Default.

    Overrides for parameters the template does not declare are ignored, as CloudFormation would refuse them.
    """
    declared: Mapping[str, Any] = template.get("Parameters") or {}
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if overrides and name in overrides:
            values[name] = overrides[name]
        elif isinstance(spec, Mapping) and "Default" in spec:
            values[name] = spec["Default"]
    return values


def placeholder_values(template: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    """Stand-ins for declared parameters that have neither a Default nor a value in ``values``.

    A deploy-time parameter added to the template must not stop devstack; its value here is ``local`` (a
    Number's MinValue, or 0). devstack prints each one, so it can be given a real local value instead.
    """
    placeholders = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if name in values or (isinstance(spec, Mapping) and "Default" in spec):
            continue
        kind = str(spec.get("Type", "String")) if isinstance(spec, Mapping) else "String"
        placeholders[name] = str(spec.get("MinValue", 0)) if kind == "Number" else "local"
    return placeholders


def pseudo_parameters(region: str) -> dict[str, str]:
    return {
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": STACK_NAME,
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
    }


def is_sam(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    return any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms)


def translate(template: Mapping[str, Any], parameters: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The CloudFormation template that the SAM transform makes of ``template`` (a copy; the input is kept).

    Raises TemplateError with the translator's messages when the template is not valid SAM.
    """
    sam = copy.deepcopy(dict(template))
    if not is_sam(sam):
        return sam
    _point_code_uris_at_local_bucket(sam)
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # feature-toggle chatter, not our concern
    values = {**pseudo_parameters(region), **parameters}
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    try:
        result: dict[str, Any] = translator.translate(
            sam, parameter_values=values, get_managed_policy_map=dict
        )
    except InvalidDocumentException as exc:
        causes = "; ".join(str(cause) for cause in exc.causes)
        raise TemplateError(f"the SAM transform failed: {causes}") from None
    return result


def _point_code_uris_at_local_bucket(sam: dict[str, Any]) -> None:
    function_globals = (sam.get("Globals") or {}).get("Function") or {}
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = _local_uri(function_globals["CodeUri"])
    for resource in sam["Resources"].values():
        key = _URI_PROPERTIES.get(resource.get("Type", "")) if isinstance(resource, dict) else None
        properties = resource.get("Properties") if key else None
        if isinstance(properties, dict) and isinstance(properties.get(key), str):
            properties[key] = _local_uri(properties[key])


def _local_uri(folder: str) -> str:
    if folder.startswith("s3://"):
        return folder
    return f"s3://{LOCAL_CODE_BUCKET}/{PurePosixPath(folder).as_posix().strip('/') or '.'}"


def local_code_folder(location: Any) -> str | None:
    """The repo-relative folder of a translated ``Code``/``Content`` property, None when not local."""
    if isinstance(location, Mapping) and location.get("S3Bucket") == LOCAL_CODE_BUCKET:
        return str(location.get("S3Key"))
    return None
