"""Admins run the sections (chuyên mục): names, order, visibility in the menu, new ones."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import has_request_context, request
from slugify import slugify
from sqlalchemy import select

from ..extensions import db
from ..models import Category

MAX_NAME = 120
MEMO_KEY = "docnghexem.memo"  # in the WSGI environ: lives exactly as long as one request

T = TypeVar("T")


def per_request(name: str, load: Callable[[], T]) -> T:
    """`load()` once per request, then its result again: the menu, the footer and the home
    blocks ask for the same rows. Kept in the request's environ rather than `g`, which
    outlives a request when an app context is already pushed (tests, CLI)."""
    if not has_request_context():
        return load()
    memo: dict[str, Any] = request.environ.setdefault(MEMO_KEY, {})
    if name not in memo:
        memo[name] = load()
    return memo[name]


def menu_sections() -> list[Category]:
    """The sections shown in the menu, in menu order: one query per request."""
    return per_request("menu_sections", lambda: list(db.session.scalars(
        select(Category).where(Category.hidden.is_(False))
        .order_by(Category.position, Category.name))))


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
