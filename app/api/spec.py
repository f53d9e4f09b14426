"""The OpenAPI 3 document, kept in step with the routes by a test."""

from flask import jsonify

from app.api.views import bp

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
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
]


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


DEADLINE = {
    "oneOf": [
        {"type": "null"},
        {"type": "object", "properties": {"kind": {"const": "date"}, "date": {"type": "string", "format": "date"}}},
        {"type": "object", "properties": {"kind": {"const": "relative"}, "days": {"type": "integer"},
                                          "working_days": {"type": "boolean"}, "months": {"type": "integer"}}},
        {"type": "object", "properties": {"kind": {"const": "recurring"},
                                          "freq": {"enum": ["monthly", "quarterly", "yearly", "weekly", "daily"]},
                                          "day": {"type": "integer"}, "month": {"type": "integer"},
                                          "weekday": {"type": "integer"}}},
    ]
}
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
    },
}
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
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
            "responses": {"200": _json({"type": "object", "properties": {"token": {"type": "string"}}}),
                          "401": _json(_ERROR, "Sai thông tin đăng nhập"),
                          "429": _json(_ERROR, "Thử quá nhiều lần")},
        }
    },
    "/api/v1/units": {
        "get": {
            "summary": "Các đơn vị người dùng được xem",
            "parameters": PAGING,
            "responses": {"200": _json({"type": "array", "items": _UNIT}), "401": _json(_ERROR)},
        }
    },
    "/api/v1/directives": {
        "post": {
            "summary": "Tạo dự thảo từ tệp (multipart file) hoặc từ nội dung JSON",
            "requestBody": {"content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                                            "format": "binary"}}}},
                "application/json": {"schema": {"type": "object", "properties": {
                    "number": {"type": "string"}, "issued_on": {"type": "string", "format": "date"},
                    "subject": {"type": "string"}, "body": {"type": "string"}}}}}},
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
                "units": {"oneOf": [{"enum": ["all", "named"]}, {"type": "array", "items": {"type": "integer"}}]},
                "deadlines": {"type": "object", "additionalProperties": DEADLINE}}}}}},
            "responses": {"200": _json({"type": "object", "properties": {"tasks_created": {"type": "integer"}}}),
                          "403": _json(_ERROR), "404": _json(_ERROR), "409": _json(_ERROR), "422": _json(_ERROR)},
        }
    },
    "/api/v1/tasks": {
        "get": {
            "summary": "Các nhiệm vụ người dùng được xem",
            "parameters": PAGING + [{"name": n, "in": "query", "schema": {"type": t}} for n, t in (
                ("directive", "integer"), ("unit", "integer"), ("state", "string"), ("group", "string"),
                ("period", "string"))],
            "responses": {"200": _json({"type": "array", "items": TASK}), "400": _json(_ERROR)},
        }
    },
    "/api/v1/openapi.json": {
        "get": {"summary": "Tài liệu OpenAPI này", "security": [], "responses": {"200": _json({"type": "object"})}}
    },
}


def document() -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Theo dõi chỉ đạo", "version": "1.0.0"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": PATHS,
    }


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI document."""
    return jsonify(document())
