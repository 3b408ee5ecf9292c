"""The newsroom's screens as its users meet them: the article list says what readers get (the
same answer as the article page), is searched and filtered from the URL; the edit page shows
the cover; a submitted article is read-only to its contributor, and the server saves nothing
of it; the preview shows only what would be published."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.demo import cover_bytes
from app.editor import article_filters
from app.extensions import db
from app.models import (
    Article,
    ArticleStatus,
    Autosave,
    ListenSource,
    MediaAsset,
    MediaKind,
    MediaStatus,
    Role,
)
from app.services import workflow
from app.services.accounts import unit_named
from app.services.publishing import ArticleInput, read_cover, store_cover
from app.services.sections import category_named
from tests.conftest import csrf_token

LIST = "/bien-tap/"
ROW = re.compile(r'<tr data-article="(\d+)">(.*?)</tr>', re.S)
STATE = r'data-form="{}"><span class="state state--(\w+)">([^<]*)</span>'


def rows(page_html: str) -> dict[int, dict[str, str]]:
    """The list's rows: each article's title cell and its listen and watch states in words."""
    found = {}
    for article_id, row in ROW.findall(page_html):
        listen = re.search(STATE.format("listen"), row)
        watch = re.search(STATE.format("watch"), row)
        assert listen and watch, row
        found[int(article_id)] = {"row": html.unescape(row), "listen": html.unescape(listen[2]),
                                  "watch": html.unescape(watch[2])}
    return found


def listed(client, url: str = LIST, status: int = 200) -> dict[int, dict[str, str]]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return rows(response.get_data(as_text=True))


def add_asset(article: Article, kind: MediaKind, status: MediaStatus, outputs=None,
              duration: float | None = None) -> MediaAsset:
    """The article's asset of this kind (a published article's narration is already there),
    set to `status` with these outputs."""
    asset = article.asset(kind.value) or MediaAsset(article_id=article.id, kind=kind)
    asset.status, asset.outputs, asset.duration = status, outputs or {}, duration
    db.session.add(asset)
    db.session.commit()
    db.session.refresh(article)
    return asset


@pytest.fixture
def unit(app):
    found = unit_named("Sở Văn hóa, Thể thao và Du lịch")
    db.session.commit()
    return found


@pytest.fixture
def other_unit(app):
    found = unit_named("Sở Y tế")
    db.session.commit()
    return found


# --- what readers get, said the same in the list and on the article page -------------------

def test_the_list_says_what_readers_of_the_article_page_get(login, make_article):
    narrated = make_article("Bài có bản nghe sẵn sàng")
    add_asset(narrated, MediaKind.audio, MediaStatus.ready,
              {"mp3": f"audio/{narrated.id}/abc/narration.mp3"}, 205.4)
    briefed = make_article("Bài chỉ có video tóm tắt")  # readers watch the briefing
    add_asset(briefed, MediaKind.briefing, MediaStatus.ready,
              {"mp4": f"video/briefing/{briefed.id}/abc/video.mp4"}, 62.0)
    uploading = make_article("Bài có video đang chuyển mã và video tóm tắt")
    add_asset(uploading, MediaKind.video, MediaStatus.processing)
    add_asset(uploading, MediaKind.briefing, MediaStatus.ready,
              {"mp4": f"video/briefing/{uploading.id}/abc/video.mp4"}, 48.0)
    soundtrack = make_article("Tin video: nghe bằng tiếng của video",
                              listen_source=ListenSource.video)
    add_asset(soundtrack, MediaKind.video, MediaStatus.ready,
              {"mp4": f"video/{soundtrack.id}/abc/video.mp4",
               "soundtrack": f"video/{soundtrack.id}/abc/soundtrack.m4a"}, 95.0)
    failed = make_article("Bài có bản nghe lỗi")
    add_asset(failed, MediaKind.audio, MediaStatus.failed)
    add_asset(failed, MediaKind.video, MediaStatus.failed)
    queued = make_article("Bài có bản nghe trong hàng đợi")
    add_asset(queued, MediaKind.audio, MediaStatus.queued)
    bare = make_article("Bài chưa có gì để nghe, xem", publish=False)
    db.session.commit()

    client = login()
    found = listed(client)
    assert found[narrated.id]["listen"] == "Sẵn sàng · 3:25"
    assert found[narrated.id]["watch"] == "Chưa có"
    assert found[briefed.id]["watch"] == "Sẵn sàng · 1:02"  # was "Chưa có"
    assert found[uploading.id]["watch"] == "Sẵn sàng · 0:48"
    assert found[soundtrack.id]["listen"] == "Sẵn sàng · 1:35"  # no narration: the video's sound
    assert found[soundtrack.id]["watch"] == "Sẵn sàng · 1:35"
    assert (found[failed.id]["listen"], found[failed.id]["watch"]) == ("Lỗi", "Lỗi")
    assert found[queued.id]["listen"] == "Đang xử lý"
    assert (found[bare.id]["listen"], found[bare.id]["watch"]) == ("Chưa có", "Chưa có")

    # The article page plays exactly what the list calls ready.
    for article in (narrated, briefed, uploading, soundtrack, failed, queued):
        page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
        assert ("<audio controls" in page) == found[article.id]["listen"].startswith("Sẵn sàng"), \
            article.title
        assert ("<video controls" in page) == found[article.id]["watch"].startswith("Sẵn sàng"), \
            article.title


# --- search and filters ------------------------------------------------------------------

@pytest.fixture
def newsroom(make_article, unit, other_unit, category):
    """Articles of two units and two sections, in several states, on known days."""
    sport = category_named("Thể thao")
    db.session.commit()
    made = {
        "fair": make_article("Hòa An khai mạc hội chợ nông sản", unit_id=unit.id),
        "race": make_article("Hoà An tổ chức giải đua ghe ngo", publish=False, unit_id=unit.id),
        "jobs": make_article("Hội chợ việc làm thu hút nhiều lao động", unit_id=unit.id),
        "vaccine": make_article("Hòa An triển khai tiêm chủng mở rộng", unit_id=other_unit.id),
        "haoan": make_article("Hảo An đón khách du lịch", unit_id=other_unit.id),
    }
    made["race"].category_id = sport.id
    days = {"fair": datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
            "jobs": datetime(2026, 11, 20, 16, 30, tzinfo=UTC),  # 23:30 on 20/11 in Vietnam
            "vaccine": datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
            "haoan": datetime(2026, 10, 1, 3, 0, tzinfo=UTC)}
    for name, when in days.items():
        made[name].published_at = when
    made["race"].created_at = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
    db.session.commit()
    return {name: article.id for name, article in made.items()}, sport


def ids(found: dict[int, dict[str, str]], newsroom_ids: dict[str, int]) -> set[str]:
    names = {v: k for k, v in newsroom_ids.items()}
    return {names[i] for i in found}


def test_the_title_is_found_with_or_without_diacritics(login, newsroom):
    made, _sport = newsroom
    client = login()
    assert ids(listed(client, LIST + "?q=hoa+an"), made) == {"fair", "race", "vaccine"}
    assert ids(listed(client, LIST + "?q=Hòa+An"), made) == {"fair", "race", "vaccine"}
    assert ids(listed(client, LIST + "?q=HOÀ"), made) == {"fair", "race", "vaccine"}
    assert ids(listed(client, LIST + "?q=hội+chợ"), made) == {"fair", "jobs"}
    # Words start words: "an" is not found inside "hoan" or "lao".
    assert ids(listed(client, LIST + "?q=ao"), made) == set()
    page = client.get(LIST + "?q=kh%C3%B4ng+c%C3%B3+b%C3%A0i+n%C3%A0y").get_data(as_text=True)
    assert "Không có bài viết nào khớp với bộ lọc." in page
    assert 'value="không có bài này"' in page  # the search stays in its box


def test_filters_by_state_section_unit_and_date_combine(login, newsroom, unit, other_unit):
    made, sport = newsroom
    client = login()
    assert ids(listed(client, LIST + "?trang-thai=draft"), made) == {"race"}
    assert ids(listed(client, LIST + "?trang-thai=published"), made) == \
        {"fair", "jobs", "vaccine", "haoan"}
    assert ids(listed(client, LIST + f"?chuyen-muc={sport.id}"), made) == {"race"}
    assert ids(listed(client, LIST + f"?don-vi={other_unit.id}"), made) == {"vaccine", "haoan"}
    # Days in Vietnam: 16:30 UTC on 20/11 is 23:30 on the 20th, the 21st begins at 17:00 UTC.
    assert ids(listed(client, LIST + "?tu=2026-11-20&den=2026-11-20"), made) == {"jobs"}
    assert ids(listed(client, LIST + "?tu=2026-11-01&den=2026-11-30"), made) == \
        {"fair", "race", "jobs", "vaccine"}  # the draft by the day it was begun
    assert ids(listed(client, LIST + "?den=2026-10-31"), made) == {"haoan"}
    combined = LIST + f"?q=hoa+an&trang-thai=published&don-vi={unit.id}&tu=2026-11-01"
    assert ids(listed(client, combined), made) == {"fair"}
    page = client.get(combined).get_data(as_text=True)
    assert 'value="published" selected' in page and f'value="{unit.id}" selected' in page
    assert "Bỏ lọc" in page


def test_pages_keep_the_filters(login, newsroom, monkeypatch):
    made, _sport = newsroom
    monkeypatch.setattr(article_filters, "PER_PAGE", 2)
    client = login()
    first = client.get(LIST + "?trang-thai=published").get_data(as_text=True)
    assert len(rows(first)) == 2 and "Trang 1/2" in first
    next_link = html.unescape(re.search(r'<a href="([^"]+)">Trang sau', first)[1])
    assert "trang-thai=published" in next_link and "trang=2" in next_link
    second = listed(client, next_link)
    assert len(second) == 2 and not set(second) & set(rows(first))
    assert ids(second, made) | ids(rows(first), made) == {"fair", "jobs", "vaccine", "haoan"}
    beyond = client.get(LIST + "?trang-thai=published&trang=9").get_data(as_text=True)
    assert "Trang này không có bài viết." in beyond


@pytest.mark.parametrize("query, message", [
    ("trang-thai=xuat-ban", "Trạng thái không hợp lệ."),
    ("chuyen-muc=van-hoa", "Chuyên mục không hợp lệ."),
    ("don-vi=-3", "Đơn vị không hợp lệ."),
    ("don-vi=99999999999999", "Đơn vị không hợp lệ."),
    ("tu=2026-13-45", "Ngày không hợp lệ"),
    ("den=9999-12-31", "Ngày không hợp lệ"),
    ("tu=0001-01-01", "Ngày không hợp lệ"),
    ("tu=2026-11-20&den=2026-11-01", "Ngày kết thúc phải sau ngày bắt đầu."),
    ("trang=0", "Số trang không hợp lệ."),
    ("trang=abc", "Số trang không hợp lệ."),
    ("q=" + "a" * 201, "Từ khóa quá dài"),
])
def test_a_bad_filter_is_a_400_that_says_why(login, newsroom, query, message):
    client = login()
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bộ lọc chưa hợp lệ:" in page and message in page
    assert not rows(page)


def test_a_section_or_unit_that_does_not_exist_finds_nothing(login, newsroom):
    client = login()
    page = client.get(LIST + "?chuyen-muc=987654").get_data(as_text=True)
    assert not rows(page) and "Không có bài viết nào khớp với bộ lọc." in page


def test_a_contributor_sees_only_their_units_articles_whatever_they_filter(
        login, newsroom, unit, other_unit):
    made, _sport = newsroom
    client = login("ctv", role=Role.contributor, unit=unit)
    assert ids(listed(client), made) == {"fair", "race", "jobs"}
    assert ids(listed(client, LIST + "?q=hoa+an"), made) == {"fair", "race"}
    assert ids(listed(client, LIST + f"?don-vi={other_unit.id}"), made) == set()
    assert ids(listed(client, LIST + "?trang-thai=published&tu=2026-11-01"), made) == \
        {"fair", "jobs"}
    page = client.get(LIST).get_data(as_text=True)
    assert other_unit.name not in page  # not even offered as a filter


def test_a_contributor_without_a_unit_sees_no_article(login, newsroom):
    """(`flask users create … --role contributor` without --unit makes one): no unit, nothing
    listed — never every unit's drafts."""
    made, _sport = newsroom
    client = login("ctv-moi", role=Role.contributor)
    assert ids(listed(client), made) == set()
    assert ids(listed(client, LIST + "?q=hoa+an"), made) == set()


# --- the cover on the edit page ------------------------------------------------------------

def test_the_edit_page_shows_the_cover_and_a_new_upload_replaces_it(login, make_article):
    article = make_article("Khánh thành cầu Hòa An", publish=False,
                           cover_caption="Cầu Hòa An ngày khánh thành")
    store_cover(article, read_cover(io.BytesIO(cover_bytes("Cầu cũ"))))
    old_key = article.cover_key
    client = login()
    url = f"/bien-tap/bai-viet/{article.id}"
    page = client.get(url).get_data(as_text=True)
    figure = re.search(r'<figure class="cover-field__current".*?</figure>', page, re.S)
    assert figure, "no cover on the edit page"
    assert old_key in html.unescape(figure[0])
    assert 'alt="Cầu Hòa An ngày khánh thành"' in figure[0]

    data = {"title": article.title, "lede": article.lede, "body_html": article.body_html,
            "category_id": str(article.category_id), "unit_id": "0", "author_name": "",
            "cover_caption": "", "listen_source": "narration",
            "csrf_token": csrf_token(client, url), "save": "Lưu",
            "cover": (io.BytesIO(cover_bytes("Cầu mới", 3)), "moi.png")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, re.findall(r'field__error[^>]*>([^<]*)',
                                                   response.get_data(as_text=True))
    db.session.refresh(article)
    assert article.cover_key != old_key
    page = client.get(url).get_data(as_text=True)
    figure = re.search(r'<figure class="cover-field__current".*?</figure>', page, re.S)
    assert article.cover_key in html.unescape(figure[0]) and old_key not in page
    assert f'alt="{article.title}"' in figure[0]  # no caption: the title describes it


def test_an_article_without_a_cover_shows_only_the_upload_field(login, make_article):
    article = make_article("Bài chưa có ảnh bìa", publish=False)
    page = login().get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    assert "cover-field__current" not in page and 'name="cover"' in page


# --- a submitted article is read-only to its contributor ---------------------------------

def contributors_article(make_user, unit, category, title="Lễ hội Nghinh Ông năm 2026"):
    contributor = make_user("ctv-tac-gia", role=Role.contributor, unit=unit)
    return workflow.save(None, ArticleInput(
        title=title, lede="Lễ hội diễn ra ba ngày.",
        body_html="<p>Hàng nghìn ngư dân tham dự.</p>", category_id=category.id,
        unit_id=unit.id), contributor), contributor


def form_of(page: str) -> str:
    return re.search(r'<form class="panel" method="post".*?</form>', page, re.S)[0]


@pytest.mark.parametrize("state", ["submitted", "scheduled", "published"])
def test_a_locked_article_is_read_only_to_its_contributor(
        login, make_user, unit, category, state, redis_conn):
    article, contributor = contributors_article(make_user, unit, category)
    workflow.submit(article, contributor)
    if state == "scheduled":
        workflow.schedule(article, None, datetime(2030, 1, 1, 1, 0, tzinfo=UTC))
    elif state == "published":
        workflow.publish(article, None)
        add_asset(article, MediaKind.audio, MediaStatus.ready,  # an editor could redo it
                  {"mp3": f"audio/{article.id}/abc/narration.mp3"}, 20.0)
    version = article.version
    client = login("ctv", role=Role.contributor, unit=unit)
    url = f"/bien-tap/bai-viet/{article.id}"
    page = client.get(url).get_data(as_text=True)
    note = {"submitted": "Bài đã gửi duyệt nên bạn chưa thể sửa: bạn chỉ có thể xem. "
                         "Muốn sửa, hãy đề nghị biên tập viên trả lại bài.",
            "scheduled": "Bài đã được duyệt và hẹn giờ xuất bản nên bạn không thể sửa",
            "published": "Bài đã xuất bản nên bạn không thể sửa: bạn chỉ có thể xem."}[state]
    assert note in page
    form = form_of(page)
    assert '<fieldset class="form-read-only" disabled>' in form
    assert 'value="Lễ hội Nghinh Ông năm 2026"' in form
    assert "Hàng nghìn ngư dân tham dự." in form  # the body, to read
    assert 'type="submit"' not in form and "<textarea" not in form.split("</fieldset>")[1]
    assert "data-article-editor" not in form  # no rich-text editor to type into
    # No upload of a cover, a video or subtitles, no button that redoes a form.
    assert 'name="cover"' not in form and 'class="video-upload"' not in page
    assert 'class="caption-form"' not in page and 'data-role="retry">' not in page

    token = csrf_token(client, url)
    for button in ({"save": "Lưu nháp"}, {"send_for_review": "Gửi duyệt"}):
        response = client.post(url, data={
            "title": "Sửa lén sau khi gửi", "lede": "", "body_html": "<p>Khác</p>",
            "category_id": str(category.id), "unit_id": str(unit.id), "author_name": "",
            "cover_caption": "", "version": str(version), "csrf_token": token, **button})
        assert response.status_code == 403
        refused = response.get_data(as_text=True)
        assert "Bạn không có quyền sửa bài viết này; chưa có thay đổi nào được lưu." in refused
        assert note in refused and "Sửa lén sau khi gửi" not in refused
    autosave = client.post(url + "/tu-luu", json={"title": "Tự lưu lén", "base_version": 1},
                           headers={"X-CSRFToken": token})
    assert autosave.status_code == 403
    db.session.expire_all()
    kept = db.session.get(Article, article.id)
    assert (kept.title, kept.body_html, kept.version) == \
        ("Lễ hội Nghinh Ông năm 2026", "<p>Hàng nghìn ngư dân tham dự.</p>", version)
    assert kept.status is ArticleStatus(state)
    assert db.session.scalar(select(Autosave.id)) is None


def test_a_draft_stays_writable_to_its_contributor(login, make_user, unit, category):
    article, _contributor = contributors_article(make_user, unit, category)
    client = login("ctv", role=Role.contributor, unit=unit)
    page = client.get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    assert "form-read-only" not in page and "data-article-editor" in page
    assert 'name="save"' in page and 'name="cover"' in page


def test_a_submitted_article_stays_writable_to_editors(login, make_user, unit, category):
    article, contributor = contributors_article(make_user, unit, category)
    workflow.submit(article, contributor)
    page = login().get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    assert "form-read-only" not in page and "data-article-editor" in page
    assert 'name="save"' in page and 'name="publish"' in page


# --- the preview shows only what would be published --------------------------------------

def test_the_preview_of_a_fresh_draft_shows_no_empty_date_and_no_pending_narration(
        login, make_article):
    article = make_article("Bản nháp chưa ai yêu cầu đọc", publish=False)
    page = login().get(f"/bien-tap/bai-viet/{article.id}/xem-truoc").get_data(as_text=True)
    assert "Bản nghe đang xử lý" not in page and "<audio" not in page
    assert "Cập nhật" not in page and "Nghe bài viết" not in page
    assert "forms-panel" not in page
    # The newsroom is told, in words, what readers would not get yet.
    note = re.search(r'data-role="media-note">(.*?)</p>', page, re.S)[1]
    assert "bản nghe (chưa có)" in " ".join(note.split())
    assert "Bản nghe được tạo tự động khi bài được xuất bản." in note


def test_the_preview_plays_a_ready_form_and_names_the_others(login, make_article):
    article = make_article("Bài có bản nghe thử và video đang xử lý", publish=False)
    add_asset(article, MediaKind.audio, MediaStatus.ready,
              {"mp3": f"private/audio/{article.id}/abc/narration.mp3"}, 30.0)
    add_asset(article, MediaKind.video, MediaStatus.processing)
    page = login().get(f"/bien-tap/bai-viet/{article.id}/xem-truoc").get_data(as_text=True)
    assert "<audio controls" in page and "<video" not in page
    assert "Video đang xử lý" not in page
    note = " ".join(re.search(r'data-role="media-note">(.*?)</p>', page, re.S)[1].split())
    assert "video (đang xử lý)" in note and "bản nghe" not in note


def test_the_review_queue_says_what_listeners_of_a_scheduled_article_will_get(
        login, make_article, redis_conn):
    article = make_article("Tin video hẹn giờ", publish=False, listen_source=ListenSource.video)
    workflow.schedule(article, None, datetime(2030, 1, 1, 1, 0, tzinfo=UTC))
    add_asset(article, MediaKind.video, MediaStatus.ready,
              {"mp4": f"private/video/{article.id}/abc/video.mp4",
               "soundtrack": f"private/video/{article.id}/abc/soundtrack.m4a"}, 75.0)
    page = login().get("/bien-tap/duyet-bai").get_data(as_text=True)
    cell = re.search(STATE.format("listen"), page)
    assert cell and cell[2] == "Sẵn sàng · 1:15"  # the video's sound, not a narration
