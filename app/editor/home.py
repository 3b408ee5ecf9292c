"""Editor page "Trang chủ": pin the top story, 2–4 featured stories and the first stories of
each section's block, each until an expiry time; unpin and reorder them. Editors and admins
(the home page speaks for the editorial board); contributors are refused."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..http_errors import STATUS
from ..models import PinSlot
from ..services import home as service
from ..services.errors import BadInput, ServiceError
from ..services.sections import menu_sections
from . import bp
from .access import current_staff, editor_required


def _status(exc: ServiceError) -> int:
    if isinstance(exc, BadInput):
        return 422
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)


def _article_arg(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _render(values: dict[str, str], errors: dict[str, str], status: int = 200):
    values = {"vi_tri": PinSlot.top.value,
              "het_han": service.local_input_value(service.default_expiry()), **values}
    found = request.args.get("tim", "").strip()[:200]
    top, featured, blocks = service.editor_groups(menu_sections())
    choices = service.candidates(found)
    chosen = _article_arg(values.get("bai"))
    if chosen is not None and all(a.id != chosen for a in choices):
        choices = service.candidates_with(chosen, choices)
    return render_template(
        "editor/home.html", top=top, featured=featured, blocks=blocks, choices=choices,
        found=found, values=values, errors=errors, slots=PinSlot,
        newest=service.candidates(limit=1), featured_min=service.FEATURED_MIN,
        featured_max=service.FEATURED_MAX, section_max=service.SECTION_MAX), status


@bp.get("/trang-chu")
@editor_required
def home_page():
    """What leads the home page now, the pins, and the form to pin an article."""
    return _render({"bai": request.args.get("bai", "")}, {})


@bp.post("/trang-chu/ghim")
@editor_required
def home_pin():
    """Pin the chosen article where the form says, until the expiry typed (Vietnam time)."""
    values = request.form.to_dict()
    try:
        article_id = _article_arg(values.get("bai"))
        if article_id is None:
            raise BadInput(errors={"bai": _("Hãy chọn một bài viết để ghim.")})
        expires_at = service.parse_expiry(values.get("het_han"))
        service.pin(article_id, values.get("vi_tri", ""), expires_at, current_staff())
    except ServiceError as exc:
        flash(_("Chưa ghim được: %(why)s", why=exc.message), "error")
        return _render(values, exc.errors, _status(exc))
    flash(_("Đã ghim lên trang chủ. Trang chủ đã cập nhật."), "success")
    return redirect(url_for("editor.home_page")), 303


@bp.post("/trang-chu/ghim/<int:pin_id>/bo-ghim")
@editor_required
def home_unpin(pin_id: int):
    try:
        service.unpin(pin_id, current_staff())
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render({}, {}, _status(exc))
    flash(_("Đã bỏ ghim. Trang chủ đã cập nhật."), "success")
    return redirect(url_for("editor.home_page")), 303


@bp.post("/trang-chu/ghim/<int:pin_id>/thu-tu")
@editor_required
def home_move(pin_id: int):
    """One place up (huong=len) or down (huong=xuong) among the pins of its group."""
    try:
        service.move(pin_id, request.form.get("huong", ""), current_staff())
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render({}, {}, _status(exc))
    flash(_("Đã đổi thứ tự. Trang chủ đã cập nhật."), "success")
    return redirect(url_for("editor.home_page")), 303
