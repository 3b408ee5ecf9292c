"""An article's content: validating and applying an edit, covers, canonical image URLs and
the spoken text. Saving and publishing go through app/services/workflow.py alone."""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

import nh3
from flask import current_app
from PIL import Image, ImageOps

from media_pipeline.errors import InvalidMediaError
from media_pipeline.images import ImageTooLarge, open_upload, web_jpeg
from media_pipeline.text import has_words, html_to_paragraphs, spoken_text

from ..extensions import db
from ..media import lifecycle, storage_keys
from ..models import Article, ArticleStatus, ListenSource, MediaStatus, User
from . import audit
from .errors import BadInput
from .infra import object_store
from .search import refresh_search_text
from .slugs import unique_slug

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "ul", "ol",
                "li", "h2", "h3", "h4", "blockquote", "figure", "figcaption", "img", "table",
                "thead", "tbody", "tr", "th", "td", "caption", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"},
                      "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
COVER_MAX_WIDTH = 1600


@dataclass
class ArticleInput:
    title: str
    lede: str = ""
    body_html: str = ""
    author_name: str = ""
    cover_caption: str = ""
    category_id: int | None = None
    unit_id: int | None = None
    listen_source: ListenSource = ListenSource.narration


def count_words(body_html: str) -> int:
    """The words of a body as readers read it (its paragraphs, captions included): the
    reading time cards show (app.services.serializers.reading_minutes)."""
    return sum(len(paragraph.split()) for paragraph in html_to_paragraphs(body_html or ""))


def sanitize_html(html: str) -> str:
    """Body HTML with only the tags an article needs; scripts and handlers are dropped."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.IGNORECASE)


def canonical_image_urls(body: str) -> str:
    """The body's own pictures named by their public address, whatever URL the editor's
    browser held (a draft's are signed, and expire): the stored text keeps no signature, and
    pages put in the URL that works when they are shown (app.services.drafting)."""
    if "<img" not in body:
        return body
    store = object_store()

    def fix(match: re.Match[str]) -> str:
        url = html.unescape(match.group(2))
        found = storage_keys.BODY_IMAGE_KEY.search(urlsplit(url).path)
        if found is None or not url.startswith((store.public_url, store.endpoint_url)):
            return match.group(0)
        return match.group(1) + html.escape(store.url(found.group(0))) + match.group(3)

    return _IMG_SRC.sub(fix, body)


def validate(data: ArticleInput, for_publish: bool) -> dict[str, str]:
    errors = {}
    if not data.title.strip():
        errors["title"] = "Tiêu đề không được để trống."
    if for_publish and not has_words(" ".join(html_to_paragraphs(data.body_html))):
        errors["body_html"] = "Nội dung bài viết không được để trống khi xuất bản."
    return errors


def _spoken(article: Article) -> str:
    return spoken_text(article.title, article.lede, article.body_html)


def apply_input(article: Article | None, data: ArticleInput, user: User | None,
                for_publish: bool = False) -> tuple[Article, str | None]:
    """Check `data` and copy it into the article (a new one if None), without committing.

    A published or scheduled article must stay publishable. Returns the article and its
    spoken text before the change (None for a new article), for `needs_narration`.
    """
    data.body_html = canonical_image_urls(sanitize_html(data.body_html))
    data.title = data.title.strip()
    goes_live = article is not None and article.status in (ArticleStatus.published,
                                                           ArticleStatus.scheduled)
    errors = validate(data, for_publish=for_publish or goes_live)
    if errors:
        raise BadInput(errors=errors)
    before = _spoken(article) if article is not None and article.id is not None else None
    if article is None:
        article = Article(created_by=user, status=ArticleStatus.draft, view_count=0)
    if article.id is None:
        article.status = article.status or ArticleStatus.draft
        db.session.add(article)
    renamed_draft = (article.id is not None and not article.is_published
                     and article.title != data.title)
    if article.slug is None or renamed_draft:
        # Published URLs stay stable; drafts follow their title.
        article.slug = unique_slug(Article, data.title, "bai-viet", exclude_id=article.id)
    article.title = data.title
    article.lede = data.lede.strip()
    article.body_html = data.body_html
    article.word_count = count_words(data.body_html)
    article.author_name = data.author_name.strip()
    article.cover_caption = data.cover_caption.strip()
    article.category_id = data.category_id
    article.unit_id = data.unit_id
    article.listen_source = data.listen_source
    refresh_search_text(article)
    return article, before


def needs_narration(article: Article, spoken_before: str | None) -> bool:
    audio = article.asset("audio")
    if audio is None or audio.status in (MediaStatus.failed, MediaStatus.pending,
                                         MediaStatus.stale):
        return True
    return spoken_before != _spoken(article)


def read_cover(fileobj: IO[bytes]) -> Image.Image:
    """Check an uploaded cover image before anything is saved: a JPEG, PNG, WebP or GIF of at
    most IMAGE_MAX_PIXELS pixels (checked from its header, before decoding)."""
    try:
        return open_upload(fileobj, int(current_app.config["IMAGE_MAX_PIXELS"]))
    except ImageTooLarge as exc:
        raise BadInput(errors={"cover": exc.reason}) from None
    except InvalidMediaError:
        raise BadInput(errors=
            {"cover": "Ảnh bìa không phải tệp ảnh hợp lệ (JPEG, PNG, WebP)."}) from None


def store_cover(article: Article, image: Image.Image) -> None:
    """Store the cover as a web JPEG under a content-addressed key and point the article at it.

    Its responsive variants are made by a worker afterwards; the old cover's are retired.
    """
    # Phone photos: upright first (the JPEG written carries no EXIF).
    data, _, _ = web_jpeg(ImageOps.exif_transpose(image), COVER_MAX_WIDTH, quality=82)
    key = storage_keys.cover_key(article.id, hashlib.sha256(data).hexdigest(),
                               article.is_published)
    object_store().upload_fileobj(io.BytesIO(data), key, "image/jpeg")
    replaced: list[str] = []
    if article.cover_key != key:
        # The old variants show another picture: pages fall back to the plain cover until
        # the worker has made the new ones.
        replaced = [k for name, k in (article.cover_variants or {}).items() if name != "size"]
        article.cover_variants = {}
        audit.record("media.upload", article, f"Tải ảnh bìa lên cho bài «{article.title}»",
                     kind="cover")
    article.cover_key = key
    db.session.commit()
    if not article.cover_variants:  # (the same picture again keeps the variants it has)
        lifecycle.request_cover_variants(article, replaced)

