from flask import Blueprint

bp = Blueprint("public", __name__)

from . import comments, documents, feeds, podcast, schedules, search, views  # noqa: E402,F401
