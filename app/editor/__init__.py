from flask import Blueprint

bp = Blueprint("editor", __name__)

from . import uploads, views  # noqa: E402,F401
