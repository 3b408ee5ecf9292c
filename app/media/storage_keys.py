"""Where files live in the object store, and who may read them: the one home of the key layout.

    audio/<article>/<hash>.mp3|.vtt|.json        narration (content-addressed)
    video/<asset>/<hash>/…  video/b<asset>/<hash>/…  an upload's or a briefing's render
    video/<asset>/captions/<hash>.vtt             subtitles an editor added
    images/<article>/<hash>.jpg, <stem>-<w>.jpg   cover and its widths
    images/<article>/body/<hash>.jpg              pictures in the body
    documents/<document>/<hash>.pdf|.docx         the documents library
    uploads/<article>/<uuid>/<name>               originals (always private)

Those prefixes are public-read (media_pipeline.storage.PUBLIC_PREFIXES) — but only published
things may sit there. A file of anything not published (a draft's pictures or preview
narration, an article under review, scheduled, withdrawn or deleted, a withdrawn document) is
kept under `private/` + its key instead, readable only through a short-lived signed URL that
the newsroom hands out (app.services.infra.media_url). Writers place each new file with
`placed(key, public)`; `sync_article_media` moves an article's files across when its status
changes, and rewrites the rows that point at them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import select

from media_pipeline.storage import PUBLIC_PREFIXES

from ..extensions import db
from ..models import Article, ArticleImage, ArticleStatus, MediaKind
from ..services.infra import object_store

log = logging.getLogger(__name__)
HIDDEN = "private/"
RENDER_MARK = "/hls/"  # outputs["hls"] = <render folder>/hls/master.m3u8


def hidden(key: str) -> str:
    return key if key.startswith(HIDDEN) else HIDDEN + key


def shown(key: str) -> str:
    return key.removeprefix(HIDDEN)


def is_hidden(key: str | None) -> bool:
    return bool(key) and str(key).startswith(HIDDEN)


def placed(key: str, public: bool) -> str:
    """`key` where a file goes: its public place, or hidden under private/."""
    return shown(key) if public else hidden(key)


def is_media_key(value: object) -> bool:
    return isinstance(value, str) and shown(value).startswith(PUBLIC_PREFIXES)


# --- the layout ------------------------------------------------------------------------------

def audio_prefix(article_id: int, digest: str, public: bool) -> str:
    return placed(f"audio/{article_id}/{digest[:20]}", public)


def video_prefix(asset_id: int, digest: str, public: bool) -> str:
    return placed(f"video/{asset_id}/{digest[:20]}", public)


def briefing_prefix(asset_id: int, digest: str, public: bool) -> str:
    return placed(f"video/b{asset_id}/{digest[:20]}", public)


def captions_key(asset_id: int, digest: str, public: bool) -> str:
    return placed(f"video/{asset_id}/captions/{digest[:16]}.vtt", public)


def cover_key(article_id: int, digest: str, public: bool) -> str:
    return placed(f"images/{article_id}/{digest[:16]}.jpg", public)


def body_image_key(article_id: int, digest: str, public: bool) -> str:
    return placed(f"images/{article_id}/body/{digest[:16]}.jpg", public)


# A picture placed in an article's body, as its key appears in any URL of it.
BODY_IMAGE_KEY = re.compile(r"images/\d+/body/[0-9a-f]{16,64}\.jpg")


def banner_key(digest: str, width: int, height: int) -> str:
    return f"images/banners/{digest[:16]}-{width}x{height}.jpg"


# Editors' original uploads: always private, kept only until their transcode is published.
UPLOADS = "uploads/"


def upload_prefix(article_id: int) -> str:
    return f"{UPLOADS}{article_id}/"


def upload_key(article_id: int, upload_id: str, name: str) -> str:
    return f"{upload_prefix(article_id)}{upload_id}/{name}"


def cover_variant_stem(article_id: int, digest: str, public: bool) -> str:
    """Where a cover's variants go (`<stem>-480.jpg`, …), beside the cover."""
    return placed(f"images/{article_id}/{digest[:16]}", public)


def document_key(document_id: int, digest: str, kind: str, public: bool) -> str:
    return placed(f"documents/{document_id}/{digest[:16]}.{kind}", public)


def article_prefixes(article: Article) -> list[str]:
    """Every folder an article's files can be in, public and hidden: its audio, cover and body
    images, uploaded originals, and each video's renders."""

    prefixes = [f"audio/{article.id}/", f"images/{article.id}/", f"uploads/{article.id}/"]
    for asset in article.media:
        if asset.kind is MediaKind.video:
            prefixes.append(f"video/{asset.id}/")
        elif asset.kind is MediaKind.briefing:
            prefixes.append(f"video/b{asset.id}/")
    return [p for prefix in prefixes
            for p in ((prefix,) if prefix.startswith("uploads/") else (prefix, hidden(prefix)))]


# --- moving an article's files where its status says ----------------------------------------

def rekey(value: Any, public: bool, moves: dict[str, str]) -> Any:
    """`value` (a key, or JSON holding keys) with each media key placed; records old → new."""
    if is_media_key(value):
        new = placed(value, public)
        if new != value:
            moves[value] = new
        return new
    if isinstance(value, list):
        return [rekey(item, public, moves) for item in value]
    if isinstance(value, dict):
        return {name: rekey(item, public, moves) for name, item in value.items()}
    return value


def _rows(article: Article) -> Iterator[tuple[Any, str]]:
    """(row, attribute) of everything that names one of the article's files."""
    yield article, "cover_key"
    yield article, "cover_variants"
    for image in db.session.scalars(select(ArticleImage).where(
            ArticleImage.article_id == article.id)):
        yield image, "key"
        yield image, "variants"
    for asset in article.media:
        yield asset, "outputs"
        yield asset, "captions"


def _object_moves(moves: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Single objects and whole render folders (an HLS ladder's many segments) to move."""
    folders = {old.rsplit(RENDER_MARK, 1)[0] + "/": new.rsplit(RENDER_MARK, 1)[0] + "/"
               for old, new in moves.items() if RENDER_MARK in old}
    singles = {old: new for old, new in moves.items()
               if not any(old.startswith(folder) for folder in folders)}
    return singles, folders


def sync_article_media(article: Article, attempts: int = 3) -> int:
    """Move the article's files to where its status says (public once published, hidden
    otherwise) and point its rows at them. Copies first, then — with the article's row locked
    and its status read again — commits the rows, then deletes the old copies: a failure half-
    way leaves every row pointing at a file that exists, and a publication or withdrawal that
    happened meanwhile is followed (the move starts over). Returns how many objects moved.
    Commits."""
    for _ in range(attempts):
        db.session.refresh(article)
        public = article.is_published
        moves: dict[str, str] = {}
        changes = []
        for row, name in _rows(article):
            before = getattr(row, name)
            after = rekey(before, public, moves)
            if after != before:
                changes.append((row, name, after))
        if not moves:
            db.session.rollback()
            return 0
        store = object_store()
        copied, made = _copy(store, moves)
        status = db.session.scalar(select(Article.status).where(Article.id == article.id)
                                   .with_for_update())
        if (status is ArticleStatus.published) != public:  # it changed while we copied
            db.session.rollback()
            _delete_quietly(store, made)
            continue
        for row, name, value in changes:
            setattr(row, name, value)
        db.session.commit()
        _delete_quietly(store, copied)
        if not public:  # also what no row points at any more (superseded renders, old widths)
            _delete_quietly(store, [key for prefix in article_prefixes(article)
                                    if not prefix.startswith((HIDDEN, "uploads/"))
                                    for key in store.list_keys(prefix)])
        return len(copied)
    raise RuntimeError(f"article {article.id} kept changing status while its files moved")


def _copy(store: Any, moves: dict[str, str]) -> tuple[list[str], list[str]]:
    """Copy each moved object to its new key: (the old keys copied, the new keys made)."""
    singles, folders = _object_moves(moves)
    copied: list[str] = []
    made: list[str] = []
    for old_folder, new_folder in folders.items():
        for key in store.list_keys(old_folder):
            made.append(store.copy(key, new_folder + key[len(old_folder):]))
            copied.append(key)
    for old, new in singles.items():
        try:
            made.append(store.copy(old, new))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
                raise
            log.warning("%s is missing; its row is moved anyway", old)
            continue
        copied.append(old)
    return copied, made


def _delete_quietly(store: Any, keys: list[str]) -> None:
    try:
        store.delete(*keys)
    except (BotoCoreError, ClientError):  # litter in the store; the rows are right
        log.exception("could not delete %d old copies", len(keys))
