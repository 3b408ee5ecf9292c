"""Login defences that cannot lock out the owner: failures slow down per account and per
address (tests/app/services/test_accounts.py), and every refusal reads the same, so usernames cannot
be found out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from tests.app.services.test_accounts import BAD_LOGIN, try_login

pytestmark = pytest.mark.security


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "inactive", "too soon"])
def test_every_refused_login_gets_the_same_answer(client, make_user, case, tally):
    """Nothing in the answer tells an attacker whether the name exists or is throttled."""
    user = make_user("bientap", "mat-khau-dung")
    username, password = "bientap", "mat-khau-dung"
    if case == "wrong password":
        password = "sai"
    elif case == "unknown user":
        username = "khong-ai-ca"
    elif case == "inactive":
        user.active = False
    else:
        user.locked_until = utcnow() + timedelta(seconds=30)
    db.session.commit()
    response = try_login(client, username, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert BAD_LOGIN in page
    form = page[page.index("<main"):]
    assert "khóa" not in form and "chậm" not in form and "tồn tại" not in form
    tally("login")(1)


def test_the_answer_does_not_depend_on_whether_the_name_exists(client, make_user, tally):
    """The same status and the same page, byte for byte once the CSRF token is set aside."""
    import re

    make_user("bientap", "mat-khau-dung")
    pages = []
    for username in ("bientap", "khong-ai-ca"):
        response = try_login(client, username, "sai-mat-khau", ip="10.1.1.1")
        body = re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))
        pages.append((response.status_code, body.replace(username, "")))
    assert pages[0] == pages[1]
    tally("login")(1)
