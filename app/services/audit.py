"""The audit log: who did what, when. Callers add an entry inside the transaction that makes
the change, so the log and the change are committed (or rolled back) together."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from ..models import AuditEntry, User


def record(action: str, target: Any = None, summary: str = "", *, user: User | None = None,
           username: str = "", **details: Any) -> AuditEntry:
    """Add an entry for `action` ("article.publish", "user.role", …) on `target` (a model
    row, or None) by `user` (default: the logged-in user; `username` names other actors,
    e.g. "api:<token prefix>", and then the logged-in user is not assumed). Not committed
    here."""
    if user is None and not username and has_request_context() \
            and current_user.is_authenticated:
        user = current_user._get_current_object()
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else username,
        action=action, summary=summary, details=details,
        target_type=getattr(target, "__tablename__", "") if target is not None else "",
        target_id=getattr(target, "id", None) if target is not None else None,
        ip=(request.remote_addr or "") if has_request_context() else "")
    db.session.add(entry)
    return entry


def record_saved(created: bool, actions: tuple[str, str], target: Any, what: str,
                 **details: Any) -> AuditEntry:
    """A form's save: `actions` is (the create action, the edit action); the summary says
    "Thêm …" or "Sửa …" `what`."""
    db.session.flush()  # a new row needs its id for the entry
    return record(actions[0] if created else actions[1], target,
                  f"{'Thêm' if created else 'Sửa'} {what}", **details)
