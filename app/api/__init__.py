from flask import Blueprint

from ..http_errors import answer_refusals

bp = Blueprint("api", __name__)
# A body whose fields are wrong is 422 with each field's message; a bad query is 400.
answer_refusals(bp, bad_input=400, fields_status=422)

from . import stats, submissions, views  # noqa: E402,F401
