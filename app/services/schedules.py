"""Work schedules (lịch công tác): weeks in the display zone, the host filter, the editors'
input, the iCal export and the demo seed.

Times are stored as aware UTC datetimes; everything a person types or reads is in
DISPLAY_TIMEZONE (Asia/Ho_Chi_Minh), and a week runs Monday to Sunday in that zone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from ..extensions import db
from ..models import ScheduleEntry, Unit
from ..models.base import utcnow
from ..models.portal import STANDING_COMMITTEE
from . import audit
from .accounts import unit_named
from .errors import BadInput
from .localtime import DAY_NAMES, display_tz, local, local_midnight_utc, today
from .search import folded_words

STANDING_SLUG = "thuong-truc"
STANDING_NAME = STANDING_COMMITTEE
# Weeks a reader may ask for: wide enough for any archive, narrow enough that a week's
# bounds and its neighbours never overflow date/datetime arithmetic.
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_CONTENT, MAX_PLACE, MAX_PARTICIPANTS = 2000, 300, 2000
# The .ics without a week: the previous week, this one and the next eight.
ICS_WEEKS_BACK, ICS_WEEKS_AHEAD = 1, 8
DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "schedules.json"




def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def parse_week(raw: str | None) -> date | None:
    """The Monday of the week holding the ISO date `raw`, or None if it is no usable date."""
    try:
        day = date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    return week_start(day)


def utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From local midnight starting `first` to local midnight after `last`, in UTC."""
    return local_midnight_utc(first), local_midnight_utc(last + timedelta(days=1))


# --- hosts ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Host:
    """Who holds an entry: the standing committee (unit_id None) or a unit."""

    slug: str
    name: str
    unit_id: int | None


STANDING = Host(STANDING_SLUG, STANDING_NAME, None)


def host_of(entry: ScheduleEntry) -> str:
    return entry.unit.name if entry.unit else STANDING_NAME


def find_host(slug: str | None) -> Host | None:
    """The host a `don-vi` value names, or None if it names none."""
    slug = (slug or "").strip()[:220]
    if not slug:
        return None
    if slug == STANDING_SLUG:
        return STANDING
    unit = db.session.scalar(select(Unit).where(Unit.slug == slug))
    return Host(unit.slug, unit.name, unit.id) if unit else None


def public_hosts() -> list[Host]:
    """The filter's choices: the standing committee, then units with a published entry."""
    units = db.session.scalars(
        select(Unit).where(Unit.id.in_(select(ScheduleEntry.unit_id)
                                       .where(ScheduleEntry.published.is_(True))))
        .order_by(Unit.name))
    return [STANDING] + [Host(u.slug, u.name, u.id) for u in units]


# --- reading --------------------------------------------------------------------------

def entries_between(start: datetime, end: datetime, host: Host | None = None,
                    published_only: bool = True) -> list[ScheduleEntry]:
    """Entries starting in [start, end), earliest first."""
    query = (select(ScheduleEntry).where(ScheduleEntry.starts_at >= start,
                                         ScheduleEntry.starts_at < end)
             .order_by(ScheduleEntry.starts_at, ScheduleEntry.id))
    if published_only:
        query = query.where(ScheduleEntry.published.is_(True))
    if host is not None:
        query = query.where(ScheduleEntry.unit_id.is_(None) if host.unit_id is None
                            else ScheduleEntry.unit_id == host.unit_id)
    return list(db.session.scalars(query).unique())


@dataclass
class Slot:
    """An entry as a reader in the display zone sees it."""

    entry: ScheduleEntry
    starts: datetime
    ends: datetime | None

    @property
    def time_label(self) -> str:
        label = self.starts.strftime("%H:%M")
        if self.ends is not None:
            same_day = self.ends.date() == self.starts.date()
            label += " – " + self.ends.strftime("%H:%M" if same_day else "%H:%M %d/%m")
        return label

    @property
    def host(self) -> str:
        return host_of(self.entry)


@dataclass
class Day:
    day: date
    slots: list[Slot] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{DAY_NAMES[self.day.weekday()]}, {self.day:%d/%m}"


def week_days(monday: date, entries: Iterable[ScheduleEntry]) -> list[Day]:
    """Monday … Sunday, each with its entries by local start date."""
    days = [Day(monday + timedelta(days=n)) for n in range(7)]
    for entry in entries:
        starts = local(entry.starts_at)
        offset = (starts.date() - monday).days
        if 0 <= offset < 7:
            days[offset].slots.append(
                Slot(entry, starts, local(entry.ends_at) if entry.ends_at else None))
    return days


def week_entries(monday: date, host: Host | None = None,
                 published_only: bool = True) -> list[ScheduleEntry]:
    return entries_between(*utc_bounds(monday, monday + timedelta(days=6)), host=host,
                           published_only=published_only)


# --- writing --------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduleInput:
    starts_at: datetime
    ends_at: datetime | None
    content: str
    place: str
    participants: str
    unit_id: int | None
    published: bool


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _clean_lines(text: str | None) -> str:
    """Participants may run over several lines; keep the lines, tidy each one."""
    lines = (" ".join(line.split()) for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


def _parse_time(raw: str) -> time:
    # <input type="time"> sends HH:MM, some browsers HH:MM:SS.
    return time.fromisoformat(raw.strip()[:8])


def parse_form(form: Mapping[str, str]) -> ScheduleInput:
    """Read the editor's form (date and times in the display zone); raise BadInput."""
    errors: dict[str, str] = {}
    day = None
    try:
        day = date.fromisoformat(form.get("ngay", "").strip()[:10])
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ValueError
    except ValueError:
        errors["ngay"] = _("Ngày phải là một ngày hợp lệ (năm %(a)s–%(b)s).", a=MIN_YEAR,
                           b=MAX_YEAR)
        day = None
    start = end = None
    try:
        start = _parse_time(form.get("bat_dau", ""))
    except ValueError:
        errors["bat_dau"] = _("Giờ bắt đầu là bắt buộc (dạng 07:30).")
    if form.get("ket_thuc", "").strip():
        try:
            end = _parse_time(form["ket_thuc"])
        except ValueError:
            errors["ket_thuc"] = _("Giờ kết thúc không hợp lệ (dạng 11:00).")
    if start is not None and end is not None and end <= start:
        errors["ket_thuc"] = _("Giờ kết thúc phải sau giờ bắt đầu.")
    content = _clean(form.get("noi_dung"))
    if not content:
        errors["noi_dung"] = _("Nội dung là bắt buộc.")
    elif len(content) > MAX_CONTENT:
        errors["noi_dung"] = _("Nội dung dài quá %(n)s ký tự.", n=MAX_CONTENT)
    place = _clean(form.get("dia_diem"))
    if len(place) > MAX_PLACE:
        errors["dia_diem"] = _("Địa điểm dài quá %(n)s ký tự.", n=MAX_PLACE)
    participants = _clean_lines(form.get("thanh_phan"))
    if len(participants) > MAX_PARTICIPANTS:
        errors["thanh_phan"] = _("Thành phần dài quá %(n)s ký tự.", n=MAX_PARTICIPANTS)
    unit_id = None
    raw_unit = form.get("don_vi", "").strip()
    if raw_unit:
        unit_id = int(raw_unit) if raw_unit.isdigit() and len(raw_unit) < 10 else None
        if unit_id is None or db.session.get(Unit, unit_id) is None:
            errors["don_vi"] = _("Đơn vị chủ trì không có trong danh sách.")
    if errors or day is None or start is None:
        raise BadInput(errors=errors)
    tz = display_tz()
    return ScheduleInput(
        starts_at=datetime.combine(day, start, tz).astimezone(UTC),
        ends_at=datetime.combine(day, end, tz).astimezone(UTC) if end else None,
        content=content, place=place, participants=participants, unit_id=unit_id,
        published=form.get("hien_thi") in ("on", "1", "true"))


def make_search_text(entry: ScheduleEntry) -> str:
    unit = db.session.get(Unit, entry.unit_id) if entry.unit_id else None
    texts = (entry.content, entry.place, entry.participants,
             unit.name if unit else STANDING_NAME)
    return folded_words([t or "" for t in texts])


def save_entry(entry: ScheduleEntry | None, data: ScheduleInput) -> ScheduleEntry:
    """Create (entry None) or update an entry and commit."""
    created = entry is None
    if entry is None:
        entry = ScheduleEntry()
        db.session.add(entry)
    entry.starts_at, entry.ends_at = data.starts_at, data.ends_at
    entry.content, entry.place, entry.participants = data.content, data.place, data.participants
    entry.unit_id, entry.published = data.unit_id, data.published
    entry.search_text = make_search_text(entry)
    audit.record_saved(created, ("schedule.create", "schedule.edit"), entry,
                       f"lịch công tác {describe(entry)}", published=entry.published)
    db.session.commit()
    return entry


def set_published(entry: ScheduleEntry, published: bool) -> None:
    """Show or hide an entry on the portal, and commit."""
    entry.published = published
    audit.record("schedule.edit", entry,
                 f"{'Công bố' if published else 'Ẩn'} lịch công tác {describe(entry)}",
                 published=published)
    db.session.commit()


def delete_entry(entry: ScheduleEntry) -> None:
    audit.record("schedule.delete", entry, f"Xóa lịch công tác {describe(entry)}")
    db.session.delete(entry)
    db.session.commit()


def describe(entry: ScheduleEntry) -> str:
    """An entry as the audit log names it: when, whose, and the start of what."""
    unit = db.session.get(Unit, entry.unit_id) if entry.unit_id else None
    what = " ".join(entry.content.split())
    if len(what) > 80:
        what = what[:79].rstrip() + "…"
    return (f"{local(entry.starts_at):%H:%M %d/%m/%Y} "
            f"({unit.name if unit else STANDING_NAME}): «{what}»")


def form_values(entry: ScheduleEntry) -> dict[str, str]:
    """An entry as the editor's form shows it (display zone)."""
    starts = local(entry.starts_at)
    return {"ngay": starts.date().isoformat(), "bat_dau": starts.strftime("%H:%M"),
            "ket_thuc": local(entry.ends_at).strftime("%H:%M") if entry.ends_at else "",
            "noi_dung": entry.content, "dia_diem": entry.place,
            "thanh_phan": entry.participants, "don_vi": str(entry.unit_id or ""),
            "hien_thi": "on" if entry.published else ""}


# --- iCal -----------------------------------------------------------------------------

def ics_range(monday: date | None) -> tuple[datetime, datetime]:
    """The asked week, or by default the previous week through eight weeks ahead."""
    if monday is not None:
        return utc_bounds(monday, monday + timedelta(days=6))
    this_monday = week_start(today())
    return utc_bounds(this_monday - timedelta(weeks=ICS_WEEKS_BACK),
                      this_monday + timedelta(weeks=ICS_WEEKS_AHEAD + 1) - timedelta(days=1))


def to_ical(entries: Iterable[ScheduleEntry], uid_host: str, calendar_name: str) -> bytes:
    """A VCALENDAR with one VEVENT per entry; times in UTC, so any client places them."""
    cal = Calendar()
    cal.add("prodid", "-//docnghexem//Lich cong tac//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", display_tz().key)
    stamp = utcnow().replace(microsecond=0)
    for entry in entries:
        event = Event()
        event.add("uid", f"schedule-{entry.id}@{uid_host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at.astimezone(UTC))
        if entry.ends_at is not None:
            event.add("dtend", entry.ends_at.astimezone(UTC))
        event.add("summary", entry.content)
        if entry.place:
            event.add("location", entry.place)
        description = [f"{_('Đơn vị chủ trì')}: {host_of(entry)}"]
        if entry.participants:
            description.insert(0, f"{_('Thành phần')}: {entry.participants}")
        event.add("description", "\n".join(description))
        event.add("last-modified", (entry.updated_at or stamp).astimezone(UTC))
        cal.add_component(event)
    return cal.to_ical()


# --- demo -----------------------------------------------------------------------------

def seed_demo_schedules(path: Path = DEMO_FILE) -> list[ScheduleEntry]:
    """Load the demo schedule, placed in the current week and the next.

    The JSON gives each entry a day offset from this week's Monday and local times. Entries
    are matched by content and host, so running this again (even weeks later) moves the
    same rows to the current weeks instead of adding new ones.
    """
    monday = week_start(today())
    tz = display_tz()
    rows = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        unit = unit_named(item["unit"], actor="demo") if item.get("unit") else None
        day = monday + timedelta(days=int(item["day"]))
        starts = datetime.combine(day, time.fromisoformat(item["start"]), tz).astimezone(UTC)
        ends = (datetime.combine(day, time.fromisoformat(item["end"]), tz).astimezone(UTC)
                if item.get("end") else None)
        query = select(ScheduleEntry).where(ScheduleEntry.content == item["content"])
        query = query.where(ScheduleEntry.unit_id.is_(None) if unit is None
                            else ScheduleEntry.unit_id == unit.id)
        entry = db.session.scalars(query).unique().first()
        data = ScheduleInput(starts_at=starts, ends_at=ends, content=item["content"],
                             place=item.get("place", ""),
                             participants=item.get("participants", ""),
                             unit_id=unit.id if unit else None,
                             published=entry.published if entry else True)
        rows.append(save_entry(entry, data))
    return rows
