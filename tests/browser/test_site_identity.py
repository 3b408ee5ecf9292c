"""The compact phone masthead and the site's identity, in Chromium: at 390 × 844 the header is
at most 120 px tall, its tagline on one line, and search, the sections, the text size and the
contrast are reachable from it; the desktop keeps a full masthead; the footer states who runs
the portal; the admin's settings page changes the emblem. axe stays clean on each.

Screenshots: test-artifacts/issue17/ (home-phone, home-phone-menu, article-phone-footer,
home-desktop, settings-page, home-phone-nojs)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from app.demo import DEMO_IDENTITY
from app.extensions import db
from app.models import Role
from app.services import banners, site
from app.services.sections import category_named
from config import BASE_DIR

from .conftest import DESKTOP, PHONE, run_axe, save_report

SHOTS = BASE_DIR / "test-artifacts" / "issue17"


def shot(page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def png(size=(1200, 300), color=(20, 90, 150)) -> io.BytesIO:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).ellipse([20, 20, size[1] - 20, size[1] - 20], fill=(250, 200, 60))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    buf.seek(0)
    return buf


@pytest.fixture
def portal(make_article):
    for name in ("Thời sự", "Kinh tế", "Xây dựng Đảng", "Quốc phòng - An ninh"):
        category_named(name)
    make_article("Hòa An khai mạc hội chợ nông sản", lede="Hội chợ kéo dài năm ngày.")
    article = make_article("Tỉnh Hòa An đón nhận Huân chương Lao động hạng Nhất",
                           lede="Sáng 20/11/2026, tỉnh Hòa An long trọng tổ chức lễ đón nhận.")
    site.save(DEMO_IDENTITY, actor="demo")
    banners.save_banner(None, banners.BannerInput(
        title="Dịch vụ công trực tuyến", alt_text="Dịch vụ công trực tuyến tỉnh Hòa An",
        link_url="/van-ban/"), png())
    db.session.commit()
    return {"article": f"/bai-viet/{article.slug}"}


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def test_the_phone_header_is_compact_and_reaches_search_menu_and_display_tools(
        portal, live_server, browser):
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(live_server + "/")
    header = box(page, "header.masthead")
    print(f"\nphone header: {header['width']:.0f} × {header['height']:.0f} px")
    assert header["height"] <= 120
    tag = page.locator(".brand__tag")
    assert tag.evaluate("el => el.getClientRects().length") == 1  # one line box…
    assert box(page, ".brand__tag")["height"] < 20  # …of one line's height
    emblem = page.locator("header .brand__emblem")
    expect(emblem).to_be_visible()
    assert emblem.evaluate("img => img.complete && img.naturalWidth > 0")  # it loaded
    shot(page, "home-phone")
    closed = run_axe(page)

    # search: one tap opens the field in the header, focused; Enter searches
    page.get_by_role("link", name="Tìm kiếm").click()
    field = page.locator("#masthead-q")
    expect(field).to_be_visible()
    expect(field).to_be_focused()
    assert box(page, "#masthead-q")["y"] < 120 + 60  # in the header, under its row

    # the menu: one tap shows the sections and the display tools
    menu = page.get_by_role("button", name="Chuyên mục và hiển thị")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(field).to_be_hidden()  # one panel at a time
    sections = page.get_by_role("navigation", name="Chuyên mục")
    expect(sections.get_by_role("link", name="Kinh tế")).to_be_visible()
    expect(sections.get_by_role("link", name="Lịch công tác")).to_be_visible()
    larger = page.get_by_role("button", name="A+ Tăng cỡ chữ")
    contrast = page.get_by_role("button", name="Tương phản cao")
    expect(larger).to_be_visible()
    expect(page.get_by_role("button", name="A− Giảm cỡ chữ")).to_be_visible()
    expect(contrast).to_be_visible()
    shot(page, "home-phone-menu")
    opened = run_axe(page)
    larger.click()
    assert page.evaluate("getComputedStyle(document.documentElement)"
                         ".getPropertyValue('--zoom').trim()") == "1.1"
    contrast.click()
    expect(contrast).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.documentElement.classList.contains('contrast-high')")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    save_report("issue17-axe-phone-header", {"closed": closed, "menu-open": opened})
    assert blocking(closed) == [] and blocking(opened) == [], (closed, opened)
    assert errors == []
    context.close()


def test_the_article_footer_states_who_runs_the_portal_on_a_phone(portal, live_server, browser):
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + portal["article"])
    footer = page.locator("footer.footer")
    footer.scroll_into_view_if_needed()
    for words in ("Cơ quan chủ quản: Tỉnh ủy Hòa An",
                  "Chịu trách nhiệm chính: Nguyễn Văn Thành, Chánh Văn phòng Tỉnh ủy",
                  "Giấy phép số 152/GP-TTĐT ngày 14/06/2024",
                  "Địa chỉ: Số 1 đường Trần Hưng Đạo, phường Phú Hòa, tỉnh Hòa An",
                  "0200 3812 345", "banbientap@hoaan.test"):
        expect(footer.get_by_text(words)).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    shot(page, "article-phone-footer")
    found = run_axe(page)
    save_report("issue17-axe-article-phone", found)
    assert blocking(found) == [], found
    context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_an_article_shows_its_time_under_the_title_and_who_runs_the_portal_below(
        device, portal, live_server, browser):
    """What a reader sees of an article's time ("hh:mm dd/mm/yyyy", Vietnam time) and of the
    portal's identity (the footer), on a phone and on a desktop."""
    context = browser.new_context(**(PHONE if device == "phone" else DESKTOP), locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + portal["article"])
    stamp = page.locator("article time").first
    expect(stamp).to_be_visible()
    assert re.fullmatch(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}", stamp.inner_text().strip())
    title = page.get_by_role("heading", level=1).bounding_box()
    assert stamp.bounding_box()["y"] > title["y"]  # under the title
    shot(page, f"article-{device}-top")
    footer = page.locator("footer.footer")
    footer.scroll_into_view_if_needed()
    expect(footer.get_by_text("Cơ quan chủ quản: Tỉnh ủy Hòa An")).to_be_visible()
    expect(footer.get_by_text("Giấy phép số 152/GP-TTĐT ngày 14/06/2024")).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    shot(page, f"article-{device}-bottom")
    context.close()


def test_the_desktop_keeps_a_full_masthead(portal, live_server, browser):
    context = browser.new_context(**DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/")
    assert box(page, "header .brand__emblem")["height"] == 64
    expect(page.locator(".brand__name")).to_have_text("Cổng thông tin điện tử tỉnh Hòa An")
    expect(page.locator(".brand__tag")).to_be_visible()
    expect(page.locator("#masthead-q")).to_be_visible()  # the field itself, no button first
    expect(page.get_by_role("button", name="Chuyên mục và hiển thị")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Chuyên mục")
           .get_by_role("link", name="Kinh tế")).to_be_visible()
    expect(page.get_by_role("button", name="Tương phản cao")).to_be_visible()
    expect(page.locator(".banner-slot__label")).to_have_text("Thông tin tuyên truyền")
    shot(page, "home-desktop")
    found = run_axe(page)
    save_report("issue17-axe-home-desktop", found)
    assert blocking(found) == [], found
    context.close()


def test_without_javascript_the_phone_header_still_reaches_sections_and_search(
        portal, live_server, browser):
    context = browser.new_context(**PHONE, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    expect(page.get_by_role("navigation", name="Chuyên mục")
           .get_by_role("link", name="Trang chủ")).to_be_visible()
    search = page.get_by_role("link", name="Tìm kiếm")
    expect(search).to_have_attribute("href", "/tim-kiem")
    shot(page, "home-phone-nojs")
    search.click()
    expect(page.get_by_role("search").last).to_be_visible()
    context.close()


def test_an_admin_changes_the_emblem_on_the_settings_page(
        portal, live_server, browser, make_user, store):
    make_user(username="quantri", password="mat-khau-dung", role=Role.admin)
    context = browser.new_context(**DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/bien-tap/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill("mat-khau-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Thông tin cổng").click()
    expect(page.get_by_label("Cơ quan chủ quản")).to_have_value("Tỉnh ủy Hòa An")
    shot(page, "settings-page", full_page=True)
    found = run_axe(page)
    save_report("issue17-axe-settings", found)
    assert blocking(found) == [], found

    page.get_by_label("Biểu trưng", exact=False).set_input_files(files=[{
        "name": "huy-hieu.png", "mimeType": "image/png",
        "buffer": png((400, 400), (160, 20, 30)).getvalue()}])
    page.get_by_label("Nhãn của ô quảng cáo trên trang chủ").select_option(label="Quảng cáo")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status")).to_have_text("Đã lưu thông tin cổng.")
    src = page.locator("header .brand__emblem").get_attribute("src")
    assert src is not None and "/images/site/emblem-" in src
    page.goto(live_server + "/")
    expect(page.locator(".banner-slot__label")).to_have_text("Quảng cáo")
    context.close()
