import shutil

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
    for path in (empty, truncated):
        with pytest.raises(InvalidMediaError, match="Tệp không phải video hợp lệ"):
            video.probe(path)


def test_an_audio_only_file_is_refused_with_a_reason(tmp_path, sample_mp3):
    path = tmp_path / "chi-co-tieng.mp4"
    path.write_bytes(sample_mp3)
    with pytest.raises(InvalidMediaError, match="không có hình ảnh"):
        video.probe(path)


def test_too_long_a_video_is_refused_before_transcoding(sample_video):
    with pytest.raises(InvalidMediaError, match="vượt giới hạn"):
        video.probe(sample_video, max_duration=2)


def test_transcode_makes_a_web_mp4_with_moov_first(tmp_path, sample_video):
    """H.264/AAC, scaled to the limit, moov atom before mdat so playback starts at once."""
    info = video.probe(sample_video)
    progress = []
    out = video.transcode_mp4(sample_video, tmp_path / "out.mp4", info, max_short_side=240,
                              on_progress=progress.append)
    probed = probe_streams(out)
    codecs = {s["codec_type"]: s for s in probed["streams"]}
    assert codecs["video"]["codec_name"] == "h264"
    assert codecs["video"]["pix_fmt"] == "yuv420p"
    assert (codecs["video"]["width"], codecs["video"]["height"]) == (426, 240)
    assert codecs["audio"]["codec_name"] == "aac"
    assert float(probed["format"]["duration"]) == pytest.approx(3.0, abs=0.15)
    head = out.read_bytes()
    assert head.index(b"moov") < head.index(b"mdat")
    assert progress == sorted(progress) and progress[-1] == 100


def test_silent_video_transcodes_without_an_audio_track(tmp_path):
    source = make_video(tmp_path / "silent.mov", 1, (320, 240), audio=False)
    info = video.probe(source)
    assert not info.has_audio
    out = video.transcode_mp4(source, tmp_path / "out.mp4", info)
    assert [s["codec_type"] for s in probe_streams(out)["streams"]] == ["video"]


def test_rotated_phone_video_comes_out_upright(tmp_path):
    """A landscape-coded clip with rotation metadata plays as portrait."""
    coded = make_video(tmp_path / "coded.mp4", 1, (640, 360))
    rotated = tmp_path / "rotated.mp4"
    import subprocess

    subprocess.run(["ffmpeg", "-v", "error", "-i", str(coded), "-c", "copy",
                    "-metadata:s:v:0", "rotate=90", str(rotated)], check=True)
    info = video.probe(rotated)
    assert (info.width, info.height) == (360, 640)
    out = video.transcode_mp4(rotated, tmp_path / "out.mp4", info)
    stream = probe_streams(out)["streams"][0]
    assert (stream["width"], stream["height"]) == (360, 640)


def test_poster_is_a_jpeg_frame(tmp_path, sample_video):
    poster = video.poster(sample_video, tmp_path / "poster.jpg", 3.0)
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"


def test_transcode_command_is_what_browsers_play(tmp_path):
    info = video.VideoInfo(10, 1920, 1080, True)
    args = video.transcode_stream(tmp_path / "in.mov", tmp_path / "out.mp4", info).get_args()
    joined = " ".join(args)
    for expected in ("-vcodec libx264", "-acodec aac", "-pix_fmt yuv420p",
                     "-movflags +faststart", "scale=1280:720"):
        assert expected in joined


def test_ffmpeg_failure_carries_its_stderr(tmp_path, sample_video):
    from media_pipeline.errors import TranscodeError

    broken = tmp_path / "broken.mp4"
    shutil.copy(sample_video, broken)
    info = video.probe(broken)
    broken.write_bytes(b"garbage")
    with pytest.raises(TranscodeError) as err:
        video.transcode_mp4(broken, tmp_path / "out.mp4", info)
    assert err.value.reason.startswith("Không chuyển mã được video")
    assert err.value.detail  # the tail of ffmpeg's own message
