"""The two ways a URL leaves the portal, each in one place:

- `safe_next`: every redirect target that comes from a request (`next=`) goes through it, and
  only a path on this site comes out — never `//evil.example`, `/\\evil.example`, a scheme,
  or a path that a browser would turn into one once it drops tabs and newlines.
- `absolute_url`: links that must be absolute (canonical, OpenGraph, feeds, sitemap,
  podcasts, iCal, API) are made from the configured SITE_URL, never from the request's Host
  header, so a forged Host cannot put another site's address into a page or the page cache.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit

from flask import current_app, url_for

# Characters a path and query may keep as they are; anything else is percent-encoded.
_KEEP = "/?&=%#:@!$'()*+,;~-._"
MAX_TARGET = 2000


def _is_local_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value:
        return False
    if any(ch.isspace() or ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def safe_next(target: object, default: str) -> str:
    """`target` if it is a path on this site, else `default`.

    Encoded tricks are decoded before judging ("/%2F%2Fevil", "/%09/evil", "%5C"), and the
    path that comes out has every non-ASCII character percent-encoded (an IDN look-alike of
    "/" is then just a character in our own path).
    """
    if not isinstance(target, str) or not target or len(target) > MAX_TARGET:
        return default
    path = target.split("?", 1)[0].split("#", 1)[0]
    decoded = path
    for _ in range(3):  # "%252F" → "%2F" → "/"
        decoded = unquote(decoded)
    if not _is_local_path(target) or not _is_local_path(decoded):
        return default
    return quote(target, safe=_KEEP)


def site_url() -> str:
    return str(current_app.config["SITE_URL"]).rstrip("/")


def absolute_url(endpoint: str, **values: Any) -> str:
    """`url_for(endpoint, **values)` on the configured site (SITE_URL)."""
    return site_url() + url_for(endpoint, **values)


def site_host() -> str:
    """The site's host name (iCal UIDs, e-mail-like identifiers)."""
    return urlsplit(site_url()).hostname or "localhost"
