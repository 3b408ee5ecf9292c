"""The newsroom's screens in a real browser, on a 390 px phone and a desktop: the edit page
fits the phone and shows the cover; a submitted article is read-only to its contributor; the
article list is searched and filtered from its form. Screenshots: test-artifacts/issue17/."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from app.demo import cover_bytes
from app.extensions import db
from app.models import Role
from app.services import workflow
from app.services.accounts import unit_named
from app.services.publishing import ArticleInput, read_cover, store_cover
from config import BASE_DIR

from .conftest import DESKTOP, PHONE, publish_with_media, run_axe, wait_until

COVER_LOADED = ("() => { const img = document.querySelector('[data-role=\"current-cover\"] img');"
                " return img.complete && img.naturalWidth > 0; }")
SHOTS = BASE_DIR / "test-artifacts" / "issue17"
PASSWORD = "mat-khau-dung"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def with_cover(article, title: str):
    store_cover(article, read_cover(io.BytesIO(cover_bytes(title))))
    db.session.refresh(article)
    return article


def signed_in(browser, live_server, username: str, device: dict):
    context = browser.new_context(**device, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(live_server + "/bien-tap/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/bien-tap/")
    return context, page, errors


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


def serious(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture
def unit(app):
    found = unit_named("Sở Văn hóa, Thể thao và Du lịch")
    db.session.commit()
    return found


@pytest.fixture
def people(make_user, unit):
    make_user("bientap", PASSWORD, Role.editor)
    return make_user("ctv", PASSWORD, Role.contributor, unit=unit)


def test_the_edit_page_of_an_article_with_cover_audio_and_video_fits_a_phone(
        people, unit, make_article, run_worker, tmp_path, browser, live_server):
    article = publish_with_media(make_article, run_worker, tmp_path,
                                 "Khánh thành cầu Hòa An nối đôi bờ sông Hậu", 2,
                                 unit_id=unit.id, cover_caption="Cầu Hòa An ngày khánh thành")
    with_cover(article, article.title)
    context, page, errors = signed_in(browser, live_server, "bientap", PHONE)
    page.goto(live_server + f"/bien-tap/bai-viet/{article.id}")
    expect(page.locator(".article-editor .ql-toolbar")).to_be_visible()
    expect(page.locator(".media-panel audio")).to_have_count(1)
    expect(page.locator(".media-panel video")).to_have_count(1)
    cover = page.locator('[data-role="current-cover"] img')
    expect(cover).to_be_visible()
    expect(cover).to_have_attribute("alt", "Cầu Hòa An ngày khánh thành")
    wait_until(page, COVER_LOADED)  # the stored picture itself, at its signed address
    scroll, width = page_width(page)
    shoot(page, "edit-with-cover-phone")
    assert width == 390 and scroll <= width, f"the page is {scroll} px wide on a {width} px phone"
    assert not serious(run_axe(page))

    # Another picture chosen shows at once; saved, it is the cover the page shows.
    old_key = article.cover_key
    picked = tmp_path / "anh-moi.png"
    picked.write_bytes(cover_bytes("Ảnh bìa mới", 3))
    page.locator('input[name="cover"]').set_input_files(str(picked))
    expect(cover).to_have_attribute("src", re.compile(r"^blob:"))
    with page.expect_navigation():
        page.locator('form.panel [name="save"]').click()
    db.session.refresh(article)
    assert article.cover_key != old_key
    expect(cover).to_have_attribute("src", re.compile(re.escape(article.cover_key)))
    wait_until(page, COVER_LOADED)
    assert not errors
    context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_submitted_article_is_read_only_to_its_contributor(
        device, people, unit, category, browser, live_server):
    contributor = people
    article = workflow.save(None, ArticleInput(
        title="Lễ hội Nghinh Ông Hòa An năm 2026", lede="Lễ hội diễn ra ba ngày.",
        body_html="<p>Hàng nghìn ngư dân tham dự lễ hội.</p>", category_id=category.id,
        unit_id=unit.id, cover_caption="Đoàn rước trên sông"), contributor)
    with_cover(article, article.title)
    workflow.submit(article, contributor)
    context, page, errors = signed_in(browser, live_server, "ctv",
                                      PHONE if device == "phone" else DESKTOP)
    page.goto(live_server + f"/bien-tap/bai-viet/{article.id}")
    note = page.locator('[data-role="read-only-note"]')
    expect(note).to_contain_text("Bài đã gửi duyệt")
    expect(note).to_contain_text("đề nghị biên tập viên trả lại bài")
    title = page.locator('form.panel input[name="title"]')
    expect(title).to_have_value("Lễ hội Nghinh Ông Hòa An năm 2026")
    expect(title).to_be_disabled()
    assert not title.is_editable()
    for name in ("lede", "author_name", "cover_caption", "category_id", "unit_id"):
        expect(page.locator(f'form.panel [name="{name}"]')).to_be_disabled()
    # No editor to type the body into, no button that saves, no upload.
    expect(page.locator("form.panel [contenteditable=true]")).to_have_count(0)
    expect(page.locator("form.panel .read-only-body")).to_contain_text("Hàng nghìn ngư dân")
    expect(page.locator('form.panel [type="submit"]')).to_have_count(0)
    expect(page.locator('form.panel input[type="file"]')).to_have_count(0)
    expect(page.locator('[data-role="current-cover"] img')).to_have_attribute(
        "alt", "Đoàn rước trên sông")
    wait_until(page, COVER_LOADED)
    scroll, width = page_width(page)
    shoot(page, f"edit-submitted-contributor-{device}")
    assert scroll <= width
    assert not serious(run_axe(page))
    assert not errors
    context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_list_is_searched_and_filtered_from_its_form(
        device, people, unit, category, make_article, run_worker, tmp_path, browser,
        live_server):
    make_article("Hòa An khai mạc hội chợ nông sản", unit_id=unit.id)
    publish_with_media(make_article, run_worker, tmp_path, "Phóng sự: mùa nước nổi ở Hòa An", 2,
                       unit_id=unit.id)
    make_article("Hội chợ việc làm thu hút nhiều lao động", unit_id=unit.id)
    make_article("Hoà An tổ chức giải đua ghe ngo", publish=False, unit_id=unit.id)
    other = unit_named("Sở Y tế")
    db.session.commit()
    make_article("Hòa An triển khai tiêm chủng mở rộng", unit_id=other.id)
    context, page, errors = signed_in(browser, live_server, "bientap",
                                      PHONE if device == "phone" else DESKTOP)
    page.get_by_label("Tìm theo tiêu đề").fill("hoa an")  # no diacritics
    page.get_by_label("Trạng thái").select_option(label="Đã xuất bản")
    page.get_by_label("Đơn vị").select_option(label=unit.name)
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**/bien-tap/?*")
    assert "q=hoa+an" in page.url and "trang-thai=published" in page.url
    rows = page.locator("table.article-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Hòa An khai mạc hội chợ nông sản")).to_have_count(1)
    # What readers get, in words: the video article can be listened to and watched.
    video_row = rows.filter(has_text="Phóng sự: mùa nước nổi ở Hòa An")
    expect(video_row.locator('[data-form="listen"]')).to_have_text(
        re.compile(r"Sẵn sàng · 0:\d\d"))
    expect(video_row.locator('[data-form="watch"]')).to_have_text("Sẵn sàng · 0:02")
    expect(page.get_by_label("Tìm theo tiêu đề")).to_have_value("hoa an")
    scroll, width = page_width(page)
    shoot(page, f"editor-list-filters-{device}")
    assert scroll <= width
    assert not serious(run_axe(page))
    # Nothing found is said plainly.
    page.get_by_label("Tìm theo tiêu đề").fill("không có bài này")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_text("Không có bài viết nào khớp với bộ lọc.")).to_be_visible()
    assert not errors
    context.close()


def test_the_preview_of_a_draft_shows_only_what_would_be_published(
        people, make_article, browser, live_server):
    article = make_article("Bản nháp: Hòa An chuẩn bị mùa lễ hội", publish=False)
    context, page, errors = signed_in(browser, live_server, "bientap", PHONE)
    page.goto(live_server + f"/bien-tap/bai-viet/{article.id}/xem-truoc")
    expect(page.locator("h1")).to_have_text("Bản nháp: Hòa An chuẩn bị mùa lễ hội")
    expect(page.get_by_text("Bản nghe đang xử lý")).to_have_count(0)
    expect(page.locator(".forms-panel")).to_have_count(0)
    expect(page.locator('[data-role="media-note"]')).to_have_text(
        "Bạn đọc chưa thấy: bản nghe (chưa có). "
        "Bản nghe được tạo tự động khi bài được xuất bản.")
    scroll, width = page_width(page)
    shoot(page, "preview-draft-phone")
    assert scroll <= width
    assert not serious(run_axe(page))
    assert not errors
    context.close()
