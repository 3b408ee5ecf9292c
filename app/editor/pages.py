"""Info pages (giới thiệu, liên hệ…): list them, write a new one or edit one (admins)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import InfoPage
from ..services import info_pages
from ..services.errors import BadInput
from . import bp
from .access import admin_required


@bp.route("/trang", methods=["GET", "POST"])
@bp.route("/trang/<int:page_id>", methods=["GET", "POST"])
@admin_required
def info_pages_page(page_id: int | None = None):
    page = db.session.get(InfoPage, page_id) or abort(404) if page_id else None
    status = 200
    if request.method == "POST":  # CSRFProtect has checked the token already
        try:
            page = info_pages.save_page(page, request.form.get("title", ""),
                                        request.form.get("body_html", ""),
                                        request.form.get("position", ""),
                                        request.form.get("published") == "on")
        except BadInput as exc:
            flash(exc.message, "error")
            status = 422
        else:
            flash(_("Đã lưu trang."), "success")
            return redirect(url_for("editor.info_pages_page", page_id=page.id)), 303
    pages = db.session.scalars(select(InfoPage).order_by(InfoPage.position, InfoPage.title)).all()
    return render_template("editor/info_pages.html", pages=pages, page=page), status
