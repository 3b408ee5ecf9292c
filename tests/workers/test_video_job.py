import io
import json
import subprocess
from datetime import UTC, datetime

import pytest
import requests
from flask import current_app
from PIL import Image
from rq.registry import FailedJobRegistry

from app.extensions import db
from app.media import jobs, storage_keys
from app.media.jobs import Briefing, body_pictures, fetch_if_there
from app.media.lifecycle import attach_video
from app.models import ArticleStatus, MediaAsset, MediaKind, MediaStatus
from app.services import drafting, site, workflow
from app.services.publishing import ArticleInput, store_cover
from media_pipeline.errors import MediaError
from media_pipeline.samples import make_video


@pytest.fixture(scope="module")
def hd_clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("v") / "clip.mov", 2, (1280, 720))


def test_uploaded_video_becomes_mp4_and_poster(make_article, run_worker, store, hd_clip):
    article = make_article()
    with hd_clip.open("rb") as fh:
        asset = attach_video(article, fh, "phong su.mov", "video/quicktime")
    assert asset.status is MediaStatus.queued
    run_worker()
    db.session.refresh(asset)
    assert asset.status is MediaStatus.ready, asset.error
    assert asset.duration == pytest.approx(2.0, abs=0.15)
    assert (asset.outputs["width"], asset.outputs["height"]) == (1280, 720)
    mp4 = requests.get(store.url(asset.outputs["mp4"]), headers={"Range": "bytes=0-99"}, timeout=5)
    assert mp4.status_code == 206 and mp4.headers["Content-Type"] == "video/mp4"
    poster = requests.get(store.url(asset.outputs["poster"]), timeout=5)
    assert poster.headers["Content-Type"] == "image/jpeg"
    master = requests.get(store.url(asset.outputs["hls"]), timeout=5)
    assert master.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    variants = [x for x in master.text.splitlines() if x and not x.startswith("#")]
    assert variants == ["240p/index.m3u8", "360p/index.m3u8", "480p/index.m3u8",
                        "720p/index.m3u8"]
    base = store.url(asset.outputs["hls"]).rsplit("/", 1)[0]
    playlist = requests.get(f"{base}/720p/index.m3u8", timeout=5).text
    segment = next(x for x in playlist.splitlines() if x.endswith(".m4s"))
    assert requests.get(f"{base}/720p/{segment}", timeout=5).status_code == 200
    board = requests.get(store.url(asset.outputs["storyboard_vtt"]), timeout=5).text
    assert "storyboard.jpg#xywh=0,0,160,90" in board


def test_not_a_video_fails_with_a_vietnamese_reason_and_the_article_stays(
        make_article, run_worker, redis_conn):
    article = make_article()
    run_worker()  # narration first
    audio = article.asset("audio")
    db.session.refresh(audio)
    assert audio.status is MediaStatus.ready

    asset = attach_video(article, io.BytesIO(b"day la van ban, khong phai video"), "x.mp4")
    run_worker()
    db.session.refresh(asset)
    db.session.refresh(article)
    db.session.refresh(audio)
    assert asset.status is MediaStatus.failed
    assert asset.error.startswith("Tệp không phải video hợp lệ")
    assert asset.outputs == {}
    assert article.status is ArticleStatus.published
    assert audio.status is MediaStatus.ready
    assert FailedJobRegistry("video", connection=redis_conn).count == 1


def test_a_bad_replacement_keeps_the_published_video(make_article, run_worker, hd_clip):
    article = make_article()
    with hd_clip.open("rb") as fh:
        asset = attach_video(article, fh, "tot.mov")
    run_worker()
    db.session.refresh(asset)
    good = dict(asset.outputs)
    attach_video(article, io.BytesIO(b"\x00" * 100), "hong.mp4")
    run_worker()
    db.session.refresh(asset)
    assert asset.status is MediaStatus.failed
    assert asset.outputs == good


@pytest.fixture
def briefings(app, monkeypatch):
    monkeypatch.setitem(app.config, "BRIEFING_ENABLED", True)


def test_every_article_without_a_video_gets_a_briefing(briefings, make_article, run_worker,
                                                        store, client):
    """Narration ready → briefing video: title card, cover, narration, captions, HLS."""
    article = make_article(body_html="<p>Hội nghị đã thảo luận 08 ý kiến.</p>")
    run_worker()  # narration, then the briefing it queues
    brief = article.asset("briefing")
    db.session.refresh(brief)
    assert brief.status is MediaStatus.ready, brief.error
    narration = article.asset("audio")
    db.session.refresh(narration)
    assert brief.duration == pytest.approx(narration.duration, abs=0.3)
    assert [r["name"] for r in brief.outputs["renditions"]] == ["360p", "720p"]
    form = client.get(f"/api/v1/articles/{article.id}").get_json()["video"]
    assert form["source"] == "briefing" and form["hls"].endswith("/hls/master.m3u8")
    # its own subtitle track: the narration's sentences in cues of at most two lines, which a
    # player draws inside the band at the bottom of the picture
    [track] = form["captions"]
    assert (track["lang"], track["label"]) == ("vi", "Tiếng Việt")
    vtt = requests.get(track["url"], timeout=10).text
    cues = [c.splitlines() for c in vtt.split("\n\n")[1:] if c.strip()]
    assert cues and all(2 <= len(c) - 1 <= 3 for c in cues)  # number, time, 1–2 lines
    assert "Hội nghị đã thảo luận 08 ý kiến." in " ".join(" ".join(c[2:]) for c in cues)
    assert article.title not in vtt  # the title card shows the title


def test_an_uploaded_video_takes_the_place_of_the_briefing(briefings, make_article, run_worker,
                                                           hd_clip, client):
    article = make_article()
    run_worker()
    with hd_clip.open("rb") as fh:
        attach_video(article, fh, "phong-su.mov")
    run_worker()
    form = client.get(f"/api/v1/articles/{article.id}").get_json()["video"]
    assert form["source"] == "upload" and form["status"] == "ready"


def test_a_video_item_is_heard_through_its_own_soundtrack(make_article, run_worker, hd_clip,
                                                           client, store):
    """Editors mark a video item: its listen form is the video's audio track, not TTS."""
    from app.models import ListenSource

    article = make_article()
    article.listen_source = ListenSource.video
    db.session.commit()
    with hd_clip.open("rb") as fh:
        asset = attach_video(article, fh, "tin-video.mov")
    run_worker()
    db.session.refresh(asset)
    audio = client.get(f"/api/v1/articles/{article.id}").get_json()["audio"]
    assert audio["engine"] == "video" and audio["url"] == store.url(asset.outputs["soundtrack"])
    got = requests.get(audio["url"], timeout=5)
    assert got.headers["Content-Type"] == "audio/mpeg"
    assert len(got.content) == asset.outputs["soundtrack_bytes"]


def test_a_drafts_preview_narration_makes_no_briefing_until_it_goes_live(
        briefings, make_article, run_worker):
    """Tạo bản nghe thử on a draft: the editor hears it; nobody watches a draft's briefing."""
    from app.media import lifecycle
    from app.services import workflow

    article = make_article(publish=False)
    lifecycle.request_preview_narration(article)
    run_worker()
    db.session.refresh(article)
    assert article.asset("audio").status is MediaStatus.ready
    assert article.asset("briefing") is None

    workflow.publish(article, None)
    run_worker()
    db.session.refresh(article)
    assert article.asset("briefing") is not None
    assert article.asset("briefing").status is MediaStatus.ready


def _solid_jpeg(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), colour).save(buf, "JPEG", quality=95)
    return buf.getvalue()


def _frame(path, seconds: float) -> Image.Image:
    png = path.with_name(f"frame-{seconds:.2f}.png")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{seconds}", "-i", str(path),
                    "-frames:v", "1", str(png)], check=True)
    return Image.open(png).convert("RGB")


def _mostly(img: Image.Image, colour) -> bool:
    region = img.crop((0, 100, img.width, img.height * 3 // 4)).resize((64, 24))
    pixels = list(region.get_flattened_data())
    near = [p for p in pixels if all(abs(a - b) < 40 for a, b in zip(p, colour, strict=True))]
    return len(near) > len(pixels) * 0.8


def test_a_briefing_shows_the_articles_own_pictures_while_their_paragraphs_are_read(
        briefings, make_article, run_worker, store, tmp_path):
    """Cover over the lede, the body picture by its caption; a picture from another site is
    never fetched, and never captioned."""
    green, blue = (20, 170, 60), (30, 60, 200)
    article = make_article(publish=False, lede="Sáng nay, cầu Hòa An đã thông xe.")
    store_cover(article, Image.open(io.BytesIO(_solid_jpeg(green))))
    image = drafting.add_body_image(article, io.BytesIO(_solid_jpeg(blue)),
                                    "Lễ cắt băng khánh thành cầu Hòa An.", None)
    data = ArticleInput(
        title=article.title, lede=article.lede, category_id=article.category_id,
        body_html=(f'<p>Cây cầu dài 1.200 mét, nối hai bờ sông.</p><figure><img src="'
                   f'{store.url(storage_keys.shown(image.key))}"><figcaption>{image.caption}'
                   '</figcaption></figure><p>Người dân hai huyện đi lại thuận tiện hơn.</p>'
                   '<figure><img src="https://elsewhere.example/anh.jpg"><figcaption>Ảnh từ '
                   'trang khác</figcaption></figure><p>Dự án hoàn thành đúng tiến độ.</p>'))
    workflow.save(article, data, None, then="publish", actor="test")
    assert [caption for _, caption, _ in body_pictures(article, current_app.config)] == [
        image.caption]
    run_worker()  # narration, then the briefing
    brief, narration = article.asset("briefing"), article.asset("audio")
    db.session.refresh(brief)
    assert brief.status is MediaStatus.ready, brief.error
    timings = json.loads(store.read(narration.outputs["timings"]))["sentences"]
    mp4 = store.download_file(brief.outputs["mp4"], tmp_path / "briefing.mp4")

    def when(text: str) -> float:
        said = next(s for s in timings if s["text"].startswith(text))
        return (said["start"] + said["end"]) / 2

    assert _mostly(_frame(mp4, when("Sáng nay")), green)
    assert _mostly(_frame(mp4, when("Lễ cắt băng")), blue)


def test_a_scheduled_articles_briefing_is_dated_the_day_it_goes_live(app, make_article):
    """Made ahead of time, the briefing's title card shows the publication day."""
    article = make_article(publish=False)
    when = datetime(2099, 1, 2, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam, a Friday
    workflow.schedule(article, None, when)
    narration = article.asset("audio")  # asked for when it was scheduled
    narration.outputs = {"mp3": "audio/1/x.mp3", "timings": "audio/1/x.json"}
    brief = MediaAsset(kind=MediaKind.briefing)
    article.media.append(brief)
    db.session.commit()
    job = Briefing()
    job.plan(brief)
    assert job.story.date == "Thứ Sáu, 02/01/2099"


def test_an_edit_that_keeps_the_words_looks_at_the_briefing_again(
        briefings, make_article, run_worker, redis_conn, store):
    """A new cover caption changes no spoken word: the briefing is planned again, and stays
    ready (readers keep the video) until the worker has made the new one."""
    article = make_article()
    run_worker()
    brief = article.asset("briefing")
    db.session.refresh(brief)
    assert brief.status is MediaStatus.ready
    made_from = brief.input_hash
    data = ArticleInput(title=article.title, lede=article.lede, body_html=article.body_html,
                        category_id=article.category_id, cover_caption="Ảnh: Cầu mới")
    workflow.save(article, data, None, actor="test")
    db.session.refresh(brief)
    assert brief.status is MediaStatus.ready  # still shown while the worker is busy
    assert article.asset("audio").status is MediaStatus.ready  # no new narration
    run_worker()
    db.session.refresh(brief)
    assert brief.status is MediaStatus.ready and brief.input_hash != made_from


def test_a_picture_is_looked_for_in_its_other_place_and_missing_is_none(app, store, tmp_path):
    """Publication moves files between private/ and public: a render finds a picture moved
    meanwhile; one in neither place is left out (None)."""
    store.upload_fileobj(io.BytesIO(_solid_jpeg((1, 2, 3))), "images/9/body/" + "ab" * 16 + ".jpg",
                         "image/jpeg")
    hidden = storage_keys.hidden("images/9/body/" + "ab" * 16 + ".jpg")
    got = fetch_if_there(hidden, tmp_path / "moved.jpg")
    assert got is not None and Image.open(got).size == (1200, 800)
    assert fetch_if_there("images/9/body/" + "cd" * 16 + ".jpg", tmp_path / "gone.jpg") is None


def test_a_briefing_carries_the_name_and_emblem_admins_set(briefings, make_article, run_worker,
                                                           monkeypatch, app):
    """The corner mark and title card use the site's identity (/bien-tap/thiet-lap): its
    name, and the uploaded emblem fetched from the store into the job's folder."""
    emblem = Image.new("RGBA", (200, 200), (0, 0, 255, 255))
    site.save({"name": "Cổng thông tin điện tử Tỉnh ủy Hòa An"}, emblem, actor="test")
    key = site.current().emblem_key
    seen = {}

    def render(story, *args, **kwargs):  # what the renderer is given; no video needed here
        seen["site"] = story.site
        with Image.open(story.emblem) as mark:
            seen["emblem"] = (mark.size, mark.convert("RGBA").getpixel((100, 100)))
        raise MediaError("dừng ở đây")

    monkeypatch.setattr(jobs.briefing, "render", render)
    article = make_article()
    run_worker()
    assert seen == {"site": "Cổng thông tin điện tử Tỉnh ủy Hòa An",
                    "emblem": ((200, 200), (0, 0, 255, 255))}
    brief = article.asset("briefing")
    job = Briefing()
    before = job.plan(brief)
    site.save({"name": "Cổng thông tin điện tử Tỉnh ủy Hòa An"},
              Image.new("RGBA", (200, 200), (0, 255, 0, 255)), actor="test")
    assert site.current().emblem_key != key
    assert job.plan(brief) != before  # a new emblem: the briefing is made again
