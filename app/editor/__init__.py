from flask import Blueprint

bp = Blueprint("editor", __name__)

from . import views  # noqa: E402,F401
