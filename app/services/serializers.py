"""Articles as the JSON API and the templates see them, with their three forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from ..media.storage_keys import is_hidden
from ..models import Article, ListenSource, MediaAsset, MediaKind, MediaStatus
from ..urls import absolute_url
from .infra import media_url

WORDS_PER_MINUTE = 250  # a reader's pace, in Vietnamese syllables (the words between spaces)


def reading_minutes(word_count: int | None) -> int:
    """Whole minutes to read an article's body, at least one."""
    return max(1, -(-(word_count or 0) // WORDS_PER_MINUTE))


def _status(asset: MediaAsset | None) -> str:
    return asset.status.value if asset is not None else "none"


def listen_asset(article: Article) -> MediaAsset | None:
    """The listen form: a video item's own soundtrack once its video has one (the article's
    setting), else the narration."""
    video = article.asset("video")
    if (article.listen_source is ListenSource.video and video is not None
            and video.outputs.get("soundtrack")):
        return video
    return article.asset("audio")


def watch_asset(article: Article) -> MediaAsset | None:
    """The watch form: the uploaded video, else the briefing made from the article."""
    upload, brief = article.asset("video"), article.asset("briefing")
    if upload is not None and (upload.outputs or brief is None or not brief.outputs):
        return upload
    return brief or upload


@dataclass(frozen=True)
class FormState:
    """What readers get of one form now: "ready" (a whole render they can play, even while a
    newer one is made), "processing" (wanted, not there yet), "failed" or "none"."""
    state: str
    duration: float | None = None


def _form_state(asset: MediaAsset | None, output: str) -> FormState:
    if asset is None:
        return FormState("none")
    if asset.outputs.get(output):
        return FormState("ready", asset.duration)
    if asset.status is MediaStatus.failed:
        return FormState("failed")
    return FormState("processing")


def reader_media(article: Article) -> dict[str, FormState]:
    """What readers get to listen to and to watch: the one answer the article page, its
    preview and the newsroom's list all show (so they cannot disagree)."""
    listen = listen_asset(article)
    watch = watch_asset(article)
    return {
        "listen": _form_state(listen, "soundtrack" if listen is not None
                              and listen.kind is MediaKind.video else "mp3"),
        "watch": _form_state(watch, "mp4"),
    }


def audio_form(article: Article) -> dict[str, Any]:
    asset = listen_asset(article)
    if asset is not None and asset.kind is MediaKind.video:
        return {"status": asset.status.value, "url": media_url(asset.outputs["soundtrack"]),
                "vtt": None, "timings": None, "duration": asset.duration,
                "engine": "video", "progress": asset.progress, "error": None}
    outputs = asset.outputs if asset else {}
    return {
        "status": _status(asset) if asset else MediaStatus.pending.value,
        "url": media_url(outputs.get("mp3")),
        "vtt": media_url(outputs.get("vtt")),
        "timings": media_url(outputs.get("timings")),
        "duration": asset.duration if asset and outputs else None,
        "engine": asset.engine if asset and outputs else None,
        "progress": asset.progress if asset else 0,
        "error": asset.error or None if asset else None,
    }


def hls_url(asset_id: int, key: str | None, published: bool = False) -> str | None:
    """Where a player gets a render's HLS ladder: the store, or — for a private render, of an
    article not yet published — the newsroom's playlists that sign each segment
    (app.editor.media.private_hls). A published article whose files are still being moved
    out of private/ (a few seconds) plays its MP4 meanwhile."""
    if not key:
        return None
    if is_hidden(key):
        return None if published else url_for("editor.private_hls", asset_id=asset_id,
                                              name="master.m3u8")
    return media_url(key)


def video_form(article: Article) -> dict[str, Any]:
    asset = watch_asset(article)
    outputs = asset.outputs if asset else {}
    tracks = [*(asset.captions if asset else []), *outputs.get("captions", [])]
    # A render kept private (the article is not published) has no storyboard: its WebVTT
    # names the sprite by a relative path, which a signed URL does not cover.
    hidden = is_hidden(outputs.get("hls"))
    return {
        "status": _status(asset),
        "source": ("upload" if asset.kind.value == "video" else "briefing") if asset else None,
        "hls": hls_url(asset.id, outputs.get("hls"), article.is_published) if asset else None,
        "mp4": media_url(outputs.get("mp4")),
        "poster": media_url(outputs.get("poster")),
        "duration": asset.duration if asset and outputs else None,
        "width": outputs.get("width"),
        "height": outputs.get("height"),
        "renditions": outputs.get("renditions", []),
        "captions": [{"lang": t["lang"], "label": t["label"], "url": media_url(t["key"])}
                     for t in tracks],
        "storyboard": {"vtt": media_url(outputs["storyboard_vtt"]),
                       "image": media_url(outputs["storyboard_image"])}
        if outputs.get("storyboard_vtt") and not hidden else None,
        "progress": asset.progress if asset else 0,
        "error": asset.error or None if asset else None,
    }


COVER_SIZE = (1200, 675)  # what the page reserves for a cover whose size it does not know


def cover_image(article: Article) -> dict[str, Any] | None:
    """The cover as an <img>/<picture> needs it: src, srcset (JPEG, WebP), width, height.

    Before the worker has made the variants (or if it could not) there is no srcset: the
    plain cover, as uploaded.
    """
    if not article.cover_key:
        return None
    variants = article.cover_variants or {}
    widths = sorted(int(name) for name in variants if name.isdigit())
    if not widths:
        return {"src": media_url(article.cover_key), "srcset": None, "webp_srcset": None,
                "width": COVER_SIZE[0], "height": COVER_SIZE[1]}
    width, _, height = variants.get("size", "").partition("x")

    def srcset(suffix: str) -> str | None:
        found = [(w, variants.get(f"{w}{suffix}")) for w in widths]
        return ", ".join(f"{media_url(key)} {w}w" for w, key in found if key) or None

    return {"src": media_url(variants[str(widths[-1])]), "srcset": srcset(""),
            "webp_srcset": srcset(".webp"),
            "width": int(width) if width.isdigit() else COVER_SIZE[0],
            "height": int(height) if height.isdigit() else COVER_SIZE[1]}


def article_summary(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "lede": article.lede,
        "category": {"name": article.category.name, "slug": article.category.slug}
        if article.category else None,
        "unit": {"name": article.unit.name, "slug": article.unit.slug} if article.unit else None,
        "author": article.author_name,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "view_count": article.view_count,
        "cover": media_url(article.cover_key),
        "cover_image": cover_image(article),
        "text": {"url": absolute_url("public.article", slug=article.slug),
                 "minutes": reading_minutes(article.word_count)},
        "audio": audio_form(article),
        "video": video_form(article),
    }


def article_detail(article: Article) -> dict[str, Any]:
    return {**article_summary(article), "body_html": article.body_html,
            "cover_caption": article.cover_caption}
