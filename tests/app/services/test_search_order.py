"""The order of search results is the ranking the module doc of app.services.search states,
whatever way the database works it out (SQLite ranks every match; PostgreSQL reads a page
group by group from its GIN index): checked against that rule written plainly in Python, on
a newsroom of look-alike articles, for queries with and without diacritics, one to four
words, filters and pages. Runs on SQLite and on PostgreSQL."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Article, Category
from app.services import search as search_module
from app.services.search import (
    PARTIAL_BELOW,
    W_ALL,
    W_EXACT,
    W_LEDE_PHRASE,
    W_PHRASE,
    W_TITLE_ALL,
    W_TITLE_PHRASE,
    pairs,
    parse_query,
    search,
)

# Few words, many look-alikes: phrases and their scattered syllables, marks and none.
WORDS = ["chuyển", "đổi", "số", "sổ", "chuyen", "doi", "so", "Hòa", "hoà", "hoa", "An", "ấn",
         "nông", "thôn", "mới", "moi", "xã", "hội", "tỉnh", "05", "5", "NQ", "TU", "kế", "hoạch"]
QUERIES = ["chuyển đổi số", "chuyen doi so", "đổi số", "so", "hòa an", "hoa an", "Hoà An",
           "nông thôn mới", "nong thon moi", "thôn mới xã", "05 NQ TU", "5", "xã hội tỉnh",
           "chuyển đổi số tỉnh", "an hoa", "kế hoạch 05", "tỉnh", "doi so moi nong",
           "sổ hoa", "hội"]


def sentence(rng, length):
    return " ".join(rng.choice(WORDS) for _ in range(length))


@pytest.fixture
def look_alikes(app, category):
    rng = random.Random(20261206)
    other = Category(name="Xã hội", slug="xa-hoi")
    db.session.add(other)
    db.session.flush()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(90):
        article = Article(
            title=sentence(rng, rng.randint(2, 6)).capitalize(),
            slug=f"bai-{number}", lede=sentence(rng, rng.randint(0, 8)),
            body_html="".join(f"<p>{sentence(rng, rng.randint(3, 12))}.</p>"
                              for _ in range(rng.randint(1, 3))),
            category_id=rng.choice([category.id, other.id]), status="published",
            # some share a date: then the higher id comes first
            published_at=start + timedelta(days=rng.randint(0, 40)))
        search_module.refresh_search_text(article)
        db.session.add(article)
    db.session.commit()
    return other


def expected(raw, category_id=None):
    """The ranking rule, plainly: weighted yes/no answers, then newest, then higher id."""
    query = parse_query(raw)
    rows = db.session.scalars(db.select(Article).where(Article.status == "published")).all()
    if category_id is not None:
        rows = [a for a in rows if a.category_id == category_id]

    def has_pairs(text, keys):
        return all(f" {key} " in f" {text} " for key in keys)

    ranked, complete = [], 0
    for article in rows:
        words = set(article.search_text.split())
        held = sum(w in words for w in query.folded)
        if held == len(query.folded):
            complete += 1
            rank = W_ALL
            rank += W_PHRASE * has_pairs(article.search_text, pairs(query.phrase))
            rank += W_EXACT * bool(query.exact and set(query.exact)
                                   <= set(article.search_exact.split()))
            rank += W_TITLE_PHRASE * has_pairs(article.search_title, pairs(query.phrase))
            rank += W_LEDE_PHRASE * has_pairs(article.search_lede, pairs(query.phrase))
            rank += W_TITLE_ALL * has_pairs(article.search_title, query.folded)
        elif held == len(query.folded) - 1:
            rank = -1  # a partial match: kept only when there are few complete ones
        else:
            continue
        ranked.append((rank, article.published_at, article.id))
    partial = complete < PARTIAL_BELOW and len(query.folded) >= 3 and not any(
        w.isdigit() for w in query.folded)
    ranked = [r for r in ranked if r[0] >= 0 or partial]
    ranked.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    return [r[2] for r in ranked]


@pytest.mark.parametrize("raw", QUERIES)
def test_every_page_is_in_the_order_the_rule_gives(look_alikes, raw):
    want = expected(raw)
    assert want, f"the fixture should hold matches for {raw!r}"
    got = []
    for page in range(1, 5):
        result = search(raw, page=page, per_page=7)
        assert result.total == len(want)
        got += [hit.id for hit in result.hits]
    assert got == want[:28]


@pytest.mark.parametrize("raw", ["chuyển đổi số", "hoa an", "tỉnh", "thôn mới xã"])
def test_a_section_filter_keeps_the_order(look_alikes, raw):
    want = expected(raw, category_id=look_alikes.id)
    result = search(raw, category_id=look_alikes.id, page=2, per_page=5)
    assert result.total == len(want)
    assert [hit.id for hit in result.hits] == want[5:10]


def test_what_readers_find_follows_each_change_to_an_article(look_alikes, category):
    """Unpublished, edited, moved to another section or deleted: the next search sees the
    article as it is now (on PostgreSQL the keys table follows by trigger)."""
    article = db.session.scalars(db.select(Article).order_by(Article.id)).first()
    article.title, article.lede, article.body_html = "Lễ hội mùa xuân Bến Tre", "", "<p>x</p>"
    search_module.refresh_search_text(article)
    article.category_id = category.id
    db.session.commit()
    assert [h.id for h in search("lễ hội mùa xuân").hits] == [article.id]
    assert search("lễ hội mùa xuân", category_id=look_alikes.id).total == 0
    article.category_id = look_alikes.id
    db.session.commit()
    assert search("lễ hội mùa xuân", category_id=look_alikes.id).total == 1
    article.status = "draft"
    db.session.commit()
    assert search("lễ hội mùa xuân").total == 0
    article.status = "published"
    db.session.commit()
    assert search("bến tre").total == 1
    article.title = "Tin đã sửa"
    search_module.refresh_search_text(article)
    db.session.commit()
    assert search("bến tre").total == 0 and search("tin đã sửa").total == 1
    db.session.delete(article)
    db.session.commit()
    assert search("tin đã sửa").total == 0


def test_an_article_with_monster_words_or_a_huge_annex_still_publishes_and_is_found(
        client, make_article):
    """A 1,100-letter "word" beside another (a pasted hash, a scan's garbage) or a body of
    200,000 characters: publishing works on every backend, and the article is found by its
    ordinary words (PostgreSQL leaves such keys out rather than refuse the row)."""
    monster = make_article("Báo cáo kèm phụ lục mã hóa",
                           body_html=f"<p>Mã tệp {'x' * 1100} {'y' * 1100} đính kèm.</p>")
    annex = make_article("Phụ lục quy hoạch vùng ven biển",
                         body_html="<p>Quy hoạch vùng ven biển.</p>"
                                   + "<p>Danh mục thửa đất số 12 thuộc phường Phú Hòa.</p>" * 4000)
    for article in (monster, annex):  # live for readers
        assert client.get(f"/bai-viet/{article.slug}").status_code == 200
    for words, article in (("phụ lục mã hóa", monster), ("quy hoạch vùng ven biển", annex),
                           ("thửa đất số 12 phú hòa", annex)):
        found = search(words)
        assert found.complete == 1 and found.hits[0].id == article.id, words
