"""Reader comments: posted to a moderation queue, shown once approved."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import csrf, db
from ..http_security import body_limit
from ..models import Article, ArticleStatus
from ..services import comments
from ..services.serializers import article_summary
from . import bp
from .views import news_article_ld, related_articles

HONEYPOT = "website"  # a field bots fill in and humans never see


def thanks() -> None:
    flash(_("Cảm ơn bạn! Ý kiến sẽ hiển thị sau khi được Ban Biên tập duyệt."), "comment")


# The article page asks for these from its comments block (templates/public/_comments.html).
bp.add_app_template_global(comments.approved_comments, "approved_comments")
bp.add_app_template_global(comments.approved_count, "approved_comment_count")
bp.add_app_template_global(comments.approved_total, "approved_comment_total")


@bp.post("/bai-viet/<slug>/binh-luan")
@body_limit("COMMENT_MAX_BYTES", slack=4 * 1024)
@csrf.exempt
def post_comment(slug: str):
    """A reader's comment: stored as pending, or refused with the reason next to the form.

    No CSRF token: the form sits on article pages shared by every anonymous reader through
    the page cache, and a comment acts for nobody (no session, no account) — a forged post
    is no more than the attacker posting it. Browsers' Origin header still has to be ours.
    """
    origin = request.headers.get("Origin")
    if origin and origin != request.host_url.rstrip("/"):
        abort(403)
    article = db.session.scalar(select(Article).where(Article.slug == slug,
                                                      Article.status == ArticleStatus.published))
    if article is None:
        abort(404)
    back = url_for("public.article", slug=article.slug, _anchor="binh-luan")
    if request.form.get(HONEYPOT, "").strip():
        thanks()  # a bot: it learns nothing, and nothing is stored
        return redirect(back, 303)
    data = comments.CommentInput.from_form(request.form)
    errors = comments.validate(data)
    if errors:
        return _rerender(article, data, errors, 422)
    ip_hash = comments.address_hash(request.remote_addr)
    wait = comments.rate_limit_hit(ip_hash)
    if wait is not None:
        minutes = max(1, -(-wait // 60))
        message = _("Bạn gửi ý kiến quá nhanh, vui lòng thử lại sau %(n)d phút.", n=minutes)
        response = _rerender(article, data, {"form": message}, 429)
        response.headers["Retry-After"] = str(wait)
        return response
    comments.add_comment(article, data, ip_hash)
    thanks()
    return redirect(back, 303)


def _rerender(article: Article, data: comments.CommentInput, errors: dict[str, str],
              status: int):
    """The article page again, the message by the form and the reader's text kept."""
    summary = article_summary(article)
    page = render_template("public/article.html", article=article, data=summary, preview=False,
                           views=article.view_count, related=related_articles(article),
                           json_ld=news_article_ld(article, summary),
                           comment_form=data, comment_errors=errors)
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response
