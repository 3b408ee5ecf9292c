"""No N+1 queries: each public page makes as many SQL statements with three times the content.

The content is built in batches. Each batch adds a section with articles, each article from
its own unit and with a narration, an uploaded video and a briefing; comments on the article
under test and a related article; a document, schedule entries (with and without a host
unit), an info page and a banner. The pages are fetched after the first batch and again after
two more; a page whose statement count grows with what it shows is loading per item (an N+1).
Older batches are the most read, so the home's blocks show articles (and units) the cards do
not: a lazy load there is not hidden by rows the cards already loaded.

Run with `-s` to see the table of counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import (
    Article,
    ArticleStatus,
    Banner,
    Category,
    Comment,
    CommentStatus,
    Document,
    HomePin,
    InfoPage,
    MediaAsset,
    MediaKind,
    MediaStatus,
    PinSlot,
    ScheduleEntry,
    Unit,
)
from app.services import schedules
from app.services.localtime import display_tz

WORD = "ninhkieu"  # in every article, document and schedule entry: what the search asks for
MAIN_SLUG = "bai-chinh"
ARTICLES_PER_BATCH = 8  # three batches overflow the home page's 20 cards


@pytest.fixture
def count_queries(app, client) -> Iterator:
    """GET `url` on a fresh session; returns (status, body, SQL statements run)."""
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    def get(url: str) -> tuple[int, str, list[str]]:
        db.session.remove()  # nothing loaded before: every row the page needs is a query
        statements.clear()
        response = client.get(url, headers={"User-Agent": "Mozilla/5.0 (test)"})
        seen = list(statements)
        db.session.remove()
        return response.status_code, response.get_data(as_text=True), seen

    event.listen(db.engine, "before_cursor_execute", listener)
    yield get
    event.remove(db.engine, "before_cursor_execute", listener)


def _article(title: str, slug: str, category: Category, unit: Unit, published_at: datetime,
             views: int = 0) -> Article:
    article = Article(title=title, slug=slug, lede=f"Tóm tắt {title}",
                      body_html=f"<p>{title} ở {WORD}.</p>", status=ArticleStatus.published,
                      published_at=published_at, category=category, unit=unit,
                      view_count=views, cover_key=f"images/{slug}/cover.jpg",
                      search_text=f"{WORD} {slug.replace('-', ' ')}")
    ready = MediaStatus.ready
    article.media = [
        MediaAsset(kind=MediaKind.audio, status=ready, duration=61.0, engine="espeak",
                   outputs={"mp3": f"audio/{slug}/a.mp3", "mp3_bytes": 1234,
                            "vtt": f"audio/{slug}/a.vtt"}),
        MediaAsset(kind=MediaKind.video, status=ready, duration=30.0,
                   outputs={"mp4": f"video/{slug}/v.mp4", "poster": f"video/{slug}/p.jpg"},
                   captions=[{"lang": "vi", "label": "Tiếng Việt",
                              "key": f"video/{slug}/vi.vtt"}]),
        MediaAsset(kind=MediaKind.briefing, status=MediaStatus.processing, progress=40),
    ]
    db.session.add(article)
    return article


def add_batch(n: int) -> None:
    """One batch of everything a public page can list; `n` numbers the batch."""
    now = datetime.now(UTC)
    category = Category(name=f"Chuyên mục {n}", slug=f"chuyen-muc-{n}", position=n)
    unit = Unit(name=f"Sở số {n}", slug=f"so-so-{n}")
    db.session.add_all([category, unit])
    batch = [_article(f"Tin {n}-{i}", f"tin-{n}-{i}", category,
                      Unit(name=f"Đơn vị {n}-{i}", slug=f"don-vi-{n}-{i}"),
                      now - timedelta(minutes=10 * n + i), views=n * 10 + i)
             for i in range(ARTICLES_PER_BATCH)]
    # Editors' pins: a featured story and two first in the section's block (a top story in
    # the first batch), each with its own section and unit to load.
    until = now + timedelta(hours=5)
    if n == 1:
        db.session.add(HomePin(slot=PinSlot.top, article=batch[7], expires_at=until))
    db.session.add(HomePin(slot=PinSlot.featured, article=batch[6], expires_at=until,
                           position=n))
    for i in (5, 4):
        db.session.add(HomePin(slot=PinSlot.section, article=batch[i], category=category,
                               position=i, expires_at=until))
    main = db.session.query(Article).filter_by(slug=MAIN_SLUG).one_or_none()
    if main is None:
        main = _article("Bài chính", MAIN_SLUG, category, unit, now, views=1)
    # A related article (same section as the main one) from yet another unit.
    other_unit = Unit(name=f"Phòng số {n}", slug=f"phong-so-{n}")
    _article(f"Tin liên quan {n}", f"lien-quan-{n}", main.category, other_unit,
             now - timedelta(minutes=n))
    for i in range(2):
        db.session.add(Comment(article=main, name=f"Bạn đọc {n}-{i}", email="a@b.vn",
                               body=f"Ý kiến {n}-{i}", status=CommentStatus.approved,
                               created_at=now - timedelta(minutes=100 - n - i)))
    db.session.add(Comment(article=main, name="Chờ", email="c@d.vn", body="Chờ duyệt",
                           status=CommentStatus.pending))
    db.session.add(Document(
        number=f"{n:02d}-NQ/TU", doc_type="Nghị quyết", issuer=f"Cơ quan {n}", signer="Ông A",
        issued_on=date(2025, 1, 1) + timedelta(days=n), summary=f"Về {WORD} đợt {n}",
        slug=f"nghi-quyet-{n}", file_key=f"documents/{n}/f.pdf", file_name="f.pdf",
        file_size=2048, file_type="pdf", search_text=f"{n:02d} nq tu nghi quyet {WORD}"))
    monday = schedules.week_start(schedules.today())
    start = datetime.combine(monday, datetime.min.time(), display_tz())
    for i, host in enumerate((unit, None)):
        when = (start + timedelta(days=n % 7, hours=7 + i)).astimezone(UTC)
        db.session.add(ScheduleEntry(starts_at=when, ends_at=when + timedelta(hours=1),
                                     content=f"Họp {WORD} {n}-{i}", place="Hội trường",
                                     unit=host, search_text=f"hop {WORD} {n} {i}"))
    db.session.add(InfoPage(title=f"Trang {n}", slug=f"trang-{n}", published=True, position=n))
    db.session.add(Banner(title=f"QC {n}", alt_text=f"Quảng cáo {n}", position=n,
                          image_key=f"images/banners/{n:016d}-600x100.jpg"))
    db.session.commit()


# (label, url, a text the page must show once the last batch is in)
PAGES = [
    ("Trang chủ", "/", "Tin 3-0"),
    ("Chuyên mục", "/chuyen-muc/chuyen-muc-1/", "Tin 1-2"),
    ("Bài viết", f"/bai-viet/{MAIN_SLUG}", "Ý kiến 3-1"),
    ("Tìm kiếm", f"/tim-kiem?q={WORD}", "Họp"),
    ("Văn bản", "/van-ban/", "03-NQ/TU"),
    ("Một văn bản", "/van-ban/nghi-quyet-1", "01-NQ/TU"),
    ("Lịch công tác", "/lich-cong-tac/", "Sở số 3"),
    ("Lịch .ics", "/lich-cong-tac.ics", "Sở số 3"),
    ("RSS", "/rss.xml", "Tin 3-0"),
    ("RSS chuyên mục", "/rss/chuyen-muc-1.xml", "Tin 1-0"),
    ("Sitemap", "/sitemap.xml", "tin-3-0"),
    ("Podcast", "/podcast.xml", "Tin 3-0"),
]


def test_public_pages_make_no_more_queries_with_three_times_the_content(count_queries):
    """Each public page runs the same number of SQL statements for 1 batch and 3 batches."""
    add_batch(1)
    small = {}
    for label, url, _text in PAGES:
        status, _body, statements = count_queries(url)
        assert status == 200, (url, status)
        small[label] = statements
    add_batch(2)
    add_batch(3)
    large = {}
    for label, url, text in PAGES:
        status, body, statements = count_queries(url)
        assert status == 200, (url, status)
        assert text in body, (url, text)  # the larger content is really on the page
        large[label] = statements

    print("\nSQL statements per public page (1 batch → 3 batches)")
    print(f"{'page':<16} {'url':<34} {'1×':>4} {'3×':>4}")
    for label, url, _text in PAGES:
        print(f"{label:<16} {url:<34} {len(small[label]):>4} {len(large[label]):>4}")
    grown = {label: "\n".join(large[label]) for label, _url, _text in PAGES
             if len(large[label]) > len(small[label])}
    assert not grown, "queries grow with the content:\n" + "\n\n".join(
        f"== {label}\n{sql}" for label, sql in grown.items())


@pytest.mark.parametrize("url", ["/", f"/bai-viet/{MAIN_SLUG}", "/van-ban/", "/lich-cong-tac/"])
def test_menus_are_read_once_per_page(count_queries, url):
    """The section menu and the footer's info pages: one query each, whatever the page."""
    add_batch(1)
    add_batch(2)
    status, body, statements = count_queries(url)
    assert status == 200 and "Chuyên mục 2" in body and "Trang 2" in body
    menus = [s for s in statements if "FROM categories" in s]
    footers = [s for s in statements if "FROM info_pages" in s]
    assert len(menus) == 1 and len(footers) == 1, statements


def test_comment_heading_counts_from_the_list_and_all_beyond_its_limit(count_queries,
                                                                       monkeypatch):
    """The heading's number comes from the listed comments (no count query), and still
    counts every approved comment when the list stops at its limit."""
    from app.services import comments

    add_batch(1)
    add_batch(2)  # 4 approved comments on the main article, 2 pending
    status, body, statements = count_queries(f"/bai-viet/{MAIN_SLUG}")
    assert status == 200 and "Ý kiến bạn đọc (4)" in body
    assert not [s for s in statements if "count(comments.id)" in s]
    monkeypatch.setattr(comments, "APPROVED_SHOWN", 3)
    monkeypatch.setattr(comments.approved_comments, "__defaults__", (3,))
    status, body, statements = count_queries(f"/bai-viet/{MAIN_SLUG}")
    assert status == 200 and "Ý kiến bạn đọc (4)" in body
    assert body.count('class="comment"') == 3 and "Chờ duyệt" not in body
