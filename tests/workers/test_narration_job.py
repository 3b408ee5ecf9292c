import requests
from rq.registry import FailedJobRegistry

from app.extensions import db
from app.models import MediaStatus
from workers import tasks


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
    assert requests.get(store.url(key), timeout=5).headers["Content-Type"] == "audio/mpeg"


def test_a_second_run_on_the_same_text_does_no_work(make_article, run_worker):
    article = make_article()
    run_worker()
    audio = article.asset("audio")
    db.session.refresh(audio)
    before = (audio.attempts, audio.outputs["mp3"], audio.updated_at)
    tasks.narrate_article(audio.id)
    db.session.refresh(audio)
    assert (audio.attempts, audio.outputs["mp3"], audio.updated_at) == before


def test_a_job_for_a_deleted_asset_returns_quietly(make_article):
    article = make_article()
    asset_id = article.asset("audio").id
    db.session.delete(article)
    db.session.commit()
    tasks.narrate_article(asset_id)  # no exception, nothing to do


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
        from app.services.media_jobs import request_narration

        request_narration(article)
        run_worker()
    finally:
        app.config["ESPEAK_VOICE"] = "vi"
    db.session.refresh(audio)
    assert audio.status is MediaStatus.failed
    assert "Không tạo được bản nghe" in audio.error
    assert audio.outputs["mp3"] == old_key
    assert FailedJobRegistry("narration", connection=redis_conn).count == 1
