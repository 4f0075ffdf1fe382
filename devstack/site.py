"""The static site: ``web/`` at ``/`` (the contact form), or a placeholder page listing the routes.

A page's ``<input ... value="" data-local-captcha-token>`` gets a fresh ``pass:`` token on every load, so the
form works without JavaScript here (reCAPTCHA v3 cannot run without it; devstack only).
"""

from __future__ import annotations

import html
import mimetypes
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from devstack.http import HttpRequest, HttpResponse, text_response


class StaticSite:
    def __init__(self, root: Path, placeholder: Callable[[], str]) -> None:
        self._root = root.resolve()
        self._placeholder = placeholder

    def handle(self, request: HttpRequest) -> HttpResponse | None:
        """A file under web/ for GET and HEAD; None when there is none (API Gateway's 403 follows)."""
        if request.method not in {"GET", "HEAD"}:
            return None
        relative = unquote(request.path).lstrip("/")
        if relative in {"", "index.html"} and not (self._root / "index.html").is_file():
            return text_response(200, self._placeholder(), "text/html; charset=utf-8")
        candidate = (self._root / relative).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_relative_to(self._root) or not candidate.is_file():
            return None
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in {"application/javascript", "application/json"}:
            content_type += "; charset=utf-8"
        headers = (("Content-Type", content_type), ("Cache-Control", "no-store"))
        body = candidate.read_bytes()
        if candidate.suffix == ".html":
            body = with_local_captcha_token(body)
        return HttpResponse(200, headers, body)


LOCAL_TOKEN_SLOT = b'value="" data-local-captcha-token'


def with_local_captcha_token(page: bytes) -> bytes:
    """The page with a single-use ``pass:`` token (the siteverify emulator's) in its local captcha slot."""
    token = f'value="pass:nojs-{secrets.token_hex(8)}" data-local-captcha-token'.encode()
    return page.replace(LOCAL_TOKEN_SLOT, token)


def placeholder_page(api_routes: Iterable[str], local_endpoints: Iterable[str]) -> str:
    """A small page until web/index.html exists: what this devstack serves."""

    def items(lines: Iterable[str]) -> str:
        return "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)

    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Contact Intake devstack</title>"
        "<h1>Contact Intake devstack</h1><p>The contact form is not here yet (web/index.html).</p>"
        f"<h2>API routes</h2><ul>{items(api_routes)}</ul>"
        f"<h2>Local endpoints</h2><ul>{items(local_endpoints)}</ul></html>"
    )
