from flask import Blueprint

from ..http_errors import answer_refusals

bp = Blueprint("public", __name__)
answer_refusals(bp)

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
