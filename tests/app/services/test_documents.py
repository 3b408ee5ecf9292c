"""The documents library (văn bản): editors upload PDF/DOCX files, readers filter and download."""

import io
import re
import zipfile
from datetime import date

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Document, Role
from app.services.documents import make_search_text, seed_demo_documents
from tests.conftest import csrf_token

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIELDS = {"number": "05-NQ/TU", "doc_type": "Nghị quyết", "issuer": "Tỉnh ủy Hòa An",
          "signer": "Nguyễn Văn Thành", "issued_on": "2026-01-12", "effective_on": "15/01/2026",
          "summary": "Về phát triển kinh tế số tỉnh Hòa An giai đoạn 2026 - 2030",
          "published": "on"}


def make_pdf(text: str = "Van ban thu nghiem") -> bytes:
    """A small, valid one-page PDF written by hand (offsets computed, so readers open it)."""
    stream = f"BT /F1 18 Tf 50 780 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def make_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document><w:body>Kế hoạch</w:body></w:document>")
    return buf.getvalue()


def make_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def make_plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("ghi-chu.txt", "không phải văn bản Word")
    return buf.getvalue()


def post(client, url: str, fields: dict, file: tuple[bytes, str] | None = None):
    data = {"csrf_token": csrf_token(client, "/bien-tap/van-ban"), **fields}
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    return client.post(url, data=data, content_type="multipart/form-data")


def add_document(number: str, doc_type: str, issuer: str, issued_on: date, summary: str,
                 published: bool = True) -> Document:
    """A row straight in the database, for the list and filter tests (no file needed)."""
    doc = Document(number=number, doc_type=doc_type, issuer=issuer, signer="", summary=summary,
                   issued_on=issued_on, slug=re.sub(r"\W+", "-", number.lower()) + "-x",
                   published=published, file_name="", file_size=0, file_type="",
                   search_text=make_search_text(number, doc_type, issuer, "", summary))
    db.session.add(doc)
    db.session.commit()
    return doc


@pytest.fixture(autouse=True)
def empty_documents_folder(store):
    """The bucket lives for the whole session: start each test with no document files."""
    store.delete_prefix("documents/")


def stored_documents(store) -> list[str]:
    return store.list_keys("documents/")


def test_an_editor_adds_a_pdf_readers_list_it_open_it_and_download_it(login, client, store):
    client = login("bientap", role=Role.editor)
    pdf = make_pdf()
    response = post(client, "/bien-tap/van-ban", FIELDS, (pdf, "Nghị quyết 05.pdf"))
    assert response.status_code == 303
    doc = db.session.scalar(select(Document))
    assert doc.slug == "nghi-quyet-05-nq-tu-2026"
    assert re.fullmatch(rf"documents/{doc.id}/[0-9a-f]{{16}}\.pdf", doc.file_key)
    assert doc.effective_on == date(2026, 1, 15)  # dd/mm/yyyy and ISO both read

    listing = client.get("/van-ban/").get_data(as_text=True)
    assert "05-NQ/TU" in listing and "12/01/2026" in listing and "Tỉnh ủy Hòa An" in listing
    assert 'href="/van-ban/nghi-quyet-05-nq-tu-2026"' in listing
    assert f"(PDF, {len(pdf)} B)" in listing

    page = client.get("/van-ban/nghi-quyet-05-nq-tu-2026").get_data(as_text=True)
    for text in ("Nguyễn Văn Thành", "15/01/2026", "Về phát triển kinh tế số", "<dl",
                 'property="og:title" content="Nghị quyết số 05-NQ/TU"'):
        assert text in page
    url = re.search(r'href="([^"]+\.pdf)"', page).group(1)
    download = requests.get(url, timeout=10)
    assert download.status_code == 200 and download.content == pdf
    assert download.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt%2005.pdf" in \
        download.headers["Content-Disposition"]


def test_a_docx_is_accepted_by_its_content(login, store):
    client = login("bientap", role=Role.editor)
    fields = {**FIELDS, "doc_type": "Kế hoạch", "number": "126/KH-UBND"}
    # Named .pdf by mistake: what the bytes are decides, and the stored name follows them.
    assert post(client, "/bien-tap/van-ban", fields, (make_docx(), "ke-hoach.pdf")) \
        .status_code == 303
    doc = db.session.scalar(select(Document))
    assert doc.file_type == "docx" and doc.file_name == "ke-hoach.docx"
    head = store.client.head_object(Bucket=store.bucket, Key=doc.file_key)
    assert head["ContentType"] == DOCX_TYPE


@pytest.mark.parametrize("content, name", [
    (b"Day chi la van ban thuong, khong phai PDF.", "gia-mao.pdf"),
    (make_png(), "anh.pdf"),
    (b"", "rong.pdf"),
    (make_plain_zip(), "nen.docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "cu.docx"),  # an old .doc renamed
    (b"%PDF-1.4\n1 0 obj <<>> endobj\n", "cut.pdf"),  # a PDF cut short: no %%EOF
])
def test_a_file_that_is_not_a_real_pdf_or_docx_is_refused(login, store, content, name):
    client = login("bientap", role=Role.editor)
    response = post(client, "/bien-tap/van-ban", FIELDS, (content, name))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "PDF" in page and ("không phải PDF" in page or "rỗng" in page)
    assert 'value="05-NQ/TU"' in page and "Về phát triển kinh tế số" in page  # values kept
    assert db.session.scalar(select(func.count(Document.id))) == 0
    assert stored_documents(store) == []


def test_an_oversized_file_is_refused_with_the_limit(login, store, app, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 2048)
    client = login("bientap", role=Role.editor)
    response = post(client, "/bien-tap/van-ban", FIELDS, (make_pdf("x" * 3000), "lon.pdf"))
    assert response.status_code == 422
    assert "Tệp quá lớn: tối đa 2 KB." in response.get_data(as_text=True)
    assert db.session.scalar(select(Document)) is None and stored_documents(store) == []


def test_missing_fields_and_dates_out_of_order_are_explained(login, store):
    client = login("bientap", role=Role.editor)
    response = post(client, "/bien-tap/van-ban", {**FIELDS, "number": " ", "issued_on": "31/02"},
                    (make_pdf(), "a.pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hãy nhập số, ký hiệu văn bản." in page and "Hãy nhập ngày ban hành" in page
    response = post(client, "/bien-tap/van-ban", {**FIELDS, "effective_on": "2025-12-31"},
                    (make_pdf(), "a.pdf"))
    assert response.status_code == 422
    assert "Ngày hiệu lực không thể trước ngày ban hành." in response.get_data(as_text=True)
    response = post(client, "/bien-tap/van-ban", FIELDS)  # a new document needs its file
    assert response.status_code == 422 and "Hãy đính kèm tệp" in response.get_data(as_text=True)
    assert db.session.scalar(select(Document)) is None and stored_documents(store) == []


def test_control_characters_in_fields_are_dropped_not_a_500(login):
    client = login("bientap", role=Role.editor)
    fields = {**FIELDS, "number": "05\x00-NQ/TU", "summary": "Kinh tế\x00 số\r\nnăm 2026"}
    assert post(client, "/bien-tap/van-ban", fields, (make_pdf(), "a\x00b.pdf")) \
        .status_code == 303
    doc = db.session.scalar(select(Document))
    assert (doc.number, doc.summary, doc.file_name) == ("05-NQ/TU", "Kinh tế số\nnăm 2026",
                                                        "ab.pdf")


def test_a_bad_replacement_keeps_the_old_file_and_a_good_one_replaces_it(login, store):
    client = login("bientap", role=Role.editor)
    post(client, "/bien-tap/van-ban", FIELDS, (make_pdf("ban dau"), "goc.pdf"))
    doc = db.session.scalar(select(Document))
    old_key, url = doc.file_key, f"/bien-tap/van-ban/{doc.id}"

    response = post(client, url, {**FIELDS, "summary": "Trích yếu mới"}, (make_png(), "x.pdf"))
    assert response.status_code == 422
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    assert doc.file_key == old_key and doc.summary == FIELDS["summary"]
    assert stored_documents(store) == [old_key]

    assert post(client, url, {**FIELDS, "signer": "Lê Văn B"}).status_code == 303  # no new file
    db.session.expire_all()
    assert db.session.get(Document, doc.id).file_key == old_key

    new_pdf = make_pdf("ban thay the")
    assert post(client, url, FIELDS, (new_pdf, "thay.pdf")).status_code == 303
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    assert doc.file_key != old_key and doc.file_name == "thay.pdf"
    assert stored_documents(store) == [doc.file_key]  # the old object is gone
    assert requests.get(store.url(doc.file_key), timeout=10).content == new_pdf


def test_filters_and_search_without_diacritics(client):
    add_document("05-NQ/TU", "Nghị quyết", "Tỉnh ủy Hòa An", date(2026, 1, 12),
                 "Về phát triển kinh tế số")
    add_document("126/KH-UBND", "Kế hoạch", "Ủy ban nhân dân tỉnh", date(2025, 3, 2),
                 "Kế hoạch trồng cây xanh năm 2025")
    add_document("412/SYT-NVY", "Công văn", "Sở Y tế", date(2026, 4, 7),
                 "Về việc tiêm chủng mở rộng theo Quyết định 105-NQ/2005")
    add_document("2005/QĐ-UBND", "Quyết định", "Ủy ban nhân dân tỉnh", date(2026, 2, 1),
                 "Quyết định chưa công bố", published=False)

    def numbers(query: str) -> list[str]:
        response = client.get(f"/van-ban/{query}")
        assert response.status_code == 200
        rows = response.get_data(as_text=True).split("<tbody>")[-1]
        return re.findall(r'<th scope="row"[^>]*><a [^>]+>([^<]+)</a>', rows)

    assert numbers("") == ["412/SYT-NVY", "05-NQ/TU", "126/KH-UBND"]  # newest issued first
    assert numbers("?loai=K%E1%BA%BF+ho%E1%BA%A1ch") == ["126/KH-UBND"]
    assert numbers("?co-quan=S%E1%BB%9F+Y+t%E1%BA%BF") == ["412/SYT-NVY"]
    assert numbers("?nam=2026") == ["412/SYT-NVY", "05-NQ/TU"]
    assert numbers("?q=ke+hoach") == ["126/KH-UBND"]
    assert numbers("?q=05-nq") == ["05-NQ/TU"]  # words are matched from their start:
    assert numbers("?q=05") == ["05-NQ/TU"]  # not "105-NQ" nor "2005"
    assert numbers("?q=5") == ["05-NQ/TU"]  # the same number
    assert numbers("?q=TIÊM+chủng") == ["412/SYT-NVY"]
    assert numbers("?q=2005") == ["412/SYT-NVY"]  # the unpublished one is not listed
    assert numbers("?nam=2026&q=kinh+te") == ["05-NQ/TU"]
    assert "Không có văn bản nào khớp" in client.get("/van-ban/?q=khongco").get_data(as_text=True)


def test_the_list_is_paginated(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENTS_PER_PAGE", 2)
    for day in range(1, 4):
        add_document(f"{day}/TB-UBND", "Thông báo", "Ủy ban nhân dân tỉnh", date(2026, 5, day),
                     f"Thông báo số {day}")
    second = client.get("/van-ban/?trang=2&loai=Th%C3%B4ng+b%C3%A1o").get_data(as_text=True)
    assert "Trang 2/2" in second and "1/TB-UBND" in second and "3/TB-UBND" not in second
    assert "trang=1&amp;loai=Th%C3%B4ng+b%C3%A1o" in second  # the pager keeps the filters


@pytest.mark.parametrize("query", [
    "?loai=Kh%C3%B4ng+c%C3%B3", "?nam=abc", "?nam=99999999999999999999", "?nam=-5",
    "?trang=99999999999", "?trang=abc", "?co-quan=x", "?q=" + "a" * 5000, "?q=%25%27%22_",
    "?q=%00", "?loai[]=x&nam=&trang=-1"])
def test_bad_filter_values_are_ignored_never_500(client, query):
    add_document("05-NQ/TU", "Nghị quyết", "Tỉnh ủy Hòa An", date(2026, 1, 12), "Kinh tế số")
    assert client.get(f"/van-ban/{query}").status_code == 200


def test_unknown_and_unpublished_documents_are_404(client):
    add_document("7/BC-UBND", "Báo cáo", "Ủy ban nhân dân tỉnh", date(2026, 1, 1), "Nháp",
                 published=False)
    for slug in ("khong-co", "7-bc-ubnd-x"):
        response = client.get(f"/van-ban/{slug}")
        assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True)


def test_contributors_cannot_manage_documents(login, client):
    doc = add_document("05-NQ/TU", "Nghị quyết", "Tỉnh ủy Hòa An", date(2026, 1, 12), "x")
    assert client.get("/bien-tap/van-ban").status_code == 302  # to the login page
    contributor = login("ctv", role=Role.contributor)
    token = csrf_token(contributor, "/bien-tap/")
    assert contributor.get("/bien-tap/van-ban").status_code == 403
    assert contributor.get(f"/bien-tap/van-ban/{doc.id}").status_code == 403
    for url in ("/bien-tap/van-ban", f"/bien-tap/van-ban/{doc.id}/xoa",
                f"/bien-tap/van-ban/{doc.id}/cong-bo"):
        assert contributor.post(url, data={"csrf_token": token}).status_code == 403
    assert db.session.get(Document, doc.id) is not None


def test_unpublish_publish_and_delete_with_its_file(login, store):
    client = login("quantri", role=Role.admin)
    post(client, "/bien-tap/van-ban", FIELDS, (make_pdf(), "nq.pdf"))
    doc = db.session.scalar(select(Document))
    token = csrf_token(client, "/bien-tap/van-ban")
    client.post(f"/bien-tap/van-ban/{doc.id}/cong-bo", data={"csrf_token": token,
                                                             "published": "0"})
    assert client.get(f"/van-ban/{doc.slug}").status_code == 404
    assert "05-NQ/TU" not in client.get("/van-ban/").get_data(as_text=True).split("<main")[1]
    client.post(f"/bien-tap/van-ban/{doc.id}/cong-bo", data={"csrf_token": token,
                                                             "published": "1"})
    assert client.get(f"/van-ban/{doc.slug}").status_code == 200
    response = client.post(f"/bien-tap/van-ban/{doc.id}/xoa", data={"csrf_token": token})
    assert response.status_code == 303
    assert db.session.scalar(select(Document)) is None and stored_documents(store) == []
    assert client.get(f"/van-ban/{doc.slug}").status_code == 404


def test_the_same_number_twice_gets_its_own_address(login):
    client = login("bientap", role=Role.editor)
    for _ in range(2):
        assert post(client, "/bien-tap/van-ban", FIELDS, (make_pdf(), "a.pdf")).status_code == 303
    slugs = sorted(db.session.scalars(select(Document.slug)))
    assert slugs == ["nghi-quyet-05-nq-tu-2026", "nghi-quyet-05-nq-tu-2026-2"]


def test_demo_documents_are_seeded_once_with_real_pdfs(app, store):
    first = seed_demo_documents()
    assert len(first) >= 8
    assert seed_demo_documents() == []
    assert db.session.scalar(select(func.count(Document.id))) == len(first)
    keys = stored_documents(store)
    assert len(keys) == len(first)
    body = requests.get(store.url(keys[0]), timeout=10).content
    assert body.startswith(b"%PDF-") and b"%%EOF" in body[-1024:]
