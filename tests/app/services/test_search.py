import re
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.services.search import exact_words, fold, make_search_text, parse_query, search
from app.services.sections import category_named

RESULT_LINK = re.compile(r'<li class="search-result">\s*<h3 class="card__title">'
                         r'<a href="/bai-viet/([^"]+)"')


@pytest.fixture
def corpus(make_article):
    """Four published articles about roads, Bình Dương, pump upkeep and a festival; a draft."""
    economy = category_named("Kinh tế")
    db.session.commit()

    def make(key, title, lede, body, published, section=None, **fields):
        article = make_article(title, lede=lede, body_html=body, **fields)
        article.published_at = published
        if section is not None:
            article.category_id = section.id
        return key, article

    items = dict([
        make("road", "Khởi công nâng cấp đường tỉnh 931",
             "Tuyến đường nối Vị Thanh với Long Mỹ.",
             "<p>Công trình đường giao thông dài 12 km ở Hậu Giang.</p>",
             datetime(2026, 1, 10, 2, 0, tzinfo=UTC), economy),
        make("binhduong", "Bình Dương chia sẻ kinh nghiệm thu hút đầu tư",
             "Đoàn công tác tỉnh Hậu Giang làm việc tại Bình Dương.",
             "<p>Hai tỉnh ký kết hợp tác.</p>",
             datetime(2026, 2, 20, 2, 0, tzinfo=UTC), economy),
        make("pumps", "Bảo dưỡng máy bơm trước mùa khô",
             "Nông dân huyện Châu Thành chủ động bảo dưỡng thiết bị.",
             "<p>Ngành nông nghiệp hướng dẫn cách bảo dưỡng máy bơm.</p>",
             # 31/01 20:00 UTC is already 01/02 in Vietnam.
             datetime(2026, 1, 31, 20, 0, tzinfo=UTC),
             cover_caption="Nông dân Hậu Giang kiểm tra máy bơm."),
        make("festival", "Lễ hội văn hóa Hậu Giang 2026",
             "Lễ hội diễn ra tại thành phố Vị Thanh.",
             "<p>Hàng nghìn du khách đổ về đường phố trung tâm.</p>",
             datetime(2026, 4, 1, 2, 0, tzinfo=UTC)),
    ])
    items["draft"] = make_article("Bản nháp bí mật về đường Hậu Giang", publish=False)
    db.session.commit()
    return items


def ids(query, **filters):
    return [hit.article.id for hit in search(query, **filters).hits]


def slugs_on_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return RESULT_LINK.findall(response.get_data(as_text=True))


def test_fold_drops_diacritics_and_folds_d_and_whitespace():
    """fold() lowers, strips Vietnamese marks, turns đ into d and collapses whitespace."""
    assert fold("  Đường   HẬU\tGiang\n") == "duong hau giang"
    assert fold("Nguyễn Thị Ưng, Ơn") == "nguyen thi ung, on"
    # numbers lose their leading zeros: "05-NQ/TU" and "5-NQ/TU" are one number
    assert make_search_text("Hậu Giang", "05-NQ/TU", "<p>Đ/c Lê</p>", "Ảnh: TTXVN") == \
        "hau giang 5 nq tu d c le anh ttxvn"


def test_query_loses_search_syntax_and_is_bounded():
    """Quotes, stars, operators and overlong queries are reduced to plain words."""
    query = parse_query('"Hậu*" OR (giang) NEAR -đường: ^x \'; DROP TABLE articles; --')
    assert query.folded == ("hau", "giang", "duong", "x", "drop", "table", "articles")
    # typed with diacritics: every word as typed is asked for exactly
    assert query.exact == ("hậu", "giang", "đường", "x", "drop", "table", "articles")
    assert parse_query("hau giang").exact == ()  # none typed: none asked for
    assert len(parse_query(" ".join(f"tu{i}" for i in range(50))).folded) == 10
    assert parse_query("a" * 10_000).folded == ("a" * 200,)
    assert not parse_query('"*:^()- OR AND NEAR')


def test_query_without_diacritics_finds_vietnamese_text(client, corpus):
    """"hau giang" finds every published article that says "Hậu Giang"."""
    assert ids("hau giang") == [corpus[k].id for k in ("festival", "binhduong", "pumps", "road")]
    page = client.get("/tim-kiem?q=hau+giang").get_data(as_text=True)
    assert "Tìm thấy 4 kết quả cho “hau giang”" in page
    assert slugs_on_page(client, "/tim-kiem?q=hau+giang")[0] == corpus["festival"].slug


def test_exact_diacritics_rank_first(corpus):
    """"đường" puts the articles that say "đường" above "Dương" and "dưỡng"."""
    assert ids("đường") == [corpus[k].id for k in ("road", "festival", "binhduong", "pumps")]
    assert ids("duong") == [corpus[k].id for k in ("binhduong", "pumps", "road", "festival")]


def test_snippets_mark_the_matched_words(client, corpus):
    """Snippets show the words found in <mark>, everything else escaped."""
    page = client.get("/tim-kiem?q=bom").get_data(as_text=True)
    assert "<mark>bơm</mark>" in page
    pumps = corpus["pumps"]
    pumps.body_html = "<p>Giá &lt;b&gt;máy bơm&lt;/b&gt; giảm.</p>"
    db.session.commit()
    hit = search("may bom").hits[0]
    assert "&lt;b&gt;<mark>máy bơm</mark>&lt;/b&gt;" in str(hit.snippet)


def test_long_text_snippet_is_a_window_around_the_match(make_article):
    """A match deep in a long article shows about 200 characters around it."""
    filler = "Nội dung mở đầu dài dòng. " * 40
    make_article("Tin dài", body_html=f"<p>{filler}Cuối bài nói về Phú Quốc.</p>")
    snippet = str(search("phu quoc").hits[0].snippet)
    assert snippet.startswith("…") and "<mark>Phú Quốc</mark>" in snippet
    assert len(re.sub(r"</?mark>", "", snippet)) <= 205


def test_section_and_date_filters(client, corpus):
    """chuyen-muc narrows to one section; tu/den are Vietnam dates, both ends included."""
    assert slugs_on_page(client, "/tim-kiem?q=hau+giang&chuyen-muc=kinh-te") == \
        [corpus["binhduong"].slug, corpus["road"].slug]
    assert slugs_on_page(client, "/tim-kiem?q=hau+giang&tu=2026-02-01&den=2026-02-20") == \
        [corpus["binhduong"].slug, corpus["pumps"].slug]
    assert slugs_on_page(client, "/tim-kiem?q=hau+giang&den=2026-01-31") == \
        [corpus["road"].slug]
    page = client.get("/tim-kiem?q=hau+giang&tu=2026-13-45").get_data(as_text=True)
    assert "không hợp lệ" in page and "Tìm thấy 4 kết quả" in page


def test_nasty_input_never_breaks_the_page(client, corpus):
    """Search syntax, SQL, NUL bytes, huge queries and bad page numbers all give 200."""
    for q in ('"', "*", "OR", "'; DROP TABLE articles; --", '"hau', "hau*", "NEAR(a b)",
              "-giang", "a:b", "^", "\x00", 'giang" OR "x', "x" * 10_240,
              "hậu " * 3000, "😀", "%", "_", "\\"):
        assert client.get("/tim-kiem", query_string={"q": q}).status_code == 200, q
    for extra in ("trang=abc", "trang=-3", "trang=999999999999", "trang=" + "9" * 5000,
                  "tu=hom-qua", "den=2026-02-30", "tu=9999-12-31&den=0001-01-01",
                  "chuyen-muc=khong-co"):
        assert client.get(f"/tim-kiem?q=hau+giang&{extra}").status_code == 200, extra
    assert ids("hau giang") and len(ids("hau giang")) == 4  # the table is still there


def test_empty_query_shows_the_form_and_no_results_is_friendly(client, corpus):
    """No query: just the form; no match: a helpful Vietnamese message."""
    page = client.get("/tim-kiem").get_data(as_text=True)
    assert '<label for="search-q">Tìm kiếm</label>' in page and 'name="q"' in page
    assert "kết quả" not in page
    page = client.get("/tim-kiem?q=Cà+Mau").get_data(as_text=True)
    assert "Không tìm thấy kết quả nào cho “Cà Mau”" in page
    assert 'action="/tim-kiem"' in client.get("/").get_data(as_text=True)  # the header box


def test_drafts_never_appear(client, corpus):
    """Unpublished articles are not found, whatever the words."""
    assert ids("bí mật") == []
    assert corpus["draft"].id not in ids("đường hậu giang")
    assert corpus["draft"].slug not in slugs_on_page(client, "/tim-kiem?q=ban+nhap")


def test_edits_are_searchable_at_once(corpus):
    """An edit keeps search_text (and the index) up to date."""
    from app.services import workflow
    from app.services.publishing import ArticleInput

    road = corpus["road"]
    workflow.save(road, ArticleInput(title="Khởi công cầu Cái Tắc", body_html="<p>Cầu mới.</p>",
                                    category_id=road.category_id), None)
    assert ids("cai tac") == [road.id]
    assert road.id not in ids("duong")


def test_results_are_paginated(client, make_article):
    """Twenty results a page; pages past the end show the last page."""
    for n in range(23):
        make_article(f"Tin Sóc Trăng số {n}", lede="Tin từ Sóc Trăng.")
    assert len(slugs_on_page(client, "/tim-kiem?q=soc+trang")) == 20
    assert len(slugs_on_page(client, "/tim-kiem?q=soc+trang&trang=2")) == 3
    assert len(slugs_on_page(client, "/tim-kiem?q=soc+trang&trang=50")) == 3
    # Snippets are made for the page shown, whichever page it is.
    page = client.get("/tim-kiem?q=soc+trang&trang=2").get_data(as_text=True)
    assert page.count("<mark>Sóc Trăng</mark>") == 3  # the phrase, one mark


def test_vietnamese_queries_give_the_same_order_on_every_backend(corpus):
    """Ranking is done in Python, so SQLite and PostgreSQL give these exact orders."""
    expected = {
        "hau giang": ("festival", "binhduong", "pumps", "road"),
        "HẬU GIANG": ("festival", "binhduong", "pumps", "road"),
        "đường": ("road", "festival", "binhduong", "pumps"),
        "duong": ("binhduong", "pumps", "road", "festival"),
        "vi thanh": ("festival", "road"),
        "nông dân bảo dưỡng": ("pumps",),
        "Bình Dương": ("binhduong",),
    }
    for query, keys in expected.items():
        assert ids(query) == [corpus[k].id for k in keys], query


def test_migration_fills_search_text_for_existing_articles(app, corpus):
    """Upgrading from the previous revision indexes the articles already there."""
    from flask_migrate import downgrade, upgrade

    expected = [corpus[k].id for k in ("festival", "binhduong", "pumps", "road")]
    db.session.remove()
    downgrade(revision="14504bcf8b63")
    upgrade()
    assert ids("hau giang") == expected


def test_search_exact_keeps_each_written_word_once(make_article):
    """search_exact: the article's words as written, lower case, once each, diacritics kept."""
    article = make_article("Đường về Hậu Giang", lede="Con đường mới.",
                           body_html="<p>ĐƯỜNG <b>Dương</b> dưỡng</p>",
                           cover_caption="Ảnh: Đường")
    assert article.search_exact == "đường về hậu giang con mới dương dưỡng ảnh"
    assert exact_words(["Hậu  Giang", "hậu-giang 2026"]) == "hậu giang 2026"


def test_migration_fills_exact_words_of_existing_articles(app, corpus):
    """Upgrading from the revision before search_exact fills it for the articles already
    there (subtitles included), so "đường" still ranks the articles that say it first."""
    from flask_migrate import downgrade, upgrade

    from app.models import Article, MediaAsset, MediaKind
    from app.services.search import refresh_search_text

    festival = corpus["festival"]
    festival.media.append(MediaAsset(kind=MediaKind.video,
                                     captions=[{"lang": "vi", "text": "Khán giả cổ vũ"}]))
    refresh_search_text(festival)  # what the editor's subtitle upload does
    db.session.commit()
    order = [corpus[k].id for k in ("road", "festival", "binhduong", "pumps")]
    expected = {i: db.session.get(Article, i).search_exact for i in order}
    db.session.remove()
    downgrade(revision="f3cf5bf3d7a5")
    upgrade()
    assert {i: db.session.get(Article, i).search_exact for i in order} == expected
    assert "đường" in expected[order[0]].split() and "khán" in expected[order[1]].split()
    assert ids("đường") == order


def test_the_look_alike_typed_exactly_comes_first_then_the_newest(make_article):
    """"cà mau" typed with its marks: "Cà Mau" first, then the look-alikes newest first (the
    exact-word rule asks for every word as typed; the older check of this, with a candidate
    cap that no longer exists, is replaced by this one)."""
    made = []
    for day, title in enumerate(["Tin Cà Mau", "Tin Ca Mau", "Tin Cà Mâu", "Tin Ca Mâu"]):
        article = make_article(title)
        article.published_at = datetime(2026, 1, 1 + day, tzinfo=UTC)
        made.append(article)
    db.session.commit()
    assert ids("cà mau") == [made[i].id for i in (0, 3, 2, 1)]
    assert ids("ca mau") == [made[i].id for i in (3, 2, 1, 0)]  # no mark typed: newest first


def test_every_match_is_ranked_and_counted_not_only_the_newest(make_article):
    """The best match comes first however old it is, among many newer ones, and the count is
    every match."""
    old = make_article("Cà Mau đón nhận danh hiệu")
    old.published_at = datetime(2020, 1, 1, tzinfo=UTC)
    for n in range(30):
        newer = make_article(f"Tin số {n}", body_html="<p>Đoàn công tác đến ca mau hôm nay "
                                                     "và làm việc với huyện.</p>")
        newer.published_at = datetime(2026, 1, 1 + n % 28, tzinfo=UTC)
    db.session.commit()
    results = search("cà mau", per_page=5)
    assert results.total == 31 and len(results.hits) == 5
    assert results.hits[0].id == old.id  # in the title, with the diacritics typed


def test_popular_searches_are_served_from_the_page_cache(app, client, corpus, redis_conn,
                                                         make_article, monkeypatch):
    """A repeated search comes from Redis; an article published since shows at once;
    only a bounded number of different searches are ever stored."""
    from app.public import search as search_view
    from app.services.page_cache import PREFIX

    app.config["PAGE_CACHE_TTL"] = 300
    try:
        first = client.get("/tim-kiem?q=hau+giang")
        assert first.headers["X-Page-Cache"] == "miss"
        again = client.get("/tim-kiem?q=hau+giang")
        assert again.headers["X-Page-Cache"] == "hit" and again.data == first.data
        fresh = make_article("Hậu Giang khánh thành cầu mới")
        page = client.get("/tim-kiem?q=hau+giang")
        assert page.headers["X-Page-Cache"] == "miss"
        assert slugs_on_page(client, "/tim-kiem?q=hau+giang")[0] == fresh.slug
        assert "Tìm thấy 5 kết quả" in page.get_data(as_text=True)

        redis_conn.flushdb()
        monkeypatch.setattr(search_view, "HOT_SEARCHES", 2)
        states = [client.get("/tim-kiem", query_string={"q": f"tu {n}"}).headers.get(
            "X-Page-Cache") for n in range(5)]
        assert states == ["miss", "miss", None, None, None]  # the rest are not stored
        stored = [k for k in redis_conn.keys(f"{PREFIX}:*")
                  if b":tag:" not in k and b":changed:" not in k and not k.endswith(b"generation")]
        assert len(stored) == 2
        assert client.get("/tim-kiem?q=tu+0").headers["X-Page-Cache"] == "hit"
    finally:
        app.config["PAGE_CACHE_TTL"] = 0


@pytest.fixture
def portal_items(app):
    """Two documents and two schedule entries that mention Hậu Giang; one unpublished of each."""
    from datetime import date

    from app.models import Document, ScheduleEntry, Unit
    from app.services.search import document_texts, folded_words, schedule_texts

    def document(number, doc_type, summary, issued_on, published=True):
        doc = Document(number=number, doc_type=doc_type, issuer="Ủy ban nhân dân tỉnh",
                       signer="Nguyễn Văn An", issued_on=issued_on, summary=summary,
                       slug=fold(f"{doc_type} {number}").replace(" ", "-").replace("/", "-"),
                       published=published)
        doc.search_text = folded_words(document_texts(doc))
        db.session.add(doc)
        return doc

    def entry(content, starts_at, unit=None, published=True):
        item = ScheduleEntry(content=content, starts_at=starts_at, place="Hội trường tỉnh",
                             participants="Lãnh đạo các sở", unit=unit, published=published)
        item.search_text = folded_words(schedule_texts(item))
        db.session.add(item)
        return item

    unit = Unit(name="Sở Giao thông vận tải", slug="so-giao-thong-van-tai")
    items = {
        "plan": document("126/KH-UBND", "Kế hoạch", "Kế hoạch nâng cấp đường giao thông "
                         "nông thôn tỉnh Hậu Giang năm 2026", date(2026, 3, 2)),
        "resolution": document("05-NQ/TU", "Nghị quyết", "Nghị quyết về phát triển du lịch "
                               "Hậu Giang", date(2025, 11, 20)),
        "hidden_doc": document("99/QĐ-UBND", "Quyết định", "Quyết định chưa công bố về Hậu "
                               "Giang", date(2026, 1, 5), published=False),
        "meeting": entry("Họp bàn giải pháp đường giao thông Hậu Giang",
                         datetime(2026, 3, 9, 0, 30, tzinfo=UTC), unit),
        "visit": entry("Thăm và làm việc tại huyện Long Mỹ, Hậu Giang",
                       datetime(2026, 3, 10, 1, 0, tzinfo=UTC)),
        "hidden_entry": entry("Họp kín về Hậu Giang", datetime(2026, 3, 11, 1, 0, tzinfo=UTC),
                              published=False),
    }
    db.session.commit()
    return items


def test_documents_and_schedules_are_found_beside_articles(client, corpus, portal_items):
    """One box finds articles, documents and schedule entries, each group linking to its page;
    unpublished documents and entries never appear."""
    page = client.get("/tim-kiem?q=hau+giang").get_data(as_text=True)
    assert "Tìm thấy 8 kết quả" in page  # 4 articles, 2 documents, 2 entries
    assert "Văn bản (2)" in page and "Lịch công tác (2)" in page and "Tin bài (4)" in page
    assert f'href="/van-ban/{portal_items["plan"].slug}"' in page
    assert 'href="/lich-cong-tac/?tuan=2026-03-09"' in page  # 07:30 on Monday 09/03 in Vietnam
    assert "chưa công bố" not in page and "Họp kín" not in page
    assert "<mark>Hậu Giang</mark>" in page


def test_the_type_filter_shows_one_kind(client, corpus, portal_items):
    page = client.get("/tim-kiem?q=duong+giao+thong&loai=van-ban").get_data(as_text=True)
    assert "Tìm thấy 1 kết quả" in page and "126/KH-UBND" in page
    assert not slugs_on_page(client, "/tim-kiem?q=duong+giao+thong&loai=van-ban")
    page = client.get("/tim-kiem?q=duong+giao+thong&loai=lich-cong-tac").get_data(as_text=True)
    assert "Họp bàn giải pháp" in page and "126/KH-UBND" not in page
    assert "Sở Giao thông vận tải" in page  # the host unit
    page = client.get("/tim-kiem?q=duong&loai=bai-viet").get_data(as_text=True)
    assert "126/KH-UBND" not in page and "Họp bàn" not in page
    # A section filter is about articles: documents and entries are left out.
    page = client.get("/tim-kiem?q=hau+giang&chuyen-muc=kinh-te").get_data(as_text=True)
    assert "Văn bản (0)" in page and "126/KH-UBND" not in page
    for bad in ("loai=xyz", "loai=" + "x" * 5000, "loai=van-ban&trang=999999"):
        assert client.get(f"/tim-kiem?q=hau+giang&{bad}").status_code == 200, bad


def test_document_numbers_and_dates_are_searchable(portal_items):
    """A document number typed loosely finds it; dates bound the issue date."""
    from datetime import date

    from app.services.search import search_documents, search_schedules

    assert [f.item.id for f in search_documents("05-NQ/TU")] == [portal_items["resolution"].id]
    assert [f.item.id for f in search_documents("nq tu")] == [portal_items["resolution"].id]
    assert [f.item.id for f in search_documents("hau giang", since=date(2026, 1, 1))] == \
        [portal_items["plan"].id]
    # "đường" typed with diacritics ranks the entry that says "đường" first; newest next.
    found = search_schedules("đường hậu giang")
    assert [f.item.id for f in found] == [portal_items["meeting"].id]
    assert [f.item.id for f in search_schedules("hau giang")] == \
        [portal_items["visit"].id, portal_items["meeting"].id]
