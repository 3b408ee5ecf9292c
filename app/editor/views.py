"""The newsroom: staff log in, write, publish and attach videos."""

from __future__ import annotations

from datetime import datetime
from functools import wraps
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, login_manager
from ..http_security import body_limit
from ..models import (
    Article,
    ArticleRevision,
    Category,
    InfoPage,
    LexiconEntry,
    ListenSource,
    Role,
    Unit,
    User,
)
from ..services import (
    accounts,
    drafting,
    info_pages,
    lexicon,
    media_jobs,
    sections,
    workflow,
)
from ..services.localtime import display_tz, local
from ..services.publishing import ArticleError, ArticleInput, read_cover, store_cover
from ..urls import safe_next
from . import bp
from .forms import ArticleForm, LexiconForm, LoginForm, VideoForm


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@login_manager.unauthorized_handler
def login_first():
    """To the login page, coming back here after (a path only: Flask-Login's default would put
    the whole URL, Host header included, into next=)."""
    flash(str(login_manager.login_message), login_manager.login_message_category)
    here = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("editor.login", next=safe_next(here, "") or None))


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)
    return wrapper


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role is not Role.admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def editor_required(view):
    """Editors and admins: the editorial board's own work (moderation, documents, schedules)."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role not in (Role.editor, Role.admin):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def can_edit(article: Article) -> bool:
    """Writing to the article or its media: editors always, a contributor only while it is
    their unit's draft or returned article (workflow.may_write)."""
    return workflow.may_write(article, current_user)


def _article_or_404(article_id: int) -> Article:
    article = db.session.get(Article, article_id) or abort(404)
    if not can_edit(article):
        abort(403)
    return article


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    """Staff login. Every refusal reads the same (a wrong password, an unknown user, a try
    made too soon), so usernames cannot be found out; repeated failures slow down."""
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.username.data or "", form.password.data or "",
                                       request.remote_addr or "")
        if result.user is not None:
            login_user(result.user)
            session.permanent = True  # ends after SESSION_IDLE_MINUTES without a request
            accounts.start_session(session, result.user, ip=request.remote_addr or "",
                                   user_agent=request.user_agent.string)
            return redirect(safe_next(request.args.get("next"), url_for("editor.index")))
        flash(result.message, "error")
        return render_template("editor/login.html", form=form), result.status
    return render_template("editor/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    """Log out: the session ends on the server too, so a copy of the cookie is worthless."""
    accounts.end_session(session)
    logout_user()
    return redirect(url_for("public.home"))


@bp.get("/")
@staff_required
def index():
    """Articles the user may work on, newest first, with their workflow state."""
    query = select(Article).order_by(Article.updated_at.desc()).limit(200)
    if current_user.role is Role.contributor:
        query = query.where(Article.unit_id == current_user.unit_id)
    return render_template("editor/index.html", articles=db.session.scalars(query).all())


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


def _viewable_article(article_id: int) -> Article:
    """Contributors may look at their unit's articles in any state; writing is checked by
    the workflow."""
    article = db.session.get(Article, article_id) or abort(404)
    if not workflow.may_view(article, current_user):
        abort(403)
    return article


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
    return render_template("editor/edit.html", form=form, article=article,
                           video_form=VideoForm(), **extra), status


def _conflict(form: ArticleForm, conflict: workflow.ConflictError):
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
    article = _viewable_article(article_id) if article_id else None
    form = ArticleForm(obj=article)
    _fill_choices(form)
    if request.method == "GET" and article is not None:
        form.body_html.data = drafting.body_html_for_editor(article)
        form.category_id.data = article.category_id or 0
        form.unit_id.data = article.unit_id or 0
        form.listen_source.data = article.listen_source.value
        if article.scheduled_at is not None:
            form.publish_at.data = local(article.scheduled_at).strftime("%Y-%m-%dT%H:%M")
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
    except workflow.ConflictError as exc:
        return _conflict(form, exc)
    except workflow.WorkflowError as exc:
        field = {"schedule": form.publish_at, "return": form.return_note}.get(step or "")
        if field is not None:
            field.errors.append(str(exc))
        else:
            flash(str(exc), "error")
        return _render_edit(form, article, 422)
    except ArticleError as exc:
        for name, message in exc.errors.items():
            getattr(form, name, form.title).errors.append(message)
        return _render_edit(form, article, 422)
    flash(str(STEP_DONE[step]), "success")
    return redirect(url_for("editor.edit", article_id=article.id))


@bp.post("/bai-viet/<int:article_id>/video")
@body_limit("VIDEO_FORM_MAX_BYTES")
@staff_required
def upload_video(article_id: int):
    """Attach a video; it is stored as uploaded and transcoded by a worker."""
    article = _article_or_404(article_id)
    form = VideoForm()
    if not form.validate_on_submit():
        for message in form.video.errors:
            flash(str(message), "error")
        return redirect(url_for("editor.edit", article_id=article.id)), 303
    upload = form.video.data
    media_jobs.attach_video(article, upload.stream, upload.filename, upload.mimetype)
    flash(_("Đã tải video lên; hệ thống đang xử lý."), "success")
    return redirect(url_for("editor.edit", article_id=article.id)), 303


@bp.route("/tu-dien", methods=["GET", "POST"])
@admin_required
def lexicon_page():
    """The pronunciation lexicon: how the narrator says particular terms."""
    form = LexiconForm()
    status = 200
    if form.validate_on_submit():
        try:
            lexicon.save_entry(form.term.data or "", form.spoken.data or "")
        except lexicon.LexiconInputError as exc:
            db.session.rollback()
            form.term.errors.append(str(exc))
            status = 422
        else:
            flash(_("Đã lưu vào từ điển phát âm; các bài có từ này sẽ được đọc lại."), "success")
            return redirect(url_for("editor.lexicon_page")), 303
    elif form.is_submitted():
        status = 422
    entries = db.session.scalars(select(LexiconEntry).order_by(LexiconEntry.term)).all()
    return render_template("editor/lexicon.html", form=form, entries=entries), status


@bp.post("/tu-dien/<int:entry_id>/xoa")
@admin_required
def lexicon_delete(entry_id: int):
    """Remove a lexicon entry."""
    entry = db.session.get(LexiconEntry, entry_id) or abort(404)
    lexicon.delete_entry(entry)
    flash(_("Đã xóa khỏi từ điển phát âm."), "success")
    return redirect(url_for("editor.lexicon_page")), 303


@bp.route("/chuyen-muc", methods=["GET", "POST"])
@admin_required
def sections_page():
    """Sections (chuyên mục): add, rename, order and hide them from the menu."""
    if request.method == "POST":  # CSRFProtect has checked the token already
        error = sections.apply_changes(request.form)
        if error:
            db.session.rollback()
            flash(error, "error")
            status = 422
        else:
            flash(_("Đã lưu các chuyên mục."), "success")
            return redirect(url_for("editor.sections_page")), 303
    else:
        status = 200
    rows = db.session.scalars(select(Category).order_by(Category.position, Category.name)).all()
    return render_template("editor/sections.html", categories=rows), status


@bp.route("/trang", methods=["GET", "POST"])
@bp.route("/trang/<int:page_id>", methods=["GET", "POST"])
@admin_required
def info_pages_page(page_id: int | None = None):
    """Info pages: list them, write a new one or edit one."""
    page = db.session.get(InfoPage, page_id) or abort(404) if page_id else None
    status = 200
    if request.method == "POST":  # CSRFProtect has checked the token already
        try:
            position = int(request.form.get("position", "0") or 0)
            page = info_pages.save_page(page, request.form.get("title", ""),
                                        request.form.get("body_html", ""), position,
                                        request.form.get("published") == "on")
        except (info_pages.InfoPageError, ValueError) as exc:
            db.session.rollback()
            message = str(exc) if isinstance(exc, info_pages.InfoPageError) else \
                _("Thứ tự phải là một số nguyên.")
            flash(message, "error")
            status = 422
        else:
            flash(_("Đã lưu trang."), "success")
            return redirect(url_for("editor.info_pages_page", page_id=page.id)), 303
    pages = db.session.scalars(select(InfoPage).order_by(InfoPage.position, InfoPage.title)).all()
    return render_template("editor/info_pages.html", pages=pages, page=page), status
