"""Pills that mean something (issue 17, point 4): a card's Đọc/Nghe/Xem say which forms readers
get, with the reading time and the durations, and each links to its place on the article page;
a form the article lacks is not shown as a link or a button."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Article, ArticleStatus, MediaAsset, MediaKind, MediaStatus
from app.services.publishing import count_words


def story(title: str, slug: str, category, minutes_ago: int, words: int = 300,
          media: tuple[MediaAsset, ...] = ()) -> Article:
    body = "<p>" + " ".join(["chữ"] * words) + "</p>"
    article = Article(title=title, slug=slug, lede="Tóm tắt.", body_html=body,
                      word_count=count_words(body), status=ArticleStatus.published,
                      published_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
                      category=category, media=list(media))
    db.session.add(article)
    db.session.commit()
    return article


def audio(status=MediaStatus.ready, duration=205.0, slug="x") -> MediaAsset:
    outputs = {"mp3": f"audio/{slug}/a.mp3"} if status is MediaStatus.ready else {}
    return MediaAsset(kind=MediaKind.audio, status=status, duration=duration, outputs=outputs)


def video(duration=130.0, slug="x") -> MediaAsset:
    return MediaAsset(kind=MediaKind.video, status=MediaStatus.ready, duration=duration,
                      outputs={"mp4": f"video/{slug}/v.mp4", "poster": f"video/{slug}/p.jpg"})


def card_of(html: str, title: str) -> str:
    for card in re.findall(r'<li class="card[^"]*">(.*?)</li>\s*(?=<li class="card|</ol>)',
                           html, re.S):
        if f">{title}</a>" in card:
            return card
    raise AssertionError(f"no card for {title}")


def pills(card: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the card's forms list."""
    forms = re.search(r'<ul class="forms"[^>]*>(.*?)</ul>', card, re.S).group(1)
    return [(href, " ".join(re.sub(r"<[^>]+>", "", text).split()))
            for href, text in re.findall(r'<a class="pill[^"]*" href="([^"]+)">(.*?)</a>',
                                         forms, re.S)]


@pytest.fixture
def stories(app, category):
    everything = story("Có đủ đọc nghe xem", "du-ba", category, 1, words=1000,
                       media=(audio(slug="du-ba"), video(slug="du-ba")))
    text_only = story("Chỉ có bài đọc", "chi-doc", category, 2, words=120,
                      media=(audio(MediaStatus.failed, None),))
    narrating = story("Bản nghe đang xử lý", "dang-xu-ly", category, 3, words=250,
                      media=(audio(MediaStatus.processing, None),))
    return everything, text_only, narrating


@pytest.mark.parametrize("url", ["/", "/chuyen-muc/van-hoa-xa-hoi/"])
def test_pills_show_the_forms_with_durations_and_link_to_their_players(client, stories, url):
    everything, text_only, narrating = stories
    html = client.get(url).get_data(as_text=True)
    assert pills(card_of(html, everything.title)) == [
        (f"/bai-viet/{everything.slug}#doc", "Đọc 4 phút"),
        (f"/bai-viet/{everything.slug}#nghe", "Nghe 3:25"),
        (f"/bai-viet/{everything.slug}#xem", "Xem 2:10"),
    ]
    # A failed or unfinished narration and no video: only Đọc, a link like the others.
    for missing in (text_only, narrating):
        card = card_of(html, missing.title)
        assert pills(card) == [(f"/bai-viet/{missing.slug}#doc", "Đọc 1 phút")]
        assert "Nghe" not in card and "Xem" not in card
        assert "<button" not in card and "disabled" not in card


def test_the_anchors_are_on_the_article_page(client, stories):
    everything, text_only, _ = stories
    html = client.get(f"/bai-viet/{everything.slug}").get_data(as_text=True)
    assert re.search(r'<div class="form-slot form-slot--listen" id="nghe">.*?<audio', html, re.S)
    assert re.search(r'<div class="form-slot form-slot--watch" id="xem">.*?<video', html, re.S)
    assert re.search(r'<div class="article__text" id="doc">\s*<p class="article__lede"', html)
    plain = client.get(f"/bai-viet/{text_only.slug}").get_data(as_text=True)
    assert 'id="doc"' in plain and 'id="xem"' not in plain


def test_a_card_shows_a_form_exactly_when_the_article_page_plays_it(client, stories):
    """The card and the page read the same forms: a player on the page, a pill on the card."""
    html = client.get("/").get_data(as_text=True)
    for article in stories:
        page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
        card = card_of(html, article.title)
        assert ("#nghe" in card) == ("<audio" in page), article.title
        assert ("#xem" in card) == ("<video" in page), article.title


def test_the_reading_time_is_kept_with_each_saved_article(make_article):
    article = make_article(body_html="<p>" + " ".join(["một"] * 600) + "</p>"
                           "<figure><figcaption>Ảnh minh họa</figcaption></figure>")
    assert article.word_count == 603


def test_the_migration_counts_the_words_of_the_articles_already_there(app, make_article):
    """Upgrading from the revision before the word count gives old articles their reading
    time (the pins' table comes and goes with it)."""
    from flask_migrate import downgrade, upgrade

    long_one = make_article("Bài dài", body_html="<p>" + "lời " * 900 + "</p><p>kết.</p>")
    short = make_article("Bài ngắn", body_html="<p>Chỉ <b>năm</b> chữ &amp; thôi.</p>")
    ids = {long_one.id: 901, short.id: 5}
    db.session.remove()
    downgrade(revision="e2a9c4d71f3b")
    upgrade()
    assert {i: db.session.get(Article, i).word_count for i in ids} == ids
