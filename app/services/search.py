"""Reader search over published articles, ranked in the database, the same on SQLite and
PostgreSQL.

Each article keeps its words folded ("Hậu Giang" → "hau giang", "đường" → "duong", "05" → "5")
in `search_title`, `search_lede` and `search_text` (title, lede, body, cover caption and the
video's subtitles), so both backends see the same tokens; and in `search_exact` each word as
written (lower case, tone marks placed one way: "hoà" → "hòa"), once. The rank of a match is
made of yes/no answers, each outweighing all those after it:

1. every query word present (results missing one come after, and only when there are few
   full matches);
2. the phrase: each pair of neighbouring query words side by side in the text ("chuyển đổi"
   and "đổi số"; "05 nq", "nq tu");
3. when the reader typed diacritics, every word as typed ("đường" above "Dương"; "hòa an"
   finds "Hòa An" before "hoa an");
4. the phrase in the title, then in the lede; every word in the title;

then the newest first (published_at), then the higher id. The engines' own scores (bm25,
ts_rank_cd) are not used: they differ from one engine to the other, and readers would see
different orders.

SQLite asks FTS5 (three columns) and LIKE for the answers of every match and sorts them
(`rank_expression`). PostgreSQL keeps each published article's keys in a narrow table with a
GIN index (`article_search`: words, pairs, exact words, the title's and the lede's) and reads
a page group by group of equal rank (`tiers`), newest first within each: a common phrase in
an archive of 100,000 articles has tens of thousands of matches, and ranking each one would
read each one's row. tests/app/services/test_search_order.py holds both to the rule above.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.sql.elements import ColumnElement

from media_pipeline.text import html_to_paragraphs

from ..extensions import db
from ..models import Article, ArticleStatus, Document, ScheduleEntry

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_ITEMS = 500  # documents or schedule entries ranked for one query (a portal has few)
SNIPPET_CHARS = 200
# With fewer full matches than this, results missing one word of a query of three words or
# more follow them (never results holding a lone syllable of the query).
PARTIAL_BELOW = 5
FTS_TABLE = "articles_fts"
KEYS_TABLE_NAME = "article_search"  # PostgreSQL only: made and kept by the migration's trigger
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


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# oa, oe, uy with the tone on the second vowel and nothing after ("hoà", "thuý"): the newer
# placement of the syllable most text writes "hòa", "thúy" (not after q: "quý" has one way).
_NEW_STYLE = re.compile(f"(?<!q)(o[ae]|uy)([{_TONES}])$")


def canonical(word: str) -> str:
    """A word as search compares it: lower case; an oa/oe/uy syllable's tone mark on its first
    vowel ("hoà" → "hòa", "thuỵ" → "thụy"); a number without leading zeros ("05" → "5", so
    "05-NQ/TU" and "5-NQ/TU" are the same number)."""
    word = word.lower()
    if word.isdigit():
        return word.lstrip("0") or "0"
    nfd = unicodedata.normalize("NFD", word)
    moved = _NEW_STYLE.sub(lambda m: m.group(1)[0] + m.group(2) + m.group(1)[1], nfd)
    return word if moved == nfd else unicodedata.normalize("NFC", moved)


def folded_words(texts: list[str]) -> str:
    """What a `search_*` column holds for these texts: folded words, one space apart."""
    return " ".join(canonical(w) for w in words(fold(" ".join(texts))))


def article_texts(title: str, lede: str, body_html: str, cover_caption: str,
                  subtitles: tuple[str, ...] = ()) -> list[str]:
    """The searchable text of an article, in page order: title, lede, body, caption, then
    what is said in its video (the editor's subtitles)."""
    return [t for t in (title or "", lede or "", *html_to_paragraphs(body_html or ""),
                        cover_caption or "", *subtitles) if t.strip()]


def make_search_text(title: str, lede: str, body_html: str, cover_caption: str,
                     subtitles: tuple[str, ...] = ()) -> str:
    """What `Article.search_text` holds: the folded words, one space apart."""
    return folded_words(article_texts(title, lede, body_html, cover_caption, subtitles))


def subtitle_texts(article: Article) -> tuple[str, ...]:
    video = article.asset("video")
    return tuple(t["text"] for t in (video.captions or []) if t.get("text")) if video else ()


def texts_of(article: Article) -> list[str]:
    return article_texts(article.title, article.lede, article.body_html, article.cover_caption,
                         subtitle_texts(article))


def exact_words(texts: list[str]) -> str:
    """What `Article.search_exact` holds: each word of `texts` in lower case, diacritics
    kept, once, in the order first met ("Đường … đường Hậu" → "đường hậu")."""
    return " ".join(dict.fromkeys(canonical(w) for t in texts for w in words(t)))


def make_search_exact(title: str, lede: str, body_html: str, cover_caption: str,
                      subtitles: tuple[str, ...] = ()) -> str:
    return exact_words(article_texts(title, lede, body_html, cover_caption, subtitles))


def refresh_search_text(article: Article) -> None:
    """Keep both search columns in step with the article's text (and its subtitles)."""
    texts = texts_of(article)
    article.search_title = folded_words([article.title or ""])
    article.search_lede = folded_words([article.lede or ""])
    article.search_text = folded_words(texts)
    article.search_exact = exact_words(texts)


# --- the query ------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """A reader's query: its folded words in order (the phrase), each once (the terms), and,
    when the reader typed diacritics, every word as typed (`canonical`): then an article with
    all of them exactly ranks first ("cà mau": "Cà Mau" before "Cà Mâu" and "Ca Mau"). A
    query without any diacritic asks for none."""

    phrase: tuple[str, ...]   # folded, in the order typed, repeats kept
    folded: tuple[str, ...]   # the same, each once
    exact: tuple[str, ...]    # every word as typed if one has a mark (or đ), else none

    def __bool__(self) -> bool:
        return bool(self.folded)


def parse_query(raw: str) -> Query:
    """Words of a query, stripped of anything a search engine would read as syntax."""
    raw = unicodedata.normalize("NFC", (raw or "")[:MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
    phrase: list[str] = []
    typed: list[str] = []
    for word in words(raw):
        if word in _OPERATORS:
            continue
        for part in words(fold(word)):  # folding never splits a word, but be safe
            if len(phrase) == MAX_TERMS:
                break
            phrase.append(canonical(part))
            typed.append(canonical(word))
    marked = any(fold(word) != word for word in typed)
    return Query(tuple(phrase), tuple(dict.fromkeys(phrase)),
                 tuple(dict.fromkeys(typed)) if marked else ())


# --- ranking in the database -------------------------------------------------------------

# Weights of the engine's yes/no answers (`rank_expression`): each outweighs all below it.
W_ALL, W_PHRASE, W_EXACT = 1 << 14, 1 << 13, 1 << 8
W_TITLE_PHRASE, W_LEDE_PHRASE, W_TITLE_ALL = 1 << 7, 1 << 6, 1 << 5  # then terms found: < 32
# The answers a complete match is ranked by, heaviest first; and which of them holds whenever
# another does, by the way the search columns are made (the title and the lede begin the
# text; a title holding the phrase holds each word). `tiers` skips the groups that cannot be.
RANKED = (("phrase", W_PHRASE), ("exact", W_EXACT), ("title_phrase", W_TITLE_PHRASE),
          ("lede_phrase", W_LEDE_PHRASE), ("title_all", W_TITLE_ALL))
IMPLIES = {"title_phrase": {"phrase", "title_all"}, "lede_phrase": {"phrase"}}
# PostgreSQL keeps each published article's keys in a narrow table (`article_search`, made
# and kept in step by migration 4f6b8d0a2c1e's trigger), so its GIN index alone answers every
# question above, without reading an article: each folded word of the text, each pair of
# neighbouring words ("chuyen_doi"), each exact word ("=hòa"), and the title's and the
# lede's words and pairs ("^chuyen", "^chuyen_doi"; "~…"). Words are letters and digits, so
# a key never holds tsquery syntax, and the marks never begin a word.
EXACT_KEY, TITLE_KEY, LEDE_KEY = "=", "^", "~"


def pairs(phrase: tuple[str, ...]) -> tuple[str, ...]:
    """The phrase as ranking asks for it: each pair of neighbouring words ("chuyen doi so" →
    "chuyen doi", "doi so") — every one of them side by side in the text; a one-word phrase
    is that word."""
    if len(phrase) == 1:
        return phrase
    return tuple(dict.fromkeys(f"{a} {b}" for a, b in zip(phrase, phrase[1:], strict=False)))


def _quoted(terms: tuple[str, ...]) -> str:
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


_PARAMETERS = itertools.count()


class _Fts:
    """SQLite: the questions of the ranking as SQL conditions on `articles` — FTS5 queries on
    its three columns, LIKE on the short title and lede, instr on the exact words."""

    def __init__(self, query: Query) -> None:
        self.query = query

    def _fts(self, expression: str) -> ColumnElement[bool]:
        name = f"fts_{next(_PARAMETERS)}"  # unique in any statement it joins
        rows = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :{name}")
        return Article.id.in_(rows.bindparams(**{name: expression})
                              .columns(literal_column("rowid")))

    def every_word(self) -> ColumnElement[bool]:
        return self._fts(_quoted(self.query.folded))

    def phrase(self) -> ColumnElement[bool]:
        every_pair = " AND ".join(_quoted((pair,)) for pair in pairs(self.query.phrase))
        return self._fts(f"{{search_text}} : ({every_pair})")

    def in_short(self, column: str, whole_phrase: bool) -> ColumnElement[bool]:
        """The phrase (or every word) in the title or the lede: short columns of folded words
        one space apart."""
        spaced: Any = literal_column("' '") + getattr(Article, column) + literal_column("' '")
        keys = pairs(self.query.phrase) if whole_phrase else self.query.folded
        return db.and_(*(spaced.like(f"% {key} %") for key in keys))

    def all_but_one(self) -> ColumnElement[bool]:
        """Every query word but one, whichever (for a query of three words or more)."""
        terms = self.query.folded
        subsets = [terms[:i] + terms[i + 1:] for i in range(len(terms))]
        return self._fts(" OR ".join(f"({_quoted(sub)})" for sub in subsets))

    def term(self, word: str) -> ColumnElement[bool]:
        return self._fts(_quoted((word,)))

    def exact(self) -> ColumnElement[bool]:
        """Every word as the reader typed it (`Query.exact`) among the article's words."""
        spaced: Any = literal_column("' '") + Article.search_exact + literal_column("' '")
        return db.and_(*(func.instr(spaced, f" {word} ") > 0 for word in self.query.exact))


def rank_expression(query: Query, partial: bool) -> ColumnElement[int]:
    """SQLite: the rank of a matching article (module doc), worked out for each match."""
    match = _Fts(query)

    def when(condition: ColumnElement[bool], weight: int) -> ColumnElement[int]:
        return case((condition, weight), else_=0)

    parts = [when(match.phrase(), W_PHRASE),
             *([when(match.exact(), W_EXACT)] if query.exact else []),
             when(match.in_short("search_title", True), W_TITLE_PHRASE),
             when(match.in_short("search_lede", True), W_LEDE_PHRASE),
             when(match.in_short("search_title", False), W_TITLE_ALL)]
    if partial:  # not every word in all of them: which have every word, and how many
        parts.append(when(match.every_word(), W_ALL))
        parts += [when(match.term(t), 1) for t in query.folded]
    else:
        parts.append(literal_column(str(W_ALL)))
    total: ColumnElement[int] = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


# --- PostgreSQL: the keys table, read group by group -------------------------------------

def _every(keys: Any) -> str:
    """A tsquery asking for every one of `keys` (pairs written with "_", as stored)."""
    return " & ".join("'" + key.replace(" ", "_") + "'" for key in keys)


def tsqueries(query: Query) -> dict[str, str]:
    """The questions of the ranking as tsqueries over `article_search.keys`."""
    phrase, folded = pairs(query.phrase), query.folded
    return {
        "every": _every(folded),
        "phrase": _every(phrase),
        "exact": _every(EXACT_KEY + w for w in query.exact),
        "title_phrase": _every(TITLE_KEY + p for p in phrase),
        "lede_phrase": _every(LEDE_KEY + p for p in phrase),
        "title_all": _every(TITLE_KEY + w for w in folded),
        "all_but_one": " | ".join(f"({_every(folded[:i] + folded[i + 1:])})"
                                  for i in range(len(folded))),
    }


def tiers(query: Query, partial: bool) -> Iterator[tuple[int, str]]:
    """The matches in groups of equal rank, best first, each a tsquery: every pattern of the
    `RANKED` answers that can be (`IMPLIES`), then, when `partial`, the articles missing one
    word (their rank is the number of words they hold: one fewer than the query's)."""
    asks = tsqueries(query)
    names = [name for name, _ in RANKED if name != "exact" or query.exact]
    weights = dict(RANKED)
    for bits in itertools.product((True, False), repeat=len(names)):
        held = {name for name, bit in zip(names, bits, strict=True) if bit}
        if any(not IMPLIES.get(name, set()) <= held for name in held):
            continue
        # (every pair of the phrase holds every word: then "every" need not be asked)
        asked = ([] if "phrase" in held else [asks["every"]]) + [
            asks[name] if name in held else f"!({asks[name]})" for name in names]
        yield (W_ALL + sum(weights[name] for name in held),
               " & ".join(f"({part})" for part in asked))
    if partial:
        yield len(query.folded) - 1, f"({asks['all_but_one']}) & !({asks['every']})"


KEYS_TABLE = table(KEYS_TABLE_NAME, column("article_id", Integer),
                   column("category_id", Integer),
                   column("published_at", Article.published_at.type),
                   column("search_keys", TSVECTOR))


def _keys_matching(tsquery: str, category_id: int | None, since: datetime | None,
                   until: datetime | None, *columns: Any) -> Select[Any]:
    """The published articles whose keys answer `tsquery` (a cast, not to_tsquery, which
    would split "chuyen_doi"), within the filters."""
    # (one bind name for every tsquery: the statement is compiled once, then cached)
    stmt = select(*columns).select_from(KEYS_TABLE).where(
        KEYS_TABLE.c.search_keys.op("@@")(cast(bindparam("tsquery", tsquery), TSQUERY)))
    if category_id is not None:
        stmt = stmt.where(KEYS_TABLE.c.category_id == category_id)
    if since is not None:
        stmt = stmt.where(KEYS_TABLE.c.published_at >= since)
    if until is not None:
        stmt = stmt.where(KEYS_TABLE.c.published_at < until)
    return stmt


@dataclass
class Hit:
    """A ranked article; its snippet is made on first use."""

    id: int
    published_at: datetime | None
    rank: int
    query: Query = field(repr=False)
    loaded: Article | None = field(default=None, repr=False)
    made_snippet: Markup | None = field(default=None, repr=False)

    @property
    def complete(self) -> bool:
        """Every query word is in the article (else it is shown as a partial match)."""
        return self.rank >= W_ALL

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
    hits: list[Hit] = field(default_factory=list)  # the page asked for
    total: int = 0      # every match: complete ones, then partial ones when there are few
    complete: int = 0   # of which hold every query word


def _filtered(stmt: Select[Any], category_id: int | None, since: datetime | None,
              until: datetime | None) -> Select[Any]:
    stmt = stmt.where(Article.status == ArticleStatus.published)
    if category_id is not None:
        stmt = stmt.where(Article.category_id == category_id)
    if since is not None:
        stmt = stmt.where(Article.published_at >= since)
    if until is not None:
        stmt = stmt.where(Article.published_at < until)
    return stmt


def page_statement(query: Query, partial: bool, found: ColumnElement[bool],
                   category_id: int | None, since: datetime | None, until: datetime | None,
                   page: int, per_page: int) -> Select[Any]:
    """One page of the matches (`found`), every one of them ranked by the database."""
    rank = rank_expression(query, partial).label("rank")
    return (_filtered(select(Article.id, Article.published_at, rank).where(found),
                      category_id, since, until)
            .order_by(rank.desc(), Article.published_at.desc().nulls_last(), Article.id.desc())
            .limit(per_page).offset(max(0, page - 1) * per_page))


def tiered_page(query: Query, partial: bool, category_id: int | None, since: datetime | None,
                until: datetime | None, page: int, per_page: int) -> list[Hit]:
    """PostgreSQL: the page `page_statement` would give, read group by group (`tiers`): each
    group's newest from the keys table, a group before the page only counted. A common phrase
    in a large archive has tens of thousands of matches; this reads about a page of them."""
    skip, wanted, hits = max(0, page - 1) * per_page, per_page, []
    for rank, tsquery in tiers(query, partial):
        filters = (tsquery, category_id, since, until)
        if skip:
            size = db.session.scalar(_keys_matching(*filters, func.count())) or 0
            if size <= skip:
                skip -= size
                continue
        # (published articles always have a date)
        rows = db.session.execute(
            _keys_matching(*filters, KEYS_TABLE.c.article_id, KEYS_TABLE.c.published_at)
            .order_by(KEYS_TABLE.c.published_at.desc(), KEYS_TABLE.c.article_id.desc())
            .limit(wanted).offset(skip)).all()
        skip = 0
        hits += [Hit(id=row.article_id, published_at=row.published_at, rank=rank, query=query)
                 for row in rows]
        wanted -= len(rows)
        if not wanted:
            break
    return hits


def _count(query: Query, which: str, category_id: int | None, since: datetime | None,
           until: datetime | None) -> int:
    """How many published articles hold every query word ("every") or all but one."""
    if db.engine.dialect.name == "postgresql":
        stmt = _keys_matching(tsqueries(query)[which], category_id, since, until, func.count())
    else:
        found = getattr(_Fts(query), "every_word" if which == "every" else which)()
        stmt = _filtered(select(func.count()).select_from(Article).where(found),
                         category_id, since, until)
    return db.session.scalar(stmt) or 0


def search(raw: str, category_id: int | None = None, since: datetime | None = None,
           until: datetime | None = None, page: int = 1, per_page: int = 20) -> Results:
    """A page of the published articles matching `raw`, best first (see the module doc), and
    how many there are in all."""
    query = parse_query(raw)
    if not query:
        return Results(query)
    filters = (category_id, since, until)
    complete = _count(query, "every", *filters)
    # (never for a number such as "05 NQ TU": "5" and "tu" alone are any text's "từ" and 5)
    partial = complete < PARTIAL_BELOW and len(query.folded) >= 3 and not any(
        term.isdigit() for term in query.folded)
    total = _count(query, "all_but_one", *filters) if partial else complete
    if per_page <= 0 or not total:  # only the counts
        return Results(query, [], total, complete)
    if db.engine.dialect.name == "postgresql":
        return Results(query, tiered_page(query, partial, *filters, page, per_page), total,
                       complete)
    match = _Fts(query)
    found = match.all_but_one() if partial else match.every_word()
    rows = db.session.execute(page_statement(query, partial, found, *filters, page, per_page))
    hits = [Hit(id=row.id, published_at=row.published_at, rank=row.rank, query=query)
            for row in rows]
    return Results(query, hits, total, complete)


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


@lru_cache(maxsize=50_000)
def _fold_word(word: str) -> str:
    """The folded, canonical form of one word. Articles share most of their words (Vietnamese
    has a few thousand syllables), so marking snippets mostly looks them up."""
    return canonical(fold(word))


# --- documents and schedule entries ---------------------------------------------------------
# A portal holds hundreds or a few thousand of these, not 10⁵, so a LIKE per folded word on
# `search_text` finds the candidates, the same way on every backend, and they are ranked in
# Python by the articles' rules (`_found`), a document named by its number first.

@dataclass
class Found:
    item: Any          # a Document or a ScheduleEntry
    snippet: Markup
    rank: tuple[int, ...]  # bigger first (see `_found`)
    when: float        # timestamp for "newest first"


def document_texts(doc: Document) -> list[str]:
    return [t for t in (doc.number, doc.summary, doc.doc_type, doc.issuer, doc.signer) if t]


def schedule_texts(entry: ScheduleEntry) -> list[str]:
    return [t for t in (entry.content, entry.place, entry.participants, entry.host_name) if t]


def _has_phrase(haystack: str, phrase: tuple[str, ...]) -> bool:
    return f" {' '.join(phrase)} " in f" {haystack} "


def _found(item: Any, texts: list[str], title: str, when: float, query: Query,
           identifier: str = "") -> Found | None:
    """Ranked as articles are, with one more rule first: a query naming a document by its
    number ("05-NQ/TU", "05/NQ-TU", "05 NQ TU", "nghị quyết 05", "126") finds it before the
    documents that only mention the words."""
    tokens = item.search_text.split()
    if not set(query.folded) <= set(tokens):
        return None
    exact = {canonical(w) for t in texts for w in words(t)}
    ident = set(folded_words([identifier]).split())
    names_it = bool(identifier) and any(w.isdigit() for w in query.folded) and \
        set(query.folded) <= ident
    rank = (int(names_it), int(_has_phrase(item.search_text, query.phrase)),
            int(bool(query.exact) and set(query.exact) <= exact),
            int(_has_phrase(folded_words([title]), query.phrase)),
            int(set(query.folded) <= set(folded_words([title]).split())))
    return Found(item=item, snippet=snippet(texts, query), rank=rank, when=when)


def _ranked(found: list[Found | None]) -> list[Found]:
    hits = [f for f in found if f is not None]
    hits.sort(key=lambda f: (tuple(-r for r in f.rank), -f.when, -f.item.id))
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
    stmt = stmt.order_by(Document.issued_on.desc(), Document.id.desc()).limit(MAX_ITEMS)
    return _ranked([
        _found(doc, document_texts(doc), f"{doc.number} {doc.summary}",
               datetime.combine(doc.issued_on, time(0), UTC).timestamp(), query,
               identifier=f"{doc.doc_type} {doc.number}")
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
            .limit(MAX_ITEMS))
    return _ranked([
        _found(entry, schedule_texts(entry), entry.content, entry.starts_at.timestamp(), query)
        for entry in db.session.scalars(stmt).unique()])


# --- "did you mean" -------------------------------------------------------------------------

_TONE_KEYS = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323",
              "1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_SHAPES = [("dd", "đ"), ("d9", "đ"), ("uow", "ươ"), ("uo7", "ươ"), ("aa", "â"), ("a6", "â"),
           ("aw", "ă"), ("a8", "ă"), ("ee", "ê"), ("e6", "ê"), ("oo", "ô"), ("o6", "ô"),
           ("ow", "ơ"), ("o7", "ơ"), ("uw", "ư"), ("u7", "ư")]
_VOWELS = "aăâeêioôơuưy"
_MARKED = "ăâêôơư"


def _place_tone(word: str, tone: str) -> str:
    """`tone` on the vowel Vietnamese puts it on: a vowel with a mark (ơ of ươ), else the last
    of two or three vowels before a final consonant, else the first of two (hòa)."""
    start = 2 if word.startswith(("qu", "gi")) and len(word) > 2 and word[2] in _VOWELS else 0
    vowels = [i for i, ch in enumerate(word) if ch in _VOWELS and i >= start]
    if not vowels:
        return word
    marked = [i for i in vowels if word[i] in _MARKED]
    if marked:
        at = marked[-1]
    elif vowels[-1] < len(word) - 1 or len(vowels) == 1:  # a final consonant, or one vowel
        at = vowels[-1] if len(vowels) < 3 else vowels[1]
    else:
        at = vowels[-2] if len(vowels) >= 2 else vowels[0]
    return unicodedata.normalize("NFC", word[:at + 1] + tone + word[at + 1:])


def from_typing_keys(word: str) -> str:
    """A word typed with Telex or VNI keys but without the input method on ("chuyeenr" →
    "chuyển", "ddooir" → "đổi", "so61" → "số"); other words unchanged."""
    low = word.lower()
    if not low.isascii() or len(low) < 2:
        return word
    tone = ""
    if low[-1] in _TONE_KEYS and len(low) > 2 and any(v in low[:-1] for v in _VOWELS):
        tone, low = _TONE_KEYS[low[-1]], low[:-1]
    for keys, letter in _SHAPES:
        low = low.replace(keys, letter)
    if any(ch.isdigit() for ch in low) or (not tone and low == word.lower()):
        return word
    return _place_tone(low, tone) if tone else low


def suggest(raw: str) -> str | None:
    """For a query that found nothing: the same words with the Vietnamese marks the reader's
    keyboard left as letters, when that finds something."""
    typed = words(unicodedata.normalize("NFC", raw or ""))[:MAX_TERMS]
    fixed = [from_typing_keys(w) for w in typed]
    if fixed == typed:
        return None
    candidate = " ".join(fixed)
    query = parse_query(candidate)
    if not query:
        return None
    found = search(candidate, per_page=0).total or search_documents(candidate) or \
        search_schedules(candidate)
    return candidate if found else None


# --- snippets ---------------------------------------------------------------------------

def _marks(body: str, query: Query, width: int) -> tuple[list[tuple[int, int]], int]:
    """Spans to mark in `body`: each place the query's words stand together, in order, as one
    span; only where they never do, each query word on its own. And which span the snippet
    is taken around: the first phrase, else the place where most of the words are close."""
    found = [(m.span(), _fold_word(m.group())) for m in _WORD.finditer(body)]
    n = len(query.phrase)
    phrases = []
    for i in range(len(found) - n + 1):
        if all(found[i + k][1] == query.phrase[k] for k in range(n)):
            phrases.append((found[i][0][0], found[i + n - 1][0][1]))
    if phrases:
        return phrases, 0
    terms = set(query.folded)
    spans = [(span, word) for span, word in found if word in terms]
    reach = width * 2 // 3
    best = max(range(len(spans)), default=0, key=lambda i: (len({
        word for span, word in spans[i:] if span[0] < spans[i][0][0] + reach}), -i))
    return [span for span, _ in spans], best


def snippet(texts: list[str], query: Query, width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters around the first place the whole query stands (else where
    most of its words are close together), what matched in <mark>: a phrase as one mark, not
    its syllables one by one."""
    body = unicodedata.normalize("NFC", " ".join(" ".join(texts).split()))
    spans, around = _marks(body, query, width)
    first = spans[around] if spans else (0, 0)
    start = max(0, first[0] - width // 3)
    end = min(len(body), max(start + width, first[1]))
    if end == len(body):
        start = min(max(0, end - width), first[0])
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
    """Alembic hook: the FTS5 table and its shadow tables, and PostgreSQL's keys table, are
    not the models' business."""
    return not (type_ == "table" and name is not None
                and (name.startswith(FTS_TABLE) or name == KEYS_TABLE_NAME))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Alembic hook: leave the backend-specific search structures out of comparisons."""
    if type_ == "table" and name is not None and (name.startswith(FTS_TABLE)
                                                  or name == KEYS_TABLE_NAME):
        return False
    return not (type_ == "index" and name == "ix_articles_search_text_gin")
