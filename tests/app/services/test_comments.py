"""Reader comments: posted, held for moderation, shown escaped once approved."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, CommentStatus, Role
from tests.conftest import csrf_token

THANKS = "Cảm ơn bạn! Ý kiến sẽ hiển thị sau khi được Ban Biên tập duyệt."


def post(client, article, environ=None, **fields):
    url = f"/bai-viet/{article.slug}"
    form = {"ho_ten": "Nguyễn Văn An",
            "email": "an@example.vn", "y_kien": "Bài viết rất hữu ích.\nCảm ơn tòa soạn.",
            "website": ""}
    form.update(fields)
    return client.post(f"{url}/binh-luan", data=form, environ_base=environ or {})


def stored() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def queue_action(client, comment, action):
    token = csrf_token(client, "/bien-tap/binh-luan")
    return client.post(f"/bien-tap/binh-luan/{comment.id}/{action}", data={"csrf_token": token})


def test_a_comment_waits_for_an_editor_then_shows_under_the_article(client, make_article,
                                                                     login):
    article = make_article()
    response = post(client, article)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/bai-viet/{article.slug}#binh-luan")
    comment = db.session.scalar(select(Comment))
    assert comment.status is CommentStatus.pending and len(comment.ip_hash) == 64
    assert "127.0.0.1" not in comment.ip_hash
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert THANKS in page and "Ý kiến bạn đọc (0)" in page
    assert "Bài viết rất hữu ích" not in page

    editor = login("bientap", role=Role.editor)
    queue = editor.get("/bien-tap/binh-luan").get_data(as_text=True)
    assert "Nguyễn Văn An" in queue and "an@example.vn" in queue and article.title in queue
    assert "1 ý kiến chờ duyệt" in queue
    assert queue_action(editor, comment, "duyet").status_code == 303
    db.session.expire_all()
    assert comment.status is CommentStatus.approved
    assert comment.moderated_by.username == "bientap" and comment.moderated_at is not None
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "Ý kiến bạn đọc (1)" in page and "Nguyễn Văn An" in page
    assert "Bài viết rất hữu ích.\nCảm ơn tòa soạn." in page  # line break kept
    assert "an@example.vn" not in page  # the email is never public


def test_html_from_readers_is_shown_escaped(client, make_article, login):
    article = make_article()
    post(client, article, ho_ten="<b>Kẻ xấu</b>", y_kien="<script>alert(1)</script> chào")
    editor = login("bientap", role=Role.editor)
    queue = editor.get("/bien-tap/binh-luan").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in queue and "<script>alert" not in queue
    queue_action(editor, db.session.scalar(select(Comment)), "duyet")
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; chào" in page
    assert "&lt;b&gt;Kẻ xấu&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>Kẻ xấu" not in page


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(client, make_article):
    article = make_article()
    response = post(client, article, website="http://spam.example")
    assert response.status_code == 303 and stored() == 0
    assert THANKS in client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)


def test_bad_input_is_refused_with_the_text_kept(client, make_article, app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENT_MAX_CHARS", 100)
    article = make_article()
    too_long = post(client, article, y_kien="Dài quá " * 30)
    assert too_long.status_code == 422
    assert "vượt quá giới hạn 100 ký tự" in too_long.get_data(as_text=True)
    links = "Xem https://a.example và http://b.example và www.c.example nhé"
    too_many = post(client, article, y_kien=links)
    page = too_many.get_data(as_text=True)
    assert too_many.status_code == 422 and "quá nhiều đường dẫn" in page
    assert links in page  # what the reader typed is still in the form
    for fields in ({"ho_ten": "  "}, {"y_kien": ""}, {"email": "khong-phai-email"},
                   {"y_kien": "\x00\x00"}):
        assert post(client, article, **fields).status_code == 422, fields
    assert stored() == 0


def test_too_many_comments_from_one_address_get_429_others_are_not_limited(
        client, make_article, app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENT_RATE_LIMIT", 2)
    article = make_article()
    one = {"REMOTE_ADDR": "203.0.113.7"}
    assert [post(client, article, one).status_code for _ in range(2)] == [303, 303]
    third = post(client, article, one, y_kien="Ý kiến thứ ba của tôi")
    assert third.status_code == 429
    assert int(third.headers["Retry-After"]) > 0
    text = third.get_data(as_text=True)
    assert "Bạn gửi ý kiến quá nhanh" in text and "Ý kiến thứ ba của tôi" in text
    assert post(client, article, {"REMOTE_ADDR": "198.51.100.9"}).status_code == 303
    assert stored() == 3


def test_comments_are_accepted_when_redis_is_down(client, make_article, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.delitem(app.extensions, "redis", raising=False)
    article = make_article()
    assert post(client, article).status_code == 303 and stored() == 1
    app.extensions.pop("redis", None)  # the next test connects to the real one again


def test_contributors_cannot_moderate(client, make_article, login):
    article = make_article()
    post(client, article)
    comment = db.session.scalar(select(Comment))
    contributor = login("congtacvien", role=Role.contributor)
    assert contributor.get("/bien-tap/binh-luan").status_code == 403
    token = csrf_token(contributor, f"/bai-viet/{article.slug}")
    response = contributor.post(f"/bien-tap/binh-luan/{comment.id}/duyet",
                                data={"csrf_token": token})
    assert response.status_code == 403
    db.session.expire_all()
    assert comment.status is CommentStatus.pending and comment.moderated_by_id is None


def test_rejecting_hides_a_comment_and_the_tabs_list_it(client, make_article, login):
    article = make_article()
    post(client, article, y_kien="Ý kiến sẽ bị từ chối")
    comment = db.session.scalar(select(Comment))
    editor = login("bientap", role=Role.editor)
    queue_action(editor, comment, "duyet")
    assert "Ý kiến sẽ bị từ chối" in client.get(f"/bai-viet/{article.slug}").get_data(True)
    queue_action(editor, comment, "tu-choi")
    page = client.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    assert "Ý kiến sẽ bị từ chối" not in page and "Ý kiến bạn đọc (0)" in page
    rejected = editor.get("/bien-tap/binh-luan?trang-thai=tu-choi").get_data(as_text=True)
    assert "Ý kiến sẽ bị từ chối" in rejected
    assert "Ý kiến sẽ bị từ chối" not in editor.get("/bien-tap/binh-luan").get_data(True)
    assert queue_action(editor, comment, "xoa").status_code == 303 and stored() == 0


def test_unknown_or_unpublished_articles_take_no_comments(client, make_article, login):
    draft = make_article("Bản nháp chưa đăng", publish=False)
    for slug in ("khong-co-bai-nay", draft.slug):
        response = client.post(f"/bai-viet/{slug}/binh-luan", data={
            "ho_ten": "An", "email": "an@example.vn", "y_kien": "Chào"})
        assert response.status_code == 404
    assert stored() == 0
    staff = login("bientap", role=Role.editor)
    assert staff.get(f"/bai-viet/{draft.slug}").status_code == 404  # staff use the preview
    preview = staff.get(f"/bien-tap/bai-viet/{draft.id}/xem-truoc")
    assert preview.status_code == 200 and "Ý kiến bạn đọc" not in preview.get_data(True)


def test_the_pending_count_is_what_waits(client, make_article):
    from app.services.comments import pending_comment_count

    article = make_article()
    post(client, article)
    post(client, article, ho_ten="Trần Thị Bình")
    assert pending_comment_count() == 2


def test_the_form_carries_no_token_so_article_pages_can_be_shared_but_origin_is_checked(
        client, make_article):
    """Anonymous article pages hold nothing personal (no CSRF token, no session cookie), so the
    page cache can serve them to everyone; a post from another site's page is refused."""
    article = make_article()
    page = client.get(f"/bai-viet/{article.slug}")
    assert "csrf_token" not in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    response = post(client, article, environ={"HTTP_ORIGIN": "https://evil.example"})
    assert response.status_code == 403 and stored() == 0
    assert post(client, article, environ={"HTTP_ORIGIN": "http://localhost"}).status_code == 303
    assert stored() == 1
