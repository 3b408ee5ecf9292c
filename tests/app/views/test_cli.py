import json
from pathlib import Path

from rq import Queue
from sqlalchemy import func, select

from app.extensions import db
from app.media.queues import SERIALIZER
from app.models import Article, ArticleRevision, ArticleStatus, AuditEntry, MediaStatus
from media_pipeline.samples import make_video

FIXTURE = Path(__file__).parents[2] / "fixtures" / "article.json"


def test_import_creates_and_publishes_then_updates_by_slug(runner, redis_conn):
    result = runner.invoke(args=["articles", "import", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    article_id, slug = result.output.split()
    article = db.session.get(Article, int(article_id))
    assert slug == "tinh-uy-hoa-an-trien-khai-so-hoa-tai-lieu-luu-tru-nam-2026"
    assert article.status is ArticleStatus.published
    assert article.unit.name == "Văn phòng Tỉnh ủy" and article.category.name == "Xây dựng Đảng"
    assert article.view_count == 120
    assert article.published_at.isoformat() == "2026-01-18T01:00:00+00:00"  # 08:00 in Vietnam
    assert article.asset("audio").status is MediaStatus.queued

    again = runner.invoke(args=["articles", "import", str(FIXTURE)])
    assert again.output.split()[0] == article_id
    assert db.session.scalar(select(func.count(Article.id))) == 1
    # Same text: no second narration job.
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 1


def test_an_import_takes_the_editors_path_a_revision_an_audit_entry_and_the_version(runner):
    """The importer publishes through the workflow like an editor: its steps are in the
    article's history under the actor "import", and a changed re-import is a new revision."""
    first = runner.invoke(args=["articles", "import", str(FIXTURE)])
    article = db.session.get(Article, int(first.output.split()[0]))
    version = article.version
    revisions = db.session.scalars(select(ArticleRevision.number).where(
        ArticleRevision.article_id == article.id)).all()
    assert revisions and max(revisions) == version
    actions = db.session.execute(select(AuditEntry.action, AuditEntry.username).where(
        AuditEntry.target_type == "articles", AuditEntry.target_id == article.id)
        .order_by(AuditEntry.id)).all()
    assert ("article.publish", "import") in actions
    assert {username for _, username in actions} == {"import"}
    item = json.loads(FIXTURE.read_text(encoding="utf-8"))
    item["lede"] = "Sapo đã sửa khi nhập lại."
    changed = FIXTURE.parent.parent / "changed-import.json"
    try:
        changed.write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
        runner.invoke(args=["articles", "import", str(changed)])
    finally:
        changed.unlink()
    db.session.expire_all()
    article = db.session.get(Article, article.id)
    assert article.version == version + 1 and article.lede == "Sapo đã sửa khi nhập lại."
    assert db.session.scalars(select(ArticleRevision.number).where(
        ArticleRevision.article_id == article.id).order_by(ArticleRevision.number)
    ).all()[-1:] == [version + 1]


def test_import_of_a_list_with_a_bad_item_says_what_is_missing(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"title": "Không có nội dung"}]), encoding="utf-8")
    result = runner.invoke(args=["articles", "import", str(bad)])
    assert result.exit_code != 0
    assert "body_html" in result.output
    assert db.session.scalar(select(func.count(Article.id))) == 0


def test_import_rejects_broken_json(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["articles", "import", str(bad)])
    assert result.exit_code != 0 and "Tệp JSON không hợp lệ" in result.output


def test_attach_video_takes_the_same_path_as_an_upload(runner, make_article, redis_conn,
                                                       tmp_path, store):
    article = make_article()
    clip = make_video(tmp_path / "clip.mp4", 1, (320, 240))
    result = runner.invoke(args=["media", "attach-video", str(article.id), str(clip)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    video = article.asset("video")
    assert video.status is MediaStatus.queued and store.exists(video.source_key)
    assert Queue("video", connection=redis_conn, serializer=SERIALIZER).count == 1


def test_attach_video_to_a_missing_article_is_an_error(runner, tmp_path):
    clip = tmp_path / "x.mp4"
    clip.write_bytes(b"x")
    result = runner.invoke(args=["media", "attach-video", "424242", str(clip)])
    assert result.exit_code != 0 and "Không có bài viết số 424242" in result.output


def test_demo_seed_fills_every_part_of_the_portal_once(runner, client, redis_conn):
    """`make run`'s content: articles, documents, schedules and a banner; a rerun adds nothing."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Article, Banner, Document, ScheduleEntry

    for _ in range(2):
        result = runner.invoke(args=["demo", "seed", "--no-video"])
        assert result.exit_code == 0, result.output
    counts = [db.session.scalar(select(func.count(m.id)))
              for m in (Article, Document, ScheduleEntry, Banner)]
    assert counts == [7, 8, 12, 1]  # 4 published, 3 units' articles in the newsroom
    statuses = sorted(a.status.value for a in db.session.scalars(select(Article)))
    assert statuses == ["published"] * 4 + ["returned"] + ["submitted"] * 2
    home = client.get("/").get_data(as_text=True)
    # the demo's banner is a public-service notice, labelled as one (not "Quảng cáo")
    assert 'aria-label="Thông tin tuyên truyền"' in home
    assert "Dịch vụ công trực tuyến tỉnh Hòa An" in home
    # the fictional province's identity, in the footer a state portal must have
    assert "Cơ quan chủ quản: Tỉnh ủy Hòa An" in home and "banbientap@hoaan.test" in home
