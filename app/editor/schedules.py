"""Editor pages: work schedules (lịch công tác) — a week's entries, add, edit, delete,
publish and unpublish. Editors and admins only: the schedule speaks for the province."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import ScheduleEntry, Unit
from ..services import schedules as service
from ..services.errors import BadInput
from . import bp
from .access import editor_required


def _entry_or_404(entry_id: int) -> ScheduleEntry:
    return db.session.get(ScheduleEntry, entry_id) or abort(404)


def _week_url(entry: ScheduleEntry | None = None) -> str:
    monday = service.week_start(service.local(entry.starts_at).date()) if entry else None
    return url_for("editor.schedules_page", tuan=monday.isoformat() if monday else None)


def _render(entry: ScheduleEntry | None, values: dict[str, str], errors: dict[str, str],
            status: int = 200):
    """The week's list beside the form; the week is the asked one, else the entry's."""
    this_monday = service.week_start(service.today())
    monday = service.parse_week(request.args.get("tuan")) or \
        service.parse_week(values.get("ngay")) or this_monday
    entries = service.week_entries(monday, published_only=False)
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    return render_template(
        "editor/schedules.html", entry=entry, values=values, errors=errors,
        days=service.week_days(monday, entries), monday=monday,
        sunday=monday + timedelta(days=6), this_monday=this_monday,
        previous=monday - timedelta(weeks=1), following=monday + timedelta(weeks=1),
        units=units, standing_name=service.STANDING_NAME), status


def _save(entry: ScheduleEntry | None):
    """Validate and save the posted form; on bad input re-show it with the values (422)."""
    try:
        data = service.parse_form(request.form)
        entry = service.save_entry(entry, data)
    except BadInput as exc:
        flash(_("Chưa lưu được lịch: %(why)s", why=str(exc)), "error")
        return _render(entry, request.form.to_dict(), exc.errors, 422)
    flash(_("Đã lưu lịch công tác."), "success")
    return redirect(_week_url(entry)), 303


@bp.route("/lich-cong-tac", methods=["GET", "POST"])
@editor_required
def schedules_page():
    """A week's entries (published or not) and the form for a new one."""
    if request.method == "POST":  # CSRFProtect has checked the token already
        return _save(None)
    monday = service.parse_week(request.args.get("tuan"))
    values = {"ngay": monday.isoformat() if monday else service.today().isoformat(),
              "hien_thi": "on"}
    return _render(None, values, {})


@bp.route("/lich-cong-tac/<int:entry_id>", methods=["GET", "POST"])
@editor_required
def schedule_edit(entry_id: int):
    entry = _entry_or_404(entry_id)
    if request.method == "POST":
        return _save(entry)
    return _render(entry, service.form_values(entry), {})


@bp.post("/lich-cong-tac/<int:entry_id>/xoa")
@editor_required
def schedule_delete(entry_id: int):
    entry = _entry_or_404(entry_id)
    back = _week_url(entry)
    service.delete_entry(entry)
    flash(_("Đã xóa lịch công tác."), "success")
    return redirect(back), 303


@bp.post("/lich-cong-tac/<int:entry_id>/hien-thi")
@editor_required
def schedule_publish(entry_id: int):
    """Show (hien_thi=1) or hide (anything else) an entry on the portal."""
    entry = _entry_or_404(entry_id)
    service.set_published(entry, request.form.get("hien_thi") == "1")
    flash(_("Đã công bố lịch.") if entry.published else _("Đã ẩn lịch khỏi cổng."), "success")
    return redirect(_week_url(entry)), 303
