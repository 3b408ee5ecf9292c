"""What readers judge search by: the article they meant comes first, for Vietnamese queries
typed with or without diacritics, as phrases, as document numbers, or mistyped. These run on
SQLite and on PostgreSQL (the second test run): the orders asserted are the same on both."""

import re
from datetime import UTC, date, datetime

import pytest

from app.extensions import db
from app.models import Document
from app.services.search import (
    canonical,
    document_texts,
    folded_words,
    from_typing_keys,
    search,
    search_documents,
)

RESULT_LINK = re.compile(r'<li class="search-result">\s*<h3 class="card__title">'
                         r'<a href="/bai-viet/([^"]+)"')


@pytest.fixture
def newsroom(make_article):
    """Articles a provincial portal carries, with dates that make "newest first" wrong."""

    def make(key, title, body, day, lede=""):
        article = make_article(title, lede=lede, body_html=f"<p>{body}</p>")
        article.published_at = datetime(2026, 11, day, 2, 0, tzinfo=UTC)
        return key, article

    items = dict([
        # the one readers mean by "chuyen doi so": the phrase, in an older article's body
        make("digital", "Hội nghị triển khai nhiệm vụ năm 2027",
             "Tỉnh đẩy mạnh chuyển đổi số trong cơ quan nhà nước.", 2),
        # newer ones holding the three syllables apart
        make("review", "Sơ kết công tác chuyển giao công nghệ",
             "Sở Khoa học và Công nghệ đổi mới cách làm, số mô hình tăng.", 20),
        make("resolution", "Quán triệt Nghị quyết số 08-CT/TU",
             "Đổi mới phương thức, chuyển biến rõ nét, sơ kết định kỳ.", 21),
        # the title beats the body; between equals the newer first
        make("title", "Chuyển đổi số ở xã vùng sâu", "Người dân dùng điện thoại thông minh.",
             10),
        make("older_title", "Chuyển đổi số trong trường học", "Giáo viên soạn bài trực tuyến.",
             5),
        # Hòa An (the province) and hoa an (flowers, peace)
        make("province", "Tỉnh Hòa An đón khách du lịch", "Du khách đến Hòa An tăng mạnh.", 8),
        make("flowers", "Vườn hoa an dưỡng mùa xuân", "Hoa an nhiên nở rộ.", 25),
        # the resolution the document query is about, mentioned in an article
        make("mentions", "Học tập Nghị quyết 05-NQ/TU", "Cán bộ học tập nghị quyết.", 12),
    ])
    db.session.commit()
    return items


def keys(found, items):
    by_id = {article.id: key for key, article in items.items()}
    return [by_id[hit.id] for hit in found.hits]


def test_the_phrase_comes_before_its_syllables_scattered(newsroom):
    order = keys(search("chuyen doi so"), newsroom)
    # the phrase first (titles before bodies, newer before older), the scattered ones after
    assert order[:3] == ["title", "older_title", "digital"]
    assert set(order[3:]) == {"review", "resolution"}


def test_the_highlight_marks_the_whole_phrase(client, newsroom):
    page = client.get("/tim-kiem?q=chuyen+doi+so").get_data(as_text=True)
    assert "<mark>chuyển đổi số</mark>" in page
    assert "<mark>sơ</mark>" not in page.split('<li class="search-result">')[3]  # the body's


def test_a_title_match_outranks_the_body_and_the_newer_comes_first(newsroom):
    assert keys(search("trường học"), newsroom)[0] == "older_title"
    assert keys(search("chuyển đổi số"), newsroom)[:3] == ["title", "older_title", "digital"]


def test_exact_diacritics_come_before_folded_matches(newsroom):
    assert keys(search("hòa an"), newsroom)[0] == "province"
    assert keys(search("hoà an"), newsroom)[0] == "province"  # the newer tone placement
    # without diacritics both are the phrase: the title-and-newer rule decides
    assert set(keys(search("hoa an"), newsroom)[:2]) == {"province", "flowers"}


def test_tone_placement_and_leading_zeros_are_one_way(newsroom):
    assert canonical("hoà") == canonical("hòa") == "hòa"
    assert canonical("thuý") == "thúy" and canonical("khoẻ") == "khỏe"
    assert canonical("quý") == "quý" and canonical("hoàng") == "hoàng"
    assert canonical("05") == "5" and canonical("000") == "0" and canonical("2026") == "2026"


def test_results_missing_a_word_come_after_and_lone_syllables_never(newsroom, make_article):
    # three words, no article with all three: those with two of them are shown, marked
    found = search("hòa an nhiên")
    assert found.complete == 1 and keys(found, newsroom)[0] == "flowers"
    assert all(hit.complete for hit in found.hits[:1])
    # two words with no match: nothing, rather than articles holding one of the syllables
    assert search("bí mật").total == 0
    # a document number is all or nothing: "5" and "tu" are in any text ("từ")
    make_article("Tin khác", body_html="<p>Huy động 5 tỷ đồng từ nguồn xã hội hóa.</p>")
    assert search("05 NQ TU").total == search("05 NQ TU").complete == 1


def test_every_match_is_counted(client, newsroom):
    found = search("chuyen doi so", per_page=2)
    assert found.total == 5 and len(found.hits) == 2
    page = client.get("/tim-kiem?q=chuyen+doi+so&loai=bai-viet").get_data(as_text=True)
    assert "Tìm thấy 5 kết quả" in page


@pytest.fixture
def documents(app):
    def document(number, doc_type, summary, issued_on):
        doc = Document(number=number, doc_type=doc_type, issuer="Tỉnh ủy Hòa An",
                       signer="Nguyễn Văn An", issued_on=issued_on, summary=summary,
                       slug=folded_words([doc_type, number]).replace(" ", "-"), published=True)
        doc.search_text = folded_words(document_texts(doc))
        db.session.add(doc)
        return doc

    items = {
        "resolution": document("05-NQ/TU", "Nghị quyết", "Về chuyển đổi số tỉnh Hòa An",
                               date(2025, 11, 20)),
        "directive": document("08-CT/TU", "Chỉ thị", "Về tăng cường 05 nhiệm vụ trọng tâm, "
                              "NQ của Tỉnh ủy (TU)", date(2026, 2, 1)),
        "plan": document("126/KH-UBND", "Kế hoạch", "Tổ chức Tuần Văn hóa – Du lịch năm 2026",
                         date(2026, 8, 20)),
        "other_plan": document("45/KH-UBND", "Kế hoạch", "Liên kết sản xuất lúa, 126 hộ "
                               "tham gia", date(2026, 9, 1)),
    }
    db.session.commit()
    return items


@pytest.mark.parametrize("query", ["05-NQ/TU", "05/NQ-TU", "05 NQ TU", "5-NQ/TU",
                                   "nghị quyết 05", "nghi quyet 5", "NQ 05"])
def test_any_form_of_a_document_number_finds_that_document_first(client, documents,
                                                                   newsroom, query):
    assert search_documents(query)[0].item.id == documents["resolution"].id
    page = client.get("/tim-kiem", query_string={"q": query}).get_data(as_text=True)
    # the documents are shown above the articles that mention the number
    assert page.index(f'/van-ban/{documents["resolution"].slug}') < page.index(
        f'/bai-viet/{newsroom["mentions"].slug}')


@pytest.mark.parametrize("query", ["126/KH-UBND", "126-KH/UBND", "kế hoạch 126", "126 KH UBND",
                                   "126"])
def test_any_form_of_a_plan_number_finds_that_plan_first(documents, query):
    assert search_documents(query)[0].item.id == documents["plan"].id


def test_a_bare_number_shows_documents_before_articles(client, documents, make_article):
    make_article("Tuần Văn hóa có 126 gian hàng", body_html="<p>Có 126 gian hàng.</p>")
    page = client.get("/tim-kiem?q=126").get_data(as_text=True)
    assert page.index(f'/van-ban/{documents["plan"].slug}') < page.index('class="search-result"')


@pytest.mark.parametrize(("typed", "meant"), [
    ("chuyeenr", "chuyển"), ("ddooir", "đổi"), ("soos", "số"), ("so61", "số"),
    ("hoaf", "hòa"), ("nguwowif", "người"), ("truwowngf", "trường"), ("quyeets", "quyết"),
    ("tinhr", "tỉnh"), ("khoer", "khỏe"), ("d9o6i3", "đổi"), ("nam", "nam"), ("so", "so")])
def test_keys_typed_without_the_input_method_become_vietnamese(typed, meant):
    assert from_typing_keys(typed) == meant


def test_no_result_offers_the_telex_reading_and_a_search_without_filters(client, newsroom):
    page = client.get("/tim-kiem?q=chuyeenr+ddooir+soos").get_data(as_text=True)
    assert "Không tìm thấy kết quả nào" in page
    assert "Có phải bạn muốn tìm:" in page and "<strong>chuyển đổi số</strong>" in page
    link = re.search(r'search-suggestion">[^<]*<a href="([^"]+)"', page).group(1)
    assert client.get(link.replace("&amp;", "&")).status_code == 200
    assert keys(search("chuyển đổi số"), newsroom)[0] == "title"
    # with filters that leave nothing: a link to the same words without them
    page = client.get("/tim-kiem?q=chuyen+doi+so&tu=2030-01-01").get_data(as_text=True)
    assert 'href="/tim-kiem?q=chuyen+doi+so"' in page


@pytest.mark.parametrize("query", [
    "của và là những các", "x" * 500, "!!! ??? ... ---", 'NEAR(chuyen doi) AND "so" * -x',
    "chuyển đổi số 数字化 цифровой", '"chuyen doi so"', "chuyen* OR doi", "-so", "so:"])
def test_hard_queries_get_a_page_not_an_error(client, newsroom, query):
    response = client.get("/tim-kiem", query_string={"q": query})
    assert response.status_code == 200
    assert "Đã có lỗi" not in response.get_data(as_text=True)


def test_without_the_phrase_the_snippet_is_where_most_words_are_close(make_article):
    filler = "Nội dung hội nghị được triển khai đến các địa phương trong tỉnh. " * 6
    make_article("Tin hội nghị", body_html=f"<p>Sở Nội vụ báo cáo. {filler}Tỉnh chuyển "
                                           "hướng đổi mới cách làm, số hồ sơ tăng.</p>")
    snippet = str(search("chuyen doi so").hits[0].snippet)
    assert "<mark>chuyển</mark> hướng <mark>đổi</mark> mới cách làm, <mark>số</mark>" in snippet


def test_the_new_search_words_speak_english(client, newsroom):
    client.get("/ngon-ngu/en?next=/")
    page = client.get("/tim-kiem?q=chuyeenr+ddooir+soos&tu=2000-01-01").get_data(as_text=True)
    assert "Did you mean:" in page and "Search again for" in page
    page = client.get("/tim-kiem?q=hòa+an+nhiên").get_data(as_text=True)
    assert "Close matches (not every word searched for)" in page


def test_a_query_with_diacritics_wants_every_word_as_typed(make_article):
    """"cà mau": the article saying "Cà Mau" first; "Cà Mâu", "Ca Mau", "Ca Mâu" are each only
    partly what was typed, and follow newest first."""
    made = []
    for day, title in enumerate(["Tin Cà Mau", "Tin Ca Mau", "Tin Cà Mâu", "Tin Ca Mâu"]):
        article = make_article(title)
        article.published_at = datetime(2026, 1, 1 + day, tzinfo=UTC)
        made.append(article)
    db.session.commit()
    assert [hit.id for hit in search("cà mau").hits] == [made[i].id for i in (0, 3, 2, 1)]
    assert [hit.id for hit in search("ca mau").hits] == [made[i].id for i in (3, 2, 1, 0)]
