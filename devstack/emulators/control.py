"""``/_local/resources.json`` and ``/_local/``: what devstack created and how it runs each function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from devstack.emulators import PointsNoFunction, no_local_endpoint
from devstack.http import HttpRequest, HttpResponse, json_response, text_response

PREFIX: Final = "/_local"


class ControlEndpoints(PointsNoFunction):
    prefix = PREFIX
    endpoints = ("GET /_local/resources.json",)

    def __init__(self, describe_stack: Callable[[], Mapping[str, Any]], index: Callable[[], str]) -> None:
        self._describe_stack = describe_stack
        self._index = index

    def handle(self, request: HttpRequest, subpath: str) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return json_response(405, {"message": "use GET"}, headers=[("Allow", "GET")])
        if subpath == "/resources.json":
            return json_response(200, self._describe_stack())
        if subpath in {"", "/"}:
            return text_response(200, self._index(), "text/html; charset=utf-8")
        return no_local_endpoint(request)
