"""Work schedules: the week page, its zone boundaries, the host filter, the iCal export,
the editors' form and the demo seed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, ScheduleEntry, Unit
from app.services import schedules as service
from tests.conftest import csrf_token

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 1, 5)  # a Monday; its week runs to Sunday 11/01/2026


def add_entry(starts: datetime, content: str, unit: Unit | None = None, published=True,
              ends: datetime | None = None, **fields) -> ScheduleEntry:
    entry = ScheduleEntry(starts_at=starts, ends_at=ends, content=content, unit=unit,
                          published=published, **fields)
    db.session.add(entry)
    db.session.commit()
    return entry


def unit(name="Ban Tuyên giáo và Dân vận Tỉnh ủy", slug="ban-tuyen-giao") -> Unit:
    row = Unit(name=name, slug=slug)
    db.session.add(row)
    db.session.commit()
    return row


def day_block(html: str, day: date) -> str:
    """The part of the week page under one day's heading."""
    start = html.index(f'id="day-{day.isoformat()}"')
    end = html.find('<tbody class="sched-day', start)
    return html[start:end if end != -1 else len(html)]


def this_monday() -> date:
    return service.week_start(datetime.now(VN).date())


def week_heading(monday: date) -> str:
    return (f"Lịch công tác tuần từ {monday:%d/%m/%Y} đến "
            f"{monday + timedelta(days=6):%d/%m/%Y}")


def test_an_entry_typed_at_0730_shows_under_its_monday_and_is_stored_in_utc(login, client):
    editor = login("bientap", role=Role.editor)
    response = editor.post("/bien-tap/lich-cong-tac", data={
        "csrf_token": csrf_token(editor, "/bien-tap/lich-cong-tac"), "ngay": "2026-01-05",
        "bat_dau": "07:30", "ket_thuc": "09:00", "noi_dung": "Giao ban Thường trực đầu tuần",
        "dia_diem": "Phòng họp số 1", "thanh_phan": "Thường trực Tỉnh ủy", "don_vi": "",
        "hien_thi": "on"})
    assert response.status_code == 303
    assert "tuan=2026-01-05" in response.headers["Location"]
    entry = db.session.scalar(select(ScheduleEntry))
    assert entry.starts_at == datetime(2026, 1, 5, 0, 30, tzinfo=UTC)
    assert entry.ends_at == datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert entry.search_text == "giao ban thuong truc dau tuan phong hop so 1 thuong truc " \
        "tinh uy thuong truc tinh uy"

    html = client.get("/lich-cong-tac/?tuan=2026-01-07").get_data(as_text=True)
    assert week_heading(MONDAY) in html
    monday = day_block(html, MONDAY)
    assert "Thứ Hai, 05/01" in monday and "07:30 – 09:00" in monday
    assert "Giao ban Thường trực đầu tuần" in monday and "Thường trực Tỉnh ủy" in monday
    assert "Giao ban" not in day_block(html, MONDAY + timedelta(days=1))
    assert "Không có lịch." in day_block(html, MONDAY + timedelta(days=1))


def test_week_links_point_to_the_previous_this_and_next_week(client, app):
    html = client.get("/lich-cong-tac/?tuan=2026-01-11").get_data(as_text=True)  # a Sunday
    assert week_heading(MONDAY) in html
    assert 'href="/lich-cong-tac/?tuan=2025-12-29" rel="prev">← Tuần trước' in html
    assert 'href="/lich-cong-tac/?tuan=2026-01-12" rel="next">Tuần sau →' in html
    assert 'href="/lich-cong-tac/">Tuần này' in html
    following = client.get("/lich-cong-tac/?tuan=2026-01-12").get_data(as_text=True)
    assert week_heading(date(2026, 1, 12)) in following


def test_the_week_ends_at_midnight_vietnam_time_not_utc(client, app):
    """23:30 Sunday in Vietnam is 16:30 UTC; 00:15 Monday is still Sunday in UTC."""
    add_entry(datetime(2026, 1, 11, 23, 30, tzinfo=VN), "Trực Tết cuối tuần")
    add_entry(datetime(2026, 1, 12, 0, 15, tzinfo=VN), "Khai mạc tuần mới")
    week = client.get("/lich-cong-tac/?tuan=2026-01-05").get_data(as_text=True)
    sunday = day_block(week, date(2026, 1, 11))
    assert "Chủ nhật, 11/01" in sunday and "23:30" in sunday and "Trực Tết cuối tuần" in sunday
    assert "Khai mạc tuần mới" not in week
    following = client.get("/lich-cong-tac/?tuan=2026-01-12").get_data(as_text=True)
    assert "Trực Tết cuối tuần" not in following
    assert "00:15" in day_block(following, date(2026, 1, 12))


def test_the_host_filter_shows_one_host_and_ignores_unknown_ones(client, app):
    board = unit()
    add_entry(datetime(2026, 1, 6, 8, 0, tzinfo=VN), "Họp Thường trực về kế hoạch năm")
    add_entry(datetime(2026, 1, 7, 14, 0, tzinfo=VN), "Họp Ban Chỉ đạo tuyên truyền",
              unit=board)
    standing = client.get("/lich-cong-tac/?tuan=2026-01-05&don-vi=thuong-truc")
    text = standing.get_data(as_text=True)
    assert "Họp Thường trực về kế hoạch năm" in text
    assert "Họp Ban Chỉ đạo tuyên truyền" not in text
    assert '<option value="thuong-truc" selected>' in text
    assert 'href="/lich-cong-tac/?tuan=2026-01-12&amp;don-vi=thuong-truc"' in text
    assert 'href="/lich-cong-tac.ics?don-vi=thuong-truc"' in text

    text = client.get("/lich-cong-tac/?tuan=2026-01-05&don-vi=ban-tuyen-giao") \
        .get_data(as_text=True)
    assert "Họp Ban Chỉ đạo tuyên truyền" in text and "kế hoạch năm" not in text

    unknown = client.get("/lich-cong-tac/?tuan=2026-01-05&don-vi=khong-co-don-vi-nay")
    assert unknown.status_code == 200
    text = unknown.get_data(as_text=True)
    assert "Không có đơn vị này" in text
    assert "kế hoạch năm" in text and "Ban Chỉ đạo tuyên truyền" in text
    assert client.get("/lich-cong-tac.ics?don-vi=khong-co-don-vi-nay").status_code == 404


def test_unpublished_entries_appear_neither_on_the_page_nor_in_the_ics(client, app):
    add_entry(datetime(2026, 1, 8, 9, 0, tzinfo=VN), "Lịch đã công bố")
    add_entry(datetime(2026, 1, 8, 10, 0, tzinfo=VN), "Lịch nháp chưa công bố",
              published=False)
    html = client.get("/lich-cong-tac/?tuan=2026-01-05").get_data(as_text=True)
    assert "Lịch đã công bố" in html and "Lịch nháp" not in html
    ics = client.get("/lich-cong-tac.ics?tuan=2026-01-05")
    events = Calendar.from_ical(ics.data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Lịch đã công bố"]


def test_the_ics_parses_with_diacritics_utc_times_and_stable_uids(client, app):
    board = unit()
    first = add_entry(datetime(2026, 1, 5, 7, 30, tzinfo=VN), "Hội nghị Ban Thường vụ Tỉnh ủy",
                      ends=datetime(2026, 1, 5, 11, 30, tzinfo=VN), place="Hội trường Tỉnh ủy",
                      participants="Ủy viên Ban Thường vụ")
    add_entry(datetime(2026, 1, 9, 14, 0, tzinfo=VN), "Kiểm tra công tác dân vận",
              unit=board)
    add_entry(datetime(2026, 1, 12, 8, 0, tzinfo=VN), "Tuần sau, không thuộc tuần này")

    response = client.get("/lich-cong-tac.ics?tuan=2026-01-07")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    assert "Lịch công tác" in str(cal["X-WR-CALNAME"])
    events = cal.walk("VEVENT")
    assert len(events) == 2
    event = events[0]
    assert str(event["SUMMARY"]) == "Hội nghị Ban Thường vụ Tỉnh ủy"
    assert str(event["LOCATION"]) == "Hội trường Tỉnh ủy"
    assert "Ủy viên Ban Thường vụ" in str(event["DESCRIPTION"])
    assert "Thường trực Tỉnh ủy" in str(event["DESCRIPTION"])
    assert event["DTSTART"].dt == datetime(2026, 1, 5, 0, 30, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 1, 5, 4, 30, tzinfo=UTC)
    assert str(event["UID"]) == f"schedule-{first.id}@cong.hoaan.test"
    assert "DTSTAMP" in event and "LAST-MODIFIED" in event
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy" in str(events[1]["DESCRIPTION"])
    only_board = Calendar.from_ical(
        client.get("/lich-cong-tac.ics?tuan=2026-01-07&don-vi=ban-tuyen-giao").data)
    assert [str(e["SUMMARY"]) for e in only_board.walk("VEVENT")] == \
        ["Kiểm tra công tác dân vận"]


def test_the_ics_without_a_week_runs_from_last_week_to_eight_weeks_ahead(client, app):
    monday = this_monday()
    noon = datetime.combine(monday, datetime.min.time(), VN).replace(hour=12)
    add_entry(noon - timedelta(weeks=1), "Lịch tuần trước")
    add_entry(noon - timedelta(weeks=2), "Lịch hai tuần trước")
    add_entry(noon + timedelta(weeks=8, days=6), "Lịch tám tuần tới")
    add_entry(noon + timedelta(weeks=9), "Lịch chín tuần tới")
    for query in ("", "?tuan=abc"):
        events = Calendar.from_ical(client.get(f"/lich-cong-tac.ics{query}").data) \
            .walk("VEVENT")
        assert [str(e["SUMMARY"]) for e in events] == ["Lịch tuần trước", "Lịch tám tuần tới"]


@pytest.mark.parametrize("bad", ["abc", "9999-99-99", "0000-01-01", "10000-01-01",
                                 "9999-12-31", "0001-01-01", "2026-02-30", "%00"])
def test_a_bad_week_falls_back_to_this_week(client, app, bad):
    response = client.get(f"/lich-cong-tac/?tuan={bad}")
    assert response.status_code == 200
    assert week_heading(this_monday()) in response.get_data(as_text=True)
    assert client.get(f"/lich-cong-tac.ics?tuan={bad}").status_code == 200


def test_an_end_before_the_start_is_refused_with_the_values_kept(login):
    editor = login("bientap", role=Role.editor)
    response = editor.post("/bien-tap/lich-cong-tac", data={
        "csrf_token": csrf_token(editor, "/bien-tap/lich-cong-tac"), "ngay": "2026-01-05",
        "bat_dau": "14:00", "ket_thuc": "09:00", "noi_dung": "Hội nghị trực tuyến toàn tỉnh",
        "dia_diem": "Điểm cầu Tỉnh ủy", "hien_thi": "on"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Giờ kết thúc phải sau giờ bắt đầu." in text
    assert "Hội nghị trực tuyến toàn tỉnh" in text and 'value="Điểm cầu Tỉnh ủy"' in text
    assert db.session.scalar(select(func.count(ScheduleEntry.id))) == 0

    missing = editor.post("/bien-tap/lich-cong-tac", data={
        "csrf_token": csrf_token(editor, "/bien-tap/lich-cong-tac"), "ngay": "ngày mai",
        "bat_dau": "", "noi_dung": " ", "don_vi": "99999"})
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert "Ngày phải là một ngày hợp lệ" in text and "Giờ bắt đầu là bắt buộc" in text
    assert "Nội dung là bắt buộc." in text and "Đơn vị chủ trì không có" in text
    assert db.session.scalar(select(func.count(ScheduleEntry.id))) == 0


def test_editors_edit_hide_and_delete_entries(login, client):
    entry = add_entry(datetime(2026, 1, 6, 8, 0, tzinfo=VN), "Làm việc với Huyện ủy")
    board = unit()
    editor = login("bientap", role=Role.editor)
    url = f"/bien-tap/lich-cong-tac/{entry.id}"
    page = editor.get(url).get_data(as_text=True)
    assert 'value="2026-01-06"' in page and 'value="08:00"' in page
    response = editor.post(url, data={
        "csrf_token": csrf_token(editor, url), "ngay": "2026-01-07", "bat_dau": "13:30",
        "noi_dung": "Làm việc với Huyện ủy Sông Lam", "don_vi": str(board.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert entry.starts_at == datetime(2026, 1, 7, 6, 30, tzinfo=UTC)
    assert entry.unit_id == board.id and not entry.published  # the box was left unticked
    assert "ban tuyen giao" in entry.search_text
    assert "Sông Lam" not in client.get("/lich-cong-tac/?tuan=2026-01-05").get_data(as_text=True)

    editor.post(f"{url}/hien-thi", data={"csrf_token": csrf_token(editor, url), "hien_thi": "1"})
    assert "Làm việc với Huyện ủy Sông Lam" in \
        client.get("/lich-cong-tac/?tuan=2026-01-05").get_data(as_text=True)

    assert editor.post(f"{url}/xoa", data={}).status_code == 400  # no CSRF token
    response = editor.post(f"{url}/xoa", data={"csrf_token": csrf_token(editor, url)})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(ScheduleEntry.id))) == 0
    assert editor.get(url).status_code == 404


def test_contributors_may_not_touch_the_schedule(login, client):
    entry = add_entry(datetime(2026, 1, 6, 8, 0, tzinfo=VN), "Lịch của Thường trực")
    contributor = login("congtacvien", role=Role.contributor)
    assert contributor.get("/bien-tap/lich-cong-tac").status_code == 403
    assert contributor.get(f"/bien-tap/lich-cong-tac/{entry.id}").status_code == 403
    token = csrf_token(contributor, "/bien-tap/")
    assert contributor.post("/bien-tap/lich-cong-tac", data={
        "csrf_token": token, "ngay": "2026-01-05", "bat_dau": "07:30",
        "noi_dung": "Không được thêm"}).status_code == 403
    assert contributor.post(f"/bien-tap/lich-cong-tac/{entry.id}/xoa",
                            data={"csrf_token": token}).status_code == 403
    assert db.session.scalar(select(func.count(ScheduleEntry.id))) == 1


def test_the_demo_schedule_is_idempotent_and_fills_this_week_and_next(client, app):
    db.session.add(Unit(name="Văn phòng Tỉnh ủy", slug="van-phong-tinh-uy"))
    db.session.commit()
    first = service.seed_demo_schedules()
    again = service.seed_demo_schedules()
    assert len(first) == 12 and [e.id for e in again] == [e.id for e in first]
    assert db.session.scalar(select(func.count(ScheduleEntry.id))) == 12
    assert db.session.scalar(select(func.count(Unit.id))) == 3  # one reused, two made
    html = client.get("/lich-cong-tac/").get_data(as_text=True)
    assert week_heading(this_monday()) in html
    assert "Giao ban Thường trực Tỉnh ủy đầu tuần" in day_block(html, this_monday())
    assert "07:30 – 09:00" in day_block(html, this_monday())
    following = client.get(f"/lich-cong-tac/?tuan={this_monday() + timedelta(weeks=1)}")
    assert "Dự lễ khánh thành cầu Tân Phước" in following.get_data(as_text=True)


def test_the_week_is_one_table_with_a_row_group_per_day_and_aligned_columns(client, app):
    """Issue 17, point 8: one <table> for the whole week, one header row of columns, each day
    a row group headed by the day; every entry row has a cell under each column."""
    host = unit()
    add_entry(datetime(2026, 1, 5, 0, 30, tzinfo=UTC), "Giao ban đầu tuần",
              ends=datetime(2026, 1, 5, 2, 0, tzinfo=UTC), place="Phòng họp 1",
              participants="Thường trực Tỉnh ủy")
    add_entry(datetime(2026, 1, 7, 7, 0, tzinfo=UTC), "Làm việc với Ban Tuyên giáo", unit=host)
    html = client.get("/lich-cong-tac/?tuan=2026-01-05").get_data(as_text=True)
    assert html.count("<table") == 1
    table = html[html.index("<table"):html.index("</table>")]
    assert re.search(r"<caption[^>]*>Lịch công tác tuần từ 05/01/2026 đến 11/01/2026", table)
    head = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
    assert re.findall(r'<th scope="col">([^<]+)</th>', head) == [
        "Thời gian", "Nội dung", "Địa điểm", "Thành phần", "Đơn vị chủ trì"]
    groups = re.findall(r"<tbody[^>]*>(.*?)</tbody>", table, re.S)
    assert len(groups) == 7
    days = [re.search(r'<th scope="rowgroup" colspan="5"[^>]*>([^<]+)', g).group(1).strip()
            for g in groups]
    assert days[0] == "Thứ Hai, 05/01" and days[6] == "Chủ nhật, 11/01"
    entries = re.findall(r'<tr class="sched-entry">(.*?)</tr>', table, re.S)
    assert len(entries) == 2
    for row in entries:
        assert len(re.findall(r"<td\b", row)) == 5
    assert "Giao ban đầu tuần" in groups[0] and "Làm việc với Ban Tuyên giáo" in groups[2]
    assert "Không có lịch." in groups[1]
