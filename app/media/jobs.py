"""RQ job functions: ids in, nothing out. Each reloads its row and is safe to run twice.

The three media kinds (narration, an uploaded video, a briefing video) are jobs of the one
runner (app/media/runner.py): each says what its input is (`plan`) and how it is rendered
(`render`); the runner does the rest — skipping unchanged inputs, progress, the row's state,
retries by cause.
"""

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
from urllib.parse import urlsplit

from botocore.exceptions import ClientError
from flask import Flask, current_app, has_app_context
from rq import get_current_job
from sqlalchemy import select

from media_pipeline import audio, briefing, cards, images, narration, tts, video
from media_pipeline.errors import MediaError
from media_pipeline.text import article_pictures

from .. import create_app
from ..extensions import db
from ..models import Article, ArticleImage, ArticleStatus, MediaAsset, MediaKind
from ..models.base import utcnow
from ..models.lexicon import lexicon_pairs, lexicon_version
from ..services import site
from ..services.infra import object_store
from ..services.localtime import day_and_date
from ..services.page_cache import invalidate
from . import runner, state, storage_keys
from .lifecycle import get_or_create_asset, request
from .runner import Rendered

log = logging.getLogger(__name__)
_app: Flask | None = None
PIPELINE_VERSION = "3"  # bump to re-render everything after a pipeline change
BRIEFING_RUNGS = {"360p", "720p"}  # still pictures need no more rungs than these
NO_SOURCE = "Chưa có tệp video gốc để xử lý."
NO_NARRATION = "Chưa có bản nghe để dựng video tóm tắt."


def _app_context() -> AbstractContextManager[object]:
    """The worker's app context (tests and `python -m workers` push one already)."""
    global _app
    if has_app_context():
        return nullcontext()
    if _app is None:
        _app = create_app()
    return _app.app_context()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


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

    request(get_or_create_asset(article, MediaKind.briefing), "brief")


def narration_settings(cfg: Mapping[str, Any], lexicon: tuple[tuple[str, str], ...]
                       ) -> narration.NarrationSettings:
    return narration.NarrationSettings(
        normalize=cfg["NARRATION_NORMALIZE"], read_captions=cfg["NARRATION_READ_CAPTIONS"],
        lexicon=lexicon, loudness=cfg["NARRATION_LOUDNESS"],
        true_peak=cfg["NARRATION_TRUE_PEAK"], max_chars=cfg["NARRATION_MAX_CHARS"],
        engine_timeout=cfg["TTS_ENGINE_TIMEOUT"],
        sentence_pause=cfg["NARRATION_SENTENCE_PAUSE"],
        paragraph_pause=cfg["NARRATION_PARAGRAPH_PAUSE"])


def speech_engines(cfg: Mapping[str, Any], published: bool = True) -> list[tts.SpeechEngine]:
    """The configured engines; for text not yet published (a draft's preview, an article under
    review or scheduled) only those that keep it on this machine, unless
    TTS_ONLINE_FOR_UNPUBLISHED allows the others."""
    return tts.build_engines(
        cfg["TTS_ENGINES"], language=cfg["TTS_LANGUAGE"], gtts_tld=cfg["GTTS_TLD"],
        gtts_timeout=cfg["GTTS_TIMEOUT"], gtts_retries=cfg["GTTS_RETRIES"],
        espeak_voice=cfg["ESPEAK_VOICE"], espeak_rate=cfg["ESPEAK_RATE"],
        espeak_word_gap=cfg["ESPEAK_WORD_GAP"], piper_model=cfg["PIPER_MODEL"],
        offline_only=not (published or cfg["TTS_ONLINE_FOR_UNPUBLISHED"]))


def keep_media_in_place(article: Article) -> None:
    """The article was published or withdrawn while a job rendered: its files (this new one
    too) go where its status now says (app.media.storage_keys)."""
    db.session.refresh(article)
    storage_keys.sync_article_media(article)


# --- narration ------------------------------------------------------------------------------

class Narration:
    """Article → sentences → speech (the first engine that works) → MP3 + timings."""

    kind = MediaKind.audio

    def plan(self, asset: MediaAsset) -> str:
        cfg = current_app.config
        article = asset.article
        lexicon = lexicon_pairs()
        self.settings = narration_settings(cfg, lexicon)
        self.engines = speech_engines(cfg, published=article.is_published)
        try:
            self.script = narration.build_script(article.title, article.lede,
                                                 article.body_html, self.settings)
        except MediaError:
            raise
        return _digest(PIPELINE_VERSION, narration.script_text(self.script),
                       lexicon_version(lexicon), repr(self.settings),
                       f"espeak {cfg['ESPEAK_RATE']} {cfg['ESPEAK_WORD_GAP']}",
                       *(f"{e.name}:{e.voice}" for e in self.engines))

    def render(self, asset: MediaAsset, workdir: Path, input_hash: str) -> Rendered:
        article = asset.article
        made = narration.narrate(self.script, self.engines, workdir, self.settings,
                                 on_progress=state.ProgressReporter(asset, end=95))
        store = object_store()
        prefix = storage_keys.audio_prefix(article.id, input_hash, article.is_published)
        outputs = {
            "mp3": store.upload_file(made.mp3, f"{prefix}.mp3", "audio/mpeg"),
            "mp3_bytes": made.mp3.stat().st_size,
            "vtt": store.upload_file(made.vtt, f"{prefix}.vtt", "text/vtt; charset=utf-8"),
            "timings": store.upload_file(made.timings, f"{prefix}.json", "application/json"),
        }
        return Rendered(outputs, made.duration, f"{made.engine}:{made.voice}")

    def still_wanted(self, asset: MediaAsset, input_hash: str) -> bool:
        # The text (or lexicon, or voices) changed while we spoke: the newer run's audio wins,
        # whichever finishes first.
        return self.plan(asset) == input_hash

    def after(self, asset: MediaAsset, made: Rendered | None) -> None:
        keep_media_in_place(asset.article)
        request_briefing(asset.article)


def narrate_article(asset_id: int) -> None:
    with _app_context():
        runner.run(Narration(), asset_id)


# --- video: uploads and briefings -------------------------------------------------------------

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
    """HLS ladder + MP4 + poster + storyboard for `source`, checked against the source
    (video.verify_package: a broken render is never published), uploaded under `prefix`."""
    out = workdir / "out"
    package = video.package(source, out, info, ladder, on_progress=progress, timeout=timeout,
                            still_image=still)
    video.verify_package(package, info)
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


def fetch_if_there(key: str, target: Path) -> Path | None:
    """The stored picture at `key` (or at its other place: a publication may have moved it
    meanwhile), or None when it is in neither. Any other storage error is raised: the job is
    retried, and a hiccup never leaves a picture out of a render for good."""
    store = object_store()
    for candidate in (key, storage_keys.placed(key, storage_keys.is_hidden(key))):
        try:
            return store.download_file(candidate, target)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey"):
                raise
    log.warning("picture %s is not in the store: left out", key)
    return None


def _cover_file(article: Article, workdir: Path) -> Path | None:
    return fetch_if_there(article.cover_key, workdir / "cover.jpg") if article.cover_key \
        else None


class Transcode:
    """Uploaded original → ffprobe check → HLS ladder, MP4, poster, storyboard."""

    kind = MediaKind.video

    def plan(self, asset: MediaAsset) -> str:
        if not asset.source_key:
            raise MediaError(NO_SOURCE)
        max_short = current_app.config["VIDEO_MAX_HEIGHT"]
        return _digest(PIPELINE_VERSION, asset.source_key, f"hls-{max_short}")

    def render(self, asset: MediaAsset, workdir: Path, input_hash: str) -> Rendered:
        cfg = current_app.config
        source = object_store().download_file(str(asset.source_key), workdir / "source")
        state.ProgressReporter(asset)(3)
        info = video.probe(source, max_duration=cfg["VIDEO_MAX_DURATION"], allow_audio_only=True)
        still = None
        if not info.has_video:  # audio only: hold the article's picture on screen
            still = cards.still_frame(_cover_file(asset.article, workdir), asset.article.title,
                                      briefing.LANDSCAPE, workdir / "still.jpg")
            info = replace(info, width=briefing.LANDSCAPE[0], height=briefing.LANDSCAPE[1],
                           fps=briefing.FPS)
        prefix = storage_keys.video_prefix(asset.id, input_hash, asset.article.is_published)
        outputs = package_outputs(
            source, workdir, info, prefix, video.plan_ladder(info, cfg["VIDEO_MAX_HEIGHT"]),
            state.ProgressReporter(asset, start=5, end=95),
            runner.job_timeout("JOB_TIMEOUT_VIDEO"), still)
        return Rendered(outputs, info.duration)

    def still_wanted(self, asset: MediaAsset, input_hash: str) -> bool:
        # A newer upload replaced this one while we worked: its own job takes over.
        return self.plan(asset) == input_hash

    def after(self, asset: MediaAsset, made: Rendered | None) -> None:
        keep_media_in_place(asset.article)


def transcode_video(asset_id: int) -> None:
    with _app_context():
        runner.run(Transcode(), asset_id)


class Briefing:
    """Narration + title + the article's pictures → a briefing video, packaged like an
    upload."""

    kind = MediaKind.briefing

    def plan(self, asset: MediaAsset) -> str:
        cfg = current_app.config
        article = asset.article
        audio_asset = article.asset("audio")
        self.narration = dict(audio_asset.outputs or {}) if audio_asset else {}
        if not self.narration.get("mp3"):
            raise MediaError(NO_NARRATION)
        self.size = briefing.PORTRAIT if cfg["BRIEFING_ASPECT"] == "9:16" else briefing.LANDSCAPE
        self.burn = cfg["BRIEFING_BURN_SUBTITLES"]
        # The site's identity as admins set it: an uploaded emblem is fetched by render();
        # its key names its content, so the plan's hash needs no copy of it.
        identity = site.current()
        self.emblem_key = identity.emblem_key
        emblem = Path(cfg["SITE_EMBLEM"]) if cfg["SITE_EMBLEM"] and not self.emblem_key \
            else None
        self.story = briefing.Story(
            article.title, article.category.name if article.category else "",
            # the day it goes live: a scheduled article's briefing is made beforehand
            day_and_date(article.published_at or article.scheduled_at or utcnow()),
            identity.name,
            emblem if emblem is not None and emblem.is_file() else None)
        self.pictures = body_pictures(article, cfg)
        # By their public names: moving the files when the article is published changes
        # where they are, not what the briefing shows.
        return _digest(PIPELINE_VERSION, "briefing", storage_keys.shown(self.narration["mp3"]),
                       repr(replace(self.story, emblem=None)), _file_digest(self.story.emblem),
                       self.emblem_key,
                       storage_keys.shown(article.cover_key or ""), article.cover_caption or "",
                       repr([(storage_keys.shown(k), c, b) for k, c, b in self.pictures]),
                       f"{self.size}", f"{self.burn}")

    def render(self, asset: MediaAsset, workdir: Path, input_hash: str) -> Rendered:
        article = asset.article
        store = object_store()
        mp3 = store.download_file(self.narration["mp3"], workdir / "narration.mp3")
        timings = json.loads(store.download_file(
            self.narration["timings"], workdir / "timings.json").read_text("utf-8"))
        duration = audio.media_duration(mp3)
        timeout = runner.job_timeout("JOB_TIMEOUT_VIDEO")
        if self.emblem_key:  # the admins' emblem (None if it was replaced meanwhile)
            emblem = fetch_if_there(self.emblem_key, workdir / "emblem.png")
            self.story = replace(self.story, emblem=emblem)
        cover_file = _cover_file(article, workdir)
        cover = briefing.Picture(cover_file, article.cover_caption or "", 0) \
            if cover_file is not None else None
        mezzanine = briefing.render(
            self.story, cover, _download_pictures(self.pictures, workdir), mp3, duration,
            workdir, timings["sentences"], self.size, burn_subtitles=self.burn,
            on_progress=state.ProgressReporter(asset, end=45), timeout=timeout)
        info = video.probe(mezzanine)
        prefix = storage_keys.briefing_prefix(asset.id, input_hash, article.is_published)
        ladder = [r for r in video.plan_ladder(info, 720) if r.name in BRIEFING_RUNGS]
        outputs = package_outputs(mezzanine, workdir, info, prefix, ladder,
                                  state.ProgressReporter(asset, start=45, end=95), timeout)
        layout = cards.Layout(self.size)
        band_track = briefing.write_vtt(briefing.subtitle_cues(timings["sentences"], layout),
                                        layout, workdir / "band.vtt")
        # Burned in, the subtitles are already there: a track would draw them twice.
        outputs["captions"] = [] if self.burn else [{
            "lang": "vi", "label": "Tiếng Việt", "key": store.upload_file(
                band_track, f"{prefix}/captions.vtt", CONTENT_TYPES[".vtt"])}]
        return Rendered(outputs, info.duration)

    def still_wanted(self, asset: MediaAsset, input_hash: str) -> bool:
        return True

    def after(self, asset: MediaAsset, made: Rendered | None) -> None:
        keep_media_in_place(asset.article)


def _file_digest(path: Path | None) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else ""


def body_pictures(article: Article, cfg: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """The article's own body pictures, in page order, as (stored key, caption, narration
    block). A picture from elsewhere on the web is not fetched (the worker reaches no address
    an editor typed) and is left out with its caption."""
    found = article_pictures(article.title, article.lede, article.body_html or "",
                             cfg["NARRATION_READ_CAPTIONS"])
    if not found:
        return []
    stored = {storage_keys.shown(row.key): row.key for row in db.session.scalars(
        select(ArticleImage).where(ArticleImage.article_id == article.id))}
    pictures = []
    for picture in found:
        key = storage_keys.BODY_IMAGE_KEY.search(urlsplit(picture.src).path)
        if key is not None and key.group(0) in stored:
            pictures.append((stored[key.group(0)], picture.caption, picture.block))
    return pictures[: cfg["BRIEFING_MAX_PICTURES"]]


def _download_pictures(pictures: list[tuple[str, str, int]], workdir: Path
                       ) -> list[briefing.Picture]:
    """The pictures the store has (`fetch_if_there`); one it has not is left out with its
    caption — the video never names a photo it does not show."""
    got = []
    for n, (key, caption, block) in enumerate(pictures):
        path = fetch_if_there(key, workdir / f"body-{n}.jpg")
        if path is not None:
            got.append(briefing.Picture(path, caption, block))
    return got


def make_briefing(asset_id: int) -> None:
    with _app_context():
        runner.run(Briefing(), asset_id)


def sync_media(article_id: int) -> None:
    """An article's status changed: move its files to public or private (quick queue)."""
    with _app_context():
        article = db.session.get(Article, article_id)
        if article is None:
            return
        moved = storage_keys.sync_article_media(article)
        if moved:
            log.info("article %s: %d files moved (%s)", article_id, moved,
                     "public" if article.is_published else "private")


# --- cover images ---------------------------------------------------------------------

IMAGES_VERSION = "1"  # bump when the variants change (sizes, quality): new names, fresh caches


def cover_variant_stem(article_id: int, cover_key: str) -> str:
    """Where a cover's variants go (`<stem>-480.jpg`, …): named by the cover and the recipe,
    beside the cover (hidden with it while the article is not published)."""
    return storage_keys.cover_variant_stem(
        article_id, _digest(IMAGES_VERSION, storage_keys.shown(cover_key)),
        not storage_keys.is_hidden(cover_key))


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
                or storage_keys.shown(article.cover_key) != storage_keys.shown(cover_key):
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
        if current is None or storage_keys.shown(current) != storage_keys.shown(cover_key):
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
    with _app_context():
        image = db.session.get(ArticleImage, image_id)
        if image is None or storage_keys.shown(image.key) != storage_keys.shown(key):
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


def abort_stale_uploads(older_than: int) -> int:
    """Multipart uploads an editor abandoned (closed the tab) hold storage: abort them."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    store = object_store()
    stale = [u for u in store.list_multipart_uploads(storage_keys.UPLOADS)
             if u["Initiated"] is not None and u["Initiated"] < cutoff]
    for upload in stale:
        store.abort_multipart_upload(upload["Key"], upload["UploadId"])
    return len(stale)
