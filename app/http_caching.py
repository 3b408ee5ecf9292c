"""HTTP caching and compression: what browsers and proxies may keep, and for how long.

- Static files are addressed by content (`?v=<hash>` added to every `url_for('static', …)`),
  so they can be cached for a year; their gzip form is made once per process.
- Public pages for anonymous readers: `Cache-Control: public, max-age=PAGE_MAX_AGE`, an ETag
  and 304s. Anything for staff (or a reader holding a flash message): `private, no-store`.
- Other text responses are compressed by Flask-Compress (brotli or gzip).
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from flask import Flask, request
from werkzeug.wrappers import Response

YEAR = 365 * 24 * 3600
TEXT_TYPES = {"text/css", "application/javascript", "text/javascript", "image/svg+xml",
              "application/json", "text/plain", "text/vtt"}


def install(app: Flask) -> None:
    static_dir = Path(app.static_folder or "")
    fingerprints: dict[str, str] = {}
    gzipped: dict[tuple[str, str], bytes] = {}

    def fingerprint(filename: str) -> str:
        if filename not in fingerprints or app.debug:
            try:
                data = (static_dir / filename).read_bytes()
            except OSError:
                return ""
            fingerprints[filename] = hashlib.sha256(data).hexdigest()[:12]
        return fingerprints[filename]

    @app.url_defaults
    def static_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = fingerprint(values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def caching_headers(response: Response) -> Response:
        if request.endpoint == "static":
            return _static(response, gzipped)
        if request.method not in ("GET", "HEAD") or response.mimetype != "text/html":
            return response
        anonymous = app.config["SESSION_COOKIE_NAME"] not in request.cookies \
            and "Set-Cookie" not in response.headers
        if request.blueprint == "public" and anonymous and response.status_code == 200:
            response.headers["Cache-Control"] = (
                f"public, max-age={app.config['PAGE_MAX_AGE']}, stale-while-revalidate=60")
            response.vary.add("Cookie")
            if response.headers.get("Content-Encoding") == "gzip":  # a page-cache hit
                etag, _ = response.get_etag()
                response.set_etag(f"{etag}:gzip")
                return response.make_conditional(request)
            if response.get_etag()[0] is None and not response.direct_passthrough:
                response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:20])
            return response  # Flask-Compress answers If-None-Match after compressing
        response.headers["Cache-Control"] = "private, no-store"
        return response


def _static(response: Response, gzipped: dict[tuple[str, str], bytes]) -> Response:
    if response.status_code != 200:
        return response
    if request.args.get("v"):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    if response.mimetype not in TEXT_TYPES \
            or "gzip" not in request.headers.get("Accept-Encoding", ""):
        return response
    key = (request.path, response.get_etag()[0] or "")
    if key not in gzipped:
        response.direct_passthrough = False
        gzipped[key] = gzip.compress(response.get_data(), 9)
    response.direct_passthrough = False
    if hasattr(response.response, "close"):
        response.response.close()  # the file send_file opened, not read on a repeat
    response.set_data(gzipped[key])
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag = key[1]
    if etag:
        response.set_etag(f"{etag}:gzip")
    return response.make_conditional(request)
