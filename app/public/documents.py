"""The documents library (văn bản): /van-ban/ and a page per document."""

from __future__ import annotations

from flask import abort

from . import bp


@bp.get("/van-ban/")
def documents():
    abort(404)  # built next: list, filters, search


@bp.get("/van-ban/<slug>")
def document(slug: str):
    abort(404)
