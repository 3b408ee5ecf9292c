"""/tim-kiem: one search box over articles, documents and work schedules."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Category
from ..services import search as search_service
from . import bp
from .views import _page_arg

# ?loai= values: what the reader wants to find.
KINDS = {"bai-viet": "articles", "van-ban": "documents", "lich-cong-tac": "schedules"}
GROUP_PREVIEW = 5  # documents and schedule entries shown beside the articles when no type is set


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


@bp.get("/tim-kiem")
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
    tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])  # dates as readers in Vietnam say them
    since = datetime.combine(since_day, time(0), tz) if since_day else None
    until = datetime.combine(until_day + timedelta(days=1), time(0), tz) if until_day else None

    # Sections belong to articles: with a section filter only articles are searched.
    results = search_service.search(raw, category_id=category.id if category else None,
                                    since=since, until=until)
    documents = [] if category else search_service.search_documents(raw, since_day, until_day)
    schedules = [] if category else search_service.search_schedules(raw, since, until)
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    listed: list[Any] = {"documents": documents, "schedules": schedules}.get(
        KINDS.get(kind, ""), results.hits)
    shown, page, pages = _paged(listed, per_page)
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
        page=page, pages=pages, per_page=per_page, args=args, tab_args=tab_args, sections=sections,
        category=category, since=since_day, until=until_day, notes=notes)
