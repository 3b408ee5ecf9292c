"""The newsroom list's search and filters: what the GET form asks for, checked, and the query
it makes. Every value lives in the URL, so a filtered list can be bookmarked and shared, and
the filters combine with each other and with the pages.

A value that cannot be read (a state that does not exist, a date that is not one) is a 400
with the reason in words, never a server error; a well-formed id of a section or unit that
does not exist simply finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, func, literal, select

from ..models import Article, ArticleStatus
from ..services.localtime import local_midnight_utc
from ..services.search import MAX_QUERY_CHARS, MAX_TERMS, folded_words

PER_PAGE = 30
MAX_PAGE = 100_000
FIRST_YEAR, LAST_YEAR = 1900, 2200  # (the range's ends stay dates a database can compare)
NAMES = ("q", "trang-thai", "chuyen-muc", "don-vi", "tu", "den", "trang")


@dataclass
class ListFilters:
    values: dict[str, str]  # as typed, to fill the form again
    errors: dict[str, str] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    status: ArticleStatus | None = None
    category_id: int | None = None
    unit_id: int | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        """Any filter chosen (the page number is not one)."""
        return any(self.values[name] for name in NAMES if name != "trang")

    def url_args(self, **changes: Any) -> dict[str, str]:
        """The filters as URL arguments (empty ones left out), for the pager's links."""
        args = {name: value for name, value in self.values.items() if value}
        args.update({k: str(v) for k, v in changes.items()})
        return args


def _whole_number(raw: str, largest: int) -> int | None:
    if raw.isascii() and raw.isdigit() and len(raw) <= 9 and 1 <= int(raw) <= largest:
        return int(raw)
    return None


def parse(args) -> ListFilters:
    values = {name: (args.get(name) or "").strip() for name in NAMES}
    found = ListFilters(values=values)
    errors = found.errors
    if len(values["q"]) > MAX_QUERY_CHARS:
        errors["q"] = _("Từ khóa quá dài (tối đa %(n)s ký tự).", n=MAX_QUERY_CHARS)
    else:
        # Folded as the titles are ("Hòa", "hoà" and "hoa" are one word): typed with or
        # without diacritics, a title's words are found.
        found.words = folded_words([values["q"]]).split()[:MAX_TERMS]
    if values["trang-thai"]:
        try:
            found.status = ArticleStatus(values["trang-thai"])
        except ValueError:
            errors["trang-thai"] = _("Trạng thái không hợp lệ.")
    for name, attr, message in (
            ("chuyen-muc", "category_id", _("Chuyên mục không hợp lệ.")),
            ("don-vi", "unit_id", _("Đơn vị không hợp lệ."))):
        if values[name]:
            number = _whole_number(values[name], 2**31 - 1)
            if number is None:
                errors[name] = message
            setattr(found, attr, number)
    for name, attr in (("tu", "since"), ("den", "until")):
        if values[name]:
            try:
                day = date.fromisoformat(values[name][:10])
            except ValueError:
                day = None
            if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
                errors[name] = _("Ngày không hợp lệ, hãy chọn ngày theo dạng năm-tháng-ngày.")
            else:
                setattr(found, attr, day)
    if found.since and found.until and found.since > found.until:
        errors["den"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
    if values["trang"]:
        page = _whole_number(values["trang"], MAX_PAGE)
        if page is None:
            errors["trang"] = _("Số trang không hợp lệ.")
        else:
            found.page = page
    return found


# The day an article belongs to: when it went live, or, not yet published, when it was begun.
ARTICLE_DAY = func.coalesce(Article.published_at, Article.created_at)


def query(filters: ListFilters, contributor: bool, unit_id: int | None) -> Select[Any]:
    """The articles the filters ask for, last edited first. A contributor sees their unit's
    articles only, whatever they filter — none at all without a unit."""
    stmt = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if contributor:
        stmt = stmt.where(Article.unit_id == unit_id) if unit_id is not None \
            else stmt.where(false())
    if filters.words:
        # Each word starts a word of the folded title: " tien do " holds "tien" and "do".
        spaced = literal(" ") + Article.search_title + literal(" ")
        stmt = stmt.where(and_(*(spaced.like(f"% {word}%") for word in filters.words)))
    if filters.status is not None:
        stmt = stmt.where(Article.status == filters.status)
    if filters.category_id is not None:
        stmt = stmt.where(Article.category_id == filters.category_id)
    if filters.unit_id is not None:
        stmt = stmt.where(Article.unit_id == filters.unit_id)
    if filters.since:  # from Vietnam's midnight starting the first day…
        stmt = stmt.where(ARTICLE_DAY >= local_midnight_utc(filters.since))
    if filters.until:  # …to the midnight after the last
        stmt = stmt.where(ARTICLE_DAY < local_midnight_utc(filters.until + timedelta(days=1)))
    return stmt
