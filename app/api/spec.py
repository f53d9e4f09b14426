"""The OpenAPI 3 document, kept in step with the routes by a test."""

import copy
import re

from flask import jsonify, request

from app.api.views import bp
from app.auth.services import LABEL_MAX
from app.core.errors import error_response
from app.core.limits import MAX_ID, column_length
from app.core.paging import MAX_PER_PAGE
from app.core.periods import MONTH as MONTH_RE
from app.core.periods import TASK_PERIOD
from app.directives.forms import SUBJECT_MAX
from app.directives.guidance import GUIDANCE_MAX
from app.directives.models import Directive
from app.evidence import tus
from app.evidence.resumable import UPLOAD_ID
from app.mergers.forms import MAX_UNITS, NAME_MAX, SLUG, SLUG_MAX
from app.tasks.forms import NOTE_MAX
from app.tasks.groups import GROUPS
from app.tasks.models import TASK_STATES

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}
_UNIT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string"},
        "parent_id": {"type": ["integer", "null"]},
    },
}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
    {"name": "per_page", "in": "query", "description": f"tối đa {MAX_PER_PAGE} dòng một trang (số lớn hơn tính là "
                                                        f"{MAX_PER_PAGE})",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
]
#: One file in the multipart field "file".
FILE_PART = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}
MONTH = {"type": "string", "pattern": f"^{MONTH_RE.pattern}$", "description": "YYYY-MM"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


#: An id as routes and parameters take it: a larger one is a 404 in a path, a 400 in a query.
ID = {"type": "integer", "minimum": 0, "maximum": MAX_ID}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _id_arg(name: str) -> dict:
    return {"name": name, "in": "query", "schema": ID}


#: A deadline: a date, days (working days) or months after the directive's date, or a recurrence. One object with
#: the kind's fields rather than a oneOf, so a fuzzer can also write a wrong one.
DEADLINE = {"type": ["object", "null"], "properties": {
    "kind": {"enum": ["date", "relative", "recurring"]},
    "date": {"type": "string", "format": "date"},
    "days": {"type": "integer"}, "working_days": {"type": "boolean"}, "months": {"type": "integer"},
    "freq": {"enum": ["monthly", "quarterly", "yearly", "weekly", "daily"]},
    "day": {"type": "integer"}, "month": {"type": "integer"}, "weekday": {"type": "integer"}}}
#: A PDF's embedded digital signatures as verified on upload or intake; [] for a file without any (issue 19).
SIGNATURES = {"type": "array", "items": {"type": "object", "required": [
    "signer", "organisation", "signed_at", "intact", "modified_after", "trusted"], "properties": {
    "signer": {"type": ["string", "null"], "description": "người ký (CN của chứng thư)"},
    "organisation": {"type": ["string", "null"], "description": "cơ quan, tổ chức (O của chứng thư)"},
    "signed_at": {"type": ["string", "null"], "format": "date-time"},
    "intact": {"type": "boolean", "description": "phần được ký còn nguyên vẹn"},
    "modified_after": {"type": "boolean", "description": "nội dung bị sửa bằng một lần lưu sau khi ký"},
    "trusted": {"type": "boolean", "description": "chứng thư dẫn tới một chứng thư gốc quản trị viên tin cậy"}}}}
EVIDENCE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "filename": {"type": "string"}, "size": {"type": "integer"},
    "sha256": {"type": "string"}, "content_type": {"type": "string"}, "signatures": SIGNATURES}}
DIRECTIVE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "state": {"enum": ["draft", "published", "closed"]},
        "number": {"type": ["string", "null"]}, "issued_on": {"type": ["string", "null"], "format": "date"},
        "issuer": {"type": ["string", "null"]}, "place": {"type": ["string", "null"]},
        "signer": {"type": ["object", "null"]}, "subject": {"type": ["string", "null"]},
        "addressees": {"type": "array", "items": {"type": "string"}},
        "references": {"type": "array", "items": {"type": "object"}},
        "named_units": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "unit_id": {"type": ["integer", "null"]}}}},
        "requirements": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "label": {"type": ["string", "null"]}, "text": {"type": "string"},
            "deadline": DEADLINE, "kind": {"type": "string"}}}},
        "recipients": {"type": "array", "items": {"type": "string"}},
        "read_by_ocr": {"type": "boolean"},
        "signatures": SIGNATURES,
    },
}
#: A drafted follow-up: the draft, and what the office must know before using it (a month without figures).
FOLLOW_UP = {"allOf": [DIRECTIVE, {"type": "object", "properties": {
    "warnings": {"type": "array", "items": {"type": "string"}}}}]}
#: Guidance (ý kiến chỉ đạo) on a whole directive, and the units it went to that the caller sees.
GUIDANCE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "directive_id": {"type": "integer"}, "author": {"type": "string"},
    "body": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "to_overdue": {"type": "boolean"}, "unit_ids": {"type": "array", "items": {"type": "integer"}}}}
TASK = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "directive_id": {"type": "integer"}, "requirement_id": {"type": "integer"},
        "label": {"type": ["string", "null"]}, "unit_id": {"type": "integer"}, "period": {"type": ["string", "null"]},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "state": {"enum": ["open", "submitted", "returned", "done"]},
        "group": {"enum": ["done_on_time", "done_late", "open_on_time", "open_overdue", "no_deadline"]},
    },
}

TASK_DETAIL = {"allOf": [TASK, {"type": "object", "properties": {
    "version": {"type": "integer"}, "data": {"type": "object"}, "evidence": {"type": "array", "items": EVIDENCE},
    "history": {"type": "array", "items": {"type": "object"}},
    "comments": {"type": "array", "items": {"type": "object"}}}}]}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_GROUP_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
SUMMARY = {"type": "object", "properties": {
    "units": {"type": "array", "items": {"type": "object", "properties": {"unit_id": {"type": "integer"},
                                                                          "groups": _GROUP_COUNTS}}},
    "totals": _GROUP_COUNTS}}
INDICATOR = {"type": "object", "properties": {
    "unit_id": {"type": "integer"}, "period": {"type": "string"}, "total": {"type": "integer"},
    "online_level3": {"type": "integer"}, "online_level4": {"type": "integer"}, "settled_online": {"type": "integer"},
    "rate": {"type": ["number", "null"]}, "target": {"type": ["number", "null"]}, "below_target": {"type": "boolean"}}}

TOKEN = {"type": "object", "properties": {
    "id": {"type": "integer"}, "label": {"type": "string"}, "hint": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": "string", "format": "date-time"},
    "last_used_at": {"type": ["string", "null"], "format": "date-time"}}}

PATHS = {
    "/healthz": {
        "get": {
            "summary": "Tình trạng cơ sở dữ liệu và hàng đợi",
            "security": [],
            "responses": {"200": _json({"type": "object"})},
        }
    },
    "/api/v1/auth/token": {
        "post": {
            "summary": "Lấy mã truy cập",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"},
                               "label": {"type": "string", "maxLength": LABEL_MAX}}}}}},
            "responses": {"200": _json({"allOf": [TOKEN, {"type": "object", "required": ["token"],
                                                          "properties": {"token": {"type": "string"}}}]}),
                          "400": _json(_ERROR), "401": _json(_ERROR, "Sai thông tin đăng nhập"),
                          "403": _json(_ERROR, "Tài khoản mẫu trong môi trường thật"),
                          "422": _json(_ERROR), "429": _json(_ERROR, "Thử quá nhiều lần")},
        },
        "delete": {"summary": "Thu hồi mã đang dùng (đăng xuất API)",
                   "responses": {"204": {"description": "Đã thu hồi"}, "401": _json(_ERROR)}},
    },
    "/api/v1/auth/tokens": {
        "get": {"summary": "Các mã còn hạn của người dùng (không có mã, chỉ vài ký tự đầu)",
                "responses": {"200": _json({"type": "array", "items": {"allOf": [TOKEN, {
                    "type": "object", "properties": {"current": {"type": "boolean"}}}]}}), "401": _json(_ERROR)}}
    },
    "/api/v1/auth/tokens/{token_id}": {
        "delete": {"summary": "Thu hồi một mã của chính mình", "parameters": [_id("token_id")],
                   "responses": {"204": {"description": "Đã thu hồi"}, "401": _json(_ERROR), "404": _json(_ERROR)}}
    },
    "/api/v1/units": {
        "get": {
            "summary": "Các đơn vị người dùng được xem",
            "parameters": PAGING,
            "responses": {"200": _json({"type": "array", "items": _UNIT}), "401": _json(_ERROR)},
        }
    },
    "/api/v1/units/merge": {
        "post": {
            "summary": "Sáp nhập các xã, phường thành một đơn vị mới (quản trị hệ thống); trả lại đơn vị mới",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["into", "name", "units"], "properties": {
                    "into": {"type": "string", "pattern": f"^{SLUG.pattern}$", "maxLength": SLUG_MAX,
                             "description": "mã (slug) của đơn vị mới"},
                    "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX},
                    "parent": {"type": ["string", "null"], "maxLength": SLUG_MAX,
                               "description": "mã đơn vị cấp trên; null: cấp trên chung của các đơn vị cũ"},
                    "on": {"type": ["string", "null"], "format": "date", "description": "null: hôm nay"},
                    "units": {"type": "array", "minItems": 2, "maxItems": MAX_UNITS,
                              "items": {"type": "string", "maxLength": SLUG_MAX},
                              "description": "mã (slug) các đơn vị cấp xã được sáp nhập"},
                    "chair": {"type": ["string", "null"], "description": "tài khoản làm chủ tịch UBND đơn vị mới, "
                                                                         "một người của các đơn vị cũ"}}}}}},
            "responses": {"200": _json(_UNIT), "403": _json(_ERROR, "Chỉ quản trị hệ thống"),
                          "422": _json(_ERROR, "Đơn vị không có, đã sáp nhập hoặc không phải cấp xã; mã đã có; "
                                               "ngày sau hôm nay")},
        }
    },
    "/api/v1/directives": {
        "post": {
            "summary": "Tạo dự thảo từ tệp (multipart file) hoặc từ nội dung JSON",
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": FILE_PART},
                "application/json": {"schema": {"type": "object", "properties": {
                    "number": {"type": "string", "maxLength": column_length(Directive.number)},
                    "issued_on": {"type": "string", "format": "date"},
                    "subject": {"type": "string", "maxLength": SUBJECT_MAX}, "body": {"type": "string"}}}}}},
            "responses": {"201": _json(DIRECTIVE), "400": _json(_ERROR), "403": _json(_ERROR),
                          "422": _json(_ERROR, "Tệp hoặc nội dung không hợp lệ")},
        }
    },
    "/api/v1/directives/{directive_id}": {
        "get": {"summary": "Một văn bản", "parameters": [_id("directive_id")],
                "responses": {"200": _json(DIRECTIVE), "404": _json(_ERROR)}}
    },
    "/api/v1/directives/{directive_id}/publish": {
        "post": {
            "summary": "Ban hành và giao việc",
            "parameters": [_id("directive_id")],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "units": {"oneOf": [{"enum": ["all", "named"]}, {"type": "array", "items": ID}]},
                "deadlines": {"type": "object", "additionalProperties": DEADLINE}}}}}},
            "responses": {"200": _json({"type": "object", "properties": {"tasks_created": {"type": "integer"}}}),
                          "403": _json(_ERROR), "404": _json(_ERROR), "409": _json(_ERROR), "422": _json(_ERROR)},
        }
    },
    "/api/v1/tasks": {
        "get": {
            "summary": "Các nhiệm vụ người dùng được xem",
            "parameters": PAGING + [_id_arg("directive"), _id_arg("unit"),
                                    {"name": "state", "in": "query", "schema": {"enum": list(TASK_STATES)}},
                                    {"name": "group", "in": "query", "schema": {"enum": list(GROUPS)}},
                                    {"name": "period", "in": "query",
                                     "schema": {"type": "string", "pattern": f"^{TASK_PERIOD}$"}}],
            "responses": {"200": _json({"type": "array", "items": TASK}), "400": _json(_ERROR)},
        }
    },
    "/api/v1/tasks/{task_id}": {
        "get": {"summary": "Một nhiệm vụ, kèm minh chứng và lịch sử", "parameters": [_id("task_id")],
                "responses": {"200": _json(TASK_DETAIL), "404": _json(_ERROR)}}
    },
    "/api/v1/tasks/{task_id}/evidence": {
        "post": {
            "summary": "Tải lên một tệp minh chứng",
            "parameters": [_id("task_id")],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": FILE_PART}}},
            "responses": {"201": _json(EVIDENCE), "403": _json(_ERROR), "404": _json(_ERROR),
                          "413": _json(_ERROR, "Tệp quá lớn"), "415": _json(_ERROR, "Loại tệp không được nhận"),
                          "422": _json(_ERROR)},
        }
    },
    "/api/v1/evidence/{evidence_id}": {
        "get": {"summary": "Tải về tệp minh chứng (attachment)", "parameters": [_id("evidence_id")],
                "responses": {"200": {"description": "Nội dung tệp", "content": {"application/octet-stream": {}}},
                              "404": _json(_ERROR)}}
    },
    "/api/v1/tasks/{task_id}/submit": {
        "post": {
            "summary": "Nộp kết quả",
            "parameters": [_id("task_id")],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "note": {"type": "string", "maxLength": NOTE_MAX}, "version": {"type": "integer"},
                "figures": {"type": "object", "description": "period, total, online_level3, online_level4, "
                                                             "settled_online"}}}}}},
            "responses": {"200": _json(TASK_DETAIL), "403": _json(_ERROR), "404": _json(_ERROR),
                          "409": _json(_ERROR, "Phiên bản cũ hoặc đã nộp"), "422": _json(_ERROR)},
        }
    },
    "/api/v1/tasks/{task_id}/review": {
        "post": {
            "summary": "Duyệt: chấp nhận hoặc trả lại",
            "parameters": [_id("task_id")],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["decision"],
                                                                        "properties": {
                "decision": {"enum": ["accept", "return"]}, "comment": {"type": "string", "maxLength": NOTE_MAX},
                "version": {"type": "integer"}}}}}},
            "responses": {"200": _json(TASK_DETAIL), "403": _json(_ERROR), "404": _json(_ERROR),
                          "409": _json(_ERROR), "422": _json(_ERROR)},
        }
    },
    "/api/v1/reports/summary": {
        "get": {"summary": "Số nhiệm vụ theo đơn vị và nhóm", "parameters": [_id_arg("directive")],
                "responses": {"200": _json(SUMMARY), "400": _json(_ERROR), "404": _json(_ERROR)}}
    },
    "/api/v1/reports/summary.xlsx": {
        "get": {"summary": "Như trên, dạng Excel (mỗi đơn vị một dòng)",
                "parameters": [_id_arg("directive")],
                "responses": {"200": {"description": "Tệp .xlsx", "content": {XLSX_TYPE: {}}}, "400": _json(_ERROR),
                              "404": _json(_ERROR)}}
    },
    "/api/v1/reports/directive/{directive_id}.docx": {
        "get": {"summary": "Báo cáo kết quả thực hiện văn bản, dạng Word theo Nghị định 30/2020/NĐ-CP",
                "parameters": [_id("directive_id")],
                "responses": {"200": {"description": "Tệp .docx", "content": {DOCX_TYPE: {}}}, "404": _json(_ERROR)}}
    },
    "/api/v1/directives/{directive_id}.docx": {
        "get": {"summary": "Văn bản dạng Word theo Nghị định 30/2020/NĐ-CP", "parameters": [_id("directive_id")],
                "responses": {"200": {"description": "Tệp .docx", "content": {DOCX_TYPE: {}}}, "404": _json(_ERROR)}}
    },
    "/api/v1/indicators/import": {
        "post": {"summary": "Nhập số liệu DVCTT (.csv, .xlsx); một dòng sai thì không nhập gì",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": FILE_PART}}},
                 "responses": {"200": _json({"type": "object", "properties": {"rows": {"type": "integer"}}}),
                               "403": _json(_ERROR), "415": _json(_ERROR), "422": _json(_ERROR, "Dòng sai (số dòng)")}}
    },
    "/api/v1/indicators": {
        "get": {"summary": "Số liệu DVCTT của một tháng, tỷ lệ và chỉ tiêu",
                "parameters": PAGING + [{"name": "period", "in": "query", "schema": MONTH}],
                "responses": {"200": _json({"type": "array", "items": INDICATOR}), "400": _json(_ERROR)}}
    },
    "/api/v1/directives/{directive_id}/follow-up": {
        "post": {
            "summary": "Soạn dự thảo văn bản đôn đốc tiếp theo văn bản này",
            "parameters": [_id("directive_id")],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "period": MONTH,
                "name": {"oneOf": [{"enum": ["below_target", "overdue", "missed_report"]},
                                   {"type": "array", "items": ID}]}}}}}},
            "responses": {"201": _json(FOLLOW_UP),
                          "200": _json(FOLLOW_UP, "Dự thảo cùng nội dung soạn hôm nay, chưa ban hành: trả lại nó"),
                          "403": _json(_ERROR), "404": _json(_ERROR), "422": _json(_ERROR)},
        }
    },
    "/api/v1/directives/{directive_id}/guidance": {
        "get": {"summary": "Các ý kiến chỉ đạo về văn bản, mới nhất trước (người của xã: ý kiến gửi đến xã mình)",
                "parameters": [_id("directive_id")],
                "responses": {"200": _json({"type": "array", "items": GUIDANCE}), "404": _json(_ERROR)}},
        "post": {
            "summary": "Gửi ý kiến chỉ đạo về cả văn bản đến các đơn vị quá hạn hoặc các đơn vị chọn "
                       "(thông báo và thư)",
            "parameters": [_id("directive_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["body"], "properties": {
                    "body": {"type": "string", "maxLength": GUIDANCE_MAX, "description": "nội dung, giữ xuống dòng"},
                    "units": {"oneOf": [{"enum": ["overdue"]}, {"type": "array", "items": ID}],
                              "description": '"overdue" (mặc định): các đơn vị còn nhiệm vụ quá hạn'},
                    "key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                            "description": "khoá chống gửi trùng: gửi lại cùng khoá thì không gửi lần nữa (200)"}}}}}},
            "responses": {"201": _json(GUIDANCE), "200": _json(GUIDANCE, "Cùng khoá đã gửi trước đó: không gửi lại"),
                          "403": _json(_ERROR), "404": _json(_ERROR), "409": _json(_ERROR, "Văn bản chưa ban hành "
                                                                                        "hoặc đã kết thúc"),
                          "422": _json(_ERROR)},
        },
    },
    "/api/v1/openapi.json": {
        "get": {"summary": "Tài liệu OpenAPI này", "security": [], "responses": {"200": _json({"type": "object"})}}
    },
}


_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}
_VERSION = {"name": "Tus-Resumable", "in": "header", "required": True, "schema": {"enum": [tus.TUS_VERSION]}}
_BYTES = {"type": "integer", "minimum": 0, "maximum": tus.LARGEST}

# The resumable uploads (app/api/uploads.py): tus 1.0.0, core and creation.
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


def _with_common_answers(paths: dict) -> dict:
    """Every operation's own answers plus those any call may get: 401 without a valid token; 400 for a call the
    document does not allow, 422 for one it allows that the rules refuse (a directive with no requirement)."""
    paths = copy.deepcopy(paths)
    for operation in (op for item in paths.values() for op in item.values()):
        answers = operation["responses"]
        if operation.get("security") != []:
            answers.setdefault("401", _json(_ERROR, "Thiếu hoặc sai mã truy cập"))
        if operation.get("parameters") or operation.get("requestBody"):
            answers.setdefault("400", _json(_ERROR, "Yêu cầu không đúng tài liệu này"))
            answers.setdefault("422", _json(_ERROR, "Yêu cầu bị từ chối theo nghiệp vụ"))
    return paths


def document() -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Theo dõi chỉ đạo", "version": "1.0.0"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": _with_common_answers(PATHS),
    }


def _query_names() -> dict[tuple[str, str], frozenset[str]]:
    """Per (path, method): the query parameters the document names."""
    return {(path, method.upper()): frozenset(p["name"] for p in op.get("parameters", ()) if p["in"] == "query")
            for path, item in PATHS.items() for method, op in item.items()}


QUERY_NAMES = _query_names()


@bp.before_request
def _query_as_documented():
    """Refuse a query parameter the document does not name, or one sent empty: a typo ("directve=3") would
    otherwise list everything as if no filter were asked for."""
    if request.url_rule is None:
        return None
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", request.url_rule.rule)
    known = QUERY_NAMES.get((path, request.method), frozenset())
    for name, value in request.args.items(multi=True):
        if name not in known:
            shown = name.encode("unicode_escape").decode()[:40]
            return error_response(400, f'Tham số "{shown}" không có trong tài liệu API của địa chỉ này.')
        if value == "":
            return error_response(400, f'Tham số "{name}" để trống: bỏ hẳn nếu không lọc theo nó.')
    return None


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI document."""
    return jsonify(document())
