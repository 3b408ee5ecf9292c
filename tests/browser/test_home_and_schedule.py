"""Issue 17 in a real browser: the home page with a pinned top story and featured stories, the
editors' "Trang chủ" page on a phone, and the schedule week as one aligned table (desktop) and
one list without sideways scrolling (phone). Screenshots go to test-artifacts/issue17/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.demo import cover_image
from app.extensions import db
from app.models import MediaAsset, MediaKind, MediaStatus, Role
from app.services import home
from app.services.publishing import store_cover
from app.services.schedules import seed_demo_schedules
from app.services.sections import category_named
from config import BASE_DIR

from .conftest import DESKTOP, PHONE, run_axe, save_report, wait_until, watch_csp

SHOTS = BASE_DIR / "test-artifacts" / "issue17"
TOP = "Tỉnh Hòa An khánh thành cầu Rạch Miễu 3 nối hai bờ sông Tiền"
FEATURED = ("Hội chợ nông sản Hòa An thu hút hơn 20.000 lượt khách",
            "Hòa An đón nhận Huân chương Lao động hạng Nhất")


def shot(page, name: str) -> None:
    """A full-page screenshot, with the pictures below the fold loaded too."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                  ".forEach(i => i.loading = 'eager')")
    wait_until(page, "() => [...document.images].every(i => i.complete)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture
def front_page(app, make_article, make_user):
    """Stories with covers (some with a narration or a video), the oldest pinned on top and
    two featured; the newest stories are not pinned."""
    category_named("Kinh tế")
    db.session.commit()
    titles = [TOP, *FEATURED, "Nông dân chuyển đổi cây trồng thích ứng hạn mặn",
              "Tuổi trẻ Hòa An ra quân mùa hè xanh", "Tin mới nhất: họp báo cuối năm"]
    stories = []
    for index, title in enumerate(titles):
        article = make_article(title, lede="Sáng nay, tại trung tâm tỉnh Hòa An, hàng nghìn "
                               "người dân đã đến dự và chúc mừng.",
                               body_html="<p>" + "Nội dung bài viết. " * 250 + "</p>")
        store_cover(article, cover_image(title, index))
        narration = article.asset("audio")  # queued on publishing: finished here
        if narration is None:
            narration = MediaAsset(kind=MediaKind.audio)
            article.media.append(narration)
        narration.status, narration.duration = MediaStatus.ready, 205.0 + index
        narration.outputs = {"mp3": f"audio/{article.id}/a.mp3"}
        if index in (0, 2):
            article.media.append(MediaAsset(kind=MediaKind.video, status=MediaStatus.ready,
                                            duration=130.0,
                                            outputs={"mp4": f"video/{article.id}/v.mp4"}))
        db.session.commit()
        stories.append(article)
    editor = make_user("bientap", password="mat-khau-dung", role=Role.editor)
    until = datetime.now(UTC) + timedelta(hours=24)
    home.pin(stories[0].id, "top", until, editor)
    for story in stories[1:3]:
        home.pin(story.id, "featured", until, editor)
    return stories


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_home_page_leads_with_the_pinned_story(device, front_page, live_server, browser):
    context = browser.new_context(**(PHONE if device == "phone" else DESKTOP), locale="vi-VN")
    page = context.new_page()
    refused = watch_csp(page)
    page.goto(live_server + "/")
    lead = page.locator(".card--lead")
    expect(lead.locator(".card__title")).to_have_text(TOP)
    expect(page.locator(".card--featured .card__title")).to_have_text(list(FEATURED))
    # The lead's pills: where each form is on the article page, with its length.
    pills = lead.locator(".forms a")
    expect(pills).to_have_text(["Đọc 4 phút", "Nghe 3:25", "Xem 2:10"])
    assert pills.nth(1).get_attribute("href").endswith(f"/bai-viet/{front_page[0].slug}#nghe")
    # A story without a video: no Xem at all (not a greyed-out button).
    featured_first = page.locator(".card--featured").first
    expect(featured_first.locator(".forms a")).to_have_text(["Đọc 4 phút", "Nghe 3:26"])
    expect(featured_first.locator("button")).to_have_count(0)
    if device == "desktop":
        # the featured stories sit beside the lead, not under it
        lead_box = lead.bounding_box()
        side = page.locator(".card--featured").first.bounding_box()
        assert side["x"] > lead_box["x"] + lead_box["width"] - 1
        assert side["y"] < lead_box["y"] + lead_box["height"]
    else:
        no_sideways_scroll(page)
    shot(page, f"home-pinned-{device}")
    violations = run_axe(page)
    save_report(f"issue17-axe-home-pinned-{device}", violations)
    assert not blocking(violations), violations
    assert not refused, refused
    # Following a pill lands at its player.
    pills.nth(0).click()
    expect(page).to_have_url(f"{live_server}/bai-viet/{front_page[0].slug}#doc")
    expect(page.locator("#doc")).to_be_in_viewport()
    context.close()


def test_an_editor_pins_and_orders_from_a_phone(front_page, live_server, browser):
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    refused = watch_csp(page)
    page.goto(live_server + "/bien-tap/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill("mat-khau-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server + "/bien-tap/trang-chu")
    newest = front_page[-1]
    page.get_by_label("Bài viết").select_option(str(newest.id))
    page.get_by_label("Tin nổi bật (tối đa 4 tin)").check()
    page.get_by_role("button", name="Ghim lên trang chủ").click()
    expect(page.get_by_text("Đã ghim lên trang chủ.")).to_be_visible()
    featured = page.locator("section", has=page.get_by_role("heading", name="Tin nổi bật"))
    expect(featured.locator(".pin__what > a")).to_have_text([*FEATURED, newest.title])
    featured.get_by_role("button", name=f"Lên “{newest.title}”").click()
    expect(featured.locator(".pin__what > a")).to_have_text(
        [FEATURED[0], newest.title, FEATURED[1]])
    no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "pin-editor-phone")
    violations = run_axe(page)
    save_report("issue17-axe-pin-editor-phone", violations)
    assert not blocking(violations), violations
    assert not refused, refused
    context.close()


@pytest.fixture
def week(app):
    seed_demo_schedules()
    db.session.commit()


def test_the_schedule_week_lines_up_on_a_desktop(week, live_server, browser):
    context = browser.new_context(**DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/lich-cong-tac/")
    assert page.locator("table").count() == 1
    days_with_entries = page.evaluate(
        "() => new Set([...document.querySelectorAll('tr.sched-entry')]"
        ".map(r => r.parentElement)).size")
    assert days_with_entries >= 3
    # Each column starts at the same x in every day, and under its heading.
    columns = page.evaluate("""() => {
        const heads = [...document.querySelectorAll('thead th')].map(
            th => Math.round(th.getBoundingClientRect().left));
        const rows = [...document.querySelectorAll('tr.sched-entry')].map(
            tr => [...tr.cells].map(td => Math.round(td.getBoundingClientRect().left)));
        return {heads, rows};
    }""")
    assert len(columns["heads"]) == 5
    for row in columns["rows"]:
        assert row == columns["heads"], (row, columns["heads"])
    shot(page, "schedule-week-desktop")
    violations = run_axe(page)
    save_report("issue17-axe-schedule-desktop", violations)
    assert not blocking(violations), violations
    context.close()


def test_the_schedule_week_reads_as_one_list_on_a_phone(week, live_server, browser):
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/lich-cong-tac/")
    no_sideways_scroll(page)
    # one grid: every entry's time in one column, what/where/who beside it
    lefts = page.evaluate("""() => [...document.querySelectorAll('tr.sched-entry')].map(tr => [
        Math.round(tr.querySelector('.sched-time').getBoundingClientRect().left),
        Math.round(tr.querySelector('.sched-content').getBoundingClientRect().left)])""")
    assert len(lefts) >= 5
    assert len({t for t, _ in lefts}) == 1 and len({c for _, c in lefts}) == 1, lefts
    assert all(content > time for time, content in lefts)
    shot(page, "schedule-week-phone")
    violations = run_axe(page)
    save_report("issue17-axe-schedule-phone", violations)
    assert not blocking(violations), violations
    context.close()
