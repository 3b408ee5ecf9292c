"""URL slugs: ASCII, Vietnamese folded ("Đường Hồ Chí Minh" → "duong-ho-chi-minh"), unique."""

from __future__ import annotations

from typing import Any

from slugify import slugify
from sqlalchemy import select

from ..extensions import db

MAX_LENGTH = 200
SUFFIX_ROOM = 8  # for "-2", "-3"… within the column


def slug_of(text: str, fallback: str, max_length: int = MAX_LENGTH) -> str:
    """`text` as a slug (cut at a word boundary), or `fallback` when nothing is left of it."""
    return slugify(text, max_length=max_length, word_boundary=True) or fallback


def unique_slug(model: Any, text: str, fallback: str, exclude_id: int | None = None) -> str:
    """A slug of `text` that no other row of `model` has: "ten", then "ten-2", "ten-3"…
    (`exclude_id`: the row being renamed, which may keep its own)."""
    column = getattr(model.__table__.c.slug.type, "length", None) or MAX_LENGTH + SUFFIX_ROOM
    base = slug_of(text, fallback, min(MAX_LENGTH, column - SUFFIX_ROOM))
    slug, n = base, 1
    with db.session.no_autoflush:  # (the row being made is not in the table yet)
        while True:
            taken = db.session.scalar(select(model.id).where(model.slug == slug))
            if taken is None or taken == exclude_id:
                return slug
            n += 1
            slug = f"{base}-{n}"
