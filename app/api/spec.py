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
