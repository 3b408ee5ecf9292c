"""The security suite: the portal tried as an attacker would, on real services.

Every case a test checks is tallied under its family (`tally("csrf")(n)`); the run ends with
the count per family, so a later change that drops a defence shows as a lost count or a
failure, never as silence. Routes are taken from the app's URL map, so a new route cannot
skip the CSRF, login and body-limit checks.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time

import pytest
from flask import g
from redis import Redis

from tests.conftest import csrf_token
from tests.summaries import SECURITY


@pytest.fixture
def tally(request):
    """`tally(family)(n)` counts n cases checked; the test itself counts under the family
    (the table at the end of the run: tests/summaries.py)."""
    counts: dict[str, int] = {}  # (plain types: pytest-xdist carries it back to the controller)
    request.node.user_properties.append((SECURITY, counts))

    def family(name: str):
        counts.setdefault(name, 0)  # seen: the test counts under the family

        def count(n: int = 1) -> None:
            counts[name] += n

        return count

    return family


def fresh(client):
    """Requests of one test share its app context: drop what Flask-WTF and Flask-Login keep
    in `g` between them, so each client is judged on its own cookies."""
    g.pop("csrf_token", None)
    g.pop("_login_user", None)
    return client


def token_for(client, url: str = "/bien-tap/dang-nhap") -> str:
    return csrf_token(fresh(client), url)


def form_token(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def locked_redis(tmp_path):
    """A Redis of our own that wants a password (and has an ACL user)."""
    port = free_port()
    proc = subprocess.Popen([
        shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path),
        "--requirepass", "mat-khau-redis", "--user", "congthongtin", "on", ">mat-khau-acl",
        "~*", "&*", "+@all"], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            Redis(port=port, password="mat-khau-redis").ping()
            break
        except Exception:  # noqa: BLE001 (starting)
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(10)
