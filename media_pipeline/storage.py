"""S3-compatible object storage: the one client the workers and the app share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Keys under these prefixes are content-addressed and never rewritten: cache them forever.
PUBLIC_PREFIXES = ("audio/", "video/", "images/", "documents/")
IMMUTABLE = "public, max-age=31536000, immutable"


class ObjectStore:
    def __init__(self, endpoint_url: str, bucket: str, access_key: str, secret_key: str,
                 region: str = "us-east-1", public_url: str = "") -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url.rstrip("/")
        self.public_url = (public_url or f"{self.endpoint_url}/{bucket}").rstrip("/")
        self.client: Any = boto3.client(
            "s3", endpoint_url=endpoint_url, aws_access_key_id=access_key,
            aws_secret_access_key=secret_key, region_name=region,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          retries={"max_attempts": 3, "mode": "standard"}),
        )

    def ensure_bucket(self, public_read: bool = True,
                      cors_origins: list[str] | tuple[str, ...] = ("*",)) -> None:
        """Create the bucket if missing; with `public_read`, let anyone GET the media prefixes.

        CORS lets the site's pages fetch timings and captions from the store with fetch().
        """
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)
        if public_read:
            arn = f"arn:aws:s3:::{self.bucket}"
            policy = {"Version": "2012-10-17", "Statement": [{
                "Sid": "PublicReadMedia", "Effect": "Allow", "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"{arn}/{prefix}*" for prefix in PUBLIC_PREFIXES],
            }]}
            self.client.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps(policy))
        if cors_origins:
            self.client.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [{
                # PUT: browsers upload video parts straight to presigned URLs.
                "AllowedOrigins": list(cors_origins), "AllowedMethods": ["GET", "HEAD", "PUT"],
                "AllowedHeaders": ["*"], "MaxAgeSeconds": 86400,
                "ExposeHeaders": ["Content-Length", "Content-Range", "ETag"],
            }]})

    def size(self, key: str) -> int:
        return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])

    def upload_file(self, path: Path, key: str, content_type: str,
                    cache_control: str = IMMUTABLE) -> str:
        self.client.upload_file(str(path), self.bucket, key, ExtraArgs={
            "ContentType": content_type, "CacheControl": cache_control})
        return key

    def upload_fileobj(self, fileobj: IO[bytes], key: str, content_type: str,
                       cache_control: str = IMMUTABLE) -> str:
        """Stream `fileobj` up in multipart chunks; it is never read whole into memory."""
        self.client.upload_fileobj(fileobj, self.bucket, key, ExtraArgs={
            "ContentType": content_type, "CacheControl": cache_control})
        return key

    def download_file(self, key: str, path: Path) -> Path:
        self.client.download_file(self.bucket, key, str(path))
        return path

    def read(self, key: str) -> bytes:
        """A small object's bytes (a playlist, a manifest)."""
        return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    def copy(self, source: str, key: str) -> str:
        """A server-side copy of `source` at `key`, with its content type and cache headers."""
        self.client.copy_object(Bucket=self.bucket, Key=key, MetadataDirective="COPY",
                                CopySource={"Bucket": self.bucket, "Key": source})
        return key

    def delete(self, *keys: str) -> None:
        for start in range(0, len(keys), 1000):  # S3 takes at most 1000 keys a request
            self.client.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})

    def list_keys(self, prefix: str) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        return [obj["Key"] for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix)
                for obj in page.get("Contents", [])]

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix` (one render's folder); returns how many."""
        keys = self.list_keys(prefix)
        self.delete(*keys)
        return len(keys)

    def url(self, key: str, presigned: bool = False, expires: int = 3600) -> str:
        """Where a reader's browser fetches `key`: the public URL, or a presigned GET."""
        if presigned:
            return str(self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires))
        return f"{self.public_url}/{key}"

    # --- multipart uploads straight from the browser ---------------------------------------
    # The web server only signs: the bytes go from the editor's browser to the store.

    def create_multipart_upload(self, key: str, content_type: str,
                                cache_control: str = "private, no-store") -> str:
        """Start a multipart upload at `key`; returns its upload id."""
        response = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type, CacheControl=cache_control)
        return str(response["UploadId"])

    def presign_upload_part(self, key: str, upload_id: str, part_number: int,
                            expires: int = 3600) -> str:
        """A URL the browser PUTs one part's bytes to; its response carries the part's ETag."""
        return str(self.client.generate_presigned_url("upload_part", Params={
            "Bucket": self.bucket, "Key": key, "UploadId": upload_id,
            "PartNumber": part_number}, ExpiresIn=expires))

    def list_parts(self, key: str, upload_id: str,
                   page_size: int | None = None) -> list[dict[str, Any]]:
        """The parts stored so far, every page of them: [{PartNumber, Size, ETag}]."""
        parts: list[dict[str, Any]] = []
        paginator = self.client.get_paginator("list_parts")
        for page in paginator.paginate(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                       PaginationConfig={"PageSize": page_size}):
            parts.extend({"PartNumber": int(p["PartNumber"]), "Size": int(p["Size"]),
                          "ETag": str(p["ETag"])} for p in page.get("Parts", []))
        return parts

    def complete_multipart_upload(self, key: str, upload_id: str,
                                  parts: list[dict[str, Any]]) -> None:
        """Join the parts (in PartNumber order) into the object at `key`."""
        numbered = sorted((int(p["PartNumber"]), str(p["ETag"])) for p in parts)
        ordered = [{"PartNumber": number, "ETag": etag} for number, etag in numbered]
        self.client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                              MultipartUpload={"Parts": ordered})

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        """Drop an unfinished upload and the parts it stored."""
        self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def list_multipart_uploads(self, prefix: str = "",
                               page_size: int | None = None) -> list[dict[str, Any]]:
        """Unfinished uploads under `prefix`, every page: [{Key, UploadId, Initiated}]."""
        uploads: list[dict[str, Any]] = []
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix,
                                       PaginationConfig={"PageSize": page_size}):
            uploads.extend({"Key": str(u["Key"]), "UploadId": str(u["UploadId"]),
                            "Initiated": u.get("Initiated")} for u in page.get("Uploads", []))
        return uploads
