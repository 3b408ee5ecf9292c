from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import UTCDateTime, utcnow
from .content import Unit


class Role(enum.Enum):
    contributor = "contributor"  # writes for one unit
    editor = "editor"            # editorial board: reviews and publishes
    admin = "admin"              # runs categories, users and media jobs


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role"), default=Role.contributor)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    unit: Mapped[Unit | None] = relationship()
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wrong passwords in a row, and the moment the next try may be checked (growing delays,
    # app.services.accounts): a throttle, never a lock the owner cannot get past.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when an admin resets the password: the user must choose a new one at next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=sa_false())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def can_publish(self) -> bool:
        return self.role in (Role.editor, Role.admin)


class StaffSession(db.Model):  # type: ignore[name-defined]
    """A staff login, recorded on the server; the session cookie carries only its random token
    (stored here hashed). Logging out, a new password, an admin's reset or deactivation delete
    the rows, so a copied cookie stops working at once."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


def hash_method() -> str:
    """How new passwords are hashed (config PASSWORD_HASH_METHOD; scrypt outside an app)."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
