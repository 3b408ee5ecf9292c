"""Backups that restore: a consistent snapshot of the database and a manifest of the media.

    flask --app app backup DIR     DIR/database.sqlite3 (SQLite's online backup) or
                                   DIR/database.pgdump (pg_dump), and DIR/manifest.json
    flask --app app restore DIR    the database back (into an empty one), and a check that
                                   every file the manifest names is in the store

The media themselves stay in the object store; production keeps them there with bucket
versioning (README: "Going to production"). The manifest lists every key the rows point at,
with its size and ETag, so a restore can say exactly what is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from ..extensions import db
from ..media.storage_keys import RENDER_MARK, UPLOADS, is_media_key
from ..models import Article, ArticleImage, ArticleRevision, Banner, Document, MediaAsset
from .errors import BadInput, Conflict
from .infra import object_store

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MANIFEST = "manifest.json"


class ToolFailed(RuntimeError):
    """pg_dump or pg_restore stopped with an error (its own words follow). Not a refusal of
    the request (app/services/errors.py): the same command may work once the cause is fixed."""


@dataclass
class RestoreReport:
    articles: int
    revisions: int
    storage_keys: int
    missing: list[str]


def _database_url() -> str:
    return str(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """SQLAlchemy's URL as pg_dump and pg_restore read it, without its password (which goes
    in their environment: a command line is visible to every user of the machine)."""
    parsed = make_url(url)
    env = {**os.environ, "PGPASSWORD": parsed.password} if parsed.password else dict(os.environ)
    return parsed.set(drivername="postgresql", password=None).render_as_string(), env


def _keys(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if is_media_key(value) or value.startswith(UPLOADS) else []
    if isinstance(value, list):
        return [key for item in value for key in _keys(item)]
    if isinstance(value, dict):
        return [key for item in value.values() for key in _keys(item)]
    return []


def referenced_keys() -> list[str]:
    """Every object a row points at: covers, body pictures, renders (each file of an HLS
    ladder), uploaded originals, subtitles, documents, banners."""
    keys: set[str] = set()
    for cover, variants in db.session.execute(select(Article.cover_key, Article.cover_variants)):
        keys.update(_keys(cover) + _keys(variants))
    for key, variants in db.session.execute(select(ArticleImage.key, ArticleImage.variants)):
        keys.update(_keys(key) + _keys(variants))
    store = object_store()
    for outputs, captions, source in db.session.execute(
            select(MediaAsset.outputs, MediaAsset.captions, MediaAsset.source_key)):
        keys.update(_keys(outputs) + _keys(captions) + _keys(source))
        master = (outputs or {}).get("hls")
        if master:
            keys.update(store.list_keys(master.rsplit(RENDER_MARK, 1)[0] + RENDER_MARK))
    keys.update(k for k in db.session.scalars(select(Document.file_key)) if k)
    keys.update(k for k in db.session.scalars(select(Banner.image_key)) if k)
    return sorted(keys)


def backup(target: Path) -> dict[str, Any]:
    """Write the snapshot and the manifest into `target` (created; must be empty)."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)  # the data of every user in it
    if any(target.iterdir()):
        raise Conflict(f"Thư mục {target} đã có dữ liệu; hãy chọn thư mục trống.")
    url = make_url(_database_url())
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(str(url.database))
        copy = sqlite3.connect(str(target / SQLITE_FILE))
        with copy:
            source.backup(copy)  # consistent while the portal keeps writing
        copy.close()
        source.close()
        kind = "sqlite"
    else:
        url_without_password, env = _libpq(_database_url())
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file",
                               str(target / PG_FILE), url_without_password],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise ToolFailed(f"pg_dump không chạy được: {done.stderr.strip()[-500:]}")
        kind = "postgresql"
    store = object_store()
    media = []
    for key in referenced_keys():
        try:
            head = store.client.head_object(Bucket=store.bucket, Key=key)
        except ClientError:
            media.append({"key": key, "missing": True})
            continue
        media.append({"key": key, "size": int(head["ContentLength"]),
                      "etag": str(head["ETag"]).strip('"')})
    manifest = {
        "created_at": datetime.now(UTC).isoformat(), "database": kind,
        "revision": db.session.scalar(text("SELECT version_num FROM alembic_version")),
        "bucket": store.bucket,
        "counts": {"articles": db.session.scalar(select(func.count(Article.id))),
                   "revisions": db.session.scalar(select(func.count(ArticleRevision.id))),
                   "media_assets": db.session.scalar(select(func.count(MediaAsset.id)))},
        "media": media,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return manifest


def _empty_database() -> bool:
    try:
        return not db.session.scalar(select(func.count(Article.id)))
    except Exception:  # no tables yet: empty
        db.session.rollback()
        return True


def restore(source: Path, force: bool = False) -> RestoreReport:
    """Bring the snapshot in `source` back into the configured database (empty, unless
    `force`), then check the manifest's files against the store."""
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BadInput(f"Không thấy {MANIFEST} trong {source}.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not force and not _empty_database():
        raise Conflict("Cơ sở dữ liệu đích đã có bài viết; dùng --force để ghi đè.")
    db.session.remove()
    db.engine.dispose()
    url = make_url(_database_url())
    if manifest["database"] == "sqlite":
        if url.get_backend_name() != "sqlite":
            raise BadInput("Bản sao lưu SQLite chỉ khôi phục vào SQLite.")
        for suffix in ("-wal", "-shm"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source / SQLITE_FILE, str(url.database))
    else:
        if url.get_backend_name() != "postgresql":
            raise BadInput("Bản sao lưu PostgreSQL chỉ khôi phục vào PostgreSQL.")
        url_without_password, env = _libpq(_database_url())
        done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                               "--dbname", url_without_password, str(source / PG_FILE)],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise ToolFailed(f"pg_restore không chạy được: {done.stderr.strip()[-500:]}")
    store = object_store()
    missing = [item["key"] for item in manifest["media"]
               if item.get("missing") or not store.exists(item["key"])]
    return RestoreReport(
        articles=db.session.scalar(select(func.count(Article.id))) or 0,
        revisions=db.session.scalar(select(func.count(ArticleRevision.id))) or 0,
        storage_keys=len(manifest["media"]), missing=missing)
