"""The pronunciation lexicon editors maintain, and re-narration of what it touches."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..extensions import db
from ..media import lifecycle
from ..models import Article, ArticleStatus, LexiconEntry
from . import audit
from .errors import BadInput

MAX_TERM, MAX_SPOKEN = 100, 200


def save_entry(term: str, spoken: str) -> LexiconEntry:
    """Add a term, or change how an existing term is said."""
    term, spoken = " ".join(term.split()), " ".join(spoken.split())
    if not term or not spoken:
        raise BadInput("Cần nhập cả từ và cách đọc.")
    if len(term) > MAX_TERM or len(spoken) > MAX_SPOKEN:
        raise BadInput(f"Từ tối đa {MAX_TERM} ký tự, cách đọc tối đa {MAX_SPOKEN} ký tự.")
    entry = db.session.scalar(select(LexiconEntry).where(LexiconEntry.term == term))
    created = entry is None
    if entry is None:
        entry = LexiconEntry(term=term, spoken=spoken)
        db.session.add(entry)
    entry.spoken = spoken
    audit.record_saved(created, ("lexicon.create", "lexicon.edit"), entry,
                       f"cách đọc «{term}» → «{spoken}»")
    db.session.commit()
    renarrate_articles_with(term)
    return entry


def delete_entry(entry: LexiconEntry) -> None:
    term = entry.term
    audit.record("lexicon.delete", entry, f"Xóa cách đọc «{term}» khỏi từ điển phát âm")
    db.session.delete(entry)
    db.session.commit()
    renarrate_articles_with(term)


def renarrate_articles_with(*terms: str | None) -> int:
    """Queue narration again for published articles whose text mentions a changed term.

    The worker skips any whose spoken script did not actually change.
    """
    words = [t for t in terms if t]
    conditions = [column.ilike(f"%{term}%") for term in words
                  for column in (Article.title, Article.lede, Article.body_html)]
    if not conditions:
        return 0
    articles = db.session.scalars(select(Article).where(
        Article.status == ArticleStatus.published, or_(*conditions))).all()
    for article in articles:
        lifecycle.request_narration(article)
    return len(articles)
