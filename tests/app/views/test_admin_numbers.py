"""Numbers on the admin pages the reader's way (issue 17): "0,40 giây" and "1.234" in
Vietnamese, "0.40" and "1,234" in English, through one helper (app.i18n.format_number), and the
media pipeline's reasons written the Vietnamese way."""

from __future__ import annotations

import pytest

from app.i18n import format_number, human_size
from app.media import lifecycle
from app.models import MediaStatus, Role
from media_pipeline import video
from media_pipeline.errors import InvalidMediaError, vi_number
from media_pipeline.samples import make_video

JOBS = "/bien-tap/hang-doi"


@pytest.mark.parametrize(("cookie", "expected"), [
    ("", ["0,40", "1.234", "1.234,5", "1,5 MB", "4 GB", "870 B", "0,40 giây"]),
    ("ngon-ngu=en", ["0.40", "1,234", "1,234.5", "1.5 MB", "4 GB", "870 B", "0.40 giây"]),
])
def test_one_helper_writes_numbers_the_readers_way(app, cookie, expected):
    # A fresh app context each time: Flask-Babel keeps the chosen locale on `g`.
    with app.app_context(), app.test_request_context("/", headers={"Cookie": cookie}):
        template = app.jinja_env.from_string("{{ 0.4|vn_number(2) }} giây")
        assert [format_number(0.4, 2), format_number(1234), format_number(1234.5, 1),
                human_size(1572864), human_size(4 * 1024**3), human_size(870),
                template.render()] == expected


def test_the_pipelines_reasons_are_written_the_vietnamese_way(tmp_path):
    assert (vi_number(0.4, 2), vi_number(12345), vi_number(3, 1)) == ("0,40", "12.345", "3,0")
    clip = make_video(tmp_path / "ngan.mp4", 0.4, (320, 240), audio=False)
    with pytest.raises(InvalidMediaError) as err:
        video.probe(clip)
    assert err.value.reason == "Video quá ngắn (0,40 giây)"


def test_the_jobs_page_says_0_40_giay_not_0_point_40(login, make_article, run_worker,
                                                       tmp_path):
    article = make_article("Phóng sự mùa lúa mới", publish=False)
    clip = make_video(tmp_path / "ngan.mp4", 0.4, (320, 240))
    with clip.open("rb") as fh:
        asset = lifecycle.attach_video(article, fh, "ngan.mp4")
    run_worker()  # the real transcode job fails, saying why
    assert asset.status is MediaStatus.failed
    client = login("quantri", role=Role.admin)
    page = client.get(JOBS).get_data(as_text=True)
    row = page.split(f'data-asset="{asset.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Video quá ngắn (0,40 giây)" in row
    failed_job = page.split("<tr data-job=", 1)[1].split("</tr>", 1)[0]
    assert "Video quá ngắn (0,40 giây)" in failed_job
    assert "0.40" not in page
