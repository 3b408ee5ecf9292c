from flask import Blueprint

bp = Blueprint("editor", __name__)

from . import (  # noqa: E402,F401
    accounts,
    audit,
    banners,
    comments,
    documents,
    drafting,
    media,
    review,
    schedules,
    stats,
    uploads,
    views,
)
