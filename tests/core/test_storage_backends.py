"""The file store's interface on both backends: a local directory, and a real S3-compatible server (SeaweedFS).

Each test runs once per backend: the app is pointed at a fresh directory or a fresh bucket for the test.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from pathlib import Path

import pytest

from app.core import storage
from app.extensions import db
from tests.evidence.conftest import work  # noqa: F401  (the fixture)
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\n"
MIB = 1024 * 1024


class Refused(Exception):
    """A content check saying no."""


@pytest.fixture(params=["local", "s3"])
def backend(request, app, monkeypatch, tmp_path):
    """The app's store for this test: a new directory, or a new bucket on SeaweedFS."""
    if request.param == "local":
        monkeypatch.setitem(app.config, "STORAGE_URL", (tmp_path / "store").as_uri())
        yield request.param
        return
    server = request.getfixturevalue("seaweedfs")
    for key, value in {"STORAGE_URL": f"s3://t-{uuid.uuid4().hex[:12]}/files", "S3_ENDPOINT_URL": server.endpoint,
                       "AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key,
                       "UPLOAD_TMP_DIR": str(tmp_path / "upload-tmp")}.items():
        monkeypatch.setitem(app.config, key, value)
    yield request.param
    objects = storage.current_store().objects
    for name, _, _ in list(objects.listing()):
        objects.remove([name])
    for upload in objects.client.list_multipart_uploads(Bucket=objects.bucket).get("Uploads", []):
        objects.client.abort_multipart_upload(Bucket=objects.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    objects.client.delete_bucket(Bucket=objects.bucket)


def read(name: str) -> bytes:
    with storage.open_stored(name) as handle:
        return handle.read()


def leftovers() -> list[str]:
    """Files a store left on local disk: its hidden temp files, or anything in an object store's staging folder."""
    store = storage.current_store()
    folder = store.root() if store.is_local else store.temp_dir
    return [name for _, _, names in os.walk(folder) for name in names if name.startswith(".")]


def unfinished_uploads() -> list:
    """The multipart uploads begun and neither completed nor aborted (none on a local store)."""
    store = storage.current_store()
    if store.is_local:
        return []
    return store.objects.client.list_multipart_uploads(Bucket=store.objects.bucket).get("Uploads", [])


def test_a_saved_file_reads_back_and_is_listed_sized_and_deleted(backend):
    name, size = storage.save(PDF, suffix=".pdf")
    chunked, chunked_size = storage.save(chunks=[b"ab", b"", b"cd"])
    db.session.commit()
    assert (size, chunked_size) == (len(PDF), 4) and name.endswith(".pdf")
    assert read(name) == PDF and read(chunked) == b"abcd"
    assert storage.size_of(name) == len(PDF) and storage.exists(name)
    assert sorted(storage.stored_names()) == sorted([name, chunked])
    assert (storage.local_path(name) is not None) == (backend == "local")
    assert storage.current_store().url == storage.store_for(storage.current_store().url).url
    storage.delete(name)
    storage.delete(name)  # a second time is no error
    assert not storage.exists(name) and list(storage.stored_names()) == [chunked]
    with pytest.raises(FileNotFoundError):
        storage.size_of(name)
    with pytest.raises(FileNotFoundError):
        storage.open_stored(name)


def test_names_not_ours_are_refused(backend):
    for bad in ("../x", ".hidden", "a/b", ""):
        with pytest.raises(FileNotFoundError):
            storage.open_stored(bad)
        with pytest.raises(FileNotFoundError):
            storage.put(bad, Path(__file__))
        assert not storage.exists(bad)


def test_an_adopted_staged_file_is_kept_whole(backend):
    data = os.urandom(3 * MIB + 5)
    with storage.incoming_file() as incoming:
        incoming.write(data)
        incoming.flush()
        staged = storage.Staged(Path(incoming.name), hashlib.sha256(data).hexdigest(), len(data))
        name, size = storage.adopt(staged)
        db.session.commit()
    assert size == len(data) and read(name) == data
    assert leftovers() == []  # the incoming file went with its request


def test_a_rollback_deletes_what_the_transaction_wrote_and_keeps_what_it_meant_to_delete(backend):
    kept, _ = storage.save(b"kept")
    db.session.commit()
    written, _ = storage.save(b"new")
    storage.delete_after_commit(kept)
    db.session.rollback()
    assert list(storage.stored_names()) == [kept]

    storage.delete_after_commit(kept)
    db.session.commit()
    assert list(storage.stored_names()) == []


def test_a_session_closed_without_commit_deletes_its_files(backend):
    storage.save(b"abandoned")
    db.session.remove()
    assert list(storage.stored_names()) == []


def test_put_stores_a_file_under_its_exact_name(backend, tmp_path):
    source = tmp_path / "restored"
    source.write_bytes(os.urandom(9 * MIB))  # past one multipart part on an object store
    name = "0123456789abcdef0123456789abcdef"
    storage.put(name, source)
    assert read(name) == source.read_bytes() and list(storage.stored_names()) == [name]
    storage.put(name, source)  # a second time (a restore run again) replaces it
    assert storage.size_of(name) == 9 * MIB


def test_a_refused_file_leaves_nothing(backend):
    def refuse(path):
        assert Path(path).read_bytes() == PDF  # the check sees the complete file
        raise Refused

    with pytest.raises(Refused):
        storage.save(PDF, verify=refuse)
    with storage.incoming_file() as incoming:
        incoming.write(PDF)
        incoming.flush()
        with pytest.raises(Refused):
            storage.adopt(storage.Staged(Path(incoming.name), hashlib.sha256(PDF).hexdigest(), len(PDF)), refuse)
    db.session.commit()
    assert list(storage.stored_names()) == [] and leftovers() == [] and unfinished_uploads() == []


def test_an_upload_cut_half_way_leaves_no_object(backend):
    def cut_at_3_mib():
        for _ in range(3):
            yield b"y" * MIB
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        storage.save(chunks=cut_at_3_mib())
    assert list(storage.stored_names()) == [] and leftovers() == []
    if backend == "s3":  # the store itself fails during the multipart upload: its parts are aborted
        client = storage.current_store().objects.client
        parts = []

        def fail_the_second_part(params, **_):
            parts.append(params["PartNumber"])
            if params["PartNumber"] == 2:
                raise ConnectionResetError("the object store went away")

        client.meta.events.register("before-parameter-build.s3.UploadPart", fail_the_second_part)
        try:
            with pytest.raises(ConnectionResetError):
                storage.save(chunks=[b"z" * MIB] * 20)
        finally:
            client.meta.events.unregister("before-parameter-build.s3.UploadPart", fail_the_second_part)
        assert 2 in parts
        assert list(storage.stored_names()) == [] and unfinished_uploads() == [] and leftovers() == []


def test_a_damaged_file_is_never_read_to_its_end(backend):
    data = os.urandom(2 * MIB + 7)
    name, _ = storage.save(data)
    db.session.commit()
    good = hashlib.sha256(data).hexdigest()
    with storage.open_stored(name, good) as handle:
        assert handle.read() == data
    damaged = bytearray(data)
    damaged[MIB] ^= 1
    if backend == "local":
        storage.local_path(name).write_bytes(bytes(damaged))
    else:  # the bytes change behind the store's back, the recorded digest stays
        objects = storage.current_store().objects
        objects.client.put_object(Bucket=objects.bucket, Key=objects.key(name), Body=bytes(damaged),
                                  Metadata={"sha256": good}, ContentType="application/octet-stream")
    with storage.open_stored(name, good) as handle:
        given = b""
        with pytest.raises(storage.Damaged):
            while block := handle.read(64 * 1024):
                given += block
        assert len(given) < len(data)  # the end was withheld
    if backend == "s3":  # the recorded digest is checked even when the caller knows none
        with pytest.raises(storage.Damaged), storage.open_stored(name) as handle:
            handle.read()


def test_evidence_downloads_with_its_headers_and_a_damaged_one_is_cut_short(backend, app, work):  # noqa: F811
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "mc.xa-a", "password": PASSWORD}).json["token"]
    staff = {"Authorization": f"Bearer {token}"}
    task_id = work.tasks[("action", "xa-a")]
    data = b"%PDF-1.4\n" + os.urandom(MIB) + b"\n%%EOF\n"
    evidence = client.post(f"/api/v1/tasks/{task_id}/evidence", headers=staff, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "Biên bản.pdf")}).json
    response = client.get(f"/api/v1/evidence/{evidence['id']}", headers=staff)
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Length"] == str(len(data)) and response.headers["ETag"]
    assert response.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n.pdf" in response.headers["Content-Disposition"]
    again = client.get(f"/api/v1/evidence/{evidence['id']}", headers={**staff,
                                                                      "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    [name] = storage.stored_names()
    damaged = bytearray(data)
    damaged[len(data) // 2] ^= 1
    if backend == "local":
        storage.local_path(name).write_bytes(bytes(damaged))
        assert client.get(f"/api/v1/evidence/{evidence['id']}", headers=staff).status_code == 500
    else:
        objects = storage.current_store().objects
        objects.client.put_object(Bucket=objects.bucket, Key=objects.key(name), Body=bytes(damaged),
                                  Metadata={"sha256": evidence["sha256"]}, ContentType="application/pdf")
        cut = client.get(f"/api/v1/evidence/{evidence['id']}", headers=staff, buffered=False)
        assert cut.headers["Content-Length"] == str(len(data))
        with pytest.raises(storage.Damaged):  # the server ends the response short: never a complete download
            cut.get_data()
