"""Settings, read from the environment: the one place that does so.

Every setting has an embedded default for `make run` on one machine; production sets
the environment instead (DATABASE_URL, REDIS_URL, S3_*, SECRET_KEY, ...).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# What `make run` uses when the environment says nothing: fine on one machine, refused in
# production (app.deploy_check names each one still in use there).
DEV_S3_ACCESS_KEY = "docnghexem"
DEV_S3_SECRET_KEY = "docnghexem-secret"


class Config:
    REFUSE_UNSAFE_SETTINGS = False  # production sets it: create_app() checks the settings
    # Signs sessions and CSRF tokens. Production must set it; `make run` makes a random one on
    # its first start and keeps it in instance/secret_key (app.create_app).
    SECRET_KEY = env("SECRET_KEY", "")
    # werkzeug's scrypt: ~0.1 s per hash on purpose. Not read from the environment, so no
    # deployment can weaken it; only the tests (which hash hundreds of passwords) do.
    PASSWORD_HASH_METHOD = "scrypt"
    SITE_NAME = env("SITE_NAME", "Cổng thông tin điện tử tỉnh Hòa An")
    # The portal's public address: every absolute link (canonical, OpenGraph, feeds, sitemap,
    # podcasts, iCal) is made from it, never from a request's Host header.
    SITE_URL = env("SITE_URL", "http://127.0.0.1:5000").rstrip("/")
    # The portal's emblem or logo (a PNG with transparency): the briefing videos' corner mark.
    SITE_EMBLEM = env("SITE_EMBLEM", str(BASE_DIR / "static" / "img" / "emblem.png"))
    # The rest of the portal's identity (footer, feeds, JSON-LD): defaults for what an admin
    # has not yet set on the settings page (/bien-tap/thiet-lap, app.services.site).
    SITE_GOVERNING_BODY = env("SITE_GOVERNING_BODY", "")  # cơ quan chủ quản
    SITE_RESPONSIBLE = env("SITE_RESPONSIBLE", "")  # người chịu trách nhiệm chính
    SITE_LICENCE_NUMBER = env("SITE_LICENCE_NUMBER", "")  # giấy phép số …
    SITE_LICENCE_DATE = env("SITE_LICENCE_DATE", "")  # … ngày (yyyy-mm-dd)
    SITE_ADDRESS = env("SITE_ADDRESS", "")
    SITE_PHONE = env("SITE_PHONE", "")
    SITE_EMAIL = env("SITE_EMAIL", "")
    # The home page banner slot's label: "propaganda" (Thông tin tuyên truyền), "ads"
    # (Quảng cáo) or "none". A state portal's slot mostly carries public-service notices.
    SITE_BANNER_LABEL = env("SITE_BANNER_LABEL", "propaganda")
    SITE_EMBLEM_MAX_BYTES = env_int("SITE_EMBLEM_MAX_BYTES", 2 * 1024 * 1024)
    BABEL_DEFAULT_LOCALE = env_list("LANGUAGES", "vi,en")[0]
    BABEL_DEFAULT_TIMEZONE = env("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    LANGUAGES = env_list("LANGUAGES", "vi,en")  # the first is the default
    DISPLAY_TIMEZONE = env("DISPLAY_TIMEZONE", "Asia/Ho_Chi_Minh")

    SQLALCHEMY_DATABASE_URI = env(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'docnghexem.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")

    # Object storage (any S3). Readers fetch media from S3_PUBLIC_URL directly.
    S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", "http://127.0.0.1:8333")
    S3_BUCKET = env("S3_BUCKET", "docnghexem")
    S3_ACCESS_KEY = env("S3_ACCESS_KEY", DEV_S3_ACCESS_KEY)
    S3_SECRET_KEY = env("S3_SECRET_KEY", DEV_S3_SECRET_KEY)
    S3_REGION = env("S3_REGION", "us-east-1")
    S3_PUBLIC_URL = env("S3_PUBLIC_URL", "")  # default: {S3_ENDPOINT_URL}/{S3_BUCKET}
    # "public": a public-read bucket policy on the media prefixes (cacheable URLs);
    # "presigned": short-lived signed URLs, for stores that must stay private.
    MEDIA_URL_MODE = env("MEDIA_URL_MODE", "public")
    PRESIGNED_URL_TTL = env_int("PRESIGNED_URL_TTL", 6 * 3600)
    # Origins whose pages may fetch media data (read-along timings, captions) from the store.
    MEDIA_CORS_ORIGINS = env_list("MEDIA_CORS_ORIGINS", "*")

    # Text-to-speech: engines tried in order until one succeeds.
    TTS_ENGINES = env_list("TTS_ENGINES", "gtts,espeak")
    # Online engines (gTTS sends the text to Google) speak only published articles; drafts,
    # articles under review and scheduled ones stay on this machine unless an admin sets this.
    TTS_ONLINE_FOR_UNPUBLISHED = env_bool("TTS_ONLINE_FOR_UNPUBLISHED", False)
    TTS_LANGUAGE = env("TTS_LANGUAGE", "vi")
    GTTS_TLD = env("GTTS_TLD", "com.vn")
    GTTS_TIMEOUT = env_float("GTTS_TIMEOUT", 10.0)
    GTTS_RETRIES = env_int("GTTS_RETRIES", 2)  # on 429/5xx, with exponential backoff
    ESPEAK_VOICE = env("ESPEAK_VOICE", "vi")  # vi, vi-vn-x-south, vi-vn-x-central
    ESPEAK_RATE = env_int("ESPEAK_RATE", 120)  # words per minute (media_pipeline.tts.DEFAULT_RATE)
    ESPEAK_WORD_GAP = env_int("ESPEAK_WORD_GAP", 0)  # extra pause between words, 10 ms units
    # Silence after a sentence and after a paragraph, seconds (benchmarks/narration.py).
    NARRATION_SENTENCE_PAUSE = env_float("NARRATION_SENTENCE_PAUSE", 0.15)
    NARRATION_PARAGRAPH_PAUSE = env_float("NARRATION_PARAGRAPH_PAUSE", 0.45)
    PIPER_MODEL = env("PIPER_MODEL", "")  # path to a piper voice (.onnx beside its .onnx.json)
    TTS_ENGINE_TIMEOUT = env_float("TTS_ENGINE_TIMEOUT", 600.0)  # then the next engine
    NARRATION_NORMALIZE = env_bool("NARRATION_NORMALIZE", True)  # read numbers, dates, UBND…
    NARRATION_READ_CAPTIONS = env_bool("NARRATION_READ_CAPTIONS", True)  # "Ảnh: …"
    NARRATION_MAX_CHARS = env_int("NARRATION_MAX_CHARS", 200_000)
    NARRATION_LOUDNESS = env_float("NARRATION_LOUDNESS", -16.0)  # LUFS (EBU R128)
    NARRATION_TRUE_PEAK = env_float("NARRATION_TRUE_PEAK", -1.5)  # dBTP

    # Video
    VIDEO_MAX_HEIGHT = env_int("VIDEO_MAX_HEIGHT", 1080)  # top rung of the HLS ladder (short side)
    BRIEFING_ENABLED = env_bool("BRIEFING_ENABLED", True)  # a briefing video for every article
    BRIEFING_ASPECT = env("BRIEFING_ASPECT", "16:9")  # or "9:16" for social
    BRIEFING_BURN_SUBTITLES = env_bool("BRIEFING_BURN_SUBTITLES", False)  # soft track otherwise
    BRIEFING_MAX_PICTURES = env_int("BRIEFING_MAX_PICTURES", 12)  # body pictures shown, at most
    VIDEO_MAX_DURATION = env_float("VIDEO_MAX_DURATION", 3 * 3600)
    VIDEO_MAX_UPLOAD_BYTES = env_int("VIDEO_MAX_UPLOAD_BYTES", 4 * 1024**3)  # direct to S3
    # A video posted through the web server (the form without JavaScript); Uppy's uploads go to
    # the store directly, up to VIDEO_MAX_UPLOAD_BYTES.
    VIDEO_FORM_MAX_BYTES = env_int("MAX_UPLOAD_BYTES", 4 * 1024**3)

    # Superseded renders and originals are deleted this long after the switch, so pages and
    # players still holding the old URLs finish cleanly; stale multipart uploads likewise.
    MEDIA_GC_GRACE = env_int("MEDIA_GC_GRACE", 24 * 3600)
    MAINTENANCE_INTERVAL = env_int("MAINTENANCE_INTERVAL", 5 * 60)  # stale uploads, images

    # The workers' clock (app/clock.py): how often it publishes what is due, and rebuilds
    # the queue from the rows; a row changed more recently than RECONCILE_SETTLE is left alone.
    CLOCK_TICK = env_float("CLOCK_TICK", 2.0)
    RECONCILE_INTERVAL = env_float("RECONCILE_INTERVAL", 30.0)
    RECONCILE_SETTLE = env_float("RECONCILE_SETTLE", 20.0)
    # A worker's heartbeat lasts WORKER_TTL seconds, renewed every JOB_MONITORING_INTERVAL
    # while it works: a killed worker's job is noticed within about a minute.
    WORKER_TTL = env_int("WORKER_TTL", 40)
    JOB_MONITORING_INTERVAL = env_int("JOB_MONITORING_INTERVAL", 10)
    MEDIA_MAX_ATTEMPTS = env_int("MEDIA_MAX_ATTEMPTS", 4)  # starts of one render, then failed

    # Jobs
    JOB_TIMEOUT_NARRATION = env_int("JOB_TIMEOUT_NARRATION", 15 * 60)
    JOB_TIMEOUT_VIDEO = env_int("JOB_TIMEOUT_VIDEO", 3 * 3600)
    JOB_RESULT_TTL = env_int("JOB_RESULT_TTL", 3600)
    JOB_FAILURE_TTL = env_int("JOB_FAILURE_TTL", 7 * 24 * 3600)

    # Whole public pages cached in Redis for anonymous readers (0 turns it off); entries are
    # dropped on every change that shows on them, this is only the upper bound.
    PAGE_CACHE_TTL = env_int("PAGE_CACHE_TTL", 300)
    # Each web process also keeps the pages it served in memory for this many seconds (0: off),
    # so a burst of readers costs Redis one lookup per page per second per process. Another
    # process's change shows here at most this late (the changing process drops its own copy).
    PAGE_LOCAL_TTL = env_float("PAGE_LOCAL_TTL", 1.0)
    PAGE_LOCAL_ENTRIES = env_int("PAGE_LOCAL_ENTRIES", 256)  # pages per process, newest kept
    # What browsers and proxies may keep a public page for without asking again.
    PAGE_MAX_AGE = env_int("PAGE_MAX_AGE", 60)
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/xml", "application/xml",
                          "application/rss+xml", "application/json", "application/javascript",
                          "text/javascript", "text/calendar", "text/vtt", "image/svg+xml"]
    ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 20)
    DOCUMENTS_PER_PAGE = env_int("DOCUMENTS_PER_PAGE", 20)
    DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 50 * 1024**2)  # one PDF or DOCX

    # Reader comments: held for moderation; spam defences that need no outside service.
    COMMENT_MAX_CHARS = env_int("COMMENT_MAX_CHARS", 3000)
    COMMENT_MAX_LINKS = env_int("COMMENT_MAX_LINKS", 2)
    COMMENT_RATE_LIMIT = env_int("COMMENT_RATE_LIMIT", 5)  # comments per address per window
    COMMENT_RATE_WINDOW = env_int("COMMENT_RATE_WINDOW", 10 * 60)  # seconds
    # Podcast feeds: the address podcast directories write to about ownership (optional).
    PODCAST_OWNER_EMAIL = env("PODCAST_OWNER_EMAIL", "")
    WTF_CSRF_TIME_LIMIT = None  # editors keep long-open forms; the session bounds them

    # Proxies in front of the web servers (nginx, a load balancer, a CDN) that set
    # X-Forwarded-For/-Proto: how many to trust. 0 (no proxy) ignores those headers; behind
    # one, set 1, or every visitor has the proxy's address (login limits, comments, audit log).
    TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
    # Failed logins (app.services.accounts) slow down, never lock out: after LOGIN_FREE_FAILURES
    # wrong passwords in a row an account waits LOGIN_BASE_DELAY seconds before its next try,
    # doubling with each failure up to LOGIN_ACCOUNT_MAX_DELAY (so its owner is never kept out
    # for long); an address likewise after LOGIN_IP_FREE_FAILURES failures in
    # LOGIN_IP_WINDOW_SECONDS, up to LOGIN_IP_MAX_DELAY.
    LOGIN_FREE_FAILURES = env_int("LOGIN_FREE_FAILURES", 5)
    LOGIN_BASE_DELAY = env_float("LOGIN_BASE_DELAY", 2.0)
    LOGIN_ACCOUNT_MAX_DELAY = env_float("LOGIN_ACCOUNT_MAX_DELAY", 60.0)
    LOGIN_IP_FREE_FAILURES = env_int("LOGIN_IP_FREE_FAILURES", 20)
    LOGIN_IP_MAX_DELAY = env_float("LOGIN_IP_MAX_DELAY", 15 * 60.0)
    LOGIN_IP_WINDOW_SECONDS = env_int("LOGIN_IP_WINDOW_SECONDS", 60 * 60)
    # A staff session ends after this long without a request, and this long after login anyway.
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=SESSION_IDLE_MINUTES)  # renewed per request
    SESSION_MAX_HOURS = env_float("SESSION_MAX_HOURS", 12)
    # Session cookies: never readable by scripts, not sent on cross-site posts; HTTPS-only in
    # production. Staff sessions are also recorded on the server (app.models.StaffSession), so
    # logging out, a new password or an admin's reset ends them even for a copied cookie.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Strict-Transport-Security max-age (0: not sent); production sends a year.
    HSTS_SECONDS = env_int("HSTS_SECONDS", 0)

    # Request bodies: every route has a limit (app.http_security.body_limit); this is the one
    # for forms that name none. Uploads name their own below.
    MAX_CONTENT_LENGTH = env_int("FORM_MAX_BYTES", 1024**2)
    COMMENT_MAX_BYTES = env_int("COMMENT_MAX_BYTES", 32 * 1024)  # a reader's comment form
    API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024**2)  # one article sent by a unit
    BODY_IMAGE_MAX_BYTES = env_int("BODY_IMAGE_MAX_BYTES", 25 * 1024 * 1024)  # an image in a body
    # Pictures are refused above this many pixels before they are decoded: a small PNG can
    # unpack to gigabytes (a "decompression bomb").
    IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)

    # Web server (gunicorn.conf.py reads these). gthread workers: each process serves
    # WEB_THREADS requests at once, so slow clients and S3/Redis waits don't block a core.
    # 2×cores+1 processes, capped so a big host doesn't open hundreds of DB connections.
    # Localhost unless told otherwise (nginx in front); a platform that gives a PORT gets all
    # addresses on it, as platforms expect.
    WEB_BIND = env("WEB_BIND", f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT")
                   else "127.0.0.1:5000")
    WEB_WORKERS = env_int("WEB_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 9))
    WEB_THREADS = env_int("WEB_THREADS", 4)
    WEB_TIMEOUT = env_int("WEB_TIMEOUT", 30)  # a request still running then: worker restarted
    WEB_KEEPALIVE = env_int("WEB_KEEPALIVE", 5)  # seconds an idle connection is kept open
    WEB_GRACEFUL_TIMEOUT = env_int("WEB_GRACEFUL_TIMEOUT", 30)  # to finish requests on reload
    # Recycle a worker after so many requests (0: never). Off by default: with gthread
    # workers, recycling under load broke a few in-flight requests (measured with wrk).
    WEB_MAX_REQUESTS = env_int("WEB_MAX_REQUESTS", 0)


class DevConfig(Config):
    DEBUG = env_bool("FLASK_DEBUG", False)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # each hash names its method: checks still work
    # Not the test client's "localhost": links that show this came from SITE_URL, not the Host.
    SITE_URL = "https://cong.hoaan.test"
    SQLALCHEMY_DATABASE_URI = env("TEST_DATABASE_URL", "sqlite:///:memory:")
    REDIS_URL = env("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    S3_ENDPOINT_URL = env("TEST_S3_ENDPOINT_URL", "http://127.0.0.1:8433")
    S3_BUCKET = env("TEST_S3_BUCKET", "docnghexem-test")
    # Not the development keys: the tests also run the portal with production settings.
    S3_ACCESS_KEY = env("TEST_S3_ACCESS_KEY", "docnghexem-test")
    S3_SECRET_KEY = env("TEST_S3_SECRET_KEY", "docnghexem-test-secret-key")
    TTS_ENGINES = env_list("TEST_TTS_ENGINES", "espeak")
    ESPEAK_RATE = 175  # shorter audio for the tests: the same code path, less to encode
    BRIEFING_ENABLED = False  # slow; the tests that are about briefings turn it on
    PAGE_CACHE_TTL = 0  # the page cache's own tests turn it on
    PAGE_LOCAL_TTL = 0.0


class ProdConfig(Config):
    """Production: refuses to start on unsafe settings (app.deploy_check)."""

    SITE_URL = env("SITE_URL", "").rstrip("/")  # no default: links must name the real site
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    REFUSE_UNSAFE_SETTINGS = True


CONFIGS = {"dev": DevConfig, "test": TestConfig, "prod": ProdConfig}


def config_from_env() -> type[Config]:
    """The config class named by APP_CONFIG (dev, test, prod); dev by default."""
    return CONFIGS[env("APP_CONFIG", "dev")]
