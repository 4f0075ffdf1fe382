"""make smoke: build output -> CloudFormation stack on LocalStack -> exercised -> torn down, step by step.

Run by ``make smoke`` (after ``make build``) with .venv-smoke's interpreter and the repo on PYTHONPATH.
Needs SAM_CLI (the sam executable) and python3.13 on PATH for the x86_64 layer build, as make gives them.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import requests
import yaml
from botocore.config import Config

from smoke import artifacts, deploy, inventory
from smoke.localstack import REPO_ROOT, LocalStack
from smoke.report import detail, say, step, summary
from smoke.standins import StandIns

REGION = "eu-central-1"
STACK = "contact-intake-smoke"
CODE_BUCKET = "contact-intake-smoke-artifacts"
BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"
X86_DIR = REPO_ROOT / ".aws-sam" / "smoke-x86_64"
# the shop-specific parameters (no default in the template); the rest keep their defaults
PARAMETERS = {
    "AllowedOrigins": "http://127.0.0.1",
    "ThankYouUrl": "http://127.0.0.1/thanks",
    "CaptchaHostnames": "localhost",  # what the captcha stand-in reports a token was solved on
    "HelpdeskDomain": "smoke",  # replaced by the stand-in's URL once deployed (step "point at stand-ins")
    "MailFrom": "privacy@example.com",
    # who may call the DPO and the telephony routes (any well-formed ARN: LocalStack enforces no IAM)
    "DpoPrincipalArn": "arn:aws:iam::000000000000:role/smoke-dpo",
    "TelephonyPrincipalArn": "arn:aws:iam::000000000000:role/smoke-telephony",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def load_yaml(path: Path) -> dict[str, Any]:
    """A template as sam build writes it (intrinsics in their long form, so plain YAML)."""
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")


# ------------------------------------------------------------------------------------------------ build


def check_build(built: dict[str, Any]) -> None:
    """The arm64 layer's native code is aarch64; the layer and each function far under Lambda's limits."""
    layer = built["Resources"]["CommonLayer"]["Properties"]["ContentUri"]
    for line in artifacts.check_build(BUILD_DIR, layer, "aarch64"):
        detail(line)


def build_x86_64_layer(built: dict[str, Any]) -> Path:
    """The same layer built by sam for x86_64, as the smoke's functions run on this host's CPU.

    A one-resource template: the template's CommonLayer with only its architecture changed.
    """
    source = load_yaml_with_tags(REPO_ROOT / "template.yaml")["Resources"]["CommonLayer"]
    layer = {
        "Type": "AWS::Serverless::LayerVersion",
        "Properties": {
            "ContentUri": str(REPO_ROOT / source["Properties"]["ContentUri"]),
            "CompatibleRuntimes": source["Properties"]["CompatibleRuntimes"],
            "CompatibleArchitectures": ["x86_64"],
        },
        "Metadata": {**source["Metadata"], "BuildArchitecture": "x86_64"},
    }
    workdir = X86_DIR
    workdir.mkdir(parents=True, exist_ok=True)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": built["Transform"],
        "Resources": {"CommonLayer": layer},
    }
    template_text = yaml.safe_dump(template)
    # the same template and the same layer sources (requirements.txt included) make the same build
    sources = artifacts.tree_digest(Path(layer["Properties"]["ContentUri"]), template_text)
    stamp = workdir / "sources.sha256"
    if stamp.exists() and stamp.read_text() == sources and (workdir / "build" / "CommonLayer").is_dir():
        detail("the layer's sources are unchanged since the last x86_64 build: reused")
    else:
        stamp.unlink(missing_ok=True)
        (workdir / "template.yaml").write_text(template_text)
        result = subprocess.run(
            [
                os.environ.get("SAM_CLI", "sam"),
                "build",
                "--template",
                "template.yaml",
                "--build-dir",
                "build",
            ],
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"sam build of the x86_64 layer failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        stamp.write_text(sources)
    x86 = workdir / "build" / "CommonLayer"
    machines = artifacts.native_machines(x86)
    assert machines, "the x86_64 layer has no shared object"
    assert set(machines.values()) == {"x86_64"}, machines
    arm = BUILD_DIR / built["Resources"]["CommonLayer"]["Properties"]["ContentUri"]
    arm_top = sorted(path.name for path in (arm / "python").iterdir())
    x86_top = sorted(path.name for path in (x86 / "python").iterdir())
    assert arm_top == x86_top, f"the x86_64 layer differs: {set(arm_top) ^ set(x86_top)}"
    detail(
        f"x86_64 layer: the arm64 layer's {len(x86_top)} top-level entries, "
        f"{len(machines)} x86_64 shared objects"
    )
    return x86


def load_yaml_with_tags(path: Path) -> dict[str, Any]:
    """template.yaml as written: CloudFormation's short tags (!Ref, !Sub, ...) read as their long form."""

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}

    Loader.add_multi_constructor("!", tag)
    loaded: dict[str, Any] = yaml.load(path.read_text(), Loader=Loader)  # noqa: S506 - SafeLoader subclass
    return loaded


# ------------------------------------------------------------------------------------------------ stack


def seed_secrets(client: Callable[[str], Any], sam_template: dict[str, Any]) -> None:
    """The secrets the template names (SSM SecureString and Secrets Manager), created before the stack."""
    from devstack.local_secrets import RECAPTCHA_SECRET

    defaults = {name: spec.get("Default") for name, spec in sam_template["Parameters"].items()}
    ssm_values = {
        "CaptchaSecretParameterName": RECAPTCHA_SECRET,  # what the captcha stand-in accepts
        "SubjectPepperParameterName": secrets.token_hex(32),
        "WebhookSecretParameterName": secrets.token_hex(16),
    }
    for parameter, value in ssm_values.items():
        client("ssm").put_parameter(Name=defaults[parameter], Value=value, Type="SecureString")
        detail(f"SSM SecureString {defaults[parameter]}")
    secret_name = defaults["HelpdeskApiKeySecretName"]
    client("secretsmanager").create_secret(Name=secret_name, SecretString=secrets.token_hex(16))
    detail(f"Secrets Manager secret {secret_name}")


def point_at_stand_ins(
    client: Callable[[str], Any], kinds: dict[str, list[dict[str, Any]]], stand_ins: StandIns
) -> None:
    """Each deployed function that talks to the helpdesk or siteverify gets the stand-ins' URLs instead."""
    overrides = stand_ins.environment()
    lambda_ = client("lambda")
    for resource in kinds["AWS::Lambda::Function"]:
        name = resource["PhysicalResourceId"]
        variables = dict(lambda_.get_function_configuration(FunctionName=name)["Environment"]["Variables"])
        changed = dict(variables)
        if "HELPDESK_DOMAIN" in variables:
            changed.pop("HELPDESK_DOMAIN")
            changed["HELPDESK_BASE_URL"] = str(overrides["HELPDESK_BASE_URL"])
        if "CAPTCHA_SECRET_PARAM" in variables:
            changed["CAPTCHA_VERIFY_URL"] = str(overrides["CAPTCHA_VERIFY_URL"])
        if changed == variables:
            continue
        lambda_.update_function_configuration(FunctionName=name, Environment={"Variables": changed})
        wait_for(
            f"{name} to update",
            lambda name=name: (
                lambda_.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful"
            ),
        )
        names = sorted(
            {key for key in set(changed) | set(variables) if changed.get(key) != variables.get(key)}
        )
        detail(f"{resource['LogicalResourceId']}: {', '.join(names)}")
        republish_aliases(lambda_, name)


def republish_aliases(lambda_: Any, name: str) -> None:
    """A function behind an alias (AutoPublishAlias, for SnapStart) is invoked as a published version, which
    keeps the configuration it was published with: publish the new one and move each alias onto it, as SAM
    does on a deploy."""
    aliases = lambda_.list_aliases(FunctionName=name)["Aliases"]
    if not aliases:
        return
    version = lambda_.publish_version(FunctionName=name)["Version"]
    for alias in aliases:
        lambda_.update_alias(FunctionName=name, Name=alias["Name"], FunctionVersion=version)
        detail(f"    alias {alias['Name']} -> version {version}")


# ------------------------------------------------------------------------------------------------ main


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="contact-intake-smoke-"))
    localstack = LocalStack(free_port(), workdir)
    stand_ins = StandIns()
    # a stopped make (Ctrl-C, CI's timeout) still tears down: SIGTERM becomes SystemExit, finally runs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        built = load_yaml(BUILD_DIR / "template.yaml")
        with step("check the build (.aws-sam/build): native code and sizes"):
            check_build(built)
        with step("build the x86_64 variant of the layer (this host runs the functions)"):
            x86_layer = build_x86_64_layer(built)
        with step("start the helpdesk and captcha stand-ins"):
            stand_ins.start()
            detail(f"at {stand_ins.url}")
        with step("start LocalStack (host mode, no Docker)"):
            localstack.start()
            detail(f"at {localstack.endpoint}, log {localstack.log_path}")
        client = clients(localstack.endpoint)
        kinds = deploy_and_check(client, built, x86_layer)
        with step("point the deployed functions at the stand-ins"):
            point_at_stand_ins(client, kinds, stand_ins)
        exercise(client, kinds, localstack, stand_ins)
        with step("delete the stack"):
            status = deploy.delete_stack(client("cloudformation"), STACK)
            assert status == "DELETE_COMPLETE", status
            detail(status)
    except BaseException as exc:
        say(f"FAILED: {type(exc).__name__}: {exc}")
        say(f"LocalStack's last log lines ({localstack.log_path}):")
        print(localstack.log_tail(), flush=True)
        print_function_logs(localstack)
        return_code = 1
    else:
        return_code = 0
    finally:
        # the stack, if still there, goes with LocalStack's in-memory state
        with step("stop LocalStack and the stand-ins"):
            localstack.stop()
            stand_ins.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        summary()
    say("PASSED" if return_code == 0 else "FAILED")
    return return_code


def print_function_logs(localstack: LocalStack) -> None:
    """On a failure: the last lines each function logged (CloudWatch Logs of the local stack), if any."""
    try:
        logs = clients(localstack.endpoint)("logs")
        for group in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]:
            events = logs.filter_log_events(logGroupName=group["logGroupName"], limit=10000)["events"]
            if events:
                say(f"the last lines of {group['logGroupName']}:")
                for event in events[-15:]:
                    print(f"    {event['message'].rstrip()}", flush=True)
    except Exception as exc:  # a failure report must not fail itself
        say(f"(no function logs: {type(exc).__name__})")


def clients(endpoint: str) -> Callable[[str], Any]:
    """boto3 clients for the local stack (its fixed test credentials), by service name."""
    session = boto3.session.Session(
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - LocalStack's documented dummy credentials
        region_name=REGION,
    )
    retries = Config(retries={"max_attempts": 3, "mode": "standard"})

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint, config=retries)  # type: ignore[call-overload]

    return client


def deploy_and_check(
    client: Callable[[str], Any], built: dict[str, Any], x86_layer: Path
) -> dict[str, list[dict[str, Any]]]:
    """Secrets, package, translate, create the stack, and check what it made; its resources by type."""
    sam_template = load_yaml_with_tags(REPO_ROOT / "template.yaml")
    with step("create the secrets the template names"):
        seed_secrets(client, sam_template)
    with step("package: zip each built folder into S3 (the layer: its x86_64 variant)"):
        client("s3").create_bucket(
            Bucket=CODE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        packaged = deploy.package(
            built,
            lambda logical_id, uri: x86_layer if logical_id == "CommonLayer" else BUILD_DIR / uri,
            client("s3"),
            CODE_BUCKET,
        )
    with step("translate the SAM template client-side (samtranslator)"):
        translated = deploy.translate(packaged, {**defaults(sam_template), **PARAMETERS}, REGION)
        detail(f"{len(translated['Resources'])} CloudFormation resources")
    with step("create the CloudFormation stack"):
        resources = deploy.create_stack(
            client("cloudformation"),
            client("s3"),
            deploy.Stack(STACK, CODE_BUCKET, translated, PARAMETERS),
        )
        say("stack status: CREATE_COMPLETE")
        for line in inventory.created_as_declared(translated, resources):
            detail(line)
        for line in deploy.fallback_events(client("cloudformation"), STACK):
            detail(f"WARNING a placeholder, not a real resource: {line}")
    kinds = inventory.by_type(resources)
    with step("check every table, queue, bucket, route, role, the layer and every function"):
        for line in [
            *inventory.tables(client, kinds),
            *inventory.queues(client, kinds, translated),
            *inventory.buckets(client, kinds),
            *inventory.rest_api(client, kinds, sam_template),
            *inventory.roles(client, kinds),
            *inventory.functions(client, kinds),
        ]:
            detail(line)
    return kinds


def defaults(sam_template: dict[str, Any]) -> dict[str, str]:
    return {
        name: str(spec["Default"]) for name, spec in sam_template["Parameters"].items() if "Default" in spec
    }


def exercise(
    client: Callable[[str], Any],
    kinds: dict[str, list[dict[str, Any]]],
    localstack: LocalStack,
    stand_ins: StandIns,
) -> None:
    (api,) = kinds["AWS::ApiGateway::RestApi"]
    stage = next(r for r in kinds["AWS::ApiGateway::Stage"])["PhysicalResourceId"]
    base = f"{localstack.endpoint}/_aws/execute-api/{api['PhysicalResourceId']}/{stage}"
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for rs in kinds.values() for r in rs}
    with step("POST /inquiries through the deployed API Gateway"):
        form = {
            "name": "Smoke Test",
            "email": "smoke@example.com",
            "subject": "smoke",
            "message": "A smoke test of the deployed stack.",
            "locale": "en",
            "captcha_token": f"pass:{uuid.uuid4()}",
        }
        answer = requests.post(
            f"{base}/inquiries", json=form, headers={"Origin": PARAMETERS["AllowedOrigins"]}, timeout=30
        )
        assert answer.status_code == 202, f"{answer.status_code} {answer.text}"
        inquiry_id = answer.json()["inquiry_id"]
        detail(f"202, inquiry {inquiry_id}")
    with step("the inquiry is stored (InquiriesTable)"):
        item = client("dynamodb").get_item(
            TableName=physical["InquiriesTable"], Key={"inquiry_id": {"S": inquiry_id}}
        )["Item"]
        detail(f"status {item['status']['S']}")
    with step("the SQS event source mapping runs ForwarderFunction: a ticket on the helpdesk stand-in"):

        def forwarded() -> Any:
            found = client("dynamodb").get_item(
                TableName=physical["InquiriesTable"], Key={"inquiry_id": {"S": inquiry_id}}
            )["Item"]
            return found if found["status"]["S"] == "forwarded" else None

        item = wait_for("the inquiry to be forwarded", forwarded, timeout=90)
        tickets = [t for t in stand_ins.tickets() if json.dumps(t).find(inquiry_id) >= 0]
        assert len(tickets) == 1, f"{len(tickets)} tickets name the inquiry"
        detail(f"ticket {item['helpdesk_ticket_id']['N']} created, inquiry status forwarded")
    with step("invoke SweeperFunction once"):
        event = (REPO_ROOT / "events" / "sweeper_scheduled.json").read_bytes()
        result = client("lambda").invoke(FunctionName=physical["SweeperFunction"], Payload=event)
        payload = result["Payload"].read().decode()
        assert "FunctionError" not in result, payload
        detail(f"answered {payload}")
    with step("an unsigned call to a DPO route is refused"):
        answer = requests.get(f"{base}/rights-requests", timeout=30)
        assert answer.status_code == 403, f"{answer.status_code} {answer.text}"
        detail(f"GET /rights-requests unsigned: {answer.status_code} {answer.text[:120]}")
    with step("a dead rights link answers the Dutch page, worded from the layer's nl.toml"):
        wording = tomllib.loads(
            (REPO_ROOT / "layers/common/contact_intake/rights/templates/nl.toml").read_text(encoding="utf-8")
        )
        answer = requests.get(
            f"{base}/rights-requests/verify",
            params={"token": secrets.token_urlsafe(32)},
            headers={"Accept-Language": "nl-NL,nl;q=0.9"},
            timeout=30,
        )
        assert answer.status_code == 410, f"{answer.status_code} {answer.text[:300]}"
        assert wording["pages"]["gone"]["title"] in answer.text, answer.text[:300]
        detail(f"GET /rights-requests/verify, an unknown token: 410, {wording['pages']['gone']['title']!r}")


if __name__ == "__main__":
    sys.exit(main())
