"""The interface's language: Vietnamese first, another one by the reader's choice (a cookie),
and the words for media states every page shares."""

from __future__ import annotations

from flask import current_app, has_request_context, request
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


def human_size(n: int) -> str:
    """Bytes the Vietnamese way (decimal comma): 870 → '870 B', 1572864 → '1,5 MB',
    4294967296 → '4 GB'."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".").replace(".", ",") + f" {unit}"
    return f"{n} B"
