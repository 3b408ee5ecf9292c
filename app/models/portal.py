"""What a provincial portal holds besides articles: documents, work schedules, reader
comments and banner slots."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .content import Article, Unit
    from .user import User


class Document(db.Model):  # type: ignore[name-defined]
    """A directive document (văn bản): number, type, issuing body, signer, dates, summary and
    the file itself (PDF or DOCX in the object store) — what Decree 42/2022 asks portals for."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_published_issued", "published", "issued_on"),
                      Index("ix_documents_issued_on", "issued_on", "id"))  # the editors' list

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80))            # số, ký hiệu: "05-NQ/TU"
    doc_type: Mapped[str] = mapped_column(String(60), index=True)  # Nghị quyết, Quyết định…
    issuer: Mapped[str] = mapped_column(String(200), index=True)   # cơ quan ban hành
    signer: Mapped[str] = mapped_column(String(120), default="")   # người ký
    issued_on: Mapped[date] = mapped_column(Date)                   # ngày ban hành
    effective_on: Mapped[date | None] = mapped_column(Date)         # ngày hiệu lực
    summary: Mapped[str] = mapped_column(Text)                      # trích yếu
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    file_key: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    file_type: Mapped[str] = mapped_column(String(10), default="")  # "pdf" or "docx"
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Folded words of number, type, issuer, signer and summary (app.services.search).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


STANDING_COMMITTEE = "Thường trực Tỉnh ủy"  # the host of entries without a unit


class ScheduleEntry(db.Model):  # type: ignore[name-defined]
    """One line of a work schedule (lịch công tác). No unit means the standing committee's
    own schedule (Thường trực); otherwise the host unit's."""

    __tablename__ = "schedule_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    content: Mapped[str] = mapped_column(Text)                   # nội dung
    place: Mapped[str] = mapped_column(String(300), default="")  # địa điểm
    participants: Mapped[str] = mapped_column(Text, default="")  # thành phần
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def host_name(self) -> str:
        return self.unit.name if self.unit else STANDING_COMMITTEE


class CommentStatus(enum.Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Comment(db.Model):  # type: ignore[name-defined]
    """A reader's comment, shown only once an editor approves it."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_article_status_created", "article_id", "status", "created_at"),
        Index("ix_comments_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # plain text, escaped when shown
    status: Mapped[CommentStatus] = mapped_column(
        Enum(CommentStatus, name="comment_status"), default=CommentStatus.pending)
    # A keyed hash of the sender's address: enough to spot a flood, not to identify anyone.
    ip_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    article: Mapped[Article] = relationship()
    moderated_by: Mapped[User | None] = relationship()


class Banner(db.Model):  # type: ignore[name-defined]
    """An image in the home page's banner slot ("Quảng cáo"), run by admins."""

    __tablename__ = "banners"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    alt_text: Mapped[str] = mapped_column(String(300))
    image_key: Mapped[str | None] = mapped_column(String(500))
    link_url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
