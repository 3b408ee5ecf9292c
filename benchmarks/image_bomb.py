"""Memory of a web process refusing a decompression bomb: a 13,000 × 13,000 PNG (169 million
pixels, ~30 KB on disk) posted as a body picture, a cover and a banner.

    .venv/bin/python benchmarks/image_bomb.py

Each case runs in a fresh process: the portal (create_app, a throwaway SQLite database, the
real routes through Flask's test client), its peak RSS before the upload and after the 422,
and — for scale — what decoding the same picture costs a process that does not check first.
Prints a Markdown table. Needs Redis on 127.0.0.1:6379 (db 13 is used) like the tests; the
object store is never reached (the picture is refused before anything is stored).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASE = r"""
import io, json, re, resource, sys, tempfile
sys.path.insert(0, {root!r})
from PIL import Image

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

bomb = open({bomb!r}, "rb").read()  # made by the parent: making it costs 169 MB too
mode = {mode!r}
if mode == "decode":  # what the same bytes cost without the check
    before = peak_mb()
    Image.MAX_IMAGE_PIXELS = None
    Image.open(io.BytesIO(bomb)).load()
    print(json.dumps({{"before": before, "after": peak_mb(), "status": "decoded",
                      "bytes": len(bomb)}}))
    raise SystemExit
from config import TestConfig
tmp = tempfile.mkdtemp()
class Bench(TestConfig):
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{{tmp}}/bench.sqlite3"
    REDIS_URL = "redis://127.0.0.1:6379/13"
    WTF_CSRF_ENABLED = False
from app import create_app
from app.extensions import db
from app.models import Role, User
from flask_migrate import upgrade
app = create_app(Bench)
with app.app_context():
    upgrade()
    from app.services import workflow
    from app.services.publishing import ArticleInput
    admin = User(username="quantri", role=Role.admin, full_name="Quản trị")
    admin.set_password("mat-khau-dung")
    db.session.add(admin); db.session.commit()
    article = workflow.save(None, ArticleInput(title="Bài", body_html="<p>x</p>"), admin)
    client = app.test_client()
    client.post("/bien-tap/dang-nhap", data={{"username": "quantri", "password": "mat-khau-dung"}})
    before = peak_mb()
    url, field = {{"body": (f"/bien-tap/bai-viet/{{article.id}}/anh", "file"),
                   "cover": (f"/bien-tap/bai-viet/{{article.id}}", "cover"),
                   "banner": ("/bien-tap/quang-cao", "image")}}[mode]
    data = {{field: (io.BytesIO(bomb), "bom.png"), "title": "Bài", "body_html": "<p>x</p>",
            "listen_source": "narration", "category_id": "0", "unit_id": "0",
            "version": str(article.version), "alt_text": "Ảnh", "link_url": "/van-ban/",
            "position": "1"}}
    response = client.post(url, data=data, content_type="multipart/form-data")
    print(json.dumps({{"before": before, "after": peak_mb(), "status": response.status_code,
                      "bytes": len(bomb)}}))
"""


def run(mode: str, bomb: Path) -> dict:
    code = CASE.format(root=str(ROOT), mode=mode, bomb=str(bomb))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.png"
        # In a process of its own: Linux keeps a process's peak RSS across exec, so making the
        # picture here would show in every case's figures.
        subprocess.run([sys.executable, "-c", "from PIL import Image; Image.new('1', "
                        f"(13_000, 13_000)).save({str(bomb)!r}, 'PNG', optimize=True)"],
                       check=True)
        rows = [(mode, run(mode, bomb)) for mode in ("body", "cover", "banner", "decode")]
    print(f"PNG bomb: 13000×13000 px, {rows[0][1]['bytes'] / 1024:.0f} KB on disk\n")
    print("| upload | answer | peak RSS before | peak RSS after |")
    print("|---|---|---:|---:|")
    names = {"body": "body picture (web process)", "cover": "cover (web process)",
             "banner": "banner (web process)", "decode": "decoded without the check"}
    for mode, result in rows:
        print(f"| {names[mode]} | {result['status']} | {result['before']:.0f} MB | "
              f"{result['after']:.0f} MB |")


if __name__ == "__main__":
    main()
