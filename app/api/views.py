"""Read-only JSON API: published articles with their read, listen and watch forms."""

from __future__ import annotations

from flask import abort, jsonify, request
from sqlalchemy import select

from ..extensions import db
from ..models import Article, ArticleStatus
from ..services.serializers import article_detail, article_summary
from . import bp

MAX_PER_PAGE = 100


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, default)
    try:
        return max(low, min(int(raw), high))
    except (TypeError, ValueError):
        abort(400)


@bp.get("/articles")
def articles():
    """Published articles, newest first, paginated (?page=, ?per_page=)."""
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    query = (select(Article).where(Article.status == ArticleStatus.published)
             .order_by(Article.published_at.desc(), Article.id.desc()))
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return jsonify({"articles": [article_summary(a) for a in result.items], "page": page,
                    "per_page": per_page, "total": result.total})


@bp.get("/articles/<int:article_id>")
def article(article_id: int):
    """One published article."""
    item = db.session.get(Article, article_id)
    if item is None or not item.is_published:
        abort(404)
    return jsonify(article_detail(item))
