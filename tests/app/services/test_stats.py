"""Yearly statistics per unit: the figures, their order, the page, its CSV and XLSX files, the
JSON API, who sees what, and a constant number of queries however many units there are.

The seeded year (2024, in Vietnam time):

unit             articles (month, section, media)                            total audio video
Xã Hòa An        Jan 1 00:15 VN (Thời sự, audio+video ready),                  3     2     1
                 Mar (Thời sự, audio and video failed),
                 Dec 31 23:30 VN (Kinh tế, audio ready, briefing ready)
An Phú           Jun (Văn hóa xã hội), Jun (Thời sự, audio ready) + a draft    2     1     0
                 and a submitted article that do not count
Ánh Dương        Feb, Jul (Kinh tế; video ready on one)                        2     0     1
Bình Minh        Feb, Feb (Văn hóa xã hội)                                     2     0     0
Dân Vận, Đoàn Thanh niên, Em Hà   nothing                                      0     0     0
(no unit)        Apr (no section, audio ready)                                 1     1     0

and Xã Hòa An's article of 1 January 2025 00:30 Vietnam time (still 2024 in UTC).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from app.extensions import db
from app.models import (
    Article,
    ArticleStatus,
    Category,
    MediaAsset,
    MediaKind,
    MediaStatus,
    Role,
    Unit,
)
from app.services import stats as service

YEAR = 2024
READY, FAILED = MediaStatus.ready, MediaStatus.failed
ORDER = ["Xã Hòa An", "An Phú", "Ánh Dương", "Bình Minh", "Dân Vận", "Đoàn Thanh niên",
         "Em Hà", "Chưa rõ đơn vị"]
MONTHS_TOTAL = [1, 3, 1, 1, 0, 2, 1, 0, 0, 0, 0, 1]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def add_article(slug: str, unit: Unit | None, category: Category | None, when: datetime,
                status: ArticleStatus = ArticleStatus.published,
                media: dict[MediaKind, MediaStatus] | None = None) -> Article:
    article = Article(title=f"Bài {slug}", slug=slug, status=status, category=category,
                      unit=unit, published_at=when if status is ArticleStatus.published
                      else None)
    article.media = [MediaAsset(kind=kind, status=state)
                     for kind, state in (media or {}).items()]
    db.session.add(article)
    return article


@pytest.fixture
def seeded(app):
    """The year described at the top of this file."""
    names = {"Xã Hòa An": "xa-hoa-an", "An Phú": "an-phu", "Ánh Dương": "anh-duong",
             "Bình Minh": "binh-minh", "Dân Vận": "dan-van", "Đoàn Thanh niên": "doan-thanh-nien",
             "Em Hà": "em-ha"}
    units = {name: Unit(name=name, slug=slug) for name, slug in names.items()}
    news, economy, culture = (Category(name=n, slug=s) for n, s in (
        ("Thời sự", "thoi-su"), ("Kinh tế", "kinh-te"), ("Văn hóa xã hội", "van-hoa-xa-hoi")))
    db.session.add_all([*units.values(), news, economy, culture])
    hoa_an, an_phu, anh_duong, binh_minh = (units[n] for n in ORDER[:4])
    add_article("hoa-an-1", hoa_an, news, utc(2023, 12, 31, 17, 15),  # 1 Jan 00:15 in VN
                media={MediaKind.audio: READY, MediaKind.video: READY})
    add_article("hoa-an-2", hoa_an, news, utc(2024, 3, 15, 3),
                media={MediaKind.audio: FAILED, MediaKind.video: FAILED})
    add_article("hoa-an-3", hoa_an, economy, utc(2024, 12, 31, 16, 30),  # 31 Dec 23:30 in VN
                media={MediaKind.audio: READY, MediaKind.briefing: READY})
    add_article("hoa-an-4", hoa_an, news, utc(2024, 12, 31, 17, 30))  # 1 Jan 2025 in VN
    add_article("an-phu-1", an_phu, culture, utc(2024, 6, 10, 2))
    add_article("an-phu-2", an_phu, news, utc(2024, 6, 20, 2), media={MediaKind.audio: READY})
    add_article("an-phu-nhap", an_phu, news, utc(2024, 6, 21), status=ArticleStatus.draft)
    add_article("an-phu-gui", an_phu, news, utc(2024, 6, 22), status=ArticleStatus.submitted)
    add_article("anh-duong-1", anh_duong, economy, utc(2024, 2, 5, 9),
                media={MediaKind.video: READY})
    add_article("anh-duong-2", anh_duong, economy, utc(2024, 7, 5, 9),
                media={MediaKind.video: FAILED})
    add_article("binh-minh-1", binh_minh, culture, utc(2024, 2, 6))
    add_article("binh-minh-2", binh_minh, culture, utc(2024, 2, 7))
    add_article("khong-don-vi", None, None, utc(2024, 4, 1), media={MediaKind.audio: READY})
    db.session.commit()
    return units


class Tables(HTMLParser):
    """The rows of each <table id=…> on a page: [header cell, data cells…] as text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.current = dict(attrs).get("id", "")
            self.tables[self.current] = []
        elif tag == "tr" and self.current is not None:
            self.tables[self.current].append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.current is not None:
            self.tables[self.current][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def figures(row: service.Row) -> list[object]:
    return [row.name, row.total, row.with_audio, row.with_video, *row.months]


# --- the service ------------------------------------------------------------------------

def test_year_figures_per_unit_in_vietnam_time(seeded):
    stats = service.year_stats(YEAR)
    assert [figures(r) for r in stats.rows] == [
        ["Xã Hòa An", 3, 2, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ["An Phú", 2, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0],
        ["Ánh Dương", 2, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
        ["Bình Minh", 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ["Dân Vận", 0, 0, 0, *[0] * 12],
        ["Đoàn Thanh niên", 0, 0, 0, *[0] * 12],
        ["Em Hà", 0, 0, 0, *[0] * 12],
        ["Chưa rõ đơn vị", 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    ]
    assert figures(stats.total) == ["Tổng cộng", 10, 4, 2, *MONTHS_TOTAL]
    # Three sections tie at 3: Vietnamese order; articles without a section come last.
    assert stats.section_names == ["Kinh tế", "Thời sự", "Văn hóa xã hội", "Chưa rõ chuyên mục"]
    assert stats.section_counts(stats.rows[0]) == [1, 2, 0, 0]
    assert stats.section_counts(stats.rows[-1]) == [0, 0, 0, 1]
    assert stats.section_counts(stats.total) == [3, 3, 3, 1]


def test_the_next_year_starts_at_midnight_in_vietnam(seeded):
    stats = service.year_stats(YEAR + 1)
    assert stats.rows[0].name == "Xã Hòa An" and stats.rows[0].months[0] == 1
    assert stats.total.total == 1  # only the article of 1 January 00:30 Vietnam time


def test_vietnamese_order_folds_tones_and_keeps_letters_apart():
    names = ["Em", "Đông", "Dương", "Bình", "Ánh", "Anh", "Âu", "Ăn", "An", "Ơn", "Ôn", "On"]
    assert sorted(names, key=service.vietnamese_key) == [
        "An", "Anh", "Ánh", "Ăn", "Âu", "Bình", "Dương", "Đông", "Em", "On", "Ôn", "Ơn"]


def test_years_offered_start_at_the_first_local_publication_year(seeded, login):
    page = login("bientap", Role.editor).get("/bien-tap/thong-ke").get_data(as_text=True)
    this_year = service.current_year()
    assert f"Thống kê bài viết năm {this_year}" in page
    assert f'<option value="{YEAR}">' in page and f'<option value="{this_year}" selected>' in page
    # The first article is 31 Dec 2023 in UTC but 1 Jan 2024 in Vietnam.
    assert f'<option value="{YEAR - 1}"' not in page


# --- the page -----------------------------------------------------------------------------

def test_editor_page_shows_every_unit_the_sections_and_the_charts(seeded, login):
    response = login("bientap", Role.editor).get(f"/bien-tap/thong-ke?nam={YEAR}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tables = Tables(html).tables
    units = tables["bang-don-vi"]
    assert units[0][:4] == ["Đơn vị", "Tổng số bài", "Có bản nghe", "Có video"]
    stats = service.year_stats(YEAR)
    assert units[1:] == [[str(x) for x in figures(r)] for r in [*stats.rows, stats.total]]
    sections = tables["bang-chuyen-muc"]
    assert sections[0] == ["Đơn vị", "Kinh tế", "Thời sự", "Văn hóa xã hội",
                           "Chưa rõ chuyên mục", "Tổng số bài"]
    assert sections[1] == ["Xã Hòa An", "1", "2", "0", "0", "3"]
    assert sections[-1] == ["Tổng cộng", "3", "3", "3", "1", "10"]
    # Server-drawn charts, named for screen readers, one bar per unit and per month.
    assert html.count('<svg viewBox=') == 2 and 'role="img"' in html
    assert "Biểu đồ số bài đã xuất bản theo đơn vị, năm 2024" in html
    assert '<title>Xã Hòa An: 3</title>' in html and '<title>Tháng 2: 3</title>' in html
    assert "<script" not in html.split('id="noi-dung"')[1].split("</main>")[0]


@pytest.mark.parametrize("year", ["abc", "1999", "20240", "２０２４", ""])
def test_a_bad_year_is_a_400_in_vietnamese(seeded, login, year):
    client = login("bientap", Role.editor)
    response = client.get(f"/bien-tap/thong-ke?nam={year}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Năm thống kê" in html or "Chỉ có số liệu từ năm 2000" in html \
        or "Vui lòng chọn năm" in html
    for export in ("csv", "xlsx"):
        assert client.get(f"/bien-tap/thong-ke.{export}?nam={year}").status_code == 400


def test_the_year_after_next_is_refused(seeded, login):
    response = login("bientap", Role.editor).get(
        f"/bien-tap/thong-ke?nam={service.current_year() + 2}")
    assert response.status_code == 400
    assert "Chỉ có số liệu từ năm 2000 đến năm" in response.get_data(as_text=True)


def test_contributor_sees_only_their_own_unit(seeded, login):
    client = login("congtacvien", Role.contributor, unit=seeded["An Phú"])
    response = client.get(f"/bien-tap/thong-ke?nam={YEAR}")
    assert response.status_code == 200
    units = Tables(response.get_data(as_text=True)).tables["bang-don-vi"]
    assert [row[0] for row in units[1:]] == ["An Phú", "Tổng cộng"]
    assert units[1][1:4] == ["2", "1", "0"] and units[2][1] == "2"
    rows = list(csv.reader(io.StringIO(
        client.get(f"/bien-tap/thong-ke.csv?nam={YEAR}").data.decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["Đơn vị", "An Phú", "Tổng cộng"]


def test_contributor_without_unit_and_strangers_are_refused(seeded, login, client):
    assert client.get("/bien-tap/thong-ke").status_code == 302  # to the login page
    assert client.get("/bien-tap/thong-ke.csv").status_code == 302
    lone = login("motminh", Role.contributor)
    assert lone.get("/bien-tap/thong-ke").status_code == 403


def test_staff_bar_links_to_the_statistics_for_editors(seeded, login):
    html = login("bientap", Role.editor).get("/bien-tap/").get_data(as_text=True)
    assert 'href="/bien-tap/thong-ke"' in html and 'href="/bien-tap/nhat-ky"' not in html


# --- the files ---------------------------------------------------------------------------

def test_csv_has_a_bom_a_vietnamese_header_and_the_service_figures(seeded, login):
    response = login("bientap", Role.editor).get(f"/bien-tap/thong-ke.csv?nam={YEAR}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="thong-ke-don-vi-2024.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Đơn vị", "Tổng số bài", "Có bản nghe", "Có video",
                       *[f"Tháng {m}" for m in range(1, 13)]]
    stats = service.year_stats(YEAR)
    assert rows[1:] == [[str(x) for x in figures(r)] for r in [*stats.rows, stats.total]]
    assert rows[-1] == ["Tổng cộng", "10", "4", "2", *map(str, MONTHS_TOTAL)]


def test_xlsx_has_both_sheets_bold_frozen_headers_and_the_figures(seeded, login):
    response = login("bientap", Role.editor).get(f"/bien-tap/thong-ke.xlsx?nam={YEAR}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="thong-ke-don-vi-2024.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Theo đơn vị", "Theo chuyên mục"]
    units = book["Theo đơn vị"]
    assert units["A1"].value == "Đơn vị" and units["P1"].value == "Tháng 12"
    assert units["A1"].font.bold and units["E1"].font.bold
    assert units.freeze_panes == "B2" and units.column_dimensions["A"].width >= 24
    cells = [[c.value for c in row] for row in units.iter_rows(min_row=2)]
    assert cells[0] == ["Xã Hòa An", 3, 2, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert [row[0] for row in cells] == [*ORDER, "Tổng cộng"]
    assert cells[-1] == ["Tổng cộng", 10, 4, 2, *MONTHS_TOTAL]
    sections = book["Theo chuyên mục"]
    assert [c.value for c in sections[1]] == ["Đơn vị", "Kinh tế", "Thời sự", "Văn hóa xã hội",
                                              "Chưa rõ chuyên mục", "Tổng số bài"]
    assert [c.value for c in sections[2]] == ["Xã Hòa An", 1, 2, 0, 0, 3]
    assert sections.freeze_panes == "B2"


# --- the API ------------------------------------------------------------------------------

def test_api_gives_the_page_figures_as_json(seeded, login, client):
    response = client.get(f"/api/v1/stats/units?year={YEAR}")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"] \
        and "max-age=300" in response.headers["Cache-Control"]
    data = response.get_json()
    assert data["year"] == YEAR
    page = Tables(login("bientap", Role.editor).get(f"/bien-tap/thong-ke?nam={YEAR}")
                  .get_data(as_text=True)).tables["bang-don-vi"]
    as_cells = [[u["unit"], u["total"], u["with_audio"], u["with_video"], *u["months"]]
                for u in [*data["units"], data["total"]]]
    assert [[str(x) for x in row] for row in as_cells] == page[1:]
    first = data["units"][0]
    assert first["slug"] == "xa-hoa-an"
    assert first["sections"] == {"Kinh tế": 1, "Thời sự": 2, "Văn hóa xã hội": 0,
                                 "Chưa rõ chuyên mục": 0}
    assert data["units"][-1]["unit"] == "Chưa rõ đơn vị" and data["units"][-1]["slug"] is None
    assert data["total"]["total"] == 10 and data["total"]["months"] == MONTHS_TOTAL


@pytest.mark.parametrize("query", ["", "?year=", "?year=hai-nghin", "?year=1999", "?year=3000"])
def test_api_refuses_a_missing_or_bad_year_in_vietnamese(app, client, query):
    response = client.get(f"/api/v1/stats/units{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "năm" in error.lower()


# --- cost -----------------------------------------------------------------------------------

def add_units(start: int, count: int, category: Category) -> None:
    """`count` more units, each with two published articles holding audio and video."""
    for n in range(start, start + count):
        unit = Unit(name=f"Phường {n}", slug=f"phuong-{n}")
        for i in range(2):
            add_article(f"phuong-{n}-{i}", unit, category, utc(YEAR, 1 + n % 12, 3, 4),
                        media={MediaKind.audio: READY, MediaKind.video: READY})
    db.session.commit()


def test_statistics_cost_the_same_queries_however_many_units(app, login):
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    category = Category(name="Thời sự", slug="thoi-su")
    db.session.add(category)
    add_units(0, 2, category)
    client = login("bientap", Role.editor)

    def count(fetch) -> tuple[int, int]:
        db.session.remove()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            result = fetch()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements), result

    def service_total() -> int:
        return service.year_stats(YEAR).total.total

    def page() -> int:
        return client.get(f"/bien-tap/thong-ke?nam={YEAR}").status_code

    small = count(service_total), count(page)
    add_units(2, 30, category)
    large = count(service_total), count(page)
    assert small[0][1] == 4 and large[0][1] == 64 and large[1][1] == 200
    assert small[0][0] == large[0][0] <= 3  # units, sections, the year's articles
    assert small[1][0] == large[1][0]
