"""Browser defences on every response, and a body-size limit on every route.

- Headers: a Content-Security-Policy with no inline script (scripts come from /static only),
  `nosniff`, a Referrer-Policy, no framing of the newsroom (and only same-site framing of
  public pages), and HSTS when HSTS_SECONDS is set (production). The page-cache middleware
  sends the same headers (`security_headers`), so a cached page is no weaker than a fresh one.
- Body limits: a route reads at most its own limit (`@body_limit`), or FORM_MAX_BYTES if it
  names none, before anything (CSRF included) parses the body: a comment is kilobytes, not
  the video limit; the newsroom's upload limits hold only for a logged-in session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.wrappers import Response

View = TypeVar("View", bound=Callable[..., Any])
LIMIT_ATTRIBUTE = "_body_limit"
TOO_BIG_ATTRIBUTE = "_too_big"
JSON_ERRORS_ATTRIBUTE = "json_errors"  # set by the JSON endpoints' decorator
KB = 1024


def body_limit(setting: str | int, slack: int = 64 * KB,
               too_big: Callable[[], str] | None = None) -> Callable[[View], View]:
    """This route reads at most `setting` bytes (a config key, or a number) plus `slack`
    (the form's other fields and multipart framing); `too_big` words its 413."""

    def decorate(view: View) -> View:
        setattr(view, LIMIT_ATTRIBUTE, (setting, slack))
        if too_big is not None:
            setattr(view, TOO_BIG_ATTRIBUTE, too_big)
        return view

    return decorate


def too_big_message(app: Flask, endpoint: str | None) -> str | None:
    """The route's own words for a body over its limit, if it has some."""
    words = getattr(app.view_functions.get(endpoint or ""), TOO_BIG_ATTRIBUTE, None)
    return str(words()) if words is not None else None


def answers_json(app: Flask, endpoint: str | None) -> bool:
    """Whether the route's callers (scripts, the editor's JavaScript) read JSON errors."""
    return bool(getattr(app.view_functions.get(endpoint or ""), JSON_ERRORS_ATTRIBUTE, False))


def route_body_limit(app: Flask, endpoint: str | None) -> int:
    """The most bytes a request to `endpoint` may send."""
    view = app.view_functions.get(endpoint or "")
    setting, slack = getattr(view, LIMIT_ATTRIBUTE, (None, 0))
    if setting is None:
        return int(app.config["MAX_CONTENT_LENGTH"])
    base = setting if isinstance(setting, int) else int(app.config[setting])
    return base + slack


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@lru_cache(maxsize=8)
def content_security_policy(media_origins: tuple[str, ...], framing: str) -> str:
    media = " ".join(media_origins)
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: blob: {media}",
        f"media-src 'self' blob: {media}",
        f"connect-src 'self' {media}",  # hls.js segments, read-along timings, Uppy's parts
        "font-src 'self'",
        "worker-src 'self' blob:",  # hls.js
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {framing}",
    ])


def media_origins(cfg: Mapping[str, Any]) -> tuple[str, ...]:
    """Where readers' browsers fetch media: the public URL and the store (presigned URLs)."""
    origins = {_origin(str(cfg.get("S3_PUBLIC_URL") or "")), _origin(str(cfg["S3_ENDPOINT_URL"]))}
    return tuple(sorted(o for o in origins if o))


def security_headers(cfg: Mapping[str, Any], path: str) -> list[tuple[str, str]]:
    """The headers every response to `path` carries."""
    newsroom = path.startswith(("/bien-tap", "/api/"))
    framing = "'none'" if newsroom else "'self'"
    headers = [
        ("Content-Security-Policy", content_security_policy(media_origins(cfg), framing)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY" if newsroom else "SAMEORIGIN"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ]
    if int(cfg.get("HSTS_SECONDS") or 0) > 0:
        headers.append(("Strict-Transport-Security",
                        f"max-age={int(cfg['HSTS_SECONDS'])}; includeSubDomains"))
    return headers


def install(app: Flask) -> None:
    """Before CSRFProtect (which parses the body), so that the route's limit applies."""

    def limit_body() -> None:
        limit = route_body_limit(current_app, request.endpoint)
        default = int(current_app.config["MAX_CONTENT_LENGTH"])
        if limit > default and request.blueprint == "editor" \
                and not current_user.is_authenticated:
            limit = default  # a stranger's upload is refused before a byte of it is kept
        request.max_content_length = limit

    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in security_headers(app.config, request.path):
            response.headers.setdefault(name, value)
        return response
