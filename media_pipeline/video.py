"""Uploaded media → checked with ffprobe → an adaptive HLS ladder, an MP4 fallback, a poster
and a storyboard for seek previews, all from one decode of the source.
"""

from __future__ import annotations

import logging
import math
import re
import subprocess
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from . import ffmpeg_run
from .errors import InvalidMediaError, TimeLimitError, TranscodeError, vi_number
from .timecode import timestamp

log = logging.getLogger(__name__)

NOT_A_VIDEO = "Tệp không phải video hợp lệ"
DAMAGED = "Tệp video bị hỏng hoặc không đầy đủ (có thể tải lên chưa xong)"

# The only container formats (ffmpeg demuxers) an upload may be read as. Anything that can
# point ffmpeg at another file or a URL — HLS and DASH playlists, concat lists, image
# sequences, SDP, subtitle and playlist formats — is refused before a byte of it is followed.
UPLOAD_DEMUXERS = ("mov", "matroska", "avi", "flv", "mpegts", "mpeg", "ogg", "asf", "wav",
                   "mp3", "aac", "flac", "png_pipe", "jpeg_pipe", "webp_pipe", "gif")
# ...and only as a local file: no http, no pipes, no nested protocols.
UPLOAD_INPUT_OPTIONS = {"protocol_whitelist": "file", "format_whitelist": ",".join(UPLOAD_DEMUXERS)}
# What a refused format is, in words an editor understands.
REFUSED_FORMATS = {
    "hls": "danh sách phát HLS (.m3u8)",
    "dash": "tệp mô tả DASH (.mpd)",
    "webm_dash_manifest": "tệp mô tả DASH (.mpd)",
    "concat": "danh sách ghép tệp (concat)",
    "image2": "chuỗi ảnh",
    "sdp": "mô tả phiên phát trực tuyến (SDP)",
    "rtsp": "luồng phát trực tuyến (RTSP)",
    "lrc": "danh sách phát hoặc lời bài hát dạng văn bản",
    "ffmetadata": "tệp siêu dữ liệu ffmpeg",
    "srt": "tệp phụ đề", "webvtt": "tệp phụ đề", "ass": "tệp phụ đề",
}
_NOT_ON_WHITELIST = re.compile(r"\[([\w,]+) @ 0x[0-9a-f]+\] Format not on whitelist")


def upload_input(path: Path, **options: Any) -> Any:
    """ffmpeg's input node for an uploaded file: this local file only, as a listed format."""
    return ffmpeg.input(f"file:{path.resolve()}", **UPLOAD_INPUT_OPTIONS, **options)


def refused_format(stderr: str) -> str | None:
    """The format ffmpeg recognised but was not allowed to read, in words; None if none."""
    match = _NOT_ON_WHITELIST.search(stderr)
    if match is None:
        return None
    name = match.group(1)
    return REFUSED_FORMATS.get(name, f"định dạng {name}")


# How a media container begins: an ISO file's first box (MP4, MOV, 3GP), Matroska/WebM's
# EBML magic, RIFF (AVI, WAV), FLV, Ogg, ASF, MPEG-PS.
_ISO_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot")
_MAGIC = (b"\x1a\x45\xdf\xa3", b"RIFF", b"FLV", b"OggS", b"\x30\x26\xb2\x75", b"\x00\x00\x01\xba")


def looks_like_media(head: bytes) -> bool:
    """Whether a file's first bytes are those of a video container (so a failure to read it
    means it is damaged or cut short, not that it is something else)."""
    return head[4:8] in _ISO_BOXES or head.startswith(_MAGIC)


def explain_probe_failure(stderr: str, head: bytes = b"") -> InvalidMediaError:
    """ffprobe's refusal as a reason an editor can act on (its own words go to the log)."""
    detail = ffmpeg_run.stderr_tail(stderr, 4)
    refused = refused_format(stderr)
    if refused is not None:
        return InvalidMediaError(f"Định dạng tệp không được hỗ trợ: {refused} — loại tệp có thể "
                                 "trỏ tới tệp hoặc địa chỉ khác, hãy tải lên chính tệp video",
                                 detail)
    if looks_like_media(head):
        return InvalidMediaError(DAMAGED, detail)
    return InvalidMediaError(NOT_A_VIDEO, detail)
IMAGE_CODECS = {"png", "mjpeg", "bmp", "gif", "webp", "tiff", "jpeg2000"}
MIN_DURATION = 0.5
PROBE_TIMEOUT = 120  # seconds: a probe reads headers, never the whole file
MAX_FPS = 30
GOP_SECONDS = 2      # keyframe every 2 s in every rendition, so segments line up
SEGMENT_SECONDS = 4
AUDIO_BITRATE = "128k"


@dataclass(frozen=True)
class VideoInfo:
    duration: float
    width: int  # as displayed, after rotation
    height: int
    has_audio: bool
    rotation: int = 0
    fps: float = 25.0
    has_video: bool = True


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    video_kbps: int

    @property
    def bandwidth(self) -> int:
        return (self.video_kbps + int(AUDIO_BITRATE[:-1])) * 1000


# Short side → video bitrate (kbit/s) for H.264 at up to 30 fps.
LADDER = [(240, 400), (360, 800), (480, 1400), (720, 2800), (1080, 5000)]


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return int(side["rotation"])
    return int(stream.get("tags", {}).get("rotate", 0))


def _fps(stream: dict[str, Any]) -> float:
    for key in ("avg_frame_rate", "r_frame_rate"):
        try:
            value = float(Fraction(stream.get(key, "0/0")))
        except (ValueError, ZeroDivisionError):
            continue
        if 0 < value < 1000:
            return value
    return 25.0


def probe(path: Path, max_duration: float | None = None, max_pixels: int = 8192 * 8192,
          allow_audio_only: bool = False) -> VideoInfo:
    """Read and check `path` before any transcoding; InvalidMediaError says what is wrong."""
    if not path.exists() or path.stat().st_size == 0:
        raise InvalidMediaError(f"{NOT_A_VIDEO} (tệp rỗng)")
    try:
        data = ffmpeg.probe(f"file:{path.resolve()}", timeout=PROBE_TIMEOUT, hide_banner=None,
                            **UPLOAD_INPUT_OPTIONS)
    except subprocess.TimeoutExpired:
        raise TimeLimitError("Quá thời gian đọc thông tin tệp video") from None
    except ffmpeg.Error as exc:
        with path.open("rb") as fh:
            head = fh.read(16)
        raise explain_probe_failure(exc.stderr.decode(errors="replace"), head) from None
    streams = data.get("streams", [])
    fmt = data.get("format", {})
    videos = [s for s in streams if s.get("codec_type") == "video"
              and not s.get("disposition", {}).get("attached_pic")]
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    try:
        duration = float(fmt.get("duration") or (videos[0].get("duration") if videos else 0) or 0)
    except ValueError:
        duration = 0.0
    if not videos:
        if allow_audio_only and has_audio and duration >= MIN_DURATION:
            _check_duration(duration, max_duration)
            return VideoInfo(duration, 0, 0, True, has_video=False)
        raise InvalidMediaError(f"{NOT_A_VIDEO}: tệp không có hình ảnh video")
    video = videos[0]
    if video.get("codec_name") in IMAGE_CODECS and duration < MIN_DURATION:
        raise InvalidMediaError("Tệp là ảnh tĩnh, không phải video")
    try:
        width, height = int(video["width"]), int(video["height"])
    except (KeyError, ValueError):
        raise InvalidMediaError(f"{NOT_A_VIDEO}: không đọc được kích thước hình") from None
    if width <= 0 or height <= 0 or duration <= 0:
        raise InvalidMediaError(f"{NOT_A_VIDEO}: không đọc được kích thước hoặc thời lượng")
    if duration < MIN_DURATION:
        raise InvalidMediaError(f"Video quá ngắn ({vi_number(duration, 2)} giây)")
    if width * height > max_pixels:
        raise InvalidMediaError(f"Độ phân giải {width}×{height} vượt giới hạn cho phép")
    _check_duration(duration, max_duration)
    rotation = _rotation(video)
    if rotation % 180:
        width, height = height, width
    return VideoInfo(duration, width, height, has_audio, rotation, _fps(video))


def _check_duration(duration: float, max_duration: float | None) -> None:
    if max_duration and duration > max_duration:
        raise InvalidMediaError(
            f"Video dài {vi_number(duration / 60)} phút, vượt giới hạn "
            f"{vi_number(max_duration / 60)} phút")


def target_size(width: int, height: int, max_short_side: int = 720) -> tuple[int, int]:
    """Output size: short side at most `max_short_side`, aspect kept, both even, no upscaling."""
    scale = min(1.0, max_short_side / min(width, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def plan_ladder(info: VideoInfo, max_short_side: int = 1080) -> list[Rendition]:
    """The renditions for this source: every rung up to its own size (never upscaled)."""
    short = min(info.width, info.height, max_short_side)
    rungs = [(s, kbps) for s, kbps in LADDER if s <= short] or [(short, LADDER[0][1])]
    ladder = []
    for side, kbps in rungs:
        width, height = target_size(info.width, info.height, side)
        ladder.append(Rendition(f"{min(width, height)}p", width, height, kbps))
    return ladder


def fallback_rendition(ladder: list[Rendition], max_short_side: int = 720) -> Rendition:
    """The progressive MP4 for browsers without HLS: the best rung up to 720p."""
    fitting = [r for r in ladder if min(r.width, r.height) <= max_short_side]
    return fitting[-1] if fitting else ladder[0]


@dataclass
class Package:
    master: Path
    mp4: Path
    ladder: list[Rendition]
    files: list[Path] = field(default_factory=list)
    soundtrack: Path | None = None


def package_stream(source: Path, outdir: Path, info: VideoInfo, ladder: list[Rendition],
                   still_image: Path | None = None):
    """One ffmpeg command: decode once, scale per rendition, write HLS (fMP4) + an MP4.

    `still_image` makes a video of an audio-only source (the picture held for its length).
    """
    fps = min(MAX_FPS, round(info.fps)) or 25
    gop = fps * GOP_SECONDS
    inp = upload_input(source)
    if still_image is not None:
        picture = ffmpeg.input(str(still_image), loop=1, framerate=fps, t=info.duration)["v:0"]
    else:
        picture = inp["v:0"]  # ffmpeg applies rotation metadata before the filters
    sound = inp["a:0"] if info.has_audio else ffmpeg.input(
        "anullsrc=r=48000:cl=stereo", f="lavfi", t=info.duration)["a:0"]
    fallback = fallback_rendition(ladder)
    split = picture.filter("fps", fps=fps).filter_multi_output("split", len(ladder) + 1)
    hls_streams: list[Any] = []
    per_stream: dict[str, str] = {}
    for i, r in enumerate(ladder):
        hls_streams += [split[i].filter("scale", r.width, r.height).filter("setsar", 1), sound]
        per_stream |= {f"b:v:{i}": f"{r.video_kbps}k",
                       f"maxrate:v:{i}": f"{r.video_kbps * 107 // 100}k",
                       f"bufsize:v:{i}": f"{r.video_kbps * 2}k"}
    common = {"vcodec": "libx264", "preset": "veryfast", "pix_fmt": "yuv420p", "g": gop,
              "keyint_min": gop, "sc_threshold": 0, "acodec": "aac",
              "audio_bitrate": AUDIO_BITRATE, "ac": 2, "ar": 48000}
    (outdir / "hls").mkdir(parents=True, exist_ok=True)
    hls = ffmpeg.output(
        *hls_streams, str(outdir / "hls" / "%v" / "index.m3u8"), f="hls",
        hls_time=SEGMENT_SECONDS, hls_playlist_type="vod", hls_segment_type="fmp4",
        hls_segment_filename=str(outdir / "hls" / "%v" / "seg_%04d.m4s"),
        master_pl_name="master.m3u8",
        var_stream_map=" ".join(f"v:{i},a:{i},name:{r.name}" for i, r in enumerate(ladder)),
        **common, **per_stream)
    mp4 = ffmpeg.output(
        split[len(ladder)].filter("scale", fallback.width, fallback.height).filter("setsar", 1),
        sound, str(outdir / "video.mp4"), crf=23, maxrate=f"{fallback.video_kbps * 3 // 2}k",
        bufsize=f"{fallback.video_kbps * 3}k", movflags="+faststart", **common)
    outputs = [hls, mp4]
    if info.has_audio:  # the soundtrack alone: a video item's listen form
        outputs.append(ffmpeg.output(sound, str(outdir / "soundtrack.mp3"), acodec="libmp3lame",
                                     audio_bitrate="96k", ac=2))
    return ffmpeg.merge_outputs(*outputs).global_args("-max_muxing_queue_size", "1024")


def package(source: Path, outdir: Path, info: VideoInfo, ladder: list[Rendition],
            on_progress: ffmpeg_run.ProgressCallback = ffmpeg_run._noop,
            timeout: float | None = None, still_image: Path | None = None) -> Package:
    try:
        ffmpeg_run.run(package_stream(source, outdir, info, ladder, still_image),
                       duration=info.duration, on_progress=on_progress, timeout=timeout,
                       failure_reason="Không chuyển mã được video (tệp có thể bị hỏng)")
    except TranscodeError as exc:
        if exc.transient or isinstance(exc, TimeLimitError):
            raise
        # The file probed whole but its data breaks off: say how far it could be read.
        raise InvalidMediaError(damaged_at(exc.reached, info.duration), exc.detail) from None
    files = sorted(p for p in (outdir / "hls").rglob("*") if p.is_file())
    soundtrack = outdir / "soundtrack.mp3"
    return Package(outdir / "hls" / "master.m3u8", outdir / "video.mp4", ladder, files,
                   soundtrack if soundtrack.exists() else None)


def damaged_at(readable: float, duration: float) -> str:
    return (f"Tệp video bị hỏng: chỉ đọc được {vi_number(readable, 1)} trong "
            f"{vi_number(duration, 1)} giây")


def _tolerance(seconds: float) -> float:
    return max(0.5, seconds * 0.02)


def _playlist_seconds(playlist: Path) -> tuple[float, list[str]]:
    """A media playlist's length (its #EXTINF durations) and the segments it names."""
    total, segments = 0.0, []
    for line in playlist.read_text(encoding="utf-8").splitlines():
        if line.startswith("#EXTINF:"):
            total += float(line[len("#EXTINF:"):].split(",", 1)[0])
        elif line.startswith("#EXT-X-MAP:"):
            segments.append(line.split('URI="', 1)[1].split('"', 1)[0])
        elif line and not line.startswith("#"):
            segments.append(line)
    return total, segments


def verify_package(package: Package, info: VideoInfo) -> None:
    """Never publish a broken render: the MP4 and every HLS rendition last as long as the
    probed source (within 0.5 s or 2 %), every segment is there, and the sound is there when
    the source has some. A source whose data stops early (cut short, garbage after a point)
    decodes to a shorter render: refused, with how much of it could be read."""
    probed = ffmpeg.probe(str(package.mp4), hide_banner=None)
    streams = probed.get("streams", [])
    mp4_seconds = float(probed.get("format", {}).get("duration") or 0)
    lengths = {"MP4": mp4_seconds}
    for rendition in package.ladder:
        playlist = package.master.parent / rendition.name / "index.m3u8"
        if not playlist.exists():
            raise InvalidMediaError(f"Bản chuyển mã thiếu mức chất lượng {rendition.name}")
        seconds, segments = _playlist_seconds(playlist)
        missing = [name for name in segments if not (playlist.parent / name).exists()]
        if missing:
            raise InvalidMediaError(f"Bản chuyển mã {rendition.name} thiếu {len(missing)} đoạn",
                                    ", ".join(missing[:5]))
        lengths[rendition.name] = seconds
    short = {name: seconds for name, seconds in lengths.items()
             if abs(seconds - info.duration) > _tolerance(info.duration)}
    if short:
        raise InvalidMediaError(damaged_at(min(short.values()), info.duration),
                                f"render lengths {lengths}, source {info.duration:.2f} s")
    if info.has_audio and not any(s.get("codec_type") == "audio" for s in streams):
        raise InvalidMediaError("Bản chuyển mã mất tiếng dù tệp gốc có tiếng")


def poster(video: Path, target: Path, duration: float) -> Path:
    """A JPEG frame from early in the video (10% in, at most 3 s) for the player's poster."""
    at = min(3.0, duration * 0.1)
    ffmpeg_run.run(
        ffmpeg.input(str(video), ss=at).output(str(target), vframes=1, **{"q:v": 3}),
        failure_reason="Không tạo được ảnh đại diện cho video",
    )
    return target


STORYBOARD_COLUMNS = 10
STORYBOARD_WIDTH = 160


def storyboard(video: Path, outdir: Path, info_duration: float, width: int, height: int,
               max_thumbs: int = 100) -> tuple[Path, Path]:
    """A sprite of thumbnails and a WebVTT mapping times to tiles (seek previews)."""
    interval = max(1, math.ceil(info_duration / max_thumbs))
    count = max(1, math.ceil(info_duration / interval))
    rows = math.ceil(count / STORYBOARD_COLUMNS)
    columns = min(count, STORYBOARD_COLUMNS)
    thumb_w = STORYBOARD_WIDTH
    thumb_h = max(2, round(thumb_w * height / width / 2) * 2)
    sprite = outdir / "storyboard.jpg"
    ffmpeg_run.run(
        ffmpeg.input(str(video)).filter("fps", fps=f"1/{interval}")
        .filter("scale", thumb_w, thumb_h).filter("tile", f"{columns}x{rows}")
        .output(str(sprite), vframes=1, **{"q:v": 5}),
        failure_reason="Không tạo được ảnh xem trước")
    vtt = outdir / "storyboard.vtt"
    lines = ["WEBVTT", ""]
    for i in range(count):
        start, end = i * interval, min(info_duration, (i + 1) * interval)
        x, y = (i % STORYBOARD_COLUMNS) * thumb_w, (i // STORYBOARD_COLUMNS) * thumb_h
        lines += [f"{timestamp(start)} --> {timestamp(end)}",
                  f"storyboard.jpg#xywh={x},{y},{thumb_w},{thumb_h}", ""]
    vtt.write_text("\n".join(lines), encoding="utf-8")
    return sprite, vtt
