"""RQ job functions: ids in, nothing out. Each reloads its row and is safe to run twice."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, current_app, has_app_context
from rq import get_current_job

from app.extensions import db
from app.models import MediaAsset, MediaKind, MediaStatus
from app.models.lexicon import lexicon_pairs, lexicon_version
from app.services.infra import object_store
from media_pipeline import audio, narration, tts, video
from media_pipeline.errors import MediaError
from media_pipeline.normalize import LexiconError

from . import state

log = logging.getLogger(__name__)
_app: Flask | None = None
PIPELINE_VERSION = "2"  # bump to re-render everything after a pipeline change


def _app_context() -> AbstractContextManager[object]:
    """The worker's app context (tests and `python -m workers` push one already)."""
    global _app
    if has_app_context():
        return nullcontext()
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app.app_context()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def failure_reason(exc: BaseException) -> str:
    """A sentence an editor can act on."""
    if isinstance(exc, MediaError):
        return f"{exc.reason}: {exc.detail}" if exc.detail else exc.reason
    if isinstance(exc, LexiconError):
        return str(exc)
    if isinstance(exc, ClientError | BotoCoreError):
        return f"Không truy cập được kho lưu trữ media: {exc}"
    return f"Lỗi hệ thống khi xử lý ({type(exc).__name__}: {exc})"


def _load(asset_id: int, kind: MediaKind) -> MediaAsset | None:
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or asset.kind is not kind:
        log.info("asset %s is gone or not %s; nothing to do", asset_id, kind.value)
        return None
    return asset


def _no_more_retries() -> None:
    """The input itself is at fault: retrying cannot help."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0


def narration_settings(cfg: Mapping[str, Any], lexicon: tuple[tuple[str, str], ...]
                       ) -> narration.NarrationSettings:
    return narration.NarrationSettings(
        normalize=cfg["NARRATION_NORMALIZE"], read_captions=cfg["NARRATION_READ_CAPTIONS"],
        lexicon=lexicon, loudness=cfg["NARRATION_LOUDNESS"],
        true_peak=cfg["NARRATION_TRUE_PEAK"], max_chars=cfg["NARRATION_MAX_CHARS"],
        engine_timeout=cfg["TTS_ENGINE_TIMEOUT"])


def speech_engines(cfg: Mapping[str, Any]) -> list[tts.SpeechEngine]:
    return tts.build_engines(
        cfg["TTS_ENGINES"], language=cfg["TTS_LANGUAGE"], gtts_tld=cfg["GTTS_TLD"],
        gtts_timeout=cfg["GTTS_TIMEOUT"], gtts_retries=cfg["GTTS_RETRIES"],
        espeak_voice=cfg["ESPEAK_VOICE"], espeak_rate=cfg["ESPEAK_RATE"],
        piper_model=cfg["PIPER_MODEL"])


def narrate_article(asset_id: int) -> None:
    """Article → sentences → speech (first engine that works) → MP3 + timings in the store."""
    with _app_context():
        asset = _load(asset_id, MediaKind.audio)
        if asset is None:
            return
        cfg = current_app.config
        article = asset.article
        lexicon = lexicon_pairs()
        settings = narration_settings(cfg, lexicon)
        engines = speech_engines(cfg)
        try:
            script = narration.build_script(article.title, article.lede, article.body_html,
                                            settings)
        except Exception as exc:
            _no_more_retries()
            state.fail(asset_id, failure_reason(exc))
            raise
        input_hash = _digest(PIPELINE_VERSION, narration.script_text(script),
                             lexicon_version(lexicon), repr(settings),
                             *(f"{e.name}:{e.voice}" for e in engines))
        if asset.status is MediaStatus.ready and asset.input_hash == input_hash:
            return
        state.start(asset)
        store = object_store()
        try:
            with tempfile.TemporaryDirectory(prefix="narrate-") as tmp:
                made = narration.narrate(script, engines, Path(tmp), settings,
                                         on_progress=state.ProgressReporter(asset, end=95))
                prefix = f"audio/{article.id}/{input_hash[:20]}"
                outputs = {
                    "mp3": store.upload_file(made.mp3, f"{prefix}.mp3", "audio/mpeg"),
                    "mp3_bytes": made.mp3.stat().st_size,
                    "vtt": store.upload_file(made.vtt, f"{prefix}.vtt", "text/vtt; charset=utf-8"),
                    "timings": store.upload_file(made.timings, f"{prefix}.json",
                                                 "application/json"),
                }
            state.finish(asset, outputs=outputs, input_hash=input_hash, duration=made.duration,
                         engine=f"{made.engine}:{made.voice}")
        except Exception as exc:
            if isinstance(exc, MediaError):
                _no_more_retries()
            state.fail(asset_id, failure_reason(exc))
            raise


def transcode_video(asset_id: int) -> None:
    """Uploaded original → ffprobe check → 720p H.264/AAC MP4 + poster in the object store."""
    with _app_context():
        asset = _load(asset_id, MediaKind.video)
        if asset is None:
            return
        cfg = current_app.config
        source_key = asset.source_key
        if not source_key:
            state.fail(asset_id, "Chưa có tệp video gốc để xử lý.")
            return
        max_short = cfg["VIDEO_MAX_HEIGHT"]
        input_hash = _digest(PIPELINE_VERSION, source_key, f"mp4-{max_short}")
        if asset.status is MediaStatus.ready and asset.input_hash == input_hash:
            return
        state.start(asset)
        store = object_store()
        try:
            with tempfile.TemporaryDirectory(prefix="transcode-") as tmp:
                workdir = Path(tmp)
                source = store.download_file(source_key, workdir / "source")
                state.ProgressReporter(asset)(5)
                info = video.probe(source, max_duration=cfg["VIDEO_MAX_DURATION"])
                mp4 = video.transcode_mp4(
                    source, workdir / "video.mp4", info, max_short,
                    on_progress=state.ProgressReporter(asset, start=5, end=95),
                    timeout=cfg["JOB_TIMEOUT_VIDEO"])
                poster = video.poster(mp4, workdir / "poster.jpg", info.duration)
                duration = audio.media_duration(mp4)
                width, height = video.target_size(info.width, info.height, max_short)
                prefix = f"video/{asset.id}/{input_hash[:20]}"
                mp4_key = store.upload_file(mp4, f"{prefix}/video.mp4", "video/mp4")
                poster_key = store.upload_file(poster, f"{prefix}/poster.jpg", "image/jpeg")
            db.session.refresh(asset)
            if asset.source_key != source_key:
                # A newer upload replaced this one while we worked; its own job takes over.
                store.delete(mp4_key, poster_key)
                return
            outputs = {"mp4": mp4_key, "poster": poster_key, "width": width, "height": height}
            state.finish(asset, outputs=outputs, input_hash=input_hash, duration=duration)
        except Exception as exc:
            state.fail(asset_id, failure_reason(exc))
            raise
