"""News feeds and the files crawlers read: /rss.xml, /rss/<section>.xml, /sitemap.xml,
/robots.txt."""

from __future__ import annotations

from flask import Response, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import defer, lazyload

from ..extensions import db
from ..http_page_cache import cached_page
from ..models import Article, ArticleStatus, Category
from ..services import site
from ..urls import absolute_url
from . import bp
from .podcast import feed_html, rfc2822, xml_text

FEED_ITEMS = 50
SITEMAP_LIMIT = 50_000  # the sitemap protocol's limit for one file


def _published():
    """Published articles, newest first, as a feed item needs them: no body, no media."""
    return (select(Article)
            .options(defer(Article.body_html), defer(Article.search_text),
                     defer(Article.search_exact), lazyload(Article.media))
            .where(Article.status == ArticleStatus.published)
            .order_by(Article.published_at.desc(), Article.id.desc()))


def _feed(category: Category | None) -> Response:
    query = _published().limit(FEED_ITEMS)
    if category is not None:
        query = query.where(Article.category_id == category.id)
    articles = db.session.scalars(query).all()
    identity = site.current()
    xml = render_template("feeds/rss.xml", articles=articles, category=category,
                          xml_text=xml_text, feed_html=feed_html, rfc2822=rfc2822,
                          site=identity, absolute_emblem=identity.emblem_absolute_url)
    return Response(xml, content_type="application/rss+xml; charset=utf-8")


@bp.get("/rss.xml")
@cached_page("feeds", variant=lambda: {})
def rss():
    """The latest news, all sections."""
    return _feed(None)


@bp.get("/rss/<slug>.xml")
@cached_page("feeds", variant=lambda: {})
def section_rss(slug: str):
    """The latest news of one section."""
    category = db.session.scalar(select(Category).where(Category.slug == slug)) or abort(404)
    return _feed(category)


@bp.get("/sitemap.xml")
@cached_page("sitemap", variant=lambda: {})
def sitemap():
    """Every published article and every section, for search engines."""
    rows = db.session.execute(
        select(Article.slug, Article.updated_at).where(Article.status == ArticleStatus.published)
        .order_by(Article.published_at.desc()).limit(SITEMAP_LIMIT)).all()
    sections = db.session.scalars(select(Category.slug)).all()
    xml = render_template("feeds/sitemap.xml", rows=rows, sections=sections)
    return Response(xml, content_type="application/xml; charset=utf-8")


@bp.get("/robots.txt")
def robots():
    """Crawlers may read everything public; the newsroom and the API stay out."""
    body = "\n".join(["User-agent: *", "Disallow: /bien-tap/", "Disallow: /api/",
                      f"Sitemap: {absolute_url('public.sitemap')}", ""])
    return Response(body, content_type="text/plain; charset=utf-8")
