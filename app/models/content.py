from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .media import MediaAsset
    from .newsroom import ArticleRevision
    from .user import User


class Category(db.Model):  # type: ignore[name-defined]
    """A news section (chuyên mục)."""

    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Unit(db.Model):  # type: ignore[name-defined]
    """A contributing agency or unit (cơ quan, đơn vị) that answers for its articles."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(220), unique=True)


class ArticleStatus(enum.Enum):
    """The editorial workflow: a unit's draft is submitted for review, then published (now, or
    scheduled for later) or returned to the unit with the editor's comment (review_note)."""
    draft = "draft"
    submitted = "submitted"
    published = "published"
    returned = "returned"
    scheduled = "scheduled"  # approved, goes live at scheduled_at (RQ's scheduler)


class ListenSource(enum.Enum):
    narration = "narration"  # the article read aloud by text-to-speech
    video = "video"          # a video item: its own soundtrack is what listeners hear


class Article(db.Model):  # type: ignore[name-defined]
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_status_published_at", "status", "published_at"),
        # Section pages, related articles, section feeds, the home's section blocks.
        Index("ix_articles_category_status_published", "category_id", "status", "published_at"),
        # The newsroom's lists, newest edits first (all, and a unit's own).
        Index("ix_articles_updated_at", "updated_at"),
        Index("ix_articles_unit_updated", "unit_id", "updated_at"),
        # Reader search: an FTS5 table on SQLite, a stored tsvector and its GIN index on
        # PostgreSQL, both made by the migrations and left out of schema comparisons
        # (app.services.search.include_object).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(320), unique=True)
    lede: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(120), default="")
    cover_key: Mapped[str | None] = mapped_column(String(500))
    cover_caption: Mapped[str] = mapped_column(String(500), default="")
    # Folded words of title, lede, body and caption, for search (app.services.search),
    # and of the title and the lede alone (a match there ranks higher).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_lede: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The same words in lower case with their diacritics, each once: ranks exact matches
    # without re-reading the body (app.services.search).
    search_exact: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Responsive widths of the cover made by the worker: {"480": key, "960": key, …}.
    cover_variants: Mapped[dict[str, str]] = mapped_column(JSON, default=dict,
                                                           server_default="{}")
    status: Mapped[ArticleStatus] = mapped_column(
        Enum(ArticleStatus, name="article_status"), default=ArticleStatus.draft)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last edit of its content while it was live: readers see "Cập nhật" (updated_at
    # also moves with view counts and media, so it cannot say that).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    # Words of the body, for the reading time cards show ("Đọc 4 phút") without loading it.
    word_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When a scheduled article goes live (status scheduled); None otherwise.
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The editor's comment when returning the article to its unit (shown to the contributor).
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Bumped by every saved edit: a form carries the version it was opened at, and saving over
    # a newer one is a conflict, not a silent overwrite.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    listen_source: Mapped[ListenSource] = mapped_column(
        Enum(ListenSource, name="listen_source"), default=ListenSource.narration,
        server_default=ListenSource.narration.value)

    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    category: Mapped[Category | None] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
    media: Mapped[list[MediaAsset]] = relationship(
        back_populates="article", cascade="all, delete-orphan", lazy="selectin")

    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", cascade="all, delete-orphan", lazy="noload",
        order_by="ArticleRevision.number")

    @property
    def is_published(self) -> bool:
        return self.status is ArticleStatus.published

    def asset(self, kind: str) -> MediaAsset | None:
        return next((m for m in self.media if m.kind.value == kind), None)
