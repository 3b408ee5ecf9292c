"""The admin's pages in a real browser (issue 17): the jobs page with a failed job keeps each
row's buttons together on one line and writes its numbers the Vietnamese way, the audit log
reads in words on a phone and a desktop, and unit names are shown whole. Screenshots go to
test-artifacts/issue17/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.media import lifecycle
from app.models import CommentStatus, MediaStatus, Role, User
from app.services import comments
from app.services.accounts import unit_named
from config import BASE_DIR
from media_pipeline.samples import make_video
from tests.browser.conftest import PHONE, run_axe

SHOTS = BASE_DIR / "test-artifacts" / "issue17"
WIDE = {"viewport": {"width": 1280, "height": 900}}
LONG_UNIT = "Trung tâm Văn hóa, Thể thao và Truyền thanh huyện Đông Hải, tỉnh Hòa An"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def signed_in(browser, live_server, device: str):
    context = browser.new_context(**(PHONE if device == "phone" else WIDE), locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/bien-tap/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill("mat-khau-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/bien-tap/**")
    return context, page


@pytest.fixture
def failed_video(make_user, make_article, run_worker, tmp_path):
    """A video too short to publish (0.4 s): the real transcode job fails, saying why."""
    make_user("quantri", role=Role.admin)
    article = make_article("Phóng sự: mùa lúa mới ở xã Tân Phú, huyện Đông Hải", publish=False)
    clip = make_video(tmp_path / "ngan.mp4", 0.4, (320, 240))
    with clip.open("rb") as fh:
        asset = lifecycle.attach_video(article, fh, "ngan.mp4")
    run_worker()
    assert asset.status is MediaStatus.failed and "0,40 giây" in asset.error, asset.error
    return asset


def row_tops(page, selector: str) -> list[list[float]]:
    """For each row the selector matches: the top offset of each of its action buttons."""
    return page.locator(selector).evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('.row-actions .btn')]"
        ".map(b => b.getBoundingClientRect().top))")


def one_line_buttons(page) -> list[str]:
    """The texts of action buttons whose words wrapped onto a second line."""
    return page.locator(".row-actions .btn").evaluate_all(
        "bs => bs.filter(b => b.getBoundingClientRect().height >"
        " 1.6 * parseFloat(getComputedStyle(b).lineHeight || 20)).map(b => b.textContent)")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_jobs_page_keeps_a_rows_buttons_together(device, failed_video, live_server,
                                                     browser):
    context, page = signed_in(browser, live_server, device)
    page.goto(live_server + "/bien-tap/hang-doi")
    failed_row = page.locator(f'tr[data-asset="{failed_video.id}"]')
    assert "Video quá ngắn (0,40 giây)" in failed_row.inner_text()
    assert "0.40 giây" not in page.content()
    job_rows = page.locator("tr[data-job]")
    assert job_rows.count() == 1 and "Chuyển mã video tải lên" in job_rows.inner_text()
    tops = row_tops(page, "tr[data-asset], tr[data-job]")
    assert len(tops) == 2 and all(len(row) == 2 for row in tops), tops
    for row in tops:  # "Đưa lại vào hàng đợi" and "Mở bài" side by side
        assert max(row) - min(row) < 1, tops
    assert one_line_buttons(page) == []
    if device == "phone":  # nothing sticks out sideways on a 390 px screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, f"jobs-failed-{device}")
    blocking = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert blocking == []
    context.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_audit_log_reads_in_words(device, failed_video, live_server, browser, make_article):
    article = make_article("Hòa An khai mạc hội chợ nông sản")
    comment = comments.add_comment(article, comments.CommentInput(
        "Nguyễn Văn A", "a@example.vn", "Hội chợ rất vui."), "hash")
    admin = db.session.scalar(select(User).where(User.username == "quantri"))
    comments.moderate(comment, CommentStatus.approved, admin)
    context, page = signed_in(browser, live_server, device)
    page.goto(live_server + "/bien-tap/nhat-ky")
    table = page.locator(".audit-table").inner_text()
    assert "Tải tệp media lên" in table and "Duyệt bình luận" in table
    assert "Duyệt bình luận của Nguyễn Văn A trên bài «Hòa An khai mạc hội chợ nông sản»" in table
    assert "Loại: video tải lên" in table
    for raw in ("media.upload", "comment.approve", "article_id", "pending", "video\n"):
        assert raw not in table, raw
    if device == "phone":  # each entry fits the screen: no table to scroll sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator(".audit-table").evaluate("t => t.scrollWidth <= t.clientWidth")
        assert page.locator(".audit-table").bounding_box()["width"] <= 390
    shoot(page, f"audit-log-{device}")
    blocking = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert blocking == []
    context.close()


def test_unit_names_are_shown_whole(make_user, live_server, browser):
    make_user("quantri", role=Role.admin)
    unit = unit_named(LONG_UNIT)
    db.session.commit()
    context, page = signed_in(browser, live_server, "desktop")
    page.goto(live_server + "/bien-tap/don-vi")
    name = page.locator(f"#don-vi-{unit.id} [data-role=unit-name]")
    assert name.inner_text() == LONG_UNIT
    assert name.is_visible()  # as text that wraps inside its cell, not cut off by a box
    assert name.evaluate("e => e.closest('td').scrollWidth <= e.closest('td').clientWidth")
    page.locator(f"#don-vi-{unit.id} summary").click()
    box = page.locator(f"#unit-name-{unit.id}")
    assert box.input_value() == LONG_UNIT
    fits = "e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight"
    assert box.evaluate(fits), "the name is cut off in its box"
    shoot(page, "units-desktop")
    blocking = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert blocking == []
    context.close()
