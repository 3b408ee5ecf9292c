from sqlalchemy import select

from app.extensions import db
from app.models import Category, Role
from tests.conftest import csrf_token


def test_admins_rename_order_hide_and_add_sections(login, category, client):
    """The menu follows the admin's names, order and hidden flags; slugs stay stable."""
    second = Category(name="Kinh tế", slug="kinh-te", position=5)
    db.session.add(second)
    db.session.commit()
    client = login("quantri", role=Role.admin)
    response = client.post("/bien-tap/chuyen-muc", data={
        "csrf_token": csrf_token(client, "/bien-tap/chuyen-muc"),
        f"name_{category.id}": "Văn hóa – Xã hội", f"position_{category.id}": "9",
        f"name_{second.id}": "Kinh tế", f"position_{second.id}": "1",
        f"hidden_{second.id}": "on", "new_name": "Quốc phòng – An ninh"})
    assert response.status_code == 303
    db.session.expire_all()
    renamed = db.session.get(Category, category.id)
    assert (renamed.name, renamed.slug, renamed.position) == (
        "Văn hóa – Xã hội", category.slug, 9)
    added = db.session.scalar(select(Category).where(Category.name == "Quốc phòng – An ninh"))
    assert added.slug == "quoc-phong-an-ninh"
    menu = client.get("/").get_data(as_text=True).split('aria-label="Chuyên mục"', 1)[1]
    menu = menu.split("</nav>", 1)[0]
    assert "Kinh tế" not in menu  # hidden
    assert menu.index("Văn hóa – Xã hội") < menu.index("Quốc phòng – An ninh")  # by position


def test_duplicate_or_empty_names_are_refused_and_nothing_changes(login, category):
    client = login("quantri", role=Role.admin)
    for name in ("", "x" * 121):
        response = client.post("/bien-tap/chuyen-muc", data={
            "csrf_token": csrf_token(client, "/bien-tap/chuyen-muc"),
            f"name_{category.id}": name})
        assert response.status_code == 422
    response = client.post("/bien-tap/chuyen-muc", data={
        "csrf_token": csrf_token(client, "/bien-tap/chuyen-muc"), "new_name": category.name})
    assert response.status_code == 422
    db.session.expire_all()
    assert [c.name for c in db.session.scalars(select(Category))] == [category.name]


def test_editors_cannot_manage_sections(login):
    client = login("bientap", role=Role.editor)
    assert client.get("/bien-tap/chuyen-muc").status_code == 403
