"""`flask storage migrate --to s3://…` (issue 17): the local store copied into a real S3 server (SeaweedFS), every
file read back and checked; an interrupted run taken up again; a damaged file refused; local files never deleted."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from sqlalchemy import select

from app.core import storage
from app.directives.models import Directive
from app.evidence.models import Evidence
from app.extensions import db
from tests.backup.conftest import cli, stored_files


@pytest.fixture
def local_filled(app, monkeypatch, request):
    """The `filled` service, its files in the local directory whatever TEST_STORAGE says (migrate's source)."""
    monkeypatch.setitem(app.config, "STORAGE_URL", None)
    return request.getfixturevalue("filled")


@pytest.fixture
def bucket(app, seaweedfs, monkeypatch):
    """An empty bucket of its own on the session's SeaweedFS (tests/seaweed.py), the app's S3 settings on it."""
    seaweed = seaweedfs
    for key, value in (("S3_ENDPOINT_URL", seaweed.endpoint), ("AWS_ACCESS_KEY_ID", seaweed.access_key),
                       ("AWS_SECRET_ACCESS_KEY", seaweed.secret_key), ("AWS_REGION", "us-east-1")):
        monkeypatch.setitem(app.config, key, value)
    name = f"mig-{uuid.uuid4().hex[:12]}"
    client = seaweed.client()
    client.create_bucket(Bucket=name)
    return client, name


def summary_of(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def objects(client, bucket: str) -> dict[str, bytes]:
    """The bucket's objects by key, read straight from the server."""
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


class CutAfter:
    """A store whose connection breaks after `left` files were put."""

    def __init__(self, store, left: int):
        self.store, self.left = store, left

    def __getattr__(self, name):
        return getattr(self.store, name)

    def put(self, name, source_path) -> None:
        if self.left == 0:
            raise ConnectionResetError("connection reset by peer")
        self.left -= 1
        self.store.put(name, source_path)


def test_an_interrupted_migration_is_run_again_and_every_file_arrives_checked(app, local_filled, bucket, monkeypatch):
    client, name = bucket
    url = f"s3://{name}/evidence"
    local = stored_files(app)
    assert len(local) == 4  # three evidence files and the directive's source

    real_store_for = storage.store_for
    monkeypatch.setattr(storage, "store_for", lambda u: CutAfter(real_store_for(u), 2))
    cut = cli(app, "storage", "migrate", "--to", url)
    assert cut.exit_code == 1 and "Bị gián đoạn" in cut.stderr and "chạy lại" in cut.stderr
    assert len(objects(client, name)) == 2

    monkeypatch.setattr(storage, "store_for", real_store_for)
    again = cli(app, "storage", "migrate", "--to", url)
    assert again.exit_code == 0, again.output
    summary = summary_of(again)
    assert (summary["files"], summary["skipped"], summary["copied"], summary["mismatches"]) == (4, 2, 2, 0)
    assert "không xoá" in again.stderr and f"STORAGE_URL={url}" in again.stderr
    assert objects(client, name) == {f"evidence/{n}": data for n, data in local.items()}
    assert stored_files(app) == local  # nothing deleted on this machine

    monkeypatch.setitem(app.config, "STORAGE_URL", url)  # the operator switches: every row reads back its file
    for stored_name, sha256, size in db.session.execute(select(Evidence.stored_name, Evidence.sha256, Evidence.size)):
        with storage.open_stored(stored_name, sha256) as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == sha256 and len(data) == size
    source = db.session.scalar(select(Directive.source_stored_name).where(Directive.source_stored_name.is_not(None)))
    assert stored_files(app)[source] == local[source]


def test_a_file_damaged_on_disk_fails_the_migration_and_is_not_copied(app, local_filled, bucket):
    client, name = bucket
    damaged = db.session.scalar(select(Evidence.stored_name).where(Evidence.filename == "Biên bản họp.pdf"))
    path = storage.local_path(damaged)
    path.write_bytes(path.read_bytes().replace(b"1.4", b"1.5"))
    result = cli(app, "storage", "migrate", "--to", f"s3://{name}/evidence")
    assert result.exit_code == 1
    assert f"Sai mã kiểm tra: tệp {damaged}" in result.stderr and "THẤT BẠI: 1 tệp không khớp SHA-256" in result.stderr
    summary = summary_of(result)
    assert (summary["copied"], summary["mismatches"]) == (3, 1)
    assert f"evidence/{damaged}" not in objects(client, name)


def test_an_object_already_there_with_other_bytes_is_replaced(app, local_filled, bucket):
    client, name = bucket
    stored_name, sha256, size = db.session.execute(select(Evidence.stored_name, Evidence.sha256, Evidence.size)
                                                   .limit(1)).one()
    # same size, the right SHA-256 in its metadata, different bytes: a size and a label are not trusted
    client.put_object(Bucket=name, Key=f"evidence/{stored_name}", Body=b"x" * size, Metadata={"sha256": sha256})
    summary = summary_of(cli(app, "storage", "migrate", "--to", f"s3://{name}/evidence"))
    assert (summary["copied"], summary["skipped"], summary["mismatches"]) == (4, 0, 0)
    assert hashlib.sha256(objects(client, name)[f"evidence/{stored_name}"]).hexdigest() == sha256


def test_only_a_local_store_is_migrated_and_only_to_s3(app, local_filled, bucket, monkeypatch):
    wrong = cli(app, "storage", "migrate", "--to", "/srv/other")
    assert wrong.exit_code == 1 and "s3://bucket/tiền-tố" in wrong.stderr
    monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{bucket[1]}/evidence")
    already = cli(app, "storage", "migrate", "--to", f"s3://{bucket[1]}/other")
    assert already.exit_code == 1 and "không phải thư mục trên máy này" in already.stderr
