"""Editor pages: the yearly statistics per unit (thống kê), as a page with charts drawn on the
server, and as CSV and XLSX files. Editors and admins see every unit; a contributor sees
only their own unit's figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..models import Role
from ..services import stats as service
from ..services.errors import BadInput
from . import bp
from .access import staff_required

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> object:
    """A cell as a spreadsheet must not run it (OWASP "CSV injection"): text that a spreadsheet
    would read as a formula gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The bar charts' geometry, in SVG user units (the SVG scales to the page's width).
CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH = 760, 270, 50
BAR_ROW, BAR_HEIGHT = 26, 18
MONTH_CHART_HEIGHT, MONTH_PLOT_TOP, MONTH_PLOT_BOTTOM = 230, 24, 196
MAX_LABEL_CHARS = 32


def _unit_scope() -> Collection[int] | None:
    """The units whose figures the user may see: all (None), or a contributor's own."""
    if current_user.role is not Role.contributor:
        return None
    if current_user.unit_id is None:
        abort(403)  # a contributor outside any unit has no figures of their own
    return [current_user.unit_id]


def _asked_year() -> int:
    """?nam=, this year when absent; a bad one is a 400 with the reason in Vietnamese."""
    raw = request.args.get("nam")
    if raw is None:
        return service.current_year()
    try:
        return service.parse_year(raw)
    except BadInput as exc:
        abort(Response(render_template("errors/error.html", code=400, message=str(exc)),
                       400, mimetype="text/html"))


def _stats() -> service.YearStats:
    return service.year_stats(_asked_year(), _unit_scope())


# --- charts ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    label: str      # possibly shortened; `title` is the whole name
    title: str
    value: int
    x: float
    y: float
    width: float
    height: float


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL_CHARS else name[:MAX_LABEL_CHARS - 1] + "…"


def unit_bars(stats: service.YearStats) -> list[Bar]:
    """Horizontal bars, one a unit, as long as its share of the largest total."""
    top = max((r.total for r in stats.rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return [Bar(label=_short(r.name), title=r.name, value=r.total, x=LABEL_WIDTH,
                y=i * BAR_ROW + 4, width=round(span * r.total / top, 1), height=BAR_HEIGHT)
            for i, r in enumerate(stats.rows)]


def month_bars(stats: service.YearStats) -> list[Bar]:
    """Columns, one a month, of the year's articles (the total row)."""
    top = max(stats.total.months) or 1
    slot = CHART_WIDTH / service.MONTHS
    plot = MONTH_PLOT_BOTTOM - MONTH_PLOT_TOP
    bars = []
    for i, value in enumerate(stats.total.months):
        height = round(plot * value / top, 1)
        bars.append(Bar(label=_("T%(month)s", month=i + 1), title=service.month_labels()[i],
                        value=value, x=round(i * slot + slot * 0.2, 1),
                        y=MONTH_PLOT_BOTTOM - height, width=round(slot * 0.6, 1),
                        height=height))
    return bars


# --- pages and files -------------------------------------------------------------------

@bp.get("/thong-ke")
@staff_required
def stats_page():
    stats = _stats()
    years = service.available_years()
    if stats.year not in years:
        years = sorted({*years, stats.year}, reverse=True)
    bars = unit_bars(stats)
    return render_template(
        "editor/stats.html", stats=stats, years=years, months=service.month_labels(),
        unit_bars=bars, unit_chart_height=len(bars) * BAR_ROW + 8,
        month_bars=month_bars(stats), chart_width=CHART_WIDTH, label_width=LABEL_WIDTH,
        month_chart_height=MONTH_CHART_HEIGHT, month_plot_bottom=MONTH_PLOT_BOTTOM,
        own_unit_only=current_user.role is Role.contributor)


def _download(body: bytes, mimetype: str, year: int, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="thong-ke-don-vi-{year}.{extension}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/thong-ke.csv")
@staff_required
def stats_csv():
    """UTF-8 with a byte order mark: Excel then reads the Vietnamese names right."""
    stats = _stats()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(cell) for cell in service.unit_header()])
    writer.writerows([spreadsheet_text(cell) for cell in row]
                     for row in service.unit_table(stats))
    return _download(out.getvalue().encode("utf-8-sig"), "text/csv", stats.year, "csv")


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[str | int]],
           first: bool = False) -> None:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:  # text is text: a name such as "=HYPERLINK(…)" is never a formula
            if isinstance(cell.value, str):
                cell.data_type = "s"
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for cell in sheet[sheet.max_row]:  # the total
        cell.font = bold
    sheet.freeze_panes = "B2"  # the header row and the unit names stay in view
    longest = max((len(str(r[0])) for r in rows), default=0)
    sheet.column_dimensions["A"].width = min(60, max(24, longest + 2))
    for index, name in enumerate(header[1:], start=2):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(name) + 2)


@bp.get("/thong-ke.xlsx")
@staff_required
def stats_xlsx():
    stats = _stats()
    book = Workbook()
    _sheet(book, _("Theo đơn vị"), service.unit_header(), service.unit_table(stats),
           first=True)
    _sheet(book, _("Theo chuyên mục"), service.section_header(stats),
           service.section_table(stats))
    out = io.BytesIO()
    book.save(out)
    return _download(out.getvalue(), XLSX_TYPE, stats.year, "xlsx")
