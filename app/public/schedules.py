"""Work schedules (lịch công tác): a week view and an iCal export."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from ..http_page_cache import cached_page
from ..services import schedules as service
from ..services import site
from ..urls import site_host
from . import bp


def _week_variant() -> dict[str, str] | None:
    """The week asked for, as its Monday; weeks far from today and host filters are not
    cached, so odd dates cannot fill the cache."""
    if request.args.get("don-vi", "").strip():
        return None
    monday = service.parse_week(request.args.get("tuan"))
    if monday is None:
        return {}  # this week, whatever was typed
    if abs((monday - service.week_start(service.today())).days) > 370:
        return None
    return {"tuan": monday.isoformat()}


@bp.get("/lich-cong-tac/")
@cached_page("schedules", variant=_week_variant)
def schedules():
    """One week, Monday to Sunday in Vietnam time, optionally for one host."""
    this_monday = service.week_start(service.today())
    monday = service.parse_week(request.args.get("tuan")) or this_monday
    notes = []
    slug = request.args.get("don-vi", "").strip()
    host = service.find_host(slug)
    if slug and host is None:
        notes.append(_("Không có đơn vị này, nên đã hiện lịch của mọi đơn vị."))
    days = service.week_days(monday, service.week_entries(monday, host))
    hosts = service.public_hosts()
    if host is not None and host not in hosts:  # a unit with nothing published yet
        hosts.append(host)
    return render_template(
        "public/schedules.html", monday=monday, sunday=monday + timedelta(days=6),
        this_monday=this_monday, previous=monday - timedelta(weeks=1),
        following=monday + timedelta(weeks=1), days=days, host=host,
        hosts=hosts, today=service.today(), notes=notes,
        count=sum(len(d.slots) for d in days))


@bp.get("/lich-cong-tac.ics")
@cached_page("schedules", variant=_week_variant)
def schedules_ics():
    """The published schedule for calendar apps: the asked week, or a rolling window."""
    slug = request.args.get("don-vi", "").strip()
    host = service.find_host(slug)
    if slug and host is None:
        abort(404)
    start, end = service.ics_range(service.parse_week(request.args.get("tuan")))
    entries = service.entries_between(start, end, host)
    name = _("Lịch công tác") + " — " + (host.name if host else site.current().name)
    uid_host = site_host()
    body = service.to_ical(entries, uid_host, name)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="lich-cong-tac.ics"'
    response.cache_control.public = True
    response.cache_control.max_age = 300  # calendar apps poll; a few minutes' lag is fine
    return response
