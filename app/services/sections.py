"""Admins run the sections (chuyên mục): names, order, visibility in the menu, new ones."""

from __future__ import annotations

from collections.abc import Mapping

from slugify import slugify
from sqlalchemy import select

from ..extensions import db
from ..models import Category

MAX_NAME = 120


def apply_changes(form: Mapping[str, str]) -> str | None:
    """Apply the sections form; returns a Vietnamese error, or None when all is saved."""
    categories = db.session.scalars(select(Category)).all()
    names: set[str] = set()
    for category in categories:
        name = " ".join(form.get(f"name_{category.id}", category.name).split())
        if not name or len(name) > MAX_NAME:
            return f"Tên chuyên mục phải có từ 1 đến {MAX_NAME} ký tự."
        try:
            position = int(form.get(f"position_{category.id}", category.position))
        except ValueError:
            return "Thứ tự phải là một số nguyên."
        category.name, category.position = name, position
        category.hidden = form.get(f"hidden_{category.id}") == "on"
        names.add(name.casefold())
    new_name = " ".join(form.get("new_name", "").split())
    if new_name:
        if len(new_name) > MAX_NAME:
            return f"Tên chuyên mục phải có từ 1 đến {MAX_NAME} ký tự."
        base = slugify(new_name) or "chuyen-muc"
        slug, n = base, 1
        while db.session.scalar(select(Category.id).where(Category.slug == slug)):
            n += 1
            slug = f"{base}-{n}"
        position = max((c.position for c in categories), default=0) + 1
        db.session.add(Category(name=new_name, slug=slug, position=position))
        names_list = [*names, new_name.casefold()]
    else:
        names_list = list(names)
    if len(names_list) != len(set(names_list)):
        return "Hai chuyên mục không được trùng tên."
    db.session.commit()
    return None
