"""Who may call which API route: the configured IAM principal of the DPO and of the telephony integration.

The API's resource policy (template.yaml, ContactApi ``ResourcePolicy``) lets only the DPO's principal call
the DPO routes (``/rights-requests*`` except the public verification link, ``GET /recordings/{id}``) and
only the telephony integration's call ``POST /recordings``; ``DELETE /recordings/{id}`` is for both. The
functions check the caller again against the same template parameters (defence in depth: a resource policy
edited by hand, or a route added without its statement, still refuses; docs/decisions.md, D67).

API Gateway reports an IAM user as its ARN (``arn:aws:iam::<account>:user/<name>``) and a role session as
``arn:aws:sts::<account>:assumed-role/<role name>/<session>``; the configured principal is the user's or the
role's ARN (a role's path is not part of its session ARN, so only the name is compared).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from contact_intake.core.errors import ContactIntakeError

# an IAM user or role ARN, as the template's DpoPrincipalArn / TelephonyPrincipalArn parameters take it
PRINCIPAL_ARN_PATTERN: Final = r"^arn:aws[a-z-]*:iam::\d{12}:(user|role)/[\w+=,.@/-]+$"

_SESSION: Final = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sts::(?P<account>\d{12}):assumed-role/(?P<name>[^/]+)/[^/]+"
)
_ROLE: Final = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):role/(?:[^/]+/)*(?P<name>[^/]+)"
)


class CallerNotAllowed(ContactIntakeError, code="forbidden"): ...


def is_principal(caller_arn: str | None, configured_arn: str) -> bool:
    """Whether API Gateway's ``userArn`` of the caller is the configured IAM user, or a session of the
    configured role. An absent caller is nobody."""
    if not caller_arn or not configured_arn:
        return False
    if caller_arn == configured_arn:
        return True
    session, role = _SESSION.fullmatch(caller_arn), _ROLE.fullmatch(configured_arn)
    return bool(session and role and session.groupdict() == role.groupdict())


def require_principal(caller_arn: str | None, *allowed: str) -> str:
    """The caller's ARN when it is one of the ``allowed`` principals; CallerNotAllowed otherwise."""
    if caller_arn and any(is_principal(caller_arn, arn) for arn in allowed):
        return caller_arn
    raise CallerNotAllowed()


def caller_arn(event: Mapping[str, Any]) -> str | None:
    """The ``userArn`` API Gateway put in a REST proxy event (None when the request was not signed)."""
    identity = (event.get("requestContext") or {}).get("identity") or {}
    arn = identity.get("userArn")
    return arn if isinstance(arn, str) and arn else None
