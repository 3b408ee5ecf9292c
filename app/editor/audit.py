"""Editor page: the audit log (nhật ký) — who did what and when, newest first, filtered by
action, person, target and dates. Admins only: it names every member of staff."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..i18n import format_number
from ..models import Article, AuditEntry
from ..services.localtime import local_midnight_utc
from . import bp
from .access import admin_required

PER_PAGE = 50
MAX_PAGE = 100_000
MIN_YEAR, MAX_YEAR = 2000, 2999  # dates outside are typing mistakes (and overflow nothing)
_ACTION = re.compile(r"[a-z0-9_.]{1,60}")
_TARGET_TYPE = re.compile(r"[a-z0-9_]{1,40}")

# What each action is called on the page. Every action recorded anywhere has a line here
# (tests/app/views/test_audit_log.py collects them from the code); an unknown one still gets
# words (generic_action_label), never its raw key.
ACTION_LABELS = {
    "article.create": _l("Tạo bài viết"),
    "article.edit": _l("Sửa bài viết"),
    "article.submit": _l("Gửi duyệt bài viết"),
    "article.return": _l("Trả lại bài viết"),
    "article.publish": _l("Xuất bản bài viết"),
    "article.schedule": _l("Hẹn giờ xuất bản"),
    "article.unpublish": _l("Gỡ bài khỏi cổng"),
    "article.restore": _l("Khôi phục phiên bản cũ"),
    "article.delete": _l("Xóa bài viết"),
    "article.image": _l("Thêm ảnh vào bài viết"),
    "user.create": _l("Tạo tài khoản"),
    "user.edit": _l("Sửa tài khoản"),
    "user.role": _l("Đổi vai trò"),
    "user.password_reset": _l("Đặt lại mật khẩu"),
    "user.lock": _l("Khóa tài khoản"),
    "user.unlock": _l("Mở khóa tài khoản"),
    "login.failed": _l("Đăng nhập sai"),
    "login.locked": _l("Tạm khóa đăng nhập"),
    "login.throttled": _l("Làm chậm đăng nhập"),
    "unit.create": _l("Tạo đơn vị"),
    "unit.edit": _l("Sửa đơn vị"),
    "token.create": _l("Cấp khóa API"),
    "token.revoke": _l("Thu hồi khóa API"),
    "api.submit": _l("Gửi bài qua API"),
    "media.upload": _l("Tải tệp media lên"),
    "media.caption": _l("Thêm phụ đề video"),
    "media.retry": _l("Làm lại bản nghe/xem"),
    "media.requeue": _l("Xếp lại hàng đợi xử lý"),
    "media.preview": _l("Nghe thử bản đọc"),
    "media.cancel": _l("Hủy xử lý media"),
    "comment.approve": _l("Duyệt bình luận"),
    "comment.reject": _l("Từ chối bình luận"),
    "comment.pending": _l("Đưa bình luận về chờ duyệt"),
    "comment.delete": _l("Xóa bình luận"),
    "banner.create": _l("Thêm banner"),
    "banner.edit": _l("Sửa banner"),
    "banner.delete": _l("Xóa banner"),
    "document.create": _l("Thêm văn bản"),
    "document.edit": _l("Sửa văn bản"),
    "document.delete": _l("Xóa văn bản"),
    "schedule.create": _l("Thêm lịch công tác"),
    "schedule.edit": _l("Sửa lịch công tác"),
    "schedule.delete": _l("Xóa lịch công tác"),
    "page.create": _l("Thêm trang thông tin"),
    "page.edit": _l("Sửa trang thông tin"),
    "section.create": _l("Thêm chuyên mục"),
    "section.edit": _l("Sửa chuyên mục"),
    "lexicon.create": _l("Thêm cách đọc vào từ điển"),
    "lexicon.edit": _l("Sửa cách đọc trong từ điển"),
    "lexicon.delete": _l("Xóa cách đọc khỏi từ điển"),
    "settings.edit": _l("Sửa thông tin cổng"),
    "home.pin": _l("Ghim lên trang chủ"),
    "home.unpin": _l("Bỏ ghim trên trang chủ"),
    "home.order": _l("Đổi thứ tự trên trang chủ"),
}
TARGET_LABELS = {
    "articles": _l("Bài viết"),
    "users": _l("Tài khoản"),
    "units": _l("Đơn vị"),
    "api_tokens": _l("Khóa API"),
    "media_assets": _l("Bản nghe/xem"),
    "categories": _l("Chuyên mục"),
    "comments": _l("Bình luận"),
    "banners": _l("Banner"),
    "documents": _l("Văn bản"),
    "schedule_entries": _l("Lịch công tác"),
    "info_pages": _l("Trang thông tin"),
    "lexicon_entries": _l("Từ điển phát âm"),
    "article_images": _l("Ảnh trong bài"),
}
# For an action recorded by code newer than this table: its thing and its verb in words.
ACTION_THINGS = {"article": _l("bài viết"), "user": _l("tài khoản"), "unit": _l("đơn vị"),
                 "token": _l("khóa API"), "media": _l("media"), "comment": _l("bình luận"),
                 "banner": _l("banner"), "document": _l("văn bản"),
                 "schedule": _l("lịch công tác"), "page": _l("trang thông tin"),
                 "section": _l("chuyên mục"), "lexicon": _l("từ điển phát âm"),
                 "settings": _l("thông tin cổng"), "home": _l("trang chủ"),
                 "login": _l("đăng nhập")}
ACTION_VERBS = {"create": _l("Tạo"), "edit": _l("Sửa"), "delete": _l("Xóa"),
                "upload": _l("Tải lên"), "publish": _l("Công bố"), "approve": _l("Duyệt"),
                "reject": _l("Từ chối")}

# The details an entry carries, in words: what each key means…
DETAIL_LABELS = {
    "version": _l("Phiên bản"), "note": _l("Ghi chú"), "old": _l("Trước"), "new": _l("Sau"),
    "previous": _l("Trạng thái trước"), "changed": _l("Đã đổi"), "kind": _l("Loại"),
    "article_id": _l("Bài viết"), "published": _l("Công bố"), "active": _l("Đang dùng"),
    "hidden": _l("Ẩn khỏi menu"), "position": _l("Thứ tự"), "role": _l("Vai trò"),
    "unit_id": _l("Mã đơn vị"), "caption": _l("Chú thích"), "lang": _l("Ngôn ngữ"),
    "file": _l("Tệp"), "queue": _l("Hàng đợi"), "restored": _l("Khôi phục từ phiên bản"),
    "scheduled_at": _l("Hẹn lúc"), "slug": _l("Địa chỉ"), "title": _l("Tiêu đề"),
    "failures": _l("Số lần sai"), "new_image": _l("Ảnh mới"), "new_file": _l("Tệp mới"),
}
# …machine-only keys left out (storage keys, job and row ids)…
HIDDEN_DETAILS = {"key", "image_id", "job_id", "token_id"}
# …and the values it records: states, roles, kinds, yes and no.
VALUE_WORDS = {
    "draft": _l("bản nháp"), "submitted": _l("chờ duyệt"), "returned": _l("bị trả lại"),
    "scheduled": _l("hẹn giờ"), "published": _l("đã xuất bản"),
    "active": _l("đang hoạt động"), "locked": _l("bị khóa"),
    "pending": _l("chờ duyệt"), "approved": _l("đã duyệt"), "rejected": _l("bị từ chối"),
    "queued": _l("trong hàng đợi"), "processing": _l("đang xử lý"), "ready": _l("sẵn sàng"),
    "failed": _l("lỗi"), "stale": _l("cần làm lại"),
    "admin": _l("quản trị"), "editor": _l("biên tập viên"), "contributor": _l("cộng tác viên"),
    "audio": _l("bản nghe"), "video": _l("video tải lên"), "briefing": _l("video tóm tắt"),
    "cover": _l("ảnh bìa"), "narration": _l("bản đọc tự động"),
}
# Keys whose values name fields rather than states.
FIELD_WORDS = {"full_name": _l("họ tên"), "unit": _l("đơn vị"),
               "active": _l("trạng thái hoạt động"), "role": _l("vai trò")}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else generic_action_label(action)


def generic_action_label(action: str) -> str:
    """Words for an action no label names yet: "Sửa văn bản" from "document.edit" when its
    parts are known, else a plain "Thao tác khác"."""
    thing, _sep, verb = action.partition(".")
    if thing in ACTION_THINGS and verb in ACTION_VERBS:
        return f"{ACTION_VERBS[verb]} {ACTION_THINGS[thing]}"
    if thing in ACTION_THINGS:
        return _("Thao tác khác với %(thing)s", thing=ACTION_THINGS[thing])
    return _("Thao tác khác")


def target_label(target_type: str) -> str:
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else _("Đối tượng khác")


def value_words(key: str, value: Any) -> str:
    """One recorded value as the page shows it: known states in words, lists joined, yes/no,
    a mapping as "key: value" pairs; anything else as it is."""
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(value_words(key, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(k)}: {value_words(k, v)}" for k, v in value.items())
    if isinstance(value, int | float):
        return format_number(value) if key not in ("article_id", "unit_id") else f"#{value}"
    words = FIELD_WORDS if key == "changed" else VALUE_WORDS
    found = words.get(str(value))
    return str(found) if found is not None else str(value)


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def detail_words(details: Any) -> list[tuple[str, str]]:
    """An entry's details as (label, value) pairs in words, machine-only keys left out."""
    if not isinstance(details, dict):
        return []
    return [(detail_label(k), value_words(k, v)) for k, v in details.items()
            if k not in HIDDEN_DETAILS]


@dataclass
class Filters:
    """The page's filters, as typed (`values`) and as understood; `errors` per field."""

    values: dict[str, str]
    action: str = ""
    user: str = ""
    target_type: str = ""
    target_id: int | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        """The filters for links to other pages of the same list."""
        return {k: v for k, v in self.values.items() if v and k != "trang"}


def _date(raw: str) -> date | None:
    day = date.fromisoformat(raw)  # ValueError for anything else
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(raw)
    return day


def parse_filters(args) -> Filters:
    names = ("hanh_dong", "nguoi", "loai", "ma", "tu", "den", "trang")
    values = {n: (args.get(n) or "").strip() for n in names}
    found = Filters(values=values)
    errors = found.errors
    if values["hanh_dong"] and not _ACTION.fullmatch(values["hanh_dong"]):
        errors["hanh_dong"] = _("Hành động không hợp lệ.")
    found.action = values["hanh_dong"]
    if len(values["nguoi"]) > 80:
        errors["nguoi"] = _("Tên người dùng quá dài (tối đa 80 ký tự).")
    found.user = values["nguoi"]
    if values["loai"] and not _TARGET_TYPE.fullmatch(values["loai"]):
        errors["loai"] = _("Loại đối tượng không hợp lệ.")
    found.target_type = values["loai"]
    if values["ma"]:
        if values["ma"].isascii() and values["ma"].isdigit() and len(values["ma"]) <= 9:
            found.target_id = int(values["ma"])
        else:
            errors["ma"] = _("Mã đối tượng phải là một số, ví dụ mã bài viết 125.")
    for name, attr in (("tu", "since"), ("den", "until")):
        if values[name]:
            try:
                setattr(found, attr, _date(values[name]))
            except ValueError:
                errors[name] = _("Ngày không hợp lệ, hãy chọn ngày theo dạng năm-tháng-ngày.")
    if found.since and found.until and found.since > found.until:
        errors["den"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
    if values["trang"]:
        page = int(values["trang"]) if values["trang"].isascii() and \
            values["trang"].isdigit() and len(values["trang"]) <= 6 else 0
        if not 1 <= page <= MAX_PAGE:
            errors["trang"] = _("Số trang không hợp lệ.")
        else:
            found.page = page
    return found


def _local_midnight_utc(day: date) -> datetime:
    return local_midnight_utc(day)


def entries_query(filters: Filters):
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.user:
        query = query.where(AuditEntry.username.icontains(filters.user, autoescape=True))
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    if filters.since:  # from local midnight starting the first day…
        query = query.where(AuditEntry.at >= _local_midnight_utc(filters.since))
    if filters.until:  # …to local midnight after the last
        query = query.where(AuditEntry.at < _local_midnight_utc(filters.until
                                                                + timedelta(days=1)))
    return query


def _article_titles(entries: list[AuditEntry]) -> dict[int, str]:
    """Titles of the page's target articles that still exist (deleted ones get no link)."""
    ids = {e.target_id for e in entries if e.target_type == "articles" and e.target_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Article.id, Article.title)
                                   .where(Article.id.in_(ids))).tuples().all())


def _present(column) -> list[str]:
    return [v for v in db.session.scalars(select(column).distinct().order_by(column)) if v]


@bp.get("/nhat-ky")
@admin_required
def audit_page():
    filters = parse_filters(request.args)
    actions = _present(AuditEntry.action)
    target_types = _present(AuditEntry.target_type)
    if filters.errors:
        return render_template(
            "editor/audit.html", filters=filters, entries=[], page=None, titles={},
            actions=actions, target_types=target_types, action_label=action_label,
            target_label=target_label, detail_words=detail_words), 400
    page = db.paginate(entries_query(filters), page=filters.page, per_page=PER_PAGE,
                       error_out=False)
    return render_template(
        "editor/audit.html", filters=filters, entries=page.items, page=page,
        titles=_article_titles(page.items), actions=actions, target_types=target_types,
        action_label=action_label, target_label=target_label, detail_words=detail_words)
