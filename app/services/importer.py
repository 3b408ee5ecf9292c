"""Bulk import of articles in the portal's JSON format (one object or a list): each one goes
through the workflow like an editor's article (a revision, an audit entry, the version)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Article
from . import workflow
from .accounts import unit_named
from .errors import BadInput
from .localtime import display_tz
from .publishing import ArticleInput
from .sections import category_named
from .slugs import slug_of

REQUIRED = ("title", "body_html")
ACTOR = "import"  # who the audit log names for these articles


def _published_at(value: str | None) -> datetime | None:
    """'2021-01-19' (a local date) or an ISO datetime → aware datetime; 08:00 local by default."""
    if not value:
        return None
    tz = display_tz()
    parsed = datetime.fromisoformat(value)
    if len(value) <= 10:
        parsed = datetime.combine(parsed.date(), time(8, 0))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def import_article(item: dict[str, Any], actor: str = ACTOR) -> Article:
    """Create or update (matched by slug) one article and publish it, keeping its own
    publication date and view count when it brings them."""
    missing = [k for k in REQUIRED if not str(item.get(k, "")).strip()]
    if missing:
        raise BadInput(errors={k: "thiếu trường bắt buộc" for k in missing})
    slug = item.get("slug") or slug_of(item["title"], "bai-viet")
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    category = category_named(item["category"]) if item.get("category") else None
    unit = unit_named(item["unit"], actor=actor) if item.get("unit") else None
    data = ArticleInput(
        title=item["title"], lede=item.get("lede", ""), body_html=item["body_html"],
        author_name=item.get("author", ""), cover_caption=item.get("cover_caption", ""),
        category_id=category.id if category else None, unit_id=unit.id if unit else None,
    )
    published_at = _published_at(item.get("published"))
    if article is None:
        article = Article(slug=slug, view_count=int(item.get("view_count") or 0))
    if article.is_published:
        return workflow.save(article, data, None, actor=actor)
    return workflow.save(article, data, None, actor=actor, then="publish",
                         published_at=published_at)


def import_articles(payload: dict[str, Any] | list[dict[str, Any]],
                    actor: str = ACTOR) -> list[Article]:
    items = payload if isinstance(payload, list) else [payload]
    return [import_article(item, actor) for item in items]
