"""Connections to Redis and the object store, made once per app from its config."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.maint_notifications import MaintNotificationsConfig
from redis.retry import Retry

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


def connect_redis(url: str) -> Redis:
    """A Redis client as the whole project makes them: RESP2 and no "maintenance
    notifications" handshake, which in redis-py 8 fails under concurrent connects
    ("I/O operation on closed file") and is only for managed Redis Enterprise anyway.
    Two quick retries, not redis-py's default of three with up to 10 s backoff: a page that
    counts a view or reads the cache must not stall for seconds while Redis is down."""
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, protocol=2,
                          retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
                          maint_notifications_config=MaintNotificationsConfig(enabled=False))


def redis_conn() -> Redis:
    app = current_app
    conn = app.extensions.get("redis")
    if conn is None:
        conn = app.extensions["redis"] = connect_redis(app.config["REDIS_URL"])
    return conn


def media_url(key: str | None) -> str | None:
    """Where the browser fetches `key` straight from the object store: its public URL, or a
    short-lived signed one for a file kept private (app.services.storage_keys: anything not
    published, which only the newsroom's pages show) or when MEDIA_URL_MODE=presigned."""
    if not key:
        return None
    cfg = current_app.config
    private = key.startswith("private/")  # storage_keys.HIDDEN (imported there from here)
    return object_store().url(key, presigned=private or cfg["MEDIA_URL_MODE"] == "presigned",
                              expires=cfg["PRESIGNED_URL_TTL"])


def init_storage() -> None:
    """Create the bucket with the public-read policy and CORS rules the config asks for."""
    cfg = current_app.config
    object_store().ensure_bucket(public_read=cfg["MEDIA_URL_MODE"] == "public",
                                 cors_origins=cfg["MEDIA_CORS_ORIGINS"])
