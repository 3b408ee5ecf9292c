import pytest

from tests.conftest import csrf_token


@pytest.mark.parametrize(("username", "password"), [
    ("bientap", "sai-mat-khau"),      # right user, wrong password
    ("khong-ai-ca", "mat-khau-dung"),  # unknown user
])
def test_wrong_login_gives_one_message_that_names_no_field(client, make_user, username, password):
    make_user("bientap", "mat-khau-dung")
    token = csrf_token(client, "/bien-tap/dang-nhap")
    response = client.post("/bien-tap/dang-nhap", data={
        "username": username, "password": password, "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    assert client.get("/bien-tap/").status_code == 302  # still not logged in


def test_passwords_are_stored_hashed(make_user):
    user = make_user("bientap", "mat-khau-dung")
    assert "mat-khau-dung" not in user.password_hash
    assert user.check_password("mat-khau-dung") and not user.check_password("khac")


def test_editor_pages_need_a_login(client):
    for url in ("/bien-tap/", "/bien-tap/bai-viet/moi"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/bien-tap/dang-nhap" in response.headers["Location"]


def test_forms_without_a_csrf_token_are_refused(login):
    client = login()
    response = client.post("/bien-tap/bai-viet/moi", data={"title": "Không có mã CSRF"})
    assert response.status_code == 400


def test_login_does_not_redirect_off_site(client, make_user):
    make_user("bientap", "mat-khau-dung")
    token = csrf_token(client, "/bien-tap/dang-nhap")
    response = client.post("/bien-tap/dang-nhap?next=//evil.example/", data={
        "username": "bientap", "password": "mat-khau-dung", "csrf_token": token})
    assert response.headers["Location"] == "/bien-tap/"
