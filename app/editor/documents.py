"""Editor pages: the documents library (văn bản). Editors and admins only."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..http_security import body_limit
from ..i18n import human_size
from ..models import Document
from ..public.views import _page_arg
from ..services import documents as service
from ..services.errors import BadInput
from ..services.infra import media_url
from . import bp
from .access import editor_required

PER_PAGE = 50



def _upload() -> service.Upload | None:
    """The file from the form, or None when the editor chose none (an empty, nameless part)."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    return service.Upload(file.stream, file.filename)


def _form_values(doc: Document | None) -> dict[str, str]:
    """What the form shows: the submitted values after an error, else the stored ones."""
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in
                  ("number", "doc_type", "issuer", "signer", "issued_on", "effective_on",
                   "summary")}
        for name in ("issued_on", "effective_on"):  # <input type=date> only shows ISO dates
            parsed = service.parse_date(values[name])
            values[name] = parsed.isoformat() if parsed else values[name]
        values["published"] = "on" if request.form.get("published") == "on" else ""
        return values
    if doc is None:
        return {"published": "on"}
    return {"number": doc.number, "doc_type": doc.doc_type, "issuer": doc.issuer,
            "signer": doc.signer, "issued_on": doc.issued_on.isoformat(),
            "effective_on": doc.effective_on.isoformat() if doc.effective_on else "",
            "summary": doc.summary, "published": "on" if doc.published else ""}


@bp.route("/van-ban", methods=["GET", "POST"])
@bp.route("/van-ban/<int:doc_id>", methods=["GET", "POST"])
@body_limit("DOCUMENT_MAX_BYTES")
@editor_required
def documents_page(doc_id: int | None = None):
    """The list of documents beside a form: a new one, or the one being edited."""
    doc = (db.session.get(Document, doc_id) or abort(404)) if doc_id else None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":  # CSRFProtect has checked the token already
        try:
            doc = service.save_document(doc, request.form, _upload())
        except BadInput as exc:
            errors = exc.errors
            flash(_("Chưa lưu được văn bản: hãy sửa các mục được đánh dấu bên dưới."), "error")
            status = 422
        else:
            flash(_("Đã lưu văn bản %(number)s.", number=doc.number), "success")
            return redirect(url_for("editor.documents_page", doc_id=doc.id)), 303
    filters = service.read_filters(request.args, service.issuers(published_only=False))
    page = db.paginate(service.filtered(filters, published_only=False),
                       page=_page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("editor/documents.html", doc=doc, values=_form_values(doc),
                           errors=errors, page=page, filters=filters,
                           types=service.DOCUMENT_TYPES,
                           known_issuers=service.issuers(published_only=False),
                           file_label=service.file_label, media_url=media_url,
                           max_size=human_size(current_app.config["DOCUMENT_MAX_BYTES"])), \
        status


@bp.post("/van-ban/<int:doc_id>/cong-bo")
@editor_required
def documents_publish(doc_id: int):
    """Show (published=1) or withdraw (published=0) a document on the portal."""
    doc = db.session.get(Document, doc_id) or abort(404)
    published = request.form.get("published") == "1"
    try:
        service.set_published(doc, published)
    except BadInput as exc:
        flash(" ".join(exc.errors.values()), "error")
        return redirect(url_for("editor.documents_page", doc_id=doc.id)), 303
    flash(_("Đã công bố văn bản %(number)s.", number=doc.number) if published else
          _("Đã ngừng công bố văn bản %(number)s.", number=doc.number), "success")
    return redirect(url_for("editor.documents_page", doc_id=doc.id)), 303


@bp.post("/van-ban/<int:doc_id>/xoa")
@editor_required
def documents_delete(doc_id: int):
    """Delete a document and its stored file."""
    doc = db.session.get(Document, doc_id) or abort(404)
    number = doc.number
    service.delete_document(doc)
    flash(_("Đã xóa văn bản %(number)s.", number=number), "success")
    return redirect(url_for("editor.documents_page")), 303
