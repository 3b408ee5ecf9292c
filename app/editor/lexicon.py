"""The pronunciation lexicon: how the narrator says particular terms (admins)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import LexiconEntry
from ..services import lexicon
from ..services.errors import BadInput
from . import bp
from .access import admin_required
from .forms import LexiconForm


@bp.route("/tu-dien", methods=["GET", "POST"])
@admin_required
def lexicon_page():
    """The entries, and a form to add or change one."""
    form = LexiconForm()
    status = 200
    if form.validate_on_submit():
        try:
            lexicon.save_entry(form.term.data or "", form.spoken.data or "")
        except BadInput as exc:
            form.term.errors.append(exc.message)
            status = 422
        else:
            flash(_("Đã lưu vào từ điển phát âm; các bài có từ này sẽ được đọc lại."), "success")
            return redirect(url_for("editor.lexicon_page")), 303
    elif form.is_submitted():
        status = 422
    entries = db.session.scalars(select(LexiconEntry).order_by(LexiconEntry.term)).all()
    return render_template("editor/lexicon.html", form=form, entries=entries), status


@bp.post("/tu-dien/<int:entry_id>/xoa")
@admin_required
def lexicon_delete(entry_id: int):
    """Remove a lexicon entry."""
    entry = db.session.get(LexiconEntry, entry_id) or abort(404)
    lexicon.delete_entry(entry)
    flash(_("Đã xóa khỏi từ điển phát âm."), "success")
    return redirect(url_for("editor.lexicon_page")), 303
