"""Editor pages: the moderation queue for reader comments (editors and admins only)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Comment, CommentStatus
from ..public.views import _page_arg
from ..services import comments
from . import bp
from .access import editor_required

PER_PAGE = 50
# Tabs of the queue: the query value readers of the URL see → the status it lists.
TABS = {"cho-duyet": CommentStatus.pending, "da-duyet": CommentStatus.approved,
        "tu-choi": CommentStatus.rejected}
TAB_OF = {status: tab for tab, status in TABS.items()}



@bp.get("/binh-luan")
@editor_required
def comments_queue():
    """Comments of one status, newest first; pending ones by default."""
    tab = request.args.get("trang-thai", "cho-duyet")
    status = TABS.get(tab, CommentStatus.pending)
    page = db.paginate(comments.queue_query(status), page=_page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("editor/comments.html", page=page, status=status,
                           tab=TAB_OF[status], counts=comments.status_counts(),
                           tabs=TABS, age=comments.age)


def _back(comment_status: CommentStatus):
    tab = request.form.get("trang-thai", "")
    if tab not in TABS:
        tab = TAB_OF[comment_status]
    args: dict[str, Any] = {"trang-thai": tab}  # not a Python name, so passed as a mapping
    return redirect(url_for("editor.comments_queue", **args), 303)


def _comment_or_404(comment_id: int) -> Comment:
    return db.session.get(Comment, comment_id) or abort(404)


def _moderate(comment_id: int, status: CommentStatus, message: str):
    comment = _comment_or_404(comment_id)
    before = comment.status
    comments.moderate(comment, status, current_user)
    flash(message % {"name": comment.name}, "success")
    return _back(before)


@bp.post("/binh-luan/<int:comment_id>/duyet")
@editor_required
def approve_comment(comment_id: int):
    return _moderate(comment_id, CommentStatus.approved, _("Đã duyệt ý kiến của %(name)s."))


@bp.post("/binh-luan/<int:comment_id>/tu-choi")
@editor_required
def reject_comment(comment_id: int):
    return _moderate(comment_id, CommentStatus.rejected, _("Đã từ chối ý kiến của %(name)s."))


@bp.post("/binh-luan/<int:comment_id>/xoa")
@editor_required
def delete_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    before, name = comment.status, comment.name
    comments.delete_comment(comment, current_user)
    flash(_("Đã xóa ý kiến của %(name)s.", name=name), "success")
    return _back(before)
