"""Editor pages: comments (stub, built next)."""

from __future__ import annotations

from flask import abort

from . import bp
from .views import staff_required


@bp.get("/binh-luan")
@staff_required
def comments_queue():
    abort(404)
