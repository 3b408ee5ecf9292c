"""Hostile uploads through the real pipeline: ffmpeg reads only the uploaded file, as one of
the listed container formats, so playlists and references (HLS, DASH, concat) fail with a
reason that names the format — and never ffmpeg's output or a path. Pictures are capped in
pixels before they are decoded.

The table of each file, its state and the reason an editor sees is written to
test-artifacts/security/hostile-media.md."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from app.extensions import db
from app.media import lifecycle
from app.models import MediaStatus, Role
from app.services import workflow
from app.services.publishing import ArticleInput
from config import BASE_DIR
from media_pipeline.samples import make_video
from tests.security.conftest import fresh, token_for

pytestmark = pytest.mark.security
ARTIFACT = BASE_DIR / "test-artifacts" / "security" / "hostile-media.md"
SECRET = "BI-MAT-CUA-MAY-XU-LY"  # in a file on the worker that an upload must not reach
NO_INTERNALS = re.compile(r"/tmp|/etc/|ffmpeg|ffprobe|@ 0x|Invalid data|http://|file:",
                          re.IGNORECASE)


def hostile_files(tmp: Path) -> dict[str, tuple[str, bytes, str]]:
    """name → (file name as uploaded, bytes, words the reason must hold)."""
    secret = tmp / "bi-mat.ts"
    secret.write_text(SECRET * 50)
    real = make_video(tmp / "real.mp4", seconds=2, size=(160, 120))
    whole = real.read_bytes()
    moov_last = make_video(tmp / "moov-last.mov", seconds=2, size=(160, 120))
    hls = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\n{}\n" \
          "#EXT-X-ENDLIST\n"
    return {
        "HLS playlist to a local file": (
            "clip.mp4", hls.format(f"file://{secret}").encode(), "HLS"),
        "HLS playlist to an http URL": (
            "clip.mp4", hls.format("http://127.0.0.1:9/segment.ts").encode(), "HLS"),
        "concat list": (
            "clip.mp4", f"ffconcat version 1.0\nfile '{secret}'\nfile '{real}'\n".encode(),
            "ghép tệp"),
        "DASH manifest": (
            "clip.mp4",
            ('<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
             'mediaPresentationDuration="PT2S" minBufferTime="PT1S" profiles="urn:mpeg:dash:'
             'profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="video/mp4">'
             f'<Representation id="1" bandwidth="1000"><BaseURL>file://{real}</BaseURL>'
             '</Representation></AdaptationSet></Period></MPD>').encode(), "DASH"),
        ".m3u8 renamed .mp4": (
            "ban-tin.mp4", hls.format("seg_0001.ts").encode(), "HLS"),
        "truncated file": (
            "cat-cut.mov", moov_last.read_bytes()[: moov_last.stat().st_size // 2],
            "bị hỏng hoặc không đầy đủ"),
        "text named .mp4": ("video.mp4", b"Day khong phai video " * 100, "không phải video"),
        "the real video (control)": ("that.mp4", whole, ""),
    }


def test_hostile_uploads_fail_with_a_reason_that_names_the_format(
        app, make_user, run_worker, tmp_path, tally):
    count = tally("hostile media")
    editor = make_user("bientap", role=Role.editor)
    rows = []
    for name, (filename, data, words) in hostile_files(tmp_path).items():
        article = workflow.save(None, ArticleInput(title=f"Video: {name}",
                                                   body_html="<p>Nội dung.</p>"), editor)
        asset = lifecycle.attach_video(article, io.BytesIO(data), filename, "video/mp4")
        run_worker()
        db.session.refresh(asset)
        rows.append((name, asset.status.value, asset.error or "—"))
        if not words:
            assert asset.status is MediaStatus.ready
            continue
        assert asset.status is MediaStatus.failed, name
        assert words in asset.error, (name, asset.error)
        assert not NO_INTERNALS.search(asset.error), (name, asset.error)
        assert SECRET not in asset.error and not asset.outputs.get("mp4"), name
        count(1)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text("| file | state | reason the editor sees |\n|---|---|---|\n" + "".join(
        f"| {name} | {state} | {reason} |\n" for name, state, reason in rows), encoding="utf-8")


def bomb_png() -> bytes:
    """13,000 × 13,000 pixels, a few dozen kilobytes on disk: 169 million pixels to decode."""
    buf = io.BytesIO()
    Image.new("1", (13_000, 13_000)).save(buf, "PNG", optimize=True)
    assert len(buf.getvalue()) < 1_000_000
    return buf.getvalue()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(app, login, tally,
                                                              monkeypatch):
    """As a cover, a body picture and a banner: 422 with the reason, and Pillow never
    decodes it (load() would allocate the 169 million pixels)."""
    from PIL import ImageFile

    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load",
                        lambda self: decoded.append(self.size) or original_load(self))
    bomb = bomb_png()
    staff = login("quantri", Role.admin)
    article = workflow.save(None, ArticleInput(title="Bài có ảnh", body_html="<p>Nội dung.</p>"),
                            None)
    base = f"/bien-tap/bai-viet/{article.id}"
    token = token_for(staff, base)
    cover = fresh(staff).post(base, data={
        "title": "Bài có ảnh", "body_html": "<p>Nội dung.</p>", "listen_source": "narration",
        "category_id": "0", "unit_id": "0", "version": str(article.version), "csrf_token": token,
        "cover": (io.BytesIO(bomb), "bom.png")}, content_type="multipart/form-data")
    body = fresh(staff).post(f"{base}/anh", data={"file": (io.BytesIO(bomb), "bom.png"),
                                                  "caption": ""},
                             headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    banner = fresh(staff).post("/bien-tap/quang-cao", data={
        "title": "Quảng cáo", "alt_text": "Ảnh", "link_url": "/van-ban/", "position": "1",
        "csrf_token": token_for(staff, "/bien-tap/quang-cao"),
        "image": (io.BytesIO(bomb), "bom.png")}, content_type="multipart/form-data")
    for response in (cover, body, banner):
        assert response.status_code == 422
        assert "13000×13000" in response.get_data(as_text=True)
    assert (13_000, 13_000) not in decoded
    tally("hostile media")(3)
