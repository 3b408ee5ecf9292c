"""Info pages admins run (steering committee, editorial board, regulations, contact)."""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import select

from ..extensions import db
from ..models import InfoPage
from .publishing import sanitize_html


class InfoPageError(ValueError):
    pass


def save_page(page: InfoPage | None, title: str, body_html: str, position: int,
              published: bool) -> InfoPage:
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise InfoPageError("Tiêu đề trang phải có từ 1 đến 200 ký tự.")
    if page is None:
        base = slugify(title, max_length=200, word_boundary=True) or "trang"
        slug, n = base, 1
        while db.session.scalar(select(InfoPage.id).where(InfoPage.slug == slug)):
            n += 1
            slug = f"{base}-{n}"
        page = InfoPage(slug=slug)
        db.session.add(page)
    page.title, page.body_html = title, sanitize_html(body_html)
    page.position, page.published = position, published
    db.session.commit()
    return page


def published_pages() -> list[InfoPage]:
    return list(db.session.scalars(select(InfoPage).where(InfoPage.published.is_(True))
                                   .order_by(InfoPage.position, InfoPage.title)))
