"""The newsroom's records: article revisions, drafts saved automatically, body images, the
audit log and the API tokens units' own systems submit articles with."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .content import Article, Unit
    from .user import User


class ArticleRevision(db.Model):  # type: ignore[name-defined]
    """A snapshot of an article's editable fields, taken at every saved edit and workflow step."""

    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # the article's version it records
    # title, lede, body_html, author_name, cover_caption, category_id, unit_id, listen_source
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))  # the article's status after this step
    note: Mapped[str] = mapped_column(Text, default="")  # "Gửi duyệt", the return comment…
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions")
    created_by: Mapped[User | None] = relationship()


class Autosave(db.Model):  # type: ignore[name-defined]
    """The latest unsaved state of a user's edit form (one per user and article; article None
    for a new article). Never touches the article itself: restoring is the user's choice."""

    __tablename__ = "autosaves"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base_version: Mapped[int] = mapped_column(Integer, default=0)  # the version it was typed on
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ArticleImage(db.Model):  # type: ignore[name-defined]
    """An image placed in an article's body, with its caption; the worker makes its widths."""

    __tablename__ = "article_images"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
    key: Mapped[str] = mapped_column(String(500))  # the web JPEG in the object store
    caption: Mapped[str] = mapped_column(String(500), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    variants: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {"480": key, …}
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did what, when: publish, edit, delete, role change… Rows are only ever added."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),
                      Index("ix_audit_log_target", "target_type", "target_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    username: Mapped[str] = mapped_column(String(80), default="")  # kept if the user goes
    action: Mapped[str] = mapped_column(String(60), index=True)  # "article.publish", …
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")  # one line a person can read
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User | None] = relationship()


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A unit's key for submitting articles from its own systems. Only a hash is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit] = relationship()
