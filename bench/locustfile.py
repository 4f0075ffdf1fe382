"""The load `make load` puts on devstack (bench/load.py runs locust headless with it).

Each user is a browser posting the contact form as fast as answers come back (no think time): the preflight
its JavaScript sends first, then the JSON post with a fresh ``pass:`` token (devstack's siteverify
emulator passes each once) and an Idempotency-Key. Made-up people, never real data.
"""

from __future__ import annotations

import json
import os
import uuid

from locust import HttpUser, constant, task

ORIGIN_HEADER = "X-Load-Origin"  # bench/load.py passes devstack's own origin (its allowed CORS origin)
# bench/load.py names a file: every accepted inquiry's id goes there, a line each, so that it can check each
# one is stored (locust's own counts are flushed periodically and lag the last half second)
ACCEPTED_FILE = os.environ.get("LOAD_ACCEPTED_FILE")


class FormUser(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.origin = self.environment.parsed_options.origin if self.environment.parsed_options else ""
        self.accepted = open(ACCEPTED_FILE, "a", encoding="utf-8") if ACCEPTED_FILE else None  # noqa: SIM115

    def on_stop(self) -> None:
        if self.accepted is not None:
            self.accepted.close()

    @task(1)
    def preflight(self) -> None:
        headers = {"Origin": self.origin, "Access-Control-Request-Method": "POST"}
        with self.client.options("/inquiries", headers=headers, name="OPTIONS /inquiries",
                                 catch_response=True) as answer:  # fmt: skip
            if answer.status_code != 204:
                answer.failure(f"preflight answered {answer.status_code}: {answer.error or ''}")

    @task(10)
    def post_inquiry(self) -> None:
        n = uuid.uuid4().hex[:12]
        form = {
            "name": f"Load Tester {n}",
            "email": f"load.{n}@example.org",
            "subject": "Load test",
            "message": "A question posted by the load test.\nNothing to answer.",
            "locale": "en",
            "captcha_token": f"pass:{uuid.uuid4()}",
        }
        headers = {"Origin": self.origin, "Idempotency-Key": f"load-{uuid.uuid4()}"}
        with self.client.post("/inquiries", json=form, headers=headers, name="POST /inquiries",
                              catch_response=True) as answer:  # fmt: skip
            if answer.status_code != 202:
                answer.failure(f"answered {answer.status_code}: {answer.error or answer.text[:120]}")
            elif self.accepted is not None:
                self.accepted.write(json.loads(answer.text)["inquiry_id"] + "\n")
                self.accepted.flush()


# `--origin` on locust's command line (bench/load.py sets it)
from locust import events  # noqa: E402


@events.init_command_line_parser.add_listener
def _origin_option(parser) -> None:  # type: ignore[no-untyped-def]
    parser.add_argument("--origin", default="", help="the Origin header the form's page has")
