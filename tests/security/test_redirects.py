"""Redirects stay on the site: every `next=` goes through app.urls.safe_next, and each hostile
target of the corpus lands on a page of the portal, judged the way a browser reads Location."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from app.models import Role
from app.urls import safe_next
from tests.security.conftest import fresh, token_for
from tests.security.payloads import REDIRECTS

pytestmark = pytest.mark.security
SITE = "https://cong.hoaan.test"


def browser_target(base: str, location: str) -> str:
    """Where a browser goes for this Location: it drops tabs and newlines, trims spaces and
    control characters, and reads a backslash as a slash (WHATWG URL)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00 \x01\x1f")
    return urljoin(base, cleaned.replace("\\", "/"))


def assert_on_site(base: str, response) -> None:
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    target = urlsplit(browser_target(base, location))
    assert target.scheme == "https" and target.hostname == "cong.hoaan.test", location


@pytest.mark.parametrize("target", REDIRECTS)
def test_the_helper_refuses_every_way_off_the_site(target):
    assert safe_next(target, "/macdinh") == "/macdinh" or \
        urlsplit(browser_target(SITE + "/x", safe_next(target, "/"))).hostname == "cong.hoaan.test"


def test_local_paths_are_kept(tally):
    for target in ("/", "/bien-tap/bai-viet/12", "/tim-kiem?q=chuy%E1%BB%83n+%C4%91%E1%BB%95i",
                   "/chuyen-muc/thoi-su/?trang=2", "/bai-viet/tin#binh-luan"):
        assert safe_next(target, "/macdinh") == target
    tally("redirects")(5)


def test_login_next_never_leaves_the_site(client, make_user, tally):
    make_user("bientap", "mat-khau-dung")
    for target in REDIRECTS:
        fresh(client).post("/bien-tap/dang-xuat", data={"csrf_token": token_for(client)})
        client.delete_cookie("session")
        response = fresh(client).post("/bien-tap/dang-nhap", query_string={"next": target},
                                      data={"username": "bientap", "password": "mat-khau-dung",
                                            "csrf_token": token_for(client)})
        assert_on_site(f"{SITE}/bien-tap/dang-nhap", response)
    tally("redirects")(len(REDIRECTS))


def test_the_language_switch_never_leaves_the_site(client, tally):
    for target in REDIRECTS:
        response = client.get("/ngon-ngu/en", query_string={"next": target})
        assert_on_site(f"{SITE}/ngon-ngu/en", response)
    tally("redirects")(len(REDIRECTS))


def test_the_password_page_never_leaves_the_site(app, login, tally):
    client = login("phongvien", Role.editor)
    password = "mat-khau-dung"
    for n, target in enumerate(REDIRECTS):
        new = f"Hoa-sen-{n:02d}-mua-thu-2026"
        response = fresh(client).post(
            "/bien-tap/mat-khau", query_string={"next": target},
            data={"current": password, "password": new, "repeat": new,
                  "csrf_token": token_for(client, "/bien-tap/mat-khau")})
        assert_on_site(f"{SITE}/bien-tap/mat-khau", response)
        password = new
    tally("redirects")(len(REDIRECTS))


def test_the_login_page_asks_to_come_back_by_path_only(client, tally):
    """Sent to log in, the way back is this path, not a URL built from the Host header."""
    response = client.get("/bien-tap/bai-viet/moi?x=1", headers={"Host": "evil.example"})
    location = response.headers["Location"]
    assert location.startswith("/bien-tap/dang-nhap?next=")
    assert "evil.example" not in location
    tally("redirects")(1)
