"""Backups that restore: `flask backup` into a folder, `flask restore` into an empty stack,
and every article, revision and media link comes back."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Article, ArticleRevision, MediaAsset, Role
from app.services import documents, workflow
from app.services.backup import referenced_keys
from app.services.publishing import ArticleInput


def snapshot() -> dict:
    """What must come back: each article with its state and links, and every revision."""
    articles = {a.slug: (a.title, a.status.value, a.cover_key, a.version)
                for a in db.session.scalars(select(Article))}
    revisions = sorted((r.article_id, r.number, r.fields["title"])
                       for r in db.session.scalars(select(ArticleRevision)))
    media = sorted((m.article_id, m.kind.value, m.status.value,
                    json.dumps(m.outputs, sort_keys=True))
                   for m in db.session.scalars(select(MediaAsset)))
    return {"articles": articles, "revisions": revisions, "media": media}


def test_a_backup_restores_into_an_empty_stack(app, app_config, make_user, run_worker, store,
                                               tmp_path, runner, empty_database_url):
    editor = make_user("bientap", role=Role.editor)
    for n in range(3):
        article = workflow.save(None, ArticleInput(
            title=f"Tin số {n}", lede="Tóm tắt.", body_html=f"<p>Nội dung bài {n}.</p>"),
            editor, then="publish")
        workflow.save(article, ArticleInput(title=f"Tin số {n} (sửa)", lede="Tóm tắt.",
                                            body_html=f"<p>Nội dung bài {n} đã sửa.</p>"),
                      editor)
    documents.save_document(None, {
        "number": "01/QĐ-UBND", "doc_type": "Quyết định", "issuer": "UBND tỉnh Hòa An",
        "signer": "", "issued_on": "05/01/2026", "summary": "Thử.", "published": "on"},
        documents.Upload(io.BytesIO(documents.demo_pdf(["QĐ"])), "qd.pdf"))
    run_worker()  # narrations in the store
    before = snapshot()
    keys = referenced_keys()
    assert any(k.endswith(".mp3") for k in keys) and any(k.endswith(".pdf") for k in keys)

    target = tmp_path / "sao-luu"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert {item["key"] for item in manifest["media"]} == set(keys)
    assert all(item.get("size") for item in manifest["media"])

    class Empty(app_config):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    restored = create_app(Empty)
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["restore", str(target)])
        assert result.exit_code == 0, result.output
        assert f"{len(keys)}/{len(keys)} tệp media có trong kho" in result.output
        assert snapshot() == before
        for key in referenced_keys():
            assert store.exists(key), key
        again = restored.test_cli_runner().invoke(args=["restore", str(target)])
        assert again.exit_code != 0 and "--force" in again.output  # never over live data
        db.session.remove()
        db.engine.dispose()
