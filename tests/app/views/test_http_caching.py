"""What browsers and proxies are told: static files by content for a year, text compressed,
staff pages never stored."""

from __future__ import annotations

import gzip
import re

import brotli


def test_static_files_are_addressed_by_content_and_kept_for_a_year(client, make_article):
    make_article()
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=([0-9a-f]{12}))"', page)
    assert css, "the stylesheet link carries its content hash"
    response = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(response.data)
    assert b".masthead" in body and len(response.data) < len(body) / 2
    again = client.get(css.group(1), headers={"Accept-Encoding": "gzip",
                                              "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_pages_are_compressed_with_brotli_when_the_browser_takes_it(client, make_article):
    make_article("Tin nén brotli")
    response = client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert "Tin nén brotli" in brotli.decompress(response.data).decode()
    assert "Accept-Encoding" in response.headers["Vary"]


def test_feeds_and_calendars_are_compressed_too(client, make_article):
    make_article()
    for url in ("/rss.xml", "/sitemap.xml", "/lich-cong-tac.ics"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        zipped = response.headers.get("Content-Encoding") == "gzip"
        body = gzip.decompress(response.data) if zipped else response.data
        assert zipped or len(body) < 500, url  # tiny bodies are not worth compressing
