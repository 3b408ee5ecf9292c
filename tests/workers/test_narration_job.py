import requests
from rq.registry import FailedJobRegistry

from app.extensions import db
from app.media import jobs
from app.media.queues import SERIALIZER
from app.models import MediaStatus


def test_publishing_narrates_the_article_into_the_object_store(make_article, run_worker, store):
    """Publish → real worker → a ready MP3 in S3, made by the offline engine."""
    article = make_article()
    audio = article.asset("audio")
    assert audio.status is MediaStatus.queued
    run_worker()
    db.session.refresh(audio)
    assert audio.status is MediaStatus.ready
    assert audio.progress == 100
    assert audio.engine == "espeak:vi"
    assert audio.duration > 2
    key = audio.outputs["mp3"]
    assert key.startswith(f"audio/{article.id}/") and key.endswith(".mp3")
    mp3 = requests.get(store.url(key), timeout=5)
    assert mp3.headers["Content-Type"] == "audio/mpeg"
    assert len(mp3.content) == audio.outputs["mp3_bytes"]
    timings = requests.get(store.url(audio.outputs["timings"]), timeout=5).json()
    assert timings["sentences"][0]["text"] == article.title
    vtt = requests.get(store.url(audio.outputs["vtt"]), timeout=5)
    assert vtt.text.startswith("WEBVTT") and vtt.headers["Content-Type"].startswith("text/vtt")


def test_editing_only_the_category_does_not_narrate_again(make_article, run_worker, redis_conn):
    from rq import Queue

    from app.services import workflow
    from app.services.publishing import ArticleInput
    from app.services.sections import category_named

    article = make_article()
    run_worker()
    other = category_named("Kinh tế")
    workflow.save(article, ArticleInput(title=article.title, lede=article.lede,
                                       body_html=article.body_html, category_id=other.id), None)
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 0


def test_editing_the_body_narrates_again_and_readers_keep_the_old_audio_meanwhile(
        make_article, run_worker, client):
    from app.services import workflow
    from app.services.publishing import ArticleInput

    article = make_article()
    run_worker()
    audio = article.asset("audio")
    db.session.refresh(audio)
    old_key = audio.outputs["mp3"]
    edited = "<p>Nội dung đã được sửa lại, có thêm 15 ý kiến.</p>"
    workflow.save(article, ArticleInput(title=article.title, lede=article.lede, body_html=edited,
                                       category_id=article.category_id), None)
    db.session.refresh(audio)
    assert audio.status is MediaStatus.queued
    assert client.get("/api/v1/articles").get_json()["articles"][0]["audio"]["url"].endswith(
        old_key)
    run_worker()
    db.session.refresh(audio)
    assert audio.status is MediaStatus.ready and audio.outputs["mp3"] != old_key


def test_nothing_to_narrate_fails_once_with_a_clear_reason(app, make_article, run_worker,
                                                         redis_conn):
    """An article of emoji and Chinese only: "nothing to narrate", no retry loop."""
    article = make_article(title="🎉", lede="", body_html="<p>中华人民共和国 👍</p>")
    run_worker()
    audio = article.asset("audio")
    db.session.refresh(audio)
    assert audio.status is MediaStatus.failed
    assert audio.error == "Bài viết không có nội dung để đọc"
    from rq.registry import ScheduledJobRegistry

    assert ScheduledJobRegistry("narration", connection=redis_conn).count == 0
    assert FailedJobRegistry("narration", connection=redis_conn).count == 1


def test_a_second_run_on_the_same_text_does_no_work(make_article, run_worker):
    article = make_article()
    run_worker()
    audio = article.asset("audio")
    db.session.refresh(audio)
    before = (audio.attempts, audio.outputs["mp3"], audio.updated_at)
    jobs.narrate_article(audio.id)
    db.session.refresh(audio)
    assert (audio.attempts, audio.outputs["mp3"], audio.updated_at) == before


def test_a_job_for_a_deleted_asset_returns_quietly(make_article):
    article = make_article()
    asset_id = article.asset("audio").id
    db.session.delete(article)
    db.session.commit()
    jobs.narrate_article(asset_id)  # no exception, nothing to do


def test_engine_failure_marks_failed_keeps_old_audio_and_fails_the_job(
        app, make_article, run_worker, redis_conn):
    """A failed render says why, RQ records the failure, and readers keep the old MP3."""
    article = make_article()
    run_worker()
    audio = article.asset("audio")
    db.session.refresh(audio)
    old_key = audio.outputs["mp3"]

    app.config["ESPEAK_VOICE"] = "giong-khong-ton-tai"
    try:
        from app.media.lifecycle import request_narration

        request_narration(article)
        run_worker()
    finally:
        app.config["ESPEAK_VOICE"] = "vi"
    db.session.refresh(audio)
    assert audio.status is MediaStatus.failed
    assert "Không tạo được bản nghe" in audio.error
    assert audio.outputs["mp3"] == old_key
    assert FailedJobRegistry("narration", connection=redis_conn).count == 1


def test_an_exploding_lexicon_fails_with_its_own_reason_and_keeps_old_audio(
        make_article, run_worker):
    from app.models import LexiconEntry

    article = make_article(body_html="<p>Hội hội hội hội hội hội hội hội. Hội nghị bế mạc.</p>")
    run_worker()
    audio = article.asset("audio")
    db.session.refresh(audio)
    old = audio.outputs["mp3"]
    db.session.add(LexiconEntry(term="hội", spoken="hội " * 45))
    db.session.commit()
    from app.media.lifecycle import request_narration

    request_narration(article)
    run_worker()
    db.session.refresh(audio)
    assert audio.status is MediaStatus.failed
    assert audio.error.startswith("Từ điển phát âm làm câu dài quá mức")
    assert audio.outputs["mp3"] == old
