"""Podcast feeds of the narrations: RSS 2.0 with the iTunes tags podcast apps read.

`/podcast.xml` holds the whole site, `/podcast/<category-slug>.xml` one section. An episode is
a published article whose narration has a whole render (`outputs["mp3"]`) of known byte size
(`outputs["mp3_bytes"]`): RSS enclosures must state their length, and a guessed one breaks
downloads, so a narration without it stays out of the feed until it is re-rendered. While a
new render runs, `outputs` still names the previous one, so the episode stays listed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from flask import Response, abort, current_app, render_template
from sqlalchemy import and_, select

from ..extensions import db
from ..http_page_cache import cached_page
from ..models import Article, ArticleStatus, Category, MediaAsset, MediaKind
from ..services import site as site_identity
from ..services.infra import media_url
from ..urls import absolute_url
from . import bp

MAX_EPISODES = 100
CONTENT_TYPE = "application/rss+xml; charset=utf-8"

# Characters XML 1.0 forbids even escaped (text pasted from Word brings \x0b, \x0c, ...).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str | None) -> str:
    """`value` with the characters XML cannot carry removed; escaping is the template's."""
    return _NOT_XML.sub("", value or "").strip()


def feed_html(value: str | None) -> str:
    """Text for a feed's <description>, which RSS readers render as HTML (a <title> is plain
    text): escaped once here (the template's XML escaping comes on top), so "<script>" typed
    in a lede arrives as text."""
    # Only the brackets: with no "<" left no tag can form, and "&" stays as readers expect.
    return xml_text(value).replace("<", "&lt;").replace(">", "&gt;")


def itunes_duration(seconds: float | None) -> str | None:
    """Seconds as H:MM:SS, or MM:SS under an hour: 75.4 → "01:15", 3725 → "1:02:05"."""
    total = int(round(seconds)) if seconds else 0
    if total <= 0:
        return None
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def rfc2822(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)


def episode_guid(article: Article) -> str:
    """The episode's identity: the article's, so a re-narration is not a new episode."""
    return f"docnghexem:article:{article.id}"


def _mp3_bytes(outputs: dict[str, Any]) -> int | None:
    size = outputs.get("mp3_bytes")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        return None
    return size


def _episode(article: Article) -> dict[str, Any] | None:
    audio = article.asset("audio")
    outputs = audio.outputs if audio is not None and audio.outputs else {}
    size = _mp3_bytes(outputs)
    if not outputs.get("mp3") or size is None or article.published_at is None:
        return None
    return {
        "title": xml_text(article.title),
        "link": absolute_url("public.article", slug=article.slug),
        "description": feed_html(article.lede) or feed_html(article.title),
        "guid": episode_guid(article),
        "pub_date": rfc2822(article.published_at),
        "url": media_url(outputs["mp3"]),
        "length": size,
        "duration": itunes_duration(audio.duration if audio is not None else None),
        "category": xml_text(article.category.name) if article.category else "",
    }


def _narrated_articles(category: Category | None) -> list[Article]:
    """The newest published articles with a sized MP3 narration, in one query.

    The JSON filters keep LIMIT honest (no article dropped in Python after the cut);
    `Article.media` is selectin-loaded, `category` and `unit` are joined.
    """
    audio = MediaAsset
    query = (select(Article)
             .join(audio, and_(audio.article_id == Article.id, audio.kind == MediaKind.audio))
             .where(Article.status == ArticleStatus.published,
                    Article.published_at.is_not(None),
                    audio.outputs["mp3"].as_string().is_not(None),
                    audio.outputs["mp3_bytes"].as_string().is_not(None))
             .order_by(Article.published_at.desc(), Article.id.desc())
             .limit(MAX_EPISODES))
    if category is not None:
        query = query.where(Article.category_id == category.id)
    return list(db.session.scalars(query))


def _feed(category: Category | None, self_url: str) -> Response:
    identity = site_identity.current()
    site = xml_text(identity.name)
    section = xml_text(category.name) if category else ""
    episodes = [e for e in map(_episode, _narrated_articles(category)) if e is not None]
    articles_newest = episodes[0]["pub_date"] if episodes else None
    body = render_template(
        "podcast/feed.xml",
        title=f"{site} — {section}" if section else site,
        description=feed_html(f"Bản nghe các bài viết chuyên mục {section} của {site}."
                              if section else
                              f"Bản nghe các bài viết của {site}: tin tức đọc thành tiếng."),
        site=site,
        link=absolute_url("public.home"),
        self_url=self_url,
        image=absolute_url("static", filename="img/podcast-cover.png"),
        owner_email=xml_text(current_app.config["PODCAST_OWNER_EMAIL"] or identity.email),
        last_build=articles_newest,
        episodes=episodes,
    )
    return Response(body, content_type=CONTENT_TYPE)


@bp.get("/podcast.xml")
@cached_page("podcast", variant=lambda: {})
def podcast():
    """The whole site's narrations as a podcast."""
    return _feed(None, absolute_url("public.podcast"))


@bp.get("/podcast/<slug>.xml")
@cached_page("podcast", variant=lambda: {})
def podcast_section(slug: str):
    """One section's narrations as a podcast."""
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        abort(404)
    return _feed(category, absolute_url("public.podcast_section", slug=slug))
