"""The page cache: anonymous readers get stored pages; every change they show drops them at
once; staff and anything personal never go through it; junk cannot fill Redis."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import select

from app.extensions import db
from app.media import lifecycle
from app.models import Comment, CommentStatus, MediaKind, MediaStatus, Role
from app.services import workflow
from app.services.infra import connect_redis
from app.services.page_cache import PREFIX
from app.services.publishing import ArticleInput
from app.services.sections import category_named


@pytest.fixture(autouse=True)
def page_cache_on(app):
    app.config["PAGE_CACHE_TTL"] = 300
    yield
    app.config["PAGE_CACHE_TTL"] = 0


def cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def page_keys(redis_conn) -> list[bytes]:
    """Stored pages (not the tag sets and bookkeeping)."""
    return [k for k in redis_conn.keys(f"{PREFIX}:*")
            if not k.startswith(f"{PREFIX}:tag:".encode())
            and not k.startswith(f"{PREFIX}:changed:".encode())
            and k != f"{PREFIX}:generation".encode()]


def test_home_is_served_from_the_cache_until_an_article_is_published(client, make_article):
    make_article("Tin thứ nhất")
    first = client.get("/")
    assert cache_state(first) == "miss"
    second = client.get("/")
    assert cache_state(second) == "hit" and second.data == first.data
    make_article("Tin vừa xuất bản")
    third = client.get("/")
    assert cache_state(third) == "miss" and "Tin vừa xuất bản" in third.get_data(as_text=True)


def test_an_edit_refreshes_its_pages_and_leaves_unrelated_ones(client, make_article):
    sport = category_named("Thể thao")
    db.session.commit()
    edited = make_article("Khánh thành cầu Cái Tắc")
    other = make_article("Giải bóng đá thiếu niên")
    other.category_id = sport.id
    db.session.commit()
    for url in (f"/bai-viet/{edited.slug}", f"/bai-viet/{other.slug}", "/chuyen-muc/the-thao/"):
        client.get(url)
    workflow.save(edited, ArticleInput(title="Khánh thành cầu Cái Tắc mới", lede=edited.lede,
                                      body_html="<p>Cây cầu dài 200 m.</p>",
                                      category_id=edited.category_id), None)
    page = client.get(f"/bai-viet/{edited.slug}")
    assert cache_state(page) == "miss" and "Cây cầu dài 200 m." in page.get_data(as_text=True)
    assert cache_state(client.get(f"/bai-viet/{other.slug}")) == "hit"
    assert cache_state(client.get("/chuyen-muc/the-thao/")) == "hit"


def test_an_approved_comment_shows_at_once(client, make_article, make_user):
    article = make_article()
    url = f"/bai-viet/{article.slug}"
    client.get(url)
    assert client.post(f"{url}/binh-luan", data={"ho_ten": "Lê Hoa", "email": "hoa@example.vn",
                                                 "y_kien": "Rất hay."}).status_code == 303
    reader = client.application.test_client()  # another reader, no flash message waiting
    assert cache_state(reader.get(url)) == "hit"  # a pending comment changes nothing shown
    comment = db.session.scalar(select(Comment))
    comment.status = CommentStatus.approved
    db.session.commit()
    page = reader.get(url)
    assert cache_state(page) == "miss" and "Rất hay." in page.get_data(as_text=True)


def test_a_media_state_change_refreshes_but_progress_ticks_do_not(client, make_article):
    article = make_article()
    asset = lifecycle.get_or_create_asset(article, MediaKind.audio)
    db.session.commit()
    client.get("/")
    client.get(f"/bai-viet/{article.slug}")
    asset.progress = 40
    db.session.commit()
    assert cache_state(client.get("/")) == "hit"
    asset.move_to(MediaStatus.processing)  # it was queued on creation
    db.session.commit()
    assert cache_state(client.get("/")) == "miss"
    assert cache_state(client.get(f"/bai-viet/{article.slug}")) == "miss"


def test_staff_never_get_or_leave_cached_pages(app, make_article, login):
    make_article()
    reader = app.test_client()
    assert cache_state(reader.get("/")) == "miss"
    staff = login("bientap", role=Role.editor)
    page = staff.get("/")
    assert cache_state(page) is None and "Đăng xuất" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    anonymous = reader.get("/")
    assert cache_state(anonymous) == "hit"
    body = anonymous.get_data(as_text=True)
    assert "Đăng xuất" not in body and "csrf_token" not in body and "bientap" not in body


def test_a_reader_with_a_flash_message_gets_a_fresh_page_that_is_not_stored(client,
                                                                          make_article):
    article = make_article()
    url = f"/bai-viet/{article.slug}"
    client.post(f"{url}/binh-luan", data={"ho_ten": "Lê Hoa", "email": "hoa@example.vn",
                                          "y_kien": "Rất hay."})
    thanked = client.get(url)
    assert cache_state(thanked) is None and "Cảm ơn bạn!" in thanked.get_data(as_text=True)
    other = client.application.test_client().get(url)
    assert "Cảm ơn bạn!" not in other.get_data(as_text=True)


def test_query_strings_and_unknown_urls_cannot_fill_redis(client, make_article, redis_conn):
    make_article()
    for n in range(30):
        assert client.get(f"/?utm_source=zalo&x={n}").status_code == 200
        assert client.get(f"/bai-viet/khong-co-bai-{n}").status_code == 404
        assert client.get(f"/lich-cong-tac/?tuan=19{n:02d}-01-05").status_code == 200
        assert client.get(f"/van-ban/?q=van+ban+{n}").status_code == 200
    client.get("/?trang=abc")
    assert len(page_keys(redis_conn)) == 1  # the home page; weeks of the 1900s are not kept


def test_a_redis_outage_gives_uncached_pages_not_errors(app, client, make_article):
    article = make_article()
    app.extensions["redis"] = connect_redis("redis://127.0.0.1:1/0")  # the project's own client
    try:
        assert client.get("/").status_code == 200
        assert client.get(f"/bai-viet/{article.slug}").status_code == 200
        make_article("Tin trong lúc Redis ngừng")  # the commit's invalidation fails quietly
        assert "Tin trong lúc Redis ngừng" in client.get("/").get_data(as_text=True)
    finally:
        app.extensions.pop("redis")


def test_public_pages_have_an_etag_and_answer_304(client, make_article):
    make_article()
    first = client.get("/", headers={"Accept-Encoding": "gzip"})  # fills the cache
    assert first.headers["Cache-Control"].startswith("public, max-age=60")
    for _ in range(2):  # from the renderer, then from the cache
        response = client.get("/", headers={"Accept-Encoding": "gzip"})
        etag = response.headers["ETag"]
        again = client.get("/", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304 and not again.data


def test_cached_pages_are_stored_compressed_and_served_either_way(client, make_article):
    make_article("Tin nén gzip")
    client.get("/")
    zipped = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert cache_state(zipped) == "hit" and zipped.headers["Content-Encoding"] == "gzip"
    assert "Tin nén gzip" in gzip.decompress(zipped.data).decode()
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert cache_state(plain) == "hit" and "Content-Encoding" not in plain.headers
    assert "Tin nén gzip" in plain.get_data(as_text=True)


def test_each_language_has_its_own_cached_page(app, make_article):
    make_article()
    assert 'lang="vi"' in app.test_client().get("/").get_data(as_text=True)
    reader = app.test_client()
    reader.get("/ngon-ngu/en?next=/")
    english = reader.get("/")
    assert cache_state(english) == "miss" and 'lang="en"' in english.get_data(as_text=True)


def test_documents_and_schedules_are_refreshed_when_editors_change_them(client, app):
    from datetime import UTC, date, datetime

    from app.models import Document, ScheduleEntry

    client.get("/van-ban/")
    client.get("/lich-cong-tac/")
    db.session.add(Document(number="01/KH-UBND", doc_type="Kế hoạch", issuer="UBND tỉnh",
                            issued_on=date(2026, 1, 2), summary="Kế hoạch mới", slug="kh-01"))
    db.session.add(ScheduleEntry(starts_at=datetime.now(UTC), content="Họp giao ban đột xuất"))
    db.session.commit()
    assert "01/KH-UBND" in client.get("/van-ban/").get_data(as_text=True)
    assert "Họp giao ban đột xuất" in client.get("/lich-cong-tac/").get_data(as_text=True)


def test_cached_articles_still_count_their_readers_but_not_bots(client, make_article):
    """Hits answered before Flask (plain anonymous GETs) count a view like a rendered page."""
    from app.services.views_counter import pending_views

    article = make_article()
    browser = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile"}
    states = [cache_state(client.get(f"/bai-viet/{article.slug}", headers=browser))
              for _ in range(3)]
    client.get(f"/bai-viet/{article.slug}", headers={"User-Agent": "Googlebot/2.1"})
    assert states == ["miss", "hit", "hit"]
    assert pending_views(article.id) == 3
    head = client.head(f"/bai-viet/{article.slug}", headers=browser)
    assert head.status_code == 200 and cache_state(head) == "hit" and not head.data


@pytest.fixture
def local_copies(app, monkeypatch):
    """Each process's in-memory copies on (PAGE_LOCAL_TTL), with a clock the test moves and a
    count of the lookups that went to Redis."""
    from app import http_page_cache as page_cache

    app.config["PAGE_LOCAL_TTL"] = 30.0
    app.extensions["page_cache_local"].clear()
    clock = {"now": page_cache._clock()}
    monkeypatch.setattr(page_cache, "_clock", lambda: clock["now"])
    redis_lookups = []
    real_lookup = page_cache.lookup

    def counted(*args, **kwargs):
        redis_lookups.append(args[1])
        return real_lookup(*args, **kwargs)

    monkeypatch.setattr(page_cache, "lookup", counted)
    yield clock, redis_lookups
    app.config["PAGE_LOCAL_TTL"] = 0.0
    app.extensions["page_cache_local"].clear()


def test_a_burst_of_readers_is_answered_from_process_memory(client, make_article,
                                                            local_copies):
    _, redis_lookups = local_copies
    make_article("Tin nóng")
    client.get("/")  # rendered and stored in Redis
    client.get("/")  # found in Redis, kept in this process
    asked = len(redis_lookups)
    pages = [client.get("/") for _ in range(20)]
    assert all(cache_state(p) == "hit" and "Tin nóng" in p.get_data(as_text=True)
               for p in pages)
    assert len(redis_lookups) == asked  # none of the 20 went to Redis


def test_a_change_made_in_this_process_shows_at_once(client, make_article, local_copies):
    make_article("Tin thứ nhất")
    client.get("/"), client.get("/")
    make_article("Tin vừa xuất bản")
    assert "Tin vừa xuất bản" in client.get("/").get_data(as_text=True)


def test_another_processs_change_shows_within_the_local_ttl(app, client, make_article,
                                                          redis_conn, local_copies):
    clock, _ = local_copies
    make_article("Tin thứ nhất")
    client.get("/"), client.get("/")
    redis_conn.incr(f"{PREFIX}:generation")  # what another process's invalidate("*") does
    assert cache_state(client.get("/")) == "hit"  # this process's copy, for now
    clock["now"] += app.config["PAGE_LOCAL_TTL"] + 0.1
    assert cache_state(client.get("/")) == "miss"  # the copy expired: Redis said it changed


def test_views_counted_in_process_memory_reach_redis_within_a_second(client, make_article,
                                                                    local_copies):
    from app.services.views_counter import pending_views

    clock, _ = local_copies
    article = make_article()
    browser = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile"}
    for _ in range(6):
        client.get(f"/bai-viet/{article.slug}", headers=browser)
    client.get(f"/bai-viet/{article.slug}", headers={"User-Agent": "Googlebot/2.1"})
    assert pending_views(article.id) < 6  # some are still held in this process
    clock["now"] += 1.5
    client.get("/khong-co-trang-nay")  # any later request sends them
    assert pending_views(article.id) == 6


def test_the_local_copies_are_bounded(app, client, make_article, local_copies):
    app.config["PAGE_LOCAL_ENTRIES"] = 3
    try:
        slugs = [make_article(f"Tin số {n}").slug for n in range(6)]
        for slug in slugs:
            client.get(f"/bai-viet/{slug}"), client.get(f"/bai-viet/{slug}")
        assert len(app.extensions["page_cache_local"]._pages) == 3
    finally:
        app.config["PAGE_LOCAL_ENTRIES"] = 256
