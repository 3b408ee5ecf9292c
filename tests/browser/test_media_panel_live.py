"""The media panel follows a job while the editor watches: a video that becomes ready while
the edit page is open gets the same adaptive player (HLS, quality menu) as a fresh page."""

from __future__ import annotations

from playwright.sync_api import expect

from app.media import lifecycle
from app.models import MediaStatus
from media_pipeline.samples import make_video
from tests.browser.conftest import DESKTOP, wait_until, watch_csp


def test_a_video_finished_while_the_page_is_open_plays_adaptively(
        live_server, browser, shoot, make_user, make_article, run_worker, tmp_path):
    make_user("bientap", password="mat-khau-dung")
    article = make_article("Phóng sự: mùa lúa mới ở Hòa An", publish=False)
    clip = make_video(tmp_path / "phong-su.mp4", 4, (1280, 720))
    with clip.open("rb") as fh:
        asset = lifecycle.attach_video(article, fh, "phong-su.mp4")

    context = browser.new_context(**DESKTOP, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    refused = watch_csp(page)  # the newsroom's page, its polling and hls.js under the CSP
    page.goto(live_server + "/bien-tap/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill("mat-khau-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server + f"/bien-tap/bai-viet/{article.id}")
    video = page.locator('[data-kind="video"]')
    expect(video.locator("[data-role=state]")).to_have_text("Trong hàng đợi")
    assert video.locator(".vplayer").count() == 0

    run_worker()  # the transcode, while the page polls
    assert asset.status is MediaStatus.ready, asset.error
    expect(video.locator("[data-role=state]")).to_have_text("Sẵn sàng", timeout=30_000)
    start = video.locator("[data-vplayer] [data-role=start]")
    expect(start).to_be_visible()
    start.click()
    wait_until(page, "() => document.querySelector('[data-kind=video] video').currentTime > 0.5")
    assert video.locator("video").evaluate("v => v.currentSrc").startswith("blob:")  # hls.js
    options = video.locator("[data-role=quality] option").all_text_contents()
    assert options[0] == "Tự động" and "720p" in options
    shoot(page, "media-panel-video-ready")
    assert errors == [] and refused == []
    context.close()
