"""Articles a unit's own system sends through the API (POST /api/v1/articles): checked,
sanitized and stored as that unit's draft submitted for review. Never published from here."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from media_pipeline.text import has_words, html_to_paragraphs

from ..extensions import db
from ..models import ApiToken, Article, Category
from ..models.base import utcnow
from . import audit, workflow
from .errors import BadInput
from .publishing import ArticleInput, sanitize_html

FIELD_LIMITS = {"title": 300, "lede": 2000, "author_name": 120, "category": 140}
# What an attacker hides in HTML; anything else dropped is only formatting we do not keep.
UNSAFE_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
               "form", "input", "button", "textarea", "select", "link", "meta", "base", "svg",
               "math", "template", "noscript"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Markup(HTMLParser):
    """The tags and attributes of an HTML fragment, as (tag, attribute, value) triples."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: set[tuple[str, str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.add((tag, "", ""))
        for name, value in attrs:
            self.items.add((tag, name, (value or "").strip()))


def _markup(html: str) -> set[tuple[str, str, str]]:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.items


def removed_markup(original: str, cleaned: str) -> tuple[list[str], list[str]]:
    """What sanitizing took out of `original`: (unsafe things, other tags and attributes),
    each a sorted list of names ("script", "onclick", "href=javascript:", "div", …)."""
    unsafe: set[str] = set()
    other: set[str] = set()
    for tag, attr, value in _markup(original) - _markup(cleaned):
        if not attr:
            (unsafe if tag in UNSAFE_TAGS else other).add(tag)
        elif attr.startswith("on"):
            unsafe.add(attr)
        elif value.lower().replace(" ", "").startswith(UNSAFE_SCHEMES):
            unsafe.add(f"{attr}={value.split(':', 1)[0].lower()}:")
        elif tag not in UNSAFE_TAGS:  # the attributes of a dropped unsafe tag say nothing more
            other.add(attr)
    return sorted(unsafe), sorted(other)


def _text_field(payload: dict[str, Any], name: str, fields: dict[str, str]) -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        fields[name] = _("Trường này phải là một chuỗi văn bản.")
        return ""
    limit = FIELD_LIMITS.get(name)
    if limit and len(value.strip()) > limit:
        fields[name] = _("Tối đa %(n)d ký tự.", n=limit)
    return value


def parse_payload(payload: Any) -> tuple[ArticleInput, list[str]]:
    """The article the JSON asks for (category as a section slug), and the warnings to give
    back. Raises BadInput with every field's problem at once."""
    if not isinstance(payload, dict):
        raise BadInput(errors={"": _("Nội dung gửi lên phải là một đối tượng JSON.")})
    fields: dict[str, str] = {}
    title = _text_field(payload, "title", fields)
    body = _text_field(payload, "body_html", fields)
    lede = _text_field(payload, "lede", fields)
    author = _text_field(payload, "author_name", fields)
    category_slug = _text_field(payload, "category", fields).strip()
    if "title" not in fields and not title.strip():
        fields["title"] = _("Tiêu đề không được để trống.")
    cleaned = sanitize_html(body)
    if "body_html" not in fields and not has_words(" ".join(html_to_paragraphs(cleaned))):
        fields["body_html"] = _("Nội dung bài viết không được để trống.")
    category_id = None
    if category_slug and "category" not in fields:
        category_id = db.session.scalar(select(Category.id).where(Category.slug == category_slug))
        if category_id is None:
            fields["category"] = _("Không có chuyên mục với địa chỉ “%(s)s”.", s=category_slug)
    if fields:
        raise BadInput(errors=fields)
    data = ArticleInput(title=title, lede=lede, body_html=cleaned, author_name=author,
                        category_id=category_id)
    return data, _warnings(body, cleaned)


def _warnings(original: str, cleaned: str) -> list[str]:
    unsafe, other = removed_markup(original, cleaned)
    warnings = []
    if unsafe:
        warnings.append(_("Nội dung HTML không an toàn đã bị loại bỏ (%(items)s).",
                          items=", ".join(unsafe)))
    if other:
        warnings.append(_("Một số thẻ hoặc thuộc tính HTML không được hỗ trợ đã bị bỏ (%(items)s).",
                          items=", ".join(other)))
    return warnings


def submit_from_api(token: ApiToken, data: ArticleInput) -> Article:
    """Store `data` as the token's unit's draft and submit it for review (the workflow's own
    create and submit steps, recorded as done by `api:<prefix>`). Commits."""
    data.unit_id = token.unit_id
    actor = f"api:{token.prefix}"
    article = workflow.save(None, data, None, then="submit", actor=actor)
    token.last_used_at = utcnow()
    audit.record("api.submit", article,
                 _("Đơn vị %(u)s gửi bài “%(t)s” qua API (mã %(p)s).", u=token.unit.name,
                   t=article.title, p=token.prefix),
                 username=actor, token_id=token.id, unit_id=token.unit_id)
    db.session.commit()
    return article
