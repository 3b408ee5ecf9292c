"""Editor comfort over HTTP: autosave of the edit form, images placed in the body, and the
preview of an article as readers will see it (with its audio player).

The edit view itself (app/editor/articles.py) knows nothing of this: the autosave banner and
the restored values reach its template through a context processor and Flask's
`before_render_template` signal. A save clears the user's autosave in the same transaction
(app.services.workflow.save).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import before_render_template as template_signal
from flask import (
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..http_security import body_limit
from ..i18n import human_size
from ..models import Article
from ..public.views import article_page_context
from ..services import drafting
from ..services.localtime import local
from ..services.serializers import reader_media
from . import bp
from .access import (
    can_edit,
    current_staff,
    json_error,
    json_staff_endpoint,
    staff_required,
    viewable_article,
    writable_article,
)

RESTORE_ARG = "khoi-phuc"


def _article_arg(article_id: int | None) -> Article | None:
    return writable_article(article_id) if article_id else None


def _local_time(value: datetime, fmt: str = "%H:%M") -> str:
    return local(value).strftime(fmt)


# --- autosave -------------------------------------------------------------------------

def _autosave_payload() -> dict[str, Any] | None:
    """The fields from a JSON body (fetch) or a form post (navigator.sendBeacon)."""
    raw = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    return raw if isinstance(raw, dict) else None


def _base_version(raw: dict[str, Any]) -> int | None:
    try:
        return int(raw["base_version"]) if raw.get("base_version") else None
    except (TypeError, ValueError):
        return None


@bp.post("/bai-viet/moi/tu-luu")
@bp.post("/bai-viet/<int:article_id>/tu-luu")
@body_limit(drafting.AUTOSAVE_MAX_BYTES)
@json_staff_endpoint
def autosave(article_id: int | None = None):
    """Keep the edit form's current state for this user; the article is never changed."""
    article = _article_arg(article_id)
    if (request.content_length or 0) > drafting.AUTOSAVE_MAX_BYTES:
        return json_error(413, _("Bản tự động lưu quá lớn."))
    raw = _autosave_payload()
    if raw is None:
        return json_error(400, _("Yêu cầu không hợp lệ."))
    row = drafting.save_autosave(current_staff(), article, raw, _base_version(raw))
    time = _local_time(row.saved_at)
    return jsonify({"saved_at": row.saved_at.isoformat(), "time": time,
                    "message": _("Đã tự động lưu lúc %(time)s", time=time)})


@bp.post("/bai-viet/moi/tu-luu/bo-qua")
@bp.post("/bai-viet/<int:article_id>/tu-luu/bo-qua")
@staff_required
def discard_autosave(article_id: int | None = None):
    """'Bỏ qua': forget the autosave and go back to the article as saved."""
    article = _article_arg(article_id)
    drafting.clear_autosave(current_staff(), article)
    return redirect(_edit_url(article), 303)


def _edit_url(article: Article | None, **args: Any) -> str:
    if article is None:
        return url_for("editor.edit", **args)
    return url_for("editor.edit", article_id=article.id, **args)


# Per request, in its WSGI environ (an app context, hence `g`, may outlive one request).
OFFER, RESTORED = "docnghexem.autosave_offer", "docnghexem.autosave_restored"


def _restored() -> dict[str, Any] | None:
    return request.environ.get(RESTORED)


def _offer() -> dict[str, Any] | None:
    """The autosave banner of the edit page being rendered (worked out once per request)."""
    if OFFER not in request.environ:
        request.environ[OFFER] = None
        if request.endpoint == "editor.edit" and request.method == "GET" \
                and current_user.is_authenticated and not _restored():
            article_id = (request.view_args or {}).get("article_id")
            article = db.session.get(Article, article_id) if article_id else None
            row = drafting.autosave_to_offer(current_staff(), article)
            if row is not None:
                request.environ[OFFER] = {
                    "saved_at": row.saved_at,
                    "restore_url": _edit_url(article, **{RESTORE_ARG: 1}),
                    "discard_url": url_for("editor.discard_autosave", article_id=article.id)
                    if article else url_for("editor.discard_autosave")}
    return request.environ[OFFER]


def _editor_urls(article: Article | None) -> dict[str, str]:
    """Where article-editor.js posts autosaves and body images ("": not for this user)."""
    if article is None or article.id is None:
        return {"autosave": url_for("editor.autosave"), "image": ""}
    if not can_edit(article):  # (a contributor looking at their unit's published article)
        return {"autosave": "", "image": ""}
    return {"autosave": url_for("editor.autosave", article_id=article.id),
            "image": url_for("editor.body_image", article_id=article.id)}


@bp.app_context_processor
def drafting_helpers() -> dict[str, Any]:
    """For templates/editor/_article_fields.html and edit.html."""
    return {"autosave_offer": _offer, "editor_urls": _editor_urls,
            "autosave_restored": _restored}


def _restore_into_form(sender, template, context: dict[str, Any], **extra: Any) -> None:
    """`?khoi-phuc=1` on the edit page: the form shows the user's autosave (works without
    JavaScript). Its base version goes with it, so saving over a newer edit is a conflict."""
    if template.name != "editor/edit.html" or request.method != "GET" \
            or not request.args.get(RESTORE_ARG) or not current_user.is_authenticated:
        return
    form, article = context.get("form"), context.get("article")
    row = drafting.get_autosave(current_staff(),
                                article if article is not None and article.id else None)
    if form is None or row is None:
        return
    fields = drafting.clean_autosave_fields(row.fields or {})
    for name, value in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.data = value if value is not None else (0 if name.endswith("_id") else "")
    if getattr(form, "version", None) is not None and row.base_version:
        form.version.data = row.base_version
    request.environ[RESTORED] = {"saved_at": row.saved_at}


@bp.record_once
def _connect_signals(state) -> None:
    template_signal.connect(_restore_into_form, state.app, weak=False)


# --- images in the body ---------------------------------------------------------------

def _too_big_image() -> str:
    return _("Ảnh quá lớn: tối đa %(size)s.", size=human_size(drafting.body_image_max_bytes()))


@bp.post("/bai-viet/<int:article_id>/anh")
@body_limit("BODY_IMAGE_MAX_BYTES", too_big=lambda: _too_big_image())
@json_staff_endpoint
def body_image(article_id: int):
    """Upload a picture for the body (multipart `file`, `caption`): JSON for the editor."""
    article = writable_article(article_id)
    if (request.content_length or 0) > drafting.body_image_max_bytes():
        return json_error(413, _too_big_image())
    upload = request.files.get("file")
    image = drafting.add_body_image(article, upload.stream if upload else None,
                                    request.form.get("caption", ""), current_staff())
    return jsonify(drafting.image_payload(image))


# --- preview --------------------------------------------------------------------------

@bp.get("/bai-viet/<int:article_id>/xem-truoc")
@staff_required
def preview(article_id: int):
    """The article as readers will see it, whatever its status: never cached, never indexed,
    no view counted."""
    article = viewable_article(article_id)
    context = article_page_context(article, views=article.view_count)
    context["preview"] = True
    context["reader_forms"] = reader_media(article)
    response = make_response(render_template("editor/preview.html", **context))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# Body images with their responsive widths on every page showing an article's body.
bp.app_template_global("article_body_html")(drafting.body_html_for_readers)
