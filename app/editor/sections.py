"""Sections (chuyên mục): add, rename, order and hide them from the menu (admins)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Category
from ..services import sections
from ..services.errors import BadInput
from . import bp
from .access import admin_required


@bp.route("/chuyen-muc", methods=["GET", "POST"])
@admin_required
def sections_page():
    status = 200
    if request.method == "POST":  # CSRFProtect has checked the token already
        try:
            sections.apply_changes(request.form)
        except BadInput as exc:
            flash(exc.message, "error")
            status = 422
        else:
            flash(_("Đã lưu các chuyên mục."), "success")
            return redirect(url_for("editor.sections_page")), 303
    rows = db.session.scalars(select(Category).order_by(Category.position, Category.name)).all()
    return render_template("editor/sections.html", categories=rows), status
