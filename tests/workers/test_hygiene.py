"""Cancelling jobs, the reconciler (rows whose job or worker died), job folders, and storage
that no render uses any more."""

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

from app import clock
from app.extensions import db
from app.media import jobs, lifecycle, runner, state
from app.media.queues import SERIALIZER
from app.models import MediaAsset, MediaKind, MediaStatus


def test_cancelling_a_queued_job_marks_the_row_and_cancels_the_job(make_article, redis_conn):
    article = make_article()
    audio = article.asset("audio")
    job_id = audio.job_id
    lifecycle.cancel(audio)
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
    lifecycle.cancel(audio)
    with pytest.raises(state.Cancelled):
        report(50)
    state.fail(audio.id, "Cancelled")
    db.session.refresh(audio)
    assert audio.error == state.CANCELLED


def settle(minutes: int = 10) -> None:
    """As if the rows had not changed for a while (the reconciler leaves fresh ones alone)."""
    db.session.execute(MediaAsset.__table__.update().values(
        updated_at=datetime.now(UTC) - timedelta(minutes=minutes)))
    db.session.commit()


def test_a_row_whose_job_is_gone_is_queued_again_then_failed_once_tries_are_spent(
        app, make_article, redis_conn):
    article = make_article()
    audio = article.asset("audio")
    audio.move_to(MediaStatus.processing)
    audio.job_id = "job-that-no-longer-exists"
    audio.attempts = 1
    db.session.commit()
    settle()
    report = clock.reconcile(redis_conn)
    db.session.refresh(audio)
    assert report.requeued == [audio.id] and audio.status is MediaStatus.queued
    assert audio.error.startswith(runner.WORKER_STOPPED) and "thử lại lúc" in audio.error
    assert audio.attempts == 1  # the reconciler's retry does not reset the count
    [job] = Queue("narration", connection=redis_conn, serializer=SERIALIZER).jobs[-1:]
    assert job.id == audio.job_id
    # A worker that kept dying: once MAX_ATTEMPTS are spent the row fails, with the reason.
    audio.move_to(MediaStatus.processing)
    audio.attempts = app.config["MEDIA_MAX_ATTEMPTS"]
    audio.job_id = "dead-again"
    db.session.commit()
    settle()
    assert clock.reconcile(redis_conn).failed == [audio.id]
    db.session.refresh(audio)
    assert audio.status is MediaStatus.failed
    assert audio.error.startswith(runner.WORKER_STOPPED) and "Thử lại" in audio.error


def test_a_fresh_or_live_processing_row_is_left_alone(make_article, redis_conn):
    article = make_article()
    audio = article.asset("audio")  # its job is queued in Redis
    audio.move_to(MediaStatus.processing)
    db.session.commit()
    settle()
    assert clock.reconcile(redis_conn).requeued == []
    fresh = make_article("Bài mới hơn").asset("audio")
    redis_conn.delete(f"rq:job:{fresh.job_id}")  # its job is gone, but it changed just now
    assert clock.reconcile(redis_conn).requeued == []


def test_rows_waiting_after_a_redis_restart_are_queued_again(make_article, redis_conn):
    """Redis forgot every job (a restart without persistence): the rows say what was waiting."""
    waiting = [make_article(f"Bài {n}").asset("audio") for n in range(3)]
    pending = waiting[0]
    pending.move_to(MediaStatus.pending)  # the queue was down when it was asked for
    db.session.commit()
    redis_conn.flushdb()
    settle()
    assert sorted(clock.reconcile(redis_conn).requeued) == sorted(a.id for a in waiting)
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 3


def test_job_folders_of_dead_processes_are_swept(tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    import os

    mine = tmp_path / f"{runner.JOB_FOLDER_PREFIX}{os.getpid()}-video-abc"
    gone = tmp_path / f"{runner.JOB_FOLDER_PREFIX}{dead.pid}-video-def"
    for folder in (mine, gone):
        folder.mkdir()
        (folder / "source").write_bytes(b"x" * 1000)
    assert runner.sweep_job_folders(tmp_path) == 1
    assert mine.exists() and not gone.exists()


def test_a_new_render_retires_the_old_folder_and_files():
    previous = {"hls": "video/7/aaa/hls/master.m3u8", "mp4": "video/7/aaa/video.mp4"}
    current = {"hls": "video/7/bbb/hls/master.m3u8", "mp4": "video/7/bbb/video.mp4"}
    assert runner.superseded(previous, current) == (["video/7/aaa/"], [])
    old_audio = {"mp3": "audio/1/x.mp3", "vtt": "audio/1/x.vtt", "timings": "audio/1/x.json"}
    new_audio = {"mp3": "audio/1/y.mp3", "vtt": "audio/1/y.vtt", "timings": "audio/1/y.json"}
    assert runner.superseded(old_audio, new_audio) == ([], list(old_audio.values()))
    assert runner.superseded(new_audio, new_audio) == ([], [])


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
    runner.retire({"hls": "video/9/old/hls/master.m3u8"}, {"hls": "video/9/new/hls/master.m3u8"})
    assert ScheduledJobRegistry("video", connection=redis_conn).count == 1
    jobs.delete_media(["video/9/old/"], ["audio/1/old.mp3", "audio/1/current.mp3"])
    assert store.list_keys("video/9/") == []
    assert not store.exists("audio/1/old.mp3")
    assert store.exists("audio/1/current.mp3")  # a row uses it: kept


def test_abandoned_multipart_uploads_are_aborted(app, store):
    key = "uploads/5/abc/bo-do.mp4"
    store.create_multipart_upload(key, "video/mp4")
    assert jobs.abort_stale_uploads(older_than=-60) == 1
    assert store.list_multipart_uploads("uploads/5/") == []


def test_cancel_ignores_finished_assets(make_article):
    article = make_article()
    asset = MediaAsset(article=article, kind=MediaKind.video, status=MediaStatus.ready,
                       outputs={"mp4": "x"})
    db.session.add(asset)
    db.session.commit()
    lifecycle.cancel(asset)
    assert asset.status is MediaStatus.ready


def test_thu_lai_works_on_a_row_stuck_with_no_live_job(make_article, redis_conn):
    """A person need not wait for the reconciler: a row busy only in name can be retried."""
    article = make_article()
    audio = article.asset("audio")
    assert lifecycle.retry_by_hand(audio) is lifecycle.Outcome.busy  # its job is queued
    audio.move_to(MediaStatus.processing)
    audio.job_id = "a-job-redis-forgot"
    db.session.commit()
    assert lifecycle.retry_by_hand(audio) is lifecycle.Outcome.queued
    assert audio.status is MediaStatus.queued and audio.attempts == 0
