"""/tim-kiem: one search box over articles, documents and work schedules."""

from __future__ import annotations

import logging
import math
import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import select

from ..extensions import db
from ..http_page_cache import cached_page, page_number_only
from ..models import Category
from ..services import search as search_service
from ..services.infra import redis_conn
from ..services.localtime import display_tz
from . import bp
from .views import _page_arg

log = logging.getLogger(__name__)

# ?loai= values: what the reader wants to find.
KINDS = {"bai-viet": "articles", "van-ban": "documents", "lich-cong-tac": "schedules"}
GROUP_PREVIEW = 5  # documents and schedule entries shown beside the articles when no type is set
# Search pages the page cache may hold: at most this many new ones per PAGE_CACHE_TTL, so
# readers repeating a popular query are served from Redis but random queries cannot fill it.
HOT_SEARCHES = 300
HOT_KEY = "docnghexem:search:hot"


def _search_args() -> dict[str, str]:
    """The query arguments the page depends on, trimmed exactly as the view trims them."""
    args = {"q": request.args.get("q", "")[:search_service.MAX_QUERY_CHARS].strip(),
            "loai": request.args.get("loai", "").strip()[:20],
            "chuyen-muc": request.args.get("chuyen-muc", "").strip()[:140],
            "tu": request.args.get("tu", "").strip()[:20],
            "den": request.args.get("den", "").strip()[:20],
            **(page_number_only() or {})}
    return {k: v for k, v in args.items() if v}


def _hot_search() -> dict[str, str] | None:
    """Page-cache variant of /tim-kiem: its arguments while this window still admits new
    searches (or already holds this one), else None — rendered, not stored."""
    args = _search_args()
    ttl = current_app.config["PAGE_CACHE_TTL"]
    admitted = f"{HOT_KEY}:{int(clock.time() // ttl)}"
    member = urlencode(sorted(args.items()))
    try:
        pipe = redis_conn().pipeline(transaction=True)
        pipe.sadd(admitted, member)
        pipe.scard(admitted)
        pipe.expire(admitted, 2 * ttl)
        added, count, _expire = pipe.execute()
        if added and count > HOT_SEARCHES:
            redis_conn().srem(admitted, member)
            return None
    except RedisError as exc:
        log.warning("search page cache unavailable: %s", exc)
        return None
    return args


def _date_arg(name: str, label: str, notes: list[str]) -> date | None:
    value = request.args.get(name, "").strip()[:20]
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        notes.append(_("Ngày “%(value)s” ở ô %(label)s không hợp lệ (cần dạng năm-tháng-ngày), "
                       "nên đã bỏ qua.", value=value, label=label))
        return None


def _paged(items: list[Any], per_page: int) -> tuple[list[Any], int, int]:
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(_page_arg(), pages)
    return items[(page - 1) * per_page:page * per_page], page, pages


def _search_url(args: dict[str, Any]) -> str:
    return url_for("public.search", **args)


@bp.get("/tim-kiem")
# Any article change may change any search ("home" is on every article's tags), and the
# documents and schedules found beside them have tags of their own.
@cached_page("home", "documents", "schedules", variant=_hot_search)
def search() -> str:
    """Reader search, with or without Vietnamese diacritics, by type, section and date."""
    raw = request.args.get("q", "")[:search_service.MAX_QUERY_CHARS].strip()
    notes: list[str] = []
    kind = request.args.get("loai", "").strip()[:20]
    if kind not in KINDS:
        kind = ""
    sections = list(db.session.scalars(select(Category).order_by(Category.position,
                                                                 Category.name)))
    slug = request.args.get("chuyen-muc", "").strip()[:140]
    category = next((c for c in sections if c.slug == slug), None)
    if slug and category is None:
        notes.append(_("Không có chuyên mục này, nên đã tìm trong mọi chuyên mục."))
    since_day = _date_arg("tu", _("“Từ ngày”"), notes)
    until_day = _date_arg("den", _("“Đến ngày”"), notes)
    if since_day and until_day and since_day > until_day:
        notes.append(_("“Từ ngày” đứng sau “Đến ngày”, nên đã đổi chỗ hai ngày."))
        since_day, until_day = until_day, since_day
    since_day = since_day if since_day and since_day > date.min else None
    until_day = until_day if until_day and until_day < date.max else None
    tz = display_tz()  # dates as readers in Vietnam say them
    since = datetime.combine(since_day, time(0), tz) if since_day else None
    until = datetime.combine(until_day + timedelta(days=1), time(0), tz) if until_day else None

    # Sections belong to articles: with a section filter only articles are searched.
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    documents = [] if category else search_service.search_documents(raw, since_day, until_day)
    schedules = [] if category else search_service.search_schedules(raw, since, until)
    if KINDS.get(kind) in ("documents", "schedules"):
        results = search_service.search(raw, category.id if category else None, since, until,
                                        page=1, per_page=0)
        listed: list[Any] = documents if KINDS[kind] == "documents" else schedules
        shown, page, pages = _paged(listed, per_page)
    else:  # the database ranks every match and returns the page asked for
        page = _page_arg()
        results = search_service.search(raw, category.id if category else None, since, until,
                                        page=page, per_page=per_page)
        pages = max(1, math.ceil(results.total / per_page))
        if page > pages:
            page = pages
            results = search_service.search(raw, category.id if category else None, since,
                                            until, page=page, per_page=per_page)
        shown = search_service.prepare(results.hits)  # full rows and snippets for this page
    total_found = results.total + len(documents) + len(schedules)
    suggestion = search_service.suggest(raw) if raw and not total_found else None
    args = {"q": raw, "loai": kind, "chuyen-muc": category.slug if category else None,
            "tu": since_day.isoformat() if since_day else None,
            "den": until_day.isoformat() if until_day else None}
    args = {k: v for k, v in args.items() if v}
    tab_args = {k: v for k, v in args.items() if k != "loai"}
    return render_template(
        "public/search.html", q=raw, query=search_service.parse_query(raw), kind=kind,
        hits=shown if kind in ("", "bai-viet") else [],
        documents=shown if kind == "van-ban" else documents[:GROUP_PREVIEW],
        schedules=shown if kind == "lich-cong-tac" else schedules[:GROUP_PREVIEW],
        totals={"bai-viet": results.total, "van-ban": len(documents),
                "lich-cong-tac": len(schedules)},
        partial_from=results.complete, suggestion=suggestion,
        suggestion_url=_search_url({**tab_args, "q": suggestion}) if suggestion else None,
        # a query naming a document by its number shows the documents above the articles
        documents_first=bool(documents) and documents[0].rank[0] == 1,
        unfiltered=bool(category or since_day or until_day or kind),
        page=page, pages=pages, per_page=per_page, args=args, tab_args=tab_args, sections=sections,
        category=category, since=since_day, until=until_day, notes=notes)
