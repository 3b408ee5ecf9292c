import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser

from app.extensions import db
from app.services.sections import category_named


def test_a_section_page_lists_only_its_own_articles_newest_first(client, make_article,
                                                                 category):
    older = make_article("Tin văn hóa cũ")
    older.published_at = datetime(2026, 1, 1, tzinfo=UTC)
    make_article("Tin văn hóa mới")
    economy = category_named("Kinh tế")
    other = make_article("Tin kinh tế")
    other.category_id = economy.id
    db.session.commit()
    page = client.get(f"/chuyen-muc/{category.slug}/").get_data(as_text=True)
    assert page.index("Tin văn hóa mới") < page.index("Tin văn hóa cũ")
    assert "Tin kinh tế" not in page.split("</nav>", 2)[-1]  # not in the list (menu aside)
    assert f'href="/chuyen-muc/{economy.slug}/"' in page  # the menu comes from the sections


def test_section_pagination_and_bad_input(client, make_article, category, app, monkeypatch):
    monkeypatch.setitem(app.config, "ARTICLES_PER_PAGE", 2)
    for i in range(5):
        make_article(f"Tin số {i}")
    second = client.get(f"/chuyen-muc/{category.slug}/?trang=2")
    assert second.status_code == 200 and "Trang 2/3" in second.get_data(as_text=True)
    for query in ("?trang=abc", "?trang=99999999999", "?trang=-1"):
        assert client.get(f"/chuyen-muc/{category.slug}/{query}").status_code == 200
    missing = client.get("/chuyen-muc/khong-co/")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.get_data(as_text=True)


def test_rss_feeds_for_the_site_and_each_section(client, make_article, category):
    make_article('Tỉnh ủy & UBND: "Đẩy nhanh" tiến độ')
    make_article("Bản nháp", publish=False)
    site = feedparser.parse(client.get("/rss.xml").data)
    assert not site.bozo and site.feed.language == "vi"
    assert [e.title for e in site.entries] == ['Tỉnh ủy & UBND: "Đẩy nhanh" tiến độ']
    section = feedparser.parse(client.get(f"/rss/{category.slug}.xml").data)
    assert len(section.entries) == 1 and category.name in section.feed.title
    assert client.get("/rss/khong-co.xml").status_code == 404


def test_sitemap_and_robots(client, make_article, category):
    article = make_article()
    root = ET.fromstring(client.get("/sitemap.xml").data)
    locs = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/bai-viet/{article.slug}") for loc in locs)
    assert any(loc.endswith(f"/chuyen-muc/{category.slug}/") for loc in locs)
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /bien-tap/" in robots
    assert "Sitemap: https://cong.hoaan.test/sitemap.xml" in robots
