"""Editor pages of the workflow: the review queue, unpublish and delete, revisions and their
differences. The rules themselves are in app.services.workflow."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Article, ArticleRevision, ArticleStatus
from ..services import workflow
from ..services.errors import BadInput, Conflict, NotFound
from . import bp
from .access import editor_required, staff_required, viewable_article


@bp.app_template_global()
def workflow_actions(article: Article | None) -> set[str]:
    """The workflow buttons the logged-in user gets for `article` (templates)."""
    return workflow.available_actions(article, current_user)


@bp.app_template_global()
def review_queue_count() -> int:
    """Articles waiting for review (the staff bar's badge); called only where shown."""
    return workflow.submitted_count()


@bp.get("/duyet-bai")
@editor_required
def review_queue():
    """Articles sent for review, oldest first, and those scheduled to go live."""
    submitted = db.session.scalars(
        select(Article).where(Article.status == ArticleStatus.submitted)
        .order_by(Article.submitted_at, Article.id)).all()
    scheduled = db.session.scalars(
        select(Article).where(Article.status == ArticleStatus.scheduled)
        .order_by(Article.scheduled_at, Article.id)).all()
    return render_template("editor/review.html", submitted=submitted, scheduled=scheduled,
                           submitters=workflow.submitters([a.id for a in submitted]))


def _back_to(article: Article):
    return redirect(url_for("editor.edit", article_id=article.id)), 303


@bp.post("/bai-viet/<int:article_id>/go-xuong")
@editor_required
def unpublish(article_id: int):
    """Take a published (or scheduled) article off the portal; it becomes a draft again."""
    article = viewable_article(article_id)
    try:
        workflow.unpublish(article, current_user)
    except Conflict as exc:
        flash(exc.message, "error")
        return _back_to(article)
    flash(_("Đã gỡ bài khỏi cổng; bài trở về bản nháp."), "success")
    return _back_to(article)


@bp.post("/bai-viet/<int:article_id>/xoa")
@editor_required
def delete(article_id: int):
    """Delete an article that is not on the portal (a published one is unpublished first)."""
    article = viewable_article(article_id)
    title = article.title
    try:
        workflow.delete(article, current_user)
    except Conflict as exc:
        flash(exc.message, "error")
        return _back_to(article)
    flash(_("Đã xóa bài “%(title)s”.", title=title), "success")
    return redirect(url_for("editor.index")), 303


@bp.get("/bai-viet/<int:article_id>/phien-ban")
@staff_required
def revisions(article_id: int):
    """Every saved version of an article, newest first."""
    article = viewable_article(article_id)
    rows = db.session.scalars(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id)
        .order_by(ArticleRevision.number.desc())).all()
    return render_template("editor/revisions.html", article=article, revisions=rows)


def _revision(article: Article, number: int) -> ArticleRevision:
    return db.session.scalar(select(ArticleRevision).where(
        ArticleRevision.article_id == article.id, ArticleRevision.number == number)) \
        or abort(404)


@bp.get("/bai-viet/<int:article_id>/phien-ban/<int:a>/<int:b>")
@staff_required
def revision_diff(article_id: int, a: int, b: int):
    """What changed from version `a` to version `b`, word by word."""
    article = viewable_article(article_id)
    old, new = _revision(article, a), _revision(article, b)
    return render_template("editor/diff.html", article=article, old=old, new=new,
                           fields=workflow.diff(old, new))


@bp.post("/bai-viet/<int:article_id>/phien-ban/<int:number>/khoi-phuc")
@editor_required
def restore(article_id: int, number: int):
    """Make an earlier version the article's text again (as a new version)."""
    article = viewable_article(article_id)
    revision = _revision(article, number)
    try:
        workflow.restore(article, revision, current_user)
    except (BadInput, Conflict, NotFound) as exc:
        flash(exc.message, "error")
        return redirect(url_for("editor.revisions", article_id=article_id)), 303
    flash(_("Đã khôi phục phiên bản %(number)s.", number=number), "success")
    return _back_to(article)
