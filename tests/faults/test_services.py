"""Redis restarted (without persistence) and the object store stopped mid-job: the rows say
what was waiting, and everything completes with no editor's action."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from redis import Redis

from app import create_app
from app.extensions import db
from app.models import Article, ArticleStatus, MediaStatus, Role, User
from app.services import workflow
from app.services.infra import init_storage
from app.services.publishing import ArticleInput
from config import BASE_DIR
from tests.faults.conftest import free_s3_port, settle
from tests.security.conftest import free_port

pytestmark = pytest.mark.faults


def start_redis(port: int, folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port),
                             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            Redis(port=port).ping()
            return proc
        except Exception:  # noqa: BLE001 (starting)
            time.sleep(0.05)
    raise AssertionError("Redis did not start")


def make_editor() -> User:
    editor = User(username="bientap", role=Role.editor, full_name="Biên tập")
    editor.set_password("mat-khau-dung")
    db.session.add(editor)
    db.session.commit()
    return editor


def test_after_a_redis_restart_everything_waiting_completes(app, app_config, workers, tmp_path,
                                                            tally_faults):
    port = free_port()
    redis = start_redis(port, tmp_path)
    url = f"redis://127.0.0.1:{port}/0"

    class OwnRedis(app_config):
        REDIS_URL = url

    portal = create_app(OwnRedis)
    try:
        with portal.app_context():
            editor = make_editor()
            narrated = [workflow.save(None, ArticleInput(
                title=f"Tin chờ đọc số {n}", body_html=f"<p>Nội dung số {n}.</p>"), editor,
                then="publish") for n in range(3)]
            due = workflow.save(None, ArticleInput(title="Tin hẹn giờ",
                                                   body_html="<p>Nội dung.</p>"), editor)
            workflow.schedule(due, editor, datetime.now(UTC) + timedelta(minutes=2))
            db.session.execute(Article.__table__.update().where(Article.id == due.id)
                               .values(scheduled_at=datetime.now(UTC) - timedelta(seconds=1)))
            db.session.commit()
            assert Redis.from_url(url).llen("rq:queue:narration") == 4  # (the scheduled one too)
            redis.send_signal(signal.SIGKILL)  # Redis goes, and with it every queued job
            redis.wait(10)
            redis = start_redis(port, tmp_path)
            assert Redis.from_url(url).dbsize() == 0
            workers("quick", TEST_REDIS_URL=url)
            took = settle(lambda: all(db.session.get(Article, a.id).asset("audio").status
                                      is MediaStatus.ready for a in narrated)
                          and db.session.get(Article, due.id).status is ArticleStatus.published,
                          90)
            db.session.remove()
    finally:
        redis.kill()
        redis.wait(10)
    tally_faults("Redis restarted with narrations queued and a publication due", "ready",
                 took, "")


def test_storage_down_during_a_narration_is_retried_by_itself(app, app_config, workers, tmp_path,
                                                              tally_faults):
    port = free_s3_port()
    folder = tmp_path / "seaweedfs"
    services = [str(BASE_DIR / "scripts" / "services.sh")]
    env = {"S3_ACCESS_KEY": app_config.S3_ACCESS_KEY, "S3_SECRET_KEY": app_config.S3_SECRET_KEY,
           "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}
    subprocess.run([*services, "seaweedfs", str(folder), str(port)], check=True, env=env)
    endpoint = f"http://127.0.0.1:{port}"

    class OwnStore(app_config):
        S3_ENDPOINT_URL = endpoint

    portal = create_app(OwnStore)
    try:
        with portal.app_context():
            init_storage()
            editor = make_editor()
            article = workflow.save(None, ArticleInput(
                title="Tin khi kho lưu trữ ngừng", body_html="<p>Nội dung ngắn.</p>"), editor,
                then="publish")
            subprocess.run([*services, "stop-seaweedfs", str(folder)], check=True, env=env)
            workers("quick", TEST_S3_ENDPOINT_URL=endpoint)
            reason = {}

            def waiting_with_a_reason() -> bool:
                audio = db.session.get(Article, article.id).asset("audio")
                reason["text"] = audio.error
                return audio.status is MediaStatus.queued and "thử lại lúc" in audio.error
            settle(waiting_with_a_reason, 60, every=0.1)
            assert reason["text"].startswith("Không truy cập được kho lưu trữ media")
            assert str(port) not in reason["text"] and "http" not in reason["text"]
            back = time.monotonic()
            subprocess.run([*services, "seaweedfs", str(folder), str(port)], check=True, env=env)
            settle(lambda: db.session.get(Article, article.id).asset("audio").status
                   is MediaStatus.ready, 120)
            took = time.monotonic() - back
            mp3 = db.session.get(Article, article.id).asset("audio").outputs["mp3"]
            assert requests.get(f"{endpoint}/{app_config.S3_BUCKET}/{mp3}",
                                timeout=10).status_code == 200
            db.session.remove()
    finally:
        subprocess.run([*services, "stop-seaweedfs", str(folder)], check=False, env=env)
        shutil.rmtree(folder, ignore_errors=True)
    tally_faults("object store down during a narration", "ready", took, reason["text"])
