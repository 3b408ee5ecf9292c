from datetime import UTC, datetime

from app.extensions import db
from app.models import MediaStatus


def test_articles_are_listed_newest_first_with_their_three_forms(client, make_article):
    first = make_article("Tin thứ nhất")
    first.published_at = datetime(2026, 1, 1, tzinfo=UTC)
    second = make_article("Tin thứ hai")
    second.published_at = datetime(2026, 2, 1, tzinfo=UTC)
    make_article("Bản nháp", publish=False)
    db.session.commit()
    data = client.get("/api/v1/articles").get_json()
    assert [a["title"] for a in data["articles"]] == ["Tin thứ hai", "Tin thứ nhất"]
    item = data["articles"][0]
    assert item["text"]["url"].endswith(f"/bai-viet/{second.slug}")
    assert item["audio"] == {**item["audio"], "status": "queued", "url": None, "duration": None}
    assert item["video"]["status"] == "none" and item["video"]["mp4"] is None
    assert set(item["video"]) >= {"status", "mp4", "poster", "duration"}


def test_article_detail_gives_media_urls_when_ready(client, make_article, app):
    article = make_article()
    audio = article.asset("audio")
    audio.status = MediaStatus.ready
    audio.outputs = {"mp3": "audio/1/x.mp3"}
    audio.duration = 12.5
    db.session.commit()
    data = client.get(f"/api/v1/articles/{article.id}").get_json()
    assert data["audio"]["status"] == "ready"
    public = f"{app.config['S3_ENDPOINT_URL']}/{app.config['S3_BUCKET']}"
    assert data["audio"]["url"] == f"{public}/audio/1/x.mp3"
    assert data["audio"]["duration"] == 12.5
    assert data["body_html"] == "<p>Hội nghị đã thảo luận 08 ý kiến.</p>"


def test_unpublished_or_unknown_articles_are_404_json(client, make_article):
    draft = make_article(publish=False)
    for url in (f"/api/v1/articles/{draft.id}", "/api/v1/articles/999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"] == "Không tìm thấy trang bạn yêu cầu."


def test_bad_pagination_is_a_400_not_a_500(client):
    assert client.get("/api/v1/articles?page=abc").status_code == 400
    assert client.get("/api/v1/articles?per_page=100000").get_json()["per_page"] == 100


def test_presigned_mode_signs_media_urls(client, make_article, app, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_URL_MODE", "presigned")
    article = make_article()
    audio = article.asset("audio")
    audio.status = MediaStatus.ready
    audio.outputs = {"mp3": "audio/1/x.mp3"}
    db.session.commit()
    url = client.get(f"/api/v1/articles/{article.id}").get_json()["audio"]["url"]
    assert "X-Amz-Signature=" in url
