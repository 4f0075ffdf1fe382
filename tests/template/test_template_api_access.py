"""Who may call which route (D67): the template names the DPO's and the telephony integration's principals
(parameters), the API's resource policy leaves each its own routes only, the functions get the same ARNs
for their own check, and the outputs hold a least-privilege identity policy for each principal.

The resource policy is evaluated with devstack's evaluator (devstack/resource_policy.py), the one devstack
enforces locally, for every route of the translated API."""

from __future__ import annotations

import json
import re
from typing import Any

from contact_intake.core.principals import PRINCIPAL_ARN_PATTERN
from devstack.resource_policy import ResourcePolicy
from tests.template.conftest import PARAMETER_VALUES
from tests.template.test_template import _authorizers, _operations, ref

Resources = dict[str, dict[str, Any]]
DPO = PARAMETER_VALUES["DpoPrincipalArn"]
TELEPHONY = PARAMETER_VALUES["TelephonyPrincipalArn"]
OTHER = "arn:aws:iam::123456789012:role/SomeAdmin"
PRINCIPALS = {"dpo": DPO, "telephony": TELEPHONY, "other": OTHER}
EXPECTED = {  # each signed route: who may call it
    ("POST", "/recordings"): {"telephony"},
    ("GET", "/recordings/{recording_id}"): {"dpo"},
    ("DELETE", "/recordings/{recording_id}"): {"dpo", "telephony"},
}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "0f8e0c55-0d4e-4a7b-9c43-2d5b0b3f4e11", path)


def allowed_by_policy(policy: ResourcePolicy, method: str, path: str) -> set[str]:
    return {
        name
        for name, arn in PRINCIPALS.items()
        if policy.allows(stage="v1", method=method, path=concrete(path), principal_arn=arn)
    }


def test_the_principals_are_parameters_without_a_default(sam_template: dict[str, Any]) -> None:
    for name in ("DpoPrincipalArn", "TelephonyPrincipalArn"):
        parameter = sam_template["Parameters"][name]
        assert "Default" not in parameter  # a deploy-time choice: no stack runs with a guessed principal
        assert parameter["AllowedPattern"] == PRINCIPAL_ARN_PATTERN  # what the functions accept


def test_the_resource_policy_leaves_each_signed_route_to_its_principals_only(resources: Resources) -> None:
    body = resources["ContactApi"]["Properties"]["Body"]
    policy = ResourcePolicy(body["x-amazon-apigateway-policy"]["Statement"])
    signed = {route for route, operation in _operations(body).items() if _authorizers(operation)}
    assert signed  # the DPO's and the recording routes

    for method, path in signed:
        expected = EXPECTED.get((method, path), {"dpo"} if path.startswith("/rights-requests") else None)
        assert expected is not None, f"{method} {path}: a signed route nobody decided about"
        assert allowed_by_policy(policy, method, path) == expected, (method, path)


def test_public_routes_stay_open_to_unsigned_callers(resources: Resources) -> None:
    body = resources["ContactApi"]["Properties"]["Body"]
    policy = ResourcePolicy(body["x-amazon-apigateway-policy"]["Statement"])
    public = {route for route, operation in _operations(body).items() if not _authorizers(operation)}
    assert ("GET", "/rights-requests/verify") in public
    assert ("POST", "/inquiries") in public
    for method, path in public:
        assert policy.allows(stage="v1", method=method, path=concrete(path), principal_arn=None), path


def test_the_functions_check_the_caller_against_the_same_parameters(resources: Resources) -> None:
    rights = resources["RightsApiFunction"]["Properties"]["Environment"]["Variables"]
    assert rights["DPO_PRINCIPAL_ARN"] == ref("DpoPrincipalArn")
    recordings = resources["RecordingsFunction"]["Properties"]["Environment"]["Variables"]
    assert recordings["DPO_PRINCIPAL_ARN"] == ref("DpoPrincipalArn")
    assert recordings["TELEPHONY_PRINCIPAL_ARN"] == ref("TelephonyPrincipalArn")


def output_policy(translated: dict[str, Any], name: str) -> dict[str, Any]:
    text, variables = translated["Outputs"][name]["Value"]["Fn::Sub"]
    stage = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ContactApi}/${StageName}"
    assert variables["Base"] == {"Fn::Sub": stage}
    document: dict[str, Any] = json.loads(text.replace("${Base}", "arn:aws:execute-api:r:1:api/v1"))
    return document


def test_the_outputs_are_least_privilege_policies_for_exactly_each_principals_routes(
    translated: dict[str, Any], resources: Resources
) -> None:
    body = resources["ContactApi"]["Properties"]["Body"]
    policy = ResourcePolicy(body["x-amazon-apigateway-policy"]["Statement"])
    signed = {route for route, operation in _operations(body).items() if _authorizers(operation)}
    for output, principal in (("DpoApiPolicy", "dpo"), ("TelephonyApiPolicy", "telephony")):
        document = output_policy(translated, output)
        (statement,) = document["Statement"]
        assert (statement["Effect"], statement["Action"]) == ("Allow", "execute-api:Invoke")
        # as IAM matches: * spans any characters, "/" included
        patterns = [re.compile(re.escape(r).replace(r"\*", ".*") + "$") for r in statement["Resource"]]
        for method, path in signed:
            arn = f"arn:aws:execute-api:r:1:api/v1/{method}{concrete(path)}"
            granted = any(p.match(arn) for p in patterns)
            assert granted == (principal in allowed_by_policy(policy, method, path)), (output, method, path)
