"""The static site, the /_local/ registry and the request helpers (no sockets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devstack.emulators import EmulatorRegistry, is_local_path
from devstack.emulators.captcha import SiteverifyEmulator
from devstack.emulators.control import ControlEndpoints
from devstack.http import HttpRequest
from devstack.site import StaticSite, placeholder_page


def get(path: str, method: str = "GET") -> HttpRequest:
    return HttpRequest(method=method, path=path)


@pytest.fixture
def web(tmp_path: Path) -> Path:
    root = tmp_path / "web"
    (root / "css").mkdir(parents=True)
    (root / "index.html").write_text("<h1>form</h1>", encoding="utf-8")
    (root / "css" / "form.css").write_text("h1 {}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not served", encoding="utf-8")
    return root


def test_the_form_is_served_at_the_root_and_files_below_it(web: Path) -> None:
    site = StaticSite(web, placeholder=lambda: "placeholder")

    index = site.handle(get("/"))
    css = site.handle(get("/css/form.css"))

    assert index is not None
    assert index.body == b"<h1>form</h1>"
    assert index.header("Content-Type") == "text/html; charset=utf-8"
    assert css is not None
    assert css.header("Content-Type") == "text/css; charset=utf-8"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/missing.html", "/css/"])
def test_nothing_outside_web_or_missing_is_served(web: Path, path: str) -> None:
    assert StaticSite(web, placeholder=lambda: "placeholder").handle(get(path)) is None


def test_only_get_and_head_are_served(web: Path) -> None:
    site = StaticSite(web, placeholder=lambda: "placeholder")

    assert site.handle(get("/", "HEAD")) is not None
    assert site.handle(get("/", "POST")) is None


def test_a_placeholder_stands_in_until_the_form_exists(tmp_path: Path) -> None:
    site = StaticSite(
        tmp_path, placeholder=lambda: placeholder_page(["POST /inquiries -> IntakeFunction"], [])
    )

    page = site.handle(get("/"))

    assert page is not None
    assert b"POST /inquiries -&gt; IntakeFunction" in page.body


def test_local_paths_go_to_the_emulator_with_the_longest_prefix() -> None:
    registry = EmulatorRegistry(
        [SiteverifyEmulator("s"), ControlEndpoints(lambda: {"resources": {}}, index=lambda: "<p>index</p>")]
    )

    resources = registry.handle(get("/_local/resources.json"))
    index = registry.handle(get("/_local/"))
    captcha = registry.handle(get("/_local/captcha/siteverify"))

    assert json.loads(resources.body) == {"resources": {}}
    assert index.body == b"<p>index</p>"
    assert captcha.status == 405  # the captcha emulator answered, not the control endpoints
    assert registry.handle(get("/_local/nothing")).status == 404
    assert registry.endpoints == ["GET /_local/resources.json", "POST /_local/captcha/siteverify"]
    assert registry.environment("http://h") == {"CAPTCHA_VERIFY_URL": "http://h/_local/captcha/siteverify"}


@pytest.mark.parametrize(
    ("path", "local"), [("/_local", True), ("/_local/x", True), ("/_localx", False), ("/", False)]
)
def test_what_counts_as_local(path: str, local: bool) -> None:
    assert is_local_path(path) is local


def test_request_helpers_read_headers_case_insensitively_and_form_fields() -> None:
    request = HttpRequest(
        "POST",
        "/x",
        query="a=1&b=2",
        headers=(
            ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("X-A", "1"),
            ("x-a", "2"),
        ),
        body=b"b=3&c=",
    )

    assert request.header("X-a") == "2"
    assert request.header("missing") is None
    assert request.form() == {"a": "1", "b": "3", "c": ""}


def test_a_page_gets_a_fresh_local_captcha_token_on_every_load(web: Path) -> None:
    (web / "index.html").write_text(
        '<input type="hidden" name="g-recaptcha-response" value="" data-local-captcha-token>',
        encoding="utf-8",
    )
    site = StaticSite(web, placeholder=lambda: "placeholder")

    first, second = site.handle(get("/")), site.handle(get("/"))

    assert first is not None
    assert second is not None
    assert b'value="pass:nojs-' in first.body
    assert first.body != second.body  # each token passes once
    assert b'value=""' not in first.body
