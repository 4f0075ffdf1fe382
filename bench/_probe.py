"""One cold-start sample, run as a script in a fresh interpreter: ``python bench/_probe.py KIND``.

Kept free of imports beyond what the interpreter has already loaded at start, so the timed import is the
first time anything heavy is imported. Prints one line ``BENCH-RESULT {json}`` (last line of stdout; the
handler's own log lines may come before it). Times are milliseconds, measured with perf_counter in here;
``startup_ms`` is the time from the parent's spawn (BENCH_SPAWN_NS, CLOCK_MONOTONIC) to this script's
first line: interpreter start, reported apart from the import.

Kinds:
  floor_import         import boto3, create a DynamoDB and an SQS client
  handler_import       import intake_handler (the function's init)
  floor_first          floor_import, then the work of one inquiry as a bare boto3 function would do it: read
                       the reCAPTCHA secret (SSM), POST siteverify (urllib3, which botocore brings), read the
                       pepper (SSM), one PutItem, one SendMessage
  handler_first        import intake_handler, then one valid POST /inquiries (clients built lazily)
  handler_snapstart    import intake_handler, run its before-snapshot hooks (priming: the "init at
                       snapshot"), then its after-restore hooks and the POST ("first response after restore")
  rights_floor_first   import boto3, a DynamoDB client, then the verification link's token lookup (one
                       Query on the rights requests' by_token_hash index): RightsApiFunction's floor
  rights_first         import rights_api_handler, then one GET /rights-requests/verify?token=... (a
                       well-formed token that is not ours: the lookup happens, the page says it is gone)
  module_import        import the module BENCH_MODULE names (bench/functions_cold.py: any function's handler)
  clients_import       import boto3, create a client of each service BENCH_CLIENTS names (comma-separated, a
                       service twice for two clients): that function's floor

Every POST carries a fresh ``pass:<uuid>`` captcha token: devstack's siteverify emulator passes a token once.
"""

import os
import sys
import time

STARTED_NS = time.monotonic_ns()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def floor_init() -> tuple[object, object, object]:
    import boto3

    session = boto3.session.Session()
    return session, session.client("dynamodb"), session.client("sqs")


def clients_init(services: list[str]) -> list[object]:
    import boto3

    session = boto3.session.Session()
    return [session.client(service) for service in services]  # type: ignore[call-overload]


def floor_calls(session: object, dynamodb: object, sqs: object) -> None:
    """The calls of one inquiry, shaped like the real ones: the two secrets from SSM (SecureString), the
    siteverify POST (form-encoded, as Google documents it), a conditional put, a claim-check message."""
    import json
    import uuid
    from urllib.parse import urlencode

    import urllib3

    ssm = session.client("ssm")  # type: ignore[attr-defined]
    secret = ssm.get_parameter(Name=os.environ["CAPTCHA_SECRET_PARAM"], WithDecryption=True)
    form = {
        "secret": secret["Parameter"]["Value"],
        "response": f"pass:{uuid.uuid4()}",
        "remoteip": "198.51.100.9",
    }
    answer = urllib3.PoolManager().request(
        "POST",
        os.environ["CAPTCHA_VERIFY_URL"],
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=urllib3.Timeout(connect=2.0, read=3.0),
    )
    if answer.status != 200 or json.loads(answer.data).get("success") is not True:
        raise RuntimeError(f"floor: siteverify said {answer.status} {answer.data[:200]!r}")
    ssm.get_parameter(Name=os.environ["SUBJECT_PEPPER_PARAM"], WithDecryption=True)
    inquiry_id = str(uuid.uuid4())
    item = {
        "inquiry_id": {"S": inquiry_id},
        "received_at": {"S": "2026-11-25T04:24:36.000Z"},
        "channel": {"S": "web_form"},
        "name": {"S": "Bench Person"},
        "email": {"S": "bench.person@example.org"},
        "subject": {"S": "Order 4711"},
        "message": {"S": "The new cat food is not to my cat's taste.\nCan I exchange it?"},
        "locale": {"S": "nl"},
        "subject_key": {"S": "0" * 64},
        "lawful_basis": {"S": "legitimate_interests"},
        "status": {"S": "received"},
        "restricted": {"BOOL": False},
        "request_fingerprint": {"S": "1" * 64},
        "expires_at": {"N": "1795580676"},
    }
    dynamodb.put_item(  # type: ignore[attr-defined]
        TableName=os.environ["INQUIRIES_TABLE"],
        Item=item,
        ConditionExpression="attribute_not_exists(inquiry_id)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    sqs.send_message(  # type: ignore[attr-defined]
        QueueUrl=os.environ["INQUIRY_QUEUE_URL"], MessageBody=json.dumps({"inquiry_id": inquiry_id})
    )


def rights_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)  # 43 characters, the shape of ours


def rights_floor_calls(dynamodb: object) -> None:
    import hashlib

    dynamodb.query(  # type: ignore[attr-defined]
        TableName=os.environ["RIGHTS_REQUESTS_TABLE"],
        IndexName="by_token_hash",
        KeyConditionExpression="token_hash = :hash",
        ExpressionAttributeValues={":hash": {"S": hashlib.sha256(rights_token().encode()).hexdigest()}},
    )


def invoke_rights(handler: object) -> int:
    import json

    token = rights_token()
    path = "/rights-requests/verify"
    event = {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Accept": "text/html", "Accept-Language": "nl"},
        "multiValueHeaders": {"Accept": ["text/html"], "Accept-Language": ["nl"]},
        "queryStringParameters": {"token": token},
        "multiValueQueryStringParameters": {"token": [token]},
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": json.loads(os.environ["BENCH_EVENT"])["requestContext"],
        "body": None,
        "isBase64Encoded": False,
    }
    response = handler.lambda_handler(event, lambda_context("RightsApiFunction"))  # type: ignore[attr-defined]
    return int(response["statusCode"])


def lambda_context(name: str = "IntakeFunction", *, remaining_ms: int = 10_000, request: int = 0) -> object:
    """The attributes of a Lambda context that Powertools' Logger (and the sweeper: the time left) reads.
    The in-process benchmarks use it too: its one definition is here, where nothing heavy may be imported."""

    class Context:
        function_name = name
        function_version = "$LATEST"
        memory_limit_in_mb = 256
        invoked_function_arn = f"arn:aws:lambda:eu-central-1:123456789012:function:{name}"
        aws_request_id = f"00000000-0000-4000-8000-{request:012d}"

        def get_remaining_time_in_millis(self) -> int:
            return remaining_ms

    return Context()


def invoke(handler: object, body: str) -> int:
    import json
    import uuid

    event = json.loads(os.environ["BENCH_EVENT"])
    event["body"] = json.dumps({**json.loads(body), "captcha_token": f"pass:{uuid.uuid4()}"})
    response = handler.lambda_handler(event, lambda_context())  # type: ignore[attr-defined]
    return int(response["statusCode"])


def main(kind: str) -> dict[str, object]:  # noqa: PLR0911 (one branch per kind)
    result: dict[str, object] = {"kind": kind}
    t0 = time.perf_counter()
    if kind == "module_import":
        __import__(os.environ["BENCH_MODULE"])
        result["init_ms"] = _ms(time.perf_counter() - t0)
        return result
    if kind == "clients_import":
        clients_init(os.environ["BENCH_CLIENTS"].split(","))
        result["init_ms"] = _ms(time.perf_counter() - t0)
        return result
    if kind == "rights_floor_first":
        import boto3

        dynamodb = boto3.session.Session().client("dynamodb")
        t1 = time.perf_counter()
        result["init_ms"] = _ms(t1 - t0)
        rights_floor_calls(dynamodb)
        result["first_ms"] = _ms(time.perf_counter() - t1)
        return result
    if kind == "rights_first":
        import rights_api_handler

        t1 = time.perf_counter()
        result["init_ms"] = _ms(t1 - t0)
        result["status"] = invoke_rights(rights_api_handler)
        result["first_ms"] = _ms(time.perf_counter() - t1)
        return result
    if kind.startswith("floor"):
        session, dynamodb, sqs = floor_init()
        t1 = time.perf_counter()
        result["init_ms"] = _ms(t1 - t0)
        if kind == "floor_first":
            floor_calls(session, dynamodb, sqs)
            result["first_ms"] = _ms(time.perf_counter() - t1)
        return result

    import intake_handler

    t1 = time.perf_counter()
    result["import_ms"] = _ms(t1 - t0)
    if kind == "handler_snapstart":
        from contact_intake.core import snapstart

        snapstart.run_before_snapshot()
        t2 = time.perf_counter()
        result["prime_ms"] = _ms(t2 - t1)
        result["init_ms"] = _ms(t2 - t0)  # init at snapshot: import + priming, paid once per version
        snapstart.run_after_restore()
        t3 = time.perf_counter()
        result["restore_hooks_ms"] = _ms(t3 - t2)
        result["status"] = invoke(intake_handler, os.environ["BENCH_BODY_1"])
        result["first_ms"] = _ms(time.perf_counter() - t2)  # after-restore hooks + the first response
        return result
    result["init_ms"] = result["import_ms"]
    if kind != "handler_import":
        result["status"] = invoke(intake_handler, os.environ["BENCH_BODY_1"])
        t2 = time.perf_counter()
        result["first_ms"] = _ms(t2 - t1)
        result["second_status"] = invoke(intake_handler, os.environ["BENCH_BODY_2"])
        result["second_ms"] = _ms(time.perf_counter() - t2)
    return result


if __name__ == "__main__":
    outcome = main(sys.argv[1])
    spawned = os.environ.get("BENCH_SPAWN_NS")
    if spawned:
        outcome["startup_ms"] = round((STARTED_NS - int(spawned)) / 1e6, 3)
    import json

    sys.stdout.write("BENCH-RESULT " + json.dumps(outcome) + "\n")
