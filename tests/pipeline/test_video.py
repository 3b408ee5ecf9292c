import shutil
from dataclasses import replace
from fractions import Fraction

import pytest

from media_pipeline import video
from media_pipeline.errors import InvalidMediaError
from media_pipeline.samples import make_video
from tests.pipeline.conftest import probe_streams


@pytest.mark.parametrize(("size", "limit", "expected"), [
    ((1920, 1080), 720, (1280, 720)),   # landscape HD → 720p
    ((1080, 1920), 720, (720, 1280)),   # phone portrait: the short side is limited
    ((320, 240), 720, (320, 240)),      # never upscaled
    ((641, 481), 720, (640, 480)),      # odd sizes made even for H.264 4:2:0
    ((3840, 2160), 720, (1280, 720)),
])
def test_target_size_keeps_aspect_and_even_dimensions(size, limit, expected):
    assert video.target_size(*size, limit) == expected


def test_probe_reads_size_duration_and_audio(sample_video):
    info = video.probe(sample_video)
    assert (info.width, info.height, info.has_audio) == (640, 360, True)
    assert info.duration == pytest.approx(3.0, abs=0.1)


def test_a_text_file_named_mp4_is_not_a_video(tmp_path):
    fake = tmp_path / "bao-cao.mp4"
    fake.write_text("Đây không phải video", encoding="utf-8")
    with pytest.raises(InvalidMediaError) as err:
        video.probe(fake)
    assert err.value.reason == "Tệp không phải video hợp lệ"


def test_empty_and_truncated_files_are_refused(tmp_path, sample_video):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(sample_video.read_bytes()[:2000])
    with pytest.raises(InvalidMediaError, match="Tệp không phải video hợp lệ"):
        video.probe(empty)
    with pytest.raises(InvalidMediaError, match="bị hỏng hoặc không đầy đủ") as err:
        video.probe(truncated)  # an MP4 that begins right and then stops
    assert "moov" in err.value.detail and "moov" not in err.value.reason


def test_an_audio_only_file_is_refused_with_a_reason(tmp_path, sample_mp3):
    path = tmp_path / "chi-co-tieng.mp4"
    path.write_bytes(sample_mp3)
    with pytest.raises(InvalidMediaError, match="không có hình ảnh"):
        video.probe(path)


def test_too_long_a_video_is_refused_before_transcoding(sample_video):
    with pytest.raises(InvalidMediaError, match="vượt giới hạn"):
        video.probe(sample_video, max_duration=2)


def hls_master(package) -> list[str]:
    return [line for line in package.master.read_text().splitlines()
            if line.startswith("#EXT-X-STREAM-INF")]


def test_a_1080p_source_gets_the_whole_ladder_and_a_web_mp4(tmp_path):
    """240p…1080p HLS with BANDWIDTH/RESOLUTION/CODECS, plus a faststart 720p MP4."""
    source = make_video(tmp_path / "hd.mov", 2, (1920, 1080), fps=50)
    info = video.probe(source)
    ladder = video.plan_ladder(info)
    assert [r.name for r in ladder] == ["240p", "360p", "480p", "720p", "1080p"]
    progress = []
    package = video.package(source, tmp_path / "out", info, ladder, on_progress=progress.append)
    lines = hls_master(package)
    assert len(lines) == 5
    assert all("BANDWIDTH=" in x and "CODECS=\"avc1." in x and "mp4a.40.2" in x for x in lines)
    assert "RESOLUTION=1920x1080" in lines[-1] and "RESOLUTION=426x240" in lines[0]
    for rendition in ladder:
        playlist = (tmp_path / "out/hls" / rendition.name / "index.m3u8").read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist and "#EXT-X-ENDLIST" in playlist
        init = playlist.split('#EXT-X-MAP:URI="', 1)[1].split('"', 1)[0]
        assert (tmp_path / "out/hls" / rendition.name / init).stat().st_size > 0
    mp4 = probe_streams(package.mp4)
    kinds = {s["codec_type"]: s for s in mp4["streams"]}
    assert (kinds["video"]["width"], kinds["video"]["height"]) == (1280, 720)
    assert kinds["video"]["codec_name"] == "h264" and kinds["audio"]["codec_name"] == "aac"
    assert float(Fraction(kinds["video"]["avg_frame_rate"])) == 30  # 50 fps capped at 30
    assert float(mp4["format"]["duration"]) == pytest.approx(2.0, abs=0.15)
    head = package.mp4.read_bytes()
    assert head.index(b"moov") < head.index(b"mdat")
    assert progress == sorted(progress) and progress[-1] == 100


def test_a_small_source_is_never_upscaled(tmp_path):
    source = make_video(tmp_path / "small.mp4", 1, (320, 240))
    ladder = video.plan_ladder(video.probe(source))
    assert [(r.width, r.height) for r in ladder] == [(320, 240)]
    tiny = video.VideoInfo(1, 176, 144, True)
    assert [(r.width, r.height) for r in video.plan_ladder(tiny)] == [(176, 144)]


def test_portrait_phone_clip_keeps_its_aspect_on_every_rung(tmp_path):
    source = make_video(tmp_path / "phone.mp4", 1, (720, 1280))
    ladder = video.plan_ladder(video.probe(source))
    assert [(r.width, r.height) for r in ladder] == [
        (240, 426), (360, 640), (480, 852), (720, 1280)]


def test_silent_video_gets_a_silent_track_so_every_player_behaves(tmp_path):
    source = make_video(tmp_path / "silent.mov", 1, (320, 240), audio=False)
    info = video.probe(source)
    assert not info.has_audio
    package = video.package(source, tmp_path / "out", info, video.plan_ladder(info))
    kinds = [s["codec_type"] for s in probe_streams(package.mp4)["streams"]]
    assert sorted(kinds) == ["audio", "video"]


def test_audio_only_becomes_a_still_picture_video_when_allowed(tmp_path, sample_mp3):
    path = tmp_path / "phong-van.mp3"
    path.write_bytes(sample_mp3)
    info = video.probe(path, allow_audio_only=True)
    assert not info.has_video and info.has_audio
    still = make_still(tmp_path / "still.jpg")
    info = replace(info, width=640, height=360, fps=25)
    package = video.package(path, tmp_path / "out", info, video.plan_ladder(info),
                            still_image=still)
    probed = probe_streams(package.mp4)
    assert sorted(s["codec_type"] for s in probed["streams"]) == ["audio", "video"]
    assert float(probed["format"]["duration"]) == pytest.approx(1.0, abs=0.2)


def make_still(path):
    from PIL import Image

    Image.new("RGB", (640, 360), (165, 28, 36)).save(path)
    return path


def test_a_still_image_is_not_a_video(tmp_path):
    with pytest.raises(InvalidMediaError, match="ảnh tĩnh"):
        video.probe(make_still(tmp_path / "anh.png"))


def test_a_one_frame_video_is_refused_as_too_short(tmp_path):
    one = make_video(tmp_path / "one.mp4", 0.04, (320, 240), audio=False)
    with pytest.raises(InvalidMediaError, match="quá ngắn"):
        video.probe(one)


def test_rotated_phone_video_comes_out_upright(tmp_path):
    """A landscape-coded clip with rotation metadata plays as portrait."""
    coded = make_video(tmp_path / "coded.mp4", 1, (640, 360))
    rotated = tmp_path / "rotated.mp4"
    import subprocess

    subprocess.run(["ffmpeg", "-v", "error", "-i", str(coded), "-c", "copy",
                    "-metadata:s:v:0", "rotate=90", str(rotated)], check=True)
    info = video.probe(rotated)
    assert (info.width, info.height) == (360, 640)
    package = video.package(rotated, tmp_path / "out", info, video.plan_ladder(info))
    stream = next(s for s in probe_streams(package.mp4)["streams"] if s["codec_type"] == "video")
    assert (stream["width"], stream["height"]) == (360, 640)


@pytest.mark.parametrize("container", ["webm", "mkv", "avi"])
def test_other_containers_are_accepted(tmp_path, container):
    import subprocess

    source = tmp_path / f"clip.{container}"
    codec = ["-c:v", "libvpx", "-c:a", "libopus"] if container == "webm" else []
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x240:d=1",
                    "-f", "lavfi", "-i", "sine=d=1", *codec, "-shortest", str(source)], check=True)
    info = video.probe(source)
    package = video.package(source, tmp_path / "out", info, video.plan_ladder(info))
    assert float(probe_streams(package.mp4)["format"]["duration"]) == pytest.approx(1, abs=0.2)


def test_poster_is_a_jpeg_frame(tmp_path, sample_video):
    poster = video.poster(sample_video, tmp_path / "poster.jpg", 3.0)
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"


def test_storyboard_maps_every_interval_to_a_tile(tmp_path, sample_video):
    sprite, vtt = video.storyboard(sample_video, tmp_path, 3.0, 640, 360)
    from PIL import Image

    with Image.open(sprite) as img:
        assert img.size == (3 * 160, 90)
    cues = vtt.read_text().split("\n\n")[1:]
    assert cues[0].splitlines() == ["00:00:00.000 --> 00:00:01.000",
                                    "storyboard.jpg#xywh=0,0,160,90"]
    assert cues[2].splitlines()[1] == "storyboard.jpg#xywh=320,0,160,90"


def test_a_file_that_breaks_after_probing_is_damaged_and_carries_ffmpegs_words(
        tmp_path, sample_video):
    broken = tmp_path / "broken.mp4"
    shutil.copy(sample_video, broken)
    info = video.probe(broken)
    broken.write_bytes(b"garbage")
    with pytest.raises(InvalidMediaError) as err:
        video.package(broken, tmp_path / "out", info, video.plan_ladder(info))
    assert err.value.reason == "Tệp video bị hỏng: chỉ đọc được 0,0 trong 3,0 giây"
    assert "moov atom not found" in err.value.detail  # ffmpeg's own words, for the log
