import io
import re

import pytest
import requests
from PIL import Image
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import select

from app.demo import cover_image
from app.extensions import db
from app.media import jobs, queues
from app.media.queues import SERIALIZER
from app.models import Article
from app.services.publishing import store_cover
from tests.conftest import csrf_token
from workers.worker import PortalSimpleWorker


def jpeg(title: str, index: int = 0, size=(1600, 900)) -> bytes:
    buf = io.BytesIO()
    cover_image(title, index, size).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def run_image_jobs(app, redis_conn):
    """Only the cover jobs (fast: no narration)."""
    def run():
        PortalSimpleWorker([queues.IMAGES], connection=redis_conn,
                           serializer=SERIALIZER).work(burst=True)
        db.session.expire_all()
    return run


@pytest.fixture
def page_cache_on(app):
    app.config["PAGE_CACHE_TTL"] = 300
    yield
    app.config["PAGE_CACHE_TTL"] = 0


def cover_tag(page: str) -> str:
    """The cover's markup on an article page: its <picture> or <img>."""
    figure = re.search(r'<figure class="article__cover">(.*?)</figure>', page, re.S)
    assert figure, "no cover on the page"
    return figure.group(1)


def card_images(page: str) -> list[str]:
    return re.findall(r'<a class="card__media".*?(<img [^>]*>)', page, re.S)


def test_an_uploaded_cover_gets_responsive_widths_readers_are_offered(
        app, login, category, run_worker, store, page_cache_on):
    editor = login()
    url = "/bien-tap/bai-viet/moi"
    response = editor.post(url, content_type="multipart/form-data", data={
        "title": "Lễ hội đường phố mừng xuân", "lede": "Sáng nay, phố đi bộ đông vui.",
        "body_html": "<p>Hàng nghìn người dân đã tham gia.</p>", "category_id": str(category.id),
        "unit_id": "0", "author_name": "", "cover_caption": "Phố đi bộ sáng mùng 1.",
        "publish": "Xuất bản", "csrf_token": csrf_token(editor, url),
        "cover": (io.BytesIO(jpeg("Lễ hội đường phố")), "le-hoi.jpg")})
    assert response.status_code == 302
    article = db.session.scalar(select(Article))
    reader = app.test_client()
    page_url = f"/bai-viet/{article.slug}"
    before = cover_tag(reader.get(page_url).get_data(as_text=True))  # now in the page cache
    assert "srcset" not in before and store.url(article.cover_key) in before

    run_worker()
    variants = article.cover_variants
    assert variants["size"] == "1200x675"
    for width, height in ((480, 270), (800, 450), (1200, 675)):
        for name, content_type, fmt, ext in ((f"{width}", "image/jpeg", "JPEG", "jpg"),
                                             (f"{width}.webp", "image/webp", "WEBP", "webp")):
            key = variants[name]
            assert key.startswith(f"images/{article.id}/") and key.endswith(f"-{width}.{ext}")
            got = requests.get(store.url(key), timeout=5)  # public, no signature
            assert got.status_code == 200 and got.headers["Content-Type"] == content_type
            assert "immutable" in got.headers.get("Cache-Control", "")
            picture = Image.open(io.BytesIO(got.content))
            assert (picture.format, picture.size) == (fmt, (width, height))

    after = cover_tag(reader.get(page_url).get_data(as_text=True))  # the worker refreshed it
    assert (f'srcset="{store.url(variants["480.webp"])} 480w, '
            f'{store.url(variants["800.webp"])} 800w, {store.url(variants["1200.webp"])} 1200w"'
            in after)
    assert '<source type="image/webp"' in after
    assert f'<img src="{store.url(variants["1200"])}"' in after
    assert f'{store.url(variants["480"])} 480w' in after and 'sizes="' in after
    assert 'width="1200" height="675"' in after and 'alt="Phố đi bộ sáng mùng 1."' in after
    assert 'fetchpriority="high"' in after and 'loading="lazy"' not in after


def test_the_top_story_loads_at_once_and_the_other_cards_lazily(
        make_article, run_image_jobs, client, store):
    older = make_article("Khánh thành cầu mới qua sông Hậu")
    store_cover(older, Image.open(io.BytesIO(jpeg("Cầu mới", 1))))
    newer = make_article("Mùa lúa bội thu ở huyện Long Mỹ")
    store_cover(newer, Image.open(io.BytesIO(jpeg("Mùa lúa", 2))))
    run_image_jobs()
    top, second = card_images(client.get("/").get_data(as_text=True))
    assert store.url(newer.cover_variants["800"]) + " 800w" in top
    assert 'fetchpriority="high"' in top and 'loading="lazy"' not in top
    assert store.url(older.cover_variants["480"]) + " 480w" in second
    assert 'loading="lazy"' in second and "fetchpriority" not in second


def test_a_newer_cover_wins_and_the_replaced_variants_are_retired_later(
        make_article, run_image_jobs, redis_conn, store, client):
    article = make_article()
    store_cover(article, Image.open(io.BytesIO(jpeg("Ảnh thứ nhất", 0))))
    first_key = article.cover_key
    run_image_jobs()
    first = dict(article.cover_variants)
    assert first

    store_cover(article, Image.open(io.BytesIO(jpeg("Ảnh thứ hai", 1))))
    assert article.cover_variants == {}  # no srcset of the old picture beside the new one
    page = cover_tag(client.get(f"/bai-viet/{article.slug}").get_data(as_text=True))
    assert store.url(article.cover_key) in page and "srcset" not in page
    # A late job for the first picture (a retry, say) runs after the second picture's job.
    queues.enqueue_cover_variants(redis_conn, article.id, first_key, {
        "JOB_RESULT_TTL": 60, "JOB_FAILURE_TTL": 60})
    run_image_jobs()
    second = dict(article.cover_variants)
    assert second and not set(second.values()) & set(first.values()) - {"1200x675"}
    jobs.make_cover_variants(article.id, first_key)  # directly, too: still nothing changes
    db.session.refresh(article)
    assert article.cover_variants == second

    # The first picture's variants stay for the grace period (cached pages), then go.
    scheduled = ScheduledJobRegistry(queues.IMAGES, connection=redis_conn).get_job_ids()
    assert len(scheduled) == 1
    job = Queue(queues.IMAGES, connection=redis_conn, serializer=SERIALIZER).fetch_job(scheduled[0])
    assert job.func_name == queues.RETIRE_COVER_VARIANTS
    old_keys = [k for name, k in first.items() if name != "size"]
    assert all(store.exists(k) for k in old_keys)
    jobs.retire_cover_variants(*job.args)
    assert not any(store.exists(k) for k in old_keys)
    assert all(store.exists(k) for name, k in second.items() if name != "size")


def test_a_corrupt_stored_cover_fails_quietly_and_the_page_keeps_the_plain_cover(
        make_article, run_image_jobs, redis_conn, store, client):
    article = make_article()
    store_cover(article, Image.open(io.BytesIO(jpeg("Ảnh bìa"))))
    store.upload_fileobj(io.BytesIO(b"\xff\xd8 hong giua chung"), article.cover_key, "image/jpeg")
    run_image_jobs()
    assert FailedJobRegistry(queues.IMAGES, connection=redis_conn).count == 1
    assert ScheduledJobRegistry(queues.IMAGES, connection=redis_conn).count == 0  # no retry
    assert article.cover_variants == {}
    response = client.get(f"/bai-viet/{article.slug}")
    assert response.status_code == 200
    cover = cover_tag(response.get_data(as_text=True))
    assert f'<img src="{store.url(article.cover_key)}"' in cover and "srcset" not in cover
    assert 'width="1200" height="675"' in cover


def test_publishing_with_a_cover_works_while_the_queue_is_down(login, category, monkeypatch):
    def down(*args, **kwargs):
        raise RedisError("Connection refused")

    monkeypatch.setattr(queues, "enqueue_cover_variants", down)
    editor = login()
    url = "/bien-tap/bai-viet/moi"
    response = editor.post(url, content_type="multipart/form-data", data={
        "title": "Bài có ảnh khi hàng đợi hỏng", "lede": "", "body_html": "<p>Nội dung.</p>",
        "category_id": str(category.id), "unit_id": "0", "author_name": "", "cover_caption": "",
        "save": "Lưu", "csrf_token": csrf_token(editor, url),
        "cover": (io.BytesIO(jpeg("Ảnh")), "anh.jpg")})
    assert response.status_code == 302
    article = db.session.scalar(select(Article))
    assert article.cover_key and article.cover_variants == {}


def test_a_cover_replaced_while_its_job_works_gets_none_of_its_variants(
        make_article, run_image_jobs, store, monkeypatch):
    from media_pipeline import images

    article = make_article()
    store_cover(article, Image.open(io.BytesIO(jpeg("Ảnh cũ", 0))))
    made_for_old: list = []
    real = images.make_variants

    def editor_replaces_cover_meanwhile(data, *args, **kwargs):
        made = real(data, *args, **kwargs)
        if not made_for_old:
            made_for_old.extend(made)
            store_cover(article, Image.open(io.BytesIO(jpeg("Ảnh mới", 3))))
        return made

    monkeypatch.setattr(images, "make_variants", editor_replaces_cover_meanwhile)
    old_stem = jobs.cover_variant_stem(article.id, article.cover_key)
    run_image_jobs()  # the old cover's job, then the new one's
    assert made_for_old
    variants = article.cover_variants
    assert variants and not any(k.startswith(old_stem) for k in variants.values())
    assert variants["size"] == "1200x675"
    assert store.list_keys(old_stem) == []  # uploaded for nobody: removed at once


def test_covers_stored_before_the_worker_made_widths_get_them_from_the_cli(
        app, runner, make_article, store, run_image_jobs):
    """`flask media cover-variants`: for covers stored when no worker made their widths."""
    with_variants, without = make_article("Bài có ảnh đủ cỡ"), make_article("Bài ảnh cũ")
    for article in (with_variants, without):
        key = f"images/{article.id}/cu.jpg"
        store.upload_fileobj(io.BytesIO(jpeg(article.title)), key, "image/jpeg")
        article.cover_key = key
    with_variants.cover_variants = {"size": "1200x675", "1200": "images/x-1200.jpg"}
    db.session.commit()

    result = runner.invoke(args=["media", "cover-variants"])
    assert result.exit_code == 0 and result.output.startswith("1 ảnh bìa"), result.output
    run_image_jobs()
    assert without.cover_variants["size"] == "1200x675"
    assert with_variants.cover_variants == {"size": "1200x675", "1200": "images/x-1200.jpg"}
