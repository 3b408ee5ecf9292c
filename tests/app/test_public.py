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
    assert "Cập nhật vào ngày" in page and "19/01/2021" in page
    assert "Số lần xem: 277" in page
    assert "Sáng ngày 18/11/2026" in page and "08 ý kiến" in page
    assert "Bảo Trân" in page
    assert "Bản nghe đang xử lý" in page  # honest placeholder before the worker ran


def test_view_count_goes_up_per_visit(client, make_article):
    article = make_article()
    for _ in range(3):
        client.get(f"/bai-viet/{article.slug}")
    db.session.refresh(article)
    assert article.view_count == 3


def test_ready_media_play_straight_from_the_object_store(client, make_article, app):
    article = make_article()
    audio = article.asset("audio")
    audio.status = MediaStatus.ready
    audio.outputs = {"mp3": f"audio/{article.id}/abc.mp3"}
    audio.duration = 75.0
    db.session.commit()
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    public = f"{app.config['S3_ENDPOINT_URL']}/{app.config['S3_BUCKET']}"
    assert f'<audio controls preload="none" src="{public}/audio/{article.id}/abc.mp3"' in page
    assert "(1:15)" in page
    assert "Giọng đọc tự động" in page


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
