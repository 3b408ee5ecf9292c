from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class LexiconEntry(db.Model):  # type: ignore[name-defined]
    """How the narrator should say a term ("TP.HCM" → "thành phố Hồ Chí Minh")."""

    __tablename__ = "lexicon_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100), unique=True)
    spoken: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def lexicon_pairs() -> tuple[tuple[str, str], ...]:
    rows = db.session.execute(select(LexiconEntry.term, LexiconEntry.spoken)
                              .order_by(LexiconEntry.term)).all()
    return tuple((term, spoken) for term, spoken in rows)


def lexicon_version(pairs: tuple[tuple[str, str], ...]) -> str:
    return hashlib.sha256(repr(pairs).encode()).hexdigest()[:16]
