"""What services refuse, in four kinds; each blueprint maps them to its answer once
(app/http_errors.py). None is an HTTP exception: the CLI, the workers and the tests call the
same services.

A service that raises one has changed nothing: it checks before it writes, or writes inside
`transaction()`, which rolls back on any error — so no view rolls back by hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ..extensions import db


class ServiceError(Exception):
    """A refusal, in words for the person who asked (Vietnamese). `errors` maps the form
    fields at fault to their own messages, when the fault is in particular fields."""

    default = "Không thực hiện được thao tác này."

    def __init__(self, message: str = "", errors: Mapping[str, str] | None = None) -> None:
        self.errors = dict(errors or {})
        self.message = str(message or "; ".join(self.errors.values()) or self.default)
        super().__init__(self.message)

    @property
    def detail(self) -> str:
        """The message with the fields named ("title: …; body_html: …"), for the CLI."""
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items()) or self.message


class BadInput(ServiceError):
    """The input cannot be used as it is (a field is missing, too long, not a picture…)."""

    default = "Dữ liệu không hợp lệ."


class NotAllowed(ServiceError):
    """This user's role may not do this to this thing."""

    default = "Bạn không có quyền thực hiện thao tác này."


class Conflict(ServiceError):
    """The thing is not in a state this step applies to (already published, edited by
    someone else meanwhile…)."""

    default = "Thao tác không còn phù hợp với trạng thái hiện tại."


class NotFound(ServiceError):
    """The thing asked for does not exist (or is not there for this user)."""

    default = "Không tìm thấy nội dung yêu cầu."


@contextmanager
def transaction() -> Iterator[None]:
    """All or nothing: commit at the end; any error rolls everything back and goes on up."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
