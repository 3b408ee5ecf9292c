"""Public statistics: published articles per unit in a year, as JSON (the same figures as the
newsroom's statistics page). Only counts of published articles: nothing a reader cannot see."""

from __future__ import annotations

from flask import jsonify, request

from ..services import stats as service
from . import bp

MAX_AGE = 300  # the figures move with each publication; five minutes old is fine


@bp.get("/stats/units")
def stats_units():
    """?year=YYYY → {"year", "units": [...], "total": {...}, "sections": [...]}."""
    year = service.parse_year(request.args.get("year"))  # a bad year: 400, app/http_errors.py
    response = jsonify(service.as_json(service.year_stats(year)))
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
