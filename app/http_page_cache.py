"""Whole public pages cached in Redis for anonymous readers, dropped the moment they change.

A page is stored once rendered (gzip-compressed, with its ETag) under a key made of the cache
generation, the interface language, the path and only the query arguments the view declares
(anything else in the query string cannot make new entries). Each entry carries tags
("article:12", "section:3", "home", …); `invalidate(tags)` deletes every entry holding one of
them. Who calls it: the SQLAlchemy session hook in `app.services.cache_hooks`, after a commit
that changed what the pages show, so publishing, editing, approving a comment or a media job
finishing all refresh exactly the pages concerned — from the web process or a worker.

In front of Redis, each web process keeps the pages it has just served for PAGE_LOCAL_TTL
seconds (`LocalPages`, used by the WSGI middleware): under a burst, Redis sees one lookup per
page per second per process instead of one per request. The process that commits a change drops
its own copies at once; the others catch up within that second.

Never cached: requests carrying a session cookie (staff, or a reader holding a flash
message), responses that set a cookie, anything but 200. If Redis is away, pages are simply
rendered every time.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import math
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request
from redis.exceptions import RedisError
from werkzeug.http import parse_cookie

from .http_security import security_headers
from .i18n import LANGUAGE_COOKIE, select_locale
from .services.infra import connect_redis, redis_conn
from .services.page_cache import PREFIX, lookup, page_digest
from .services.views_counter import PENDING, is_bot

log = logging.getLogger(__name__)

# A view's variant: the canonical query arguments its page depends on, or None for
# "do not cache this request" (free-text filters, out-of-range values, …).
Variant = Callable[[], dict[str, str] | None]


def page_number_only() -> dict[str, str] | None:
    """The usual variant: ?trang=N (clamped the way the views clamp it), nothing else."""
    raw = request.args.get("trang", "1")
    try:
        page = max(1, min(int(raw), 10_000))
    except ValueError:
        page = 1
    return {"trang": str(page)} if page > 1 else {}


def cache_tags(*tags: str) -> None:
    """Called by a view while rendering: what its page shows (added to the decorator's)."""
    g.setdefault("page_cache_tags", set()).update(tags)


def cache_until(moment: datetime) -> None:
    """Called by a view while rendering: what the page shows changes at `moment` (a pinned
    story running out), so its cached copy is not kept past it."""
    current = g.get("page_cache_until")
    if current is None or moment < current:
        g.page_cache_until = moment


def _digest(variant: dict[str, str]) -> str:
    return page_digest(select_locale(), request.path, variant)


def _cacheable_request() -> bool:
    return (current_app.config["PAGE_CACHE_TTL"] > 0 and request.method in ("GET", "HEAD")
            and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies)


def _response(entry: dict[str, bytes]) -> Response:
    body = entry["body"]
    response = Response(body, status=200, content_type=entry["type"].decode())
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(gzip.decompress(body))
    response.set_etag(entry["etag"].decode())
    response.headers["X-Page-Cache"] = "hit"
    return response


def cached_page(*tags: str, variant: Variant = page_number_only,
                on_hit: Callable[[dict[str, Any]], None] | None = None):
    """Serve the view from the page cache when it can, and fill the cache when it cannot."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.pop("page_cache_tags", None)  # (tests reuse one app context for many requests)
            g.pop("page_cache_meta", None)
            g.pop("page_cache_until", None)
            if not _cacheable_request():
                return view(*args, **kwargs)
            canonical = variant()
            if canonical is None:
                return view(*args, **kwargs)
            try:
                conn = redis_conn()
                key, entry = lookup(conn, _digest(canonical))
            except RedisError as exc:
                log.warning("page cache unavailable: %s", exc)
                return view(*args, **kwargs)
            if entry is not None:
                if on_hit is not None:
                    on_hit(entry)
                return _response(entry)
            started = time.time()
            response = current_app.make_response(view(*args, **kwargs))
            _store(conn, key, response, {*tags, *g.get("page_cache_tags", ())}, started)
            response.headers["X-Page-Cache"] = "miss"
            return response

        return wrapper

    return decorate


def _store(conn: Any, key: str, response: Response, tags: set[str], started: float) -> None:
    if response.status_code != 200 or response.direct_passthrough \
            or "Set-Cookie" in response.headers or response.headers.get("Content-Encoding"):
        return
    try:  # a change committed while this page was rendering: the page may predate it
        changed = conn.mget([f"{PREFIX}:changed:{tag}" for tag in sorted(tags)])
    except RedisError:
        return
    if any(at is not None and float(at) >= started for at in changed):
        return
    body = response.get_data()
    etag = hashlib.sha256(body).hexdigest()[:20]
    response.set_etag(etag)
    fields = {"type": response.content_type, "etag": etag, "body": gzip.compress(body, 6),
              **{k: str(v) for k, v in g.get("page_cache_meta", {}).items()}}
    ttl = entry_ttl = current_app.config["PAGE_CACHE_TTL"]
    until = g.get("page_cache_until")
    if until is not None:
        entry_ttl = min(ttl, math.ceil((until - datetime.now(UTC)).total_seconds()))
        if entry_ttl <= 0:
            return
    try:
        pipe = conn.pipeline(transaction=False)
        pipe.hset(key, mapping=fields)
        pipe.expire(key, entry_ttl)  # (a tag's set keeps the full TTL: it holds longer ones)
        for tag in tags:
            pipe.sadd(f"{PREFIX}:tag:{tag}", key)
            pipe.expire(f"{PREFIX}:tag:{tag}", ttl)
        pipe.execute()
    except RedisError as exc:
        log.warning("page not cached, Redis unavailable: %s", exc)


def remember(**meta: Any) -> None:
    """Facts a cache hit needs without rendering (e.g. which article to count a view for)."""
    g.setdefault("page_cache_meta", {}).update(meta)


def _clock() -> float:
    return time.monotonic()


class LocalPages:
    """The pages this process served in the last `ttl` seconds, at most `max_entries` of them,
    and the article views counted meanwhile (sent to Redis at most once a second)."""

    def __init__(self) -> None:
        self._pages: OrderedDict[str, tuple[float, dict[str, bytes]]] = OrderedDict()
        self._views: Counter[str] = Counter()
        self._views_sent = _clock()
        self._lock = threading.Lock()

    def get(self, digest: str) -> dict[str, bytes] | None:
        found = self._pages.get(digest)
        if found is None or found[0] < _clock():
            return None
        return found[1]

    def put(self, digest: str, entry: dict[str, bytes], ttl: float, max_entries: int) -> None:
        with self._lock:
            self._pages[digest] = (_clock() + ttl, entry)
            self._pages.move_to_end(digest)
            while len(self._pages) > max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def count_view(self, article_id: str) -> None:
        with self._lock:
            self._views[article_id] += 1

    def send_views(self, conn: Any, force: bool = False) -> None:
        """Add the views counted here to Redis's pending counts, once a second at most."""
        if not self._views or (not force and _clock() - self._views_sent < 1.0):
            return
        with self._lock:
            views, self._views = self._views, Counter()
            self._views_sent = _clock()
        try:
            pipe = conn.pipeline(transaction=False)
            for article_id, n in views.items():
                pipe.hincrby(PENDING, article_id, n)
            pipe.execute()
        except RedisError as exc:  # a statistic is not worth failing a page for
            log.warning("%d views not counted, Redis unavailable: %s", sum(views.values()), exc)


class ServeCachedPages:
    """WSGI middleware: a plain anonymous GET (no query string, no session cookie) whose page
    is in the cache is answered here, before Flask routes anything — the hot path of a burst
    of readers. Everything else, and every miss, goes on to the app (which fills the cache)."""

    def __init__(self, wsgi_app: Any, app: Any) -> None:
        self.wsgi_app, self.app = wsgi_app, app
        self.local = app.extensions["page_cache_local"] = LocalPages()

    def _redis(self) -> Any:
        conn = self.app.extensions.get("redis")
        if conn is None:
            conn = self.app.extensions["redis"] = connect_redis(self.app.config["REDIS_URL"])
        return conn

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        cfg = self.app.config
        if cfg["PAGE_CACHE_TTL"] <= 0 or environ.get("QUERY_STRING") \
                or environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        cookies = parse_cookie(environ)
        if cfg["SESSION_COOKIE_NAME"] in cookies:
            return self.wsgi_app(environ, start_response)
        locale = cookies.get(LANGUAGE_COOKIE, "")
        if locale not in cfg["LANGUAGES"]:
            locale = cfg["BABEL_DEFAULT_LOCALE"]
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace") or "/"
        counts = environ["REQUEST_METHOD"] == "GET" and not is_bot(
            environ.get("HTTP_USER_AGENT"))
        digest = page_digest(locale, path, {})
        local_ttl = cfg["PAGE_LOCAL_TTL"]
        entry = self.local.get(digest) if local_ttl > 0 else None
        try:
            conn = self._redis()
            if entry is None:
                _, entry = lookup(conn, digest, count_view=counts)
                if entry is not None and local_ttl > 0:
                    self.local.put(digest, entry, local_ttl, cfg["PAGE_LOCAL_ENTRIES"])
            elif counts and entry["article_id"] is not None:
                self.local.count_view(entry["article_id"].decode())
            self.local.send_views(conn)
        except RedisError:
            return self.wsgi_app(environ, start_response)
        if entry is None:
            return self.wsgi_app(environ, start_response)
        body, content_type = entry["body"], entry["type"].decode()
        gzipped = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
        etag = f'"{entry["etag"].decode()}{":gzip" if gzipped else ""}"'
        headers = [("Content-Type", content_type), ("ETag", etag), ("X-Page-Cache", "hit"),
                   ("Vary", "Cookie, Accept-Encoding")]
        if content_type.startswith("text/html"):
            headers.append(("Cache-Control", f"public, max-age={cfg['PAGE_MAX_AGE']}, "
                                             "stale-while-revalidate=60"))
        headers += security_headers(cfg, path)  # as on every response the app makes
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", headers)
            return [b""]
        if gzipped:
            headers.append(("Content-Encoding", "gzip"))
        else:
            body = gzip.decompress(body)
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
