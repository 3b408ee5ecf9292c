"""The newsroom's article list and the article form: write, save, and move an article along
the workflow (app.services.workflow)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..http_security import body_limit
from ..models import Article, ArticleRevision, Category, ListenSource, Role, Unit
from ..services import drafting, workflow
from ..services.errors import BadInput, Conflict
from ..services.localtime import display_tz, local
from ..services.publishing import ArticleInput, read_cover, store_cover
from ..services.serializers import cover_image, reader_media
from . import article_filters, bp
from .access import can_edit, staff_required, viewable_article
from .forms import ArticleForm, VideoForm
from .media import ARTICLE_STATES


@bp.get("/")
@staff_required
def index():
    """Articles the user may work on, last edited first, with their workflow state and what
    readers get to listen to and watch; searched and filtered from the URL
    (app/editor/article_filters.py)."""
    filters = article_filters.parse(request.args)
    contributor = current_user.role is Role.contributor
    units = select(Unit).order_by(Unit.name)
    if contributor:
        units = units.where(Unit.id == current_user.unit_id)
    choices = {"sections": db.session.scalars(select(Category).order_by(
                   Category.position, Category.name)).all(),
               "units": db.session.scalars(units).all(), "states": ARTICLE_STATES}
    if filters.errors:
        return render_template("editor/index.html", articles=[], page=None, filters=filters,
                               **choices), 400
    page = db.paginate(article_filters.query(filters, contributor, current_user.unit_id),
        page=filters.page, per_page=article_filters.PER_PAGE, error_out=False)
    return render_template("editor/index.html", articles=page.items, page=page,
                           filters=filters, **choices)


@bp.context_processor
def article_list_helpers() -> dict[str, Any]:
    return {"reader_media": reader_media}


def _fill_choices(form: ArticleForm) -> None:
    form.category_id.choices = [(0, _("— Chọn chuyên mục —"))] + [
        (c.id, c.name) for c in db.session.scalars(select(Category).order_by(Category.position,
                                                                              Category.name))]
    units = select(Unit).order_by(Unit.name)
    if current_user.role is Role.contributor:
        units = units.where(Unit.id == current_user.unit_id)
    form.unit_id.choices = [(0, _("— Chọn đơn vị —"))] + [(u.id, u.name)
                                                          for u in db.session.scalars(units)]


# Form button → workflow step run with the save (app.services.workflow.save(then=…)).
BUTTON_STEPS = (("send_for_review", "submit"), ("publish", "publish"), ("schedule", "schedule"),
                ("return_to_unit", "return"))
STEP_DONE = {None: _l("Đã lưu bài viết."),
             "submit": _l("Đã gửi bài cho ban biên tập duyệt."),
             "publish": _l("Đã xuất bản bài viết."),
             "schedule": _l("Đã hẹn giờ xuất bản bài viết."),
             "return": _l("Đã trả lại bài cho đơn vị.")}


def _chosen_step(form: ArticleForm, article: Article | None) -> str | None:
    for field, step in BUTTON_STEPS:
        if getattr(form, field).data:
            # "Xuất bản" on a live article just saves the changes (it stays published).
            return None if step == "publish" and article and article.is_published else step
    return None


def _local_time(value: str) -> datetime | None:
    """A datetime-local value as the newsroom means it: in DISPLAY_TIMEZONE."""
    try:
        naive = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return naive.replace(tzinfo=display_tz())


def _base_version(form: ArticleForm) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def _render_edit(form: ArticleForm, article: Article | None, status: int = 200, **extra):
    cover = cover_image(article) if article is not None and article.id else None
    return render_template("editor/edit.html", form=form, article=article, cover=cover,
                           read_only=article is not None and not can_edit(article),
                           video_form=VideoForm(), **extra), status


def _edited_meanwhile(form: ArticleForm, conflict: workflow.EditedMeanwhile):
    """Someone saved since this form was opened: keep the user's text, overwrite nothing."""
    article = conflict.article
    db.session.refresh(article)
    numbers = set(db.session.scalars(select(ArticleRevision.number).where(
        ArticleRevision.article_id == article.id)))
    diff_url = url_for("editor.revision_diff", article_id=article.id, a=conflict.base_version,
                       b=article.version) if {conflict.base_version, article.version} <= numbers \
        else url_for("editor.revisions", article_id=article.id)
    return _render_edit(form, article, 409, conflict={
        "base": conflict.base_version, "current": article.version, "url": diff_url})


@bp.route("/bai-viet/moi", methods=["GET", "POST"])
@bp.route("/bai-viet/<int:article_id>", methods=["GET", "POST"])
@body_limit("BODY_IMAGE_MAX_BYTES", slack=2 * 1024 * 1024)  # the cover, the body and fields
@staff_required
def edit(article_id: int | None = None):
    """Write or edit an article and move it along the workflow: save a draft, send it for
    review, publish now or at a set time, return it to its unit (app.services.workflow)."""
    article = viewable_article(article_id) if article_id else None
    # A contributor's article once sent for review (or approved) is theirs to read only: the
    # page shows it read-only, and a post that tries to save it saves nothing (403).
    read_only = article is not None and not can_edit(article)
    form = ArticleForm(formdata=None, obj=article) if read_only else ArticleForm(obj=article)
    _fill_choices(form)
    if (request.method == "GET" or read_only) and article is not None:
        form.body_html.data = drafting.body_html_for_editor(article)
        form.category_id.data = article.category_id or 0
        form.unit_id.data = article.unit_id or 0
        form.listen_source.data = article.listen_source.value
        if article.scheduled_at is not None:
            form.publish_at.data = local(article.scheduled_at).strftime("%Y-%m-%dT%H:%M")
    if read_only:
        if request.method == "POST":
            flash(_("Bạn không có quyền sửa bài viết này; chưa có thay đổi nào được lưu."),
                  "error")
            return _render_edit(form, article, 403)
        return _render_edit(form, article)
    if form.is_submitted() and current_user.role is Role.contributor:
        # A contributor writes for their own unit only: another unit's name is a refusal
        # (nothing saved), not a form error; no unit chosen means theirs.
        if not form.unit_id.data:
            form.unit_id.data = current_user.unit_id
        if form.unit_id.data != current_user.unit_id:
            abort(403)
    if not form.validate_on_submit():
        return _render_edit(form, article, 422 if form.is_submitted() else 200)
    step = _chosen_step(form, article)
    step_args: dict[str, Any] = {}
    if step == "schedule":
        when = _local_time(form.publish_at.data or "")
        if when is None:
            form.publish_at.errors.append(_("Vui lòng chọn ngày giờ xuất bản hợp lệ."))
            return _render_edit(form, article, 422)
        step_args["when"] = when
    elif step == "return":
        step_args["note"] = form.return_note.data or ""
    data = ArticleInput(
        title=form.title.data or "", lede=form.lede.data or "",
        body_html=form.body_html.data or "", author_name=form.author_name.data or "",
        cover_caption=form.cover_caption.data or "",
        category_id=form.category_id.data or None, unit_id=form.unit_id.data or None,
        listen_source=ListenSource(form.listen_source.data or "narration"))
    try:
        cover = read_cover(form.cover.data.stream) if form.cover.data else None
        article = workflow.save(article, data, current_user, base_version=_base_version(form),
                                then=step, **step_args)
        if cover is not None:
            store_cover(article, cover)
    except workflow.EditedMeanwhile as exc:
        return _edited_meanwhile(form, exc)
    except (BadInput, Conflict) as exc:
        # Shown beside the field at fault: a field's own, the step's (its time, its note),
        # or above the form.
        step_field = {"schedule": form.publish_at, "return": form.return_note}.get(step or "")
        if exc.errors:
            for name, message in exc.errors.items():
                getattr(form, name, form.title).errors.append(message)
        elif step_field is not None:
            step_field.errors.append(exc.message)
        else:
            flash(exc.message, "error")
        return _render_edit(form, article, 422)
    flash(str(STEP_DONE[step]), "success")
    return redirect(url_for("editor.edit", article_id=article.id))
