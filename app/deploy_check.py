"""Is this deployment safe? The settings production must not run with, as Django's
`check --deploy` lists them: development secrets, demo accounts, debug mode, plain-HTTP links
and cookies, a Redis without a password.

`create_app()` refuses to start a production app (`REFUSE_UNSAFE_SETTINGS`) while any of these
holds, naming each; `flask check-deploy` prints them all and exits non-zero.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from redis.connection import parse_url as parse_redis_url
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from config import DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY

from .demo import DEMO_ACCOUNTS
from .extensions import db
from .models import User

log = logging.getLogger(__name__)
MIN_SECRET_LENGTH = 32
# Values that must never sign a production session: the old built-in default, the tests' key.
KNOWN_SECRETS = {"dev-only-secret-change-me", "test-secret", "change-me", "secret"}


@dataclass(frozen=True)
class Problem:
    setting: str
    message: str  # what is wrong and what to do, in Vietnamese

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


class UnsafeSettings(RuntimeError):
    """Production would start with settings an attacker could use."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("Không khởi động ở chế độ production vì cấu hình chưa an toàn:\n"
                         + "\n".join(f"  - {p}" for p in problems)
                         + "\nChạy `flask check-deploy` để xem lại sau khi sửa.")
        self.problems = problems


def settings_problems(cfg: Mapping[str, Any]) -> list[Problem]:
    """What is unsafe in these settings alone (no database needed)."""
    problems = []
    secret = str(cfg.get("SECRET_KEY") or "")
    if not secret:
        problems.append(Problem("SECRET_KEY", "chưa đặt; hãy đặt một chuỗi ngẫu nhiên dài "
                                              "(ví dụ: python -c 'import secrets; "
                                              "print(secrets.token_hex(32))')."))
    elif secret in KNOWN_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        problems.append(Problem("SECRET_KEY", f"là giá trị mặc định hoặc quá ngắn (cần ít nhất "
                                              f"{MIN_SECRET_LENGTH} ký tự ngẫu nhiên)."))
    for name, dev_value in (("S3_ACCESS_KEY", DEV_S3_ACCESS_KEY),
                            ("S3_SECRET_KEY", DEV_S3_SECRET_KEY)):
        value = str(cfg.get(name) or "")
        if not value:
            problems.append(Problem(name, "chưa đặt khóa truy cập kho lưu trữ."))
        elif value == dev_value:
            problems.append(Problem(name, "vẫn là khóa mặc định của môi trường phát triển."))
    if not _redis_password(str(cfg.get("REDIS_URL") or "")):
        problems.append(Problem("REDIS_URL", "Redis chưa có mật khẩu (redis://:MẬT_KHẨU@máy:6379/0"
                                             " hoặc tài khoản ACL redis://TÊN:MẬT_KHẨU@…)."))
    site = urlsplit(str(cfg.get("SITE_URL") or ""))
    if site.scheme != "https" or not site.hostname:
        problems.append(Problem("SITE_URL", "phải là địa chỉ HTTPS của cổng "
                                            "(ví dụ https://cong.example.gov.vn)."))
    if cfg.get("DEBUG"):
        problems.append(Problem("FLASK_DEBUG", "đang bật chế độ gỡ lỗi; hãy tắt."))
    if not cfg.get("SESSION_COOKIE_SECURE"):
        problems.append(Problem("SESSION_COOKIE_SECURE", "phải bật để cookie đăng nhập chỉ đi "
                                                         "qua HTTPS."))
    if int(cfg.get("HSTS_SECONDS") or 0) <= 0:
        problems.append(Problem("HSTS_SECONDS", "phải lớn hơn 0 để trình duyệt luôn dùng HTTPS."))
    return problems


def _redis_password(url: str) -> str:
    try:
        return str(parse_redis_url(url).get("password") or "")
    except ValueError:
        return ""


def demo_account_problems() -> list[Problem]:
    """Demo accounts that still open with their published passwords (`flask demo seed`)."""
    try:
        users = db.session.scalars(select(User).where(
            User.username.in_([account.username for account in DEMO_ACCOUNTS]))).all()
    except SQLAlchemyError as exc:  # no schema yet (before `flask db upgrade`): nothing to find
        db.session.rollback()
        log.warning("demo accounts not checked (no schema yet?): %s", getattr(exc, "orig", exc))
        return []
    passwords = {account.username: account.password for account in DEMO_ACCOUNTS}
    return [Problem(f"users/{user.username}",
                    "tài khoản mẫu vẫn mở bằng mật khẩu mẫu; hãy xóa hoặc đổi mật khẩu.")
            for user in users if user.active and user.check_password(passwords[user.username])]


def all_problems(app: Any) -> list[Problem]:
    """Settings and database together (needs the app; opens and closes a DB connection)."""
    with app.app_context():
        try:
            return settings_problems(app.config) + demo_account_problems()
        finally:
            db.session.remove()
            db.engine.dispose()  # gunicorn forks after this: each worker opens its own
