"""RQ job functions: ids in, nothing out. Each reloads its row and is safe to run twice."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import JobStatus
from sqlalchemy import select

from app.extensions import db
from app.models import Article, ArticleStatus, MediaAsset, MediaKind, MediaStatus
from app.models.lexicon import lexicon_pairs, lexicon_version
from app.services import media_keys
from app.services.drafting import remove_unused_body_images
from app.services.infra import object_store, redis_conn
from app.services.views_counter import flush_views
from media_pipeline import audio, briefing, cards, images, narration, tts, video
from media_pipeline.errors import MediaError
from media_pipeline.normalize import LexiconError

from . import queues, state

log = logging.getLogger(__name__)
_app: Flask | None = None
PIPELINE_VERSION = "2"  # bump to re-render everything after a pipeline change
BRIEFING_RUNGS = {"360p", "720p"}  # still pictures need no more rungs than these


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


STORE_DOWN = "Không truy cập được kho lưu trữ media; hệ thống sẽ thử lại."
INTERNAL = "Lỗi hệ thống khi xử lý; hãy bấm Thử lại, nếu vẫn lỗi hãy báo quản trị."


def failure_reason(exc: BaseException) -> str:
    """A sentence an editor can act on: the cause in plain words. What a person cannot act on —
    ffmpeg's output, temporary paths, the store's URLs, tracebacks — goes to the log only."""
    if isinstance(exc, MediaError):
        if exc.detail:
            log.warning("%s: %s", exc.reason, exc.detail)
        return exc.reason
    if isinstance(exc, LexiconError):
        return str(exc)
    if isinstance(exc, ClientError | BotoCoreError):
        log.warning("object store error: %s", exc)
        return STORE_DOWN
    log.error("media job failed", exc_info=exc)
    return INTERNAL


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


def request_briefing(article: Article) -> None:
    """Every live (or scheduled) article without an uploaded video gets a briefing video,
    rebuilt on new narration. A draft's preview narration makes none: nobody watches it yet."""
    if not current_app.config["BRIEFING_ENABLED"] or article.asset("video") is not None:
        return
    if article.status not in (ArticleStatus.published, ArticleStatus.scheduled):
        return
    from app.services.media_jobs import get_or_create_asset, request

    request(get_or_create_asset(article, MediaKind.briefing), "brief")


def narration_settings(cfg: Mapping[str, Any], lexicon: tuple[tuple[str, str], ...]
                       ) -> narration.NarrationSettings:
    return narration.NarrationSettings(
        normalize=cfg["NARRATION_NORMALIZE"], read_captions=cfg["NARRATION_READ_CAPTIONS"],
        lexicon=lexicon, loudness=cfg["NARRATION_LOUDNESS"],
        true_peak=cfg["NARRATION_TRUE_PEAK"], max_chars=cfg["NARRATION_MAX_CHARS"],
        engine_timeout=cfg["TTS_ENGINE_TIMEOUT"])


def speech_engines(cfg: Mapping[str, Any], published: bool = True) -> list[tts.SpeechEngine]:
    """The configured engines; for text not yet published (a draft's preview, an article under
    review or scheduled) only those that keep it on this machine, unless
    TTS_ONLINE_FOR_UNPUBLISHED allows the others."""
    return tts.build_engines(
        cfg["TTS_ENGINES"], language=cfg["TTS_LANGUAGE"], gtts_tld=cfg["GTTS_TLD"],
        gtts_timeout=cfg["GTTS_TIMEOUT"], gtts_retries=cfg["GTTS_RETRIES"],
        espeak_voice=cfg["ESPEAK_VOICE"], espeak_rate=cfg["ESPEAK_RATE"],
        piper_model=cfg["PIPER_MODEL"],
        offline_only=not (published or cfg["TTS_ONLINE_FOR_UNPUBLISHED"]))


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
        engines = speech_engines(cfg, published=article.is_published)
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
                prefix = media_keys.audio_prefix(article.id, input_hash, article.is_published)
                outputs = {
                    "mp3": store.upload_file(made.mp3, f"{prefix}.mp3", "audio/mpeg"),
                    "mp3_bytes": made.mp3.stat().st_size,
                    "vtt": store.upload_file(made.vtt, f"{prefix}.vtt", "text/vtt; charset=utf-8"),
                    "timings": store.upload_file(made.timings, f"{prefix}.json",
                                                 "application/json"),
                }
            previous = state.finish(asset, outputs=outputs, input_hash=input_hash,
                                    duration=made.duration, engine=f"{made.engine}:{made.voice}")
            retire(previous, outputs)
            keep_media_in_place(article)
            request_briefing(article)
        except Exception as exc:
            if isinstance(exc, MediaError):
                _no_more_retries()
            state.fail(asset_id, failure_reason(exc))
            raise


CONTENT_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".m4s": "video/iso.segment",
                 ".mp3": "audio/mpeg",
                 ".mp4": "video/mp4", ".jpg": "image/jpeg", ".vtt": "text/vtt; charset=utf-8"}


def upload_tree(files: list[Path], root: Path, prefix: str) -> None:
    """Upload a render's files in parallel, keeping their paths under `root`."""
    store = object_store()

    def put(path: Path) -> None:
        store.upload_file(path, f"{prefix}/{path.relative_to(root).as_posix()}",
                          CONTENT_TYPES.get(path.suffix, "application/octet-stream"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, files))


def package_outputs(source: Path, workdir: Path, info: video.VideoInfo, prefix: str,
                    ladder: list[video.Rendition], progress: state.ProgressReporter,
                    timeout: float, still: Path | None = None) -> dict[str, Any]:
    """HLS ladder + MP4 + poster + storyboard for `source`, uploaded under `prefix`."""
    out = workdir / "out"
    package = video.package(source, out, info, ladder, on_progress=progress, timeout=timeout,
                            still_image=still)
    fallback = video.fallback_rendition(ladder)
    poster = video.poster(package.mp4, out / "poster.jpg", info.duration)
    sprite, board = video.storyboard(package.mp4, out, info.duration, fallback.width,
                                     fallback.height)
    track = package.soundtrack
    upload_tree([*package.files, package.mp4, poster, sprite, board, *([track] if track else [])],
                out, prefix)
    soundtrack = {"soundtrack": f"{prefix}/soundtrack.mp3",
                  "soundtrack_bytes": track.stat().st_size} if track else {}
    return {**soundtrack,
        "hls": f"{prefix}/hls/master.m3u8", "mp4": f"{prefix}/video.mp4",
        "poster": f"{prefix}/poster.jpg", "storyboard_image": f"{prefix}/storyboard.jpg",
        "storyboard_vtt": f"{prefix}/storyboard.vtt",
        "width": fallback.width, "height": fallback.height,
        "renditions": [{"name": r.name, "width": r.width, "height": r.height,
                        "bandwidth": r.bandwidth} for r in ladder],
    }


def _cover_file(article: Article, workdir: Path) -> Path | None:
    if not article.cover_key:
        return None
    try:
        return object_store().download_file(article.cover_key, workdir / "cover.jpg")
    except (ClientError, BotoCoreError):
        return None


def transcode_video(asset_id: int) -> None:
    """Uploaded original → ffprobe check → HLS ladder, MP4, poster, storyboard in the store."""
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
        input_hash = _digest(PIPELINE_VERSION, source_key, f"hls-{max_short}")
        if asset.status is MediaStatus.ready and asset.input_hash == input_hash:
            return
        state.start(asset)
        store = object_store()
        try:
            with tempfile.TemporaryDirectory(prefix="transcode-") as tmp:
                workdir = Path(tmp)
                source = store.download_file(source_key, workdir / "source")
                state.ProgressReporter(asset)(3)
                info = video.probe(source, max_duration=cfg["VIDEO_MAX_DURATION"],
                                   allow_audio_only=True)
                still = None
                if not info.has_video:  # audio only: hold the article's picture on screen
                    still = cards.still_frame(_cover_file(asset.article, workdir),
                                              asset.article.title, briefing.LANDSCAPE,
                                              workdir / "still.jpg")
                    info = replace(info, width=briefing.LANDSCAPE[0],
                                   height=briefing.LANDSCAPE[1], fps=briefing.FPS)
                prefix = media_keys.video_prefix(asset.id, input_hash,
                                                 asset.article.is_published)
                outputs = package_outputs(
                    source, workdir, info, prefix, video.plan_ladder(info, max_short),
                    state.ProgressReporter(asset, start=5, end=95), cfg["JOB_TIMEOUT_VIDEO"],
                    still)
            db.session.refresh(asset)
            if asset.source_key != source_key:
                # A newer upload replaced this one while we worked; its own job takes over.
                return
            retire(state.finish(asset, outputs=outputs, input_hash=input_hash,
                                duration=info.duration), outputs)
            keep_media_in_place(asset.article)
        except Exception as exc:
            state.fail(asset_id, failure_reason(exc))
            raise


def make_briefing(asset_id: int) -> None:
    """Narration + cover + title → a briefing video, packaged like an upload."""
    with _app_context():
        asset = _load(asset_id, MediaKind.briefing)
        if asset is None:
            return
        cfg = current_app.config
        article = asset.article
        audio_asset = article.asset("audio")
        narration_out = audio_asset.outputs if audio_asset else {}
        if not narration_out.get("mp3"):
            state.fail(asset_id, "Chưa có bản nghe để dựng video tóm tắt.")
            return
        size = briefing.PORTRAIT if cfg["BRIEFING_ASPECT"] == "9:16" else briefing.LANDSCAPE
        burn = cfg["BRIEFING_BURN_SUBTITLES"]
        input_hash = _digest(PIPELINE_VERSION, "briefing", narration_out["mp3"], article.title,
                             article.cover_key or "", f"{size}", f"{burn}")
        if asset.status is MediaStatus.ready and asset.input_hash == input_hash:
            return
        state.start(asset)
        store = object_store()
        try:
            with tempfile.TemporaryDirectory(prefix="briefing-") as tmp:
                workdir = Path(tmp)
                mp3 = store.download_file(narration_out["mp3"], workdir / "narration.mp3")
                timings = json.loads(store.download_file(
                    narration_out["timings"], workdir / "timings.json").read_text("utf-8"))
                duration = audio.media_duration(mp3)
                mezzanine = briefing.render(
                    article.title, _cover_file(article, workdir), mp3, duration, workdir, size,
                    label=cfg["SITE_NAME"].upper(),
                    subtitles=timings["sentences"] if burn else None,
                    on_progress=state.ProgressReporter(asset, end=45),
                    timeout=cfg["JOB_TIMEOUT_VIDEO"])
                info = video.probe(mezzanine)
                prefix = media_keys.briefing_prefix(asset.id, input_hash, article.is_published)
                ladder = [r for r in video.plan_ladder(info, 720) if r.name in BRIEFING_RUNGS]
                outputs = package_outputs(mezzanine, workdir, info, prefix, ladder,
                                          state.ProgressReporter(asset, start=45, end=95),
                                          cfg["JOB_TIMEOUT_VIDEO"])
                outputs["captions"] = [{"lang": "vi", "label": "Tiếng Việt",
                                        "key": narration_out["vtt"]}]
            retire(state.finish(asset, outputs=outputs, input_hash=input_hash,
                                duration=info.duration), outputs)
            keep_media_in_place(article)
        except Exception as exc:
            state.fail(asset_id, failure_reason(exc))
            raise


def keep_media_in_place(article: Article) -> None:
    """The article was published or withdrawn while a job rendered: its files (this new one
    too) go where its status now says (app.services.media_keys)."""
    db.session.refresh(article)
    media_keys.sync_article_media(article)


def sync_media(article_id: int) -> None:
    """An article's status changed: move its files to public or private (quick queue)."""
    with _app_context():
        article = db.session.get(Article, article_id)
        if article is None:
            return
        moved = media_keys.sync_article_media(article)
        if moved:
            log.info("article %s: %d files moved (%s)", article_id, moved,
                     "public" if article.is_published else "private")


def publish_scheduled(article_id: int, scheduled_for: str | None = None) -> None:
    """Publish an article whose scheduled time has come, if it is still scheduled for then."""
    from app.services.workflow import publish_due

    with _app_context():
        when = datetime.fromisoformat(scheduled_for) if scheduled_for else None
        if not publish_due(article_id, when):
            log.info("article %s is no longer scheduled for %s; nothing to do", article_id,
                     scheduled_for)


# --- cover images ---------------------------------------------------------------------

IMAGES_VERSION = "1"  # bump when the variants change (sizes, quality): new names, fresh caches


def cover_variant_stem(article_id: int, cover_key: str) -> str:
    """Where a cover's variants go (`<stem>-480.jpg`, …): named by the cover and the recipe,
    beside the cover (hidden with it while the article is not published)."""
    stem = f"images/{article_id}/{_digest(IMAGES_VERSION, media_keys.shown(cover_key))[:16]}"
    return media_keys.placed(stem, not media_keys.is_hidden(cover_key))


def store_variants(key: str, stem: str) -> dict[str, str]:
    """The picture at `key` → 480/800/1200 px JPEG and WebP stored as `<stem>-<width>.<ext>`:
    {"480": key, "480.webp": key, …, "size": "1200x675"}."""
    store = object_store()
    with tempfile.TemporaryDirectory(prefix="image-") as tmp:
        data = store.download_file(key, Path(tmp) / "image").read_bytes()
    try:
        made = images.make_variants(data)
    except MediaError:
        _no_more_retries()  # the picture itself is broken: retrying cannot help
        raise
    variants: dict[str, str] = {}
    for variant in made:
        variant_key = f"{stem}-{variant.width}.{variant.extension}"
        store.upload_fileobj(io.BytesIO(variant.data), variant_key, variant.content_type)
        name = str(variant.width) if variant.content_type == "image/jpeg" \
            else f"{variant.width}.{variant.extension}"
        variants[name] = variant_key
    largest = max(made, key=lambda v: v.width)
    variants["size"] = f"{largest.width}x{largest.height}"
    return variants


def make_cover_variants(article_id: int, cover_key: str) -> None:
    """Cover → 480/800/1200 px JPEG (+ WebP) in the store → `article.cover_variants`.

    Until this has run (or when it fails) the pages show the plain cover.
    """
    with _app_context():
        article = db.session.get(Article, article_id)
        if article is None or not article.cover_key \
                or media_keys.shown(article.cover_key) != media_keys.shown(cover_key):
            log.info("article %s no longer has cover %s; nothing to do", article_id, cover_key)
            return
        cover_key = article.cover_key  # where it is now (moved if the article was published)
        stem = cover_variant_stem(article_id, cover_key)
        if any(key.startswith(f"{stem}-") for key in (article.cover_variants or {}).values()):
            return  # made already (a second enqueue of the same cover)
        variants = store_variants(cover_key, stem)
        # Locked re-read: a newer cover committed meanwhile must not get these variants.
        current = db.session.scalar(
            select(Article.cover_key).where(Article.id == article_id).with_for_update())
        if current is None or media_keys.shown(current) != media_keys.shown(cover_key):
            db.session.rollback()
            # Nobody saw them: gone at once.
            object_store().delete(*(k for n, k in variants.items() if n != "size"))
            return
        article.cover_variants = variants
        db.session.commit()
        keep_media_in_place(article)


def retire_cover_variants(article_id: int, keys: list[str]) -> None:
    """Delete a replaced cover's variants, unless the article has gone back to that cover."""
    with _app_context():
        article = db.session.get(Article, article_id)
        keep: set[str] = set()
        stem = ""
        if article is not None:
            keep = set((article.cover_variants or {}).values())
            stem = cover_variant_stem(article_id, article.cover_key) if article.cover_key else ""
        doomed = [k for k in keys if k not in keep and not (stem and k.startswith(f"{stem}-"))]
        if doomed:
            object_store().delete(*doomed)


# --- images in article bodies ---------------------------------------------------------

def body_image_variant_stem(key: str) -> str:
    """`images/<id>/body/<hash>.jpg` → its variants' `<stem>-480.jpg`, … (named by the recipe
    too, so a new recipe never collides with cached old files)."""
    return f"{key.removesuffix('.jpg')}-v{IMAGES_VERSION}"


def make_body_image_variants(image_id: int, key: str) -> None:
    """A body image → 480/800/1200 px JPEG (+ WebP) in the store → `ArticleImage.variants`;
    the article's cached pages are dropped so readers get the `srcset`."""
    from app.models import ArticleImage
    from app.services.page_cache import invalidate

    with _app_context():
        image = db.session.get(ArticleImage, image_id)
        if image is None or media_keys.shown(image.key) != media_keys.shown(key):
            log.info("body image %s is gone or replaced; nothing to do", image_id)
            return
        key = image.key  # where it is now (moved if the article was published)
        stem = body_image_variant_stem(key)
        if any(k.startswith(f"{stem}-") for k in (image.variants or {}).values()):
            return  # made already (a second enqueue of the same image)
        image.variants = store_variants(key, stem)
        article_id = image.article_id
        db.session.commit()
        owner = db.session.get(Article, article_id)
        if owner is not None:
            keep_media_in_place(owner)
        invalidate({f"article:{article_id}"})


# --- storage hygiene ------------------------------------------------------------------

FILE_OUTPUTS = ("mp3", "vtt", "timings")


def superseded(previous: Mapping[str, Any], current: Mapping[str, Any]
               ) -> tuple[list[str], list[str]]:
    """What a new render made obsolete: the old video folder, or the old narration files."""
    prefixes, keys = [], []
    old_hls, new_hls = previous.get("hls"), current.get("hls")
    if old_hls and old_hls != new_hls:
        prefixes.append(old_hls.rsplit("/hls/", 1)[0] + "/")
    keys += [previous[k] for k in FILE_OUTPUTS if previous.get(k) and previous[k] != current.get(k)]
    return prefixes, keys


def retire(previous: Mapping[str, Any], current: Mapping[str, Any]) -> None:
    prefixes, keys = superseded(previous, current)
    queues.schedule_deletion(redis_conn(), current_app.config, prefixes=prefixes, keys=keys)


def delete_media(prefixes: list[str], keys: list[str]) -> None:
    """Delete superseded renders, unless a row has switched back to them meanwhile."""
    with _app_context():
        in_use = {value for outputs in db.session.scalars(select(MediaAsset.outputs))
                  for value in (outputs or {}).values() if isinstance(value, str)}
        store = object_store()
        for prefix in prefixes:
            if not any(key.startswith(prefix) for key in in_use):
                store.delete_prefix(prefix)
        store.delete(*(k for k in keys if k not in in_use))


STUCK = "Tiến trình xử lý bị gián đoạn (máy xử lý dừng giữa chừng); hãy bấm Thử lại."


def maintain() -> None:
    """Periodic: fail rows whose job died, abort stale multipart uploads, drop body images no
    version of their article shows, flush view counts, re-schedule itself."""
    with _app_context():
        cfg = current_app.config
        connection = redis_conn()
        try:
            sweep_stuck_assets(connection)
            abort_stale_uploads(cfg["MEDIA_GC_GRACE"])
            remove_unused_body_images(timedelta(seconds=cfg["MEDIA_GC_GRACE"]))
            flush_views()
        finally:
            queues.schedule_maintenance(connection, cfg)


def sweep_stuck_assets(connection: Redis, min_age: int = 120) -> int:
    """A row 'processing' whose RQ job is gone or finished without telling it: mark it failed.

    (A worker killed outright — power cut, out of memory — never runs the job's own handler.)
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=min_age)
    count = 0
    for asset in db.session.scalars(select(MediaAsset).where(
            MediaAsset.status == MediaStatus.processing, MediaAsset.updated_at < cutoff)):
        try:
            alive = queues.fetch_job(asset.job_id or "", connection).get_status() in (
                JobStatus.STARTED, JobStatus.QUEUED, JobStatus.SCHEDULED)
        except NoSuchJobError:
            alive = False
        if not alive:
            asset.move_to(MediaStatus.failed)
            asset.error = STUCK
            count += 1
    db.session.commit()
    return count


def abort_stale_uploads(older_than: int) -> int:
    """Multipart uploads an editor abandoned (closed the tab) hold storage: abort them."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    store = object_store()
    stale = [u for u in store.list_multipart_uploads("uploads/")
             if u["Initiated"] is not None and u["Initiated"] < cutoff]
    for upload in stale:
        store.abort_multipart_upload(upload["Key"], upload["UploadId"])
    return len(stale)
