"""contact_intake.core.principals: API Gateway's userArn against the configured DPO / telephony principal."""

from __future__ import annotations

import pytest

from contact_intake.core.principals import CallerNotAllowed, caller_arn, is_principal, require_principal

ROLE = "arn:aws:iam::123456789012:role/ContactIntakeDPO"
ROLE_WITH_PATH = "arn:aws:iam::123456789012:role/privacy/ContactIntakeDPO"
USER = "arn:aws:iam::123456789012:user/dpo-anna"
STS = "arn:aws:sts::123456789012:assumed-role"


@pytest.mark.parametrize(
    ("caller", "configured", "expected"),
    [
        pytest.param(f"{STS}/ContactIntakeDPO/anna", ROLE, True, id="a session"),
        pytest.param("arn:aws:sts::123456789012:assumed-role/ContactIntakeDPO/x", ROLE_WITH_PATH, True,
                     id="a session of a role with a path"),
        pytest.param(USER, USER, True, id="the user"),
        pytest.param("arn:aws:sts::999999999999:assumed-role/ContactIntakeDPO/x", ROLE, False,
                     id="the same role name in another account"),
        pytest.param("arn:aws-cn:sts::123456789012:assumed-role/ContactIntakeDPO/x", ROLE, False,
                     id="another partition"),
        pytest.param("arn:aws:sts::123456789012:assumed-role/ContactIntakeDPOX/x", ROLE, False,
                     id="a longer role name"),
        pytest.param("arn:aws:iam::123456789012:user/ContactIntakeDPO", ROLE, False,
                     id="a user named as the role"),
        pytest.param(f"{STS}/dpo-anna/x", USER, False, id="a role named as the user"),
        pytest.param(None, ROLE, False, id="nobody"),
        pytest.param("", ROLE, False, id="empty"),
    ],
)  # fmt: skip
def test_is_principal(caller: str | None, configured: str, expected: bool) -> None:
    assert is_principal(caller, configured) is expected


def test_require_principal_answers_403_for_anyone_else() -> None:
    assert require_principal(USER, ROLE, USER) == USER
    with pytest.raises(CallerNotAllowed) as refused:
        require_principal("arn:aws:sts::123456789012:assumed-role/Admin/x", ROLE, USER)
    assert (refused.value.status, refused.value.code) == (403, "forbidden")


def test_the_caller_comes_from_the_proxy_events_identity() -> None:
    assert caller_arn({"requestContext": {"identity": {"userArn": USER}}}) == USER
    assert caller_arn({"requestContext": {"identity": {"userArn": None}}}) is None
    assert caller_arn({}) is None
