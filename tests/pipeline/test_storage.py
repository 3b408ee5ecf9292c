import uuid

import pytest
import requests

from media_pipeline.storage import ObjectStore


@pytest.fixture(scope="module")
def bucket_store(s3_endpoint):
    from config import TestConfig

    store = ObjectStore(s3_endpoint, f"pipeline-{uuid.uuid4().hex[:8]}", TestConfig.S3_ACCESS_KEY,
                        TestConfig.S3_SECRET_KEY)
    store.ensure_bucket(public_read=True)
    return store


def test_public_media_is_served_with_range_and_type(bucket_store, tmp_path):
    """Readers' browsers fetch media straight from S3, seeking with Range requests."""
    path = tmp_path / "a.mp3"
    path.write_bytes(bytes(range(256)) * 40)
    bucket_store.upload_file(path, "audio/1/abc.mp3", "audio/mpeg")
    response = requests.get(bucket_store.url("audio/1/abc.mp3"), headers={"Range": "bytes=10-19"},
                            timeout=5)
    assert response.status_code == 206
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Content-Range"] == "bytes 10-19/10240"
    assert response.content == bytes(range(10, 20))
    assert "immutable" in response.headers["Cache-Control"]


def test_uploaded_originals_stay_private(bucket_store, tmp_path):
    path = tmp_path / "raw.mov"
    path.write_bytes(b"raw video bytes")
    bucket_store.upload_file(path, "uploads/1/x/raw.mov", "video/quicktime")
    assert requests.get(bucket_store.url("uploads/1/x/raw.mov"), timeout=5).status_code == 403
    signed = bucket_store.url("uploads/1/x/raw.mov", presigned=True, expires=60)
    assert requests.get(signed, timeout=5).content == b"raw video bytes"


def test_wrong_secret_is_refused(s3_endpoint):
    from botocore.exceptions import ClientError

    intruder = ObjectStore(s3_endpoint, "anything", "docnghexem", "wrong-secret")
    with pytest.raises(ClientError):
        intruder.client.list_objects_v2(Bucket="anything")


def test_download_and_delete_round_trip(bucket_store, tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 5000)
    bucket_store.upload_file(src, "video/9/h/video.mp4", "video/mp4")
    assert bucket_store.download_file("video/9/h/video.mp4", tmp_path / "dst").read_bytes() == \
        b"x" * 5000
    bucket_store.delete("video/9/h/video.mp4")
    assert not bucket_store.exists("video/9/h/video.mp4")
