"""The ceiling: a minimal Flask app served by the same gunicorn settings as the portal.

    gunicorn -c gunicorn.conf.py benchmarks.hello_app:app

No database, no templates, no Redis: what is left of a request's cost is gunicorn, Flask and
the HTTP round trip, so a portal page's requests/s divided by this one's shows how much of the
machine the page's own work takes.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Xin chào"
