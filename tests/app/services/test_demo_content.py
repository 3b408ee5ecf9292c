"""The demo seeds one consistent fictional province, tỉnh Hòa An: no article about a real
province, and each document number cited with one date everywhere (articles, the documents
library, the schedule, the newsroom's waiting articles)."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path

from app.demo import DEMO_IDENTITY, NEWSROOM

DEMO = Path(__file__).resolve().parents[3] / "app" / "demo"
# Vietnam's provinces and centrally-run cities: the 34 since 2025 and the older names still
# in use (the 63 before the merger).
PROVINCES = [
    "Hà Nội", "Huế", "Thừa Thiên Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn",
    "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai",
    "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị",
    "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk",
    "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ",
    "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang", "Hà Giang", "Yên Bái", "Bắc Kạn",
    "Hòa Bình", "Vĩnh Phúc", "Bắc Giang", "Hải Dương", "Thái Bình", "Hà Nam", "Nam Định",
    "Quảng Bình", "Quảng Nam", "Kon Tum", "Bình Định", "Phú Yên", "Ninh Thuận", "Bình Thuận",
    "Đắk Nông", "Bình Phước", "Bình Dương", "Bà Rịa - Vũng Tàu", "Vũng Tàu", "Long An",
    "Tiền Giang", "Bến Tre", "Trà Vinh", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Kiên Giang",
]
# "Nghị quyết số 05-NQ/TU ngày 12/01/2026", "Kế hoạch số 45/KH-UBND ngày 12/5/2026"
CITED = re.compile(r"(?<![\w/-])(\d{1,5}(?:[-/][A-ZĐ][A-ZĐa-z]*)+)"
                   r"(?:\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4}))?")


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def load(name: str) -> list[dict]:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


def demo_texts() -> list[tuple[str, str]]:
    """(where, text) of every piece of demo prose readers see."""
    texts = []
    for article in load("articles.json"):
        for field in ("title", "lede", "body_html", "cover_caption"):
            texts.append((f"articles.json {article['slug']} {field}", article.get(field) or ""))
    for unit, _user, title, lede, body, note in NEWSROOM:
        texts.append((f"newsroom {title}", " ".join([unit, title, lede, body, note or ""])))
    for n, entry in enumerate(load("schedules.json")):
        texts.append((f"schedules.json #{n}", " ".join(
            str(entry.get(field) or "") for field in ("content", "place", "participants"))))
    for document in load("documents.json"):
        texts.append((f"documents.json {document['number']}", document["summary"]))
    texts.append(("site identity", " ".join(DEMO_IDENTITY.values())))
    return [(where, nfc(text)) for where, text in texts]


def canonical(number: str) -> str:
    """"05-NQ/TU" and "5-NQ/TU" are one number."""
    digits, rest = re.match(r"(\d+)(.*)", number).groups()
    return f"{int(digits)}{rest}"


def test_every_document_number_in_the_demo_has_one_date():
    dates: dict[str, dict[date, list[str]]] = {}
    for document in load("documents.json"):
        issued = date.fromisoformat(document["issued_on"])
        dates.setdefault(canonical(nfc(document["number"])), {}).setdefault(issued, []).append(
            "documents.json")
    cited = 0
    for where, text in demo_texts():
        for number, day, month, year in CITED.findall(text):
            if day:
                cited += 1
                dates.setdefault(canonical(number), {}).setdefault(
                    date(int(year), int(month), int(day)), []).append(where)
    assert cited >= 4  # the articles do cite documents: the check reads them
    twice = {number: found for number, found in dates.items() if len(found) > 1}
    assert twice == {}, f"a document number with more than one date: {twice}"


def test_the_cited_documents_in_the_library_have_its_date():
    """An article citing a number the library holds gives the library's date."""
    library = {canonical(nfc(d["number"])): date.fromisoformat(d["issued_on"])
               for d in load("documents.json")}
    for where, text in demo_texts():
        for number, day, month, year in CITED.findall(text):
            if day and canonical(number) in library:
                assert date(int(year), int(month), int(day)) == library[canonical(number)], \
                    (where, number)


def test_no_demo_text_names_a_real_province():
    found = []
    for where, text in demo_texts():
        for province in PROVINCES:
            if re.search(rf"(?<!\w){re.escape(province)}(?!\w)", text):
                found.append((where, province))
    assert found == []
    every_text = " ".join(text for _where, text in demo_texts())
    assert every_text.count("Hòa An") >= 10  # the one province they are about


def test_the_demo_identity_is_complete_and_fictional():
    assert all(DEMO_IDENTITY[field] for field in (
        "name", "governing_body", "responsible", "licence_number", "licence_date", "address",
        "phone", "email"))
    assert "Hòa An" in DEMO_IDENTITY["name"] and "Hòa An" in DEMO_IDENTITY["address"]
    assert DEMO_IDENTITY["email"].endswith(".test")  # a domain that can never be real
