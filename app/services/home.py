"""The home page as editors arrange it: a pinned top story, 2–4 featured stories and the
first stories of each section's block, each pin until its expiry time.

A pin needs no job to end: the home page reads only pins still running whose article is
published (and, for a section's block, still in that section). With no pin, the newest
story leads, as before. Every change is audited ("home.pin", "home.unpin", "home.order")
and drops the cached home page only (app.services.cache_hooks tags a pin "home").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, defer

from ..extensions import db
from ..models import Article, ArticleStatus, Category, HomePin, PinSlot, User
from ..models.base import utcnow
from . import audit
from .errors import BadInput, Conflict, NotFound, transaction
from .localtime import display_tz, local
from .search import folded_words

FEATURED_MIN, FEATURED_MAX = 2, 4
SECTION_MAX = 4  # a section's block shows four stories: at most all four pinned
DEFAULT_HOURS = 24
LONGEST = timedelta(days=365)
CANDIDATES = 50  # the picker's choices: the newest published articles (or those found)

SLOT_NAMES = {PinSlot.top: "tin chính", PinSlot.featured: "tin nổi bật",
              PinSlot.section: "đầu khối chuyên mục"}

# What a card needs of a pinned article (the media come with it, in one more query).
_CARD_DEFERS = (defer(Article.body_html), defer(Article.search_text),
                defer(Article.search_exact), defer(Article.search_title),
                defer(Article.search_lede))


# --- reading ----------------------------------------------------------------------------

@dataclass
class Arrangement:
    """The running pins that show: the top story, the featured ones in order, each section's
    pinned stories in order, and when the first of them runs out (the cached page's end)."""

    top: Article | None = None
    featured: list[Article] = field(default_factory=list)
    sections: dict[int, list[Article]] = field(default_factory=dict)
    next_expiry: datetime | None = None

    @property
    def pinned_ids(self) -> set[int]:
        """The top and featured stories: the newest-first list below leaves them out."""
        return {a.id for a in ([self.top] if self.top else []) + self.featured}


def _pins_query(now: datetime) -> Select[tuple[HomePin]]:
    return (select(HomePin).join(HomePin.article)
            .where(HomePin.expires_at > now)
            .options(contains_eager(HomePin.article).options(*_CARD_DEFERS))
            .order_by(HomePin.position, HomePin.id))


def arrangement(now: datetime | None = None) -> Arrangement:
    """What the pins put on the home page now: one query (and one for the articles' media)."""
    now = now or utcnow()
    pins = db.session.scalars(
        _pins_query(now).where(Article.status == ArticleStatus.published)).unique().all()
    found = Arrangement()
    for pin in pins:
        article = pin.article
        if pin.slot is PinSlot.top and found.top is None:
            found.top = article
        elif pin.slot is PinSlot.featured:
            found.featured.append(article)
        elif pin.slot is PinSlot.section and pin.category_id is not None \
                and pin.category_id == article.category_id:
            found.sections.setdefault(pin.category_id, []).append(article)
        else:
            continue
        if found.next_expiry is None or pin.expires_at < found.next_expiry:
            found.next_expiry = pin.expires_at
    top_id = found.top.id if found.top else None
    found.featured = [a for a in found.featured if a.id != top_id][:FEATURED_MAX]
    found.sections = {c: articles[:SECTION_MAX] for c, articles in found.sections.items()}
    return found


def merge_block(pinned: list[Article], newest: Iterable[Article], size: int) -> list[Article]:
    """A section's block: its pinned stories in order, then its newest, `size` in all."""
    shown = {a.id for a in pinned}
    return (pinned + [a for a in newest if a.id not in shown])[:size]


@dataclass
class PinGroup:
    """The pins of one slot (and section) as the editors' page lists them."""

    slot: PinSlot
    category: Category | None
    pins: list[HomePin]


def running_pins(now: datetime | None = None) -> list[HomePin]:
    """Every pin not yet run out, whatever its article's state (the page says which show)."""
    return list(db.session.scalars(_pins_query(now or utcnow())).unique())


def editor_groups(sections: list[Category], now: datetime | None = None
                  ) -> tuple[PinGroup, PinGroup, list[PinGroup]]:
    """The top, featured and per-section pin groups for the editors' page."""
    pins = running_pins(now)
    top = PinGroup(PinSlot.top, None, [p for p in pins if p.slot is PinSlot.top])
    featured = PinGroup(PinSlot.featured, None, [p for p in pins if p.slot is PinSlot.featured])
    blocks = [PinGroup(PinSlot.section, c, [p for p in pins if p.slot is PinSlot.section
                                            and p.category_id == c.id]) for c in sections]
    return top, featured, blocks


def candidates(text: str = "", limit: int = CANDIDATES) -> list[Article]:
    """Published articles an editor may pin, newest first; with `text`, those whose title
    holds each of its words (with or without diacritics)."""
    query = (select(Article).options(*_CARD_DEFERS)
             .where(Article.status == ArticleStatus.published)
             .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))
    for word in folded_words([text[:200]]).split()[:8]:
        query = query.where((" " + Article.search_title + " ").contains(f" {word}",
                                                                     autoescape=True))
    return list(db.session.scalars(query))


def candidates_with(article_id: int, choices: list[Article]) -> list[Article]:
    """The picker's choices with the article an editor came to pin (?bai=), if published."""
    article = db.session.get(Article, article_id)
    return [article, *choices] if article is not None and article.is_published else choices


# --- the expiry -------------------------------------------------------------------------

def default_expiry(now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(hours=DEFAULT_HOURS)


def local_input_value(moment: datetime) -> str:
    """`moment` as a datetime-local field shows it, in Vietnam time."""
    return local(moment).strftime("%Y-%m-%dT%H:%M")


def parse_expiry(raw: str | None, now: datetime | None = None) -> datetime:
    """The expiry an editor typed (Vietnam time, "2026-12-07T14:30"), in UTC; empty means
    DEFAULT_HOURS from now. It must lie ahead, and within a year."""
    now = now or utcnow()
    raw = (raw or "").strip()
    if not raw:
        return default_expiry(now)
    try:
        typed = datetime.fromisoformat(raw[:19])
        moment = (typed.replace(tzinfo=display_tz()) if typed.tzinfo is None else typed
                  ).astimezone(UTC)
    except (ValueError, OverflowError):  # (year 1 in Vietnam time is before year 1 in UTC)
        raise BadInput(errors={"het_han": _("Thời điểm hết hạn không hợp lệ "
                                            "(dạng 07/12/2026 14:30).")}) from None
    if moment <= now:
        raise BadInput(errors={"het_han": _("Thời điểm hết hạn phải sau thời điểm hiện tại.")})
    if moment > now + LONGEST:
        raise BadInput(errors={"het_han": _("Một bài chỉ được ghim tối đa một năm.")})
    return moment


# --- writing ----------------------------------------------------------------------------

def _when(moment: datetime) -> str:
    return local(moment).strftime("%H:%M %d/%m/%Y")


def _group(slot: PinSlot, category_id: int | None, now: datetime) -> list[HomePin]:
    """The running pins of a slot (and section), in order."""
    query = _pins_query(now).where(HomePin.slot == slot)
    if slot is PinSlot.section:
        query = query.where(HomePin.category_id == category_id)
    return list(db.session.scalars(query).unique())


def _renumber(pins: list[HomePin]) -> None:
    for position, pin in enumerate(pins):
        if pin.position != position:
            pin.position = position


def _drop_expired(now: datetime) -> None:
    """Pins that ran out are only clutter: gone with the next change."""
    for pin in db.session.scalars(select(HomePin).where(HomePin.expires_at <= now)):
        db.session.delete(pin)


def pin(article_id: int, slot_name: str, expires_at: datetime, user: User | None) -> HomePin:
    """Pin a published article as the top story, a featured one or first in its section's
    block, until `expires_at`. Pinning it again where it is changes its expiry; a new top
    story replaces the old one. BadInput (the 2–4 featured, 4 per block), Conflict (not
    published) and NotFound change nothing."""
    now = utcnow()
    try:
        slot = PinSlot(slot_name)
    except ValueError:
        raise BadInput(errors={"vi_tri": _("Hãy chọn chỗ ghim: tin chính, tin nổi bật hoặc "
                                           "đầu khối chuyên mục.")}) from None
    article = db.session.get(Article, article_id) or None
    if article is None:
        raise NotFound(_("Không tìm thấy bài viết này."))
    if not article.is_published:
        raise Conflict(_("Chỉ ghim được bài đã xuất bản: “%(title)s” chưa xuất bản.",
                         title=article.title))
    category_id = article.category_id if slot is PinSlot.section else None
    if slot is PinSlot.section and category_id is None:
        raise BadInput(_("Bài “%(title)s” không thuộc chuyên mục nào, nên không có khối để "
                         "ghim vào.", title=article.title))
    with transaction():
        _drop_expired(now)
        group = _group(slot, category_id, now)
        existing = next((p for p in group if p.article_id == article.id), None)
        replaced: list[HomePin] = []
        if existing is None and slot is PinSlot.featured and len(group) >= FEATURED_MAX:
            raise BadInput(_("Đã có %(n)s tin nổi bật được ghim: trang chủ có từ %(min)s đến "
                             "%(n)s tin nổi bật. Hãy bỏ ghim một tin trước khi thêm tin khác.",
                             n=FEATURED_MAX, min=FEATURED_MIN))
        if existing is None and slot is PinSlot.section and len(group) >= SECTION_MAX:
            raise BadInput(_("Khối chuyên mục “%(name)s” đã có %(n)s tin được ghim (tối đa "
                             "%(n)s). Hãy bỏ ghim một tin trước.",
                             name=article.category.name if article.category else "",
                             n=SECTION_MAX))
        if existing is not None:
            existing.expires_at = expires_at
            pinned = existing
        else:
            if slot is PinSlot.top:
                replaced = group
                for old in replaced:
                    db.session.delete(old)
            pinned = HomePin(slot=slot, article=article, category_id=category_id,
                             position=0 if slot is PinSlot.top else len(group),
                             expires_at=expires_at, created_by=user)
            db.session.add(pinned)
        where = SLOT_NAMES[slot] + (f" “{article.category.name}”" if slot is PinSlot.section
                                    and article.category else "")
        audit.record("home.pin", article,
                     f"Ghim “{article.title}” làm {where} đến {_when(expires_at)}",
                     user=user, slot=slot.value, category_id=category_id,
                     expires_at=expires_at.isoformat(),
                     replaced=[old.article.title for old in replaced])
    return pinned


def _pin_or_404(pin_id: int) -> HomePin:
    found = db.session.get(HomePin, pin_id)
    if found is None:
        raise NotFound(_("Tin này không còn được ghim."))
    return found


def unpin(pin_id: int, user: User | None) -> None:
    """Take a pin off the home page; the others of its group close up."""
    found = _pin_or_404(pin_id)
    article, slot, category_id = found.article, found.slot, found.category_id
    with transaction():
        db.session.delete(found)
        db.session.flush()
        _renumber(_group(slot, category_id, utcnow()))
        audit.record("home.unpin", article, f"Bỏ ghim “{article.title}” ({SLOT_NAMES[slot]})",
                     user=user, slot=slot.value, category_id=category_id)


def move(pin_id: int, direction: str, user: User | None) -> None:
    """Move a featured or section pin one place up ("len") or down ("xuong") in its group."""
    found = _pin_or_404(pin_id)
    if direction not in ("len", "xuong"):
        raise BadInput(_("Hãy chọn lên hoặc xuống."))
    with transaction():
        group = _group(found.slot, found.category_id, utcnow())
        if found not in group:
            raise Conflict(_("Tin này đã hết hạn ghim."))
        index = group.index(found)
        other = index - 1 if direction == "len" else index + 1
        if not 0 <= other < len(group):
            raise Conflict(_("Tin này đã ở đầu danh sách.") if direction == "len"
                           else _("Tin này đã ở cuối danh sách."))
        group[index], group[other] = group[other], group[index]
        _renumber(group)
        audit.record("home.order", found.article,
                     f"Đưa “{found.article.title}” {'lên' if direction == 'len' else 'xuống'} "
                     f"vị trí {other + 1} ({SLOT_NAMES[found.slot]})",
                     user=user, slot=found.slot.value, category_id=found.category_id,
                     order=[p.article_id for p in group])
