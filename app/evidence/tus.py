"""The tus 1.0.0 protocol (core and creation) over HTTP, for the API and the task page alike: headers in, answers
out. What an upload is and does lives in `resumable`; the views pass in how a whole file becomes evidence."""

from __future__ import annotations

import base64
import binascii
import re
from functools import wraps

from flask import current_app, make_response, request, url_for
from werkzeug.exceptions import ClientDisconnected, HTTPException

from app.core.errors import DomainError
from app.evidence import resumable
from app.extensions import db

TUS_VERSION = "1.0.0"
PIECE_TYPE = "application/offset+octet-stream"
#: The largest number a length or offset header may carry (a 64-bit column holds it).
LARGEST = 2**63 - 1
READ_CHUNK = 64 * 1024


def max_bytes() -> int:
    """The largest file taken, in bytes (MAX_UPLOAD_MB)."""
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def speaks_tus(view):
    """Make a view answer as tus asks: Tus-Resumable on every answer, refusals included (Vietnamese, as JSON for
    the API and for scripts, as a page for a browser that asks for one)."""

    @wraps(view)
    def answer(*args, **kwargs):
        try:
            response = make_response(view(*args, **kwargs))
        except (DomainError, HTTPException) as exc:
            response = make_response(current_app.handle_user_exception(exc))
        response.headers["Tus-Resumable"] = TUS_VERSION
        if response.status_code == 412:
            response.headers["Tus-Version"] = TUS_VERSION
        return response

    return answer


def capabilities():
    """OPTIONS: the protocol's version, its extension and the largest file taken."""
    return "", 204, {"Tus-Version": TUS_VERSION, "Tus-Extension": "creation", "Tus-Max-Size": str(max_bytes())}


def begin(task, user, endpoint: str):
    """POST: begin an upload on the task; 201 with its address (`endpoint` with the task's and upload's ids)."""
    _check_version()
    if "Upload-Defer-Length" in request.headers:
        raise DomainError("Máy chủ cần biết trước dung lượng tệp (Upload-Length); không nhận Upload-Defer-Length.",
                          400)
    length = _whole_number("Upload-Length")
    filename = _metadata(request.headers.get("Upload-Metadata", "")).get("filename", "")
    if not filename.strip():
        raise DomainError('Thiếu tên tệp: tiêu đề "Upload-Metadata" phải có "filename" (tên tệp mã hoá base64).',
                          400)
    upload = resumable.create(task, user, filename, length, max_bytes())
    db.session.commit()
    return "", 201, {"Location": url_for(endpoint, task_id=task.id, upload_id=upload.id)}


def resume(task, user, upload_id: str, add_evidence):
    """HEAD: the bytes the server holds; PATCH: the next piece. When the last byte arrives,
    `add_evidence(task, user, stream, filename, max_bytes)` makes the file the task's evidence, or refuses it."""
    _check_version()
    upload = resumable.find(task, user, upload_id)
    if request.method == "HEAD":
        return "", 200, {"Upload-Offset": str(upload.upload_offset), "Upload-Length": str(upload.upload_length),
                         "Cache-Control": "no-store"}
    if request.mimetype != PIECE_TYPE:
        raise DomainError(f"Phần gửi tiếp phải có Content-Type: {PIECE_TYPE}.", 415)
    offset = _whole_number("Upload-Offset")
    limit = max_bytes()
    held = resumable.receive(upload, offset, _body(), declared=request.content_length,
                             finish=lambda stream, name: add_evidence(task, user, stream, name, limit))
    return "", 204, {"Upload-Offset": str(held)}


def _check_version() -> None:
    """412 for a client of another tus version; 400 for a request that does not speak tus at all."""
    version = request.headers.get("Tus-Resumable", "")
    if version == TUS_VERSION:
        return
    if re.fullmatch(r"\d{1,4}\.\d{1,4}\.\d{1,4}", version):
        raise DomainError(f"Máy chủ dùng giao thức tus {TUS_VERSION}, không dùng bản {version}.", 412)
    raise DomainError(f'Thiếu tiêu đề "Tus-Resumable: {TUS_VERSION}" (giao thức tải lên tiếp được).', 400)


def _whole_number(header: str) -> int:
    value = request.headers.get(header, "").strip()
    if not re.fullmatch(r"\d{1,19}", value) or int(value) > LARGEST:
        raise DomainError(f'Tiêu đề "{header}" phải là một số nguyên không âm (số byte).', 400)
    return int(value)


def _metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: pairs "key base64-value" separated by commas (a key alone has an empty value)."""
    values = {}
    for pair in header.split(","):
        key, _, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8", "replace")
        except binascii.Error:
            raise DomainError('Tiêu đề "Upload-Metadata" sai: mỗi giá trị phải được mã hoá base64.', 400) from None
    return values


def _body():
    """The PATCH body as it arrives. A client gone mid-piece ends it, and what arrived is kept to resume from."""
    stream = request.stream
    while True:
        try:
            chunk = stream.read(READ_CHUNK)
        except (ClientDisconnected, OSError):  # the line dropped (werkzeug, or gunicorn's NoMoreData)
            return
        if not chunk:
            return
        yield chunk
