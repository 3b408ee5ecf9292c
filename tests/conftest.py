"""Fixtures on real services: the database named by TEST_DATABASE_URL (SQLite by default,
PostgreSQL in the second run), Redis db 15, and a SeaweedFS started on a throwaway dir.

Under pytest-xdist each worker (gw0, gw1, …) has its own of each: a database, Redis db
15 - n, a SeaweedFS on port 8433 + 100·n (services.sh shifts its other ports by the same
offset) and its own bucket — so workers never see each other's data."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.media.queues import SERIALIZER
from config import BASE_DIR, TestConfig

S3_PORT = 8433


def worker_index() -> int:
    """This pytest-xdist worker's number (0 when the tests run in one process), plus
    TEST_WORKER_OFFSET: a second run beside the first (scripts/test.sh runs SQLite and
    PostgreSQL side by side) takes other Redis dbs, ports and databases."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    own = int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0
    return own + int(os.environ.get("TEST_WORKER_OFFSET", "0"))


def worker_redis_url() -> str:
    """TestConfig's Redis, on a database of this worker's own."""
    url = urlsplit(TestConfig.REDIS_URL)
    db = int(url.path.strip("/") or 15) - worker_index()
    return url._replace(path=f"/{db}").geturl()


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real SeaweedFS S3 server; started here on a fresh data dir unless one answers."""
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL",
                              f"http://127.0.0.1:{S3_PORT + 100 * worker_index()}")
    url = urlsplit(endpoint)
    local = url.hostname in ("127.0.0.1", "localhost") and url.port is not None
    data_dir = None
    if local and not _port_open(url.port):  # on another host, it is the caller's server
        data_dir = tempfile.mkdtemp(prefix="seaweedfs-test-")
        subprocess.run([str(BASE_DIR / "scripts/services.sh"), "seaweedfs", data_dir,
                        str(url.port)], check=True,
                       env={**os.environ, "S3_ACCESS_KEY": TestConfig.S3_ACCESS_KEY,
                            "S3_SECRET_KEY": TestConfig.S3_SECRET_KEY})
    yield endpoint
    if data_dir:
        subprocess.run([str(BASE_DIR / "scripts/services.sh"), "stop-seaweedfs", data_dir])
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for this run: a SQLite file, or a new PostgreSQL database."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with throwaway_database(base, "docnghexem_test") as url:
        yield url


@contextmanager
def throwaway_database(base: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside `base`'s, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def port_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:`port` now."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="session")
def app_config(database_url, s3_endpoint):
    bucket = f"test-{uuid.uuid4().hex[:8]}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        S3_ENDPOINT_URL = s3_endpoint
        S3_BUCKET = bucket
        REDIS_URL = worker_redis_url()

    return Config


@pytest.fixture(scope="session")
def _app(app_config):
    from flask_migrate import upgrade

    from app import create_app
    from app.services.infra import init_storage

    app = create_app(app_config)
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production
        init_storage()
    yield app
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()


@pytest.fixture
def redis_conn(_app):
    conn = Redis.from_url(_app.config["REDIS_URL"])
    conn.flushdb()
    yield conn
    conn.flushdb()


@pytest.fixture
def app(_app, redis_conn):
    """The app with an app context pushed; every table is emptied after the test."""
    from app.extensions import db

    with _app.app_context():
        yield _app
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def store(app):
    from app.services.infra import object_store

    return object_store()


# --- content and people -------------------------------------------------------------

@pytest.fixture
def make_user(app):
    from app.extensions import db
    from app.models import Role, User

    def make(username="bientap", password="mat-khau-dung", role=Role.editor, unit=None):
        user = User(username=username, full_name=username.title(), role=role, unit=unit)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


def csrf_token(client, url: str) -> str:
    from flask import g

    g.pop("csrf_token", None)  # (kept per app context, which a test's clients share)
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def login(client, make_user):
    from app.models import Role

    def do(username="bientap", role=Role.editor, unit=None):
        make_user(username=username, password="mat-khau-dung", role=role, unit=unit)
        token = csrf_token(client, "/bien-tap/dang-nhap")
        response = client.post("/bien-tap/dang-nhap", data={
            "username": username, "password": "mat-khau-dung", "csrf_token": token})
        assert response.status_code == 302
        return client

    return do


@pytest.fixture
def category(app):
    from app.services.sections import category_named

    return category_named("Văn hóa xã hội")


@pytest.fixture
def make_article(app, category):
    """An article made the way the newsroom makes one (app.services.workflow), by a trusted
    caller: a draft, or published now."""
    from app.services import workflow
    from app.services.publishing import ArticleInput

    def make(title="Hội nghị tổng kết công tác năm 2026", publish=True, **fields):
        data = ArticleInput(
            title=title,
            lede=fields.pop("lede", "Sáng ngày 18/11/2026, Tỉnh ủy tổ chức hội nghị."),
            body_html=fields.pop("body_html", "<p>Hội nghị đã thảo luận 08 ý kiến.</p>"),
            category_id=category.id, **fields)
        return workflow.save(None, data, None, then="publish" if publish else None,
                             actor="test")

    return make


@pytest.fixture
def run_worker(app, redis_conn):
    """Run a real RQ worker in burst mode in this process, inside the test's app context (the
    portal's worker class: it stops in well under a second)."""
    from app.media.queues import ALL_QUEUES
    from workers.worker import PortalSimpleWorker

    def run():
        worker = PortalSimpleWorker(ALL_QUEUES, connection=redis_conn, serializer=SERIALIZER)
        worker.work(burst=True)
        from app.extensions import db

        db.session.expire_all()
        return worker

    return run


@pytest.fixture
def media_dir(tmp_path) -> Path:
    return tmp_path


def pytest_collection_modifyitems(items):
    """The slowest tests first (killed workers, real transcodes, browsers): under pytest-xdist
    they then run beside the many short ones instead of stretching the end of the run."""
    slow = ("tests/faults/", "tests/workers/test_video_job.py", "tests/browser/")
    items.sort(key=lambda item: not item.nodeid.startswith(slow))


def pytest_terminal_summary(terminalreporter):
    from tests.summaries import faults_table, security_table

    security_table(terminalreporter)
    faults_table(terminalreporter)
