"""Editor pages: documents (stub, built next)."""

from __future__ import annotations

from flask import abort

from . import bp
from .views import staff_required


@bp.get("/van-ban")
@staff_required
def documents_page():
    abort(404)
