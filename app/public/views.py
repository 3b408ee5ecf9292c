"""Pages readers see."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, send_from_directory
from flask_login import current_user
from sqlalchemy import select, update

from ..extensions import db
from ..models import Article, ArticleStatus, Category
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
def home():
    """Published articles, newest first."""
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    query = (select(Article).where(Article.status == ArticleStatus.published)
             .order_by(Article.published_at.desc(), Article.id.desc()))
    page = db.paginate(query, page=_page_arg(), per_page=per_page, error_out=False)
    items = [(a, article_summary(a)) for a in page.items]
    return render_template("public/home.html", items=items, page=page)


@bp.get("/chuyen-muc/<slug>/")
def section(slug: str):
    """One section's articles, newest first, paginated."""
    category = db.session.scalar(select(Category).where(Category.slug == slug)) or abort(404)
    query = (select(Article).where(Article.status == ArticleStatus.published,
                                   Article.category_id == category.id)
             .order_by(Article.published_at.desc(), Article.id.desc()))
    page = db.paginate(query, page=_page_arg(), per_page=current_app.config["ARTICLES_PER_PAGE"],
                       error_out=False)
    items = [(a, article_summary(a)) for a in page.items]
    return render_template("public/section.html", category=category, items=items, page=page)


@bp.get("/bai-viet/<slug>")
def article(slug: str):
    """One article with its three forms: read, listen, watch."""
    item = db.session.scalar(select(Article).where(Article.slug == slug))
    staff = current_user.is_authenticated
    if item is None or (not item.is_published and not staff):
        abort(404)
    if item.is_published:
        db.session.execute(update(Article).where(Article.id == item.id)
                           .values(view_count=Article.view_count + 1))
        db.session.commit()
    return render_template("public/article.html", article=item, data=article_summary(item),
                           preview=not item.is_published)
