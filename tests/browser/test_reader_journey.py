"""What a reader does, in a real browser: home → section → article → listen → watch →
search without diacritics → comment → (an editor approves it) → the comment shows.
Screenshots of every step are saved as test artifacts, on a phone and on a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import (
    DESKTOP,
    PHONE,
    publish_with_media,
    run_axe,
    save_report,
    wait_until,
    watch_csp,
)

TITLE = "Nông dân Hòa An chuyển đổi cây trồng thích ứng hạn mặn"
LEDE = "Năm nay, hơn 1.200 hộ nông dân ở tỉnh Hòa An đã chuyển sang trồng cây ít nước."
BODY = ("<p>Theo Sở Nông nghiệp, mô hình luân canh lúa – màu giúp nông dân giảm chi phí tưới.</p>"
        "<p>Nhiều hộ cho biết thu nhập tăng gần gấp đôi so với vụ trước.</p>")


@pytest.fixture
def published_with_media(make_article, run_worker, tmp_path):
    """One article with a ready narration and a ready uploaded video, plus two others."""
    make_article("Hòa An khai mạc hội chợ nông sản", lede="Hội chợ kéo dài năm ngày.")
    make_article("Tuổi trẻ Hòa An ra quân mùa hè xanh", lede="Hơn 500 đoàn viên tham gia.")
    return publish_with_media(make_article, run_worker, tmp_path, TITLE, 4, lede=LEDE,
                              body_html=BODY)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_reader_reads_listens_watches_searches_and_comments(
        device, live_server, browser, shoot, make_user, published_with_media):
    article = published_with_media
    make_user("bientap", password="mat-khau-dung")
    reader = browser.new_context(**(PHONE if device == "phone" else DESKTOP), locale="vi-VN")
    page = reader.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    refused = watch_csp(page)  # the whole journey runs under the portal's CSP

    page.goto(live_server + "/")
    expect(page.get_by_role("heading", name=TITLE).first).to_be_visible()
    shoot(page, f"{device}-1-home")

    # The section menu (on a phone, behind the header's menu button) → the section page →
    # the article.
    if device == "phone":
        page.get_by_role("button", name="Chuyên mục và hiển thị").click()
    page.get_by_role("navigation", name="Chuyên mục").get_by_role(
        "link", name="Văn hóa xã hội").click()
    expect(page).to_have_url(re.compile(r"/chuyen-muc/van-hoa-xa-hoi/$"))
    shoot(page, f"{device}-2-section")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(re.compile(f"/bai-viet/{article.slug}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # Listen: the narration plays (its clock moves).
    page.get_by_role("button", name="Phát bài đọc").click()
    wait_until(page, "() => document.querySelector('[data-player] audio').currentTime > 0.5")
    shoot(page, f"{device}-3-article-listening")
    page.get_by_role("button", name="Tạm dừng").click()

    # Watch: the uploaded video plays.
    start = page.locator("[data-vplayer] [data-role=start]")
    if start.is_visible():
        start.click()
    else:
        page.locator("[data-vplayer] video").evaluate("v => v.play()")
    wait_until(page, "() => document.querySelector('[data-vplayer] video').currentTime > 0.5")
    shoot(page, f"{device}-4-article-watching")
    page.locator("[data-vplayer] video").evaluate("v => v.pause()")

    # Search typed without diacritics finds the article, words highlighted.
    page.goto(live_server + "/tim-kiem")
    page.get_by_label("Tìm kiếm", exact=True).last.fill("nong dan han man")
    page.get_by_label("Tìm kiếm", exact=True).last.press("Enter")
    result = page.locator(".search-result").filter(has_text=TITLE)
    expect(result).to_have_count(1)
    expect(result.locator("mark").first).to_be_visible()
    shoot(page, f"{device}-5-search")

    # A comment with markup in it: held for moderation, not shown yet.
    page.goto(f"{live_server}/bai-viet/{article.slug}")
    comment = "Mô hình rất hay, <b>mong</b> tỉnh nhân rộng!"
    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Email").fill("mai@example.vn")
    page.get_by_label("Ý kiến", exact=True).fill(comment)
    page.get_by_role("button", name=re.compile("Gửi")).click()
    expect(page.get_by_text("Cảm ơn bạn!")).to_be_visible()
    expect(page.get_by_text(comment)).to_have_count(0)
    shoot(page, f"{device}-6-comment-sent")

    # An editor approves it from the moderation queue.
    staff = browser.new_context(**DESKTOP, locale="vi-VN")
    desk = staff.new_page()
    desk.goto(live_server + "/bien-tap/dang-nhap")
    desk.get_by_label("Tên đăng nhập").fill("bientap")
    desk.get_by_label("Mật khẩu").fill("mat-khau-dung")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.goto(live_server + "/bien-tap/binh-luan")
    row = desk.locator("li, tr, article").filter(has_text="Trần Thị Mai").last
    expect(row).to_contain_text("<b>mong</b>")  # escaped for the editor too
    shoot(desk, f"{device}-7-moderation-queue")
    row.get_by_role("button", name="Duyệt").click()
    staff.close()

    # The reader sees it, as text: the markup is shown, not obeyed.
    page.reload()
    shown = page.get_by_text(comment)
    expect(shown).to_be_visible()
    assert page.locator("#binh-luan b", has_text="mong").count() == 0
    shoot(page, f"{device}-8-comment-shown")
    # Nothing wider than the phone: the players wrap instead of pushing the page sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width
    assert not errors, errors
    assert not refused, refused  # nothing the Content-Security-Policy had to stop
    # The article with both players and a comment: no serious or critical axe violation.
    violations = run_axe(page)
    save_report(f"axe-{device}-article-with-media", violations)
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    reader.close()
