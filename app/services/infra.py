"""Connections to Redis and the object store, made once per app from its config."""

from __future__ import annotations

from flask import current_app
from redis import Redis

from media_pipeline.storage import ObjectStore


def object_store() -> ObjectStore:
    app = current_app
    store = app.extensions.get("object_store")
    if store is None:
        cfg = app.config
        store = ObjectStore(cfg["S3_ENDPOINT_URL"], cfg["S3_BUCKET"], cfg["S3_ACCESS_KEY"],
                            cfg["S3_SECRET_KEY"], cfg["S3_REGION"], cfg["S3_PUBLIC_URL"])
        app.extensions["object_store"] = store
    return store


def redis_conn() -> Redis:
    app = current_app
    conn = app.extensions.get("redis")
    if conn is None:
        conn = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2,
                              socket_timeout=5)
        app.extensions["redis"] = conn
    return conn


def media_url(key: str | None) -> str | None:
    """Where the reader's browser fetches `key` straight from the object store."""
    if not key:
        return None
    cfg = current_app.config
    return object_store().url(key, presigned=cfg["MEDIA_URL_MODE"] == "presigned",
                              expires=cfg["PRESIGNED_URL_TTL"])


def init_storage() -> None:
    """Create the bucket with the public-read policy and CORS rules the config asks for."""
    cfg = current_app.config
    object_store().ensure_bucket(public_read=cfg["MEDIA_URL_MODE"] == "public",
                                 cors_origins=cfg["MEDIA_CORS_ORIGINS"])
