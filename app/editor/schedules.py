"""Editor pages: schedules (stub, built next)."""

from __future__ import annotations

from flask import abort

from . import bp
from .views import staff_required


@bp.get("/lich-cong-tac")
@staff_required
def schedules_page():
    abort(404)
