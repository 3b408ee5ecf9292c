"""Editor pages: the home page's banners ("Quảng cáo"), run by admins only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..http_security import body_limit
from ..models import Banner
from ..services import banners
from ..services.errors import BadInput
from . import bp
from .access import admin_required

# The home page's banner slot (templates/public/_banner.html) asks for today's banners.
bp.add_app_template_global(banners.active_banners, "active_banners")


@bp.route("/quang-cao", methods=["GET", "POST"])
@bp.route("/quang-cao/<int:banner_id>", methods=["GET", "POST"])
@body_limit("BODY_IMAGE_MAX_BYTES")
@admin_required
def banners_page(banner_id: int | None = None):
    """List the banners, add one or edit one."""
    banner = (db.session.get(Banner, banner_id) or abort(404)) if banner_id else None
    form = banners.BannerInput.from_banner(banner) if banner else banners.BannerInput()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":  # CSRFProtect has checked the token already
        form = banners.BannerInput.from_form(request.form)
        upload = request.files.get("image")
        try:
            banner = banners.save_banner(banner, form,
                                         upload.stream if upload and upload.filename else None)
        except BadInput as exc:
            errors = exc.errors
            flash(_("Chưa lưu được quảng cáo, vui lòng sửa các ô được đánh dấu."), "error")
            status = 422
        else:
            flash(_("Đã lưu quảng cáo."), "success")
            return redirect(url_for("editor.banners_page", banner_id=banner.id), 303)
    return render_template("editor/banners.html", banners=banners.all_banners(), banner=banner,
                           form=form, errors=errors, media_url=banners.media_url,
                           today=banners.today()), status


@bp.post("/quang-cao/<int:banner_id>/xoa")
@admin_required
def banner_delete(banner_id: int):
    banner = db.session.get(Banner, banner_id) or abort(404)
    banners.delete_banner(banner)
    flash(_("Đã xóa quảng cáo."), "success")
    return redirect(url_for("editor.banners_page"), 303)
