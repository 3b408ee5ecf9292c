"""The newsroom (/bien-tap): one module per page, sharing `access` (who may open what)."""

from flask import Blueprint

from ..http_errors import answer_refusals

bp = Blueprint("editor", __name__)
# A form's bad input is 422 Unprocessable, as the forms' own validation answers.
answer_refusals(bp, bad_input=422)

from . import (  # noqa: E402,F401
    access,
    accounts,
    articles,
    audit,
    auth,
    banners,
    comments,
    documents,
    drafting,
    home,
    lexicon,
    media,
    pages,
    review,
    schedules,
    sections,
    site_settings,
    stats,
    uploads,
)
