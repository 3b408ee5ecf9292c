import hashlib
import io
import re

import pytest
import requests

from app.extensions import db
from app.media import lifecycle
from app.media.queues import queue as rq_queue
from app.models import MediaStatus, Role
from app.services.accounts import unit_named
from tests.conftest import csrf_token

MiB = 1024 * 1024
SRT = ("1\n00:00:01,000 --> 00:00:03,500\nKính chào quý vị khán giả.\n\n"
       "2\n00:00:03,600 --> 00:00:06,000\nĐây là bản tin tỉnh Hòa An.\n").encode()
VTT = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\nKính chào quý vị khán giả.\n\n"
       "2\n00:00:03.600 --> 00:00:06.000\nĐây là bản tin tỉnh Hòa An.\n")


@pytest.fixture(autouse=True)
def no_leftover_uploads(store):
    """Article ids repeat between tests (tables are emptied), so abort what a test left."""
    def abort_all():
        for upload in store.list_multipart_uploads("uploads/"):
            store.abort_multipart_upload(upload["Key"], upload["UploadId"])

    abort_all()
    yield
    abort_all()


@pytest.fixture
def editor(login, make_article):
    """A logged-in editor, an article, and the CSRF header the page's JavaScript sends."""
    article = make_article()
    client = login()
    token = csrf_token(client, f"/bien-tap/bai-viet/{article.id}")
    return client, article, {"X-CSRFToken": token}


def base(article) -> str:
    return f"/bien-tap/bai-viet/{article.id}/tai-len"


def start(client, article, headers, filename="phóng sự.mp4", size=11 * MiB):
    response = client.post(base(article), json={"filename": filename, "type": "video/mp4",
                                                "size": size}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["uploadId"], response.json["key"]


def put_parts(client, article, upload_id, key, chunks) -> list[dict]:
    """What the browser does: sign each part, PUT its bytes to the store, keep the ETag."""
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        signed = client.get(f"{base(article)}/{upload_id}/{number}", query_string={"key": key})
        assert signed.status_code == 200
        put = requests.put(signed.json["url"], data=chunk, timeout=60)
        assert put.status_code == 200, put.text
        parts.append({"PartNumber": number, "ETag": put.headers["ETag"]})
    return parts


def test_a_video_goes_up_in_parts_straight_to_the_store_and_is_queued(
        editor, store, redis_conn, tmp_path):
    """Create, sign 3 parts, PUT them to the store, list, complete: the video is queued."""
    client, article, headers = editor
    chunks = [b"\x00\x00\x00\x18ftypmp42" + b"a" * (5 * MiB - 12), b"b" * 5 * MiB, b"end" * 999]
    size = sum(len(c) for c in chunks)
    upload_id, key = start(client, article, headers, size=size)
    assert re.fullmatch(rf"uploads/{article.id}/[0-9a-f]{{32}}/phong_su\.mp4", key)
    assert [u["UploadId"] for u in store.list_multipart_uploads(f"uploads/{article.id}/")] \
        == [upload_id]

    parts = put_parts(client, article, upload_id, key, chunks)
    listed = client.get(f"{base(article)}/{upload_id}", query_string={"key": key})
    assert listed.status_code == 200
    assert listed.json == [{"PartNumber": p["PartNumber"], "Size": len(c), "ETag": p["ETag"]}
                           for p, c in zip(parts, chunks, strict=True)]
    assert store.list_parts(key, upload_id, page_size=1) == listed.json  # follows every page

    done = client.post(f"{base(article)}/{upload_id}/hoan-tat", query_string={"key": key},
                       json={"parts": parts}, headers=headers)
    assert done.status_code == 200, done.get_data(as_text=True)
    db.session.expire_all()
    video = article.asset("video")
    assert done.json == {"asset": {"id": video.id, "status": "queued"}}
    assert video.status is MediaStatus.queued
    assert video.source_key == key
    assert store.size(key) == size
    stored = store.download_file(key, tmp_path / "stored.mp4").read_bytes()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(b"".join(chunks)).digest()
    assert [job.args for job in rq_queue("video", redis_conn).jobs] == [[video.id]]
    assert store.list_multipart_uploads(f"uploads/{article.id}/") == []
    assert "Đã tải lên; hệ thống đang xử lý." in \
        client.get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)


def test_a_declared_size_over_the_limit_is_refused(editor, store, app):
    """422 with a Vietnamese reason, and no upload is started."""
    client, article, headers = editor
    limit = app.config["VIDEO_MAX_UPLOAD_BYTES"]
    response = client.post(base(article), json={"filename": "dai.mp4", "type": "video/mp4",
                                                "size": limit + 1}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"] == "Tệp vượt quá dung lượng tối đa cho phép (4 GB)."
    assert store.list_multipart_uploads(f"uploads/{article.id}/") == []


@pytest.mark.parametrize("filename", ["virus.exe", "bai-viet.pdf", "video"])
def test_a_file_that_is_not_a_video_type_is_refused(editor, store, filename):
    """Only the extensions the plain form accepts may be uploaded."""
    client, article, headers = editor
    response = client.post(base(article), json={"filename": filename, "type": "video/mp4",
                                                "size": 1000}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"] == "Định dạng video không được hỗ trợ."
    assert store.list_multipart_uploads(f"uploads/{article.id}/") == []


def test_a_missing_or_broken_size_is_refused(editor):
    """The size must be a positive whole number of bytes."""
    client, article, headers = editor
    for size in (None, "10", 0, -5, 1.5, True):
        response = client.post(base(article), json={"filename": "a.mp4", "size": size},
                               headers=headers)
        assert response.status_code == 422, size
        assert response.json["error"] == "Kích thước tệp không hợp lệ."


def test_a_key_of_another_article_is_refused(editor, make_article, store):
    """Every endpoint answers 403 for a key outside uploads/<this article>/."""
    client, article, headers = editor
    other = make_article(title="Một bài khác")
    upload_id, key = start(client, other, headers)
    foreign = {"key": key}
    sneaky = {"key": f"uploads/{article.id}/../{other.id}/x.mp4"}
    for query in (foreign, sneaky, {"key": ""}, {}):
        url = f"{base(article)}/{upload_id}"
        answers = [client.get(url, query_string=query),
                   client.get(f"{url}/1", query_string=query),
                   client.post(f"{url}/hoan-tat", query_string=query, headers=headers,
                               json={"parts": [{"PartNumber": 1, "ETag": '"x"'}]}),
                   client.delete(url, query_string=query, headers=headers)]
        assert [a.status_code for a in answers] == [403] * 4, query
        assert answers[0].json["error"] == "Tệp tải lên không thuộc bài viết này."
    assert [u["Key"] for u in store.list_multipart_uploads(f"uploads/{other.id}/")] == [key]


def test_writes_without_the_csrf_header_are_refused(editor, store):
    """Create, complete and abort need the X-CSRFToken header: 400 without it."""
    client, article, headers = editor
    response = client.post(base(article), json={"filename": "a.mp4", "size": 1000})
    assert response.status_code == 400
    assert store.list_multipart_uploads(f"uploads/{article.id}/") == []
    upload_id, key = start(client, article, headers)
    url = f"{base(article)}/{upload_id}"
    assert client.post(f"{url}/hoan-tat", query_string={"key": key},
                       json={"parts": [{"PartNumber": 1, "ETag": '"x"'}]}).status_code == 400
    assert client.delete(url, query_string={"key": key}).status_code == 400
    assert client.delete(url, query_string={"key": key},
                         headers={"X-CSRFToken": "forged"}).status_code == 400
    assert len(store.list_multipart_uploads(f"uploads/{article.id}/")) == 1


def test_abort_removes_the_upload_and_its_parts(editor, store):
    """After DELETE the store no longer lists the upload; a second abort is harmless."""
    client, article, headers = editor
    upload_id, key = start(client, article, headers)
    put_parts(client, article, upload_id, key, [b"x" * 5 * MiB])
    assert [u["UploadId"] for u in store.list_multipart_uploads(f"uploads/{article.id}/")] \
        == [upload_id]
    url = f"{base(article)}/{upload_id}"
    assert client.delete(url, query_string={"key": key}, headers=headers).status_code == 204
    assert store.list_multipart_uploads(f"uploads/{article.id}/") == []
    assert client.delete(url, query_string={"key": key}, headers=headers).status_code == 204
    gone = client.get(url, query_string={"key": key})
    assert gone.status_code == 404
    assert "tải tệp lên lại" in gone.json["error"]


def test_an_object_larger_than_the_limit_is_deleted_at_completion(editor, store, app,
                                                                   monkeypatch):
    """The real size is checked after joining: a lie about the size gets 422 and no video."""
    client, article, headers = editor
    monkeypatch.setitem(app.config, "VIDEO_MAX_UPLOAD_BYTES", 6 * MiB)
    upload_id, key = start(client, article, headers, size=1 * MiB)
    parts = put_parts(client, article, upload_id, key, [b"a" * 5 * MiB, b"b" * 2 * MiB])
    done = client.post(f"{base(article)}/{upload_id}/hoan-tat", query_string={"key": key},
                       json={"parts": parts}, headers=headers)
    assert done.status_code == 422
    assert done.json["error"] == "Tệp vượt quá dung lượng tối đa cho phép (6 MB)."
    assert not store.exists(key)
    db.session.expire_all()
    assert article.asset("video") is None


def test_bad_part_lists_are_refused(editor):
    """Completion needs PartNumber/ETag pairs; a wrong ETag makes the store refuse to join."""
    client, article, headers = editor
    upload_id, key = start(client, article, headers)
    url = f"{base(article)}/{upload_id}/hoan-tat"
    for parts in ([], [{"PartNumber": 0, "ETag": "x"}], [{"PartNumber": 1}], "1,2",
                  [{"PartNumber": 1, "ETag": "a"}, {"PartNumber": 1, "ETag": "b"}]):
        response = client.post(url, query_string={"key": key}, json={"parts": parts},
                               headers=headers)
        assert response.status_code == 422, parts
    put_parts(client, article, upload_id, key, [b"x" * 100])
    response = client.post(url, query_string={"key": key}, headers=headers,
                           json={"parts": [{"PartNumber": 1, "ETag": '"0000"'}]})
    assert response.status_code == 422
    assert response.json["error"] == "Không ghép được các phần đã tải lên; vui lòng thử lại."
    assert article.asset("video") is None


def test_a_part_number_outside_s3_limits_is_refused(editor):
    """Parts are numbered 1 to 10 000."""
    client, article, headers = editor
    upload_id, key = start(client, article, headers)
    url = f"{base(article)}/{upload_id}"
    assert client.get(f"{url}/0", query_string={"key": key}).status_code == 422
    assert client.get(f"{url}/10001", query_string={"key": key}).status_code == 422


def test_a_contributor_of_another_unit_is_refused(login, make_article, store):
    """A contributor may only upload to their own unit's drafts."""
    theirs = unit_named("Sở Y tế")
    mine = unit_named("Sở Văn hóa")
    db.session.commit()
    article = make_article(publish=False, unit_id=theirs.id)
    own = make_article(title="Bài của Sở Văn hóa", publish=False, unit_id=mine.id)
    client = login("ctv", role=Role.contributor, unit=mine)
    headers = {"X-CSRFToken": csrf_token(client, f"/bien-tap/bai-viet/{own.id}")}
    response = client.post(base(article), json={"filename": "a.mp4", "size": 1000},
                           headers=headers)
    assert response.status_code == 403
    assert response.json["error"] == "Bạn không có quyền thực hiện thao tác này."
    assert store.list_multipart_uploads(f"uploads/{article.id}/") == []
    assert client.post(base(own), json={"filename": "a.mp4", "size": 1000},
                       headers=headers).status_code == 200


def test_anonymous_requests_get_a_json_401(client, make_article):
    """Without a login the endpoints answer 401 JSON, not the login page."""
    article = make_article()
    response = client.get(f"{base(article)}/abc", query_string={"key": "x"})
    assert response.status_code == 401
    assert response.json["error"] == "Vui lòng đăng nhập để tiếp tục."


def test_the_edit_page_offers_uppy_with_the_plain_form_as_fallback(editor, app):
    """Uppy's files load on the edit page only; the plain form stays for no-JavaScript."""
    client, article, _ = editor
    page = client.get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    assert "vendor/uppy.min.js" in page and "vendor/uppy.min.css" in page
    assert "js/video-upload.js" in page
    assert f'data-create-url="/bien-tap/bai-viet/{article.id}/tai-len"' in page
    assert f'data-max-size="{app.config["VIDEO_MAX_UPLOAD_BYTES"]}"' in page
    assert f'action="/bien-tap/bai-viet/{article.id}/video"' in page
    assert "uppy.min.js" not in client.get("/bien-tap/").get_data(as_text=True)
    assert "uppy.min.js" not in client.get("/bien-tap/bai-viet/moi").get_data(as_text=True)


# --- subtitles ------------------------------------------------------------------------------

def post_captions(client, article, data: bytes, filename="phu-de.srt", **fields):
    url = f"/bien-tap/bai-viet/{article.id}"
    form = {"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename),
            **fields}
    return client.post(f"{url}/phu-de", data=form, content_type="multipart/form-data")


def test_a_subtitle_file_is_stored_public_and_listed_on_the_video(editor, store):
    """SRT in → WebVTT stored under video/<asset>/captions/, public, listed on the asset."""
    client, article, _ = editor
    video = lifecycle.attach_video(article, io.BytesIO(b"pretend video"), "phong-su.mp4")
    response = post_captions(client, article, SRT)
    assert response.status_code == 303
    db.session.expire_all()
    [track] = video.captions
    assert track["lang"] == "vi" and track["label"] == "Tiếng Việt"
    digest = hashlib.sha256(VTT.encode()).hexdigest()[:16]
    assert track["key"] == f"video/{video.id}/captions/{digest}.vtt"
    public = requests.get(store.url(track["key"]), timeout=5)  # no signature: public
    assert public.status_code == 200
    assert public.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert public.content.decode("utf-8") == VTT
    page = client.get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    assert "Đã thêm phụ đề Tiếng Việt." in page
    assert store.url(track["key"]) in page


def test_what_is_said_in_the_subtitles_is_searchable(editor):
    """Readers find a video by the words its subtitles say, with or without diacritics."""
    client, article, _ = editor
    lifecycle.attach_video(article, io.BytesIO(b"pretend video"), "phong-su.mp4")
    assert "khán giả" not in article.body_html
    assert f"/bai-viet/{article.slug}" not in client.get("/tim-kiem?q=khan+gia").get_data(
        as_text=True)
    assert post_captions(client, article, SRT).status_code == 303
    page = client.get("/tim-kiem?q=khan+gia").get_data(as_text=True)
    assert f'href="/bai-viet/{article.slug}"' in page
    assert "<mark>khán giả</mark>" in page


def test_a_new_file_for_the_same_language_replaces_the_track(editor):
    """One track per language; another language is added beside it."""
    client, article, _ = editor
    video = lifecycle.attach_video(article, io.BytesIO(b"pretend video"), "phong-su.mp4")
    post_captions(client, article, SRT)
    post_captions(client, article, b"WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n", "en.vtt",
                  lang="en", label="English")
    post_captions(client, article, SRT.replace("quý vị".encode(), "các bạn".encode()))
    db.session.expire_all()
    assert [(t["lang"], t["label"]) for t in video.captions] == \
        [("vi", "Tiếng Việt"), ("en", "English")]
    vi_digest = hashlib.sha256(VTT.replace("quý vị", "các bạn").encode()).hexdigest()[:16]
    assert video.captions[0]["key"].endswith(f"/{vi_digest}.vtt")


def test_subtitles_without_a_video_are_refused(editor):
    """No uploaded video yet: a Vietnamese error, nothing stored."""
    client, article, _ = editor
    response = post_captions(client, article, SRT)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bài viết chưa có video; hãy tải video lên trước khi thêm phụ đề." in page
    db.session.expire_all()
    assert article.asset("video") is None


def test_a_broken_or_oversized_subtitle_file_is_refused_with_the_reason(editor):
    """The converter's reason is shown; files over 1 MB are refused unread."""
    client, article, _ = editor
    video = lifecycle.attach_video(article, io.BytesIO(b"pretend video"), "phong-su.mp4")
    response = post_captions(client, article, b"\x89PNG\r\n\x1a\n\x00", "anh.srt")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tệp phụ đề phải là văn bản mã hóa UTF-8." in page
    response = post_captions(client, article, SRT + b"\n" * (1024 * 1024), "dai.srt")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tệp phụ đề vượt quá 1 MB." in page
    response = post_captions(client, article, SRT, lang="không hợp lệ")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mã ngôn ngữ không hợp lệ" in page
    db.session.expire_all()
    assert video.captions == []


def test_subtitle_upload_needs_the_csrf_token(editor):
    """A forged form post is refused."""
    client, article, _ = editor
    lifecycle.attach_video(article, io.BytesIO(b"pretend video"), "phong-su.mp4")
    response = client.post(f"/bien-tap/bai-viet/{article.id}/phu-de", data={
        "file": (io.BytesIO(SRT), "phu-de.srt")}, content_type="multipart/form-data")
    assert response.status_code == 400
