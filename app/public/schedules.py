"""Work schedules (lịch công tác): a week view and an iCal export."""

from __future__ import annotations

from flask import abort

from . import bp


@bp.get("/lich-cong-tac/")
def schedules():
    abort(404)  # built next: week view, previous/next week


@bp.get("/lich-cong-tac.ics")
def schedules_ics():
    abort(404)
