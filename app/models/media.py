from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .content import Article


class MediaKind(enum.Enum):
    audio = "audio"        # narration of the article
    video = "video"        # an uploaded video, transcoded for the web
    briefing = "briefing"  # a video made from the article: cover, title card, narration


class MediaStatus(enum.Enum):
    pending = "pending"        # wanted, not yet queued (e.g. the queue was down)
    queued = "queued"
    processing = "processing"
    ready = "ready"
    failed = "failed"
    stale = "stale"            # its input changed; a new render is due


# Which state may follow which. The row is the truth; RQ's job status is only transport.
TRANSITIONS: dict[MediaStatus, set[MediaStatus]] = {
    MediaStatus.pending: {MediaStatus.queued, MediaStatus.failed},
    MediaStatus.queued: {MediaStatus.processing, MediaStatus.queued, MediaStatus.pending,
                         MediaStatus.failed, MediaStatus.ready},
    MediaStatus.processing: {MediaStatus.ready, MediaStatus.failed, MediaStatus.queued,
                             MediaStatus.processing},
    MediaStatus.ready: {MediaStatus.queued, MediaStatus.stale, MediaStatus.pending},
    MediaStatus.failed: {MediaStatus.queued, MediaStatus.pending},
    MediaStatus.stale: {MediaStatus.queued, MediaStatus.pending},
}


class InvalidTransition(Exception):
    pass


class MediaAsset(db.Model):  # type: ignore[name-defined]
    """One form of an article that needs work (audio or video), and where its outputs are.

    `outputs` only ever names a whole, finished render: while a new render runs or after it
    fails, readers keep the previous one.
    """

    __tablename__ = "media_assets"
    __table_args__ = (UniqueConstraint("article_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[MediaKind] = mapped_column(Enum(MediaKind, name="media_kind"))
    status: Mapped[MediaStatus] = mapped_column(
        Enum(MediaStatus, name="media_status"), default=MediaStatus.pending, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    source_key: Mapped[str | None] = mapped_column(String(500))  # uploaded original (video)
    input_hash: Mapped[str | None] = mapped_column(String(64))   # of what `outputs` was made from
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Subtitle tracks an editor attached: [{"lang", "label", "key"}]; they outlive renders.
    captions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    duration: Mapped[float | None] = mapped_column(Float)
    engine: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    article: Mapped[Article] = relationship(back_populates="media")

    def move_to(self, status: MediaStatus) -> None:
        """Change state, refusing moves the state diagram does not allow."""
        current = self.status or MediaStatus.pending  # None before the first flush
        if status is not current and status not in TRANSITIONS[current]:
            raise InvalidTransition(f"{current.value} → {status.value}")
        self.status = status

    @property
    def has_output(self) -> bool:
        return bool(self.outputs)
