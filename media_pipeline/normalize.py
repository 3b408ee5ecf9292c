"""Vietnamese news text → the words a narrator says, ready for espeak-ng's Vietnamese voice.

`normalize()` runs g2p-hamster's rule-based text normalizer (its "T0" layer: dates, numbers,
times, money, UBND/HĐND/TP. …) and mends what it gets wrong for provincial state news:
"Đ/c", Party and government acronyms, document numbers such as "05-NQ/TU", ordinals
("lần thứ 4" → "thứ tư"), Roman numerals after "quý"/"khóa"/"Đại hội", rates such as
"đồng/kg", and characters nobody can say. The output stays orthographic Vietnamese text,
never phonemes. `apply_lexicon()` then applies the editors' pronunciation lexicon.

Offline and deterministic: no model, no network.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from g2p_hamster.t0 import normalize as _t0_normalize
from g2p_hamster.t0.numbers import VI_DIGITS, VI_MONTHS, vi_cardinal

__all__ = ["LexiconError", "apply_lexicon", "normalize"]


class LexiconError(ValueError):
    """The pronunciation lexicon would blow a sentence up beyond any sensible length."""


# ---------------------------------------------------------------- abbreviations
# Party and government acronyms read out in full. Matched case-sensitively as whole tokens:
# state news writes them in capitals, and matching "ct"/"kh" in lowercase would hit words.
# g2p-hamster knows a few of these, but spells most letter by letter ("B T V", "Q Đ") and
# reads KH as "khách hàng", which is wrong in this domain.
_ACRONYMS: dict[str, str] = {
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "UBMTTQVN": "ủy ban mặt trận tổ quốc Việt Nam",
    "UBMTTQ": "ủy ban mặt trận tổ quốc",
    "MTTQVN": "mặt trận tổ quốc Việt Nam",
    "MTTQ": "mặt trận tổ quốc",
    "UBKT": "ủy ban kiểm tra",
    "UBTVQH": "ủy ban thường vụ quốc hội",
    "ĐBQH": "đại biểu quốc hội",
    "ĐĐBQH": "đoàn đại biểu quốc hội",
    "TW": "trung ương",
    "TƯ": "trung ương",
    "BCH": "ban chấp hành",
    "BTV": "ban thường vụ",
    "BTVTU": "ban thường vụ tỉnh ủy",
    "BCĐ": "ban chỉ đạo",
    "BTG": "ban tuyên giáo",
    "BDV": "ban dân vận",
    "VPTU": "văn phòng tỉnh ủy",
    "TTTU": "thường trực tỉnh ủy",
    "TTHĐND": "thường trực hội đồng nhân dân",
    "QĐ": "quyết định",
    "NQ": "nghị quyết",
    "NĐ": "nghị định",
    "KH": "kế hoạch",
    "CT": "chỉ thị",
    "TU": "tỉnh ủy",
    "HU": "huyện ủy",
    "ĐU": "đảng ủy",
    "THPT": "trung học phổ thông",
    "THCS": "trung học cơ sở",
    "CCHC": "cải cách hành chính",
    "CBCCVC": "cán bộ công chức viên chức",
    "CBCC": "cán bộ công chức",
    "TCCSĐ": "tổ chức cơ sở đảng",
    "HTX": "hợp tác xã",
    "NTM": "nông thôn mới",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "PCCC": "phòng cháy chữa cháy",
    "ATGT": "an toàn giao thông",
    "ANTT": "an ninh trật tự",
    "CAND": "công an nhân dân",
    "QĐND": "quân đội nhân dân",
    "BĐBP": "bộ đội biên phòng",
    "BCHQS": "ban chỉ huy quân sự",
    "LLVT": "lực lượng vũ trang",
    "HLHPN": "hội liên hiệp phụ nữ",
    "LHPN": "liên hiệp phụ nữ",
    "LĐLĐ": "liên đoàn lao động",
    "CCB": "cựu chiến binh",
    "ĐVTN": "đoàn viên thanh niên",
    "TNCS": "thanh niên cộng sản",
    "ĐBSCL": "đồng bằng sông Cửu Long",
    "KT-XH": "kinh tế xã hội",
    "QP-AN": "quốc phòng an ninh",
    "CNH-HĐH": "công nghiệp hóa hiện đại hóa",
    "KH&CN": "khoa học và công nghệ",
    "KH&ĐT": "kế hoạch và đầu tư",
    "GD&ĐT": "giáo dục và đào tạo",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn",
    "TN&MT": "tài nguyên và môi trường",
    "LĐ-TB&XH": "lao động thương binh và xã hội",
    "VH-TT&DL": "văn hóa thể thao và du lịch",
    "VHTT&DL": "văn hóa thể thao và du lịch",
    "TT&TT": "thông tin và truyền thông",
}

# Acronyms that are also Vietnamese syllables ("TU" as in "TU HÀNH"): expanded only when the
# sentence is not written in capitals, where they would be ordinary words.
_SYLLABLE_ACRONYMS = frozenset({"TU", "HU"})

# Parts of document numbers ("05-NQ/TU", "126/KH-UBND", "72/2015/NĐ-CP", "01/2021/TT-BTC").
# Separate from _ACRONYMS because inside a document number BTC is the Ministry of Finance,
# TT a circular and CP the government, whereas in running text they mean other things.
_DOC_CODES: dict[str, str] = {
    **_ACRONYMS,
    "TT": "thông tư",
    "TB": "thông báo",
    "BC": "báo cáo",
    "CV": "công văn",
    "HD": "hướng dẫn",
    "KL": "kết luận",
    "TTr": "tờ trình",
    "QC": "quy chế",
    "QyĐ": "quy định",
    "QĐi": "quy định",
    "CTr": "chương trình",
    "ĐA": "đề án",
    "TTg": "thủ tướng",
    "CP": "chính phủ",
    "VPCP": "văn phòng chính phủ",
    "VP": "văn phòng",
    "QH": "quốc hội",
    "BCT": "bộ chính trị",
    "BTC": "bộ tài chính",
    "BNV": "bộ nội vụ",
    "BYT": "bộ y tế",
    "BCA": "bộ công an",
    "BQP": "bộ quốc phòng",
    "BTP": "bộ tư pháp",
    "BXD": "bộ xây dựng",
    "BGDĐT": "bộ giáo dục và đào tạo",
    "BTTTT": "bộ thông tin và truyền thông",
    "BTNMT": "bộ tài nguyên và môi trường",
    "BNNPTNT": "bộ nông nghiệp và phát triển nông thôn",
    "BLĐTBXH": "bộ lao động thương binh và xã hội",
    "BKHĐT": "bộ kế hoạch và đầu tư",
    "BKHCN": "bộ khoa học và công nghệ",
    "BGTVT": "bộ giao thông vận tải",
    "BVHTTDL": "bộ văn hóa thể thao và du lịch",
    "NHNN": "ngân hàng nhà nước",
    "BTCTU": "ban tổ chức tỉnh ủy",
    "BTGTU": "ban tuyên giáo tỉnh ủy",
    "BDVTU": "ban dân vận tỉnh ủy",
    "UBKTTU": "ủy ban kiểm tra tỉnh ủy",
    "SNV": "sở nội vụ",
    "STC": "sở tài chính",
    "SYT": "sở y tế",
    "STTTT": "sở thông tin và truyền thông",
    "KT": "kinh tế",
    "XH": "xã hội",
    "VX": "văn xã",
    "KGVX": "khoa giáo văn xã",
    "NC": "nội chính",
    "TH": "tổng hợp",
    "QP": "quốc phòng",
    "AN": "an ninh",
    "CNH": "công nghiệp hóa",
    "HĐH": "hiện đại hóa",
}

# Titles before a name ("PGS.TS Nguyễn Văn A", "Th.S Lê B"). g2p-hamster spells "KS." and
# leaves "Th.S" as is.
_TITLES: dict[str, str] = {
    "PGS": "phó giáo sư", "GS": "giáo sư", "TS": "tiến sĩ", "TSKH": "tiến sĩ khoa học",
    "ThS": "thạc sĩ", "Ths": "thạc sĩ", "Th.S": "thạc sĩ", "Th.s": "thạc sĩ",
    "NSND": "nghệ sĩ nhân dân", "NSƯT": "nghệ sĩ ưu tú",
}
# Titles recognised only with their dot: "KS Mường Thanh" is a hotel, "KS. Lê B" an engineer.
_DOTTED_TITLES: dict[str, str] = {
    "BS": "bác sĩ", "KS": "kỹ sư", "LS": "luật sư", "DS": "dược sĩ", "CN": "cử nhân",
}

# Units after a money rate ("7.900 đồng/kg" → "đồng một ki lô gam").
_RATE_UNITS: dict[str, str] = {
    "kg": "ki lô gam", "g": "gam", "l": "lít", "ml": "mi li lít", "m": "mét",
    "m2": "mét vuông", "m²": "mét vuông", "m3": "mét khối", "m³": "mét khối",
    "ha": "héc ta", "km": "ki lô mét", "h": "giờ",
}

# Units after a number that g2p-hamster misreads: "mét hai" for m2, "ha" left as is, and
# "VNĐ" spelled letter by letter.
_NUMBER_UNITS: dict[str, str] = {
    "km2": "ki lô mét vuông", "km²": "ki lô mét vuông", "m2": "mét vuông", "m²": "mét vuông",
    "m3": "mét khối", "m³": "mét khối", "ha": "héc ta", "VNĐ": "đồng", "VND": "đồng",
}

# Words before which a Roman numeral is a number: "quý IV", "khóa XV", "Đại hội XIII".
_ROMAN_CONTEXT = (r"quý|quí|khóa|khoá|đại hội|hội nghị|lần thứ|thứ|chương|phần|mục|"
                  r"thế kỷ|thế kỉ|kỳ|kì|giai đoạn|đợt|tập|phụ lục|quân khu|cấp|loại|hạng")

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_CANON = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")

_SENTENCE_END = ".!?…"


# ---------------------------------------------------------------- helpers
def _alternation(words: Sequence[str]) -> str:
    """Regex alternation of `words`, longest first so "UBMTTQ" wins over "MTTQ"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _roman(s: str) -> int | None:
    """Value of a well-formed Roman numeral, None for anything else ("IIII", "VX")."""
    if not s or not _ROMAN_CANON.fullmatch(s):
        return None
    total = 0
    for ch, nxt in zip(s, s[1:] + " ", strict=True):
        value = _ROMAN_VALUES[ch]
        total += -value if nxt != " " and _ROMAN_VALUES[nxt] > value else value
    return total


def _count_words(number: str) -> str:
    """A document or decimal-part number: "05" → "không năm" (digit by digit), else cardinal."""
    if len(number) > 1 and number.startswith("0"):
        return " ".join(VI_DIGITS[int(d)] for d in number)
    return vi_cardinal(int(number))


def _is_shouting(text: str) -> bool:
    """True when the text is written in capitals (a headline), so capitals are not acronyms.

    Counts capitalized words that are not known acronyms: a list such as "UBND, HĐND, TU" is
    not shouting, "ĐẠI HỘI TU HÀNH" is."""
    words = re.findall(r"[^\W\d_]+", text)
    shouted = [w for w in words if len(w) > 1 and w.isupper() and w not in _DOC_CODES]
    return len(shouted) >= 3 and len(shouted) >= len(words) / 2


# ---------------------------------------------------------------- characters
def _speakable_char(ch: str) -> str:
    """`ch` if a narrator can say it (or it shapes the reading), a space or "" otherwise."""
    if ch.isspace() or ch == "\u200b":  # a zero-width space still separates two words
        return " "
    cat = unicodedata.category(ch)
    if cat[0] == "L":
        # Latin script only: CJK ideographs, kana, Thai… cannot be read by a Vietnamese voice.
        return ch if unicodedata.name(ch, "").startswith("LATIN") else " "
    if cat == "Nd":
        return str(unicodedata.digit(ch)) if not ch.isascii() else ch
    if cat[0] == "P":
        return ch
    if cat in ("Sm", "Sc"):
        return ch
    if ch in "°²³":
        return ch
    if cat == "Mn" and "\u0300" <= ch <= "\u036f":
        return ch  # a Vietnamese tone mark NFC could not compose; keep it with its letter
    if cat == "Cc":
        return " "
    # Emoji, pictographs, variation selectors, zero-width joiners, private use, …
    return ""


_FULLWIDTH = re.compile(r"[\uff01-\uff5e\u3000-\u3002]")


def _clean_chars(text: str) -> str:
    """`text` in NFC with only characters a narrator can say (see _speakable_char)."""
    text = unicodedata.normalize("NFC", text)
    # Full-width punctuation from Chinese-keyboard input ("，" "。") → ASCII, so pauses survive.
    text = _FULLWIDTH.sub(
        lambda m: {"\u3001": ",", "\u3002": ".", "\u3000": " "}.get(
            m.group(), unicodedata.normalize("NFKC", m.group())), text)
    return "".join(map(_speakable_char, text))


# ---------------------------------------------------------------- mends before g2p-hamster
_Mend = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _mend_comrade(m: re.Match[str]) -> str:
    # "Đ/c. Trần Văn Huyến": the dot belongs to the abbreviation, not the sentence.
    return "đồng chí"


def _mend_document(m: re.Match[str]) -> str:
    number, year, codes = m.group("num"), m.group("year"), m.group("codes")
    parts = re.split(r"[-/]", codes)
    if (number is None and len(parts) < 2) or not any(p in _DOC_CODES for p in parts):
        return m.group()  # a lone capitalized word, "HIV/AIDS", "COVID-19"
    words = " ".join(_DOC_CODES.get(p, " ".join(p)) for p in parts)
    if number is None:
        return f" {words} "
    if year:
        # Commas give the listener the fields: "số không năm, năm 2021, nghị quyết …".
        return f" {_count_words(number)}, năm {vi_cardinal(int(year))}, {words} "
    return f" {_count_words(number)} {words} "


def _mend_roman(m: re.Match[str]) -> str:
    value = _roman(m.group(2))
    return m.group() if value is None else f"{m.group(1)} {value}"


def _mend_ordinal(m: re.Match[str]) -> str:
    # Vietnamese ordinals: thứ nhất, thứ hai, thứ ba, thứ tư, thứ năm… (not "thứ một/bốn").
    return f"{m.group(1)} {'nhất' if m.group(2) == '1' else 'tư'}"


def _mend_month(m: re.Match[str]) -> str:
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return m.group()
    # g2p-hamster reads "tháng 4" as "tháng bốn"; the month is "tháng tư".
    return f"{m.group(1)} {VI_MONTHS[month - 1]}"


def _mend_rate(m: re.Match[str]) -> str:
    currency = "đô la" if m.group(1) == "USD" else "đồng"
    per = [_RATE_UNITS.get(u, u) for u in m.group(2).strip("/").split("/")]
    # "đồng/kg" is said "đồng một ki lô gam" (per one kilogram), not "đồng trên kg".
    return f" {currency} " + " ".join(f"một {u}" for u in per)


def _mend_comma_decimal(m: re.Match[str]) -> str:
    # In Vietnamese the comma is the decimal mark: "3,281" is three point two eight one.
    # g2p-hamster reads it as 3281 (English thousands), which a listener would take literally.
    return f"{vi_cardinal(int(m.group(1)))} phẩy {' '.join(VI_DIGITS[int(d)] for d in m.group(2))}"


def _mend_title(m: re.Match[str]) -> str:
    return f"{_TITLES.get(m.group(1)) or _DOTTED_TITLES[m.group(1)]} "


_DOC_PART = r"[A-ZĐƯ][A-Za-zĐđƯư]*"

_MENDS: list[_Mend] = [
    (re.compile(r"(?<!\w)[Đđ]/[Cc](?!\w)(?:\.(?=\s*[A-ZĐ]))?"), _mend_comrade),
    (re.compile(r"(?<!\w)[Vv]/[Vv](?!\w)"), lambda m: "về việc"),
    (re.compile(r"(?<!\w)[Kk]/[Gg](?!\w)"), lambda m: "kính gửi"),
    # Document numbers: an optional number and year, then codes joined by "-" or "/".
    (re.compile(r"(?<![\w.,/-])(?:(?P<num>\d{1,5})(?:/(?P<year>(?:19|20)\d\d))?[-/])?"
                r"(?P<codes>" + _DOC_PART + r"(?:[-/]" + _DOC_PART + r")*)(?![\w&])"),
     _mend_document),
    # Only I, V, X: "hạng C" (a driving-licence class) and "loại D" are letters, not 100 or 500.
    (re.compile(r"(?<!\w)((?i:" + _ROMAN_CONTEXT + r"))\s+([IVX]+)(?!\w)"), _mend_roman),
    # "quý IV/2020" (now "quý 4/2020"): the year of the quarter, not a fraction.
    (re.compile(r"(?<!\w)([Qq]u[ýí])\s+([1-4])\s*/\s*((?:19|20)\d\d)(?!\d)"),
     lambda m: f"{m.group(1)} {m.group(2)} năm {m.group(3)}"),
    (re.compile(r"(?<!\w)([Tt]hứ)\s+0?([14])(?!\d|[.,/:]\d)"), _mend_ordinal),
    (re.compile(r"(?<!\w)([Tt]háng)\s+(\d{1,2})(?!\d|[.,/-]\d)"), _mend_month),
    (re.compile(r"(?<![\w.,])(\d{1,2})g(\d\d)(?!\w)"), lambda m: f"{m.group(1)}h{m.group(2)}"),
    (re.compile(r"(?<![\w.,])(\d{1,2})\s*[-–—]\s*(\d{1,2})\s*h(?!\w)"),
     lambda m: f"{m.group(1)} đến {m.group(2)} giờ"),
    (re.compile(r"(?<=[\d\s])(đồng|đ|VNĐ|VND|USD)((?:/[^\W\d_]+[²³23]?)+)(?!\w)"), _mend_rate),
    (re.compile(r"(?<=\d)\s*(" + _alternation(list(_NUMBER_UNITS)) + r")(?!\w)"),
     lambda m: " " + _NUMBER_UNITS[m.group(1)]),
    # Round-the-clock "24/24", "24/7": g2p-hamster reads digit by digit.
    (re.compile(r"(?<![\d/])24/(24|7)(?![\d/])"),
     lambda m: f"hai mươi bốn trên {vi_cardinal(int(m.group(1)))}"),
    # English-style thousands "1,250,000" → Vietnamese "1.250.000" so it is read as a count.
    (re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,]|\.\d)"),
     lambda m: m.group().replace(",", ".")),
    (re.compile(r"(?<![\d.,])(\d{1,3}),(\d{3})(?![\d,]|\.\d)"), _mend_comma_decimal),
    # Spaced dashes between years/numbers are ranges: "2020 - 2025" → "2020-2025".
    (re.compile(r"(?<=\d)\s+[-–—]\s+(?=\d)"), lambda m: "-"),
    # "COVID-19" is said "Covid mười chín" in Vietnamese news (g2p-hamster reads "nineteen").
    (re.compile(r"(?<!\w)(?i:covid)[- ]?19(?!\d)"), lambda m: "Covid mười chín"),
    # COVID case classes F0, F1, …: said "ép không", "ép một" (g2p-hamster says "F zero").
    (re.compile(r"(?<!\w)F(\d)(?!\w)"), lambda m: f"ép {VI_DIGITS[int(m.group(1))]}"),
    (re.compile(r"(?<!\w)(" + _alternation(list(_TITLES)) + r")(?:\.\s*|(?=\s+[A-ZĐ]))"),
     _mend_title),
    (re.compile(r"(?<!\w)(" + _alternation(list(_DOTTED_TITLES)) + r")\.\s*(?=[A-ZĐ])"),
     _mend_title),
    (re.compile(r"(?<!\w)TT\.\s*(?=[A-ZĐ])"), lambda m: "thị trấn "),
]

_ACRONYM_RE = re.compile(r"(?<![\w&])(" + _alternation(list(_ACRONYMS)) + r")(?![\w&])")


def _expand_acronyms(text: str) -> str:
    shouting = _is_shouting(text)

    def one(m: re.Match[str]) -> str:
        word = m.group(1)
        if shouting and word in _SYLLABLE_ACRONYMS:
            return word.lower()  # an ordinary word in a headline; g2p-hamster spells "TU"
        return _ACRONYMS[word]

    return _ACRONYM_RE.sub(one, text)


def _premend(text: str) -> str:
    for pattern, repl in _MENDS:
        text = pattern.sub(repl, text)
    return _expand_acronyms(text)


# ---------------------------------------------------------------- tidy after g2p-hamster
_DAY_TWICE = re.compile(r"(?<!\w)([Mm][ồù]ng|[Hh]ôm) ngày(?!\w)")
_PAUSE_MARKS = re.compile(r"\s*(?:[()\[\]{}«»]|\s[-–—]\s|…)\s*")
_NOT_SPOKEN = re.compile(r"[^\w\s,.;:?!]|_")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:?!])")
_PUNCT_RUN = re.compile(r"[,.;:?!](?:\s*[,.;:?!])+")
_SPACE_AFTER_PUNCT = re.compile(r"([,;:?!])(?=[^\W\d_])")


def _strongest(run: str) -> str:
    """One mark for a run such as ", ." or "?!": the longest pause wins."""
    for mark in "?!.;:":
        if mark in run:
            return mark
    return ","


def _tidy(spoken: str, source: str) -> str:
    """g2p-hamster's reading with only words and , . ; : ? ! left, spaced like prose."""
    # Brackets, dashes between words and a mid-sentence ellipsis are pauses: make them commas,
    # the mark every engine honours. Other symbols have been verbalized or mean nothing aloud.
    text = _PAUSE_MARKS.sub(", ", f" {spoken} ")
    text = _NOT_SPOKEN.sub(" ", text)
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _PUNCT_RUN.sub(lambda m: _strongest(m.group()), text)
    text = _SPACE_AFTER_PUNCT.sub(r"\1 ", text)
    text = text.lstrip(",.;:?! ").rstrip(",;: ")
    if not any(c.isalnum() for c in text):
        return ""
    # g2p-hamster swallows a final dot that follows an abbreviation ("… THPT.") as the
    # abbreviation's own; the sentence still ends there, so give the pause back.
    end = source.rstrip().rstrip("\"'”’)»]").rstrip()
    if end and end[-1] in _SENTENCE_END and text[-1] not in ".?!":
        text += "." if end[-1] in ".…" else end[-1]
    return text


# ---------------------------------------------------------------- public API
def normalize(sentence: str) -> str:
    """What a Vietnamese narrator says for `sentence`: numbers, dates, times, money,
    percentages, ordinals, Roman numerals, acronyms and document numbers written out as
    Vietnamese words; unsayable characters (emoji, CJK, control characters) dropped; Latin
    words kept; only , . ; : ? ! kept as pauses; whitespace folded. Empty when nothing is
    left to say."""
    source = _clean_chars(sentence)
    text = " ".join(source.split())
    if not text:
        return ""
    spoken = _t0_normalize(_premend(text))["read_string"]
    # g2p-hamster prefixes a bare "15/3" with "ngày"; after "mồng" or "hôm" that is one
    # word too many ("hôm mười lăm tháng ba").
    spoken = _DAY_TWICE.sub(r"\1", spoken)
    return _tidy(spoken, text)


# ---------------------------------------------------------------- lexicon
_Trie = dict[str, "_Trie"]
_TERM_END = ""  # trie key marking that a term ends at this node


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _trie_regex(node: _Trie, last: str) -> str:
    """Regex for the terms below `node`; `last` is the character that led here.

    Longer continuations are tried before the term that ends here, so at any position the
    longest term wins ("ủy ban nhân dân" before "ủy ban"). A term ending in a word character
    must not be followed by one (whole words only)."""
    branches = []
    for ch in sorted(k for k in node if k != _TERM_END):
        path, child = ch, node[ch]
        # Follow single-child chains without nesting: keeps the regex shallow for long terms.
        while len(child) == 1 and _TERM_END not in child:
            (nxt, child), = child.items()
            path += nxt
        body = "".join(r"\s+" if c == " " else re.escape(c) for c in path)
        branches.append(body + _trie_regex(child, path[-1]))
    if _TERM_END in node:
        branches.append(r"(?!\w)" if _is_word_char(last) else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@lru_cache(maxsize=16)
def _compile_lexicon(entries: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str] | None,
                                                                   dict[str, str]]:
    replacements: dict[str, str] = {}
    for term, said in entries:
        key = " ".join(unicodedata.normalize("NFC", term).split()).lower()
        if key:
            replacements[key] = said  # a later entry for the same term wins
    if not replacements:
        return None, replacements
    # One alternation, shaped as a trie: Python's regex engine tries alternatives one by one,
    # so a flat list of thousands of terms would be tried at every character of the article.
    word_start: _Trie = {}
    other_start: _Trie = {}
    for key in replacements:
        node = word_start if _is_word_char(key[0]) else other_start
        for ch in key:
            node = node.setdefault(ch, {})
        node[_TERM_END] = {}
    parts = []
    if word_start:
        parts.append(r"(?<!\w)" + _trie_regex(word_start, ""))
    if other_start:
        parts.append(_trie_regex(other_start, ""))
    return re.compile("|".join(parts), re.IGNORECASE), replacements


def apply_lexicon(text: str, entries: Sequence[tuple[str, str]]) -> str:
    """Replace each lexicon term (whole word, any case, longest first) by how to say it.

    One pass: replaced text is never scanned again, so entries that feed each other cannot
    loop. Empty terms are ignored. Raises LexiconError when the result would exceed four
    times the input plus 1000 characters.
    """
    pattern, replacements = _compile_lexicon(tuple((t, s) for t, s in entries))
    if pattern is None:
        return text
    text = unicodedata.normalize("NFC", text)
    limit = 4 * len(text) + 1000
    length = len(text)

    def replace(m: re.Match[str]) -> str:
        nonlocal length
        matched = m.group()
        said = replacements.get(" ".join(matched.split()).lower(), matched)
        length += len(said) - len(matched)
        if length > limit:
            raise LexiconError(
                f"Từ điển phát âm làm câu dài quá mức cho phép (hơn {limit} ký tự). "
                "Hãy kiểm tra các mục thay thế quá dài hoặc lặp lại.")
        return said

    return pattern.sub(replace, text)
