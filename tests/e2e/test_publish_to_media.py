"""The whole path on running services: editor publishes and uploads → a real
`python -m workers` process → objects in SeaweedFS → the API shows playable media."""

import json
import os
import subprocess
import sys

import pytest
import requests

from app.extensions import db
from config import BASE_DIR
from media_pipeline import tts
from media_pipeline.narration import NarrationSettings, build_script, pauses
from media_pipeline.samples import make_video
from tests.conftest import csrf_token

pytestmark = pytest.mark.e2e


def ffprobe(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def run_worker_process(app) -> None:
    env = {**os.environ, "APP_CONFIG": "test",
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "TEST_REDIS_URL": app.config["REDIS_URL"],
           "TEST_S3_ENDPOINT_URL": app.config["S3_ENDPOINT_URL"],
           "TEST_S3_BUCKET": app.config["S3_BUCKET"]}
    done = subprocess.run([sys.executable, "-m", "workers", "--burst"], cwd=BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    # The test shares one app context (and session) with its requests; a reader's next
    # request would start a fresh session, so start one here too.
    db.session.expire_all()


def test_publish_then_listen_and_watch(app, login, category, tmp_path):
    client = login()
    url = "/bien-tap/bai-viet/moi"
    title = "Tỉnh ủy Hòa An họp bàn nâng cấp cổng thông tin"
    lede = "Sáng nay, Ban Chỉ đạo họp với Ban Biên tập."
    body = "<p>Tại cuộc họp đã có tám ý kiến góp ý về tốc độ truy cập và giao diện mới.</p>"
    response = client.post(url, data={
        "title": title, "lede": lede, "body_html": body, "category_id": str(category.id),
        "unit_id": "0", "author_name": "Bảo Trân", "cover_caption": "",
        "csrf_token": csrf_token(client, url), "publish": "Xuất bản"})
    assert response.status_code == 302
    edit_url = response.headers["Location"]
    article_id = int(edit_url.rstrip("/").rsplit("/", 1)[1])

    clip = make_video(tmp_path / "phong-su.mov", 2, (1280, 720))
    with clip.open("rb") as fh:
        response = client.post(f"{edit_url}/video", data={
            "csrf_token": csrf_token(client, edit_url), "video": (fh, "phong-su.mov")},
            content_type="multipart/form-data")
    assert response.status_code == 303

    pending = client.get(f"/api/v1/articles/{article_id}").get_json()
    assert pending["audio"]["status"] == "queued" and pending["video"]["status"] == "queued"

    run_worker_process(app)

    data = client.get(f"/api/v1/articles/{article_id}").get_json()
    assert data["audio"]["status"] == "ready", data["audio"]
    assert data["video"]["status"] == "ready", data["video"]

    for media_url, content_type in ((data["audio"]["url"], "audio/mpeg"),
                                    (data["video"]["mp4"], "video/mp4"),
                                    (data["video"]["poster"], "image/jpeg")):
        ranged = requests.get(media_url, headers={"Range": "bytes=0-1023"}, timeout=10)
        assert ranged.status_code == 206, media_url
        assert ranged.headers["Content-Type"] == content_type
        assert len(ranged.content) == 1024

    mp3 = tmp_path / "narration.mp3"
    mp3.write_bytes(requests.get(data["audio"]["url"], timeout=10).content)
    mp4 = tmp_path / "video.mp4"
    mp4.write_bytes(requests.get(data["video"]["mp4"], timeout=10).content)

    # The narration is as long as espeak-ng takes to say the same sentences.
    script = build_script(title, lede, body)
    _, bare, _ = tts.render_with_fallback([tts.EspeakEngine("vi", app.config["ESPEAK_RATE"])],
                                          [s.spoken for s in script],
                                          tmp_path, pauses=pauses(script, NarrationSettings()))
    probed_mp3 = ffprobe(mp3)
    assert probed_mp3["streams"][0]["codec_name"] == "mp3"
    assert float(probed_mp3["format"]["duration"]) == pytest.approx(bare.seconds, abs=0.3)
    timings = requests.get(data["audio"]["timings"], timeout=10).json()
    assert [s["text"] for s in timings["sentences"]][:2] == [title, lede]
    assert requests.get(data["audio"]["vtt"], timeout=10).text.startswith("WEBVTT")
    assert data["audio"]["duration"] == pytest.approx(float(probed_mp3["format"]["duration"]),
                                                      abs=0.05)

    probed_mp4 = ffprobe(mp4)
    kinds = {s["codec_type"]: s["codec_name"] for s in probed_mp4["streams"]}
    assert kinds == {"video": "h264", "audio": "aac"}
    assert float(probed_mp4["format"]["duration"]) == pytest.approx(2.0, abs=0.15)

    path = data["text"]["url"].removeprefix(client.application.config["SITE_URL"])
    page = client.get(path).get_data(as_text=True)
    assert f'src="{data["audio"]["url"]}"' in page
    assert f'src="{data["video"]["mp4"]}"' in page
