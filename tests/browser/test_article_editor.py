"""The rich-text editor in a real browser: an article opened and saved unchanged keeps its
HTML; a word bolded is stored as <strong>; a picture placed with its caption is stored as a
figure; the form is saved automatically."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.media.storage_keys import shown
from app.models import Article, ArticleImage, Autosave
from app.services import drafting
from app.services.publishing import sanitize_html

from .conftest import DESKTOP


def picture(size=(1800, 1200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 120, 80)).save(buf, "JPEG")
    return buf.getvalue()


def body_with_figure(store, image: ArticleImage) -> str:
    return sanitize_html(
        "<p>Sáng nay, lễ khánh thành cầu Hòa An diễn ra trang trọng.</p>"
        "<h2>Công trình trọng điểm</h2><ul><li>Dài 1,2 km</li><li>Bốn làn xe</li></ul>"
        f'<figure><img src="{store.url(shown(image.key))}" alt="{image.caption}" '
        f'width="{image.width}" height="{image.height}">'
        f"<figcaption>{image.caption}</figcaption></figure><p>Kết thúc.</p>")


def open_editor(browser, live_server, article_id: int | None):
    context = browser.new_context(**DESKTOP, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Quill, the picture dialog and autosave run under the portal's CSP: any refusal fails.
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.clock.install()  # autosave's 15 s pass on demand
    page.goto(live_server + "/bien-tap/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill("mat-khau-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server + (f"/bien-tap/bai-viet/{article_id}" if article_id
                             else "/bien-tap/bai-viet/moi"))
    expect(page.locator(".article-editor .ql-toolbar")).to_be_visible()
    return context, page, errors


def save(page) -> None:
    with page.expect_navigation():
        page.locator('form.panel [name="save"]').click()


def stored_body(article_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Article, article_id).body_html


def test_typing_bolding_placing_a_picture_and_autosave_in_the_rich_text_editor(
        live_server, browser, make_user, make_article, store, shoot):
    make_user("bientap", password="mat-khau-dung")
    article = make_article("Khánh thành cầu Hòa An", publish=False)
    image = drafting.add_body_image(article, io.BytesIO(picture()), "Cầu Hòa An nhìn từ trên cao",
                                    None)
    original = body_with_figure(store, image)
    article.body_html = original
    db.session.commit()
    context, page, errors = open_editor(browser, live_server, article.id)
    editor = page.locator(".article-editor .ql-editor")
    expect(editor.locator("h2")).to_have_text("Công trình trọng điểm")
    expect(editor.locator("figure figcaption")).to_have_text("Cầu Hòa An nhìn từ trên cao")
    expect(page.locator('textarea[name="body_html"]')).to_be_hidden()
    shoot(page, "editor-1-opened")

    # Opened and saved unchanged: the same HTML. (The draft's picture is private: the editor
    # shows it through a signed URL, and the stored body names it by its public address.)
    assert "X-Amz-Signature" in editor.locator("figure img").get_attribute("src")
    save(page)
    assert stored_body(article.id) == original

    # A word typed and bolded is stored as <strong>.
    editor.locator("p").last.click()
    page.keyboard.press("End")
    page.keyboard.type(" Xin cảm ơn")
    page.keyboard.press("Shift+Control+ArrowLeft")
    page.keyboard.press("Control+b")
    expect(editor.locator("strong")).to_have_text("ơn")  # the word after the last boundary…
    save(page)
    body = stored_body(article.id)
    assert re.search(r"<p>Kết thúc\. Xin cảm <strong>ơn</strong></p>$", body), body
    assert "&nbsp;" not in body

    # The toolbar's picture button: choose a file, give a caption, it is placed as a figure.
    editor.locator("h2").click()
    page.keyboard.press("End")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Chèn ảnh có chú thích").click()
    chooser.value.set_files(files=[{"name": "cau.jpg", "mimeType": "image/jpeg",
                                    "buffer": picture((900, 600))}])
    dialog = page.get_by_role("dialog", name="Chèn ảnh vào bài")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Chú thích cho ảnh (có thể để trống)").fill("Lễ cắt băng khánh thành")
    dialog.get_by_role("button", name="Tải lên và chèn").click()
    expect(editor.locator("figure figcaption", has_text="Lễ cắt băng khánh thành")).to_be_visible()
    shoot(page, "editor-2-picture-placed")

    # Autosave: after 15 s the form is kept (the article is not), and the page says so.
    page.get_by_label("Tiêu đề", exact=True).fill("Khánh thành cầu Hòa An (cập nhật)")
    page.clock.run_for(16_000)
    expect(page.locator('[data-role="autosave-status"]')).to_have_text(
        re.compile(r"Đã tự động lưu lúc \d\d:\d\d"))
    row = db.session.scalar(select(Autosave))
    assert row.fields["title"] == "Khánh thành cầu Hòa An (cập nhật)"
    assert "Lễ cắt băng khánh thành" in row.fields["body_html"]
    assert stored_body(article.id) != row.fields["body_html"]

    save(page)
    placed = db.session.scalar(select(ArticleImage).where(
        ArticleImage.caption == "Lễ cắt băng khánh thành"))
    body = stored_body(article.id)
    assert ("<h2>Công trình trọng điểm</h2>"  # placed after the line the caret was on
            f'<figure><img src="{store.url(shown(placed.key))}" alt="Lễ cắt băng khánh thành" '
            'width="900" height="600"><figcaption>Lễ cắt băng khánh thành</figcaption>'
            "</figure><ul>") in body, body
    db.session.expire_all()
    assert db.session.scalar(select(Autosave)) is None  # saved: the autosave is gone

    # The preview: the draft as readers will see it, marked as such.
    page.get_by_role("link", name="Xem trước").click()
    expect(page.get_by_text("Bản xem trước — chưa xuất bản")).to_be_visible()
    expect(page.locator(".article__body figcaption").first).to_have_text("Lễ cắt băng khánh thành")
    shoot(page, "editor-3-preview")
    assert not errors, errors
    context.close()


def test_a_new_article_must_be_saved_before_placing_a_picture(
        live_server, browser, make_user):
    make_user("bientap", password="mat-khau-dung")
    context, page, errors = open_editor(browser, live_server, None)
    page.get_by_role("button", name="Chèn ảnh có chú thích").click()
    expect(page.locator('[data-role="editor-notice"]')).to_have_text(
        "Hãy lưu bài viết một lần trước khi chèn ảnh.")
    assert not errors, errors
    context.close()


def test_a_body_with_a_table_opens_as_html_and_is_kept_whole(
        live_server, browser, make_user, make_article):
    make_user("bientap", password="mat-khau-dung")
    body = ("<p>Kết quả bầu cử:</p><table><tbody><tr><th>Xã</th><th>Tỷ lệ</th></tr>"
            "<tr><td>Hòa An</td><td>99,8%</td></tr></tbody></table><hr><p>Hết.</p>")
    article = make_article("Kết quả bầu cử", publish=False, body_html=body)
    context, page, errors = open_editor(browser, live_server, article.id)
    expect(page.locator('[data-role="editor-notice"]')).to_contain_text("sửa mã HTML trực tiếp")
    textarea = page.locator('textarea[name="body_html"]')
    expect(textarea).to_be_visible()
    expect(page.locator(".article-editor .ql-editor")).to_be_hidden()
    textarea.fill(textarea.input_value().replace("99,8%", "99,9%"))
    save(page)
    assert stored_body(article.id) == sanitize_html(body.replace("99,8%", "99,9%"))
    assert not errors, errors
    context.close()
