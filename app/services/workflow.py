"""The editorial workflow: draft → submitted → published (now, or scheduled) or returned.

    draft ──submit──▶ submitted ──publish──▶ published ──unpublish──▶ draft
      ▲                 │   └──schedule──▶ scheduled ──(its time)──▶ published
      └──── returned ◀──return (with the editor's comment)

Every step bumps `Article.version`, records an ArticleRevision and an audit entry in the
transaction that makes it. Contributors write their own unit's drafts and send them for
review; only editors and admins publish, schedule, return, unpublish, restore and delete.
Narration (and, after it, the briefing video) starts only when an article goes live or is
scheduled to, and when a live article's spoken text changes — never for a draft.

`user=None` is a trusted caller that checked its own rights (an API token, the scheduler);
`actor` names it in the audit log.
"""

from __future__ import annotations

import difflib
import html
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup
from redis.exceptions import RedisError
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select

from media_pipeline.text import html_to_paragraphs, spoken_text
from media_pipeline.voices import ONLINE_ENGINES

from ..extensions import db
from ..media import lifecycle, queues, storage_keys
from ..models import (
    Article,
    ArticleImage,
    ArticleRevision,
    ArticleStatus,
    AuditEntry,
    Autosave,
    Comment,
    ListenSource,
    Role,
    User,
)
from ..models.base import utcnow
from . import audit
from .errors import BadInput, Conflict, NotAllowed, NotFound
from .infra import redis_conn
from .publishing import ArticleInput, apply_input, needs_narration, validate

log = logging.getLogger(__name__)
REVISION_FIELDS = ("title", "lede", "body_html", "author_name", "cover_caption", "category_id",
                   "unit_id", "listen_source")
LIVE = (ArticleStatus.published, ArticleStatus.scheduled)
CONTRIBUTOR_WRITABLE = (ArticleStatus.draft, ArticleStatus.returned)
MIN_SCHEDULE_LEAD = timedelta(minutes=1)


NOT_ALLOWED = "Bạn không có quyền thực hiện thao tác này với bài viết."


class EditedMeanwhile(Conflict):
    """The form was opened at an older version than the article now has: the editor's page
    shows both (app/editor/articles.py)."""

    def __init__(self, article: Article, base_version: int) -> None:
        super().__init__("Bài viết vừa được người khác sửa trong lúc bạn đang soạn.")
        self.article = article
        self.base_version = base_version


# --- who may do what --------------------------------------------------------------------

def is_editor(user: User | None) -> bool:
    return user is None or user.role in (Role.editor, Role.admin)


def may_write(article: Article | None, user: User | None) -> bool:
    """Editors write anything; a contributor only their unit's drafts and returned articles."""
    if is_editor(user):
        return True
    assert user is not None
    if article is None:
        return user.unit_id is not None
    return (user.unit_id is not None and article.unit_id == user.unit_id
            and article.status in CONTRIBUTOR_WRITABLE)


def may_view(article: Article, user: User) -> bool:
    """Contributors see their unit's articles in every state (read-only once locked)."""
    return is_editor(user) or (user.unit_id is not None and article.unit_id == user.unit_id)


def available_actions(article: Article | None, user: User) -> set[str]:
    """The buttons `user` gets for `article` (None: a new one): save, submit, publish,
    schedule, return, unpublish, delete, restore."""
    actions: set[str] = set()
    status = article.status if article is not None else ArticleStatus.draft
    if may_write(article, user):
        actions.add("save")
        # Editors send a unit's draft for review too (someone else approves it).
        if status in CONTRIBUTOR_WRITABLE and (
                not is_editor(user) or (article is not None and article.unit_id is not None)):
            actions.add("submit")
    if is_editor(user):
        if status is not ArticleStatus.published:
            actions |= {"publish", "schedule"}
        if status is ArticleStatus.submitted:
            actions.add("return")
        if article is not None:
            actions.add("restore")
            actions.add("unpublish" if status in LIVE else "delete")
            if status is ArticleStatus.scheduled:
                actions.add("delete")
    return actions


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(NOT_ALLOWED)


def _require_editor(user: User | None) -> None:
    _require(is_editor(user))


# --- recording ----------------------------------------------------------------------------

def snapshot(article: Article) -> dict[str, Any]:
    fields: dict[str, Any] = {name: getattr(article, name) for name in REVISION_FIELDS}
    fields["listen_source"] = article.listen_source.value
    return fields


def _record(article: Article, user: User | None, action: str, summary: str, note: str = "",
            actor: str = "", **details: Any) -> ArticleRevision:
    """A new version: its revision and its audit entry, in the current transaction."""
    if article.id is None:
        article.version = 1
        db.session.flush()
    else:
        article.version = (article.version or 1) + 1
    revision = ArticleRevision(article_id=article.id, number=article.version,
                               fields=snapshot(article), status=article.status.value, note=note,
                               created_by_id=user.id if user is not None else None)
    db.session.add(revision)
    audit.record(action, article, summary, user=user, username=actor, version=article.version,
                 **details)
    return revision


def _unchanged(article: Article) -> bool:
    """Nothing of the revision's fields differs from the last revision recorded."""
    last = db.session.scalar(select(ArticleRevision.fields)
                             .where(ArticleRevision.article_id == article.id)
                             .order_by(ArticleRevision.number.desc()).limit(1))
    return last == snapshot(article)


# --- the steps, inside a transaction ------------------------------------------------------
# Each checks and changes the article, records it, and returns what to do once committed.

AfterCommit = list[Callable[[], Any]]


def _submit(article: Article, user: User | None, actor: str = "") -> AfterCommit:
    _require(may_write(article, user))
    if article.status not in CONTRIBUTOR_WRITABLE:
        raise Conflict("Chỉ gửi duyệt được bản nháp hoặc bài bị trả lại.")
    article.status = ArticleStatus.submitted
    article.submitted_at = utcnow()
    _record(article, user, "article.submit", f"Gửi duyệt bài “{article.title}”",
            note="Gửi duyệt", actor=actor)
    return []


def _return(article: Article, user: User | None, note: str = "", actor: str = ""
            ) -> AfterCommit:
    _require_editor(user)
    if article.status is not ArticleStatus.submitted:
        raise Conflict("Chỉ trả lại được bài đang chờ duyệt.")
    note = (note or "").strip()
    if not note:
        raise BadInput("Vui lòng ghi lý do trả lại để đơn vị biết cần sửa gì.")
    article.status = ArticleStatus.returned
    article.review_note = note
    _record(article, user, "article.return", f"Trả lại bài “{article.title}” cho đơn vị",
            note=note, actor=actor)
    return []


def _check_publishable(article: Article) -> None:
    data = ArticleInput(title=article.title, body_html=article.body_html)
    errors = validate(data, for_publish=True)
    if errors:
        raise BadInput(errors=errors)


def _voices_change_when_published() -> bool:
    """Whether published text may use a voice that unpublished text may not (an online one)."""
    cfg = current_app.config
    return not cfg["TTS_ONLINE_FOR_UNPUBLISHED"] and bool(ONLINE_ENGINES & set(cfg["TTS_ENGINES"]))


def _going_live_narration(article: Article) -> Callable[[], Any]:
    # A draft's audio (a preview, or from before an unpublish) may be of an older text, and
    # nobody hears it yet: narrate afresh whenever an article is about to go live.
    return lambda: lifecycle.request_narration(article)


def _publish(article: Article, user: User | None, actor: str = "",
             published_at: datetime | None = None) -> AfterCommit:
    """`published_at`: the date an imported article was first published (trusted callers
    only: an editor's article goes live now)."""
    _require_editor(user)
    if published_at is not None and user is not None:
        raise NotAllowed(NOT_ALLOWED)
    if article.is_published:
        raise Conflict("Bài viết đã được xuất bản.")
    _check_publishable(article)
    article.status = ArticleStatus.published
    article.published_at = published_at or utcnow()
    article.scheduled_at = None
    _record(article, user, "article.publish", f"Xuất bản bài “{article.title}”",
            note="Xuất bản", actor=actor)
    return [_going_live_narration(article), lambda: lifecycle.request_media_sync(article)]


def _schedule(article: Article, user: User | None, when: datetime | None = None,
              actor: str = "") -> AfterCommit:
    _require_editor(user)
    if article.is_published:
        raise Conflict("Bài viết đã được xuất bản.")
    if when is None:
        raise BadInput("Vui lòng chọn thời điểm xuất bản.")
    if when.tzinfo is None:
        raise ValueError("schedule() needs an aware datetime")
    when = when.replace(microsecond=0)
    if when < utcnow() + MIN_SCHEDULE_LEAD:
        raise BadInput("Thời điểm hẹn giờ phải sau hiện tại ít nhất một phút.")
    _check_publishable(article)
    article.status = ArticleStatus.scheduled
    article.scheduled_at = when
    _record(article, user, "article.schedule", f"Hẹn giờ xuất bản bài “{article.title}”",
            note="Hẹn giờ xuất bản", actor=actor, scheduled_at=when.isoformat())
    # Published on time by the workers' clock (app/clock.py), from this row alone.
    return [_going_live_narration(article)]


STEPS: dict[str, Callable[..., AfterCommit]] = {
    "submit": _submit, "return": _return, "publish": _publish, "schedule": _schedule}


@contextmanager
def _transaction() -> Iterator[AfterCommit]:
    """All or nothing: commit, then run what the steps left to do once the rows they read are
    committed (queueing media work); any error rolls everything back."""
    after: AfterCommit = []
    try:
        yield after
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for action in after:
        action()


# --- the public API -----------------------------------------------------------------------

def _narrate_if_live(article: Article, spoken_before: str | None) -> AfterCommit:
    """A live or scheduled article is narrated again when its spoken text changed (its
    briefing video follows); else its briefing is looked at again (pictures, captions)."""
    if article.status in LIVE and needs_narration(article, spoken_before):
        return [lambda: lifecycle.request_narration(article)]
    if article.status in LIVE:
        return [lambda: lifecycle.refresh_briefing(article)]
    return []


def save(article: Article | None, data: ArticleInput, user: User | None, *,
         base_version: int | None = None, then: str | None = None, actor: str = "",
         **step_args: Any) -> Article:
    """Create or edit an article without changing its status, all or nothing.

    `article` None (or a new row not yet added, such as an import's with its own slug) is
    created. A form opened at `base_version` older than the article's is EditedMeanwhile.
    `then` runs a step ("submit", "return", "publish", "schedule" with its `step_args`) in the same
    transaction, so a refused step saves nothing either.
    """
    if user is not None and user.role is Role.contributor and data.unit_id != user.unit_id:
        raise NotAllowed(NOT_ALLOWED)
    with _transaction() as after:
        creating = article is None or article.id is None
        if not creating:
            # One save at a time (the row stays locked until the commit on PostgreSQL), so the
            # version compared is the one that is there.
            db.session.refresh(article, with_for_update={"of": Article})
        _require(may_write(article, user))
        if article is not None and base_version is not None and base_version < article.version:
            raise EditedMeanwhile(article, base_version)
        article, spoken_before = apply_input(article, data, user,
                                             for_publish=then in ("publish", "schedule"))
        if creating:
            _record(article, user, "article.create", f"Tạo bài “{article.title}”",
                    note="Tạo bài", actor=actor)
        elif not _unchanged(article):
            _record(article, user, "article.edit", f"Sửa bài “{article.title}”",
                    note="Sửa bài", actor=actor)
            if article.status is ArticleStatus.published:
                article.edited_at = utcnow()  # readers see "Cập nhật" with this time
        if user is not None:  # what this user's form autosaved is saved now, or superseded
            db.session.execute(sql_delete(Autosave).where(
                Autosave.user_id == user.id,
                Autosave.article_id.is_(None) if creating
                else Autosave.article_id == article.id))
        if then is not None:
            after += STEPS[then](article, user, actor=actor, **step_args)
        else:
            after += _narrate_if_live(article, spoken_before)
    return article


def _run(step: Callable[..., AfterCommit], article: Article, user: User | None,
         **step_args: Any) -> Article:
    """One workflow step on its own, in its own transaction."""
    with _transaction() as after:
        after += step(article, user, **step_args)
    return article


def submit(article: Article, user: User | None, *, actor: str = "") -> Article:
    return _run(_submit, article, user, actor=actor)


def return_to_unit(article: Article, user: User | None, note: str) -> Article:
    return _run(_return, article, user, note=note)


def publish(article: Article, user: User | None) -> Article:
    return _run(_publish, article, user)


def schedule(article: Article, user: User | None, when: datetime) -> Article:
    return _run(_schedule, article, user, when=when)


def unpublish(article: Article, user: User | None) -> Article:
    """Take a live or scheduled article back to draft. Its media stay; its pages 404 (the page
    cache drops them on commit, app.services.cache_hooks); a pending scheduled job finds it
    no longer scheduled and does nothing."""
    _require_editor(user)
    if article.status not in LIVE:
        raise Conflict("Bài viết chưa được xuất bản hay hẹn giờ.")
    with _transaction() as after:
        # Locked and read again: the clock may have just published a scheduled article.
        db.session.refresh(article, with_for_update={"of": Article})
        was = article.status
        if was not in LIVE:
            raise Conflict("Bài viết chưa được xuất bản hay hẹn giờ.")
        article.status = ArticleStatus.draft
        article.scheduled_at = None
        _record(article, user, "article.unpublish", f"Gỡ bài “{article.title}” khỏi cổng",
                note="Gỡ xuống" if was is ArticleStatus.published else "Hủy hẹn giờ",
                previous=was.value)
        after.append(lambda: lifecycle.request_media_sync(article))  # its files go private
    return article


def restore(article: Article, revision: ArticleRevision, user: User | None) -> Article:
    """The revision's fields become the article's, as a new version (its status unchanged)."""
    _require_editor(user)
    if revision.article_id != article.id:
        raise NotFound("Phiên bản không thuộc bài viết này.")
    fields = revision.fields
    data = ArticleInput(
        title=fields.get("title", ""), lede=fields.get("lede", ""),
        body_html=fields.get("body_html", ""), author_name=fields.get("author_name", ""),
        cover_caption=fields.get("cover_caption", ""), category_id=fields.get("category_id"),
        unit_id=fields.get("unit_id"),
        listen_source=ListenSource(fields.get("listen_source", ListenSource.narration.value)))
    with _transaction() as after:
        article, spoken_before = apply_input(article, data, user)
        _record(article, user, "article.restore",
                f"Khôi phục bài “{article.title}” về phiên bản {revision.number}",
                note=f"Khôi phục phiên bản {revision.number}", restored=revision.number)
        after += _narrate_if_live(article, spoken_before)
    return article


def delete(article: Article, user: User | None) -> None:
    """Delete an article that is not live, with its revisions, autosaves and comments."""
    _require_editor(user)
    if article.is_published:
        raise Conflict("Bài viết đang xuất bản: hãy gỡ xuống trước khi xóa.")
    # Not served from this moment (a withdrawal's move may still be queued); gone for good
    # after the grace period.
    storage_keys.sync_article_media(article)
    stored = storage_keys.article_prefixes(article)
    with _transaction() as after:
        audit.record("article.delete", article, f"Xóa bài “{article.title}”", user=user,
                     title=article.title, slug=article.slug)
        # Spelled out: SQLite does not enforce the ON DELETE CASCADE of these tables.
        for model in (ArticleRevision, Autosave, ArticleImage, Comment):
            db.session.execute(sql_delete(model).where(model.article_id == article.id))
        db.session.delete(article)
        after.append(lambda: _delete_media_later(stored))


def _delete_media_later(prefixes: list[str]) -> None:
    """After the grace period (a page a reader opened just before may still play them)."""
    try:
        queues.schedule_deletion(redis_conn(), current_app.config, prefixes=prefixes, keys=[])
    except RedisError as exc:  # the files stay, unreachable from any page: not worth an error
        log.warning("could not schedule deletion of %s: %s", ", ".join(prefixes), exc)


def publish_due(article_id: int) -> bool:
    """The clock's (app/clock.py): publish the article if it is still scheduled and its
    time has come (a reschedule or an unpublish meanwhile leaves nothing to do). The row is
    locked while it is checked, so two clocks never publish it twice."""
    article = db.session.get(Article, article_id)
    if article is None:
        return False
    with _transaction() as after:
        db.session.refresh(article, with_for_update={"of": Article})
        if article.status is not ArticleStatus.scheduled or article.scheduled_at is None \
                or article.scheduled_at > utcnow():
            return False
        article.status = ArticleStatus.published
        article.published_at = article.scheduled_at
        article.scheduled_at = None
        _record(article, None, "article.publish", f"Xuất bản theo lịch bài “{article.title}”",
                note="Xuất bản theo lịch", actor="scheduler")
        # Narrated when it was scheduled: again if that failed or never ran, or if it had to
        # be offline then (its text was not public) and an online voice may speak it now.
        spoken = spoken_text(article.title, article.lede, article.body_html)
        if _voices_change_when_published() or needs_narration(article, spoken):
            after.append(_going_live_narration(article))
        after.append(lambda: lifecycle.request_media_sync(article))
    return True


def submitters(article_ids: list[int]) -> dict[int, str]:
    """Who last sent each article for review (a user's name, or an API token's)."""
    rows = db.session.execute(
        select(AuditEntry.target_id, AuditEntry.username, User.full_name)
        .outerjoin(User, AuditEntry.user_id == User.id)
        .where(AuditEntry.action == "article.submit", AuditEntry.target_type == "articles",
               AuditEntry.target_id.in_(article_ids))
        .order_by(AuditEntry.at, AuditEntry.id))
    return {target: full_name or username for target, username, full_name in rows}


def submitted_count() -> int:
    return db.session.scalar(select(func.count(Article.id))
                             .where(Article.status == ArticleStatus.submitted)) or 0


# --- comparing revisions ------------------------------------------------------------------

DIFF_FIELDS = ("title", "lede", "body_html", "author_name", "cover_caption")
PARAGRAPH = "\n\n"
_WORDS = re.compile(r"\S+")


@dataclass
class FieldDiff:
    name: str
    changed: bool
    html: Markup  # the text with <ins> for added words and <del> for removed ones


def _tokens(name: str, value: Any) -> list[str]:
    text = str(value or "")
    if name != "body_html":
        return _WORDS.findall(text)
    tokens: list[str] = []
    for paragraph in html_to_paragraphs(text):
        if tokens:
            tokens.append(PARAGRAPH)
        tokens.extend(_WORDS.findall(paragraph))
    return tokens


def _join(tokens: list[str]) -> str:
    """Words escaped and spaced; paragraph breaks stay line breaks (shown with pre-wrap)."""
    out = ""
    for previous, token in zip([PARAGRAPH, *tokens], tokens, strict=False):
        space = "" if PARAGRAPH in (previous, token) else " "
        out += space + html.escape(token)
    return out


def word_diff(old: list[str], new: list[str]) -> Markup:
    """`new` against `old`: removed words in <del>, added ones in <ins>."""
    marked: list[tuple[str, str]] = []  # ("", word), ("del", word) or ("ins", word)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            marked += [("", t) for t in old[a1:a2]]
        else:
            marked += [("del", t) for t in old[a1:a2]] + [("ins", t) for t in new[b1:b2]]
    out, last = "", PARAGRAPH
    for kind, group in itertools.groupby(marked, key=lambda m: m[0]):
        words = [t for _, t in group]
        text = _join(words)
        out += ("" if PARAGRAPH in (last, words[0]) else " ") + \
            (f"<{kind}>{text}</{kind}>" if kind else text)
        last = words[-1]
    return Markup(out)


def diff(rev_a: ArticleRevision, rev_b: ArticleRevision) -> list[FieldDiff]:
    """What changed from `rev_a` to `rev_b`, field by field, word by word (escaped)."""
    result = []
    for name in DIFF_FIELDS:
        old = _tokens(name, rev_a.fields.get(name))
        new = _tokens(name, rev_b.fields.get(name))
        result.append(FieldDiff(name, old != new, word_diff(old, new)))
    return result
