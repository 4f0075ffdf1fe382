"""``/_local/events``, ``/_local/schedules`` and ``/_local/event-sources``: what triggers functions other than
the API, driven by hand (devstack only, never deployed).

- ``POST /_local/events``: an EventBridge event as a producer sends it (``source``, ``detail-type``,
  ``detail``, optional ``time``/``id``/``resources``) → ``200 {"event": <the envelope delivered>,
  "matched": [{"rule", "targets": [{"target", "function", "status", "attempts", "result"|"error"}]}]}``;
  ``GET`` lists the rules.
- ``GET /_local/schedules``; ``POST /_local/schedules/<LogicalId>/run`` runs one now and answers its
  deliveries (after a run in progress ends).
- ``GET /_local/event-sources``; ``POST /_local/event-sources/<LogicalId>`` ``{"enabled": false}`` pauses a
  queue's mapping (messages stay in the queue), ``true`` resumes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from devstack.emulators import PointsNoFunction, no_local_endpoint
from devstack.event_sources import SqsPoller
from devstack.eventbridge import EventBus, EventError, Scheduler
from devstack.http import HttpRequest, HttpResponse, json_response

_NOT_ALLOWED: Final = "method not allowed here"


def _json_object(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _method_not_allowed(allowed: str) -> HttpResponse:
    return json_response(405, {"message": _NOT_ALLOWED}, [("Allow", allowed)])


class EventsEndpoint(PointsNoFunction):
    prefix = "/_local/events"
    endpoints = ("GET|POST /_local/events",)

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if subpath not in {"", "/"}:
            return no_local_endpoint(request)
        if request.method == "GET":
            rules = [
                {
                    "rule": rule.logical_id,
                    "enabled": rule.enabled,
                    "event_bus": rule.event_bus,
                    "targets": [t.function for t in rule.targets],
                }
                for rule in self._bus.rules
            ]
            return json_response(200, {"rules": rules})
        if request.method != "POST":
            return _method_not_allowed("GET, POST")
        event = _json_object(request)
        if event is None:
            return json_response(400, {"message": "the body must be a JSON object (an EventBridge event)"})
        try:
            return json_response(200, self._bus.put(event))
        except EventError as problem:
            return json_response(400, {"message": str(problem)})


class SchedulesEndpoint(PointsNoFunction):
    prefix = "/_local/schedules"
    endpoints = ("GET /_local/schedules", "POST /_local/schedules/<LogicalId>/run")

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if subpath in {"", "/"}:
            return self._list() if request.method == "GET" else _method_not_allowed("GET")
        parts = subpath.strip("/").split("/")
        if len(parts) != 2 or parts[1] != "run":
            return no_local_endpoint(request)
        if request.method != "POST":
            return _method_not_allowed("POST")
        if parts[0] not in self._scheduler.schedules:
            known = ", ".join(sorted(self._scheduler.schedules)) or "none"
            return json_response(404, {"message": f"no schedule {parts[0]} (schedules: {known})"})
        deliveries = self._scheduler.run_now(parts[0])
        return json_response(200, {"schedule": parts[0], "targets": deliveries})

    def _list(self) -> HttpResponse:
        listed = [
            {
                "schedule": s.logical_id,
                "expression": s.expression,
                "enabled": s.enabled,
                "targets": [t.function for t in s.targets],
            }
            for s in self._scheduler.schedules.values()
        ]
        return json_response(200, {"interval_seconds": self._scheduler.interval_seconds, "schedules": listed})


class EventSourcesEndpoint(PointsNoFunction):
    prefix = "/_local/event-sources"
    endpoints = ("GET /_local/event-sources", "POST /_local/event-sources/<LogicalId>")

    def __init__(self, pollers: Mapping[str, SqsPoller]) -> None:
        self._pollers = pollers

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if subpath in {"", "/"}:
            if request.method != "GET":
                return _method_not_allowed("GET")
            return json_response(200, {lid: poller.describe() for lid, poller in self._pollers.items()})
        logical_id = subpath.strip("/")
        poller = self._pollers.get(logical_id)
        if poller is None:
            return json_response(404, {"message": f"no event source {logical_id}"})
        if request.method == "POST":
            return self._update(poller, request)
        if request.method != "GET":
            return _method_not_allowed("GET, POST")
        return json_response(200, poller.describe())

    @staticmethod
    def _update(poller: SqsPoller, request: HttpRequest) -> HttpResponse:
        body = _json_object(request)
        if body is None or not isinstance(body.get("enabled"), bool):
            return json_response(400, {"message": 'send {"enabled": true} or {"enabled": false}'})
        poller.set_enabled(body["enabled"])
        return json_response(200, poller.describe())
