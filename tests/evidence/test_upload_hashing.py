"""A file part is hashed on a thread of its own once large chunks come (app/core/multipart.py): the digest is that
of every byte however the body is cut, and no hashing thread or temporary file outlives its request, finished or
refused half-way."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from app.core import storage
from tests.evidence.test_multipart import BOUNDARY, MIB, multipart, pdf_of


class Pieces(io.BytesIO):
    """A body handed over in pieces of the given sizes, in turn, as a connection of changing speed does."""

    def __init__(self, data: bytes, sizes: list[int]):
        super().__init__(data)
        self._sizes = sizes

    def readinto(self, buffer):
        size = self._sizes[0]
        self._sizes = self._sizes[1:] + self._sizes[:1]
        return super().readinto(memoryview(buffer)[:size])


def hashing_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "upload-sha256"]


def test_a_part_cut_in_small_and_large_pieces_has_the_digest_of_its_bytes(app):
    incoming = storage.incoming_folder()
    big, small = pdf_of(5 * MIB + 3, seed=b"big"), pdf_of(70_000, seed=b"small")
    body = multipart(("file", big, "lon.pdf"), ("file", small, "nho.pdf"))
    # Small pieces first (hashed where they arrive), then large ones (hashed by the thread), then small again.
    stream = Pieces(body, [1000, 50_000, 3000, MIB, MIB // 2 + 7, 4096])
    with app.test_request_context("/", method="POST", input_stream=stream, content_length=len(body),
                                  content_type=f"multipart/form-data; boundary={BOUNDARY}"):
        first, second = request.files.getlist("file")
        assert first.stream.staged.sha256 == hashlib.sha256(big).hexdigest()
        assert second.stream.staged.sha256 == hashlib.sha256(small).hexdigest()
        assert hashlib.sha256(first.read()).hexdigest() == hashlib.sha256(big).hexdigest()
        assert hashing_threads() == []
    assert os.listdir(incoming) == []


def test_a_body_refused_in_the_middle_of_a_file_leaves_no_thread_and_no_file(app, monkeypatch):
    """A body with no length stopped at MAX_CONTENT_LENGTH while its file is being hashed."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 3 * MIB)
    incoming = storage.incoming_folder()
    body = multipart(("file", pdf_of(6 * MIB), "a.pdf"))
    with app.test_request_context("/", method="POST", input_stream=io.BytesIO(body),
                                  environ_overrides={"wsgi.input_terminated": True,
                                                     "HTTP_TRANSFER_ENCODING": "chunked"},
                                  content_type=f"multipart/form-data; boundary={BOUNDARY}"):
        with pytest.raises(RequestEntityTooLarge):
            request.files.getlist("file")
        assert hashing_threads() == []
    assert os.listdir(incoming) == []
