"""Which cached pages a database change touches, worked out from the session itself.

Listening to the session (not sprinkling calls over the views and jobs) means no write path
can forget: the editor saving, the importer, a worker moving a media asset to "ready", a
comment approved — each commit drops exactly the pages that show what changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..models import (
    Article,
    Banner,
    Category,
    Comment,
    CommentStatus,
    Document,
    HomePin,
    InfoPage,
    MediaAsset,
    ScheduleEntry,
    SiteSetting,
    Unit,
)
from . import page_cache, site

PENDING = "page_cache_pending_tags"
SITE_IDENTITY = "site-identity"  # not a page tag: tells every process to reload the identity
NEW = "page_cache_new_objects"


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _old_value(obj: Any, name: str) -> Any:
    deleted = inspect(obj).attrs[name].history.deleted
    return deleted[0] if deleted else None


def tags_for(obj: Any, deleted: bool = False, new: bool = False) -> set[str]:
    """The cache tags of the pages showing `obj`."""
    if isinstance(obj, Article):
        tags = {f"article:{obj.id}", "home", "feeds", "sitemap", "podcast"}
        for category_id in (obj.category_id, _old_value(obj, "category_id")):
            if category_id is not None:
                tags.add(f"section:{category_id}")
        return tags
    if isinstance(obj, MediaAsset):
        # Progress ticks change nothing a reader sees; a status change does.
        if not (deleted or new) and not _changed(obj, "status", "outputs", "captions"):
            return set()
        tags = {f"article:{obj.article_id}", "home", "podcast"}
        article = obj.article
        if article is not None and article.category_id is not None:
            tags.add(f"section:{article.category_id}")
        return tags
    if isinstance(obj, Comment):
        # Readers only ever see approved comments.
        shown = obj.status is CommentStatus.approved
        was_shown = _old_value(obj, "status") is CommentStatus.approved
        return {f"article:{obj.article_id}"} if shown or was_shown else set()
    if isinstance(obj, Document):
        return {"documents", "sitemap"}
    if isinstance(obj, ScheduleEntry):
        return {"schedules"}
    if isinstance(obj, Banner | HomePin):
        return {"home"}  # the home page alone: other pages keep their cached copies
    if isinstance(obj, SiteSetting):
        # the masthead and the footer are on every page; each process reloads the identity
        return {page_cache.ALL, SITE_IDENTITY}
    if isinstance(obj, Category | InfoPage | Unit):
        return {page_cache.ALL}  # menus and footers are on every page
    return set()


def _collect(session: Session, flush_context: Any, instances: Any) -> None:
    """Before the flush, while the attribute history still says what changed."""
    pending = session.info.setdefault(PENDING, set())
    session.info.setdefault(NEW, []).extend(session.new)  # their ids come with the flush
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            pending |= tags_for(obj)
    for obj in session.deleted:
        pending |= tags_for(obj, deleted=True)


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = session.info.setdefault(PENDING, set())
    for obj in session.info.pop(NEW, []):
        pending |= tags_for(obj, new=True)


def _after_commit(session: Session) -> None:
    session.info.pop(NEW, None)
    tags = session.info.pop(PENDING, set())
    if SITE_IDENTITY in tags:
        tags.discard(SITE_IDENTITY)
        site.changed_everywhere()
    if tags:
        page_cache.invalidate(tags)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(NEW, None)


def install(session_class: Any) -> None:
    for name, listener in (("before_flush", _collect), ("after_flush", _after_flush),
                           ("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(session_class, name, listener):  # one app per test, one hook
            event.listen(session_class, name, listener)
