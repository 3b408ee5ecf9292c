from flask import Blueprint

bp = Blueprint("api", __name__)

from . import stats, submissions, views  # noqa: E402,F401
