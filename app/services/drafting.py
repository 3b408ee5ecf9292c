"""Editor comfort: the edit form saved automatically while typing, and images placed in the
body with their captions (stored as web JPEGs; a worker makes their responsive widths, which
the public pages offer in `srcset` at render time)."""

from __future__ import annotations

import hashlib
import html
import io
import logging
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import IO, Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from PIL import ImageOps
from redis.exceptions import RedisError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from media_pipeline.errors import InvalidMediaError
from media_pipeline.images import ImageTooLarge, open_upload, web_jpeg

from ..extensions import db
from ..media import queues, storage_keys
from ..models import Article, ArticleImage, ArticleRevision, Autosave, User
from ..models.base import utcnow
from . import audit
from .errors import BadInput
from .infra import media_url, object_store, redis_conn

log = logging.getLogger(__name__)

# --- autosave ---------------------------------------------------------------------------

TEXT_FIELDS = {"title": 300, "lede": 2000, "body_html": 1_000_000, "author_name": 120,
               "cover_caption": 500}  # the form's own limits (the body: a generous cap)
ID_FIELDS = ("category_id", "unit_id")
AUTOSAVE_FIELDS = (*TEXT_FIELDS, *ID_FIELDS)
AUTOSAVE_MAX_BYTES = 2 * 1024 * 1024


def clean_autosave_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The form's fields as the browser sent them, bounded; anything else is ignored.

    Nothing is sanitized here: the values only ever go back into the form (escaped), and
    saving the article sanitizes the body as always.
    """
    fields: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        value = raw.get(name)
        fields[name] = value[:limit] if isinstance(value, str) else ""
    for name in ID_FIELDS:
        try:
            number = int(raw.get(name) or 0)
        except (TypeError, ValueError):
            number = 0
        fields[name] = number if number > 0 else None
    return fields


def _autosave_query(user: User, article: Article | None):
    query = select(Autosave).where(Autosave.user_id == user.id)
    if article is None:
        return query.where(Autosave.article_id.is_(None))
    return query.where(Autosave.article_id == article.id)


def get_autosave(user: User, article: Article | None) -> Autosave | None:
    """The user's autosave of `article` (None: of the new article they are writing)."""
    # (NULL article ids are not unique in the database: take the newest.)
    return db.session.scalars(
        _autosave_query(user, article).order_by(Autosave.saved_at.desc()).limit(1)).first()


def save_autosave(user: User, article: Article | None, raw: Mapping[str, Any],
                  base_version: int | None = None) -> Autosave:
    """Upsert the user's autosave of `article` with the form's fields; the article itself is
    never touched. `base_version`: the article's version the form was opened at."""
    fields = clean_autosave_fields(raw)
    version = base_version if base_version is not None else (article.version if article else 0)
    for attempt in range(2):
        row = get_autosave(user, article)
        if row is None:
            row = Autosave(user_id=user.id, article_id=article.id if article else None)
            db.session.add(row)
        row.fields = fields
        row.base_version = version or 0
        row.saved_at = utcnow()
        try:
            db.session.commit()
            return row
        except IntegrityError:  # the same user's other tab inserted it meanwhile
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def clear_autosave(user: User, article: Article | None) -> int:
    """Forget the user's autosave of `article` (None: of their new article); committed."""
    query = delete(Autosave).where(Autosave.user_id == user.id)
    query = query.where(Autosave.article_id.is_(None)) if article is None \
        else query.where(Autosave.article_id == article.id)
    result = db.session.execute(query)
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def _article_fields(article: Article) -> dict[str, Any]:
    fields = {name: getattr(article, name) or "" for name in TEXT_FIELDS}
    fields.update({name: getattr(article, name) for name in ID_FIELDS})
    return fields


def autosave_to_offer(user: User, article: Article | None) -> Autosave | None:
    """The autosave worth offering when the edit page opens, or None.

    For a new article: any. For an existing one: one that differs from the article and was
    typed after its last save — newer than `updated_at`, or typed on the version the article
    still is at (view counts also move `updated_at`; they must not hide unsaved work).
    """
    row = get_autosave(user, article)
    if row is None or article is None:
        return row
    if clean_autosave_fields(row.fields or {}) == _article_fields(article):
        return None
    if row.saved_at > article.updated_at or row.base_version >= (article.version or 0):
        return row
    return None


# --- images in the body -----------------------------------------------------------------

BODY_IMAGE_MAX_WIDTH = 1600
BODY_IMAGE_QUALITY = 82
CAPTION_MAX = 500
NOT_AN_IMAGE = _l("Tệp đã chọn không phải ảnh hợp lệ (JPEG, PNG, WebP).")
NO_FILE = _l("Vui lòng chọn một tệp ảnh.")
CAPTION_TOO_LONG = _l("Chú thích ảnh không được dài quá 500 ký tự.")


def body_image_max_bytes() -> int:
    return int(current_app.config["BODY_IMAGE_MAX_BYTES"])


def body_image_key(article: Article, data: bytes) -> str:
    """Content-addressed: the same picture placed twice is stored once. Hidden until the
    article is published (app.media.storage_keys)."""
    return storage_keys.body_image_key(article.id, hashlib.sha256(data).hexdigest(),
                                     article.is_published)


def add_body_image(article: Article, fileobj: IO[bytes] | None, caption: str,
                   user: User | None) -> ArticleImage:
    """Check, turn upright and store an image for the body of `article`; queue its widths.

    Raises BadInput when the file is not a picture or the caption too long.
    """
    caption = " ".join((caption or "").split())
    if len(caption) > CAPTION_MAX:
        raise BadInput(CAPTION_TOO_LONG)
    if fileobj is None:
        raise BadInput(NO_FILE)
    try:  # the cover's checks: a real picture, not too many pixels
        image = open_upload(fileobj, int(current_app.config["IMAGE_MAX_PIXELS"]))
    except ImageTooLarge as exc:
        raise BadInput(exc.reason) from None
    except InvalidMediaError:
        raise BadInput(NOT_AN_IMAGE) from None
    # Phone photos: upright first (the JPEG written carries no EXIF).
    data, width, height = web_jpeg(ImageOps.exif_transpose(image), BODY_IMAGE_MAX_WIDTH,
                                   quality=BODY_IMAGE_QUALITY)
    key = body_image_key(article, data)
    object_store().upload_fileobj(io.BytesIO(data), key, "image/jpeg")
    row = db.session.scalar(select(ArticleImage).where(
        ArticleImage.article_id == article.id,
        ArticleImage.key.in_([storage_keys.shown(key), storage_keys.hidden(key)])))
    if row is None:
        row = ArticleImage(article_id=article.id, key=key, variants={},
                           created_by_id=user.id if user is not None else None)
        db.session.add(row)
    row.caption, row.width, row.height = caption, width, height
    db.session.flush()
    audit.record("article.image", article, f"Thêm ảnh vào nội dung bài «{article.title}»",
                 image_id=row.id, key=key, caption=caption)
    db.session.commit()
    if not row.variants:
        request_body_image_variants(row)
    return row


def request_body_image_variants(image: ArticleImage) -> bool:
    """Queue the responsive widths of a (committed) body image. Never raises: without them
    the pages show the stored JPEG itself."""
    try:
        queues.enqueue_body_image_variants(redis_conn(), image.id, image.key, current_app.config)
    except RedisError as exc:
        log.error("could not queue variants of body image %s: %s", image.id, exc)
        return False
    return True


def image_payload(image: ArticleImage) -> dict[str, Any]:
    """What the editor's browser needs to place the image."""
    return {"id": image.id, "url": media_url(image.key), "width": image.width,
            "height": image.height, "caption": image.caption}


# --- body images on the public pages ----------------------------------------------------

# The article column's width (as templates/public/_cover.html ARTICLE_SIZES).
BODY_IMAGE_SIZES = ("(min-width: 792px) 680px, (min-width: 760px) calc(100vw - 112px), "
                    "calc(100vw - 64px)")
IMG_TAG = re.compile(r"<img\b([^>]*?)/?>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z][-a-zA-Z0-9_:]*)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'))?')
BODY_KEY = storage_keys.BODY_IMAGE_KEY


def _attributes(raw: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or "")
            for m in ATTRIBUTE.finditer(raw)}


def _srcset(variants: Mapping[str, str], suffix: str, extra: tuple[int, str] | None = None
            ) -> str:
    widths = sorted(int(n[: len(n) - len(suffix)]) for n in variants
                    if n.endswith(suffix) and n[: len(n) - len(suffix)].isdigit())
    entries = [(w, variants[f"{w}{suffix}"]) for w in widths]
    if extra is not None and (not widths or extra[0] > widths[-1]):
        entries.append(extra)
    return ", ".join(f"{media_url(key)} {w}w" for w, key in entries)


def _body_img(attrs: dict[str, str], image: ArticleImage | None) -> str:
    if image is not None:
        attrs["src"] = media_url(image.key) or attrs.get("src", "")
        if image.width and image.height:
            attrs["width"], attrs["height"] = str(image.width), str(image.height)
    variants = (image.variants or {}) if image is not None else {}
    jpeg = _srcset(variants, "", (image.width, image.key)) if variants and image else ""
    if jpeg:
        attrs["srcset"], attrs["sizes"] = jpeg, BODY_IMAGE_SIZES
    attrs.setdefault("alt", "")
    attrs["loading"], attrs["decoding"] = "lazy", "async"
    tag = "<img " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">"
    webp = _srcset(variants, ".webp") if variants else ""
    if not webp:
        return tag
    return (f'<picture><source type="image/webp" srcset="{escape(webp)}" '
            f'sizes="{BODY_IMAGE_SIZES}">{tag}</picture>')


def body_html_for_readers(article: Article) -> Markup:
    """The article's (sanitized) body as readers get it: its own body images with their
    responsive widths (srcset/sizes), every image lazy. Worked out at render time: body_html
    keeps the plain <img> the editor placed."""
    body = article.body_html or ""
    if "<img" not in body:
        return Markup(body)  # (no query for the many bodies without pictures)
    images = {storage_keys.shown(row.key): row for row in db.session.scalars(
        select(ArticleImage).where(ArticleImage.article_id == article.id))}

    def replace(match: re.Match[str]) -> str:
        attrs = _attributes(match.group(1))
        found = BODY_KEY.search(urlsplit(attrs.get("src", "")).path)
        return _body_img(attrs, images.get(found.group(0)) if found else None)

    return Markup(IMG_TAG.sub(replace, body))


def body_html_for_editor(article: Article) -> str:
    """The body as the edit form loads it: each of its pictures at a URL that works now (a
    draft's pictures are private, behind signed URLs that expire)."""
    body = article.body_html or ""
    if "<img" not in body:
        return body
    images = {storage_keys.shown(row.key): row for row in db.session.scalars(
        select(ArticleImage).where(ArticleImage.article_id == article.id))}

    def replace(match: re.Match[str]) -> str:
        attrs = _attributes(match.group(1))
        found = BODY_KEY.search(urlsplit(attrs.get("src", "")).path)
        image = images.get(found.group(0)) if found else None
        if image is None:
            return match.group(0)
        attrs["src"] = media_url(image.key) or attrs["src"]
        return "<img " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">"

    return IMG_TAG.sub(replace, body)


def unused_body_images(older_than: timedelta) -> list[ArticleImage]:
    """Images uploaded for a body more than `older_than` ago that no version of it shows:
    not the article's text, none of its revisions (a restore may bring one back), no
    autosave (unsaved work may)."""
    cutoff = utcnow() - older_than
    rows = db.session.execute(
        select(ArticleImage, Article.body_html).join(Article, Article.id == ArticleImage.article_id)
        .where(ArticleImage.created_at < cutoff)).all()
    # (A body names a picture by its public key, or by its hidden one while a draft.)
    candidates = [image for image, body in rows
                  if storage_keys.shown(image.key) not in (body or "")]
    if not candidates:
        return []
    article_ids = {image.article_id for image in candidates}
    texts: dict[int, list[str]] = {}
    for model in (ArticleRevision, Autosave):
        for article_id, fields in db.session.execute(
                select(model.article_id, model.fields).where(model.article_id.in_(article_ids))):
            texts.setdefault(article_id, []).append(str((fields or {}).get("body_html", "")))
    return [image for image in candidates
            if not any(storage_keys.shown(image.key) in text
                       for text in texts.get(image.article_id, []))]


def remove_unused_body_images(older_than: timedelta) -> int:
    """Delete the unused body images' rows and files (the picture and its widths)."""
    images = unused_body_images(older_than)
    keys = [key for image in images
            for key in (image.key, *(v for n, v in (image.variants or {}).items() if n != "size"))]
    for image in images:
        db.session.delete(image)
    db.session.commit()
    if keys:
        object_store().delete(*keys)
    return len(images)
