"""Pages readers see."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request, send_from_directory
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import Article, ArticleStatus, Category, InfoPage, MediaAsset, MediaKind, MediaStatus
from ..services import views_counter
from ..services.page_cache import cache_tags, cached_page, remember
from ..services.serializers import article_summary
from . import bp


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
    """Published articles, newest first."""
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    query = (select(Article).where(Article.status == ArticleStatus.published)
             .order_by(Article.published_at.desc(), Article.id.desc()))
    page = db.paginate(query, page=_page_arg(), per_page=per_page, error_out=False)
    items = [(a, article_summary(a)) for a in page.items]
    blocks = home_blocks() if page.page == 1 else {}
    return render_template("public/home.html", items=items, page=page, **blocks)


def _with_ready(kinds: tuple[MediaKind, ...], limit: int) -> list[Article]:
    """The newest published articles with a finished listen or watch form."""
    ready = (select(MediaAsset.article_id).where(MediaAsset.kind.in_(kinds),
                                                 MediaAsset.status == MediaStatus.ready))
    return list(db.session.scalars(
        select(Article).where(Article.status == ArticleStatus.published, Article.id.in_(ready))
        .order_by(Article.published_at.desc()).limit(limit)))


def home_blocks(per_section: int = 4, strip: int = 6) -> dict[str, Any]:
    """The portal's home: Nghe and Xem strips, most read, and a block per section.

    A fixed number of queries whatever the number of sections: one window query ranks
    every section's articles at once.
    """
    rank = func.row_number().over(partition_by=Article.category_id,
                                  order_by=(Article.published_at.desc(), Article.id.desc()))
    ranked = (select(Article.id, rank.label("rank"))
              .where(Article.status == ArticleStatus.published,
                     Article.category_id.is_not(None)).subquery())
    per_category = db.session.scalars(
        select(Article).join(ranked, ranked.c.id == Article.id)
        .where(ranked.c.rank <= per_section)
        .order_by(Article.published_at.desc())).all()
    sections: dict[int, list[Article]] = {}
    for article in per_category:
        sections.setdefault(article.category_id or 0, []).append(article)
    categories = db.session.scalars(select(Category).where(Category.id.in_(sections),
                                                           Category.hidden.is_(False))
                                    .order_by(Category.position, Category.name)).all()
    return {
        "listen": _with_ready((MediaKind.audio,), strip),
        "watch": _with_ready((MediaKind.video, MediaKind.briefing), strip),
        "most_read": list(db.session.scalars(
            select(Article).where(Article.status == ArticleStatus.published)
            .order_by(Article.view_count.desc(), Article.published_at.desc()).limit(5))),
        "section_blocks": [(c, sections[c.id]) for c in categories],
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
    query = (select(Article).where(Article.status == ArticleStatus.published,
                                   Article.category_id == category.id)
             .order_by(Article.published_at.desc(), Article.id.desc()))
    page = db.paginate(query, page=_page_arg(), per_page=current_app.config["ARTICLES_PER_PAGE"],
                       error_out=False)
    items = [(a, article_summary(a)) for a in page.items]
    return render_template("public/section.html", category=category, items=items, page=page)


def _count_cached_view(entry: dict[str, Any]) -> None:
    """A reader served from the page cache still counts as a view."""
    if entry.get("article_id"):
        views_counter.record_view(entry["article_id"], request.headers.get("User-Agent"))


@bp.get("/bai-viet/<slug>")
@cached_page(variant=lambda: {}, on_hit=_count_cached_view)
def article(slug: str):
    """One article with its three forms: read, listen, watch."""
    item = db.session.scalar(select(Article).where(Article.slug == slug))
    staff = current_user.is_authenticated
    if item is None or (not item.is_published and not staff):
        abort(404)
    views = item.view_count
    if item.is_published:
        cache_tags(f"article:{item.id}", f"section:{item.category_id}")  # related articles
        remember(article_id=item.id)
        views_counter.record_view(item.id, request.headers.get("User-Agent"))
        views += views_counter.pending_views(item.id)
    data = article_summary(item)
    return render_template("public/article.html", article=item, data=data,
                           preview=not item.is_published, views=views,
                           related=related_articles(item), json_ld=news_article_ld(item, data))


def related_articles(article: Article, limit: int = 5) -> list[Article]:
    """The newest other articles of the same section."""
    if article.category_id is None:
        return []
    return list(db.session.scalars(
        select(Article).where(Article.status == ArticleStatus.published,
                              Article.category_id == article.category_id,
                              Article.id != article.id)
        .order_by(Article.published_at.desc()).limit(limit)))


def _iso_duration(seconds: float | None) -> str | None:
    return f"PT{int(round(seconds))}S" if seconds else None


def news_article_ld(article: Article, data: dict[str, Any]) -> dict[str, Any]:
    """schema.org NewsArticle, with the narration and the video, for search engines."""
    ld: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article.title[:110], "description": article.lede,
        "mainEntityOfPage": data["text"]["url"], "inLanguage": "vi",
        "datePublished": data["published_at"],
        "dateModified": article.updated_at.isoformat() if article.updated_at else None,
        "author": {"@type": "Person", "name": article.author_name} if article.author_name
        else {"@type": "Organization", "name": current_app.config["SITE_NAME"]},
        "publisher": {"@type": "Organization", "name": current_app.config["SITE_NAME"]},
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
