"""Resumable uploads through the API (tus 1.0.0, core and creation): a file sent in pieces becomes evidence."""

from flask import request
from flask_login import current_user

from app.api.spec import PATHS, _id, _json
from app.api.views import bp
from app.core.permissions import load_or_404, require
from app.evidence import tus
from app.evidence.resumable import UPLOAD_ID
from app.tasks.models import Task
from app.tasks.services import add_evidence

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}
_VERSION = {"name": "Tus-Resumable", "in": "header", "required": True, "schema": {"enum": [tus.TUS_VERSION]}}
_BYTES = {"type": "integer", "minimum": 0, "maximum": tus.LARGEST}

# The OpenAPI document names these routes beside the others (tests/api: every route, every answer).
PATHS["/api/v1/tasks/{task_id}/uploads"] = {
    "post": {
        "summary": "Bắt đầu tải lên tiếp được (tus 1.0.0, creation) một tệp minh chứng; OPTIONS cho biết phiên bản, "
                   "phần mở rộng và dung lượng tối đa",
        "parameters": [
            _id("task_id"), _VERSION,
            {"name": "Upload-Length", "in": "header", "required": True, "schema": _BYTES,
             "description": "dung lượng cả tệp (byte); quá MAX_UPLOAD_MB là 413"},
            {"name": "Upload-Metadata", "in": "header", "required": True, "description": "filename BASE64(tên tệp)",
             "schema": {"type": "string",
                        "pattern": "^filename ([A-Za-z0-9+/]{4})+([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"}},
        ],
        "responses": {
            "201": {"description": "Đã tạo; gửi tiếp bằng PATCH tới Location",
                    "headers": {"Location": {"required": True, "schema": {"type": "string"}}}},
            "403": _json(_ERROR), "404": _json(_ERROR),
            "412": _json(_ERROR, "Phiên bản tus khác 1.0.0"), "413": _json(_ERROR, "Tệp quá lớn"),
            "415": _json(_ERROR, "Loại tệp không được nhận"), "422": _json(_ERROR, "Tệp rỗng"),
        },
    },
}
PATHS["/api/v1/tasks/{task_id}/uploads/{upload_id}"] = {
    "patch": {
        "summary": "Gửi tiếp một phần của tệp từ Upload-Offset (HEAD: số byte máy chủ đã nhận); byte cuối cùng đến "
                   "thì tệp được kiểm tra như mọi tệp tải lên và thành minh chứng của nhiệm vụ",
        "parameters": [
            _id("task_id"),
            {"name": "upload_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": f"^{UPLOAD_ID.pattern}$"}},
            _VERSION, {"name": "Upload-Offset", "in": "header", "required": True, "schema": _BYTES},
        ],
        "requestBody": {"required": True, "content": {tus.PIECE_TYPE: {"schema": {"type": "string",
                                                                                    "format": "binary"}}}},
        "responses": {
            "204": {"description": "Đã nhận phần này",
                    "headers": {"Upload-Offset": {"required": True, "schema": {"type": "string"}}}},
            "403": _json(_ERROR), "404": _json(_ERROR, "Không có lượt tải lên này (hoặc đã hết hạn)"),
            "409": _json(_ERROR, "Upload-Offset khác số byte máy chủ đã nhận"),
            "412": _json(_ERROR, "Phiên bản tus khác 1.0.0"),
            "413": _json(_ERROR, "Dài hơn phần còn lại hoặc tệp quá lớn"),
            "415": _json(_ERROR, "Sai Content-Type, hoặc loại tệp không được nhận"),
            "422": _json(_ERROR, "Tệp hỏng hoặc rỗng"),
        },
    },
}


def _workable_task(task_id: int) -> Task:
    """The task, if the caller sees it (else 404) and works on it (else 403)."""
    task = load_or_404(Task, task_id, current_user, "see_task")
    require(current_user, "work_task", task)
    return task


@bp.route("/tasks/<int:task_id>/uploads", methods=["POST", "OPTIONS"], provide_automatic_options=False)
@tus.speaks_tus
def create_upload(task_id: int):
    """Begin a resumable upload of one evidence file (OPTIONS: what the server supports)."""
    if request.method == "OPTIONS":
        return tus.capabilities()
    return tus.begin(_workable_task(task_id), current_user, "api.resume_upload")


@bp.route("/tasks/<int:task_id>/uploads/<upload_id>", methods=["HEAD", "PATCH"])
@tus.speaks_tus
def resume_upload(task_id: int, upload_id: str):
    """HEAD: the bytes the server holds; PATCH: the next piece (the last one makes the file evidence)."""
    return tus.resume(_workable_task(task_id), current_user, upload_id, add_evidence)
