"""The home page as editors arrange it: pinned stories, each until its expiry time."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .content import Article, Category
    from .user import User


class PinSlot(enum.Enum):
    top = "top"            # the lead story (one)
    featured = "featured"  # the stories beside it (at most FEATURED_MAX)
    section = "section"    # first in its section's block on the home page


class HomePin(db.Model):  # type: ignore[name-defined]
    """An article an editor put on the home page, until `expires_at`.

    Nothing removes a pin when it runs out or its article leaves the portal: the home page
    reads only pins still running whose article is published (app.services.home)."""

    __tablename__ = "home_pins"
    __table_args__ = (Index("ix_home_pins_slot_expires", "slot", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot: Mapped[PinSlot] = mapped_column(Enum(PinSlot, name="pin_slot"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
    # The section block a "section" pin leads (the article's section when pinned).
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    article: Mapped[Article] = relationship(lazy="joined", innerjoin=True)
    category: Mapped[Category | None] = relationship()
    created_by: Mapped[User | None] = relationship()
