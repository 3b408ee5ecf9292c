"""/ngon-ngu/<code>: the reader picks the interface language (Vietnamese by default)."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for

from ..i18n import LANGUAGE_COOKIE
from ..urls import safe_next
from . import bp


@bp.get("/ngon-ngu/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next"), url_for("public.home")), code=303)
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response
