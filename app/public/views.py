"""Pages readers see."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request, send_from_directory
from sqlalchemy import select, union_all
from sqlalchemy.orm import defer, lazyload, load_only

from ..extensions import db
from ..http_page_cache import cache_tags, cache_until, cached_page, remember
from ..models import Article, ArticleStatus, Category, InfoPage, MediaAsset, MediaKind, MediaStatus
from ..services import home as home_layout
from ..services import site, views_counter
from ..services.sections import menu_sections
from ..services.serializers import article_summary
from . import bp

# Lists of cards (article_summary): everything but the long texts a card never shows.
# The media stay (selectin: one query for the whole list), as do section and unit (joined).
CARD_OPTIONS = (defer(Article.body_html), defer(Article.search_text),
                defer(Article.search_exact), defer(Article.search_title),
                defer(Article.search_lede))
# Lists of links (strips, most read, section blocks, related): title, address and date only,
# and no media query. Anything else a template reads would load per article: the query
# count test (tests/app/test_query_counts.py) catches that.
LINK_OPTIONS = (load_only(Article.id, Article.slug, Article.title, Article.published_at,
                          Article.category_id),
                lazyload(Article.media), lazyload(Article.category), lazyload(Article.unit))


def _page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("trang", 1)), 10_000))
    except ValueError:
        return 1


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says."""
    return send_from_directory(current_app.static_folder or "", "img/favicon.ico",
                               max_age=30 * 24 * 3600)


@bp.get("/")
@cached_page("home")
def home():
    """The story editors pinned on top (else the newest), the featured ones, then the rest
    newest first; on the first page also the strips and a block per section."""
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    pins = home_layout.arrangement()
    if pins.next_expiry is not None:
        cache_until(pins.next_expiry)  # a pin running out changes the page
    query = (select(Article).options(*CARD_OPTIONS)
             .where(Article.status == ArticleStatus.published)
             .order_by(Article.published_at.desc(), Article.id.desc()))
    if pins.pinned_ids:  # shown above the list, on the first page: left out of every page
        query = query.where(Article.id.not_in(pins.pinned_ids))
    page = db.paginate(query, page=_page_arg(), per_page=per_page, error_out=False)
    rest = list(page.items)
    lead, featured = None, []
    if page.page == 1:
        lead = pins.top or (rest.pop(0) if rest else None)
        featured = list(pins.featured)
        if featured and len(featured) < home_layout.FEATURED_MIN:  # one pinned: add the newest
            missing = home_layout.FEATURED_MIN - len(featured)
            featured, rest = featured + rest[:missing], rest[missing:]
    items = [(a, article_summary(a)) for a in rest]
    top = [(a, article_summary(a)) for a in ([lead] if lead else []) + featured]
    blocks = home_blocks(pins) if page.page == 1 else {}
    return render_template("public/home.html", items=items, top=top, page=page, **blocks)


def _with_ready(kinds: tuple[MediaKind, ...], limit: int) -> list[Article]:
    """The newest published articles with a finished listen or watch form."""
    ready = (select(MediaAsset.article_id).where(MediaAsset.kind.in_(kinds),
                                                 MediaAsset.status == MediaStatus.ready))
    return list(db.session.scalars(
        select(Article).options(*LINK_OPTIONS)
        .where(Article.status == ArticleStatus.published, Article.id.in_(ready))
        .order_by(Article.published_at.desc()).limit(limit)))


def _newest_per_section(section_ids: list[int], per_section: int) -> list[Article]:
    """The newest published articles of each section, in one statement: a UNION ALL of one
    LIMIT query per section, each a short index scan. (A window function over every
    published article would sort the whole table on each home page render.)"""
    if not section_ids:
        return []
    newest = [select(Article.id)
              .where(Article.status == ArticleStatus.published, Article.category_id == section)
              .order_by(Article.published_at.desc(), Article.id.desc()).limit(per_section)
              .subquery()  # SQLite allows LIMIT in a UNION's part only inside a sub-select
              for section in section_ids]
    ids = union_all(*(select(part.c.id) for part in newest)).subquery()
    return list(db.session.scalars(
        select(Article).options(*LINK_OPTIONS).join(ids, ids.c.id == Article.id)
        .order_by(Article.published_at.desc(), Article.id.desc())))


def home_blocks(pins: home_layout.Arrangement, per_section: int = 4,
                strip: int = 6) -> dict[str, Any]:
    """The portal's home: Nghe and Xem strips, most read, and a block per section.

    A fixed number of queries whatever the number of sections: the sections come from the
    menu's query (in the order admins give them), their newest articles from one statement;
    the stories editors pinned in a block come first (`pins`, already loaded).
    """
    menu = menu_sections()  # visible sections, in menu order
    newest: dict[int, list[Article]] = {}
    for article in _newest_per_section([c.id for c in menu], per_section):
        newest.setdefault(article.category_id or 0, []).append(article)
    sections = {c.id: home_layout.merge_block(pins.sections.get(c.id, []),
                                              newest.get(c.id, []), per_section)
                for c in menu}
    return {
        "listen": _with_ready((MediaKind.audio,), strip),
        "watch": _with_ready((MediaKind.video, MediaKind.briefing), strip),
        "most_read": list(db.session.scalars(
            select(Article).options(*LINK_OPTIONS).where(Article.status == ArticleStatus.published)
            .order_by(Article.view_count.desc(), Article.published_at.desc()).limit(5))),
        "section_blocks": [(c, sections[c.id]) for c in menu if sections[c.id]],
    }


@bp.get("/trang/<slug>")
@cached_page()
def info_page(slug: str):
    """A page the admins run (editorial board, regulations, contact…)."""
    page = db.session.scalar(select(InfoPage).where(InfoPage.slug == slug,
                                                    InfoPage.published.is_(True))) or abort(404)
    return render_template("public/info_page.html", page=page)


@bp.get("/chuyen-muc/<slug>/")
@cached_page()
def section(slug: str):
    """One section's articles, newest first, paginated."""
    category = db.session.scalar(select(Category).where(Category.slug == slug)) or abort(404)
    cache_tags(f"section:{category.id}")
    query = (select(Article).options(*CARD_OPTIONS)
             .where(Article.status == ArticleStatus.published,
                    Article.category_id == category.id)
             .order_by(Article.published_at.desc(), Article.id.desc()))
    page = db.paginate(query, page=_page_arg(), per_page=current_app.config["ARTICLES_PER_PAGE"],
                       error_out=False)
    items = [(a, article_summary(a)) for a in page.items]
    return render_template("public/section.html", category=category, items=items, page=page)


def _count_cached_view(entry: dict[str, Any]) -> None:
    """A reader served from the page cache still counts as a view."""
    if entry.get("article_id"):
        views_counter.record_view(int(entry["article_id"]), request.headers.get("User-Agent"))


@bp.get("/bai-viet/<slug>")
@cached_page(variant=lambda: {}, on_hit=_count_cached_view)
def article(slug: str):
    """One article with its three forms: read, listen, watch."""
    item = db.session.scalar(select(Article).where(Article.slug == slug,
                                                   Article.status == ArticleStatus.published))
    if item is None:  # a draft, under review, scheduled or withdrawn: staff use the preview
        abort(404)
    cache_tags(f"article:{item.id}", f"section:{item.category_id}")  # related articles
    remember(article_id=item.id)
    views_counter.record_view(item.id, request.headers.get("User-Agent"))
    views = item.view_count + views_counter.pending_views(item.id)
    return render_template("public/article.html", **article_page_context(item, views))


def article_page_context(item: Article, views: int) -> dict[str, Any]:
    """What templates/public/article.html shows (also the newsroom's preview of a draft)."""
    data = article_summary(item)
    return {"article": item, "data": data, "preview": not item.is_published, "views": views,
            "related": related_articles(item), "json_ld": news_article_ld(item, data)}


def related_articles(article: Article, limit: int = 5) -> list[Article]:
    """The newest other articles of the same section."""
    if article.category_id is None:
        return []
    return list(db.session.scalars(
        select(Article).options(*LINK_OPTIONS)
        .where(Article.status == ArticleStatus.published,
               Article.category_id == article.category_id,
                              Article.id != article.id)
        .order_by(Article.published_at.desc()).limit(limit)))


def _iso_duration(seconds: float | None) -> str | None:
    return f"PT{int(round(seconds))}S" if seconds else None


def news_article_ld(article: Article, data: dict[str, Any]) -> dict[str, Any]:
    """schema.org NewsArticle, with the narration and the video, for search engines."""
    modified = article.edited_at or article.published_at  # an edit of what readers read
    identity = site.current()
    ld: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article.title[:110], "description": article.lede,
        "mainEntityOfPage": data["text"]["url"], "inLanguage": "vi",
        "datePublished": data["published_at"],
        "dateModified": modified.isoformat() if modified else None,
        "author": {"@type": "Person", "name": article.author_name} if article.author_name
        else {"@type": "Organization", "name": identity.name},
        "publisher": {"@type": "Organization", "name": identity.name,
                      "logo": {"@type": "ImageObject", "url": identity.emblem_absolute_url}},
    }
    if article.category:
        ld["articleSection"] = article.category.name
    if data["cover"]:
        ld["image"] = [data["cover"]]
    if data["audio"]["url"]:
        ld["audio"] = {"@type": "AudioObject", "contentUrl": data["audio"]["url"],
                       "encodingFormat": "audio/mpeg",
                       "duration": _iso_duration(data["audio"]["duration"])}
    if data["video"]["mp4"]:
        ld["video"] = {"@type": "VideoObject", "name": article.title,
                       "description": article.lede or article.title,
                       "contentUrl": data["video"]["mp4"],
                       "thumbnailUrl": data["video"]["poster"] or data["cover"],
                       "uploadDate": data["published_at"],
                       "duration": _iso_duration(data["video"]["duration"])}
    return ld
