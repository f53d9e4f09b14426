"""The S3-compatible backend of the file store (`STORAGE_URL=s3://bucket/prefix`), through boto3.

Files travel between the object store and a local temporary file, never whole through memory: an upload streams
from disk in managed multipart parts (PART_SIZE), which s3transfer aborts if any part fails, so a cut upload
leaves no object; a download streams in blocks. Each object carries the SHA-256 of its bytes as metadata
(``x-amz-meta-sha256``) and an explicit Content-Type (SeaweedFS guesses one otherwise); reading an object checks
its bytes against that digest (or the caller's) before giving up the last of them (`storage.Checked`).

The bucket is created on first use if it is missing (a test server, a first deployment); the keys live under the
URL's prefix: ``<prefix>/<stored name>`` for stored files, ``<prefix>/partial/...`` for the pieces of resumable
uploads, which `names` does not list.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import boto3
import botocore.exceptions
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

PART_SIZE = 8 * 1024 * 1024
#: Managed transfers: parts of PART_SIZE from PART_SIZE on; a few parts in flight at once.
TRANSFER = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, max_concurrency=4,
                          use_threads=True)
HASH_BLOCK = 1024 * 1024
DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes


def content_type_of(name: str) -> str:
    """The Content-Type an object is stored with: guessed from the name's suffix, octet-stream without one."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def sha256_of_file(path: Path) -> str:
    """The hex SHA-256 of a local file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _missing(error: botocore.exceptions.ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class ObjectStore:
    """One bucket (and key prefix) of an S3-compatible server; thread-safe, shared by the requests of a process."""

    is_local = False

    def __init__(self, url: str, bucket: str, prefix: str, *, endpoint_url: str | None, access_key: str | None,
                 secret_key: str | None, region: str):
        self.url = url
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region,
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"max_attempts": 3, "mode": "standard"}))
        self._bucket_checked = False
        self._lock = threading.Lock()

    # --- keys --------------------------------------------------------------

    def key(self, relative: str) -> str:
        """The object key of a name relative to the prefix."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet (once per process)."""
        if self._bucket_checked:
            return
        with self._lock:
            if self._bucket_checked:
                return
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except botocore.exceptions.ClientError as error:
                if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                    raise
                try:
                    self.client.create_bucket(Bucket=self.bucket)
                except self.client.exceptions.BucketAlreadyOwnedByYou:
                    pass
            self._bucket_checked = True

    def upload(self, relative: str, path: Path, sha256: str | None = None, content_type: str | None = None) -> None:
        """Stream a local file to the key (multipart past PART_SIZE; a failed part aborts the whole upload)."""
        self.ensure_bucket()
        extra = {"ContentType": content_type or content_type_of(relative),
                 "Metadata": {"sha256": sha256 or sha256_of_file(path)}}
        self.client.upload_file(str(path), self.bucket, self.key(relative), ExtraArgs=extra, Config=TRANSFER)

    def head(self, relative: str) -> dict | None:
        """The object's size, metadata and dates, or None if there is none."""
        self.ensure_bucket()
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.key(relative))
        except botocore.exceptions.ClientError as error:
            if _missing(error):
                return None
            raise

    def get(self, relative: str) -> dict:
        """The GetObject answer (its Body streams); FileNotFoundError if there is no such object."""
        self.ensure_bucket()
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(relative))
        except botocore.exceptions.ClientError as error:
            if _missing(error):
                raise FileNotFoundError(relative) from None
            raise

    def remove(self, relatives: list[str]) -> None:
        """Delete these keys (missing ones are no error)."""
        self.ensure_bucket()
        for start in range(0, len(relatives), DELETE_BATCH):
            batch = [{"Key": self.key(name)} for name in relatives[start:start + DELETE_BATCH]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def listing(self, relative_prefix: str = "", *, top_only: bool = False) -> Iterator[tuple[str, int, datetime]]:
        """(name relative to the store's prefix, size, last modified) of the objects under a prefix; with
        `top_only`, only those not inside a "folder"."""
        self.ensure_bucket()
        base = self.key("")
        arguments = {"Bucket": self.bucket, "Prefix": base + relative_prefix}
        if top_only:
            arguments["Delimiter"] = "/"
        for page in self.client.get_paginator("list_objects_v2").paginate(**arguments):
            for entry in page.get("Contents", []):
                if entry["Key"].endswith("/"):  # a "folder" SeaweedFS lists once its files are gone
                    continue
                yield entry["Key"][len(base):], entry["Size"], entry["LastModified"]
