"""/ngon-ngu/<code>: the reader picks the interface language (Vietnamese by default)."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for

from .. import LANGUAGE_COOKIE
from . import bp


def _safe_next(target: str) -> str:
    """Only a path on this site: never an open redirect to somewhere else. Control characters
    are refused too: browsers drop a tab or newline, so "/<tab>/evil.example" means //evil.example
    (and a newline cannot go in a header at all)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return target
    return url_for("public.home")


@bp.get("/ngon-ngu/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(_safe_next(request.args.get("next", "")), code=303)
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response
