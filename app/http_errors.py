"""How the portal answers when something is refused: HTTP errors for the whole app (an error
page, or JSON where the route answers JSON), and the services' refusals
(app/services/errors.py), each mapped to a status once per blueprint."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from . import http_security
from .extensions import db
from .services.errors import BadInput, Conflict, NotAllowed, NotFound, ServiceError

# Lazy: each is translated into the reader's language when it is shown, not at import.
ERROR_MESSAGES = {
    400: _l("Yêu cầu không hợp lệ."),
    403: _l("Bạn không có quyền thực hiện thao tác này."),
    404: _l("Không tìm thấy trang bạn yêu cầu."),
    405: _l("Phương thức không được hỗ trợ."),
    413: _l("Tệp tải lên quá lớn."),
    429: _l("Bạn thao tác quá nhanh, vui lòng thử lại sau ít phút."),
    500: _l("Hệ thống đang gặp sự cố, vui lòng thử lại sau."),
}
INVALID = _l("Dữ liệu không hợp lệ.")

STATUS: Mapping[type[ServiceError], int] = {NotAllowed: 403, NotFound: 404, Conflict: 409}


def answers_json() -> bool:
    return request.path.startswith("/api/") or \
        http_security.answers_json(current_app, request.endpoint)


def install(app: Flask) -> None:
    """HTTP errors anywhere: the error page in the reader's language, or JSON."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        message = str(ERROR_MESSAGES.get(code, exc.description or ""))  # JSON needs a str
        if code == 413:  # the route's own limit, in its own words if it has some
            message = http_security.too_big_message(app, request.endpoint) or message
        if answers_json():
            return jsonify({"error": message, "status": code}), code
        return render_template("errors/error.html", code=code, message=message), code


def answer_refusals(bp: Blueprint, bad_input: int = 400, fields_status: int = 422) -> None:
    """The blueprint's one answer to a service's refusal that its view did not turn into a
    form message: the refusal's own words on the error page, or in JSON (with `fields` when
    it names them). Bad input is `bad_input`, or `fields_status` when fields are named."""

    @bp.errorhandler(ServiceError)
    def refused(exc: ServiceError):
        db.session.rollback()  # (services leave nothing half-done; this keeps it so)
        code = (fields_status if exc.errors else bad_input) if isinstance(exc, BadInput) else \
            next((status for kind, status in STATUS.items() if isinstance(exc, kind)), bad_input)
        if answers_json():
            body: dict[str, object] = {"error": str(INVALID) if exc.errors else exc.message}
            if exc.errors:
                body["fields"] = exc.errors
            return jsonify(body), code
        return render_template("errors/error.html", code=code, message=exc.message), code
