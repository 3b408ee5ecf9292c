"""The written → spoken corpus (tests/pipeline/normalize_corpus.py), one test per sentence,
plus input that must not crash or make the narrator say things that are not in the text.

`python -m tests.pipeline.test_normalize_corpus` prints passed/total per category.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from media_pipeline.normalize import normalize
from tests.pipeline.normalize_corpus import CORPUS, Expected

MIN_PER_CATEGORY = 20
MIN_TOTAL = 400

_PUNCT = re.compile(r"[^\w\s]|_")


def canonical(text: str) -> str:
    """Lowercase, punctuation stripped, whitespace collapsed: only the words count."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def readings(expected: Expected) -> list[str]:
    return [canonical(e) for e in ((expected,) if isinstance(expected, str) else expected)]


def _ids() -> list[str]:
    seen: Counter[str] = Counter()
    ids = []
    for category, _, _ in CORPUS:
        seen[category] += 1
        ids.append(f"{category}-{seen[category]}")
    return ids


@pytest.mark.parametrize(("category", "written", "expected"), CORPUS, ids=_ids())
def test_corpus_sentence(category: str, written: str, expected: Expected) -> None:
    spoken = canonical(normalize(written))
    assert spoken in readings(expected), f"{written!r} → {spoken!r}"


def test_corpus_is_large_enough() -> None:
    """Every category has at least 20 sentences and the corpus at least 400."""
    counts = Counter(category for category, _, _ in CORPUS)
    small = {c: n for c, n in counts.items() if n < MIN_PER_CATEGORY}
    assert not small, small
    assert len(CORPUS) >= MIN_TOTAL
    assert len(counts) >= 14


def test_corpus_entries_are_unique() -> None:
    written = [w for _, w, _ in CORPUS]
    assert len(written) == len(set(written))


def test_a_document_type_is_said_once() -> None:
    """ "Kế hoạch 126/KH-UBND": the type is written before the number and coded after it; a
    presenter says it once ("kế hoạch một trăm hai mươi sáu ủy ban nhân dân"), never
    "kế hoạch … kế hoạch"."""
    types = {"nghị quyết", "quyết định", "kế hoạch", "chỉ thị", "thông tư", "nghị định",
             "công văn", "thông báo", "báo cáo", "tờ trình", "kết luận", "quy định",
             "hướng dẫn", "thông tư liên tịch"}
    for category, written, _ in CORPUS:
        if category != "document":
            continue
        spoken = canonical(normalize(written))
        for doc_type in types:
            said, written_out = spoken.count(doc_type), canonical(written).count(doc_type)
            assert written_out == 0 or said <= written_out, (written, spoken)


# ---------------------------------------------------------------- bad input
# Words the normalizer may add: numbers, dates, times, units and marks read out.
_SAID_FOR_SYMBOLS = set(canonical(
    "không một hai ba bốn tư năm lăm sáu bảy tám chín mười mươi mốt trăm nghìn triệu tỷ lẻ "
    "phẩy phần trăm trên đến ngày tháng năm giờ phút và chấm a còng gạch ngang dưới chéo "
    "cộng").split())


def _invented(written: str, spoken: str) -> set[str]:
    """Words in `spoken` that neither `written` nor a number reading accounts for."""
    allowed = set(canonical(written).split()) | _SAID_FOR_SYMBOLS
    return set(canonical(spoken).split()) - allowed


@pytest.mark.parametrize("written", [
    "123 456 !!! ### *** +++ === 45% ...",
    "0 - 0 / 0 : 0 , 0",
    "1/0 0/0 99/99 31-13 0-0",
    "%%% /// --- ,,, ...",
    "9999999999999999999999999",
    "1.2.3.4.5.6.7 1,2,3,4",
])
def test_numbers_and_symbols_only(written: str) -> None:
    """A sentence of only numbers and symbols is read as numbers, nothing more."""
    spoken = normalize(written)
    assert isinstance(spoken, str)
    assert not _invented(written, spoken), spoken


def test_a_long_run_without_punctuation_is_read_in_full() -> None:
    """2,000 characters with no punctuation: no crash, every word kept, nothing invented."""
    words = "cán bộ đảng viên xã Vị Thủy tham gia lao động 12 ngày 2026 "
    written = (words * 40)[:2000]
    spoken = normalize(written)
    assert not _invented(written, spoken)
    assert canonical(spoken).count("đảng viên") == written.count("đảng viên")
    for run in ("a" * 2000, "1" * 2000, "1/" * 1000, "-1" * 1000, "a." * 1000, "@." * 1000):
        assert not _invented(run, normalize(run)), run[:10]


def test_mixed_vietnamese_and_english_keeps_the_english_words() -> None:
    written = "Hội thảo Digital Transformation Summit diễn ra tại Cần Thơ với 300 khách mời."
    spoken = normalize(written)
    assert "Digital Transformation Summit" in spoken
    assert canonical(spoken) == canonical(
        "Hội thảo Digital Transformation Summit diễn ra tại Cần Thơ với ba trăm khách mời.")


@pytest.mark.parametrize(("written", "expected"), [
    ("Tỉnh ủy &amp; UBND tỉnh", "tỉnh ủy và ủy ban nhân dân tỉnh"),
    ("Hậu&nbsp;Giang&nbsp;đổi mới", "hậu giang đổi mới"),
    ("&#8220;Dân biết, dân làm&#8221;", "dân biết dân làm"),
    ("Mưa&amp;nbsp;lớn", "mưa lớn"),
    ("&lt;b&gt;Tin nóng&lt;/b&gt;", "tin nóng"),
    ("Giá &#36;50 &#x20AC; &unknownentity; tăng", "giá năm mươi đô la ơ rô tăng"),
])
def test_html_entities_are_decoded_never_read(written: str, expected: str) -> None:
    """Entities are decoded (or dropped), never spelled as "amp", "nbsp" or numbers."""
    spoken = canonical(normalize(written))
    for leftover in ("amp", "nbsp", "8220", "8221", "quot", "lt", "gt"):
        assert leftover not in spoken.split()
    assert spoken == expected


@pytest.mark.parametrize("written", [
    "🎉 Chúc mừng năm mới 2027! 🎆🎇",
    "Hậu Giang 👍🏽 ❤️ vươn lên 💪",
    "👨‍👩‍👧‍👦",
])
def test_emoji_are_dropped_and_nothing_is_invented(written: str) -> None:
    spoken = normalize(written)
    assert isinstance(spoken, str)
    assert not _invented(written, spoken), spoken


def test_empty_and_blank_input() -> None:
    for written in ("", "   ", "\n\t", "&nbsp;", "<br>"):
        assert normalize(written) == ""


# ---------------------------------------------------------------- per-category table
def category_table() -> list[tuple[str, int, int]]:
    """(category, passed, total) in corpus order."""
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for category, written, expected in CORPUS:
        total[category] += 1
        if canonical(normalize(written)) in readings(expected):
            passed[category] += 1
    return [(c, passed[c], total[c]) for c in total]


def main() -> None:
    rows = category_table()
    width = max(len(c) for c, _, _ in rows)
    print(f"{'category':<{width}}  passed/total")
    for category, ok, total in rows:
        print(f"{category:<{width}}  {ok}/{total}")
    print(f"{'all':<{width}}  {sum(r[1] for r in rows)}/{sum(r[2] for r in rows)}")


if __name__ == "__main__":
    main()
