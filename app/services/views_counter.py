"""Article view counts without a database write per request.

Each reader's visit is an INCR in Redis; the maintenance job adds the buffered counts to the
database in one statement per article. Obvious bots are not counted. If Redis is down the
visit is simply not counted: a page view never fails for a statistic.
"""

from __future__ import annotations

import logging
import re

from redis.exceptions import RedisError
from sqlalchemy import update

from ..extensions import db
from ..models import Article
from .infra import redis_conn

log = logging.getLogger(__name__)
PENDING = "docnghexem:views:pending"  # hash: article id → visits not yet in the database
BOT = re.compile(r"bot|crawl|spider|slurp|bingpreview|facebookexternalhit|headless|curl|wget"
                 r"|python-requests|httpclient|monitor|lighthouse", re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or bool(BOT.search(user_agent))


def record_view(article_id: int, user_agent: str | None) -> None:
    """Count a visit unless a bot made it (cached pages count inside page_cache.lookup)."""
    if is_bot(user_agent):
        return
    try:
        redis_conn().hincrby(PENDING, str(article_id), 1)
    except RedisError as exc:
        log.warning("view not counted, Redis unavailable: %s", exc)


def pending_views(article_id: int) -> int:
    """Visits buffered in Redis, shown on the page on top of the stored count."""
    try:
        return int(redis_conn().hget(PENDING, str(article_id)) or 0)
    except RedisError:
        return 0


def flush_views() -> int:
    """Move the buffered counts into the database; returns how many articles changed."""
    connection = redis_conn()
    # Rename first, so visits arriving meanwhile start a new buffer and none is lost.
    batch = f"{PENDING}:flushing"
    if not connection.exists(batch):
        if not connection.exists(PENDING):
            return 0
        connection.rename(PENDING, batch)
    counts = {int(k): int(v) for k, v in connection.hgetall(batch).items()}
    for article_id, visits in counts.items():
        db.session.execute(update(Article).where(Article.id == article_id)
                           .values(view_count=Article.view_count + visits))
    db.session.commit()
    connection.delete(batch)
    return len(counts)
