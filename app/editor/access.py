"""Who may open which newsroom page: the login hooks, the role decorators, the article
lookups every page uses, and the JSON endpoints' own way of refusing. Shared by every
module of the editor blueprint."""

from __future__ import annotations

import logging
from functools import wraps

from botocore.exceptions import BotoCoreError, ClientError
from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from ..extensions import db, login_manager
from ..http_errors import ERROR_MESSAGES
from ..http_security import JSON_ERRORS_ATTRIBUTE
from ..models import Article, Role, User
from ..services import workflow
from ..services.errors import ServiceError
from ..urls import safe_next

log = logging.getLogger(__name__)

LOGIN_FIRST = _l("Vui lòng đăng nhập để tiếp tục.")
BAD_REQUEST = _l("Yêu cầu không hợp lệ.")
NO_UPLOAD = _l("Phiên tải lên không còn tồn tại; vui lòng tải tệp lên lại từ đầu.")
STORE_DOWN = _l("Kho lưu trữ tạm thời không phản hồi; vui lòng thử lại sau ít phút.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@login_manager.unauthorized_handler
def login_first():
    """To the login page, coming back here after (a path only: Flask-Login's default would put
    the whole URL, Host header included, into next=)."""
    flash(str(login_manager.login_message), login_manager.login_message_category)
    here = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("editor.login", next=safe_next(here, "") or None))


# --- roles ----------------------------------------------------------------------------

def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)
    return wrapper


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role is not Role.admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def editor_required(view):
    """Editors and admins: the editorial board's own work (moderation, documents, schedules)."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role not in (Role.editor, Role.admin):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def current_staff() -> User:
    """The logged-in user's row itself (not Flask-Login's proxy), for services."""
    return current_user._get_current_object()


# --- articles -------------------------------------------------------------------------

def can_edit(article: Article) -> bool:
    """Writing to the article or its media: editors always, a contributor only while it is
    their unit's draft or returned article (workflow.may_write)."""
    return workflow.may_write(article, current_user)


def writable_article(article_id: int) -> Article:
    """The article, if this user may write to it: 404 or 403 otherwise."""
    article = db.session.get(Article, article_id) or abort(404)
    if not can_edit(article):
        abort(403)
    return article


def viewable_article(article_id: int) -> Article:
    """Contributors may look at their unit's articles in any state; writing is checked by
    the workflow."""
    article = db.session.get(Article, article_id) or abort(404)
    if not workflow.may_view(article, current_user):
        abort(403)
    return article


# --- JSON endpoints (the browser's uploads and autosaves) -----------------------------

class Refused(Exception):
    """A request the browser must not retry as it is; `message` is shown to the editor."""

    def __init__(self, status: int, message: object) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = str(message)


def json_error(status: int, message: object):
    return jsonify({"error": str(message)}), status  # lazy messages become the reader's text


def json_staff_endpoint(view):
    """Staff only; every refusal is JSON with a Vietnamese `error` (no HTML error pages).
    A service's refusal goes to the blueprint's answer (app/http_errors.py), in JSON."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return json_error(401, LOGIN_FIRST)
        try:
            return view(*args, **kwargs)
        except ServiceError:
            raise
        except Refused as exc:
            return json_error(exc.status, exc.message)
        except HTTPException as exc:
            code = exc.code or 500
            return json_error(code, ERROR_MESSAGES.get(code, BAD_REQUEST))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "NoSuchUpload":
                return json_error(404, NO_UPLOAD)
            log.error("object store refused %s: %s", request.path, exc)
            return json_error(502, STORE_DOWN)
        except BotoCoreError as exc:
            log.error("object store unreachable for %s: %s", request.path, exc)
            return json_error(503, STORE_DOWN)
    setattr(wrapper, JSON_ERRORS_ATTRIBUTE, True)  # refused before the view too: in JSON
    return wrapper
