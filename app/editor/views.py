"""The newsroom: staff log in, write, publish and attach videos."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, login_manager
from ..models import (
    Article,
    Category,
    InfoPage,
    LexiconEntry,
    ListenSource,
    MediaAsset,
    MediaKind,
    Role,
    Unit,
    User,
)
from ..services import info_pages, lexicon, media_jobs, sections
from ..services.publishing import ArticleError, ArticleInput, read_cover, save_article, store_cover
from . import bp
from .forms import ArticleForm, LexiconForm, LoginForm, VideoForm

BAD_LOGIN = _l("Tên đăng nhập hoặc mật khẩu không đúng.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


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
    if current_user.role in (Role.editor, Role.admin):
        return True
    return current_user.unit_id is not None and article.unit_id == current_user.unit_id \
        and not article.is_published


def _article_or_404(article_id: int) -> Article:
    article = db.session.get(Article, article_id) or abort(404)
    if not can_edit(article):
        abort(403)
    return article


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    """Staff login; the message never says which field was wrong."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data))
        if user is not None and user.active and user.check_password(form.password.data or ""):
            login_user(user)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("editor.index")
            return redirect(target)
        flash(str(BAD_LOGIN), "error")
        return render_template("editor/login.html", form=form), 401
    return render_template("editor/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    logout_user()
    return redirect(url_for("public.home"))


@bp.get("/")
@staff_required
def index():
    """Articles the user may work on, newest first."""
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


@bp.route("/bai-viet/moi", methods=["GET", "POST"])
@bp.route("/bai-viet/<int:article_id>", methods=["GET", "POST"])
@staff_required
def edit(article_id: int | None = None):
    """Write or edit an article; 'Xuất bản' publishes it (editors only)."""
    article = _article_or_404(article_id) if article_id else None
    form = ArticleForm(obj=article)
    _fill_choices(form)
    if request.method == "GET" and article is not None:
        form.category_id.data = article.category_id or 0
        form.unit_id.data = article.unit_id or 0
        form.listen_source.data = article.listen_source.value
    if form.validate_on_submit():
        publish = bool(form.publish.data)
        if publish and not current_user.can_publish:
            abort(403)
        unit_id = form.unit_id.data or None
        if current_user.role is Role.contributor and unit_id != current_user.unit_id:
            abort(403)
        data = ArticleInput(
            title=form.title.data or "", lede=form.lede.data or "",
            body_html=form.body_html.data or "", author_name=form.author_name.data or "",
            cover_caption=form.cover_caption.data or "",
            category_id=form.category_id.data or None, unit_id=unit_id,
            listen_source=ListenSource(form.listen_source.data or "narration"))
        try:
            cover = read_cover(form.cover.data.stream) if form.cover.data else None
            article = save_article(article, data, current_user, publish=publish)
            if cover is not None:
                store_cover(article, cover)
        except ArticleError as exc:
            db.session.rollback()
            for field, message in exc.errors.items():
                getattr(form, field, form.title).errors.append(message)
            return render_template("editor/edit.html", form=form, article=article,
                                   video_form=VideoForm()), 422
        flash(_("Đã xuất bản bài viết.") if publish else _("Đã lưu bài viết."), "success")
        return redirect(url_for("editor.edit", article_id=article.id))
    status = 422 if form.is_submitted() else 200
    return render_template("editor/edit.html", form=form, article=article,
                           video_form=VideoForm()), status


@bp.post("/bai-viet/<int:article_id>/video")
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


def _on_asset(asset_id: int, action, message: str):
    """Run `action` on an asset the user may edit, then go back to its article."""
    asset = db.session.get(MediaAsset, asset_id) or abort(404)
    _article_or_404(asset.article_id)
    action(asset)
    flash(message, "success")
    return redirect(url_for("editor.edit", article_id=asset.article_id)), 303


@bp.post("/media/<int:asset_id>/thu-lai")
@staff_required
def retry_media(asset_id: int):
    """Queue a failed or finished media asset again."""
    return _on_asset(asset_id, media_jobs.retry, _("Đã đưa vào hàng đợi xử lý lại."))


@bp.post("/media/<int:asset_id>/huy")
@staff_required
def cancel_media(asset_id: int):
    """Stop a queued or running media job."""
    return _on_asset(asset_id, media_jobs.cancel, _("Đã hủy xử lý."))


@bp.get("/bai-viet/<int:article_id>/media.json")
@staff_required
def media_status(article_id: int):
    """Media states for the live panel on the edit page."""
    article = _article_or_404(article_id)
    return jsonify({kind.value: {"status": a.status.value, "progress": a.progress,
                                 "error": a.error or None}
                    for kind in MediaKind if (a := article.asset(kind.value)) is not None})


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
