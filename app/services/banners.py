"""The home page's banner slot ("Quảng cáo"): images admins place, each with a link and dates."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import IO
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import or_, select

from media_pipeline.errors import InvalidMediaError
from media_pipeline.images import ImageTooLarge, open_upload, web_jpeg

from ..extensions import db
from ..media import storage_keys
from ..models import Banner
from . import audit
from .errors import BadInput
from .infra import media_url, object_store
from .localtime import today

BANNER_MAX_WIDTH = 1200
# The key carries the stored size, so pages give <img> its width and height (no layout
# shift) without a column for it: images/banners/<sha256-16>-<w>x<h>.jpg
KEY_SIZE_RE = re.compile(r"-(\d+)x(\d+)\.jpg$")


@dataclass
class BannerInput:
    title: str = ""
    alt_text: str = ""
    link_url: str = ""
    position: str = "0"
    active: bool = True
    starts_on: str = ""
    ends_on: str = ""

    @classmethod
    def from_form(cls, form) -> BannerInput:
        def text(name: str, limit: int = 600) -> str:
            return " ".join((form.get(name) or "")[:limit].split())

        return cls(title=text("title"), alt_text=text("alt_text"), link_url=text("link_url"),
                   position=text("position", 20) or "0", active=form.get("active") == "on",
                   starts_on=text("starts_on", 20), ends_on=text("ends_on", 20))

    @classmethod
    def from_banner(cls, banner: Banner) -> BannerInput:
        return cls(title=banner.title, alt_text=banner.alt_text, link_url=banner.link_url,
                   position=str(banner.position), active=banner.active,
                   starts_on=banner.starts_on.isoformat() if banner.starts_on else "",
                   ends_on=banner.ends_on.isoformat() if banner.ends_on else "")


def is_outside(link: str) -> bool:
    return link.lower().startswith(("http://", "https://"))


def check_link(link: str) -> str | None:
    """An error message unless the link is http(s) or a path on this site."""
    if not link:
        return None
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return None
    parts = urlsplit(link)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and "\\" not in link:
        return None
    return _("Liên kết phải bắt đầu bằng http://, https:// hoặc / (trang trong cổng).")


def _parse_date(value: str, label: str, errors: dict[str, str], field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = _("%(label)s không hợp lệ (cần dạng năm-tháng-ngày).", label=label)
        return None


def read_image(fileobj: IO[bytes]) -> Image.Image:
    """Check an uploaded banner image before anything is saved."""
    try:
        return open_upload(fileobj, int(current_app.config["IMAGE_MAX_PIXELS"]))
    except ImageTooLarge as exc:
        raise BadInput(errors={"image": exc.reason}) from None
    except InvalidMediaError:
        raise BadInput(errors={
            "image": _("Tệp tải lên không phải ảnh hợp lệ (JPEG, PNG, WebP).")}) from None


def store_image(image: Image.Image) -> str:
    """A web JPEG at most BANNER_MAX_WIDTH wide, under a content-addressed key."""
    data, width, height = web_jpeg(image, BANNER_MAX_WIDTH, quality=85)
    key = storage_keys.banner_key(hashlib.sha256(data).hexdigest(), width, height)
    object_store().upload_fileobj(io.BytesIO(data), key, "image/jpeg")
    return key


def image_size(key: str | None) -> tuple[int, int] | None:
    match = KEY_SIZE_RE.search(key or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def save_banner(banner: Banner | None, data: BannerInput, upload: IO[bytes] | None) -> Banner:
    """Create or update a banner; raises BadInput with every problem found at once."""
    errors: dict[str, str] = {}
    if not data.title or len(data.title) > 200:
        errors["title"] = _("Tiêu đề phải có từ 1 đến 200 ký tự.")
    if not data.alt_text or len(data.alt_text) > 300:
        errors["alt_text"] = _("Mô tả ảnh (alt) phải có từ 1 đến 300 ký tự.")
    link_error = check_link(data.link_url) or (
        _("Liên kết dài quá 500 ký tự.") if len(data.link_url) > 500 else None)
    if link_error:
        errors["link_url"] = link_error
    try:
        position = int(data.position)
        if abs(position) > 1_000_000:
            raise ValueError
    except ValueError:
        errors["position"] = _("Thứ tự phải là một số nguyên.")
        position = 0
    starts = _parse_date(data.starts_on, _("Ngày bắt đầu"), errors, "starts_on")
    ends = _parse_date(data.ends_on, _("Ngày kết thúc"), errors, "ends_on")
    if starts and ends and starts > ends:
        errors["ends_on"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
    image = None
    if upload is not None:
        try:
            image = read_image(upload)
        except BadInput as exc:
            errors.update(exc.errors)
    elif banner is None or not banner.image_key:
        errors["image"] = _("Vui lòng chọn ảnh cho quảng cáo.")
    if errors:
        raise BadInput(errors=errors)
    old_key = banner.image_key if banner else None
    created = banner is None
    if banner is None:
        banner = Banner()
        db.session.add(banner)
    if image is not None:
        banner.image_key = store_image(image)
    banner.title, banner.alt_text, banner.link_url = data.title, data.alt_text, data.link_url
    banner.position, banner.active = position, data.active
    banner.starts_on, banner.ends_on = starts, ends
    audit.record_saved(created, ("banner.create", "banner.edit"), banner,
                       f"banner «{banner.title}»", active=banner.active,
                       **({} if created else {"new_image": image is not None}))
    db.session.commit()
    if old_key and old_key != banner.image_key:
        _drop_image_if_unused(old_key)
    return banner


def delete_banner(banner: Banner) -> None:
    key = banner.image_key
    audit.record("banner.delete", banner, f"Xóa banner «{banner.title}»")
    db.session.delete(banner)
    db.session.commit()
    if key:
        _drop_image_if_unused(key)


def _drop_image_if_unused(key: str) -> None:
    """Content-addressed keys can be shared by two banners: keep the image while one uses it."""
    if not db.session.scalar(select(Banner.id).where(Banner.image_key == key).limit(1)):
        object_store().delete(key)



def all_banners() -> list[Banner]:
    return list(db.session.scalars(select(Banner).order_by(Banner.position, Banner.id)))


def active_banners() -> list[dict[str, object]]:
    """What the home page's slot shows today (in Vietnam): active, within dates, by position."""
    day = today()
    rows = db.session.scalars(
        select(Banner).where(Banner.active.is_(True), Banner.image_key.is_not(None),
                             or_(Banner.starts_on.is_(None), Banner.starts_on <= day),
                             or_(Banner.ends_on.is_(None), Banner.ends_on >= day))
        .order_by(Banner.position, Banner.id))
    return [{"title": b.title, "alt": b.alt_text, "link": b.link_url,
             "outside": is_outside(b.link_url), "src": media_url(b.image_key),
             "size": image_size(b.image_key)} for b in rows]
