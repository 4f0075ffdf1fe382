"""One cold-start sample, run as a script in a fresh interpreter: ``python bench/_probe.py KIND``.

Kept free of imports beyond what the interpreter has already loaded at start, so the timed import is the
first time anything heavy is imported. Prints one line ``BENCH-RESULT {json}`` (last line of stdout; the
handler's own log lines may come before it). Times are milliseconds, measured with perf_counter in here;
``startup_ms`` is the time from the parent's spawn (BENCH_SPAWN_NS, CLOCK_MONOTONIC) to this script's
first line: interpreter start, reported apart from the import.

Kinds:
  floor_import         import boto3, create a DynamoDB and an SQS client
  handler_import       import intake_handler (the function's init)
  floor_first          floor_import, then one PutItem and one SendMessage (a bare boto3 function)
  handler_first        import intake_handler, then one valid POST /inquiries (clients built lazily)
  handler_first_eager  import intake_handler, build every client at init (as under SnapStart), then the POST
  module_import        import the module BENCH_MODULE names (bench/functions_cold.py: any function's handler)
  clients_import       import boto3, create a client of each service BENCH_CLIENTS names (comma-separated, a
                       service twice for two clients): that function's floor
"""

import os
import sys
import time

STARTED_NS = time.monotonic_ns()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def floor_init() -> tuple[object, object]:
    import boto3

    session = boto3.session.Session()
    return session.client("dynamodb"), session.client("sqs")


def clients_init(services: list[str]) -> list[object]:
    import boto3

    session = boto3.session.Session()
    return [session.client(service) for service in services]  # type: ignore[call-overload]


def floor_calls(dynamodb: object, sqs: object) -> None:
    """The two calls of the hot path, shaped like the real ones (conditional put, claim-check body)."""
    import json
    import uuid

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


def build_clients_at_init(handler: object) -> dict[str, float]:
    """What init would do under SnapStart: every client of the first request, built before the snapshot.
    Returns the time of each step (ms)."""
    wiring = handler.wiring  # type: ignore[attr-defined]
    parts: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        parts[name] = _ms(now - mark)
        mark = now

    import boto3  # noqa: F401 (timed on its own; Clients imports it on first use)

    lap("import_boto3")
    _ = wiring.clients.boto_session
    lap("session")
    _ = wiring.clients.dynamodb
    lap("dynamodb")
    _ = wiring.clients.sqs
    lap("sqs")
    _ = wiring.clients.http
    lap("http")
    from aws_lambda_powertools.utilities.parameters import SSMProvider
    from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS

    lap("import_parameters")
    DEFAULT_PROVIDERS["ssm"] = SSMProvider()  # the client SecretReader's get_parameter would build
    lap("ssm")
    return parts


def invoke(handler: object, body: str) -> int:
    import json

    event = json.loads(os.environ["BENCH_EVENT"])
    event["body"] = body

    class Context:
        function_name = "IntakeFunction"
        function_version = "$LATEST"
        memory_limit_in_mb = 256
        invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:IntakeFunction"
        aws_request_id = "00000000-0000-4000-8000-000000000000"

        def get_remaining_time_in_millis(self) -> int:
            return 10_000

    response = handler.lambda_handler(event, Context())  # type: ignore[attr-defined]
    return int(response["statusCode"])


def main(kind: str) -> dict[str, object]:
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
    if kind.startswith("floor"):
        dynamodb, sqs = floor_init()
        t1 = time.perf_counter()
        result["init_ms"] = _ms(t1 - t0)
        if kind == "floor_first":
            floor_calls(dynamodb, sqs)
            result["first_ms"] = _ms(time.perf_counter() - t1)
        return result

    import intake_handler

    t1 = time.perf_counter()
    result["import_ms"] = _ms(t1 - t0)
    if kind == "handler_first_eager":
        result["clients_parts_ms"] = build_clients_at_init(intake_handler)
    t2 = time.perf_counter()
    result["clients_at_init_ms"] = _ms(t2 - t1)
    result["init_ms"] = _ms(t2 - t0)
    if kind != "handler_import":
        result["status"] = invoke(intake_handler, os.environ["BENCH_BODY_1"])
        t3 = time.perf_counter()
        result["first_ms"] = _ms(t3 - t2)
        result["second_status"] = invoke(intake_handler, os.environ["BENCH_BODY_2"])
        result["second_ms"] = _ms(time.perf_counter() - t3)
    return result


if __name__ == "__main__":
    outcome = main(sys.argv[1])
    spawned = os.environ.get("BENCH_SPAWN_NS")
    if spawned:
        outcome["startup_ms"] = round((STARTED_NS - int(spawned)) / 1e6, 3)
    import json

    sys.stdout.write("BENCH-RESULT " + json.dumps(outcome) + "\n")
