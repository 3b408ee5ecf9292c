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
    try:
        year = service.parse_year(request.args.get("year"))
    except service.StatsError as exc:
        return jsonify({"error": str(exc)}), 400
    response = jsonify(service.as_json(service.year_stats(year)))
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
