"""The documents library (văn bản, Decree 42/2022): saving, checking files, listing.

A document's file is accepted by what it *is*, never by its name: a PDF starts with `%PDF-`
and ends with `%%EOF`; a DOCX is a zip holding `word/document.xml` and `[Content_Types].xml`.
The file is checked whole before anything is written, so a refused upload leaves both the
database and the object store as they were.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import textwrap
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont
from slugify import slugify
from sqlalchemy import Select, distinct, extract, literal, select

from ..extensions import db
from ..i18n import human_size
from ..media import storage_keys
from ..models import Document
from . import audit
from .errors import BadInput
from .infra import init_storage, object_store
from .search import canonical, fold, folded_words, words
from .slugs import unique_slug

log = logging.getLogger(__name__)

DOCUMENT_TYPES = ("Nghị quyết", "Quyết định", "Chỉ thị", "Kết luận", "Kế hoạch", "Công văn",
                  "Thông báo", "Báo cáo", "Hướng dẫn", "Quy định")
FILE_TYPES = {"pdf": "application/pdf",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
EOF_WINDOW = 1024  # %%EOF may be followed by a little whitespace or a trailing comment
# A DOCX is a few XML parts; these bounds refuse zip bombs without inflating anything.
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_RATIO = 100
ZIP_MAX_UNPACKED = 500 * 1024**2
CHUNK = 1024 * 1024
LIMITS = {"number": 80, "issuer": 200, "signer": 120, "summary": 4000}


@dataclass
class Upload:
    """An uploaded file as the form gave it: its bytes and the name on the editor's disk."""

    stream: IO[bytes]
    filename: str


@dataclass
class CheckedFile:
    """A file that passed the checks, spooled to a temporary file (closed by the caller)."""

    data: IO[bytes]
    kind: str  # "pdf" or "docx"
    size: int
    digest: str
    filename: str

    def key(self, document_id: int, public: bool) -> str:
        return storage_keys.document_key(document_id, self.digest, self.kind, public)


# --- parsing the form ----------------------------------------------------------------------

def parse_date(raw: str | None) -> date | None:
    """dd/mm/yyyy as people type it, or yyyy-mm-dd as <input type=date> sends it."""
    raw = (raw or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def _clean(raw: str | None) -> str:
    """One line, single spaces, no control characters (PostgreSQL refuses NUL in text)."""
    return " ".join(_strip_controls(raw).split())


def _strip_controls(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "") if ch >= " " or ch in "\n\t")


def make_search_text(number: str, doc_type: str, issuer: str, signer: str, summary: str) -> str:
    return folded_words([number, doc_type, issuer, signer, summary])


@dataclass
class Fields:
    number: str
    doc_type: str
    issuer: str
    signer: str
    issued_on: date
    effective_on: date | None
    summary: str
    published: bool


def read_fields(form: Mapping[str, str]) -> Fields:
    """The form's fields, checked; every problem is reported at once."""
    errors: dict[str, str] = {}
    values = {name: _clean(form.get(name)) for name in ("number", "doc_type", "issuer", "signer")}
    summary = _strip_controls(form.get("summary")).strip()
    # Messages are translated only when needed: the demo seed runs outside any request.
    if not values["number"]:
        errors["number"] = _("Hãy nhập số, ký hiệu văn bản.")
    if not values["doc_type"]:
        errors["doc_type"] = _("Hãy chọn loại văn bản.")
    if not values["issuer"]:
        errors["issuer"] = _("Hãy nhập cơ quan ban hành.")
    if values["doc_type"] and values["doc_type"] not in DOCUMENT_TYPES:
        errors["doc_type"] = _("Loại văn bản không hợp lệ.")
    if not summary:
        errors["summary"] = _("Hãy nhập trích yếu nội dung.")
    for name, limit in LIMITS.items():
        value = summary if name == "summary" else values[name]
        if len(value) > limit:
            errors[name] = _("Tối đa %(limit)s ký tự.", limit=limit)
    issued_on = parse_date(form.get("issued_on"))
    if issued_on is None:
        errors["issued_on"] = _("Hãy nhập ngày ban hành dạng ngày/tháng/năm, ví dụ 05/01/2026.")
    effective_on = None
    if (form.get("effective_on") or "").strip():
        effective_on = parse_date(form.get("effective_on"))
        if effective_on is None:
            errors["effective_on"] = _("Ngày hiệu lực phải có dạng ngày/tháng/năm.")
        elif issued_on is not None and effective_on < issued_on:
            errors["effective_on"] = _("Ngày hiệu lực không thể trước ngày ban hành.")
    if errors:
        raise BadInput(errors=errors)
    assert issued_on is not None
    return Fields(number=values["number"], doc_type=values["doc_type"], issuer=values["issuer"],
                  signer=values["signer"], issued_on=issued_on, effective_on=effective_on,
                  summary=summary, published=form.get("published") in ("on", "1", "true"))


# --- checking the file ---------------------------------------------------------------------

def file_label(document: Document) -> str:
    """What a download link says about the file: "PDF, 1,2 MB"."""
    if not document.file_key:
        return ""
    return f"{document.file_type.upper()}, {human_size(document.file_size)}"


def _is_pdf(data: IO[bytes], size: int) -> bool:
    data.seek(0)
    if data.read(5) != b"%PDF-":
        return False
    data.seek(max(0, size - EOF_WINDOW))
    return b"%%EOF" in data.read()


def _is_docx(data: IO[bytes], size: int) -> bool:
    data.seek(0)
    if data.read(4) != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(data) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return False
            unpacked = sum(info.file_size for info in infos)
            if len(infos) > ZIP_MAX_ENTRIES or unpacked > ZIP_MAX_UNPACKED \
                    or unpacked > ZIP_MAX_RATIO * max(size, 1):
                return False  # a zip bomb, or a zip pretending to be small
            types = archive.getinfo("[Content_Types].xml")
            if types.file_size > CHUNK:
                return False
            return b"wordprocessingml" in archive.read(types)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return False


def check_file(upload: Upload) -> CheckedFile:
    """Spool the upload while hashing it, then decide by content whether it is a PDF or DOCX."""
    limit = int(current_app.config["DOCUMENT_MAX_BYTES"])
    data: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)
    digest, size = hashlib.sha256(), 0
    try:
        while chunk := upload.stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise BadInput(errors={"file": _("Tệp quá lớn: tối đa %(limit)s.",
                                                 limit=human_size(limit))})
            digest.update(chunk)
            data.write(chunk)
        if size == 0:
            raise BadInput(errors={"file": _("Tệp đính kèm rỗng.")})
        if _is_pdf(data, size):
            kind = "pdf"
        elif _is_docx(data, size):
            kind = "docx"
        else:
            raise BadInput(errors={"file": _(
                "Chỉ nhận tệp PDF hoặc Word (DOCX) thật; tệp này không phải PDF hay DOCX.")})
    except BaseException:
        data.close()
        raise
    data.seek(0)
    # NFC: browsers on macOS send decomposed names ("Nghi\u0323 quyê\u0301t").
    name = Path(unicodedata.normalize("NFC", _clean(upload.filename)).replace("\\", "/")).name
    name = name[:200]
    stem = Path(name).stem if name else ""
    return CheckedFile(data=data, kind=kind, size=size, digest=digest.hexdigest(),
                       filename=f"{stem or 'van-ban'}.{kind}")


def content_disposition(filename: str, kind: str) -> str:
    """RFC 6266: an ASCII fallback plus the UTF-8 name, so "Nghị quyết.pdf" survives."""
    fallback = (slugify(Path(filename).stem) or "van-ban") + f".{kind}"
    disposition = "inline" if kind == "pdf" else "attachment"  # PDFs open in the browser
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _put(checked: CheckedFile, key: str) -> None:
    store = object_store()
    checked.data.seek(0)
    store.client.upload_fileobj(checked.data, store.bucket, key, ExtraArgs={
        "ContentType": FILE_TYPES[checked.kind],
        "ContentDisposition": content_disposition(checked.filename, checked.kind),
        # Short: the same bytes re-sent under another name rewrite this key, and a withdrawn
        # document must not live on in caches for long.
        "CacheControl": "public, max-age=300"})


def _delete_quietly(*keys: str) -> None:
    """Remove stored files that nothing points at any more; a failure only leaves litter."""
    keys = tuple(k for k in keys if k)
    if not keys:
        return
    try:
        object_store().delete(*keys)
    except (BotoCoreError, ClientError):
        log.warning("could not delete %s from the object store", keys, exc_info=True)


# --- saving ---------------------------------------------------------------------------------

def _unique_slug(fields: Fields, document: Document | None) -> str:
    return unique_slug(Document, f"{fields.doc_type} {fields.number} {fields.issued_on.year}",
                       "van-ban", exclude_id=document.id if document is not None else None)


def save_document(document: Document | None, form: Mapping[str, str],
                  upload: Upload | None) -> Document:
    """Create (document None) or update a document from form fields and an optional file.

    A new document needs a file. Everything is checked before anything is written; a
    replaced file is deleted from the store only once the new row is committed.
    """
    errors: dict[str, str] = {}
    fields = None
    try:
        fields = read_fields(form)
    except BadInput as exc:
        errors.update(exc.errors)
    checked = None
    if upload is not None:
        try:
            checked = check_file(upload)
        except BadInput as exc:
            errors.update(exc.errors)
    elif document is None or not document.file_key:
        errors.setdefault("file", _("Hãy đính kèm tệp văn bản (PDF hoặc DOCX)."))
    if errors or fields is None:
        if checked is not None:
            checked.data.close()
        raise BadInput(errors=errors)
    try:
        return _write(document, fields, checked)
    finally:
        if checked is not None:
            checked.data.close()


def _write(document: Document | None, fields: Fields, checked: CheckedFile | None) -> Document:
    # The address follows type, number and year; it only changes when they do.
    if document is None or (document.doc_type, document.number, document.issued_on.year) != \
            (fields.doc_type, fields.number, fields.issued_on.year):
        slug = _unique_slug(fields, document)
    else:
        slug = document.slug
    created = document is None
    if document is None:
        document = Document()
        db.session.add(document)
    document.slug = slug
    document.number, document.doc_type = fields.number, fields.doc_type
    document.issuer, document.signer = fields.issuer, fields.signer
    document.issued_on, document.effective_on = fields.issued_on, fields.effective_on
    document.summary, document.published = fields.summary, fields.published
    document.search_text = make_search_text(fields.number, fields.doc_type, fields.issuer,
                                            fields.signer, fields.summary)
    old_key = document.file_key
    new_key = None
    if checked is None and old_key:  # published or withdrawn: the file follows at once
        new_key = _move_file(old_key, document.published)
        document.file_key = new_key
    if checked is not None:
        db.session.flush()  # the id names the file's folder
        new_key = checked.key(document.id, document.published)
        try:
            _put(checked, new_key)
        except (BotoCoreError, ClientError):
            db.session.rollback()
            log.exception("could not store %s", new_key)
            raise BadInput(errors={"file": _("Không lưu được tệp, vui lòng thử lại.")}) from None
        document.file_key, document.file_name = new_key, checked.filename
        document.file_size, document.file_type = checked.size, checked.kind
    audit.record_saved(created, ("document.create", "document.edit"), document,
                       f"văn bản {document.doc_type} số {document.number}",
                       published=document.published,
                       **({} if created else {"new_file": checked is not None}))
    _commit_file_change(old_key, new_key)
    return document


def _commit_file_change(old_key: str | None, new_key: str | None) -> None:
    """Commit a document whose file moved from `old_key` to `new_key`: the new copy goes if
    the commit fails, the old one once it has succeeded."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if new_key and new_key != old_key:
            _delete_quietly(new_key)
        raise
    if new_key and old_key and old_key != new_key:
        _delete_quietly(old_key)


def _move_file(key: str, published: bool) -> str:
    """A document's file where its publication says: public, or hidden at once when it is
    withdrawn (app.media.storage_keys). The old copy is deleted after the commit."""
    wanted = storage_keys.placed(key, published)
    if wanted != key:
        try:
            object_store().copy(key, wanted)
        except (BotoCoreError, ClientError):
            log.exception("could not move %s", key)
            raise BadInput(errors={"file": _("Không chuyển được tệp văn bản, vui lòng thử lại.")}) \
                from None
    return wanted


def set_published(document: Document, published: bool) -> None:
    """Publish or withdraw a document: its file is public, or no longer served, from now."""
    old_key = document.file_key
    new_key = _move_file(old_key, published) if old_key else None
    document.published = published
    document.file_key = new_key
    name = f"{document.doc_type} số {document.number}"
    audit.record("document.edit", document,
                 f"Công bố văn bản {name}" if published else f"Ngừng công bố văn bản {name}",
                 published=published)
    _commit_file_change(old_key, new_key)


def delete_document(document: Document) -> None:
    key = document.file_key
    audit.record("document.delete", document,
                 f"Xóa văn bản {document.doc_type} số {document.number}")
    db.session.delete(document)
    db.session.commit()
    if key:
        _delete_quietly(key)


# --- listing --------------------------------------------------------------------------------

@dataclass
class Filters:
    """The reader's filters, each None when absent or not a value we know (then ignored)."""

    doc_type: str | None = None
    issuer: str | None = None
    year: int | None = None
    q: str = ""

    @property
    def terms(self) -> list[str]:
        return [canonical(w) for w in words(fold(self.q))][:MAX_QUERY_WORDS]

    def args(self) -> dict[str, str]:
        """The query-string arguments that reproduce these filters (for pager links)."""
        out = {"loai": self.doc_type or "", "co-quan": self.issuer or "",
               "nam": str(self.year or ""), "q": self.q}
        return {k: v for k, v in out.items() if v}


def read_filters(args: Mapping[str, str], issuers: list[str]) -> Filters:
    doc_type = args.get("loai", "")
    issuer = args.get("co-quan", "")
    year_raw = (args.get("nam") or "").strip()
    year = int(year_raw) if year_raw.isdigit() and 1900 <= int(year_raw) <= 2200 else None
    return Filters(doc_type=doc_type if doc_type in DOCUMENT_TYPES else None,
                   issuer=issuer if issuer in issuers else None, year=year,
                   q=" ".join((args.get("q") or "").split())[:MAX_QUERY_CHARS])


def filtered(filters: Filters, published_only: bool = True) -> Select[tuple[Document]]:
    """Documents matching the filters, newest issue date first.

    Every folded query word must begin a word of search_text, and a number must be one of
    its numbers (stored without leading zeros: "05" and "5" find "05-NQ/TU", not "2005" nor
    "50"): a LIKE on " " + search_text + " ", which reads the same on SQLite and PostgreSQL.
    """
    stmt = select(Document).order_by(Document.issued_on.desc(), Document.id.desc())
    if published_only:
        stmt = stmt.where(Document.published.is_(True))
    if filters.doc_type:
        stmt = stmt.where(Document.doc_type == filters.doc_type)
    if filters.issuer:
        stmt = stmt.where(Document.issuer == filters.issuer)
    if filters.year:
        stmt = stmt.where(Document.issued_on >= date(filters.year, 1, 1),
                          Document.issued_on <= date(filters.year, 12, 31))
    padded = literal(" ") + Document.search_text + literal(" ")
    for term in filters.terms:  # letters and digits only: no LIKE wildcards inside
        stmt = stmt.where(padded.like(f"% {term} %" if term.isdigit() else f"% {term}%"))
    return stmt


def issuers(published_only: bool = True) -> list[str]:
    stmt = select(distinct(Document.issuer)).order_by(Document.issuer)
    if published_only:
        stmt = stmt.where(Document.published.is_(True))
    return list(db.session.scalars(stmt))


def years(published_only: bool = True) -> list[int]:
    year = extract("year", Document.issued_on)
    stmt = select(distinct(year)).order_by(year.desc())
    if published_only:
        stmt = stmt.where(Document.published.is_(True))
    return [int(y) for y in db.session.scalars(stmt) if y is not None]


def published_by_slug(slug: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.slug == slug,
                                                    Document.published.is_(True)))


# --- demo content ---------------------------------------------------------------------------

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "documents.json"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def demo_pdf(lines: list[str]) -> bytes:
    """A one-page A5 PDF showing `lines`: Pillow draws them, so Vietnamese needs no PDF fonts."""
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(FONT, 18)
    except OSError:
        font = ImageFont.load_default(18)
    page = Image.new("L", (620, 874), 255)  # A5 at 100 dpi, greyscale keeps it small
    draw = ImageDraw.Draw(page)
    y = 50
    for line in lines:
        for part in textwrap.wrap(line, 52) or [""]:
            draw.text((50, y), part, font=font, fill=0)
            y += 28
        y += 10
    buf = io.BytesIO()
    page.save(buf, "PDF", resolution=100.0)
    return buf.getvalue()


def seed_demo_documents() -> list[Document]:
    """Load app/demo/documents.json with a generated PDF each; documents already there
    (same type and number) are left alone, so running it twice adds nothing."""
    init_storage()
    created = []
    for item in json.loads(DEMO_FILE.read_text(encoding="utf-8")):
        exists = db.session.scalar(select(Document.id).where(
            Document.doc_type == item["doc_type"], Document.number == item["number"]))
        if exists is not None:
            continue
        pdf = demo_pdf([item["issuer"].upper(), f"Số: {item['number']}",
                        item["doc_type"].upper(), item["summary"],
                        f"Người ký: {item.get('signer', '')}",
                        "(Văn bản minh họa, nội dung hư cấu)"])
        form = {**item, "published": "on"}
        created.append(save_document(None, form, Upload(io.BytesIO(pdf), item["file_name"])))
    return created
