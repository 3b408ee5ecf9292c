"""Reader search over published articles, the same on SQLite and PostgreSQL.

Each article keeps `search_text`: its words (title, lede, body text, cover caption) folded
("Hậu Giang" → "hau giang", "đường" → "duong") and joined by single spaces, so both
backends see the same tokens. The database only finds *candidates* — articles holding every
folded query word (FTS5 on SQLite, a `simple` tsvector with a GIN index on PostgreSQL);
the order is decided here in Python, identically on both:

1. how many of the words the reader typed occur exactly, diacritics and all, in the article
   ("đường" ranks the article that says "đường" above ones that say "dương");
2. how many of the query words are in the title;
3. newest first (published_at), then the higher id.

Speed (10,000 articles): ranking reads only five short columns of the newest
MAX_CANDIDATES matches — id, published_at, title, `search_text` and `search_exact` (each
word as written, lower case, once), so no article body is parsed to rank it. Full rows and
snippets are made only for the hits a page shows (`Hit.article`, `Hit.snippet`, `prepare`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.sql.elements import ColumnElement

from media_pipeline.text import html_to_paragraphs

from ..extensions import db
from ..models import Article, ArticleStatus, Document, ScheduleEntry

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_CANDIDATES = 500
SNIPPET_CHARS = 200
FTS_TABLE = "articles_fts"
GIN_INDEX = "ix_articles_search_text_gin"
# Query words that are operators to a full-text engine, when typed as such (upper case).
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without diacritics, đ → d, whitespace collapsed: "Đường  Hậu" → "duong hau"."""
    text = unicodedata.normalize("NFD", (text or "").lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "d")
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """The words of `text` (letters and digits; punctuation and underscores separate)."""
    return _WORD.findall(unicodedata.normalize("NFC", text or ""))


def article_texts(title: str, lede: str, body_html: str, cover_caption: str,
                  subtitles: tuple[str, ...] = ()) -> list[str]:
    """The searchable text of an article, in page order: title, lede, body, caption, then
    what is said in its video (the editor's subtitles)."""
    return [t for t in (title or "", lede or "", *html_to_paragraphs(body_html or ""),
                        cover_caption or "", *subtitles) if t.strip()]


def make_search_text(title: str, lede: str, body_html: str, cover_caption: str,
                     subtitles: tuple[str, ...] = ()) -> str:
    """What `Article.search_text` holds: the folded words, one space apart."""
    return " ".join(words(fold(" ".join(
        article_texts(title, lede, body_html, cover_caption, subtitles)))))


def subtitle_texts(article: Article) -> tuple[str, ...]:
    video = article.asset("video")
    return tuple(t["text"] for t in (video.captions or []) if t.get("text")) if video else ()


def texts_of(article: Article) -> list[str]:
    return article_texts(article.title, article.lede, article.body_html, article.cover_caption,
                         subtitle_texts(article))


def exact_words(texts: list[str]) -> str:
    """What `Article.search_exact` holds: each word of `texts` in lower case, diacritics
    kept, once, in the order first met ("Đường … đường Hậu" → "đường hậu")."""
    return " ".join(dict.fromkeys(w.lower() for t in texts for w in words(t)))


def make_search_exact(title: str, lede: str, body_html: str, cover_caption: str,
                      subtitles: tuple[str, ...] = ()) -> str:
    return exact_words(article_texts(title, lede, body_html, cover_caption, subtitles))


def refresh_search_text(article: Article) -> None:
    """Keep both search columns in step with the article's text (and its subtitles)."""
    texts = texts_of(article)
    article.search_text = " ".join(words(fold(" ".join(texts))))
    article.search_exact = exact_words(texts)


# --- the query ------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """A reader's query: what they typed (exact, lower case) and its folded words."""

    exact: tuple[str, ...]   # lower-case words as typed, diacritics kept
    folded: tuple[str, ...]  # the same words folded, no duplicates

    def __bool__(self) -> bool:
        return bool(self.folded)


def parse_query(raw: str) -> Query:
    """Words of a query, stripped of anything a search engine would read as syntax."""
    raw = unicodedata.normalize("NFC", (raw or "")[:MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
    exact: list[str] = []
    folded: list[str] = []
    for word in words(raw):
        if word in _OPERATORS:
            continue
        for part in words(fold(word)):  # folding never splits a word, but be safe
            if part not in folded and len(folded) < MAX_TERMS:
                folded.append(part)
                exact.append(word.lower())
    return Query(tuple(exact), tuple(folded))


# --- candidates -------------------------------------------------------------------------

def _fts5_match(terms: tuple[str, ...]) -> str:
    """An FTS5 expression asking for every term, each a quoted token (no syntax inside)."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _match_clause(query: Query) -> ColumnElement[bool]:
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        fts = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match")
        return Article.id.in_(fts.bindparams(match=_fts5_match(query.folded))
                              .columns(literal_column("rowid")))
    if dialect == "postgresql":
        return func.to_tsvector(literal_column("'simple'"), Article.search_text).op("@@")(
            func.plainto_tsquery(literal_column("'simple'"), " ".join(query.folded)))
    # Any other backend: a plain scan, one LIKE per word (the Python check below is exact).
    return db.and_(*(Article.search_text.contains(term, autoescape=True)
                     for term in query.folded))


@dataclass
class Hit:
    """A ranked article. Its full row and its snippet are made on first use: a page shows
    20 of up to MAX_CANDIDATES hits (`prepare` loads a page's rows in one query)."""

    id: int
    published_at: datetime | None
    exact: int
    in_title: int
    query: Query = field(repr=False)
    loaded: Article | None = field(default=None, repr=False)
    made_snippet: Markup | None = field(default=None, repr=False)

    @property
    def article(self) -> Article:
        if self.loaded is None:
            self.loaded = db.session.get(Article, self.id)
            if self.loaded is None:
                raise LookupError(f"article {self.id} is gone")
        return self.loaded

    @property
    def snippet(self) -> Markup:
        if self.made_snippet is None:
            texts = texts_of(self.article)
            self.made_snippet = snippet(texts[1:] or texts, self.query)
        return self.made_snippet


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.hits)


def _newest_matches(query: Query, category_id: int | None, since: datetime | None,
                    until: datetime | None) -> Select[Any]:
    """Ids of the newest MAX_CANDIDATES published articles holding every folded query word:
    the same set on both backends (NULL dates last, then the higher id)."""
    if db.engine.dialect.name == "postgresql":
        # The text match alone, in a CTE the planner must run as written: only the GIN index
        # can answer it. Otherwise it may walk ix_articles_status_published_at and compute
        # to_tsvector() for every published row (1.7 s on 10,000 articles, against 15 ms).
        cols: Any = (select(Article.id, Article.status, Article.published_at,
                            Article.category_id)
                     .where(_match_clause(query)).cte("matching")
                     .prefix_with("MATERIALIZED").c)
        stmt = select(cols.id)
    else:
        cols = Article.__table__.c
        stmt = select(cols.id).where(_match_clause(query))
    stmt = stmt.where(cols.status == ArticleStatus.published)
    if category_id is not None:
        stmt = stmt.where(cols.category_id == category_id)
    if since is not None:
        stmt = stmt.where(cols.published_at >= since)
    if until is not None:
        stmt = stmt.where(cols.published_at < until)
    return (stmt.order_by(cols.published_at.desc().nulls_last(), cols.id.desc())
            .limit(MAX_CANDIDATES))


def search(raw: str, category_id: int | None = None, since: datetime | None = None,
           until: datetime | None = None) -> Results:
    """Published articles holding every word of `raw`, best first (see the module doc)."""
    query = parse_query(raw)
    if not query:
        return Results(query)
    newest = _newest_matches(query, category_id, since, until).subquery("newest")
    # Only what ranking reads: no body, no eager-loaded section, unit or media.
    rows = db.session.execute(
        select(Article.id, Article.published_at, Article.title, Article.search_text,
               Article.search_exact).join(newest, Article.id == newest.c.id))
    hits = [hit for row in rows if (hit := _score(row, query)) is not None]
    hits.sort(key=_rank_key)
    return Results(query, hits)


def prepare(hits: list[Hit]) -> list[Hit]:
    """The hits a page shows, with their full rows loaded in one query (section and unit
    joined, media in one more); any unpublished since the search are left out."""
    wanted = [hit.id for hit in hits if hit.loaded is None]
    if wanted:
        rows = db.session.scalars(select(Article).where(
            Article.id.in_(wanted), Article.status == ArticleStatus.published)).unique()
        found = {article.id: article for article in rows}
        for hit in hits:
            hit.loaded = hit.loaded or found.get(hit.id)
    return [hit for hit in hits if hit.loaded is not None]


def _rank_key(hit: Hit) -> tuple[Any, ...]:
    stamp = hit.published_at.timestamp() if hit.published_at else float("-inf")
    return (-hit.exact, -hit.in_title, -stamp, -hit.id)


@lru_cache(maxsize=50_000)
def _fold_word(word: str) -> str:
    """fold() of one word. Articles share most of their words (Vietnamese has a few thousand
    syllables), so ranking titles and marking snippets mostly look them up."""
    return fold(word)


def _score(row: Any, query: Query) -> Hit | None:
    # Both columns hold words one space apart, so " word " in " text " is a token test.
    tokens = f" {row.search_text} "
    if not all(f" {term} " in tokens for term in query.folded):
        return None  # both backends' matchers are only trusted to narrow the field
    exact = f" {row.search_exact} "
    title_words = {_fold_word(w) for w in words(row.title)}
    return Hit(id=row.id, published_at=row.published_at, query=query,
               exact=sum(1 for w in set(query.exact) if f" {w} " in exact),
               in_title=sum(1 for term in query.folded if term in title_words))


# --- documents and schedule entries ---------------------------------------------------------
# A portal holds hundreds or a few thousand of these, not 10⁵, so a LIKE per folded word on
# `search_text` finds the candidates, the same way on every backend, and the ranking is the
# articles' own: exact words, then words in the title, then newest first.

@dataclass
class Found:
    item: Any          # a Document or a ScheduleEntry
    snippet: Markup
    exact: int
    in_title: int
    when: float        # timestamp for "newest first"


def document_texts(doc: Document) -> list[str]:
    return [t for t in (doc.number, doc.summary, doc.doc_type, doc.issuer, doc.signer) if t]


def schedule_texts(entry: ScheduleEntry) -> list[str]:
    return [t for t in (entry.content, entry.place, entry.participants, entry.host_name) if t]


def folded_words(texts: list[str]) -> str:
    """What a `search_text` column holds for these texts."""
    return " ".join(words(fold(" ".join(texts))))


def _found(item: Any, texts: list[str], title: str, when: float, query: Query) -> Found | None:
    tokens = set(item.search_text.split())
    if not all(term in tokens for term in query.folded):
        return None
    exact_words = {w.lower() for t in texts for w in words(t)}
    title_words = {fold(w) for w in words(title)}
    return Found(item=item, snippet=snippet(texts, query), when=when,
                 exact=sum(1 for w in set(query.exact) if w in exact_words),
                 in_title=sum(1 for term in query.folded if term in title_words))


def _ranked(found: list[Found | None]) -> list[Found]:
    hits = [f for f in found if f is not None]
    hits.sort(key=lambda f: (-f.exact, -f.in_title, -f.when, -f.item.id))
    return hits


def search_documents(raw: str, since: date | None = None,
                     until: date | None = None) -> list[Found]:
    """Published documents holding every word of `raw`; dates bound the issue date."""
    query = parse_query(raw)
    if not query:
        return []
    stmt = select(Document).where(Document.published, *(
        Document.search_text.contains(term, autoescape=True) for term in query.folded))
    if since is not None:
        stmt = stmt.where(Document.issued_on >= since)
    if until is not None:
        stmt = stmt.where(Document.issued_on <= until)
    stmt = stmt.order_by(Document.issued_on.desc(), Document.id.desc()).limit(MAX_CANDIDATES)
    return _ranked([
        _found(doc, document_texts(doc), f"{doc.number} {doc.summary}",
               datetime.combine(doc.issued_on, time(0), UTC).timestamp(), query)
        for doc in db.session.scalars(stmt)])


def search_schedules(raw: str, since: datetime | None = None,
                     until: datetime | None = None) -> list[Found]:
    """Published schedule entries holding every word of `raw`; datetimes bound the start."""
    query = parse_query(raw)
    if not query:
        return []
    stmt = select(ScheduleEntry).where(ScheduleEntry.published, *(
        ScheduleEntry.search_text.contains(term, autoescape=True) for term in query.folded))
    if since is not None:
        stmt = stmt.where(ScheduleEntry.starts_at >= since)
    if until is not None:
        stmt = stmt.where(ScheduleEntry.starts_at < until)
    stmt = (stmt.order_by(ScheduleEntry.starts_at.desc(), ScheduleEntry.id.desc())
            .limit(MAX_CANDIDATES))
    return _ranked([
        _found(entry, schedule_texts(entry), entry.content, entry.starts_at.timestamp(), query)
        for entry in db.session.scalars(stmt).unique()])


# --- snippets ---------------------------------------------------------------------------

def snippet(texts: list[str], query: Query, width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters around the first match, matched words in <mark>."""
    body = unicodedata.normalize("NFC", " ".join(" ".join(texts).split()))
    terms = set(query.folded)
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(body):
        if spans and m.start() >= spans[0][0] + width:
            break  # past any window around the first match: the rest is never shown
        if _fold_word(m.group()) in terms:
            spans.append(m.span())
    first = spans[0] if spans else (0, 0)
    start = max(0, first[0] - width // 3)
    end = min(len(body), start + width)
    if end == len(body):
        start = max(0, end - width)
    if start > 0:  # do not cut a word in half
        space = body.find(" ", start, first[0])
        start = space + 1 if space >= 0 else start
    if end < len(body):
        space = body.rfind(" ", max(start, first[1]), end)
        end = space if space >= 0 else end
    out = [Markup("…")] if start > 0 else []
    pos = start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(escape(body[pos:a]))
        out.append(Markup("<mark>%s</mark>") % body[a:b])
        pos = b
    out.append(escape(body[pos:end]))
    if end < len(body):
        out.append(Markup("…"))
    return Markup("").join(out)


# --- schema helpers for Alembic ----------------------------------------------------------

def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic hook: the FTS5 table and its shadow tables are not the models' business."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Alembic hook: leave the backend-specific search structures out of comparisons."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == GIN_INDEX)
