import io

from rq import Queue
from sqlalchemy import func, select

from app.demo import cover_bytes
from app.extensions import db
from app.media import queues
from app.media.queues import SERIALIZER
from app.media.queues import queue as rq_queue
from app.models import Article, ArticleStatus, MediaStatus, Role
from app.services.accounts import unit_named
from tests.conftest import csrf_token


def form(client, url, **fields):
    data = {"title": "", "lede": "", "body_html": "", "category_id": "0", "unit_id": "0",
            "author_name": "", "cover_caption": "", "csrf_token": csrf_token(client, url)}
    data.update(fields)
    return data


def count_articles() -> int:
    return db.session.scalar(select(func.count(Article.id)))


def test_publishing_commits_the_article_then_queues_its_narration(login, category, redis_conn):
    client = login()
    response = client.post("/bien-tap/bai-viet/moi", data=form(
        client, "/bien-tap/bai-viet/moi", title="Đẩy nhanh tiến độ nâng cấp cổng thông tin",
        lede="Sáng ngày 18/1/2021, Tỉnh ủy họp.", body_html="<p>Có 08 ý kiến góp ý.</p>",
        category_id=str(category.id), author_name="Bảo Trân", publish="Xuất bản"))
    assert response.status_code == 302
    article = db.session.scalar(select(Article))
    assert article.status is ArticleStatus.published
    assert article.slug == "day-nhanh-tien-do-nang-cap-cong-thong-tin"
    assert article.published_at is not None
    audio = article.asset("audio")
    assert audio.status is MediaStatus.queued
    queued = Queue("narration", connection=redis_conn, serializer=SERIALIZER).jobs
    assert [job.args for job in queued] == [[audio.id]]
    assert queued[0].func_name == queues.NARRATE


def test_publishing_an_empty_body_is_refused_and_saves_nothing(login):
    client = login()
    response = client.post("/bien-tap/bai-viet/moi", data=form(
        client, "/bien-tap/bai-viet/moi", title="Tiêu đề có nhưng nội dung trống",
        body_html="<p> </p><script>x()</script>", publish="Xuất bản"))
    assert response.status_code == 422
    assert "Nội dung bài viết không được để trống khi xuất bản." in response.get_data(as_text=True)
    assert count_articles() == 0


def test_an_empty_title_is_refused(login):
    client = login()
    response = client.post("/bien-tap/bai-viet/moi", data=form(
        client, "/bien-tap/bai-viet/moi", title="  ", body_html="<p>Nội dung</p>",
        publish="Xuất bản"))
    assert response.status_code == 422
    assert "Tiêu đề không được để trống." in response.get_data(as_text=True)
    assert count_articles() == 0


def test_emptying_a_published_article_is_refused_and_it_stays_intact(login, make_article):
    article = make_article(body_html="<p>Nội dung gốc đã xuất bản.</p>")
    client = login()
    url = f"/bien-tap/bai-viet/{article.id}"
    response = client.post(url, data=form(client, url, title=article.title, body_html="",
                                          save="Lưu"))
    assert response.status_code == 422
    db.session.refresh(article)
    assert article.body_html == "<p>Nội dung gốc đã xuất bản.</p>"


def test_body_html_is_sanitized(login):
    client = login()
    client.post("/bien-tap/bai-viet/moi", data=form(
        client, "/bien-tap/bai-viet/moi", title="Bài có mã độc",
        body_html='<p onclick="steal()">Xin chào<script>alert(1)</script>'
                  '<a href="javascript:alert(1)">liên kết</a></p>', save="Lưu"))
    body = db.session.scalar(select(Article)).body_html
    assert "script" not in body and "onclick" not in body and "javascript:" not in body
    assert "Xin chào" in body


def test_saving_a_draft_does_not_publish_or_narrate(login, redis_conn):
    client = login()
    client.post("/bien-tap/bai-viet/moi", data=form(
        client, "/bien-tap/bai-viet/moi", title="Bản nháp", body_html="<p>Nháp</p>", save="Lưu"))
    article = db.session.scalar(select(Article))
    assert article.status is ArticleStatus.draft
    assert article.media == []
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 0


def test_a_contributor_cannot_publish(login):
    unit = unit_named("Sở Văn hóa")
    db.session.commit()
    client = login("ctv", role=Role.contributor, unit=unit)
    response = client.post("/bien-tap/bai-viet/moi", data=form(
        client, "/bien-tap/bai-viet/moi", title="Bài của đơn vị", body_html="<p>Nội dung</p>",
        unit_id=str(unit.id), publish="Xuất bản"))
    assert response.status_code == 403
    assert count_articles() == 0


def test_cover_image_is_stored_as_jpeg(login, store):
    client = login()
    data = form(client, "/bien-tap/bai-viet/moi", title="Bài có ảnh bìa", body_html="<p>x</p>",
                save="Lưu")
    data["cover"] = (io.BytesIO(cover_bytes("Ảnh bìa")), "anh-bia.png")
    client.post("/bien-tap/bai-viet/moi", data=data, content_type="multipart/form-data")
    article = db.session.scalar(select(Article))
    # A draft's cover is kept private until it is published (app.media.storage_keys).
    assert article.cover_key.startswith(f"private/images/{article.id}/")
    assert store.exists(article.cover_key)


def test_a_file_that_is_not_an_image_is_refused_as_cover(login):
    client = login()
    data = form(client, "/bien-tap/bai-viet/moi", title="Ảnh hỏng", body_html="<p>x</p>",
                publish="Xuất bản")
    data["cover"] = (io.BytesIO(b"not an image"), "anh.jpg")
    response = client.post("/bien-tap/bai-viet/moi", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Ảnh bìa không phải tệp ảnh hợp lệ" in response.get_data(as_text=True)
    assert count_articles() == 0


def test_video_upload_stores_the_original_and_queues_transcoding(
        login, make_article, redis_conn, store):
    article = make_article()
    client = login()
    url = f"/bien-tap/bai-viet/{article.id}"
    response = client.post(f"{url}/video", data={
        "csrf_token": csrf_token(client, url),
        "video": (io.BytesIO(b"\x00\x00\x00\x18ftypmp42 pretend video"), "phong-su.mp4"),
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    video = article.asset("video")
    assert video.status is MediaStatus.queued
    assert video.source_key.startswith(f"uploads/{article.id}/")
    assert store.exists(video.source_key)
    assert [j.args for j in rq_queue("video", redis_conn).jobs] == [[video.id]]


def test_a_video_upload_with_a_foreign_extension_is_refused(login, make_article):
    article = make_article()
    client = login()
    url = f"/bien-tap/bai-viet/{article.id}"
    response = client.post(f"{url}/video", data={
        "csrf_token": csrf_token(client, url),
        "video": (io.BytesIO(b"MZ..."), "virus.exe"),
    }, content_type="multipart/form-data", follow_redirects=True)
    assert "Định dạng video không được hỗ trợ." in response.get_data(as_text=True)
    db.session.expire_all()
    assert article.asset("video") is None


def test_queue_outage_leaves_the_article_published_and_the_asset_pending(
        app, make_article, monkeypatch):
    """Redis down: the article still publishes; the audio waits as 'pending' with a reason."""
    app.extensions.pop("redis", None)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    try:
        article = make_article()
    finally:
        app.extensions.pop("redis", None)
    assert article.status is ArticleStatus.published
    audio = article.asset("audio")
    assert audio.status is MediaStatus.pending
    assert "Hàng đợi" in audio.error


def test_the_media_panel_buttons_cancel_and_retry(login, make_article, redis_conn):
    """Hủy stops the queued narration; Thử lại queues it again."""
    article = make_article()
    audio = article.asset("audio")
    client = login()
    url = f"/bien-tap/bai-viet/{article.id}"
    response = client.post(f"/bien-tap/media/{audio.id}/huy",
                           data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 303
    db.session.expire_all()
    assert audio.status is MediaStatus.failed and audio.error.startswith("Đã hủy")
    client.post(f"/bien-tap/media/{audio.id}/thu-lai", data={"csrf_token": csrf_token(client, url)})
    db.session.expire_all()
    assert audio.status is MediaStatus.queued
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 1
