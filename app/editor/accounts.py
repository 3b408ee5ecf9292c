"""Editor pages for accounts: one's own password, and the admin's users, units and API tokens.
Also the hooks that end expired sessions and hold back users who must change their password."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, Role, Unit, User
from ..services import accounts
from ..services.errors import BadInput
from ..urls import safe_next
from . import bp
from .access import admin_required, staff_required

# Pages a user who must change their password may still reach.
OPEN_WHILE_PASSWORD_MUST_CHANGE = {"editor.change_password", "editor.logout", "editor.login"}


def _safe_next(default: str) -> str:
    return safe_next(request.values.get("next"), default)


@bp.before_app_request
def end_expired_session():
    """Log out a session that was idle too long, is too old, or whose password changed."""
    if request.endpoint in ("static", "editor.login") \
            or current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None  # readers without a session are never touched (their pages are cached)
    if not current_user.is_authenticated or not accounts.session_expired(session, current_user):
        return None
    logout_user()
    accounts.end_session(session)
    if request.blueprint != "editor":
        return None  # elsewhere the request goes on as a reader's
    flash(_("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."), "warning")
    next_url = request.full_path.rstrip("?") if request.method == "GET" else ""
    return redirect(url_for("editor.login", next=next_url or None))


@bp.before_request
def require_new_password():
    """A temporary password (set by an admin, or at creation) opens only the change page."""
    if request.endpoint in OPEN_WHILE_PASSWORD_MUST_CHANGE or not current_user.is_authenticated:
        return None
    if current_user.must_change_password:
        next_url = request.full_path.rstrip("?") if request.method == "GET" else ""
        return redirect(url_for("editor.change_password", next=next_url or None))
    return None


# --- one's own password ---------------------------------------------------------------

@bp.route("/mat-khau", methods=["GET", "POST"])
@staff_required
def change_password():
    """Change one's own password: the current one, then the new one twice."""
    errors: dict[str, str] = {}
    if request.method == "POST":  # CSRFProtect has checked the token already
        user = current_user._get_current_object()
        try:
            accounts.change_own_password(user, request.form.get("current", ""),
                                         request.form.get("password", ""),
                                         request.form.get("repeat", ""))
        except BadInput as exc:
            errors = exc.errors
        else:
            accounts.keep_session_after_password_change(
                session, user, ip=request.remote_addr or "", user_agent=request.user_agent.string)
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(_safe_next(url_for("editor.index")), 303)
    return render_template("editor/password.html", errors=errors,
                           next_url=_safe_next("")), 422 if errors else 200


# --- users ----------------------------------------------------------------------------

def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))


def _user_form(user: User | None, form: accounts.UserInput, errors: dict[str, str],
               status: int = 200):
    return render_template("editor/users_form.html", user=user, form=form, errors=errors,
                           units=_units(), roles=list(Role), role_label=accounts.role_label,
                           is_locked=accounts.is_locked), status


@bp.get("/nguoi-dung")
@admin_required
def users_page():
    """Every staff account: role, unit, whether active or locked, last login."""
    return render_template("editor/users.html", users=accounts.all_users(),
                           role_label=accounts.role_label, is_locked=accounts.is_locked)


@bp.route("/nguoi-dung/moi", methods=["GET", "POST"])
@admin_required
def user_new():
    """A new account with a temporary password the user changes at first login."""
    form = accounts.UserInput()
    if request.method == "POST":
        form = accounts.UserInput.from_form(request.form)
        try:
            user = accounts.create_user(form, by=current_user._get_current_object())
        except BadInput as exc:
            return _user_form(None, form, exc.errors, 422)
        flash(_("Đã tạo tài khoản %(u)s; người dùng sẽ phải đổi mật khẩu khi đăng nhập.",
                u=user.username), "success")
        return redirect(url_for("editor.users_page"), 303)
    return _user_form(None, form, {})


@bp.route("/nguoi-dung/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Change a user's name, role, unit, or whether the account is active."""
    user = db.session.get(User, user_id) or abort(404)
    form = accounts.UserInput.from_user(user)
    if request.method == "POST":
        form = accounts.UserInput.from_form(request.form)
        form.username = user.username  # not editable: the audit log names people by it
        try:
            accounts.update_user(user, form, by=current_user._get_current_object())
        except BadInput as exc:
            return _user_form(user, form, exc.errors, 422)
        flash(_("Đã lưu tài khoản %(u)s.", u=user.username), "success")
        return redirect(url_for("editor.users_page"), 303)
    return _user_form(user, form, {})


@bp.post("/nguoi-dung/<int:user_id>/dat-lai-mat-khau")
@admin_required
def user_reset_password(user_id: int):
    """The admin gives a temporary password; the user must change it at the next login."""
    user = db.session.get(User, user_id) or abort(404)
    try:
        accounts.set_new_password(user, request.form.get("password", ""),
                                  by=current_user._get_current_object())
    except BadInput as exc:
        return _user_form(user, accounts.UserInput.from_user(user), exc.errors, 422)
    if user.id == current_user.id:
        accounts.keep_session_after_password_change(session, user)
    flash(_("Đã đặt lại mật khẩu cho %(u)s.", u=user.username), "success")
    return redirect(url_for("editor.user_edit", user_id=user.id), 303)


@bp.post("/nguoi-dung/<int:user_id>/mo-khoa")
@admin_required
def user_unlock(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    accounts.unlock(user, by=current_user._get_current_object())
    flash(_("Đã mở khóa tài khoản %(u)s.", u=user.username), "success")
    return redirect(url_for("editor.users_page"), 303)


# --- units and their API tokens -------------------------------------------------------

def _units_page(errors: dict[str, str] | None = None, status: int = 200,
                new_token: str = "", new_token_unit: int | None = None, name: str = ""):
    return render_template("editor/units.html", rows=accounts.units_with_counts(),
                           tokens=accounts.tokens_by_unit(), errors=errors or {},
                           new_token=new_token, new_token_unit=new_token_unit,
                           name=name), status


@bp.route("/don-vi", methods=["GET", "POST"])
@admin_required
def units_page():
    """Units with how many users and articles each has; add a unit."""
    if request.method == "POST":
        name = request.form.get("name", "")
        try:
            unit = accounts.create_unit(name, by=current_user._get_current_object())
        except BadInput as exc:
            return _units_page(exc.errors, 422, name=name)
        flash(_("Đã thêm đơn vị %(n)s.", n=unit.name), "success")
        return redirect(url_for("editor.units_page"), 303)
    return _units_page()


@bp.post("/don-vi/<int:unit_id>")
@admin_required
def unit_rename(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    try:
        accounts.rename_unit(unit, request.form.get("name", ""),
                             by=current_user._get_current_object())
    except BadInput as exc:
        flash(next(iter(exc.errors.values())), "error")
        return _units_page(status=422)
    flash(_("Đã lưu tên đơn vị."), "success")
    return redirect(url_for("editor.units_page"), 303)


@bp.post("/don-vi/<int:unit_id>/ma-api")
@admin_required
def token_create(unit_id: int):
    """A new API token, shown in full on this one page and never again."""
    unit = db.session.get(Unit, unit_id) or abort(404)
    try:
        _token, full = accounts.create_token(unit, request.form.get("token_name", ""),
                                             by=current_user._get_current_object())
    except BadInput as exc:
        flash(next(iter(exc.errors.values())), "error")
        return _units_page(status=422)
    # Rendered, not redirected: a flash would keep the token in the (signed, not secret)
    # session cookie.
    return _units_page(new_token=full, new_token_unit=unit.id)


@bp.post("/ma-api/<int:token_id>/thu-hoi")
@admin_required
def token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    accounts.revoke_token(token, by=current_user._get_current_object())
    flash(_("Đã thu hồi mã API %(p)s; hệ thống dùng mã này không gửi bài được nữa.",
            p=token.prefix), "success")
    return redirect(url_for("editor.units_page"), 303)
