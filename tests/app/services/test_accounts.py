"""Staff accounts: password rules, login throttling per account and per address, sessions
that end, temporary passwords, and the admin's users, units and API tokens pages."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, AuditEntry, Role, Unit, User
from app.models.base import utcnow
from app.services import accounts
from app.services.accounts import unit_named
from app.services.errors import BadInput
from app.services.infra import connect_redis
from tests.conftest import csrf_token

GOOD_PASSWORD = "Hoa-sen-2026-mua-thu"
BAD_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."


def use(client):
    """Make `client` the one whose requests follow. Every request of a test runs in the
    test's one app context, so what Flask-WTF and Flask-Login keep per request in `g` (the
    CSRF token, the logged-in user) would pass from one client to the next: drop it."""
    g.pop("csrf_token", None)
    g.pop("_login_user", None)
    return client


def try_login(client, username, password, ip="127.0.0.1"):
    token = csrf_token(use(client), "/bien-tap/dang-nhap")
    return client.post("/bien-tap/dang-nhap", data={
        "username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip})


def post(client, url, **data):
    """A staff form post, with a CSRF token from a page every staff member may open."""
    data["csrf_token"] = csrf_token(use(client), "/bien-tap/mat-khau")
    return client.post(url, data=data)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def logged_in(client) -> bool:
    return use(client).get("/bien-tap/").status_code == 200


# --- password rules -------------------------------------------------------------------

def test_password_rules_name_every_problem_in_vietnamese(app):
    assert accounts.validate_password(GOOD_PASSWORD, "bientap") == []
    assert accounts.validate_password("ngan1", "bientap") == [
        "Mật khẩu phải có ít nhất 10 ký tự."]
    assert accounts.validate_password("chi-co-chu-cai", "bientap") == [
        "Mật khẩu phải có cả chữ cái và chữ số."]
    assert accounts.validate_password("0123456789012", "bientap") == [
        "Mật khẩu phải có cả chữ cái và chữ số."]
    assert accounts.validate_password("BienTap2026xyz", "bientap") == [
        "Mật khẩu không được chứa tên đăng nhập."]
    assert accounts.validate_password("Password123", "bientap") == [
        "Mật khẩu này quá phổ biến, dễ bị đoán; vui lòng chọn mật khẩu khác."]
    assert len(accounts.validate_password("abc", "abc")) == 3


def test_a_password_set_by_oneself_clears_the_must_change_flag(app, make_user):
    user = make_user("bientap")
    user.must_change_password = True
    accounts.set_new_password(user, GOOD_PASSWORD, by=user)
    assert user.must_change_password is False and user.password_changed_at is not None
    assert user.check_password(GOOD_PASSWORD)
    with pytest.raises(BadInput):
        accounts.set_new_password(user, "ngan", by=user)
    assert user.check_password(GOOD_PASSWORD)


# --- throttling, never a lock ------------------------------------------------------------

def test_wrong_passwords_slow_an_account_down_with_growing_delays(client, make_user):
    """Five free tries, then each failure makes the next try wait twice as long (2 s, 4 s, …);
    a try made too soon is refused unchecked — even with the right password — and reads
    exactly like a wrong password."""
    user = make_user("bientap", "mat-khau-dung")
    answers = set()
    for _attempt in range(5):
        response = try_login(client, "bientap", "sai-mat-khau")
        assert response.status_code == 401
        answers.add(response.get_data(as_text=True).count(BAD_LOGIN))
        db.session.refresh(user)
        assert user.locked_until is None  # the free tries wait for nothing
    response = try_login(client, "bientap", "sai-mat-khau")  # the sixth: 2 s to wait
    db.session.refresh(user)
    wait = (user.locked_until - utcnow()).total_seconds()
    assert 0 < wait <= 2
    throttled = try_login(client, "bientap", "mat-khau-dung")  # the right one, too soon
    assert throttled.status_code == 401 and BAD_LOGIN in throttled.get_data(as_text=True)
    assert not logged_in(client)
    db.session.refresh(user)
    assert user.failed_logins == 6  # an unchecked try is not counted against the owner
    try_login_after = user.locked_until
    user.locked_until = utcnow() - timedelta(seconds=1)  # the 2 s have passed
    db.session.commit()
    assert try_login(client, "bientap", "sai-mat-khau").status_code == 401  # the seventh
    db.session.refresh(user)
    assert 2 < (user.locked_until - utcnow()).total_seconds() <= 4
    assert try_login_after is not None
    assert audit_actions().count("login.failed") == 8  # the try made too soon is written too
    assert audit_actions().count("login.throttled") == 1


def test_the_delay_never_grows_past_a_minute_so_the_owner_gets_back_in(client, make_user):
    user = make_user("bientap", "mat-khau-dung")
    user.failed_logins = 40  # an attacker has been at it all day
    db.session.commit()
    assert try_login(client, "bientap", "sai").status_code == 401
    db.session.refresh(user)
    assert (user.locked_until - utcnow()).total_seconds() <= 60
    user.locked_until = utcnow() - timedelta(seconds=1)  # a minute later
    db.session.commit()
    assert try_login(client, "bientap", "mat-khau-dung").status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None
    assert user.last_login_at is not None


def test_an_unknown_username_gets_the_same_message_and_slows_no_one(client, make_user):
    make_user("bientap", "mat-khau-dung")
    for _attempt in range(6):
        response = try_login(client, "khong-ai-ca", "mat-khau-dung")
        assert response.status_code == 401
        assert BAD_LOGIN in response.get_data(as_text=True)
    assert try_login(client, "bientap", "mat-khau-dung").status_code == 302


def test_an_admin_lets_a_slowed_account_try_again_at_once(app, login, make_user):
    user = make_user("phongvien", "mat-khau-dung")
    user.locked_until = utcnow() + timedelta(minutes=1)
    user.failed_logins = 9
    db.session.commit()
    admin = login("quantri", Role.admin)
    page = admin.get("/bien-tap/nguoi-dung").get_data(as_text=True)
    assert "Làm chậm đến" in page and "Mở khóa" in page
    response = post(admin, f"/bien-tap/nguoi-dung/{user.id}/mo-khoa")
    assert response.status_code == 303
    assert "user.unlock" in audit_actions()
    assert try_login(app.test_client(), "phongvien", "mat-khau-dung").status_code == 302


# --- per-address limit ----------------------------------------------------------------

def test_failed_logins_from_one_address_slow_it_down_and_successful_ones_never(
        client, make_user, monkeypatch, app):
    monkeypatch.setitem(app.config, "LOGIN_IP_FREE_FAILURES", 3)
    make_user("bientap", "mat-khau-dung")
    for _attempt in range(6):  # more successes than the limit: none of them count
        assert try_login(app.test_client(), "bientap", "mat-khau-dung").status_code == 302
    for name in ("mot", "hai", "ba"):
        assert try_login(client, name, "sai").status_code == 401
    assert try_login(client, "bon", "sai").status_code == 401  # the fourth: now it waits
    response = try_login(client, "bientap", "mat-khau-dung")
    assert response.status_code == 401  # too soon: refused like any wrong password
    assert BAD_LOGIN in response.get_data(as_text=True)
    assert not logged_in(client)
    # Another address is not held back.
    assert try_login(client, "bientap", "mat-khau-dung", ip="10.0.0.9").status_code == 302


def test_behind_a_proxy_each_readers_own_address_is_counted(app_config, make_user):
    """With TRUSTED_PROXIES=1 (nginx in front), one reader's failures slow down that reader,
    not everyone arriving through the proxy; the audit log has the reader's address."""
    from app import create_app

    class BehindProxy(app_config):
        TRUSTED_PROXIES = 1
        LOGIN_IP_FREE_FAILURES = 2

    proxied = create_app(BehindProxy)
    make_user("bientap", "mat-khau-dung")

    def attempt(password: str, reader: str) -> int:
        client = proxied.test_client()
        page = client.get("/bien-tap/dang-nhap").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return client.post("/bien-tap/dang-nhap", headers={"X-Forwarded-For": reader},
                           data={"username": "bientap", "password": password,
                                 "csrf_token": token}).status_code

    assert [attempt("sai", "203.0.113.7") for _ in range(3)] == [401, 401, 401]
    assert attempt("mat-khau-dung", "203.0.113.7") == 401  # that reader now waits
    assert attempt("mat-khau-dung", "198.51.100.4") == 302  # another reader, same proxy
    addresses = set(db.session.scalars(select(AuditEntry.ip).where(
        AuditEntry.action == "login.failed")))
    assert addresses == {"203.0.113.7"}


def test_logins_go_on_when_redis_is_down(client, make_user, monkeypatch):
    dead = connect_redis("redis://127.0.0.1:1/0")  # the project's own client, Redis down
    monkeypatch.setattr(accounts, "redis_conn", lambda: dead)
    make_user("bientap", "mat-khau-dung")
    assert try_login(client, "bientap", "sai").status_code == 401
    assert try_login(client, "bientap", "mat-khau-dung").status_code == 302


# --- sessions -------------------------------------------------------------------------

def test_a_login_session_is_permanent_and_bounded_by_the_idle_time(app, login):
    client = login()
    assert app.permanent_session_lifetime == timedelta(minutes=120)
    with client.session_transaction() as sess:
        assert sess.permanent
        sess[accounts.SESSION_SEEN_AT] = (utcnow() - timedelta(minutes=119)).timestamp()
    assert logged_in(client)  # 119 minutes idle: still fine, and the clock starts again
    with client.session_transaction() as sess:
        assert sess[accounts.SESSION_SEEN_AT] > (utcnow() - timedelta(minutes=1)).timestamp()
        sess[accounts.SESSION_SEEN_AT] = (utcnow() - timedelta(minutes=121)).timestamp()
    response = client.get("/bien-tap/bai-viet/moi")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/bien-tap/dang-nhap")
    assert EXPIRED in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not logged_in(client)


def test_a_session_ends_twelve_hours_after_login_however_busy(login):
    client = login()
    with client.session_transaction() as sess:
        sess[accounts.SESSION_LOGIN_AT] = (utcnow() - timedelta(hours=12, minutes=1)).timestamp()
    response = client.get("/bien-tap/", follow_redirects=True)
    assert EXPIRED in response.get_data(as_text=True)
    assert not logged_in(client)


def test_a_password_reset_ends_the_users_open_sessions(app, login, make_user):
    user = make_user("phongvien", "mat-khau-dung", role=Role.editor)
    admin = login("quantri", Role.admin)
    other = app.test_client()
    assert try_login(other, "phongvien", "mat-khau-dung").status_code == 302
    assert logged_in(other)
    post(admin, f"/bien-tap/nguoi-dung/{user.id}/dat-lai-mat-khau", password=GOOD_PASSWORD)
    assert not logged_in(other)
    assert logged_in(admin)


# --- temporary passwords and one's own password ---------------------------------------

def test_a_user_with_a_temporary_password_must_change_it_before_anything_else(app, make_user):
    user = make_user("phongvien", "mat-khau-tam-1", role=Role.editor)
    user.must_change_password = True
    db.session.commit()
    client = app.test_client()
    assert try_login(client, "phongvien", "mat-khau-tam-1").status_code == 302
    for url in ("/bien-tap/", "/bien-tap/bai-viet/moi", "/bien-tap/binh-luan"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/bien-tap/mat-khau")
    page = client.get("/bien-tap/mat-khau").get_data(as_text=True)
    assert "mật khẩu tạm thời" in page

    response = post(client, "/bien-tap/mat-khau?next=/bien-tap/bai-viet/moi",
                    current="mat-khau-tam-1", password=GOOD_PASSWORD, repeat=GOOD_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/bien-tap/bai-viet/moi"
    assert logged_in(client)  # the session that changed the password goes on
    db.session.refresh(user)
    assert not user.must_change_password and user.check_password(GOOD_PASSWORD)


@pytest.mark.parametrize(("fields", "message"), [
    ({"current": "sai-roi", "password": GOOD_PASSWORD, "repeat": GOOD_PASSWORD},
     "Mật khẩu hiện tại không đúng."),
    ({"current": "mat-khau-dung", "password": GOOD_PASSWORD, "repeat": GOOD_PASSWORD + "x"},
     "Hai lần nhập mật khẩu mới không khớp."),
    ({"current": "mat-khau-dung", "password": "ngan1", "repeat": "ngan1"},
     "Mật khẩu phải có ít nhất 10 ký tự."),
    ({"current": "mat-khau-dung", "password": "bientap12345", "repeat": "bientap12345"},
     "Mật khẩu không được chứa tên đăng nhập."),
])
def test_changing_ones_password_refuses_bad_input(login, fields, message):
    client = login("bientap", Role.contributor, unit_named("Sở Y tế"))
    response = post(client, "/bien-tap/mat-khau", **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "bientap"))
    assert user.check_password("mat-khau-dung")


# --- users ----------------------------------------------------------------------------

def test_an_admin_creates_a_user_with_a_temporary_password(app, login):
    unit = unit_named("Sở Y tế")
    db.session.commit()
    admin = login("quantri", Role.admin)
    response = post(admin, "/bien-tap/nguoi-dung/moi", username="ctv.soyte",
                    full_name="Nguyễn Thị Hoa", role="contributor", unit_id=str(unit.id),
                    password=GOOD_PASSWORD)
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.username == "ctv.soyte"))
    assert user.role is Role.contributor and user.unit_id == unit.id
    assert user.must_change_password and user.check_password(GOOD_PASSWORD)
    assert "user.create" in audit_actions()
    page = admin.get("/bien-tap/nguoi-dung").get_data(as_text=True)
    assert "ctv.soyte" in page and "Sở Y tế" in page and "Cộng tác viên" in page
    assert "Phải đổi mật khẩu" in page

    client = app.test_client()
    assert try_login(client, "ctv.soyte", GOOD_PASSWORD).status_code == 302
    assert client.get("/bien-tap/").headers["Location"].startswith("/bien-tap/mat-khau")


@pytest.mark.parametrize(("fields", "message"), [
    ({"username": "ctv", "role": "contributor", "unit_id": "0"},
     "Cộng tác viên phải thuộc một đơn vị."),
    ({"username": "ctv", "role": "editor", "password": "ngan1"},
     "Mật khẩu phải có ít nhất 10 ký tự."),
    ({"username": "quantri", "role": "editor"}, "Tên đăng nhập này đã có người dùng."),
    ({"username": "Có Dấu", "role": "editor"}, "Tên đăng nhập gồm 3–80 ký tự"),
    ({"username": "ctv", "role": "sieu-nhan"}, "Vai trò không hợp lệ."),
])
def test_creating_a_user_refuses_bad_input(login, fields, message):
    admin = login("quantri", Role.admin)
    data = {"full_name": "", "unit_id": "0", "password": GOOD_PASSWORD, **fields}
    response = post(admin, "/bien-tap/nguoi-dung/moi", **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_an_admin_changes_role_unit_and_active_with_an_audit_trail(app, login, make_user):
    unit = unit_named("Sở Y tế")
    db.session.commit()
    user = make_user("phongvien", "mat-khau-dung", role=Role.contributor, unit=unit)
    admin = login("quantri", Role.admin)
    response = post(admin, f"/bien-tap/nguoi-dung/{user.id}", full_name="Trần Văn Nam",
                    role="editor", unit_id="0", active="on")
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.role is Role.editor and user.unit_id is None and user.full_name == "Trần Văn Nam"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.role"))
    assert entry.details == {"old": "contributor", "new": "editor"}
    assert "Cộng tác viên → Biên tập viên" in entry.summary
    assert entry.username == "quantri"
    assert "user.edit" in audit_actions()

    post(admin, f"/bien-tap/nguoi-dung/{user.id}", full_name="Trần Văn Nam", role="editor",
         unit_id="0")  # no "active": deactivated
    db.session.refresh(user)
    assert not user.active
    response = try_login(app.test_client(), "phongvien", "mat-khau-dung")
    assert response.status_code == 401 and BAD_LOGIN in response.get_data(as_text=True)


def test_an_admin_cannot_demote_or_deactivate_themselves(login):
    admin = login("quantri", Role.admin)
    me = db.session.scalar(select(User).where(User.username == "quantri"))
    response = post(admin, f"/bien-tap/nguoi-dung/{me.id}", role="editor", unit_id="0",
                    active="on")
    assert response.status_code == 422
    assert "Bạn không thể tự hạ vai trò quản trị của chính mình." in response.get_data(
        as_text=True)
    response = post(admin, f"/bien-tap/nguoi-dung/{me.id}", role="admin", unit_id="0")
    assert response.status_code == 422
    assert "Bạn không thể tự khóa tài khoản của chính mình." in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.role is Role.admin and me.active
    assert "user.role" not in audit_actions()


def test_an_admin_resets_a_password_that_obeys_the_rules(app, login, make_user):
    user = make_user("phongvien", "mat-khau-dung", role=Role.editor)
    admin = login("quantri", Role.admin)
    response = post(admin, f"/bien-tap/nguoi-dung/{user.id}/dat-lai-mat-khau", password="123")
    assert response.status_code == 422
    assert "Mật khẩu phải có ít nhất 10 ký tự." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password("mat-khau-dung")

    response = post(admin, f"/bien-tap/nguoi-dung/{user.id}/dat-lai-mat-khau",
                    password=GOOD_PASSWORD)
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.check_password(GOOD_PASSWORD) and user.must_change_password
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "user.password_reset"))
    assert entry.target_id == user.id and entry.username == "quantri"
    assert GOOD_PASSWORD not in entry.summary + str(entry.details)
    client = app.test_client()
    assert try_login(client, "phongvien", GOOD_PASSWORD).status_code == 302
    assert client.get("/bien-tap/").headers["Location"].startswith("/bien-tap/mat-khau")


# --- refusals -------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.contributor, Role.editor])
def test_only_admins_reach_the_users_and_units_pages(login, make_user, role):
    unit = unit_named("Sở Y tế")
    db.session.commit()
    victim = make_user("nannhan", "mat-khau-dung", role=Role.editor)
    victim.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    token, _full = accounts.create_token(unit, "Cổng Sở Y tế", by=victim)
    client = login("khach", role, unit)
    before = audit_actions()
    for url in ("/bien-tap/nguoi-dung", "/bien-tap/nguoi-dung/moi",
                f"/bien-tap/nguoi-dung/{victim.id}", "/bien-tap/don-vi"):
        assert client.get(url).status_code == 403, url
    actions = [
        ("/bien-tap/nguoi-dung/moi", {"username": "moi", "role": "admin",
                                      "password": GOOD_PASSWORD}),
        (f"/bien-tap/nguoi-dung/{victim.id}", {"role": "admin", "active": "on"}),
        (f"/bien-tap/nguoi-dung/{victim.id}/dat-lai-mat-khau", {"password": GOOD_PASSWORD}),
        (f"/bien-tap/nguoi-dung/{victim.id}/mo-khoa", {}),
        ("/bien-tap/don-vi", {"name": "Đơn vị lạ"}),
        (f"/bien-tap/don-vi/{unit.id}", {"name": "Tên mới"}),
        (f"/bien-tap/don-vi/{unit.id}/ma-api", {"token_name": "Của tôi"}),
        (f"/bien-tap/ma-api/{token.id}/thu-hoi", {}),
    ]
    for url, data in actions:
        assert post(client, url, **data).status_code == 403, url
    db.session.expire_all()
    assert victim.role is Role.editor and victim.check_password("mat-khau-dung")
    assert victim.locked_until is not None
    assert db.session.scalar(select(func.count(User.id))) == 2
    assert [u.name for u in db.session.scalars(select(Unit))] == ["Sở Y tế"]
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1 and token.revoked_at is None
    assert audit_actions() == before


# --- units and tokens -----------------------------------------------------------------

def test_units_are_listed_with_their_people_and_articles(login, make_article, make_user):
    unit = unit_named("Sở Y tế")
    db.session.commit()
    make_user("ctv1", role=Role.contributor, unit=unit)
    make_user("ctv2", role=Role.contributor, unit=unit)
    for n in range(3):
        make_article(f"Tin y tế số {n + 1}", unit_id=unit.id)
    admin = login("quantri", Role.admin)
    page = admin.get("/bien-tap/don-vi").get_data(as_text=True)
    row = page[page.index(f'id="don-vi-{unit.id}"'):]
    row = row[:row.index("</tr>")]
    assert re.search(r"<td>2</td>\s*<td>3</td>", row)


def test_an_admin_adds_and_renames_units(login):
    admin = login("quantri", Role.admin)
    response = post(admin, "/bien-tap/don-vi", name="  Sở Giáo dục và Đào tạo ")
    assert response.status_code == 303
    unit = db.session.scalar(select(Unit))
    assert unit.name == "Sở Giáo dục và Đào tạo" and unit.slug == "so-giao-duc-va-dao-tao"

    for name, message in [("", "Tên đơn vị không được để trống."),
                          ("sở giáo dục và đào tạo", "Đã có đơn vị mang tên này.")]:
        response = post(admin, "/bien-tap/don-vi", name=name)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Unit.id))) == 1

    other = accounts.create_unit("Sở Y tế", by=db.session.scalar(select(User)))
    response = post(admin, f"/bien-tap/don-vi/{other.id}", name="Sở Giáo dục và Đào tạo")
    assert response.status_code == 422
    assert "Đã có đơn vị mang tên này." in response.get_data(as_text=True)
    response = post(admin, f"/bien-tap/don-vi/{other.id}", name="Sở Y tế tỉnh Hòa An")
    assert response.status_code == 303
    db.session.refresh(other)
    assert other.name == "Sở Y tế tỉnh Hòa An" and other.slug == "so-y-te"  # links keep working
    assert audit_actions().count("unit.create") == 2
    assert audit_actions().count("unit.edit") == 1


def test_an_api_token_is_shown_once_stored_hashed_and_can_be_revoked(login):
    unit = unit_named("Sở Y tế")
    db.session.commit()
    admin = login("quantri", Role.admin)
    response = post(admin, f"/bien-tap/don-vi/{unit.id}/ma-api", token_name="Cổng Sở Y tế")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    full = re.search(r'value="(dnx_[0-9a-f]{8}_[A-Za-z0-9_-]{40,})"', page).group(1)
    assert "chỉ hiện một lần" in page
    token = db.session.scalar(select(ApiToken))
    assert token.unit_id == unit.id and token.name == "Cổng Sở Y tế"
    assert token.token_hash == hashlib.sha256(full.encode()).hexdigest()
    assert full.split("_")[1] == token.prefix
    assert accounts.token_from_header(f"Bearer {full}").id == token.id

    later = admin.get("/bien-tap/don-vi").get_data(as_text=True)
    assert full not in later and f"dnx_{token.prefix}_" in later and "chưa dùng" in later
    with admin.session_transaction() as sess:
        assert full not in str(dict(sess))

    response = post(admin, f"/bien-tap/ma-api/{token.id}/thu-hoi")
    assert response.status_code == 303
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert accounts.token_from_header(f"Bearer {full}") is None
    assert "Đã thu hồi" in admin.get("/bien-tap/don-vi").get_data(as_text=True)
    assert audit_actions()[-2:] == ["token.create", "token.revoke"]


def test_a_token_needs_a_name(login):
    unit = unit_named("Sở Y tế")
    db.session.commit()
    admin = login("quantri", Role.admin)
    response = post(admin, f"/bien-tap/don-vi/{unit.id}/ma-api", token_name="  ")
    assert response.status_code == 422
    assert "Vui lòng đặt tên cho mã API" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_production_hashes_passwords_with_scrypt_and_no_setting_weakens_it():
    """The tests hash with a cheap method (TestConfig); every other config keeps scrypt,
    and the environment cannot change that."""
    probe = ("import config; print(config.CONFIGS['dev'].PASSWORD_HASH_METHOD, "
             "config.CONFIGS['prod'].PASSWORD_HASH_METHOD)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={**os.environ, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"},
                         cwd=Path(__file__).resolve().parents[3], check=True).stdout
    assert out.split() == ["scrypt", "scrypt"]
    user = User(username="ngoai-app")
    user.set_password("mat-khau-dung")  # outside an app: the production method
    assert user.password_hash.startswith("scrypt:") and user.check_password("mat-khau-dung")
