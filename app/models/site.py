from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SiteSetting(db.Model):  # type: ignore[name-defined]
    """One field of the portal's identity (name, governing body, licence, emblem, …) that an
    admin has set; a field with no row takes its default from config (app.services.site)."""

    __tablename__ = "site_settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
