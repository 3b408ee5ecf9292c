"""Players a reader enjoys, in a real browser: one player at a time (narration and video pause
each other, anywhere on a page), and on a phone a compact narration player that stays on screen,
with read-along that follows the voice only until the reader scrolls away — then a button
brings them back. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, DESKTOP, PHONE, publish_with_media, wait_until

PARAGRAPHS = [f"Đoạn {n}: Hội nông dân xã đã hướng dẫn các hộ chuyển đổi cây trồng, "
              f"giảm chi phí tưới và tăng thu nhập cho bà con trong vụ mùa năm nay."
              for n in range(1, 25)]


@pytest.fixture
def long_article(make_article, run_worker, tmp_path):
    """A long published article with a ready narration (read-along timings) and a video."""
    return publish_with_media(make_article, run_worker, tmp_path,
                              "Nông dân Hòa An chuyển đổi cây trồng", 6,
                              lede="Hơn 1.200 hộ đã chuyển sang cây ít nước.",
                              body_html="".join(f"<p>{p}</p>" for p in PARAGRAPHS))




def screen(page, name: str) -> None:
    """What the reader's screen shows now (the viewport, where a docked player sits)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def swipe(page, up: int) -> None:
    """The reader's thumb moves the page `up` pixels towards its top: a touch, then the scroll
    (synthesized touch gestures do not reach headless Chromium's compositor reliably)."""
    page.evaluate("""(up) => {
        window.dispatchEvent(new TouchEvent('touchstart'));
        window.scrollBy({top: -up, behavior: 'instant'}); }""", up)


def playing(page, selector: str) -> bool:
    return page.evaluate(f"() => !document.querySelector('{selector}').paused")


def test_starting_one_player_pauses_the_other(live_server, browser, long_article):
    page = browser.new_context(**DESKTOP, locale="vi-VN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/bai-viet/{long_article.slug}")
    audio, video = "[data-player] audio", "[data-vplayer] video"

    page.get_by_role("button", name="Phát bài đọc").click()
    wait_until(page, f"() => document.querySelector('{audio}').currentTime > 0.3")
    start = page.locator("[data-vplayer] [data-role=start]")
    if start.is_visible():
        start.click()
    else:
        page.locator(video).evaluate("v => v.play()")
    wait_until(page, f"() => document.querySelector('{video}').currentTime > 0.3")
    assert playing(page, video) and not playing(page, audio)  # the voice stopped

    page.get_by_role("button", name="Phát bài đọc").click()
    wait_until(page, f"() => !document.querySelector('{audio}').paused")
    time.sleep(0.3)
    assert playing(page, audio) and not playing(page, video)  # and the video stopped
    # Players anywhere on a page, also ones added later (a list of clips): the same rule.
    page.evaluate("""() => { const a = document.createElement('audio');
        a.id = 'list-clip'; a.src = document.querySelector('[data-player] audio').src;
        document.body.appendChild(a); return a.play(); }""")
    wait_until(page, "() => !document.getElementById('list-clip').paused")
    assert not playing(page, audio)
    assert not errors, errors


def test_on_a_phone_the_player_stays_at_hand_and_read_along_lets_the_reader_roam(
        live_server, browser, long_article):
    page = browser.new_context(**PHONE, locale="vi-VN").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/bai-viet/{long_article.slug}")
    player = page.locator("[data-player]")
    page.get_by_role("button", name="Phát bài đọc").click()
    wait_until(page, "() => document.querySelector('.ra--now') !== null")

    # The voice reaches the middle of the article: read-along brings the page along.
    page.evaluate("""() => { const a = document.querySelector('[data-player] audio');
        const spans = [...document.querySelectorAll('.ra')];
        a.currentTime = Number(spans[Math.floor(spans.length / 2)].dataset.start) + 0.1; }""")
    wait_until(page, """() => { const r = document.querySelector('.ra--now');
        if (!r) return false; const b = r.getBoundingClientRect();
        return b.top > 0 && b.bottom < innerHeight; }""")
    # Far below its place, the compact player is on screen: play/pause, time and speed.
    wait_until(page, "() => document.querySelector('[data-player]')"
                     ".classList.contains('player--docked')")
    box = player.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["viewport"]["height"] + 1
    for control in (page.get_by_role("button", name="Tạm dừng"), player.locator("[data-role=time]"),
                    player.get_by_label("Tốc độ")):
        expect(control).to_be_visible()
    assert box["height"] < 160, box  # compact: a strip, not the whole player
    time.sleep(1)  # (the smooth scroll settles before the picture)
    screen(page, "phone-sticky-player-mid-article")

    # The reader scrolls back up to reread the top: the page must stay where they put it.
    swipe(page, up=1500)
    time.sleep(0.6)
    where = page.evaluate("scrollY")
    back = page.get_by_role("button", name="Về câu đang đọc")
    expect(back).to_be_visible()
    time.sleep(2.5)  # sentences go on; nobody pulls the reader down again
    assert abs(page.evaluate("scrollY") - where) < 5
    assert playing(page, "[data-player] audio")
    screen(page, "phone-back-to-sentence-button")

    # One tap and they are back with the voice, and read-along follows again.
    back.click()
    wait_until(page, """() => { const r = document.querySelector('.ra--now');
        const b = r.getBoundingClientRect(); return b.top > 0 && b.bottom < innerHeight; }""")
    expect(back).to_be_hidden()
    # Pausing keeps the compact player (the reader may want to go on); its speed works.
    player.get_by_label("Tốc độ").select_option("1.5")
    assert page.evaluate("document.querySelector('[data-player] audio').playbackRate") == 1.5
    assert not errors, errors
