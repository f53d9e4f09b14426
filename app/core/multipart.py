"""multipart/form-data bodies parsed in C (streaming-form-data) instead of by Werkzeug's Python parser.

Each file part is written to a temporary file on the store's disk while the body is read, hashed on a thread of
its own and pushed out to the disk as it comes: a large upload costs the C parser's pass and one write, no memory,
and little waiting once its last byte is in (the store's fsync finds the file mostly written). Views see what
Werkzeug gives: ``request.form`` (a MultiDict of text) and ``request.files`` (FileStorage objects), so forms and
WTForms work unchanged. Werkzeug's limits stay: the body arrives through its stream limited to MAX_CONTENT_LENGTH,
a text field is held to MAX_FORM_MEMORY_SIZE and the parts to MAX_FORM_PARTS (413 past any of them); a body that
is cut off or is not multipart is a 400.
The temporary files have no name on disk and are closed with the request (Werkzeug's ``Request.close``).
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import queue
import threading
from pathlib import Path

from flask import Flask, Request
from streaming_form_data import StreamingFormDataParser
from streaming_form_data.parser import ParseFailedException
from streaming_form_data.targets import BaseTarget
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from app.core import storage

#: Bytes read from the body at a time. gunicorn hands a body over in steps of up to 1 MiB; smaller reads make it
#: copy what it read ahead once more for each (worker CPU for 100 MB: 1.0 s at 64 KiB, 0.57 s at 1 MiB).
READ_SIZE = 1024 * 1024
#: A body refused by the C parser is read again by Werkzeug's if it is at most this long (see _parse_multipart).
SECOND_READING = 1024 * 1024
#: A file part's bytes handed to the disk are pushed out to it every this many bytes, while the rest arrives, so the
#: store's fsync at the end finds little left to write (100 MB: 60 ms of fsync after the upload, 5 ms with this).
WRITEBACK_EVERY = 8 * 1024 * 1024
#: A chunk of a file part this large or more starts the part's hashing thread (a small file is hashed in the
#: request's thread: starting a thread would cost more than hashing it).
THREADED_HASHING = 256 * 1024
#: Chunks waiting for the hashing thread, at most: what a slow hash may hold in memory (READ_SIZE each).
HASH_QUEUE = 8


def _sync_file_range():
    """Linux's sync_file_range (start writing a range of a file to disk, without waiting), or None elsewhere."""
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    return function


_SYNC_FILE_RANGE = _sync_file_range()
_SYNC_FILE_RANGE_WRITE = 2  # <linux/fs.h>: start writeback of the dirty pages of the range, do not wait


class MalformedBody(BadRequest):
    """The body is not the multipart/form-data its header announces, or it was cut off."""

    vi_message = ("Dữ liệu gửi lên bị ngắt giữa chừng hoặc không đúng định dạng biểu mẫu, nên không được nhận. "
                  "Vui lòng gửi lại.")


class TooManyParts(RequestEntityTooLarge):
    """More fields and files than MAX_FORM_PARTS."""

    vi_message = "Biểu mẫu gửi lên có quá nhiều trường hoặc tệp."


class FieldTooLarge(RequestEntityTooLarge):
    """A text field larger than MAX_FORM_MEMORY_SIZE."""

    vi_message = "Một ô chữ của biểu mẫu quá dài."


class _Digest:
    """SHA-256 of a file part as it arrives. Past its first large chunk the hashing runs on a thread of its own
    (hashlib lets go of the GIL on large buffers), so it overlaps receiving, parsing and writing the next chunks
    instead of following them: for 100 MB that takes the hash (~90 ms) off the time the client waits."""

    def __init__(self):
        self._sha = hashlib.sha256()
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None

    def update(self, chunk: bytes) -> None:
        if self._thread is None and len(chunk) < THREADED_HASHING:
            self._sha.update(chunk)
            return
        if self._thread is None:
            self._queue = queue.Queue(HASH_QUEUE)
            self._thread = threading.Thread(target=self._run, name="upload-sha256", daemon=True)
            self._thread.start()
        self._queue.put(chunk)  # waits while HASH_QUEUE chunks are queued: memory stays flat

    def hexdigest(self) -> str:
        """The digest of every chunk given (waiting for the thread to hash what is queued)."""
        self.close()
        return self._sha.hexdigest()

    def close(self) -> None:
        """Let the thread finish what is queued and end; the request never leaves it running."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            self._sha.update(chunk)


def _start_writeback(descriptor: int, offset: int, length: int) -> None:
    """Have the kernel start writing a range of a file to disk now, without waiting (nothing where unsupported)."""
    if _SYNC_FILE_RANGE is not None:
        _SYNC_FILE_RANGE(descriptor, offset, length, _SYNC_FILE_RANGE_WRITE)


class _Parts(BaseTarget):
    """Every part of one body: text fields kept in memory, each file written to its own temporary file."""

    def __init__(self, stream_factory, total_length: int | None, max_field_bytes: int | None,
                 max_parts: int | None):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.files: list[tuple[str, FileStorage]] = []
        self._stream_factory, self._total_length = stream_factory, total_length
        self._max_field_bytes, self._max_parts = max_field_bytes, max_parts
        self._next_name = ""
        self._count = 0
        self._name, self._text, self._text_size, self._file = "", [], 0, None
        self._digest, self._file_size, self._pushed = None, 0, 0
        self.receiving = False

    def matches(self, _registered: str, name: str) -> bool:
        """Take every part; the parser asks this with each part's name just before the part starts."""
        self._next_name = name
        return True

    def on_start(self) -> None:
        self._count += 1
        if self._max_parts is not None and self._count > self._max_parts:
            raise TooManyParts()
        self.multipart_content_type = None  # set after the start, by the part's own header if it has one
        self._name, self._text, self._text_size, self._file = self._next_name, [], 0, None
        if self.multipart_filename is not None:  # a file part, even one sent with no file chosen (filename="")
            # Written on the store's own disk and hashed as it comes: the store keeps it without copying it again.
            self._file, self._digest, self._file_size, self._pushed = storage.incoming_file(), _Digest(), 0, 0
        self.receiving = True

    def on_data_received(self, chunk: bytes) -> None:
        if self._file is not None:
            self._digest.update(chunk)
            self._file.write(chunk)
            self._file_size += len(chunk)
            if self._file_size - self._pushed >= WRITEBACK_EVERY:
                self._file.flush()
                _start_writeback(self._file.fileno(), self._pushed, self._file_size - self._pushed)
                self._pushed = self._file_size
            return
        self._text_size += len(chunk)
        if self._max_field_bytes is not None and self._text_size > self._max_field_bytes:
            raise FieldTooLarge()
        self._text.append(chunk)

    def on_finish(self) -> None:
        self.receiving = False
        if self._file is None:
            # Browsers send form text as UTF-8 (the page's charset); a byte that is not becomes U+FFFD, as in Werkzeug.
            self.fields.append((self._name, b"".join(self._text).decode("utf-8", "replace")))
            return
        self._file.flush()
        self._file.seek(0)
        self._file.staged = storage.Staged(Path(self._file.name), self._digest.hexdigest(), self._file_size)
        self.files.append((self._name, FileStorage(self._file, self.multipart_filename, self._name,
                                                   content_type=self.multipart_content_type)))
        self._file = None

    def close(self) -> None:
        """Close every temporary file (the request failed before Werkzeug was handed them)."""
        for _name, upload in self.files:
            upload.close()
        if self._file is not None:
            self._digest.close()
            self._file.close()


class _Body:
    """The request body as it is read, and its bytes while they are few enough to read again."""

    def __init__(self, stream):
        self._stream, self._kept, self._size = stream, [], 0

    def read(self) -> bytes:
        try:
            chunk = self._stream.read(READ_SIZE)
        except ClientDisconnected:  # fewer bytes came than Content-Length said: the body was cut off
            raise MalformedBody() from None
        self._size += len(chunk)
        if self._size <= SECOND_READING:
            self._kept.append(chunk)
        else:
            self._kept.clear()
        return chunk

    def whole(self) -> bytes | None:
        """All of the body (reading what is left of it) if it is at most SECOND_READING bytes, else None."""
        while self._size <= SECOND_READING and self.read():
            pass
        return b"".join(self._kept) if self._size <= SECOND_READING else None


class StreamingFormParser(FormDataParser):
    """Werkzeug's form parser with multipart bodies given to the C parser; url-encoded forms stay Werkzeug's."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        boundary = options.get("boundary", "")
        try:
            parser = StreamingFormDataParser({"Content-Type": f'multipart/form-data; boundary="{boundary}"'})
        except ParseFailedException:  # no boundary
            raise MalformedBody() from None
        parts = _Parts(self.stream_factory, content_length, self.max_form_memory_size, self.max_form_parts)
        parser.register("*", parts, parts.matches)
        body = _Body(stream)
        try:
            refused = _feed(parser, parts, body, b"\r\n--" + boundary.encode() + b"--")
        except BaseException:
            parts.close()
            raise
        if refused is None:
            return stream, self.cls(parts.fields), self.cls(parts.files)
        parts.close()
        # A small body gets a second reading by Werkzeug's parser, which also takes an empty part written with no
        # line break before the next boundary, as Werkzeug's own test client writes it. If it refuses the body
        # too, the first reason stands.
        whole = body.whole()
        if whole is None:
            raise refused
        try:
            return super()._parse_multipart(io.BytesIO(whole), mimetype, len(whole), options)
        except (ValueError, RequestEntityTooLarge):
            raise refused from None


def _feed(parser: StreamingFormDataParser, parts: _Parts, body: _Body, ending: bytes) -> HTTPException | None:
    """Give the body to the parser as it arrives; None if the parser took it whole, else why it did not."""
    ended, tail = False, b""
    while chunk := body.read():
        try:
            parser.data_received(chunk)
        except OSError:  # the disk is full: a fault of the server, not of the body
            raise
        except HTTPException as exc:  # a limit passed (413)
            return exc
        except Exception:  # bad framing or part headers, whatever the parser or the email package raised
            return MalformedBody()
        # The closing boundary ends the last part, so it is looked for only where no part is left open: never
        # in the middle of a large file (searching every chunk would cost as much as parsing it).
        if not parts.receiving:
            ended = ended or ending in tail + chunk  # it may straddle two reads
        tail = (tail + chunk[-len(ending):])[-len(ending):]
    return None if ended else MalformedBody()


class UploadRequest(Request):
    """Flask's request, with multipart bodies parsed by StreamingFormParser."""

    form_data_parser_class = StreamingFormParser


def init_app(app: Flask) -> None:
    """Make every request of the app parse multipart bodies with the C parser."""
    app.request_class = UploadRequest
