"""Sessions end when they should, on the server: a cookie copied before a logout, a password
change, an admin's reset or a deactivation no longer opens the newsroom. Cookies are HttpOnly
and SameSite=Lax, and Secure in production."""

from __future__ import annotations

import pytest
from werkzeug.http import parse_cookie

from app import create_app
from app.extensions import db
from app.models import Role, StaffSession, User
from tests.security.conftest import form_token, fresh, token_for

pytestmark = pytest.mark.security
PASSWORD = "mat-khau-dung"
NEW_PASSWORD = "Hoa-sen-2026-mua-thu"


def log_in(app, username: str):
    client = app.test_client()
    response = fresh(client).post("/bien-tap/dang-nhap", data={
        "username": username, "password": PASSWORD, "csrf_token": token_for(client)})
    assert response.status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding the same cookie (stolen, or copied off a shared computer)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def inside(client) -> bool:
    return fresh(client).get("/bien-tap/").status_code == 200


def test_a_cookie_copied_before_logout_stops_working(app, make_user, tally):
    make_user("bientap", PASSWORD)
    client = log_in(app, "bientap")
    thief = copy_of(app, client)
    assert inside(thief)  # the copy works while the session lives
    fresh(client).post("/bien-tap/dang-xuat", data={"csrf_token": token_for(client, "/bien-tap/")})
    assert not inside(client) and not inside(thief)
    response = fresh(thief).get("/bien-tap/bai-viet/moi")
    assert response.status_code == 302 and "/bien-tap/dang-nhap" in response.headers["Location"]
    assert db.session.query(StaffSession).count() == 0
    tally("cookie replay")(2)


def test_a_new_password_ends_every_other_session_and_copies_of_this_one(app, make_user, tally):
    make_user("bientap", PASSWORD)
    here, elsewhere = log_in(app, "bientap"), log_in(app, "bientap")
    thief = copy_of(app, here)
    response = fresh(here).post("/bien-tap/mat-khau", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD,
        "csrf_token": token_for(here, "/bien-tap/mat-khau")})
    assert response.status_code == 303
    assert inside(here)  # the browser that changed it goes on
    assert not inside(elsewhere) and not inside(thief)
    tally("cookie replay")(3)


@pytest.mark.parametrize("change", ["reset", "deactivate"])
def test_an_admins_reset_or_deactivation_ends_the_users_sessions(app, make_user, login, change,
                                                                 tally):
    user = make_user("phongvien", PASSWORD)
    victim = log_in(app, "phongvien")
    thief = copy_of(app, victim)
    admin = login("quantri", Role.admin)
    token = token_for(admin, "/bien-tap/mat-khau")
    if change == "reset":
        response = fresh(admin).post(f"/bien-tap/nguoi-dung/{user.id}/dat-lai-mat-khau",
                                     data={"password": NEW_PASSWORD, "csrf_token": token})
    else:
        response = fresh(admin).post(f"/bien-tap/nguoi-dung/{user.id}", data={
            "full_name": "Phóng viên", "role": "editor", "csrf_token": token})
    assert response.status_code in (302, 303)
    db.session.refresh(user)
    assert change == "reset" or not user.active
    assert not inside(victim) and not inside(thief)
    assert db.session.query(StaffSession).filter_by(user_id=user.id).count() == 0
    tally("cookie replay")(2)


def cookie_attributes(response, name: str) -> dict[str, str]:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return {k.strip().lower(): v for k, v in
                    (part.partition("=")[::2] for part in header.split(";")[1:])}
    raise AssertionError(f"no {name} cookie set")


def test_cookies_are_httponly_and_samesite(app, client, make_user, tally):
    make_user("bientap", PASSWORD)
    response = fresh(client).post("/bien-tap/dang-nhap", data={
        "username": "bientap", "password": PASSWORD, "csrf_token": token_for(client)})
    session = cookie_attributes(response, "session")
    assert "httponly" in session and session["samesite"] == "Lax"
    assert "secure" not in session  # plain HTTP on localhost: make run still works
    language = cookie_attributes(client.get("/ngon-ngu/en"), "ngon-ngu")
    assert "httponly" in language and language["samesite"] == "Lax"
    assert not parse_cookie(response.headers.get("Set-Cookie", "")).get("remember_token")
    tally("cookies")(2)


def test_production_cookies_are_secure(app_config, make_user, tally):
    class Production(app_config):
        SESSION_COOKIE_SECURE = True
        REMEMBER_COOKIE_SECURE = True

    prod = create_app(Production)
    with prod.app_context():
        user = User(username="bientap", role=Role.editor, full_name="Biên tập")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        client = prod.test_client()
        https = "https://localhost"
        page = fresh(client).get("/bien-tap/dang-nhap", base_url=https).get_data(as_text=True)
        response = fresh(client).post("/bien-tap/dang-nhap", base_url=https, data={
            "username": "bientap", "password": PASSWORD, "csrf_token": form_token(page)},
            headers={"Referer": f"{https}/bien-tap/dang-nhap"})  # checked over HTTPS
        attributes = cookie_attributes(response, "session")
        assert "secure" in attributes and "httponly" in attributes
        db.session.remove()
    from config import ProdConfig

    assert ProdConfig.SESSION_COOKIE_SECURE and ProdConfig.SESSION_COOKIE_HTTPONLY
    assert ProdConfig.SESSION_COOKIE_SAMESITE == "Lax"
    tally("cookies")(1)
