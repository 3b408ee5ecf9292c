"""Bulk import of articles in the portal's JSON format (one object or a list)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from slugify import slugify
from sqlalchemy import select

from ..extensions import db
from ..models import Article
from .publishing import (
    ArticleError,
    ArticleInput,
    get_or_create_category,
    get_or_create_unit,
    save_article,
)

REQUIRED = ("title", "body_html")


def _published_at(value: str | None) -> datetime | None:
    """'2021-01-19' (a local date) or an ISO datetime → aware datetime; 08:00 local by default."""
    if not value:
        return None
    tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    parsed = datetime.fromisoformat(value)
    if len(value) <= 10:
        parsed = datetime.combine(parsed.date(), time(8, 0))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def import_article(item: dict[str, Any]) -> Article:
    """Create or update (matched by slug) one article and publish it."""
    missing = [k for k in REQUIRED if not str(item.get(k, "")).strip()]
    if missing:
        raise ArticleError({k: "thiếu trường bắt buộc" for k in missing})
    slug = item.get("slug") or slugify(item["title"], max_length=200, word_boundary=True)
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    category = get_or_create_category(item["category"]) if item.get("category") else None
    unit = get_or_create_unit(item["unit"]) if item.get("unit") else None
    if article is None:
        article = Article(slug=slug, view_count=int(item.get("view_count") or 0))
        db.session.add(article)
    data = ArticleInput(
        title=item["title"], lede=item.get("lede", ""), body_html=item["body_html"],
        author_name=item.get("author", ""), cover_caption=item.get("cover_caption", ""),
        category_id=category.id if category else None, unit_id=unit.id if unit else None,
    )
    return save_article(article, data, user=None, publish=True,
                        published_at=_published_at(item.get("published")))


def import_articles(payload: dict[str, Any] | list[dict[str, Any]]) -> list[Article]:
    items = payload if isinstance(payload, list) else [payload]
    return [import_article(item) for item in items]
