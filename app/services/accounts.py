"""Staff accounts: password rules, login with lockout and a per-address limit, sessions that
end, users and units run by admins, and the API tokens units submit articles with.

The rules live here, not in User.set_password: the CLI and test fixtures set short passwords
on purpose, while every password a person chooses in the newsroom goes through here.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import ApiToken, Article, Role, StaffSession, Unit, User
from ..models.base import utcnow
from ..models.user import hash_method
from . import audit
from .errors import BadInput
from .infra import redis_conn
from .slugs import unique_slug

log = logging.getLogger(__name__)

PASSWORD_MIN_LENGTH = 10
# The passwords tried first by anyone guessing (leaked-password lists, and local favourites).
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1111111111", "0987654321", "123456789a",
    "a123456789", "password", "password1", "password12", "password123", "password1234",
    "qwertyuiop", "qwerty1234", "qwerty12345", "1q2w3e4r5t", "1qaz2wsx3edc", "abc1234567",
    "abcd123456", "iloveyou12", "admin12345", "admin123456", "administrator", "matkhau123",
    "matkhau1234", "matkhau12345", "vietnam123", "vietnam1234", "anhyeuem123", "anhyeuem1",
    "hoaan12345", "docnghexem1", "docnghexem123", "welcome123", "letmein123", "changeme123",
    "trustno1trustno1", "zaq12wsxcde", "passw0rd123",
})
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
TOKEN_PREFIX = "dnx"
# Session keys: when the login happened, when the user was last seen, and which password the
# session was opened with (a password reset ends the sessions opened before it).
SESSION_LOGIN_AT = "acct_login_at"
SESSION_SEEN_AT = "acct_seen_at"
SESSION_PASSWORD_STAMP = "acct_pw_stamp"
SESSION_TOKEN = "acct_sid"  # the StaffSession this browser holds
# Compared against when the user is unknown, so that answer takes as long as a wrong password.
@functools.cache
def _dummy_hash(method: str) -> str:
    """What a refused login is checked against: the same work as a real account's hash."""
    return generate_password_hash("khong-co-tai-khoan-nay", method=method)


# --- passwords ------------------------------------------------------------------------

def validate_password(password: str, username: str) -> list[str]:
    """What is wrong with `password` for `username`, in Vietnamese; empty when it is fine."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(_("Mật khẩu phải có ít nhất %(n)d ký tự.", n=PASSWORD_MIN_LENGTH))
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        problems.append(_("Mật khẩu phải có cả chữ cái và chữ số."))
    if username and username.strip().lower() in password.lower():
        problems.append(_("Mật khẩu không được chứa tên đăng nhập."))
    if password.lower() in COMMON_PASSWORDS:
        problems.append(_("Mật khẩu này quá phổ biến, dễ bị đoán; vui lòng chọn mật khẩu khác."))
    return problems


def set_new_password(user: User, password: str, by: User | None) -> None:
    """Give `user` a new password chosen by `by` (the user, or an admin resetting it).

    An admin's password is temporary: the user must choose their own at the next login.
    Raises BadInput(errors={"password": …}) when the rules are not met. Commits.
    """
    problems = validate_password(password, user.username)
    if problems:
        raise BadInput(errors={"password": " ".join(problems)})
    by_someone_else = by is not None and by.id != user.id
    user.set_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = by_someone_else
    end_sessions(user)  # a stolen or copied session ends with the old password
    if by_someone_else:
        user.failed_logins, user.locked_until = 0, None  # a reset also opens a locked account
        audit.record("user.password_reset", user,
                     _("Đặt lại mật khẩu cho %(u)s (phải đổi khi đăng nhập).", u=user.username),
                     user=by)
    db.session.commit()


def change_own_password(user: User, current: str, new: str, repeat: str) -> None:
    """The change-password page: the current password, then the new one twice. Commits."""
    errors = {}
    if not user.check_password(current):
        errors["current"] = _("Mật khẩu hiện tại không đúng.")
    if new != repeat:
        errors["repeat"] = _("Hai lần nhập mật khẩu mới không khớp.")
    elif new and user.check_password(new):
        errors["password"] = _("Mật khẩu mới phải khác mật khẩu hiện tại.")
    problems = validate_password(new, user.username)
    if problems:
        errors["password"] = " ".join(problems)
    if errors:
        raise BadInput(errors=errors)
    set_new_password(user, new, by=user)


# --- logging in -----------------------------------------------------------------------

@dataclass
class LoginResult:
    """The outcome of a login attempt: a user, or the HTTP status and message to show."""

    user: User | None = None
    status: int = 200
    message: str = ""


def bad_login_message() -> str:
    """The one answer to every refused login: a wrong password, an unknown user, an inactive
    account and a try made too soon all read the same, so none tells an attacker anything."""
    return _("Tên đăng nhập hoặc mật khẩu không đúng. Nếu đã nhập sai nhiều lần, vui lòng đợi "
             "một lát rồi thử lại.")


def _refused() -> LoginResult:
    return LoginResult(status=401, message=bad_login_message())


def authenticate(username: str, password: str, ip: str) -> LoginResult:
    """Check a login. Commits.

    Failures slow down the next try instead of locking anyone out: after LOGIN_FREE_FAILURES
    wrong passwords in a row, an account's next try waits a delay that doubles with each
    failure, up to LOGIN_ACCOUNT_MAX_DELAY (its owner waits a minute at most, an attacker gets
    one guess a minute); an address the same after LOGIN_IP_FREE_FAILURES failures, up to
    LOGIN_IP_MAX_DELAY. A try made before its time is refused unchecked, with the same answer
    and after the same work (one password hash) as a wrong password.
    """
    now = utcnow()
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    too_soon = _ip_wait_seconds(ip) > 0 or (user is not None and is_locked(user))
    if too_soon or user is None or not user.active:
        check_password_hash(_dummy_hash(hash_method()), password)
        _count_ip_failure(ip)
        # Written down like a wrong password (which costs the same write): the answer's time
        # tells nothing either.
        audit.record("login.failed", user, _("Đăng nhập bị từ chối (%(u)s).",
                                             u=username.strip()[:80]),
                     user=user, username=username.strip()[:80])
        db.session.commit()
        return _refused()
    if not user.check_password(password):
        _count_ip_failure(ip)
        _count_account_failure(user, now)
        return _refused()
    user.failed_logins, user.locked_until = 0, None
    user.last_login_at = now
    db.session.commit()
    return LoginResult(user=user)


def growing_delay(failures: int, free: int, base: float, cap: float) -> float:
    """Seconds to wait after `failures` in a row: none for the first `free`, then `base`,
    doubling, never more than `cap`."""
    over = failures - free
    if over <= 0:
        return 0.0
    return min(cap, base * 2 ** min(over - 1, 30))


def is_locked(user: User) -> bool:
    """Whether the account's next try must still wait (see authenticate)."""
    return user.locked_until is not None and user.locked_until > utcnow()


def _count_account_failure(user: User, now: datetime) -> None:
    cfg = current_app.config
    user.failed_logins = (user.failed_logins or 0) + 1
    audit.record("login.failed", user, _("Đăng nhập sai mật khẩu (%(n)d lần liên tiếp).",
                                         n=user.failed_logins),
                 user=user, failures=user.failed_logins)
    delay = growing_delay(user.failed_logins, int(cfg["LOGIN_FREE_FAILURES"]),
                          float(cfg["LOGIN_BASE_DELAY"]), float(cfg["LOGIN_ACCOUNT_MAX_DELAY"]))
    if delay:
        user.locked_until = now + timedelta(seconds=delay)
        if user.failed_logins == int(cfg["LOGIN_FREE_FAILURES"]) + 1:
            audit.record("login.throttled", user, _(
                "Đăng nhập vào %(u)s bị làm chậm sau nhiều lần sai mật khẩu.", u=user.username),
                user=user, failures=user.failed_logins)
    db.session.commit()


def _ip_key(ip: str) -> str:
    return f"login:failures:{ip or 'unknown'}"


def _ip_wait_key(ip: str) -> str:
    return f"login:wait:{ip or 'unknown'}"


def _ip_wait_seconds(ip: str) -> float:
    """Seconds this address must wait before its next try is checked; 0 when it may try now
    (or when Redis is down: logins go on, only this limit is skipped)."""
    try:
        ttl = redis_conn().pttl(_ip_wait_key(ip))
    except RedisError as exc:
        log.warning("login rate limit skipped, Redis unavailable: %s", exc)
        return 0.0
    return max(0, int(ttl or 0)) / 1000


def _count_ip_failure(ip: str) -> None:
    """One more failed login from this address (in a window started by the first); past the
    free ones, the address waits a growing delay before its next try."""
    cfg = current_app.config
    window = max(1, int(cfg["LOGIN_IP_WINDOW_SECONDS"]))
    try:
        conn = redis_conn()
        pipe = conn.pipeline()
        pipe.set(_ip_key(ip), 0, ex=window, nx=True)
        pipe.incr(_ip_key(ip))
        failures = int(pipe.execute()[1])
        delay = growing_delay(failures, int(cfg["LOGIN_IP_FREE_FAILURES"]),
                              float(cfg["LOGIN_BASE_DELAY"]), float(cfg["LOGIN_IP_MAX_DELAY"]))
        if delay:
            conn.set(_ip_wait_key(ip), failures, px=int(delay * 1000))
    except RedisError as exc:
        log.warning("login rate limit skipped, Redis unavailable: %s", exc)


def unlock(user: User, by: User) -> None:
    """An admin lets an account try again at once, whatever its failures. Commits."""
    user.locked_until, user.failed_logins = None, 0
    audit.record("user.unlock", user, _("Mở khóa tài khoản %(u)s.", u=user.username), user=by)
    db.session.commit()


# --- sessions -------------------------------------------------------------------------

def _password_stamp(user: User) -> float:
    # A number, not isoformat: the database may hand the time back in another zone.
    return user.password_changed_at.timestamp() if user.password_changed_at else 0.0


def _session_token_hash(token: object) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


SEEN_EVERY = timedelta(minutes=1)  # how often a busy session's row is written to


def start_session(session: MutableMapping[str, Any], user: User, now: datetime | None = None,
                  ip: str = "", user_agent: str = "") -> None:
    """A new login: its row on the server (StaffSession) and its token in the cookie; also
    when it began (see session_expired). Commits."""
    moment = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=_session_token_hash(token), user_id=user.id,
                                created_at=moment, last_seen_at=moment, ip=(ip or "")[:64],
                                user_agent=(user_agent or "")[:200]))
    db.session.commit()
    session[SESSION_TOKEN] = token
    session[SESSION_LOGIN_AT] = moment.timestamp()
    session[SESSION_SEEN_AT] = moment.timestamp()
    session[SESSION_PASSWORD_STAMP] = _password_stamp(user)


def keep_session_after_password_change(session: MutableMapping[str, Any], user: User,
                                       ip: str = "", user_agent: str = "") -> None:
    """The user changed their own password: every session ended with it (a copied cookie of
    this one too); this browser goes on in a new one."""
    start_session(session, user, ip=ip, user_agent=user_agent)


def end_sessions(user: User) -> int:
    """Every open session of `user` ends (on its next request). Not committed."""
    result = db.session.execute(sql_delete(StaffSession).where(StaffSession.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


def session_expired(session: MutableMapping[str, Any], user: User,
                    now: datetime | None = None) -> bool:
    """Whether a logged-in session has ended: its row is gone from the server (logged out,
    password changed or reset, account deactivated), idle for SESSION_IDLE_MINUTES, older than
    SESSION_MAX_HOURS, or the account is inactive. Otherwise it is marked as seen now."""
    cfg = current_app.config
    moment = now or utcnow()
    login_at = session.get(SESSION_LOGIN_AT)
    seen_at = session.get(SESSION_SEEN_AT, login_at)
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        return True  # a session from before these rules: log in again once
    if moment.timestamp() - login_at > float(cfg["SESSION_MAX_HOURS"]) * 3600 \
            or moment.timestamp() - seen_at > float(cfg["SESSION_IDLE_MINUTES"]) * 60 \
            or session.get(SESSION_PASSWORD_STAMP) != _password_stamp(user) \
            or not user.active:
        return True
    row = db.session.scalar(select(StaffSession).where(
        StaffSession.token_hash == _session_token_hash(session.get(SESSION_TOKEN, "")),
        StaffSession.user_id == user.id))
    if row is None:
        return True
    if moment - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = moment
        db.session.commit()
    session[SESSION_SEEN_AT] = moment.timestamp()
    return False


def end_stale_sessions(now: datetime | None = None) -> int:
    """Forget sessions past their end (SESSION_MAX_HOURS after login, or idle too long): the
    browsers that held them were told to log in again anyway. Commits."""
    cfg = current_app.config
    moment = now or utcnow()
    result = db.session.execute(sql_delete(StaffSession).where(
        (StaffSession.created_at < moment - timedelta(hours=float(cfg["SESSION_MAX_HOURS"])))
        | (StaffSession.last_seen_at < moment - timedelta(
            minutes=float(cfg["SESSION_IDLE_MINUTES"])))))
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def end_session(session: MutableMapping[str, Any]) -> None:
    """This browser's session ends, on the server too. Commits."""
    token = session.get(SESSION_TOKEN)
    if token:
        db.session.execute(sql_delete(StaffSession).where(
            StaffSession.token_hash == _session_token_hash(token)))
        db.session.commit()
    for key in (SESSION_TOKEN, SESSION_LOGIN_AT, SESSION_SEEN_AT, SESSION_PASSWORD_STAMP):
        session.pop(key, None)


# --- users ----------------------------------------------------------------------------

@dataclass
class UserInput:
    username: str = ""
    full_name: str = ""
    role: str = Role.contributor.value
    unit_id: int | None = None
    active: bool = True
    password: str = ""

    @classmethod
    def from_form(cls, form: Any) -> UserInput:
        try:
            unit_id = int(form.get("unit_id") or 0) or None
        except ValueError:
            unit_id = None
        return cls(username=(form.get("username") or "").strip().lower(),
                   full_name=(form.get("full_name") or "").strip(),
                   role=form.get("role") or "", unit_id=unit_id,
                   active=form.get("active") == "on", password=form.get("password") or "")

    @classmethod
    def from_user(cls, user: User) -> UserInput:
        return cls(username=user.username, full_name=user.full_name, role=user.role.value,
                   unit_id=user.unit_id, active=user.active)


def _check_role_and_unit(data: UserInput, errors: dict[str, str]) -> tuple[Role | None,
                                                                             Unit | None]:
    role = next((r for r in Role if r.value == data.role), None)
    if role is None:
        errors["role"] = _("Vai trò không hợp lệ.")
    unit = db.session.get(Unit, data.unit_id) if data.unit_id else None
    if data.unit_id and unit is None:
        errors["unit_id"] = _("Đơn vị không tồn tại.")
    elif role is Role.contributor and unit is None:
        errors["unit_id"] = _("Cộng tác viên phải thuộc một đơn vị.")
    if len(data.full_name) > 120:
        errors["full_name"] = _("Họ tên tối đa 120 ký tự.")
    return role, unit


def create_user(data: UserInput, by: User) -> User:
    """A new staff account with a temporary password (changed at first login). Commits."""
    errors: dict[str, str] = {}
    if not USERNAME_PATTERN.match(data.username):
        errors["username"] = _("Tên đăng nhập gồm 3–80 ký tự: chữ thường không dấu, số, "
                               "dấu chấm, gạch dưới hoặc gạch ngang.")
    elif db.session.scalar(select(User.id).where(User.username == data.username)):
        errors["username"] = _("Tên đăng nhập này đã có người dùng.")
    role, unit = _check_role_and_unit(data, errors)
    problems = validate_password(data.password, data.username)
    if problems:
        errors["password"] = " ".join(problems)
    if errors or role is None:
        raise BadInput(errors=errors)
    user = User(username=data.username, full_name=data.full_name, role=role, unit=unit,
                active=True, must_change_password=True, password_changed_at=utcnow())
    user.set_password(data.password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, _("Tạo tài khoản %(u)s (%(r)s).", u=user.username,
                                        r=role_label(role)), user=by, role=role.value,
                 unit_id=unit.id if unit else None)
    db.session.commit()
    return user


def update_user(user: User, data: UserInput, by: User) -> User:
    """Change a user's name, role, unit or active flag. An admin cannot demote or deactivate
    themselves (the site would risk having no admin left). Commits."""
    errors: dict[str, str] = {}
    role, unit = _check_role_and_unit(data, errors)
    if user.id == by.id and role is not None and role is not Role.admin:
        errors["role"] = _("Bạn không thể tự hạ vai trò quản trị của chính mình.")
    if user.id == by.id and not data.active:
        errors["active"] = _("Bạn không thể tự khóa tài khoản của chính mình.")
    if errors or role is None:
        raise BadInput(errors=errors)
    if role is not user.role:
        audit.record("user.role", user, _("Đổi vai trò của %(u)s: %(a)s → %(b)s.",
                                          u=user.username, a=role_label(user.role),
                                          b=role_label(role)),
                     user=by, old=user.role.value, new=role.value)
        user.role = role
    changes = _plain_changes(user, data, unit)
    if changes:
        audit.record("user.edit", user, _("Sửa tài khoản %(u)s: %(c)s.", u=user.username,
                                          c=", ".join(_change_words(c, data) for c in changes)),
                     user=by, changed=changes)
        user.full_name, user.unit, user.active = data.full_name, unit, data.active
        if not user.active:
            end_sessions(user)
    db.session.commit()
    return user


def _plain_changes(user: User, data: UserInput, unit: Unit | None) -> list[str]:
    changes = []
    if user.full_name != data.full_name:
        changes.append("full_name")
    if user.unit_id != (unit.id if unit else None):
        changes.append("unit")
    if user.active != data.active:
        changes.append("active")
    return changes


def _change_words(change: str, data: UserInput) -> str:
    """One change to an account as the audit log's summary says it."""
    if change == "active":
        return _("mở lại tài khoản") if data.active else _("ngừng hoạt động tài khoản")
    return {"full_name": _("đổi họ tên"), "unit": _("đổi đơn vị")}.get(change, change)


def role_label(role: Role) -> str:
    return {Role.contributor: _("Cộng tác viên"), Role.editor: _("Biên tập viên"),
            Role.admin: _("Quản trị")}[role]


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


# --- units ----------------------------------------------------------------------------

@dataclass
class UnitRow:
    unit: Unit
    users: int
    articles: int


def units_with_counts() -> list[UnitRow]:
    users = (select(User.unit_id, func.count(User.id).label("n"))
             .group_by(User.unit_id).subquery())
    articles = (select(Article.unit_id, func.count(Article.id).label("n"))
                .group_by(Article.unit_id).subquery())
    rows = db.session.execute(
        select(Unit, func.coalesce(users.c.n, 0), func.coalesce(articles.c.n, 0))
        .outerjoin(users, users.c.unit_id == Unit.id)
        .outerjoin(articles, articles.c.unit_id == Unit.id)
        .order_by(Unit.name))
    return [UnitRow(unit, int(n_users), int(n_articles)) for unit, n_users, n_articles in rows]


def _check_unit_name(name: str, unit: Unit | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise BadInput(errors={"name": _("Tên đơn vị không được để trống.")})
    if len(name) > 200:
        raise BadInput(errors={"name": _("Tên đơn vị tối đa 200 ký tự.")})
    # Compared here, not in SQL: SQLite's lower() leaves Vietnamese capitals (Đ, Ở…) alone.
    folded = name.casefold()
    for other_id, other_name in db.session.execute(select(Unit.id, Unit.name)):
        if other_name.casefold() == folded and (unit is None or other_id != unit.id):
            raise BadInput(errors={"name": _("Đã có đơn vị mang tên này.")})
    return name


def _add_unit(name: str, by: User | None, actor: str = "") -> Unit:
    """The one way a unit is made: a checked name, a unique slug and an audit entry (not
    committed here)."""
    name = _check_unit_name(name, None)
    unit = Unit(name=name, slug=unique_slug(Unit, name, "don-vi"))
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", unit, _("Tạo đơn vị %(n)s.", n=name), user=by, username=actor)
    return unit


def create_unit(name: str, by: User) -> Unit:
    """An admin's new unit (committed)."""
    unit = _add_unit(name, by)
    db.session.commit()
    return unit


def unit_named(name: str, actor: str = "import") -> Unit:
    """The unit called `name` (letter case aside), made if there is none yet: for imports,
    the demo and the schedule, which name units rather than pick them. Not committed."""
    folded = " ".join(name.split()).casefold()
    for unit in db.session.scalars(select(Unit)):
        if unit.name.casefold() == folded:
            return unit
    return _add_unit(name, None, actor)


def rename_unit(unit: Unit, name: str, by: User) -> Unit:
    """A new name; the slug stays, so links and filters that name the unit keep working."""
    name = _check_unit_name(name, unit)
    if name != unit.name:
        audit.record("unit.edit", unit, _("Đổi tên đơn vị: %(a)s → %(b)s.", a=unit.name, b=name),
                     user=by, old=unit.name, new=name)
        unit.name = name
        db.session.commit()
    return unit


# --- API tokens -----------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(unit: Unit, name: str, by: User) -> tuple[ApiToken, str]:
    """A new token for `unit`: the row, and the full token, which is shown once and never
    stored (only its hash is). Commits."""
    name = " ".join(name.split())
    if not name:
        raise BadInput(errors={"token_name": _("Vui lòng đặt tên cho mã API (ví dụ: tên hệ thống "
                                            "sẽ dùng nó).")})
    if len(name) > 120:
        raise BadInput(errors={"token_name": _("Tên mã API tối đa 120 ký tự.")})
    prefix = secrets.token_hex(4)  # hex: never contains the "_" that separates the parts
    full = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(unit_id=unit.id, name=name, prefix=prefix, token_hash=_token_hash(full),
                     created_by_id=by.id)
    db.session.add(token)
    db.session.flush()
    audit.record("token.create", token, _("Tạo mã API %(p)s (%(n)s) cho đơn vị %(u)s.",
                                          p=prefix, n=name, u=unit.name),
                 user=by, unit_id=unit.id)
    db.session.commit()
    return token, full


def revoke_token(token: ApiToken, by: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("token.revoke", token, _("Thu hồi mã API %(p)s (%(n)s) của đơn vị %(u)s.",
                                              p=token.prefix, n=token.name, u=token.unit.name),
                     user=by, unit_id=token.unit_id)
        db.session.commit()


def tokens_by_unit() -> dict[int, list[ApiToken]]:
    grouped: dict[int, list[ApiToken]] = {}
    for token in db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())):
        grouped.setdefault(token.unit_id, []).append(token)
    return grouped


def token_from_header(authorization: str) -> ApiToken | None:
    """The live token an `Authorization: Bearer …` header carries; None if unknown/revoked."""
    scheme, _sep, value = (authorization or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(f"{TOKEN_PREFIX}_"):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(value)))
    if token is None or token.revoked_at is not None:
        return None
    return token
