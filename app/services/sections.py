"""Admins run the sections (chuyên mục): names, order, visibility in the menu, new ones."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import has_request_context, request
from sqlalchemy import func, select

from ..extensions import db
from ..models import Category
from . import audit
from .errors import BadInput, transaction
from .slugs import unique_slug

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


def _add_category(name: str) -> Category:
    """The one way a section is made: a unique slug, placed last in the menu."""
    last = db.session.scalar(select(func.max(Category.position))) or 0
    category = Category(name=name, slug=unique_slug(Category, name, "chuyen-muc"),
                        position=last + 1)
    db.session.add(category)
    db.session.flush()
    return category


def category_named(name: str) -> Category:
    """The section called `name` (letter case aside), made if there is none yet: for imports
    and the demo, which name sections rather than pick them. Not committed."""
    name = " ".join(name.split())[:MAX_NAME]
    folded = name.casefold()
    for category in db.session.scalars(select(Category)):
        if category.name.casefold() == folded:
            return category
    return _add_category(name)


def apply_changes(form: Mapping[str, str]) -> None:
    """Apply the sections form: every section's name, order and visibility, and a new one if
    named. All or nothing: BadInput (in Vietnamese) changes nothing."""
    categories = db.session.scalars(select(Category)).all()
    changes = []
    for category in categories:
        name = " ".join(form.get(f"name_{category.id}", category.name).split())
        if not name or len(name) > MAX_NAME:
            raise BadInput(f"Tên chuyên mục phải có từ 1 đến {MAX_NAME} ký tự.")
        try:
            position = int(form.get(f"position_{category.id}", category.position))
        except ValueError:
            raise BadInput("Thứ tự phải là một số nguyên.") from None
        changes.append((category, name, position, form.get(f"hidden_{category.id}") == "on"))
    new_name = " ".join(form.get("new_name", "").split())
    if len(new_name) > MAX_NAME:
        raise BadInput(f"Tên chuyên mục phải có từ 1 đến {MAX_NAME} ký tự.")
    names = [name.casefold() for _, name, _, _ in changes]
    names += [new_name.casefold()] if new_name else []
    if len(names) != len(set(names)):
        raise BadInput("Hai chuyên mục không được trùng tên.")
    with transaction():
        for category, name, position, hidden in changes:
            if (category.name, category.position, category.hidden) == (name, position, hidden):
                continue
            was = category.name
            category.name, category.position, category.hidden = name, position, hidden
            audit.record("section.edit", category, _section_summary(was, name, hidden),
                         position=position, hidden=hidden)
        if new_name:
            category = _add_category(new_name)
            audit.record("section.create", category, f"Thêm chuyên mục «{new_name}»")


def _section_summary(was: str, name: str, hidden: bool) -> str:
    said = f"Sửa chuyên mục «{was}»" if was == name else \
        f"Đổi tên chuyên mục «{was}» thành «{name}»"
    return said + (" (ẩn khỏi menu)" if hidden else "")
