"""Editors choose the home page (issue 17, point 2): a pinned top story leads at once and stops
leading when it runs out or leaves the portal, 2–4 featured stories, a section's block ordered
by hand, only editors and admins, every change audited and only the home page's cache dropped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Category, HomePin, PinSlot, Role
from app.services import home as home_service
from app.services import workflow
from app.services.localtime import display_tz
from app.services.page_cache import PREFIX
from app.services.sections import category_named
from tests.conftest import csrf_token

EDITOR_PAGE = "/bien-tap/trang-chu"


@pytest.fixture
def page_cache_on(app):
    app.config["PAGE_CACHE_TTL"] = 300
    yield
    app.config["PAGE_CACHE_TTL"] = 0


def lead_title(html: str) -> str:
    """The title of the home page's lead card."""
    card = re.search(r'<li class="card card--lead">(.*?)</li>', html, re.S)
    assert card, "no lead card"
    return re.search(r'<h2 class="card__title"><a [^>]*>([^<]*)</a>', card.group(1)).group(1)


def featured_titles(html: str) -> list[str]:
    cards = re.findall(r'<li class="card card--featured">(.*?)</li>', html, re.S)
    return [re.search(r'<h2 class="card__title"><a [^>]*>([^<]*)</a>', c).group(1)
            for c in cards]


def block_titles(html: str, category: Category) -> list[str]:
    block = re.search(rf'id="sec-{category.id}".*?<ul>(.*?)</ul>', html, re.S)
    assert block, f"no block for {category.name}"
    return re.findall(r'<a href="/bai-viet/[^"]*">([^<]*)</a>', block.group(1))


def local_input(moment: datetime) -> str:
    return moment.astimezone(display_tz()).strftime("%Y-%m-%dT%H:%M")


def pin(editor, article, slot: str = "top", expires: datetime | None = None):
    form = {"csrf_token": csrf_token(editor, EDITOR_PAGE), "bai": str(article.id),
            "vi_tri": slot}
    if expires is not None:
        form["het_han"] = local_input(expires)
    return editor.post(f"{EDITOR_PAGE}/ghim", data=form)


def pin_of(article, slot: PinSlot) -> HomePin:
    return db.session.scalar(select(HomePin).where(HomePin.article_id == article.id,
                                                   HomePin.slot == slot))


@pytest.fixture
def three(make_article):
    """Three published stories, the first the oldest."""
    return [make_article(title) for title in ("Khánh thành cầu Hòa An",
                                              "Hội chợ nông sản mở cửa",
                                              "Tin mới nhất trong ngày")]


def test_with_no_pin_the_newest_story_leads(client, three):
    assert lead_title(client.get("/").get_data(as_text=True)) == "Tin mới nhất trong ngày"


def test_a_pinned_story_leads_at_once_and_other_cached_pages_stay(
        app, login, three, page_cache_on, redis_conn):
    oldest, _, newest = three
    reader = app.test_client()
    for url in ("/", f"/bai-viet/{newest.slug}", "/chuyen-muc/van-hoa-xa-hoi/", "/van-ban/"):
        assert reader.get(url).headers["X-Page-Cache"] == "miss"
    assert lead_title(reader.get("/").get_data(as_text=True)) == newest.title  # cached

    editor = login("bientap", role=Role.editor)
    answer = pin(editor, oldest, "top")
    assert answer.status_code == 303

    home = reader.get("/")
    assert home.headers["X-Page-Cache"] == "miss"  # the cached home was dropped
    html = home.get_data(as_text=True)
    assert lead_title(html) == oldest.title
    assert html.count(f'href="/bai-viet/{oldest.slug}"') >= 1
    # it is not listed again among the newest below
    feed = html.split('<ol class="feed">', 1)[1].split("</ol>", 1)[0]
    assert oldest.title not in feed
    for url in (f"/bai-viet/{newest.slug}", "/chuyen-muc/van-hoa-xa-hoi/", "/van-ban/"):
        assert reader.get(url).headers["X-Page-Cache"] == "hit", url


def test_a_pin_stops_leading_when_it_runs_out(client, login, three, monkeypatch):
    oldest, _, newest = three
    editor = login("bientap", role=Role.editor)
    expires = datetime.now(UTC) + timedelta(hours=2)
    assert pin(editor, oldest, "top", expires).status_code == 303
    reader = client.application.test_client()
    assert lead_title(reader.get("/").get_data(as_text=True)) == oldest.title
    stored = pin_of(oldest, PinSlot.top).expires_at
    assert abs(stored - expires) < timedelta(minutes=1)  # typed in Vietnam time, kept in UTC

    later = datetime.now(UTC) + timedelta(hours=2, minutes=1)
    monkeypatch.setattr(home_service, "utcnow", lambda: later)
    assert lead_title(reader.get("/").get_data(as_text=True)) == newest.title


def test_a_cached_home_page_is_not_kept_past_its_first_pin_expiry(
        app, login, three, page_cache_on, redis_conn):
    editor = login("bientap", role=Role.editor)
    assert pin(editor, three[0], "top", datetime.now(UTC) + timedelta(minutes=2)).status_code \
        == 303
    reader = app.test_client()
    assert reader.get("/").headers["X-Page-Cache"] == "miss"
    pages = [k for k in redis_conn.keys(f"{PREFIX}:*")
             if not re.search(rb":(tag|changed|generation)", k)]
    assert len(pages) == 1
    assert 0 < redis_conn.ttl(pages[0]) <= 120  # not the 300 s other pages keep


def test_a_pinned_story_taken_off_the_portal_never_shows(client, login, make_user, three):
    oldest, _, newest = three
    editor = login("bientap", role=Role.editor)
    assert pin(editor, oldest, "top").status_code == 303
    assert pin(editor, three[1], "featured").status_code == 303
    workflow.unpublish(oldest, make_user("quantri", role=Role.admin))
    html = client.application.test_client().get("/").get_data(as_text=True)
    assert oldest.title not in html
    assert lead_title(html) == newest.title
    # and the editors' page says why it is not shown
    page = editor.get(EDITOR_PAGE).get_data(as_text=True)
    assert "Bài không còn xuất bản: không hiện trên trang chủ" in page


def test_only_a_published_story_can_be_pinned(login, make_article):
    draft = make_article("Bản nháp chưa duyệt", publish=False)
    editor = login("bientap", role=Role.editor)
    answer = pin(editor, draft, "top")
    assert answer.status_code == 409
    assert "Chỉ ghim được bài đã xuất bản" in answer.get_data(as_text=True)
    assert db.session.scalar(select(HomePin)) is None


def test_featured_stories_follow_the_lead_in_the_editors_order(client, login, make_article):
    stories = [make_article(f"Tin số {n}") for n in range(1, 7)]
    editor = login("bientap", role=Role.editor)
    assert pin(editor, stories[0], "top").status_code == 303
    for story in (stories[1], stories[2], stories[3]):
        assert pin(editor, story, "featured").status_code == 303
    reader = client.application.test_client()
    html = reader.get("/").get_data(as_text=True)
    assert lead_title(html) == "Tin số 1"
    assert featured_titles(html) == ["Tin số 2", "Tin số 3", "Tin số 4"]

    third = pin_of(stories[3], PinSlot.featured)
    answer = editor.post(f"{EDITOR_PAGE}/ghim/{third.id}/thu-tu",
                         data={"csrf_token": csrf_token(editor, EDITOR_PAGE), "huong": "len"})
    assert answer.status_code == 303
    assert featured_titles(reader.get("/").get_data(as_text=True)) == \
        ["Tin số 2", "Tin số 4", "Tin số 3"]


def test_at_most_four_featured_stories_with_a_vietnamese_answer(client, login, make_article):
    stories = [make_article(f"Tin nổi bật {n}") for n in range(1, 6)]
    editor = login("bientap", role=Role.editor)
    for story in stories[:4]:
        assert pin(editor, story, "featured").status_code == 303
    answer = pin(editor, stories[4], "featured")
    assert answer.status_code == 422
    assert "Đã có 4 tin nổi bật được ghim" in answer.get_data(as_text=True)
    assert pin_of(stories[4], PinSlot.featured) is None
    html = client.application.test_client().get("/").get_data(as_text=True)
    assert len(featured_titles(html)) == 4


def test_one_featured_pin_is_completed_to_two_with_the_newest(client, login, make_article):
    stories = [make_article(f"Tin {n}") for n in range(1, 5)]
    editor = login("bientap", role=Role.editor)
    assert pin(editor, stories[0], "featured").status_code == 303
    html = client.application.test_client().get("/").get_data(as_text=True)
    assert lead_title(html) == "Tin 4"  # no top pin: the newest leads
    assert featured_titles(html) == ["Tin 1", "Tin 3"]  # the pin, then the next newest


def test_an_expiry_in_the_past_is_refused(login, three):
    editor = login("bientap", role=Role.editor)
    answer = pin(editor, three[0], "top", datetime.now(UTC) - timedelta(hours=1))
    assert answer.status_code == 422
    assert "Thời điểm hết hạn phải sau thời điểm hiện tại." in answer.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-40T99:99",
                                   "ngày mai"])
def test_an_impossible_expiry_gets_a_vietnamese_answer_not_an_error(login, three, typed):
    editor = login("bientap", role=Role.editor)
    answer = editor.post(f"{EDITOR_PAGE}/ghim", data={
        "csrf_token": csrf_token(editor, EDITOR_PAGE), "bai": str(three[0].id),
        "vi_tri": "top", "het_han": typed})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Thời điểm hết hạn không hợp lệ" in page or "tối đa một năm" in page
    assert db.session.scalar(select(HomePin)) is None


def test_the_default_expiry_is_a_day_ahead_in_vietnam_time(login, three):
    editor = login("bientap", role=Role.editor)
    page = editor.get(EDITOR_PAGE).get_data(as_text=True)
    shown = re.search(r'id="het_han" name="het_han" value="([^"]+)"', page).group(1)
    expected = local_input(datetime.now(UTC) + timedelta(hours=24))
    assert shown[:13] == expected[:13]  # the same hour (Vietnam time)
    assert pin(editor, three[0], "top").status_code == 303
    expires = pin_of(three[0], PinSlot.top).expires_at
    assert timedelta(hours=23, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=24)


def test_a_section_block_puts_the_editors_choices_first_in_their_order(client, login,
                                                                       make_article):
    culture = category_named("Văn hóa xã hội")
    db.session.commit()
    stories = [make_article(f"Văn hóa {n}") for n in range(1, 7)]  # the block shows four
    reader = client.application.test_client()
    assert block_titles(reader.get("/").get_data(as_text=True), culture) == \
        ["Văn hóa 6", "Văn hóa 5", "Văn hóa 4", "Văn hóa 3"]
    editor = login("bientap", role=Role.editor)
    assert pin(editor, stories[0], "section").status_code == 303
    assert pin(editor, stories[1], "section").status_code == 303
    assert block_titles(reader.get("/").get_data(as_text=True), culture) == \
        ["Văn hóa 1", "Văn hóa 2", "Văn hóa 6", "Văn hóa 5"]
    second = pin_of(stories[1], PinSlot.section)
    assert editor.post(f"{EDITOR_PAGE}/ghim/{second.id}/thu-tu", data={
        "csrf_token": csrf_token(editor, EDITOR_PAGE), "huong": "len"}).status_code == 303
    assert block_titles(reader.get("/").get_data(as_text=True), culture) == \
        ["Văn hóa 2", "Văn hóa 1", "Văn hóa 6", "Văn hóa 5"]
    first = pin_of(stories[0], PinSlot.section)
    assert editor.post(f"{EDITOR_PAGE}/ghim/{first.id}/bo-ghim", data={
        "csrf_token": csrf_token(editor, EDITOR_PAGE)}).status_code == 303
    assert block_titles(reader.get("/").get_data(as_text=True), culture) == \
        ["Văn hóa 2", "Văn hóa 6", "Văn hóa 5", "Văn hóa 4"]


def test_section_blocks_follow_the_sections_order(client, make_article, category):
    sport = category_named("Thể thao")
    db.session.commit()
    make_article("Tin văn hóa")
    match = make_article("Tin thể thao")
    match.category_id = sport.id
    category.position, sport.position = 2, 1
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert html.index(f'id="sec-{sport.id}"') < html.index(f'id="sec-{category.id}"')
    category.position, sport.position = 1, 2
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert html.index(f'id="sec-{category.id}"') < html.index(f'id="sec-{sport.id}"')


def test_every_pin_change_is_audited(login, three):
    editor = login("bientap", role=Role.editor)
    pin(editor, three[0], "featured")
    pin(editor, three[1], "featured")
    moved = pin_of(three[1], PinSlot.featured)
    editor.post(f"{EDITOR_PAGE}/ghim/{moved.id}/thu-tu",
                data={"csrf_token": csrf_token(editor, EDITOR_PAGE), "huong": "len"})
    editor.post(f"{EDITOR_PAGE}/ghim/{moved.id}/bo-ghim",
                data={"csrf_token": csrf_token(editor, EDITOR_PAGE)})
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("home.%"))
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.target_type, e.target_id, e.username) for e in entries] == [
        ("home.pin", "articles", three[0].id, "bientap"),
        ("home.pin", "articles", three[1].id, "bientap"),
        ("home.order", "articles", three[1].id, "bientap"),
        ("home.unpin", "articles", three[1].id, "bientap"),
    ]
    assert entries[0].details["slot"] == "featured" and entries[0].details["expires_at"]
    assert "Ghim “Khánh thành cầu Hòa An” làm tin nổi bật đến" in entries[0].summary
    # the audit page names them in words
    admin_page = login("quantri", role=Role.admin).get("/bien-tap/nhat-ky")
    text = admin_page.get_data(as_text=True)
    assert "Ghim lên trang chủ" in text and "Đổi thứ tự trên trang chủ" in text


@pytest.mark.parametrize("method,url", [
    ("get", EDITOR_PAGE), ("post", f"{EDITOR_PAGE}/ghim"),
    ("post", f"{EDITOR_PAGE}/ghim/1/bo-ghim"), ("post", f"{EDITOR_PAGE}/ghim/1/thu-tu")])
def test_contributors_are_refused(login, three, method, url):
    contributor = login("congtacvien", role=Role.contributor)
    data = {"csrf_token": csrf_token(contributor, "/bien-tap/"), "bai": str(three[0].id),
            "vi_tri": "top", "huong": "len"}
    answer = getattr(contributor, method)(url, data=data if method == "post" else None)
    assert answer.status_code == 403
    assert db.session.scalar(select(HomePin)) is None


def test_the_page_can_be_opened_with_an_article_chosen(login, three):
    """/bien-tap/trang-chu?bai=<id>: the way to "Ghim lên trang chủ" from anywhere."""
    editor = login("bientap", role=Role.editor)
    page = editor.get(f"{EDITOR_PAGE}?bai={three[0].id}").get_data(as_text=True)
    assert f'<option value="{three[0].id}" selected>' in page


def test_an_editor_pins_from_the_article_s_own_page_a_contributor_cannot(login, three,
                                                                         make_article):
    """The edit page of a live article offers "Ghim lên trang chủ" to editors (to the pin
    form with the article chosen); a draft's does not, nor any page a contributor sees."""
    editor = login("bientap", role=Role.editor)
    link = f'href="{EDITOR_PAGE}?bai={three[0].id}"'
    page = editor.get(f"/bien-tap/bai-viet/{three[0].id}").get_data(as_text=True)
    assert link in page and "Ghim lên trang chủ" in page
    draft = make_article("Bản nháp chưa đăng", publish=False)
    assert "Ghim lên trang chủ" not in editor.get(
        f"/bien-tap/bai-viet/{draft.id}").get_data(as_text=True)
    contributor = login("congtacvien", role=Role.contributor)
    assert "Ghim lên trang chủ" not in contributor.get(
        f"/bien-tap/bai-viet/{three[0].id}").get_data(as_text=True)
