"""The documents library (văn bản): /van-ban/ and a page per document."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from ..extensions import db
from ..http_page_cache import cached_page, page_number_only
from ..services import documents as service
from ..services.infra import media_url
from . import bp
from .views import _page_arg


def _unfiltered_list() -> dict[str, str] | None:
    """Only the plain list (and its pages) is cached: filters and free text are not."""
    if any(request.args.get(name, "").strip() for name in ("loai", "co-quan", "nam", "q")):
        return None
    return page_number_only()


@bp.get("/van-ban/")
@cached_page("documents", variant=_unfiltered_list)
def documents():
    """Published documents, newest issue date first, with filters a reader can combine.

    A filter value we do not know (a type not in the list, year "abc") is ignored, never a 500.
    """
    issuers = service.issuers()
    filters = service.read_filters(request.args, issuers)
    page = db.paginate(service.filtered(filters), page=_page_arg(),
                       per_page=current_app.config["DOCUMENTS_PER_PAGE"], error_out=False)
    return render_template("public/documents.html", page=page, filters=filters,
                           types=service.DOCUMENT_TYPES, issuers=issuers, years=service.years(),
                           file_label=service.file_label, media_url=media_url)


@bp.get("/van-ban/<slug>")
@cached_page("documents", variant=lambda: {})
def document(slug: str):
    """One document: every field, and its file to download."""
    item = service.published_by_slug(slug) or abort(404)
    return render_template("public/document.html", doc=item, file_url=media_url(item.file_key),
                           file_label=service.file_label(item))
