"""The page cache's store in Redis: keys, lookups and invalidation by tag.

Pages are kept under a key made of the cache generation, the interface language, the path and
the query arguments the view declares; each entry carries tags ("article:12", "section:3",
"home", …). `invalidate(tags)` deletes every entry holding one of them; its caller is the
session hook in app.services.cache_hooks (after a commit that changed what pages show, from
the web or a worker). Filling and serving pages is the HTTP layer's: app/http_page_cache.py.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from flask import current_app
from redis.exceptions import RedisError

from .infra import redis_conn
from .views_counter import PENDING

log = logging.getLogger(__name__)
PREFIX = "docnghexem:page"
GENERATION = f"{PREFIX}:generation"
ALL = "*"  # the tag that means "every page" (menus, footer, site-wide settings)


FIELDS = ("type", "etag", "article_id", "body")
# One round trip for a lookup: the generation, then the entry's fields under it.
_LOOKUP = """
local generation = redis.call('GET', KEYS[1]) or '0'
local found = redis.call('HMGET', ARGV[1] .. ':' .. generation .. ':' .. ARGV[2],
                         'type', 'etag', 'article_id', 'body')
-- A reader's view of a cached article is counted here too (no second round trip).
if ARGV[3] == '1' and found[3] then
  redis.call('HINCRBY', KEYS[2], found[3], 1)
end
table.insert(found, 1, generation)
return found
"""


def page_digest(locale: str, path: str, variant: dict[str, str]) -> str:
    raw = f"{locale}|{path}|{urlencode(sorted(variant.items()))}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def lookup(conn: Any, digest: str, count_view: bool = False
           ) -> tuple[str, dict[str, bytes] | None]:
    """(the cache key to fill, the stored entry or None); with `count_view`, a hit on an
    article's page also counts a view (app.services.views_counter)."""
    script = conn.__dict__.get("_page_lookup")
    if script is None:  # registered once per connection (EVALSHA, EVAL if Redis forgot it)
        script = conn.__dict__["_page_lookup"] = conn.register_script(_LOOKUP)
    generation, *values = script(keys=[GENERATION, PENDING],
                                 args=[PREFIX, digest, "1" if count_view else "0"])
    key = f"{PREFIX}:{generation.decode()}:{digest}"
    entry = dict(zip(FIELDS, values, strict=True))
    return key, (entry if entry["body"] is not None and entry["etag"] is not None else None)


def invalidate(tags: Iterable[str]) -> None:
    """Drop every cached page holding one of `tags`; the tag "*" drops them all."""
    tags = set(tags)
    if not tags:
        return
    local = current_app.extensions.get("page_cache_local")
    if local is not None:  # this process's copies, whichever pages they are
        local.clear()
    try:
        conn = redis_conn()
        if ALL in tags:
            conn.incr(GENERATION)  # old keys are never read again and expire on their own
            return
        tag_keys = [f"{PREFIX}:tag:{tag}" for tag in tags]
        pipe = conn.pipeline(transaction=False)
        now = str(time.time())
        for tag in tags:
            pipe.set(f"{PREFIX}:changed:{tag}", now, ex=600)
        for tag_key in tag_keys:
            pipe.smembers(tag_key)
        members = set().union(*pipe.execute()[len(tags):])
        pipe = conn.pipeline(transaction=False)
        if members:
            pipe.delete(*members)
        pipe.delete(*tag_keys)
        pipe.execute()
    except RedisError as exc:
        # Entries then live out their TTL (PAGE_CACHE_TTL): stale for minutes, never forever.
        log.warning("page cache not invalidated (%s): %s", ", ".join(sorted(tags)), exc)
