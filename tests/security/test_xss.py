"""Stored and reflected XSS: every payload of the corpus, typed into every field that reaches
a page, a feed or an export, leaves each of them inert (tests/security/inert.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Article, Comment, CommentStatus, Role, User
from app.services import banners, comments, documents, info_pages, lexicon, schedules, workflow
from app.services.accounts import unit_named
from app.services.errors import BadInput
from app.services.publishing import ArticleInput
from app.services.sections import category_named
from tests.security.inert import problems, xml_problems
from tests.security.payloads import XSS

pytestmark = pytest.mark.security


@pytest.fixture
def admin(login):
    client = login("quantri", Role.admin)
    return client, db.session.scalar(select(User).where(User.username == "quantri"))


def inert(response, where: str) -> None:
    assert response.status_code == 200, (where, response.status_code)
    found = problems(response.get_data(as_text=True))
    assert not found, (where, found)


def seed_articles(user: User) -> list[Article]:
    """One published article per payload, the payload in every field, in sections and units
    named by payloads too."""
    articles = []
    for n, payload in enumerate(XSS):
        section = category_named(XSS[n % 7])
        unit = unit_named(XSS[(n + 3) % 9])
        db.session.commit()
        data = ArticleInput(title=f"Bài {n} {payload}", lede=payload,
                            body_html=f"<p>Nội dung bài {n}.</p><p>{payload}</p>"
                                      f"<blockquote>{payload}</blockquote>"
                                      f"<a href=\"{payload}\">liên kết</a>{payload}",
                            author_name=payload[:120], cover_caption=payload,
                            category_id=section.id, unit_id=unit.id)
        articles.append(workflow.save(None, data, user, then="publish"))
    return articles


def test_articles_stay_inert_on_every_public_page_and_feed(app, client, admin, tally):
    count = tally("xss")
    _staff, user = admin
    articles = seed_articles(user)
    for article in articles:
        assert not problems(article.body_html), article.body_html  # stored clean already
        inert(client.get(f"/bai-viet/{article.slug}"), article.slug)
        count(1)
    for url in ("/", "/?trang=2", "/?trang=3", *{f"/chuyen-muc/{a.category.slug}/"
                                                  for a in articles}):
        inert(client.get(url), url)
        count(1)
    for payload in XSS:  # stored in titles and texts, and reflected from the query
        inert(client.get("/tim-kiem", query_string={"q": payload}), f"search {payload}")
        count(1)
    for url in ("/rss.xml", "/podcast.xml", "/sitemap.xml",
                *{f"/rss/{a.category.slug}.xml" for a in articles}):
        response = client.get(url)
        assert response.status_code == 200 and not xml_problems(response.get_data(True)), url
        count(1)
    api = client.get("/api/v1/articles?per_page=100")
    assert api.mimetype == "application/json"
    assert api.headers["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
    count(1)


def test_articles_stay_inert_in_the_newsroom(app, admin, tally):
    count = tally("xss")
    staff, user = admin
    articles = seed_articles(user)
    for url in ("/bien-tap/", "/bien-tap/duyet-bai", "/bien-tap/nhat-ky", "/bien-tap/thong-ke",
                "/bien-tap/hang-doi", "/bien-tap/don-vi", "/bien-tap/chuyen-muc"):
        inert(staff.get(url), url)
        count(1)
    for article in articles[::3]:
        base = f"/bien-tap/bai-viet/{article.id}"
        for url in (base, f"{base}/xem-truoc", f"{base}/phien-ban"):
            inert(staff.get(url), url)
            count(1)


def test_reader_comments_stay_inert(app, client, admin, tally):
    count = tally("xss")
    staff, user = admin
    [article] = seed_articles(user)[:1]
    for payload in XSS:
        comments.add_comment(article, comments.CommentInput(name=payload[:100], email="",
                                                            body=payload), "ip")
    for comment in db.session.scalars(select(Comment)):
        comments.moderate(comment, CommentStatus.approved, user)
    inert(client.get(f"/bai-viet/{article.slug}"), "article with comments")
    inert(staff.get("/bien-tap/binh-luan?trang-thai=approved"), "moderation")
    count(len(XSS))


def test_documents_schedules_pages_and_banners_stay_inert(app, client, admin, tally):
    count = tally("xss")
    staff, user = admin
    pdf = documents.demo_pdf(["Văn bản thử"])
    for n, payload in enumerate(XSS):
        documents.save_document(None, {
            "number": f"{n}/QĐ-{payload[:40]}", "doc_type": "Quyết định", "issuer": payload[:200],
            "signer": payload[:100], "issued_on": "05/01/2026", "summary": payload,
            "published": "on"}, documents.Upload(io.BytesIO(pdf), f"{payload[:30]}.pdf"))
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=n)
        schedules.save_entry(None, schedules.ScheduleInput(
            starts_at=start, ends_at=None, content=payload, place=payload[:200],
            participants=payload, unit_id=None, published=True))
        info_pages.save_page(None, f"Trang {n} {payload}"[:200], payload, n, True)
        lexicon.save_entry(f"từ{n}", payload[:200])
    for payload in XSS[:10]:
        try:
            banners.save_banner(None, banners.BannerInput(
                title=payload[:200], alt_text=payload[:300], link_url=payload[:500]),
                io.BytesIO(banner_png()))
        except BadInput as exc:  # a script link is refused outright
            assert "link_url" in exc.errors
        banners.save_banner(None, banners.BannerInput(
            title=payload[:200], alt_text=payload[:300], link_url="/van-ban/"),
            io.BytesIO(banner_png()))
    db.session.commit()
    pages = ["/", "/van-ban/", "/lich-cong-tac/",
             *(f"/van-ban/{d}" for d in db.session.scalars(select(documents.Document.slug))),
             *(f"/trang/{p.slug}" for p in info_pages.published_pages())]
    for url in pages:
        inert(client.get(url), url)
        count(1)
    for url in ("/bien-tap/van-ban", "/bien-tap/lich-cong-tac", "/bien-tap/trang",
                "/bien-tap/quang-cao", "/bien-tap/tu-dien"):
        inert(staff.get(url), url)
        count(1)
    for payload in XSS:
        inert(client.get("/van-ban/", query_string={"q": payload, "co-quan": payload}),
              f"documents search {payload}")
        count(1)


FORMULAS = ['=HYPERLINK("http://evil.example","Bấm vào đây")', "+1+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1", "=cmd|' /C calc'!A0"]


def test_people_and_units_stay_inert_and_exports_neutralise_formulas(app, admin, make_user,
                                                                     tally):
    count = tally("xss")
    staff, user = admin
    for n, payload in enumerate([*XSS, *FORMULAS]):
        unit = unit_named(f"{payload[:150]} {n}")
        db.session.commit()
        editor = make_user(f"nguoi{n}", role=Role.contributor, unit=unit)
        editor.full_name = payload[:120]
        db.session.commit()
        workflow.save(None, ArticleInput(title=f"Tin {n}", body_html="<p>Nội dung.</p>",
                                         unit_id=unit.id), user, then="publish")
    for url in ("/bien-tap/nguoi-dung", "/bien-tap/don-vi", "/bien-tap/thong-ke",
                "/bien-tap/nhat-ky"):
        inert(staff.get(url), url)
        count(1)
    count(len(XSS))
    year = datetime.now(UTC).year
    csv_text = staff.get(f"/bien-tap/thong-ke.csv?nam={year}").get_data(as_text=True)
    xlsx = staff.get(f"/bien-tap/thong-ke.xlsx?nam={year}").get_data()
    formulas = ("=", "+", "-", "@", "\t", "\r")
    for line in csv_text.splitlines()[1:]:
        first = next(iter(line.split(",")), "").lstrip('"')
        assert not first.startswith(formulas), line
    book = load_workbook(io.BytesIO(xlsx))
    names = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    names.add(cell.value)
    assert {f"{f} {len(XSS) + n}" for n, f in enumerate(FORMULAS)} <= names  # kept as text
    cells = {row[0] for row in csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))}
    for n, formula in enumerate(FORMULAS):
        assert f"'{formula} {len(XSS) + n}" in cells  # an apostrophe: shown, never run
    tally("spreadsheet injection")(2 * len(FORMULAS))


def banner_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1200, 300), (20, 80, 140)).save(buf, "PNG")
    return buf.getvalue()
