"""The newsroom's and readers' clock: DISPLAY_TIMEZONE (Vietnam). Stored times are UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext

DAY_NAMES = (lazy_gettext("Thứ Hai"), lazy_gettext("Thứ Ba"), lazy_gettext("Thứ Tư"),
             lazy_gettext("Thứ Năm"), lazy_gettext("Thứ Sáu"), lazy_gettext("Thứ Bảy"),
             lazy_gettext("Chủ nhật"))


def display_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def today() -> date:
    """Today's date in Vietnam."""
    return datetime.now(display_tz()).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(display_tz())


def day_and_date(moment: datetime) -> str:
    """"Thứ Ba, 19/01/2021": the day in Vietnam, as a news page dates a story."""
    day = local(moment)
    return f"{DAY_NAMES[day.weekday()]}, {day:%d/%m/%Y}"


def local_midnight_utc(day: date) -> datetime:
    """When `day` begins in Vietnam, in UTC: the bound of a day's or a year's range."""
    return datetime.combine(day, time(0), display_tz()).astimezone(UTC)
