"""The template's functions as devstack runs them: handler, code folders, and the exact environment.

A function's environment is the template's variables (Globals and the function's own, merged by the SAM
transform) resolved to the local resources, the variables the Lambda runtime sets, and the local
endpoints and credentials on top. ``describe`` is what ``/_local/resources.json`` publishes, so a fresh
process given it behaves as the function does under devstack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from devstack.resources import ResourceMap
from devstack.settings import ACCOUNT_ID
from devstack.template import local_code_folder


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    function_name: str
    handler: str  # "module.function"
    code_folder: str  # repo-relative, like every folder here
    layer_folders: tuple[str, ...]
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    region: str
    reserved_concurrency: int | None = None  # ReservedConcurrentExecutions: caps the worker pool

    @property
    def pythonpath(self) -> list[str]:
        """As in Lambda: the function's code first, then its layers."""
        return [self.code_folder, *self.layer_folders]

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"

    def describe(self) -> dict[str, Any]:
        return {"handler": self.handler, "pythonpath": self.pythonpath, "environment": dict(self.environment)}


@dataclass(frozen=True)
class SkippedFunction:
    logical_id: str
    reason: str


def function_specs(
    resource_map: ResourceMap, local_environment: Mapping[str, str | None]
) -> tuple[dict[str, FunctionSpec], list[SkippedFunction]]:
    """Every Python function of the translated template with local code, and the ones devstack cannot run.

    ``local_environment`` goes on top of each function's own variables; a None value removes the variable
    (the helpdesk emulator's base URL replaces the template's HELPDESK_DOMAIN, for example).
    """
    specs: dict[str, FunctionSpec] = {}
    skipped: list[SkippedFunction] = []
    for logical_id, resource in resource_map.template["Resources"].items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        properties = resource.get("Properties") or {}
        folder = local_code_folder(properties.get("Code"))
        if folder is None or not str(properties.get("Runtime", "")).startswith("python"):
            skipped.append(SkippedFunction(logical_id, "not a Python function with a local CodeUri"))
            continue
        specs[logical_id] = _spec(resource_map, logical_id, properties, folder, local_environment)
    return specs, skipped


# the properties devstack reads; the rest (Role, VpcConfig, ...) means nothing locally and stays unresolved
_READ: Final = (
    "Handler",
    "MemorySize",
    "Timeout",
    "Environment",
    "LoggingConfig",
    "ReservedConcurrentExecutions",
)


def _spec(
    resource_map: ResourceMap,
    logical_id: str,
    properties: Mapping[str, Any],
    folder: str,
    local_environment: Mapping[str, str | None],
) -> FunctionSpec:
    read = resource_map.resolve({key: properties[key] for key in _READ if key in properties})
    name = resource_map.ref(logical_id)
    handler = str(read["Handler"])
    memory = int(read.get("MemorySize", 128))
    environment = {
        key: _text(value) for key, value in ((read.get("Environment") or {}).get("Variables") or {}).items()
    }
    environment.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "_HANDLER": handler,
        }
    )
    environment.update(_logging_config_variables(read.get("LoggingConfig") or {}))
    for key, value in local_environment.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return FunctionSpec(
        logical_id=logical_id,
        function_name=name,
        handler=handler,
        code_folder=folder,
        layer_folders=tuple(_layer_folders(resource_map, properties.get("Layers") or [])),
        environment=environment,
        timeout_seconds=int(read.get("Timeout", 3)),
        memory_mb=memory,
        region=resource_map.region,
        reserved_concurrency=(
            int(read["ReservedConcurrentExecutions"]) if "ReservedConcurrentExecutions" in read else None
        ),
    )


def _logging_config_variables(logging_config: Mapping[str, Any]) -> dict[str, str]:
    """What Lambda sets for advanced logging controls: the format, and with JSON the application level."""
    variables = {}
    if "LogFormat" in logging_config:
        variables["AWS_LAMBDA_LOG_FORMAT"] = str(logging_config["LogFormat"])
    if logging_config.get("LogFormat") == "JSON" and "ApplicationLogLevel" in logging_config:
        variables["AWS_LAMBDA_LOG_LEVEL"] = str(logging_config["ApplicationLogLevel"])
    return variables


def _layer_folders(resource_map: ResourceMap, layers: list[Any]) -> list[str]:
    """Local folders of the function's layers; layers by ARN (public ones) are left to the venv."""
    folders = []
    for layer in layers:
        if isinstance(layer, Mapping) and isinstance(layer.get("Ref"), str):
            resource = resource_map.template["Resources"].get(layer["Ref"]) or {}
            folder = local_code_folder((resource.get("Properties") or {}).get("Content"))
            if folder is not None:
                folders.append(folder)
    return folders


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)
