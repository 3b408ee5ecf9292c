"""Yearly statistics: published articles per unit — in all, per month, with a narration, with
an uploaded video, and per section — for the year-end review and its exports.

A year is a year in DISPLAY_TIMEZONE: an article published at 23:30 on 31 December in Vietnam
(16:30 UTC) counts in that year. The year's articles are read in one query, five small
columns a row (a province publishes at most tens of thousands a year), and counted here in
Python, the same on SQLite and PostgreSQL: months are taken in local time without any
backend's date functions. Units and sections are two more queries, however many there are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Article, ArticleStatus, Category, MediaAsset, MediaKind, MediaStatus, Unit
from .errors import BadInput
from .localtime import display_tz, local_midnight_utc

MIN_YEAR = 2000  # the portal holds nothing older; earlier years are typing mistakes
MONTHS = 12


# --- Vietnamese order -------------------------------------------------------------------

# The letter's own marks (ă, â ê ô, ơ ư) make new letters of the alphabet, placed after the
# plain one; tone marks only break ties, in dictionary order: ngang, huyền, hỏi, ngã, sắc,
# nặng. đ is its own letter after d.
_SHAPES = {"\u0306": 1, "\u0302": 2, "\u031b": 3}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text: str) -> tuple[list[tuple[str, int]], list[int], str]:
    """Sort key for Vietnamese names: "An Phú" < "Ánh Dương" < "Bình" < "Dân" < "Đoàn"."""
    letters: list[tuple[str, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text or "").lower():
        if char == "đ":
            letters.append(("d", 1))
            tones.append(0)
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        letters.append((base, max((_SHAPES.get(m, 0) for m in marks), default=0)))
        tones.append(max((_TONES.get(m, 0) for m in marks), default=0))
    return letters, tones, text


# --- the figures --------------------------------------------------------------------------

@dataclass
class Row:
    """One unit's figures for the year (or the articles without a unit, or the grand total)."""

    name: str
    slug: str | None = None  # None: not a real unit
    unit_id: int | None = None
    total: int = 0
    with_audio: int = 0
    with_video: int = 0
    months: list[int] = field(default_factory=lambda: [0] * MONTHS)
    sections: dict[str, int] = field(default_factory=dict)  # section name → articles

    def add(self, month: int, section: str, has_audio: bool, has_video: bool) -> None:
        self.total += 1
        self.with_audio += has_audio
        self.with_video += has_video
        self.months[month - 1] += 1
        self.sections[section] = self.sections.get(section, 0) + 1


@dataclass
class YearStats:
    year: int
    rows: list[Row]        # units, most articles first; then the articles without a unit
    total: Row
    section_names: list[str]  # sections with articles this year, most first

    def section_counts(self, row: Row) -> list[int]:
        """The row's articles per section, in `section_names` order."""
        return [row.sections.get(name, 0) for name in self.section_names]


def current_year() -> int:
    return datetime.now(display_tz()).year


def parse_year(raw: str | None) -> int:
    """The year asked for, from MIN_YEAR to next year; BadInput (in Vietnamese) otherwise."""
    text = (raw or "").strip()
    if not text:
        raise BadInput(_("Vui lòng chọn năm thống kê."))
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise BadInput(_("Năm thống kê phải là một số, ví dụ %(year)s.", year=current_year()))
    year = int(text)
    if not MIN_YEAR <= year <= current_year() + 1:
        raise BadInput(_("Chỉ có số liệu từ năm %(first)s đến năm %(last)s.",
                           first=MIN_YEAR, last=current_year() + 1))
    return year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """From local midnight on 1 January to local midnight on the next 1 January, in UTC."""
    return local_midnight_utc(date(year, 1, 1)), local_midnight_utc(date(year + 1, 1, 1))


def available_years() -> list[int]:
    """From the year of the first published article to this year, newest first."""
    first = db.session.scalar(select(func.min(Article.published_at))
                              .where(Article.status == ArticleStatus.published))
    last = current_year()
    start = min(first.astimezone(display_tz()).year, last) if first else last
    return list(range(last, max(start, MIN_YEAR) - 1, -1))


def _ready(kind: MediaKind):
    return select(MediaAsset.article_id).where(MediaAsset.kind == kind,
                                               MediaAsset.status == MediaStatus.ready)


def _published_rows(year: int, unit_ids: Collection[int] | None):
    """(unit_id, category_id, published_at, has_audio, has_video) of the year's articles."""
    start, end = year_bounds(year)
    query = (select(Article.unit_id, Article.category_id, Article.published_at,
                    Article.id.in_(_ready(MediaKind.audio)),
                    Article.id.in_(_ready(MediaKind.video)))
             .where(Article.status == ArticleStatus.published,
                    Article.published_at >= start, Article.published_at < end))
    if unit_ids is not None:
        query = query.where(Article.unit_id.in_(list(unit_ids)))
    return db.session.execute(query)


def year_stats(year: int, unit_ids: Collection[int] | None = None) -> YearStats:
    """The year's figures for every unit (zeros included), or only for `unit_ids`."""
    units = select(Unit.id, Unit.name, Unit.slug)
    if unit_ids is not None:
        units = units.where(Unit.id.in_(list(unit_ids)))
    rows: dict[int | None, Row] = {
        uid: Row(name=name, slug=slug, unit_id=uid)
        for uid, name, slug in db.session.execute(units)}
    sections = dict(db.session.execute(select(Category.id, Category.name)).tuples().all())
    no_unit = Row(name=_("Chưa rõ đơn vị"))
    no_section = _("Chưa rõ chuyên mục")
    total = Row(name=_("Tổng cộng"))
    tz = display_tz()
    for unit_id, category_id, published_at, has_audio, has_video in \
            _published_rows(year, unit_ids):
        month = published_at.astimezone(tz).month
        section = sections.get(category_id, no_section)
        audio, video = bool(has_audio), bool(has_video)
        rows.get(unit_id, no_unit).add(month, section, audio, video)
        total.add(month, section, audio, video)
    ordered = sorted(rows.values(), key=lambda r: (-r.total, vietnamese_key(r.name)))
    if no_unit.total:
        ordered.append(no_unit)  # not a unit: last, whatever its count
    return YearStats(year=year, rows=ordered, total=total,
                     section_names=_by_count(total.sections, no_section))


def _by_count(counts: dict[str, int], last: str) -> list[str]:
    """Names most counted first, ties in Vietnamese order; `last` (no section) at the end."""
    names = sorted((n for n in counts if n != last),
                   key=lambda n: (-counts[n], vietnamese_key(n)))
    return names + ([last] if last in counts else [])


# --- the same figures for exports and the API ---------------------------------------------

def month_labels() -> list[str]:
    return [_("Tháng %(month)s", month=m) for m in range(1, MONTHS + 1)]


def unit_header() -> list[str]:
    return [_("Đơn vị"), _("Tổng số bài"), _("Có bản nghe"), _("Có video"), *month_labels()]


def unit_table(stats: YearStats) -> list[list[str | int]]:
    """One line per unit then the total: what the CSV and the first XLSX sheet hold."""
    return [[row.name, row.total, row.with_audio, row.with_video, *row.months]
            for row in [*stats.rows, stats.total]]


def section_header(stats: YearStats) -> list[str]:
    return [_("Đơn vị"), *stats.section_names, _("Tổng số bài")]


def section_table(stats: YearStats) -> list[list[str | int]]:
    return [[row.name, *stats.section_counts(row), row.total]
            for row in [*stats.rows, stats.total]]


def row_json(stats: YearStats, row: Row) -> dict[str, object]:
    return {"unit": row.name, "slug": row.slug, "total": row.total,
            "with_audio": row.with_audio, "with_video": row.with_video,
            "months": list(row.months),
            "sections": dict(zip(stats.section_names, stats.section_counts(row), strict=True))}


def as_json(stats: YearStats) -> dict[str, object]:
    return {"year": stats.year, "units": [row_json(stats, r) for r in stats.rows],
            "total": row_json(stats, stats.total), "sections": stats.section_names}

