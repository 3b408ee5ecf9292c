"""Queue and store: a Redis with a password or an ACL user works through REDIS_URL; jobs are
JSON, so write access to Redis does not run code in a worker; the embedded SeaweedFS listens
on 127.0.0.1 only and serves data through its S3 gateway alone."""

from __future__ import annotations

import json
import subprocess
import zlib
from pathlib import Path

import pytest
import requests
from redis import Redis
from redis.exceptions import AuthenticationError, ResponseError
from rq import Queue

from app import create_app
from app.extensions import db
from app.media import queues
from app.media.queues import ALL_QUEUES, SERIALIZER
from app.models import MediaStatus, Role, User
from app.services import workflow
from app.services.publishing import ArticleInput
from workers.worker import PortalSimpleWorker

pytestmark = pytest.mark.security
MARK = Path("/tmp/docnghexem-pickle-ran")


@pytest.mark.parametrize("credentials", [":mat-khau-redis", "congthongtin:mat-khau-acl"])
def test_a_redis_with_a_password_or_acl_user_works_through_redis_url(
        app, app_config, locked_redis, credentials, tally):
    url = f"redis://{credentials}@127.0.0.1:{locked_redis}/0"
    with pytest.raises((AuthenticationError, ResponseError)):
        Redis(port=locked_redis).set("x", 1)  # no password: refused

    class Locked(app_config):
        REDIS_URL = url
        PAGE_CACHE_TTL = 300

    portal = create_app(Locked)
    with portal.app_context():
        editor = User(username="bientap", role=Role.editor, full_name="Biên tập")
        editor.set_password("mat-khau-dung")
        db.session.add(editor)
        db.session.commit()
        article = workflow.save(None, ArticleInput(title="Tin qua Redis có mật khẩu",
                                                   body_html="<p>Nội dung ngắn.</p>"),
                                editor, then="publish")
        connection = Redis.from_url(url)
        PortalSimpleWorker(ALL_QUEUES, connection=connection,
                           serializer=SERIALIZER).work(burst=True)
        db.session.refresh(article)
        assert article.asset("audio").status is MediaStatus.ready
        client = portal.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/").headers.get("X-Page-Cache") == "hit"  # the cache in that Redis
        db.session.remove()
    tally("queue and store")(3)


def run_marker(path: str) -> None:
    """What a planted job would run if the worker unpickled it."""
    Path(path).write_text("ran")


def test_jobs_are_json_and_a_planted_pickle_runs_nothing(app, redis_conn, run_worker, tally):
    MARK.unlink(missing_ok=True)
    # An attacker with write access to Redis plants a pickled job on a queue our workers read.
    Queue("narration", connection=redis_conn).enqueue(run_marker, str(MARK))
    run_worker()
    assert not MARK.exists()
    # Our own jobs are plain JSON: a function name and ids.
    from app.media import lifecycle

    editor = User(username="bientap", role=Role.editor, full_name="Biên tập")
    editor.set_password("x")
    db.session.add(editor)
    db.session.commit()
    article = workflow.save(None, ArticleInput(title="Tin", body_html="<p>Nội dung.</p>"),
                            editor, then="publish")
    job_id = article.asset("audio").job_id
    stored = zlib.decompress(redis_conn.hget(f"rq:job:{job_id}", "data"))  # as RQ keeps it
    func, _instance, args, kwargs = json.loads(stored)
    assert (func, args, kwargs) == (queues.NARRATE,
                                    [article.asset("audio").id], {})
    assert lifecycle  # (imported for the job's name above)
    tally("queue and store")(2)


def weed_listening() -> list[tuple[str, int]]:
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        if '"weed"' in line:
            address = line.split()[3]
            host, _, port = address.rpartition(":")
            found.append((host.strip("[]"), int(port)))
    return found


def test_the_embedded_store_listens_on_localhost_and_serves_data_only_through_s3(
        app, store, tally):
    from media_pipeline.storage import ObjectStore

    assert isinstance(store, ObjectStore)
    store.upload_fileobj(__import__("io").BytesIO(b"ban goc rieng tu" * 64),
                         "uploads/1/x/goc.mp4", "video/mp4")
    listening = weed_listening()
    assert listening and all(host == "127.0.0.1" for host, _port in listening), listening
    s3_port = int(app.config["S3_ENDPOINT_URL"].rsplit(":", 1)[1])
    offset = s3_port - 8333
    master, filer, volume = 9333 + offset, 8888 + offset, 9340 + offset
    bucket = app.config["S3_BUCKET"]
    for port, path in ((filer, f"/buckets/{bucket}/uploads/1/x/goc.mp4"),
                       (filer, f"/buckets/{bucket}/"), (master, "/dir/assign"),
                       (master, "/vol/status"), (volume, "/1,01")):
        response = requests.get(f"http://127.0.0.1:{port}{path}", timeout=5)
        assert response.status_code in (401, 403, 404), (port, path, response.status_code)
        assert b"ban goc" not in response.content
    assert requests.get(f"{store.public_url}/uploads/1/x/goc.mp4", timeout=5).status_code == 403
    tally("queue and store")(6)
