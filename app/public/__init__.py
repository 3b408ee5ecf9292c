from flask import Blueprint

bp = Blueprint("public", __name__)

from . import (  # noqa: E402,F401
    comments,
    documents,
    feeds,
    language,
    podcast,
    schedules,
    search,
    views,
)
