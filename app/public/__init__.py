from flask import Blueprint

bp = Blueprint("public", __name__)

from . import feeds, podcast, views  # noqa: E402,F401
