"""The interface's language: Vietnamese first, another one by the reader's choice (a cookie),
and the words for media states every page shares."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

MEDIA_LABELS = {"pending": _l("Chờ xử lý"), "queued": _l("Trong hàng đợi"),
                "processing": _l("Đang xử lý"), "ready": _l("Sẵn sàng"), "failed": _l("Lỗi"),
                "stale": _l("Cần làm lại"), "none": _l("Chưa có")}


LANGUAGE_COOKIE = "ngon-ngu"


def select_locale() -> str:
    """Vietnamese unless the reader chose another language the portal speaks (a cookie set
    by /ngon-ngu/<code>). The browser's Accept-Language is not consulted: the portal is
    Vietnamese first, and many readers' phones are set to English."""
    if not has_request_context():  # the CLI and workers speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def format_number(value: float | int | None, places: int = 0, *, exact: bool = True) -> str:
    """A number the way the reader's language writes it (Babel's patterns through Flask-Babel):
    Vietnamese "1.234" and "0,40", English "1,234" and "0.40". `places` decimals, all shown
    when `exact`, else only those that are not zero ("1,5" but "4")."""
    decimals = ("0" if exact else "#") * places
    pattern = "#,##0" + (f".{decimals}" if places else "")
    return format_decimal(value or 0, format=pattern)


def human_size(n: int) -> str:
    """Bytes in the reader's way of writing numbers: 870 → '870 B', 1572864 → '1,5 MB',
    4294967296 → '4 GB' (in English '1.5 MB')."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{format_number(n / size, 1, exact=False)} {unit}"
    return f"{format_number(n)} B"
