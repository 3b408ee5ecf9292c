import re
from datetime import UTC, datetime

from app.extensions import db
from app.models import MediaStatus


def test_home_lists_published_articles_newest_first(client, make_article):
    older = make_article("Tin thứ nhất")
    older.published_at = datetime(2026, 1, 1, tzinfo=UTC)
    newer = make_article("Tin mới nhất")
    newer.published_at = datetime(2026, 3, 1, tzinfo=UTC)
    make_article("Bản nháp bí mật", publish=False)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.index("Tin mới nhất") < page.index("Tin thứ nhất")
    assert "Bản nháp bí mật" not in page


def test_article_page_has_the_anatomy_readers_know(client, make_article):
    article = make_article("Đẩy nhanh tiến độ", author_name="Bảo Trân")
    # 18/01 20:00 UTC is already 19/01 in Hậu Giang.
    article.published_at = datetime(2021, 1, 18, 20, 0, tzinfo=UTC)
    article.view_count = 276
    db.session.commit()
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "Văn hóa xã hội" in page
    # the time and date in Vietnam, as news sites show them; never edited: no "Cập nhật"
    assert "03:00 19/01/2021" in page and "Cập nhật" not in page
    assert "Số lần xem: 277" in page
    assert "Sáng ngày 18/11/2026" in page and "08 ý kiến" in page
    assert "Bảo Trân" in page
    assert "Bản nghe đang xử lý" in page  # honest placeholder before the worker ran


def test_views_are_buffered_in_redis_then_flushed_in_one_write(client, make_article):
    """Readers see every visit counted; the database is written by the periodic flush."""
    from app.services.views_counter import flush_views

    article = make_article()
    for _ in range(3):
        page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "Số lần xem: 3" in page
    db.session.refresh(article)
    assert article.view_count == 0  # no database write per request
    assert flush_views() == 1
    db.session.refresh(article)
    assert article.view_count == 3
    assert "Số lần xem: 4" in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)


def test_obvious_bots_are_not_counted(client, make_article):
    from app.services.views_counter import flush_views

    article = make_article()
    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.0", ""):
        client.get(f"/bai-viet/{article.slug}", headers={"User-Agent": agent})
    assert flush_views() == 0


def test_a_redis_outage_does_not_break_the_article_page(app, client, make_article, monkeypatch):
    article = make_article()
    app.extensions.pop("redis", None)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    try:
        response = client.get(f"/bai-viet/{article.slug}")
    finally:
        app.extensions.pop("redis", None)
    assert response.status_code == 200 and "Số lần xem: 0" in response.get_data(as_text=True)


def test_ready_media_play_straight_from_the_object_store(client, make_article, app):
    article = make_article()
    audio = article.asset("audio")
    audio.status = MediaStatus.ready
    audio.outputs = {"mp3": f"audio/{article.id}/abc.mp3"}
    audio.duration = 75.0
    audio.engine = "espeak:vi"
    db.session.commit()
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    public = f"{app.config['S3_ENDPOINT_URL']}/{app.config['S3_BUCKET']}"
    assert f'<audio controls preload="none" src="{public}/audio/{article.id}/abc.mp3"' in page
    assert "(1:15)" in page
    assert "Giọng đọc tự động." in page  # in words: readers never see an engine code
    assert "espeak" not in page.lower() and "gtts" not in page.lower()


def test_drafts_and_unknown_articles_are_a_vietnamese_404(client, make_article):
    draft = make_article("Bản nháp", publish=False)
    for url in (f"/bai-viet/{draft.slug}", "/bai-viet/khong-co-bai-nay"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy trang bạn yêu cầu." in response.get_data(as_text=True)


def test_bad_page_numbers_do_not_break_the_home_page(client, make_article):
    make_article()
    for query in ("?trang=abc", "?trang=-5", "?trang=999999999999"):
        assert client.get(f"/{query}").status_code == 200


def test_article_page_carries_share_cards_structured_data_and_related(client, make_article):
    """OpenGraph/Twitter cards and NewsArticle JSON-LD name the narration; related list."""
    import json
    import re

    article = make_article("Bài chính", author_name="Bảo Trân")
    sibling = make_article("Bài cùng chuyên mục")
    audio = article.asset("audio")
    audio.status = MediaStatus.ready
    audio.outputs = {"mp3": f"audio/{article.id}/n.mp3"}
    audio.duration = 75.4
    db.session.commit()
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert '<meta property="og:title" content="Bài chính">' in page
    assert '<meta property="og:audio" content="' in page
    assert '<meta name="twitter:card"' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                              re.S).group(1))
    assert ld["@type"] == "NewsArticle" and ld["headline"] == "Bài chính"
    assert ld["author"] == {"@type": "Person", "name": "Bảo Trân"}
    assert ld["audio"]["contentUrl"].endswith(f"audio/{article.id}/n.mp3")
    assert ld["audio"]["duration"] == "PT75S"
    related = page.split('id="related-title"', 1)[1]
    assert sibling.title in related and "Bài chính" not in related
    assert "In bài viết" in page and "facebook.com/sharer" in page


def test_home_has_listen_watch_most_read_and_section_blocks(client, make_article):
    """The portal home: Nghe strip for ready narrations, Đọc nhiều, a block per section."""
    from app.services.sections import category_named

    heard = make_article("Bài đã có bản nghe")
    heard.view_count = 900
    audio = heard.asset("audio")
    audio.status = MediaStatus.ready
    audio.outputs = {"mp3": "audio/1/x.mp3"}
    other = make_article("Tin kinh tế nổi bật")
    other.category_id = category_named("Kinh tế").id
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    listen = page.split('id="strip-1"', 1)[1].split("</section>", 1)[0]
    assert "Bài đã có bản nghe" in listen and "Tin kinh tế nổi bật" not in listen
    most_read = page.split('id="most-read"', 1)[1].split("</section>", 1)[0]
    assert most_read.index("Bài đã có bản nghe") < most_read.index("Tin kinh tế nổi bật")
    assert ">Kinh tế</a></h2>" in page and ">Văn hóa xã hội</a></h2>" in page


def test_updated_shows_only_after_an_edit_of_a_live_article(client, make_article):
    """Cards and the article say when it went live, hh:mm dd/mm/yyyy in Vietnam; "Cập nhật"
    appears once its content is edited after that, with the edit's time — not for a view
    counted, nor for an edit made before it went live."""
    from app.services import workflow
    from app.services.publishing import ArticleInput

    article = make_article("Khánh thành cầu Tân Phước", publish=False)
    data = ArticleInput(title=article.title, lede="Sửa trước khi đăng.",
                        body_html=article.body_html, category_id=article.category_id)
    workflow.save(article, data, None, actor="test")
    workflow.publish(article, None)
    article.published_at = datetime(2026, 12, 1, 1, 5, tzinfo=UTC)  # 08:05 in Vietnam
    db.session.commit()
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "08:05 01/12/2026" in page and "Cập nhật" not in page
    assert "08:05 01/12/2026" in client.get("/").get_data(as_text=True)  # on its card
    data.lede = "Sáng 1/12, cầu Tân Phước được khánh thành và thông xe."
    workflow.save(article, data, None, actor="test")
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert re.search(r"Cập nhật <time datetime=\"[^\"]+\">\d\d:\d\d \d\d/\d\d/\d{4}</time>", page)
