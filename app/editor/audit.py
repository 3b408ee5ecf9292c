"""Editor page: the audit log (nhật ký) — who did what and when, newest first, filtered by
action, person, target and dates. Admins only: it names every member of staff."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Article, AuditEntry
from ..services.localtime import local_midnight_utc
from . import bp
from .access import admin_required

PER_PAGE = 50
MAX_PAGE = 100_000
MIN_YEAR, MAX_YEAR = 2000, 2999  # dates outside are typing mistakes (and overflow nothing)
_ACTION = re.compile(r"[a-z0-9_.]{1,60}")
_TARGET_TYPE = re.compile(r"[a-z0-9_]{1,40}")

# What each action is called on the page; actions added later show as recorded.
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
    "media.retry": _l("Làm lại bản nghe/xem"),
    "media.requeue": _l("Xếp lại hàng đợi xử lý"),
    "media.preview": _l("Nghe thử bản đọc"),
    "settings.edit": _l("Sửa thông tin cổng"),
}
TARGET_LABELS = {
    "articles": _l("Bài viết"),
    "users": _l("Tài khoản"),
    "units": _l("Đơn vị"),
    "api_tokens": _l("Khóa API"),
    "media_assets": _l("Bản nghe/xem"),
    "categories": _l("Chuyên mục"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def target_label(target_type: str) -> str:
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type


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
            target_label=target_label), 400
    page = db.paginate(entries_query(filters), page=filters.page, per_page=PER_PAGE,
                       error_out=False)
    return render_template(
        "editor/audit.html", filters=filters, entries=page.items, page=page,
        titles=_article_titles(page.items), actions=actions, target_types=target_types,
        action_label=action_label, target_label=target_label)
