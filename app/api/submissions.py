"""POST /api/v1/articles: a unit's own system sends an article for review, with its API token
(`Authorization: Bearer dnx_…`, made by an admin on the units page)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from ..http_security import body_limit
from ..services import accounts
from ..services.api_submissions import parse_payload, submit_from_api
from ..urls import absolute_url
from . import bp


def _error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


@bp.post("/articles")
@body_limit("API_MAX_BODY_BYTES", slack=0)
def submit_article():
    """JSON {title, body_html, lede?, author_name?, category?} → 201 {id, status, title, unit}:
    the token's unit's draft, submitted for the editors' review (never published here)."""
    token = accounts.token_from_header(request.headers.get("Authorization", ""))
    if token is None:
        response = _error(401, _("Thiếu mã API, hoặc mã không hợp lệ hay đã bị thu hồi."))
        response[0].headers["WWW-Authenticate"] = 'Bearer realm="docnghexem"'
        return response
    limit = int(current_app.config["API_MAX_BODY_BYTES"])
    if (request.content_length or 0) > limit:
        return _error(413, _("Bài gửi quá lớn (tối đa %(n)d KB).", n=limit // 1024))
    request.max_content_length = limit  # also bounds a body sent without a length
    if not request.is_json:
        return _error(400, _("Nội dung phải là JSON (Content-Type: application/json)."))
    payload = request.get_json(silent=True)
    if payload is None:
        return _error(400, _("Nội dung JSON không đọc được."))
    data, warnings = parse_payload(payload)  # bad fields: 422, app/http_errors.py
    article = submit_from_api(token, data)
    body = {"id": article.id, "status": article.status.value, "title": article.title,
            "unit": token.unit.name}
    if warnings:
        body["warnings"] = warnings
    response = jsonify(body)
    response.status_code = 201
    # The article is not public yet: its place is the newsroom's edit page.
    response.headers["Location"] = absolute_url("editor.edit", article_id=article.id)
    return response
