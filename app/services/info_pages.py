"""Info pages admins run (steering committee, editorial board, regulations, contact)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import InfoPage
from . import audit
from .errors import BadInput
from .publishing import sanitize_html
from .slugs import unique_slug


def save_page(page: InfoPage | None, title: str, body_html: str, position: str | int,
              published: bool) -> InfoPage:
    """Create (page None) or update an info page; `position` as the form sent it."""
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise BadInput("Tiêu đề trang phải có từ 1 đến 200 ký tự.")
    try:
        position = int(str(position).strip() or 0)
    except ValueError:
        raise BadInput(_("Thứ tự phải là một số nguyên.")) from None
    created = page is None
    if page is None:
        page = InfoPage(slug=unique_slug(InfoPage, title, "trang"))
        db.session.add(page)
    page.title, page.body_html = title, sanitize_html(body_html)
    page.position, page.published = position, published
    audit.record_saved(created, ("page.create", "page.edit"), page,
                       f"trang thông tin «{page.title}»", published=published)
    db.session.commit()
    return page


def published_pages() -> list[InfoPage]:
    return list(db.session.scalars(select(InfoPage).where(InfoPage.published.is_(True))
                                   .order_by(InfoPage.position, InfoPage.title)))
