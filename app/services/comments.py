"""Reader comments: checked, rate limited, held for moderation, shown once approved.

Spam defences need no outside service: a honeypot field (in the view), a cap on length and
links, and a per-address counter in Redis keyed by a keyed hash, so no address is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Article, Comment, CommentStatus, User
from ..models.base import utcnow
from . import audit
from .infra import redis_conn

log = logging.getLogger(__name__)

NAME_MAX = 80  # the column's length
EMAIL_MAX = 200
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LINK_RE = re.compile(r"https?://|www\.", re.IGNORECASE)
# Control characters (PostgreSQL refuses NUL in text); newlines and tabs stay.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class CommentInput:
    name: str
    email: str
    body: str

    @classmethod
    def from_form(cls, form) -> CommentInput:
        """Clean what a reader typed; the values go back into the form if refused."""
        def clean(field: str, limit: int) -> str:
            value = CONTROL_RE.sub("", (form.get(field) or "")[:limit])
            return value.replace("\r\n", "\n").replace("\r", "\n")

        max_chars = current_app.config["COMMENT_MAX_CHARS"]
        return cls(name=" ".join(clean("ho_ten", 500).split()),
                   email=clean("email", 500).strip(),
                   # a little over the cap, so the reader sees the message, not a cut text
                   body=clean("y_kien", max_chars + 1000).strip())


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text))


def validate(data: CommentInput) -> dict[str, str]:
    """Field name → Vietnamese message; empty when the comment may be stored."""
    cfg = current_app.config
    errors: dict[str, str] = {}
    if not data.name:
        errors["ho_ten"] = _("Vui lòng nhập họ và tên.")
    elif len(data.name) > NAME_MAX:
        errors["ho_ten"] = _("Họ và tên dài quá %(n)d ký tự.", n=NAME_MAX)
    elif count_links(data.name):
        errors["ho_ten"] = _("Họ và tên không được chứa đường dẫn.")
    if len(data.email) > EMAIL_MAX or not EMAIL_RE.match(data.email):
        errors["email"] = _("Địa chỉ email không hợp lệ.")
    if not data.body:
        errors["y_kien"] = _("Vui lòng nhập ý kiến của bạn.")
    elif len(data.body) > cfg["COMMENT_MAX_CHARS"]:
        errors["y_kien"] = _("Ý kiến dài %(n)d ký tự, vượt quá giới hạn %(max)d ký tự.",
                             n=len(data.body), max=cfg["COMMENT_MAX_CHARS"])
    elif count_links(data.body) > cfg["COMMENT_MAX_LINKS"]:
        errors["y_kien"] = _("Ý kiến chứa quá nhiều đường dẫn (tối đa %(max)d).",
                             max=cfg["COMMENT_MAX_LINKS"])
    return errors


def address_hash(address: str | None) -> str:
    """A keyed hash of the client address: spots a flood without keeping the address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def rate_limit_hit(ip_hash: str) -> int | None:
    """Count one comment from this address; seconds to wait if over the limit, else None.

    A fixed window: the first comment starts it, the key expires when it ends. When Redis
    is down the comment is accepted: moderation still stands between it and readers.
    """
    cfg = current_app.config
    window = max(1, int(cfg["COMMENT_RATE_WINDOW"]))
    key = f"comments:rate:{ip_hash}"
    try:
        conn = redis_conn()
        pipe = conn.pipeline()
        pipe.set(key, 0, ex=window, nx=True)  # starts the window; any Redis version
        pipe.incr(key)
        pipe.ttl(key)
        _started, count, ttl = pipe.execute()
    except RedisError as exc:
        log.warning("comment rate limit skipped, Redis unavailable: %s", exc)
        return None
    if int(count) > int(cfg["COMMENT_RATE_LIMIT"]):
        return int(ttl) if ttl and int(ttl) > 0 else window
    return None


def add_comment(article: Article, data: CommentInput, ip_hash: str) -> Comment:
    comment = Comment(article_id=article.id, name=data.name, email=data.email, body=data.body,
                      ip_hash=ip_hash, status=CommentStatus.pending)
    db.session.add(comment)
    db.session.commit()
    return comment


APPROVED_SHOWN = 200  # comments an article page lists; the heading counts them all


def approved_comments(article: Article, limit: int = APPROVED_SHOWN) -> list[Comment]:
    """The approved comments of an article, oldest first."""
    return list(db.session.scalars(
        select(Comment).where(Comment.article_id == article.id,
                              Comment.status == CommentStatus.approved)
        .order_by(Comment.created_at, Comment.id).limit(limit)))


def approved_total(article: Article, shown: list[Comment]) -> int:
    """How many approved comments the article has, given the ones listed: counted from the
    list unless the list was cut at its limit, so the page needs no second query."""
    return len(shown) if len(shown) < APPROVED_SHOWN else approved_count(article)


def approved_count(article: Article) -> int:
    return db.session.scalar(
        select(func.count(Comment.id)).where(Comment.article_id == article.id,
                                             Comment.status == CommentStatus.approved)) or 0


def pending_comment_count() -> int:
    """Comments waiting for an editor (for a badge in the staff bar)."""
    return db.session.scalar(
        select(func.count(Comment.id)).where(Comment.status == CommentStatus.pending)) or 0


def status_counts() -> dict[CommentStatus, int]:
    rows = db.session.execute(select(Comment.status, func.count(Comment.id))
                              .group_by(Comment.status)).all()
    counts = {status: 0 for status in CommentStatus}
    counts.update({status: n for status, n in rows})
    return counts


def queue_query(status: CommentStatus):
    """Comments of one status, newest first, with their article loaded."""
    return (select(Comment).options(joinedload(Comment.article))
            .where(Comment.status == status)
            .order_by(Comment.created_at.desc(), Comment.id.desc()))


MODERATION_ACTIONS = {CommentStatus.approved: ("comment.approve", "Duyệt"),
                      CommentStatus.rejected: ("comment.reject", "Từ chối"),
                      CommentStatus.pending: ("comment.pending", "Đưa lại chờ duyệt")}


def _on_article(comment: Comment) -> str:
    """Whose comment on which article, as the audit log says it."""
    article = comment.article or db.session.get(Article, comment.article_id)
    title = article.title if article is not None else f"#{comment.article_id}"
    return f"bình luận của {comment.name} trên bài «{title}»"


def moderate(comment: Comment, status: CommentStatus, user: User) -> None:
    action, verb = MODERATION_ACTIONS[status]
    audit.record(action, comment, f"{verb} {_on_article(comment)}", user=user,
                 article_id=comment.article_id, previous=comment.status.value)
    comment.status = status
    comment.moderated_at = utcnow()
    comment.moderated_by_id = user.id
    db.session.commit()


def delete_comment(comment: Comment, user: User | None = None) -> None:
    audit.record("comment.delete", comment, f"Xóa {_on_article(comment)}", user=user,
                 article_id=comment.article_id, previous=comment.status.value)
    db.session.delete(comment)
    db.session.commit()


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, as an editor says it: "5 phút trước"."""
    if moment is None:
        return ""
    seconds = max(0, int(((now or utcnow()) - moment).total_seconds()))
    if seconds < 60:
        return _("vừa xong")
    if seconds < 3600:
        return _("%(n)d phút trước", n=seconds // 60)
    if seconds < 86400:
        return _("%(n)d giờ trước", n=seconds // 3600)
    return _("%(n)d ngày trước", n=seconds // 86400)
