from flask import Blueprint

bp = Blueprint("editor", __name__)

from . import banners, comments, documents, schedules, uploads, views  # noqa: E402,F401
