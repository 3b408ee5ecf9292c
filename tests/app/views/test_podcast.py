"""Podcast feeds of the narrations, read back with feedparser and fetched from the real store."""

import subprocess
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest
import requests
from sqlalchemy import event

from app.extensions import db
from app.media.lifecycle import get_or_create_asset
from app.models import MediaKind, MediaStatus
from app.public.podcast import itunes_duration
from app.services.sections import category_named

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


@pytest.fixture(scope="module")
def mp3_file(tmp_path_factory):
    """A real one-second MP3, made once for the module."""
    path = tmp_path_factory.mktemp("podcast") / "out.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", "sine=duration=1", "-ac", "1", str(path)], check=True)
    return path


@pytest.fixture
def narrate(store, mp3_file):
    """Give an article a finished narration: a real MP3 in the store, as the worker leaves it."""

    def do(article, render="abc", duration=61.4, with_size=True):
        key = f"audio/{article.id}/{render}.mp3"
        store.upload_file(mp3_file, key, "audio/mpeg")
        audio = article.asset("audio")
        audio.status = MediaStatus.ready
        audio.outputs = {"mp3": key, **({"mp3_bytes": mp3_file.stat().st_size}
                                        if with_size else {})}
        audio.duration = duration
        db.session.commit()
        return key

    return do


def published(article, day):
    article.published_at = datetime(2026, 3, day, 8, 30, tzinfo=UTC)
    db.session.commit()
    return article


def fetch(client, url="/podcast.xml"):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_site_feed_lists_narrated_articles_newest_first(client, app, make_article, narrate):
    """The site feed names the site in Vietnamese and lists narrated articles, newest first."""
    for title, day in (("Tin cũ", 1), ("Tin mới nhất", 20), ("Tin giữa", 10)):
        narrate(published(make_article(title), day))
    feed = fetch(client)
    assert feed.feed.title == app.config["SITE_NAME"]
    assert feed.feed.language == "vi"
    assert [e.title for e in feed.entries] == ["Tin mới nhất", "Tin giữa", "Tin cũ"]
    first = feed.entries[0]
    assert first.link == "https://cong.hoaan.test/bai-viet/tin-moi-nhat"
    assert first.summary == "Sáng ngày 18/11/2026, Tỉnh ủy tổ chức hội nghị."
    assert first.published == "Fri, 20 Mar 2026 08:30:00 GMT"
    assert first.itunes_duration == "01:01"


def test_only_articles_with_a_finished_sized_narration_are_episodes(client, make_article,
                                                                      narrate):
    """Drafts, articles still being narrated and MP3s of unknown size are left out."""
    narrate(published(make_article("Có bản nghe"), 1))
    make_article("Đang chờ đọc")  # queued, no output yet
    draft = make_article("Bản nháp", publish=False)
    get_or_create_asset(draft, MediaKind.audio)
    narrate(draft)  # narrated, but not published
    narrate(published(make_article("Chưa rõ dung lượng"), 2), with_size=False)
    failed = published(make_article("Đọc lỗi"), 3)
    failed.asset("audio").status = MediaStatus.failed
    db.session.commit()
    assert [e.title for e in fetch(client).entries] == ["Có bản nghe"]


def test_a_new_render_keeps_the_episode_listed_while_it_runs(client, make_article, narrate):
    """While a re-narration is queued, the previous whole render stays in the feed."""
    article = published(make_article(), 1)
    key = narrate(article)
    article.asset("audio").status = MediaStatus.queued
    db.session.commit()
    (entry,) = fetch(client).entries
    assert entry.enclosures[0].href.endswith(key)


def test_enclosures_are_the_real_mp3s_in_the_store(client, make_article, narrate, store):
    """Each enclosure is audio/mpeg, states the object's true size and downloads from the store."""
    keys = [narrate(published(make_article(f"Tin số {n}"), n)) for n in (1, 2)]
    feed = fetch(client)
    assert len(feed.entries) == 2
    for entry, key in zip(feed.entries, reversed(keys), strict=True):
        (enclosure,) = entry.enclosures
        size = store.client.head_object(Bucket=store.bucket, Key=key)["ContentLength"]
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == size
        response = requests.get(enclosure.href, timeout=10)
        assert response.status_code == 200
        assert len(response.content) == size
        assert response.content[:3] == b"ID3" or response.content[0] == 0xFF


def test_guid_is_stable_across_a_renarration(client, make_article, narrate):
    """Re-narrating an article changes the enclosure, not the episode's guid."""
    article = published(make_article(), 1)
    narrate(article, render="lan-dau")
    before = fetch(client).entries[0]
    narrate(article, render="lan-hai", duration=3725)
    after = fetch(client).entries[0]
    assert before.id == after.id == f"docnghexem:article:{article.id}"
    assert not after.guidislink
    assert before.enclosures[0].href.endswith("/lan-dau.mp3")
    assert after.enclosures[0].href.endswith("/lan-hai.mp3")
    assert after.itunes_duration == "1:02:05"


def test_section_feed_holds_only_its_section(client, app, make_article, narrate, category):
    """A section's feed is titled with the section and holds only its articles."""
    other = category_named("Kinh tế")
    narrate(published(make_article("Lễ hội văn hóa"), 1))
    elsewhere = make_article("Giá lúa tăng")
    elsewhere.category_id = other.id
    narrate(published(elsewhere, 2))
    feed = fetch(client, f"/podcast/{category.slug}.xml")
    assert feed.feed.title == f"{app.config['SITE_NAME']} — Văn hóa xã hội"
    assert feed.feed.language == "vi"
    assert [e.title for e in feed.entries] == ["Lễ hội văn hóa"]
    assert [e.title for e in fetch(client, f"/podcast/{other.slug}.xml").entries] == [
        "Giá lúa tăng"]
    assert len(fetch(client).entries) == 2


def test_unknown_section_is_a_vietnamese_404(client):
    """A section that does not exist is the site's Vietnamese 404 page."""
    response = client.get("/podcast/khong-co-chuyen-muc.xml")
    assert response.status_code == 404
    assert "Không tìm thấy trang bạn yêu cầu." in response.get_data(as_text=True)


def test_titles_with_ampersand_and_quotes_stay_well_formed(client, make_article, narrate):
    """Titles and ledes with &, <, quotes and pasted control characters stay well-formed."""
    title = 'Tỉnh ủy & UBND: "Đẩy nhanh" tiến độ <dự án> \'trọng điểm\''
    lede = "Nông nghiệp & nông thôn:\x0bhội nghị \"mở rộng\"\x0c"
    narrate(published(make_article(title, lede=lede), 1))
    response = client.get("/podcast.xml")
    ElementTree.fromstring(response.data)  # strict XML parser: raises if malformed
    (entry,) = fetch(client).entries
    assert entry.title == title
    assert entry.summary == 'Nông nghiệp & nông thôn:hội nghị "mở rộng"'


def test_channel_has_the_tags_podcast_apps_require(client, make_article, narrate):
    """The channel carries author, square cover, News category, explicit=false, owner, self link."""
    narrate(published(make_article(), 1))
    channel = ElementTree.fromstring(client.get("/podcast.xml").data).find("channel")
    site = channel.findtext("title")
    assert channel.findtext(f"{ITUNES}author") == site
    assert channel.find(f"{ITUNES}category").get("text") == "News"
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.findtext(f"{ITUNES}owner/{ITUNES}name") == site
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert (self_link.get("rel"), self_link.get("href")) == ("self", "https://cong.hoaan.test/podcast.xml")
    cover = channel.find(f"{ITUNES}image").get("href")
    assert cover.startswith("https://cong.hoaan.test/static/img/podcast-cover.png?v=")  # by content
    image = client.get(cover)
    assert image.status_code == 200 and image.mimetype == "image/png"
    width, height = int.from_bytes(image.data[16:20]), int.from_bytes(image.data[20:24])
    assert (width, height) == (1400, 1400)


def test_feed_stops_at_100_episodes_in_a_fixed_number_of_queries(client, make_article,
                                                                 narrate, store):
    """At most the newest 100 episodes, read in the same few queries however many there are."""
    key = narrate(published(make_article("Tin đầu tiên"), 1))
    size = store.client.head_object(Bucket=store.bucket, Key=key)["ContentLength"]
    start = datetime(2026, 4, 1, tzinfo=UTC)
    for n in range(101):
        article = make_article(f"Tin thứ {n}")
        article.published_at = start + timedelta(hours=n)
        audio = article.asset("audio")
        audio.status = MediaStatus.ready
        audio.outputs = {"mp3": key, "mp3_bytes": size}
    db.session.commit()
    db.session.expire_all()

    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        feed = fetch(client)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(feed.entries) == 100
    assert feed.entries[0].title == "Tin thứ 100" and feed.entries[-1].title == "Tin thứ 1"
    assert len(statements) == 2, statements  # the articles, then their media (selectin)


@pytest.mark.parametrize(("seconds", "text"), [
    (0.4, None), (None, None), (1, "00:01"), (75.4, "01:15"), (599.6, "10:00"),
    (3599.4, "59:59"), (3600, "1:00:00"), (3725, "1:02:05"), (36000, "10:00:00")])
def test_itunes_duration_is_mm_ss_under_an_hour_and_h_mm_ss_above(seconds, text):
    """Durations read as MM:SS under an hour and H:MM:SS from an hour on."""
    assert itunes_duration(seconds) == text
