"""Cancelling jobs, rows whose worker died, and storage that no render uses any more."""

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

from app.extensions import db
from app.models import MediaAsset, MediaKind, MediaStatus
from app.services import media_jobs
from workers import state, tasks
from workers.queues import SERIALIZER


def test_cancelling_a_queued_job_marks_the_row_and_cancels_the_job(make_article, redis_conn):
    article = make_article()
    audio = article.asset("audio")
    job_id = audio.job_id
    media_jobs.cancel(audio)
    assert audio.status is MediaStatus.failed and audio.error == state.CANCELLED
    from rq.job import Job

    job = Job.fetch(job_id, connection=redis_conn, serializer=SERIALIZER)
    assert job.get_status() == JobStatus.CANCELED
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 0


def test_a_running_job_stops_at_its_next_progress_step_and_keeps_the_reason(make_article):
    article = make_article()
    audio = article.asset("audio")
    audio.move_to(MediaStatus.processing)
    db.session.commit()
    report = state.ProgressReporter(audio)
    report(10)
    media_jobs.cancel(audio)
    with pytest.raises(state.Cancelled):
        report(50)
    state.fail(audio.id, "Cancelled")
    db.session.refresh(audio)
    assert audio.error == state.CANCELLED


def test_a_row_whose_worker_died_is_marked_failed_not_left_processing(make_article, redis_conn):
    article = make_article()
    audio = article.asset("audio")
    audio.move_to(MediaStatus.processing)
    audio.job_id = "job-that-no-longer-exists"
    db.session.commit()
    db.session.execute(MediaAsset.__table__.update().values(
        updated_at=datetime.now(UTC) - timedelta(minutes=10)))
    db.session.commit()
    assert tasks.sweep_stuck_assets(redis_conn) == 1
    db.session.refresh(audio)
    assert audio.status is MediaStatus.failed and audio.error == tasks.STUCK


def test_a_fresh_or_live_processing_row_is_left_alone(make_article, redis_conn):
    article = make_article()
    audio = article.asset("audio")  # its job is queued in Redis
    audio.move_to(MediaStatus.processing)
    db.session.commit()
    db.session.execute(MediaAsset.__table__.update().values(
        updated_at=datetime.now(UTC) - timedelta(minutes=10)))
    db.session.commit()
    assert tasks.sweep_stuck_assets(redis_conn) == 0


def test_a_new_render_retires_the_old_folder_and_files():
    previous = {"hls": "video/7/aaa/hls/master.m3u8", "mp4": "video/7/aaa/video.mp4"}
    current = {"hls": "video/7/bbb/hls/master.m3u8", "mp4": "video/7/bbb/video.mp4"}
    assert tasks.superseded(previous, current) == (["video/7/aaa/"], [])
    old_audio = {"mp3": "audio/1/x.mp3", "vtt": "audio/1/x.vtt", "timings": "audio/1/x.json"}
    new_audio = {"mp3": "audio/1/y.mp3", "vtt": "audio/1/y.vtt", "timings": "audio/1/y.json"}
    assert tasks.superseded(old_audio, new_audio) == ([], list(old_audio.values()))
    assert tasks.superseded(new_audio, new_audio) == ([], [])


def test_retired_media_is_deleted_after_the_grace_period_unless_in_use(
        app, make_article, store, tmp_path, redis_conn):
    article = make_article()
    blob = tmp_path / "x"
    blob.write_bytes(b"x")
    for key in ("video/9/old/hls/master.m3u8", "video/9/old/video.mp4", "audio/1/old.mp3",
                "audio/1/current.mp3"):
        store.upload_file(blob, key, "application/octet-stream")
    audio = article.asset("audio")
    audio.outputs = {"mp3": "audio/1/current.mp3"}
    db.session.commit()
    tasks.retire({"hls": "video/9/old/hls/master.m3u8"}, {"hls": "video/9/new/hls/master.m3u8"})
    assert ScheduledJobRegistry("video", connection=redis_conn).count == 1
    tasks.delete_media(["video/9/old/"], ["audio/1/old.mp3", "audio/1/current.mp3"])
    assert store.list_keys("video/9/") == []
    assert not store.exists("audio/1/old.mp3")
    assert store.exists("audio/1/current.mp3")  # a row uses it: kept


def test_abandoned_multipart_uploads_are_aborted(app, store):
    key = "uploads/5/abc/bo-do.mp4"
    store.create_multipart_upload(key, "video/mp4")
    assert tasks.abort_stale_uploads(older_than=-60) == 1
    assert store.list_multipart_uploads("uploads/5/") == []


def test_maintenance_reschedules_itself(app, redis_conn):
    tasks.maintain()
    assert ScheduledJobRegistry("video", connection=redis_conn).get_job_ids() == [
        "docnghexem-maintenance"]


def test_cancel_ignores_finished_assets(make_article):
    article = make_article()
    asset = MediaAsset(article=article, kind=MediaKind.video, status=MediaStatus.ready,
                       outputs={"mp4": "x"})
    db.session.add(asset)
    db.session.commit()
    media_jobs.cancel(asset)
    assert asset.status is MediaStatus.ready
