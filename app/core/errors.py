"""Domain errors and the Vietnamese pages and JSON that answer them."""

from __future__ import annotations

import logging
import uuid

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)

#: What users read for each HTTP status; never a stack trace.
MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Vui lòng đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc dữ liệu yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    409: "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại trang và thử lại.",
    413: "Tệp tải lên vượt quá dung lượng cho phép.",
    415: "Định dạng không được hỗ trợ.",
    422: "Dữ liệu không hợp lệ.",
    429: "Bạn đã thử quá nhiều lần. Vui lòng chờ ít phút rồi thử lại.",
    500: "Đã có lỗi xảy ra. Vui lòng thử lại sau.",
}


class DomainError(Exception):
    """A refusal the user can act on; the message is Vietnamese."""

    status = 422

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class Conflict(DomainError):
    """Someone else changed the object since it was loaded."""

    status = 409


class Forbidden(DomainError):
    """Seen but not allowed."""

    status = 403


def wants_json() -> bool:
    """API calls and JSON clients get JSON errors; browsers get pages."""
    return request.path.startswith("/api/") or request.path == "/healthz" or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, message: str | None = None, incident: str | None = None):
    """A Vietnamese error as JSON for the API or as a page for browsers."""
    message = message or MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        body = {"error": message}
        if incident:
            body["incident"] = incident
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, incident=incident), status


def init_app(app) -> None:
    """Register handlers so every error reaches users in Vietnamese."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        return error_response(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        message = getattr(exc, "vi_message", None)
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            message = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang."
        return error_response(exc.code or 500, message)

    from sqlalchemy.orm.exc import StaleDataError

    @app.errorhandler(StaleDataError)
    def _stale(_exc):
        # Two people saved the same version at the same moment: the second loses, told why.
        db.session.rollback()
        return error_response(409)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        incident = uuid.uuid4().hex[:10]
        log.exception("incident %s on %s %s", incident, request.method, request.path)
        db.session.rollback()
        return error_response(500, f"{MESSAGES[500]} Mã sự cố: {incident}.", incident)
