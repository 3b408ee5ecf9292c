"""The deployment an IT team installs, run here: Debian's nginx with deploy/nginx/docnghexem.conf
(only the host name, certificate, ports and paths changed) in front of gunicorn with
APP_CONFIG=prod and production settings. Through nginx, from another local address (a
reader's machine): the headers, a login, a resumable upload, and that reader's address in
the audit log."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import urllib3
from sqlalchemy import select

from app.extensions import db
from app.models import Article, AuditEntry, MediaStatus, Role
from app.services import workflow
from app.services.publishing import ArticleInput
from config import BASE_DIR
from tests.security.conftest import free_port

pytestmark = pytest.mark.security
SITE = "deploy/nginx/docnghexem.conf"
HOST = "cong.hoaan.test"
READER = "127.0.0.2"  # the reader's own address: nginx sees it, gunicorn only nginx's
PASSWORD = "Mat-khau-bien-tap-2026"


def site_config(https: int, http: int, web: int, cert: Path, key: Path) -> str:
    """deploy/nginx/docnghexem.conf for this machine: every replaced line must exist as is."""
    text = (BASE_DIR / SITE).read_text()
    replacements = [
        ("    listen [::]:80;\n", ""), ("    listen [::]:443 ssl http2;\n", ""),
        ("    listen [::]:80 default_server;\n", ""),
        ("    listen [::]:443 ssl default_server;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http} default_server;"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https} ssl default_server;"),
        ("return 301 https://cong.example.gov.vn$request_uri;",
         f"return 301 https://{HOST}:{https}$request_uri;"),
        ("server_name cong.example.gov.vn;", f"server_name {HOST};"),
        ("/etc/ssl/docnghexem/fullchain.pem", str(cert)),
        ("/etc/ssl/docnghexem/privkey.pem", str(key)),
        ("server 127.0.0.1:5000;", f"server 127.0.0.1:{web};"),
        ("alias /srv/docnghexem/static/;", f"alias {BASE_DIR / 'static'}/;"),
    ]
    for old, new in replacements:
        assert old in text, f"{SITE} no longer has {old!r}"
        text = text.replace(old, new)
    return text


def start_nginx(tmp: Path, site: str) -> subprocess.Popen:
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir()
    (tmp / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(f"""{user}daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log {tmp}/access.log;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  include {tmp}/site.conf;
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return subprocess.Popen([nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")])


def wait_for(url_check, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if url_check():
                return
        except (OSError, urllib3.exceptions.HTTPError, requests.RequestException):
            pass
        time.sleep(0.1)
    raise AssertionError("did not come up")


class Reader:
    """A browser on another machine: TLS to the portal's name, its own address, cookies."""

    def __init__(self, port: int, cert: Path) -> None:
        self.pool = urllib3.HTTPSConnectionPool(
            "127.0.0.1", port, server_hostname=HOST, assert_hostname=HOST,
            ca_certs=str(cert), cert_reqs="CERT_REQUIRED", source_address=(READER, 0),
            retries=False, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kw):
        origin = f"https://{HOST}:{self.pool.port}"
        # Like a browser: the page it comes from (Flask-WTF checks it over HTTPS).
        headers = {"Host": f"{HOST}:{self.pool.port}", "Referer": f"{origin}/bien-tap/",
                   **kw.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.pool.request(method, path, headers=headers, redirect=False, **kw)
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response


@pytest.fixture
def deployment(app, app_config, locked_redis, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    https, http, web = free_port(), free_port(), free_port()
    env = {**os.environ, "APP_CONFIG": "prod", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": app_config.SQLALCHEMY_DATABASE_URI,
           "REDIS_URL": f"redis://:mat-khau-redis@127.0.0.1:{locked_redis}/0",
           "S3_ENDPOINT_URL": app_config.S3_ENDPOINT_URL, "S3_BUCKET": app_config.S3_BUCKET,
           "S3_ACCESS_KEY": app_config.S3_ACCESS_KEY, "S3_SECRET_KEY": app_config.S3_SECRET_KEY,
           "SITE_URL": f"https://{HOST}:{https}", "TRUSTED_PROXIES": "1",
           "WEB_BIND": f"127.0.0.1:{web}", "WEB_WORKERS": "2", "WEB_GRACEFUL_TIMEOUT": "2"}
    web_log = (tmp_path / "web.log").open("w")
    gunicorn = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c",
                                 "gunicorn.conf.py", "app:create_app()"], cwd=BASE_DIR,
                                env=env, stdout=web_log, stderr=subprocess.STDOUT)
    (tmp_path / "nginx").mkdir()
    nginx = start_nginx(tmp_path / "nginx", site_config(https, http, web, cert, key))
    reader = Reader(https, cert)
    try:
        wait_for(lambda: reader.request("GET", "/robots.txt").status == 200)
        yield reader, https, http
    finally:
        for proc in (nginx, gunicorn):
            proc.terminate()
            proc.wait(15)
        web_log.close()
        print((tmp_path / "web.log").read_text()[-3000:])


def test_through_nginx_headers_login_upload_and_the_readers_address(
        app, app_config, deployment, make_user, tally):
    count = tally("nginx")
    reader, https, http = deployment
    editor = make_user("bientap", PASSWORD, Role.editor)
    article = workflow.save(None, ArticleInput(title="Bài có video qua nginx",
                                               body_html="<p>Nội dung.</p>"), editor)

    home = reader.request("GET", "/")
    assert home.status == 200
    assert home.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert home.headers["Server"] == "nginx"  # no version
    feed = reader.request("GET", "/rss.xml", headers={"X-Forwarded-Host": "evil.example"})
    assert f"<link>https://{HOST}:{https}/</link>" in feed.data.decode()  # from SITE_URL
    assert "evil.example" not in feed.data.decode()
    static = reader.request("GET", "/static/css/site.css?v=abc")
    assert static.status == 200 and "immutable" in static.headers["Cache-Control"]
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    plain = urllib3.HTTPConnectionPool("127.0.0.1", http, retries=False).request(
        "GET", "/bien-tap/", headers={"Host": HOST}, redirect=False)
    assert plain.status == 301
    assert plain.headers["Location"] == f"https://{HOST}:{https}/bien-tap/"
    with pytest.raises(urllib3.exceptions.HTTPError):  # another name: the connection is dropped
        urllib3.HTTPConnectionPool("127.0.0.1", http, retries=False).request(
            "GET", "/", headers={"Host": "evil.example"})
    count(4)

    page = reader.request("GET", "/bien-tap/dang-nhap").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    spoofed = {"X-Forwarded-For": "6.6.6.6", "Content-Type": "application/x-www-form-urlencoded"}
    wrong = reader.request("POST", "/bien-tap/dang-nhap", headers=spoofed,
                           body=f"username=bientap&password=sai&csrf_token={token}")
    assert wrong.status == 401
    login = reader.request("POST", "/bien-tap/dang-nhap", headers=spoofed,
                           body=f"username=bientap&password={PASSWORD}&csrf_token={token}")
    assert login.status == 302
    assert "Secure" in login.headers["Set-Cookie"] and "HttpOnly" in login.headers["Set-Cookie"]
    newsroom = reader.request("GET", "/bien-tap/")
    assert newsroom.status == 200 and newsroom.headers["X-Frame-Options"] == "DENY"
    count(3)

    # Uppy's resumable upload: the portal signs through nginx, the parts go to the store.
    headers = {"X-CSRFToken": token, "Content-Type": "application/json"}
    base = f"/bien-tap/bai-viet/{article.id}/tai-len"
    payload = sample_video()
    started = json.loads(reader.request("POST", base, headers=headers, body=json.dumps(
        {"filename": "clip.mp4", "size": len(payload), "type": "video/mp4"})).data)
    upload_id, key = started["uploadId"], started["key"]
    signed = json.loads(reader.request(
        "GET", f"{base}/{upload_id}/1?key={key}", headers=headers).data)["url"]
    assert urlsplit(signed).port == urlsplit(app_config.S3_ENDPOINT_URL).port
    put = requests.put(signed, data=payload, timeout=30)
    assert put.status_code == 200
    done = reader.request("POST", f"{base}/{upload_id}/hoan-tat?key={key}", headers=headers,
                          body=json.dumps({"parts": [{"PartNumber": 1,
                                                      "ETag": put.headers["ETag"]}]}))
    assert done.status == 200, done.data
    db.session.expire_all()
    video = db.session.get(Article, article.id).asset("video")
    assert video.source_key == key and video.status is MediaStatus.queued
    count(1)

    addresses = set(db.session.scalars(select(AuditEntry.ip).where(
        AuditEntry.action == "login.failed")))
    assert addresses == {READER}  # the reader's address, not nginx's, nor what it claimed
    count(1)


def sample_video() -> bytes:
    import tempfile

    from media_pipeline.samples import make_video

    with tempfile.TemporaryDirectory() as tmp:
        return make_video(Path(tmp) / "clip.mp4", seconds=1, size=(160, 120)).read_bytes()
