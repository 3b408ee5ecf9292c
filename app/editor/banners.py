"""Editor pages: banners (stub, built next)."""

from __future__ import annotations

from flask import abort

from . import bp
from .views import staff_required


@bp.get("/quang-cao")
@staff_required
def banners_page():
    abort(404)
