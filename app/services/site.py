"""The portal's identity, run by admins: name, governing body, person responsible, licence,
address, phone, e-mail, emblem and the banner slot's label.

Stored as key/value rows (app.models.SiteSetting); a field with no row takes its default from
config.py (SITE_NAME, SITE_EMBLEM, …). Kept in each process while a version number in Redis
stays the same: saving bumps it after the commit, so every process reads the new identity at
its next request, and the commit drops every cached page (app.services.cache_hooks: the
masthead and the footer are on all of them).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO

from flask import current_app, has_request_context, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from PIL import Image
from redis.exceptions import RedisError
from sqlalchemy import select

from media_pipeline.errors import InvalidMediaError
from media_pipeline.images import ImageTooLarge, open_upload

from ..extensions import db
from ..models import SiteSetting
from ..urls import absolute_url
from . import audit
from .errors import BadInput
from .infra import media_url, object_store, redis_conn
from .sections import MEMO_KEY, per_request

log = logging.getLogger(__name__)
VERSION_KEY = "docnghexem:site:version"

# The banner slot's label: the setting's value → the words readers see ("" for none). ("Quảng
# cáo" in a context of its own: as the admin menu's name it means the banners page.)
BANNER_LABELS = {"propaganda": _l("Thông tin tuyên truyền"),
                 "ads": lazy_pgettext("nhãn biểu ngữ", "Quảng cáo"), "none": _l("Không ghi nhãn")}
EMBLEM_FORMATS = ("PNG", "JPEG", "WEBP")
EMBLEM_MAX_SIDE = 256  # shown at most 64 CSS px tall: 256 covers 4x screens
# images/site/emblem-<sha256-16>-<w>x<h>.png: public, content-addressed (cached for a year),
# its size in the key so pages give <img> its width and height without a column for it.
EMBLEM_KEY_RE = re.compile(r"-(\d+)x(\d+)\.png$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


@dataclass(frozen=True)
class SiteIdentity:
    name: str
    governing_body: str = ""
    responsible: str = ""
    licence_number: str = ""
    licence_date: str = ""  # yyyy-mm-dd, or ""
    address: str = ""
    phone: str = ""
    email: str = ""
    emblem_key: str = ""  # in the object store; "" means the default emblem (SITE_EMBLEM)
    banner_label: str = "propaganda"

    @property
    def banner_text(self) -> str:
        """The banner slot's label as readers see it; "" when the slot carries none."""
        return "" if self.banner_label == "none" else str(BANNER_LABELS[self.banner_label])

    @property
    def phone_link(self) -> str:
        """The phone number as a tel: address: its digits (and a leading +) only."""
        digits = re.sub(r"[^\d+]", "", self.phone)
        return digits[:1] + digits[1:].replace("+", "")

    @property
    def licence_day(self) -> date | None:
        try:
            return date.fromisoformat(self.licence_date) if self.licence_date else None
        except ValueError:
            return None

    @property
    def licence_text(self) -> str:
        """"Giấy phép số 152/GP-TTĐT ngày 14/06/2024", or "" when no number is set."""
        if not self.licence_number:
            return ""
        day = self.licence_day
        if day is None:
            return _("Giấy phép số %(number)s", number=self.licence_number)
        return _("Giấy phép số %(number)s ngày %(day)s", number=self.licence_number,
                 day=day.strftime("%d/%m/%Y"))

    @property
    def emblem_url(self) -> str:
        """Where browsers fetch the emblem: the uploaded one from the store, else the default
        from static/ (both cached for a long time: content-addressed)."""
        return media_url(self.emblem_key) or url_for("static", filename=default_emblem_file())

    @property
    def emblem_absolute_url(self) -> str:
        """The emblem's URL for feeds and JSON-LD, which need an absolute one."""
        return media_url(self.emblem_key) or absolute_url("static",
                                                          filename=default_emblem_file())

    @property
    def emblem_size(self) -> tuple[int, int] | None:
        match = EMBLEM_KEY_RE.search(self.emblem_key)
        if match:
            return int(match.group(1)), int(match.group(2))
        return _static_image_size(default_emblem_file())


FIELD_NAMES = tuple(f.name for f in fields(SiteIdentity))
# What the audit summary calls each field.
FIELD_LABELS = {
    "name": _l("tên cổng"), "governing_body": _l("cơ quan chủ quản"),
    "responsible": _l("người chịu trách nhiệm chính"), "licence_number": _l("số giấy phép"),
    "licence_date": _l("ngày cấp giấy phép"), "address": _l("địa chỉ"),
    "phone": _l("điện thoại"), "email": _l("thư điện tử"), "emblem_key": _l("biểu trưng"),
    "banner_label": _l("nhãn ô quảng cáo"),
}


def default_emblem_file() -> str:
    """SITE_EMBLEM as a path under static/ (the file shipped with the portal otherwise)."""
    configured = Path(str(current_app.config.get("SITE_EMBLEM") or ""))
    static = Path(current_app.static_folder or "")
    try:
        return configured.resolve().relative_to(static.resolve()).as_posix()
    except ValueError:
        return "img/emblem.png"


@lru_cache(maxsize=8)
def _static_image_size_at(path: str) -> tuple[int, int] | None:
    try:
        with Image.open(path) as image:
            return image.size
    except OSError:
        return None


def _static_image_size(filename: str) -> tuple[int, int] | None:
    return _static_image_size_at(str(Path(current_app.static_folder or "") / filename))


def defaults() -> SiteIdentity:
    cfg = current_app.config
    label = str(cfg.get("SITE_BANNER_LABEL") or "propaganda")
    return SiteIdentity(
        name=cfg["SITE_NAME"], governing_body=cfg.get("SITE_GOVERNING_BODY", ""),
        responsible=cfg.get("SITE_RESPONSIBLE", ""),
        licence_number=cfg.get("SITE_LICENCE_NUMBER", ""),
        licence_date=cfg.get("SITE_LICENCE_DATE", ""), address=cfg.get("SITE_ADDRESS", ""),
        phone=cfg.get("SITE_PHONE", ""), email=cfg.get("SITE_EMAIL", ""),
        banner_label=label if label in BANNER_LABELS else "propaganda")


def _load() -> SiteIdentity:
    stored = {key: value for key, value in db.session.execute(
        select(SiteSetting.key, SiteSetting.value))}
    base = defaults()
    values = {name: stored.get(name, getattr(base, name)) for name in FIELD_NAMES}
    if values["banner_label"] not in BANNER_LABELS:
        values["banner_label"] = base.banner_label
    if not values["name"]:
        values["name"] = base.name
    return SiteIdentity(**values)


def anything_set() -> bool:
    return db.session.scalar(select(SiteSetting.key).limit(1)) is not None


def _version() -> str | None:
    try:
        value = redis_conn().get(VERSION_KEY)
    except RedisError:
        return None
    if isinstance(value, bytes):
        return value.decode()
    return str(value) if value else "0"


def _cached() -> SiteIdentity:
    """The identity kept in this process for as long as the version in Redis stays the same
    (a save bumps it after its commit, so every process reloads at its next request)."""
    version = _version()
    if version is None:  # Redis is down: ask the database, as every request then must
        return _load()
    cache = current_app.extensions.setdefault("site_identity", {})
    entry = cache.get("entry")
    if entry is not None and entry[0] == version:
        return entry[1]
    identity = _load()
    cache["entry"] = (version, identity)
    return identity


def current() -> SiteIdentity:
    """The identity as set now; no SQL while it has not changed (one Redis GET a request)."""
    return per_request("site_identity", _cached)


def changed_everywhere() -> None:
    """After a commit that changed the identity: this process forgets it and the version in
    Redis moves, so the others reload it at their next request."""
    current_app.extensions.get("site_identity", {}).pop("entry", None)
    if has_request_context():  # this request's pages show the new identity too
        request.environ.get(MEMO_KEY, {}).pop("site_identity", None)
    try:
        redis_conn().incr(VERSION_KEY)
    except RedisError as exc:
        log.warning("site identity version not bumped: %s", exc)


# --- saving ----------------------------------------------------------------------------------

def check_email(value: str) -> str | None:
    if value and (len(value) > 200 or not EMAIL_RE.match(value)):
        return _("Địa chỉ thư điện tử không hợp lệ (ví dụ: banbientap@hoaan.gov.vn).")
    return None


def emblem_max_mb() -> str:
    """SITE_EMBLEM_MAX_BYTES in MB, written the Vietnamese way ("2", "1,5")."""
    return f"{int(current_app.config['SITE_EMBLEM_MAX_BYTES']) / 1024 / 1024:g}".replace(".", ",")


def read_emblem(fileobj: IO[bytes]) -> Image.Image:
    """The uploaded emblem, checked by its content (not its name): a PNG, JPEG or WebP of at
    most SITE_EMBLEM_MAX_BYTES and IMAGE_MAX_PIXELS. BadInput (field "emblem") otherwise."""
    limit = int(current_app.config["SITE_EMBLEM_MAX_BYTES"])
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise BadInput(errors={"emblem": _("Ảnh biểu trưng vượt quá %(mb)s MB.",
                                           mb=emblem_max_mb())})
    not_image = _("Tệp tải lên không phải ảnh PNG, JPEG hoặc WebP hợp lệ.")
    try:
        image = open_upload(io.BytesIO(data), int(current_app.config["IMAGE_MAX_PIXELS"]))
    except ImageTooLarge as exc:
        raise BadInput(errors={"emblem": exc.reason}) from None
    except InvalidMediaError:
        raise BadInput(errors={"emblem": not_image}) from None
    if image.format not in EMBLEM_FORMATS:
        raise BadInput(errors={"emblem": not_image})
    return image


def store_emblem(image: Image.Image) -> str:
    """A PNG (keeps the emblem's transparency) at most EMBLEM_MAX_SIDE a side, stored public
    under a content-addressed key."""
    image = image.convert("RGBA")
    image.thumbnail((EMBLEM_MAX_SIDE, EMBLEM_MAX_SIDE))
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    key = f"images/site/emblem-{digest}-{image.width}x{image.height}.png"
    object_store().upload_fileobj(io.BytesIO(data), key, "image/png")
    return key


def save(values: dict[str, str], emblem: Image.Image | None = None, actor: str = "") -> list[str]:
    """Store the fields given (and the new emblem) and audit it as "settings.edit" (by the
    logged-in admin, or `actor`), in one transaction. Returns the names of the fields that
    changed (none: nothing written)."""
    before = _load()
    wanted = {name: (values.get(name, getattr(before, name)) or "").strip()
              for name in FIELD_NAMES if name != "emblem_key"}
    if emblem is not None:
        wanted["emblem_key"] = store_emblem(emblem)
    changed = [name for name, value in wanted.items() if value != getattr(before, name)]
    if not changed:
        return []
    rows = {row.key: row for row in db.session.scalars(
        select(SiteSetting).where(SiteSetting.key.in_(changed)))}
    for name in changed:
        row = rows.get(name) or SiteSetting(key=name)
        row.value = wanted[name]
        db.session.add(row)
    words = ", ".join(str(FIELD_LABELS[name]) for name in changed)
    audit.record("settings.edit", None, _("Sửa thông tin cổng: %(fields)s", fields=words),
                 username=actor, fields=changed)
    # The old emblem stays in the store (a few KB): feed readers, search engines and a briefing
    # being made right now may still fetch it by the address they were given.
    db.session.commit()  # app.services.cache_hooks calls changed_everywhere()
    return changed
