"""Vietnamese news text → the words a narrator says, ready for espeak-ng's Vietnamese voice.

`normalize()` runs g2p-hamster's rule-based text normalizer (its "T0" layer: dates, numbers,
times, money, UBND/HĐND/TP. …) and mends what it gets wrong for provincial state news:
"Đ/c", Party and government acronyms, document numbers such as "05-NQ/TU", ordinals
("lần thứ 4" → "thứ tư"), Roman numerals after "quý"/"khóa"/"Đại hội", rates such as
"đồng/kg", and characters nobody can say. The output stays orthographic Vietnamese text,
never phonemes. `apply_lexicon()` then applies the editors' pronunciation lexicon.

Readings chosen where the written form is ambiguous:
- Numbers: the comma is the decimal mark and dots group thousands ("1.250,5"). Two digits
  after the comma are read as a number ("1,25" → "một phẩy hai mươi lăm"); one digit, a
  leading zero ("1,05") or three digits and more ("3,281") are read digit by digit.
- "d-m" and "d.m" are a date ("Sáng 6-12" → "sáng ngày sáu tháng mười hai") only after a time
  of day (sáng, trưa, chiều, tối, đêm, khuya, rạng sáng, optionally + nay/qua/mai), "ngày",
  "hôm", "mùng"/"mồng" or a weekday, and only for day 1–31 and month 1–12. Otherwise "a-b"
  is a range ("từ 5-7 ngày" → "từ năm đến bảy ngày"), a score after "tỷ số".
- "a/b" without a year is a date after a time of day, "ngày", "từ", "đến", "trước", "sau",
  "vào", "đường"…; a rank or ratio ("a trên b") after "thứ", "hạng", "tỷ lệ", "đạt", "chiếm",
  "hơn", "số nhà"… or before a counted noun ("3/5 xã"); a fraction ("a phần b", "một phần
  tư") before "số", "tổng", "diện tích", "dân số"…; otherwise a date when it can be one,
  else a ratio. After "thứ" the rank is an ordinal ("thứ tư trên tám").
- Rates: "một" per unit after money or before a time or a head count ("đồng một ki lô gam",
  "lần một năm", "ki lô mét một giờ"), "trên" for a quotient of units ("tấn trên héc ta",
  "người trên ki lô mét vuông").
- Document numbers are read once, fields separated: number (digit by digit with a leading
  zero), year, then the codes ("126/KH-UBND" → "một trăm hai mươi sáu kế hoạch ủy ban nhân
  dân"; "QH13" → "quốc hội khóa mười ba").
- Phone numbers digit by digit, a pause between the written groups; e-mail and web
  addresses part by part ("a còng", "chấm", "gạch ngang", "gạch dưới", "gạch chéo",
  "vê kép", "vê en"), without "https://".

Offline and deterministic: no model, no network.
"""

from __future__ import annotations

import html
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
    "SN": "sinh năm",
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
    "CĐ": "công điện",
    "GM": "giấy mời",
    "TTLT": "thông tư liên tịch",
    "PL": "pháp lệnh",
    "TTr-UBND": "tờ trình ủy ban nhân dân",
    "BTCTW": "ban tổ chức trung ương",
    "BTGTW": "ban tuyên giáo trung ương",
    "UBKTTW": "ủy ban kiểm tra trung ương",
    "VPTW": "văn phòng trung ương",
    "SGDĐT": "sở giáo dục và đào tạo",
    "SNN": "sở nông nghiệp",
    "SXD": "sở xây dựng",
    "STNMT": "sở tài nguyên và môi trường",
    "SKHĐT": "sở kế hoạch và đầu tư",
    "SVHTTDL": "sở văn hóa thể thao và du lịch",
    "CAT": "công an tỉnh",
    "BCHQS": "ban chỉ huy quân sự",
    "ĐTN": "đoàn thanh niên",
}

# Titles before a name ("PGS.TS Nguyễn Văn A", "Th.S Lê B"). g2p-hamster spells "KS." and
# leaves "Th.S" as is.
_TITLES: dict[str, str] = {
    "PGS": "phó giáo sư", "GS": "giáo sư", "TS": "tiến sĩ", "TSKH": "tiến sĩ khoa học",
    "ThS": "thạc sĩ", "Ths": "thạc sĩ", "Th.S": "thạc sĩ", "Th.s": "thạc sĩ",
    "NSND": "nghệ sĩ nhân dân", "NSƯT": "nghệ sĩ ưu tú",
    "BSCKII": "bác sĩ chuyên khoa hai", "BSCKI": "bác sĩ chuyên khoa một",
    "CKII": "chuyên khoa hai", "CKI": "chuyên khoa một",
}
# Titles recognised only with their dot: "KS Mường Thanh" is a hotel, "KS. Lê B" an engineer.
_DOTTED_TITLES: dict[str, str] = {
    "BS": "bác sĩ", "KS": "kỹ sư", "LS": "luật sư", "DS": "dược sĩ", "CN": "cử nhân",
}

# Units of measure after a number or in a rate, as said aloud. g2p-hamster reads "m2" as
# "mét hai", leaves "ha" as is and says "ký lô gam" for kg in one place and not another.
_UNITS: dict[str, str] = {
    "km2": "ki lô mét vuông", "km²": "ki lô mét vuông", "km": "ki lô mét",
    "m2": "mét vuông", "m²": "mét vuông", "m3": "mét khối", "m³": "mét khối", "m": "mét",
    "cm": "xen ti mét", "mm": "mi li mét", "ha": "héc ta", "kg": "ki lô gam",
    "ml": "mi li lít", "kWh": "ki lô oát giờ", "kW": "ki lô oát", "MW": "mê ga oát",
    "MWh": "mê ga oát giờ",
}
# Units only inside a rate ("7.900 đồng/kg", "30 km/h"): alone "g", "l" and "h" are letters
# or a time ("7h").
_RATE_UNITS: dict[str, str] = {**_UNITS, "g": "gam", "l": "lít", "h": "giờ"}
# "đồng/kg" and "lần/năm" are per one unit ("đồng một ki lô gam"); "tấn/ha" and "người/km2"
# are a quotient ("tấn trên héc ta"). Money before the slash, or time or a head count after
# it, makes it "một".
_PER_ONE = frozenset({"ngày", "đêm", "tuần", "tháng", "quý", "năm", "giờ", "h", "phút", "giây",
                      "người", "hộ", "khẩu", "lượt", "lần", "ca", "suất", "buổi", "chuyến",
                      "vụ", "kỳ", "con", "học sinh", "lao động"})
_CURRENCIES = {"USD": "đô la", "EUR": "ơ rô", "VNĐ": "đồng", "VND": "đồng"}
_MONEY_WORDS = frozenset({"đồng", "đ", "VNĐ", "VND", "USD", "nghìn", "ngàn", "triệu", "tỷ", "tỉ"})

# Words before which a Roman numeral is a number: "quý IV", "khóa XV", "Đại hội XIII",
# and ward or area names ("Phường VII", "Khu vực IV").
_ROMAN_CONTEXT = (r"quý|quí|khóa|khoá|đại hội|hội nghị|lần thứ|thứ|chương|phần|mục|"
                  r"thế kỷ|thế kỉ|kỳ|kì|giai đoạn|đợt|tập|phụ lục|quân khu|cấp|loại|hạng|"
                  r"phường|khu vực|khu phố|khóm|ấp|vùng|tiểu khu")

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_CANON = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")

# Road codes before a number: "QL1A", "QL.61", "ĐT.931", "ĐH 45". Without a number ĐT is
# "đội tuyển" and ĐH "đại học", so the number is required.
_ROADS: dict[str, str] = {
    "QL": "quốc lộ", "ĐT": "đường tỉnh", "ĐH": "đường huyện", "TL": "tỉnh lộ",
    "HL": "hương lộ", "ĐX": "đường xã", "ĐCT": "đường cao tốc", "CT": "cao tốc",
}
# Place abbreviations with their dot, before a name or a number: "TP. Vị Thanh", "P.5",
# "Q. Ninh Kiều", "TX. Long Mỹ", "H. Châu Thành", "KP.3".
_PLACES: dict[str, str] = {
    "TP": "thành phố", "Tp": "thành phố", "TX": "thị xã", "TT": "thị trấn", "Q": "quận",
    "P": "phường", "H": "huyện", "X": "xã", "KP": "khu phố", "KV": "khu vực",
}

# Text ending in a time of day, "ngày"/"hôm"/"mùng" or a weekday: "Sáng 6-12", "ngày 6.12",
# "Thứ Hai 6/12" are a day and month, never a range ("từ 5-7 ngày") or a ratio.
_DAY_CONTEXT = re.compile(r"(?<!\w)(?i:rạng sáng|sáng|trưa|chiều|tối|đêm|khuya|ngày|hôm|mùng|"
                          r"mồng|chủ nhật|thứ (?:hai|ba|tư|năm|sáu|bảy))"
                          r"(?:\s+(?:nay|qua|mai))?\s*,?\s*$")
# Further words after which "a/b" is a date rather than a ratio ("từ 1/3", "đường 3/2").
_DATE_BEFORE = frozenset({"từ", "đến", "tới", "trước", "sau", "vào", "dịp", "hạn", "lúc",
                          "đường", "phố"})
# Words after which "a/b" is a ratio or rank ("xếp thứ 5/63", "tỷ lệ 1/3", "đạt 5/5").
_RATIO_BEFORE = frozenset({"thứ", "hạng", "lệ", "số", "chiếm", "đạt", "gần", "hơn", "khoảng",
                           "trên", "cả", "với", "có", "nhà", "hẻm", "kiệt", "ngõ", "ngách"})
# Nouns after which "a/b" counts units ("3/5 xã" = three of five communes)…
_RATIO_AFTER = frozenset({
    "xã", "phường", "thị", "huyện", "tỉnh", "thành", "quận", "đơn", "hộ", "người", "chỉ",
    "tiêu", "dự", "trường", "ấp", "khu", "khóm", "thôn", "bản", "công", "cơ", "địa", "tổ",
    "lớp", "đại", "phiếu", "nội", "nhiệm", "điểm", "ngành", "sở", "doanh", "hợp", "huy",
    "môn", "trận", "học", "sinh", "giáo", "chi", "đảng", "câu", "tuyến", "hạng", "gói",
    "sản", "trạm", "ban", "cụm", "làng", "đội", "đoàn", "ủy", "hội", "bệnh",
})
# …and nouns after which it is a fraction of a whole ("2/3 số hộ" = two thirds).
_FRACTION_AFTER = frozenset({"số", "tổng", "diện", "dân", "khối", "kinh", "thời", "quân",
                             "lượng", "sản", "giá", "vốn", "dung"})

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


def _digits(number: str) -> str:
    return " ".join(VI_DIGITS[int(d)] for d in number if d.isdigit())


def _count_words(number: str) -> str:
    """A document or decimal-part number: "05" → "không năm" (digit by digit), else cardinal."""
    if len(number) > 1 and number.startswith("0"):
        return _digits(number)
    return vi_cardinal(int(number))


def _fraction_words(frac: str) -> str:
    """The part after the decimal comma. Two digits are a number ("1,25" → "hai mươi lăm"),
    as presenters say percentages and rates; one digit, a leading zero ("1,05") or three
    digits and more ("3,281") are read digit by digit, so no listener hears a thousand."""
    if len(frac) == 2 and frac[0] != "0":
        return vi_cardinal(int(frac))
    return _digits(frac)


def _number_words(number: str) -> str:
    """A Vietnamese written number: dots group thousands, the comma is the decimal mark."""
    whole, _, frac = number.partition(",")
    words = vi_cardinal(int(whole.replace(".", "") or "0"))
    return f"{words} phẩy {_fraction_words(frac)}" if frac else words


def _ordinal(n: int) -> str:
    # Vietnamese ordinals: thứ nhất, thứ hai, thứ ba, thứ tư, thứ năm… (not "thứ một/bốn").
    return {1: "nhất", 4: "tư"}.get(n) or vi_cardinal(n)


_WORD_BEFORE = re.compile(r"([^\W\d_]+)[^\w]*$")
_WORD_AFTER = re.compile(r"^\s*([^\W\d_]+)")


def _word_before(m: re.Match[str]) -> str:
    found = _WORD_BEFORE.search(m.string, max(0, m.start() - 40), m.start())
    return found.group(1).lower() if found else ""


def _word_after(m: re.Match[str]) -> str:
    found = _WORD_AFTER.match(m.string[m.end():m.end() + 40])
    return found.group(1).lower() if found else ""


def _date_words(day: int, month: int, year: str | None, said_day: bool) -> str:
    """ "ngày sáu tháng mười hai [năm …]"; without "ngày" when the text just said it."""
    words = f"{vi_cardinal(day)} tháng {VI_MONTHS[month - 1]}"
    if year:
        words += f" năm {vi_cardinal(int(year))}"
    return words if said_day else f"ngày {words}"


def _day_context(m: re.Match[str]) -> bool:
    return _DAY_CONTEXT.search(m.string, max(0, m.start() - 20), m.start()) is not None


def _said_day(m: re.Match[str]) -> bool:
    # Also street names: "đường 3/2" is "đường ba tháng hai", never "đường ngày ba…".
    return _word_before(m) in ("ngày", "hôm", "mùng", "mồng", "đường", "phố")


def _is_date(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


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
# HTML entities from the CMS ("&amp;", "&nbsp;", "&#8220;", even "&amp;nbsp;"), and tags.
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")


def _clean_chars(text: str) -> str:
    """`text` in NFC with only characters a narrator can say (see _speakable_char)."""
    for _ in range(3):  # twice-escaped text from a CMS: "&amp;nbsp;"
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    # A left-over entity is markup, never a word to read ("amp").
    text = _TAG.sub(" ", _ENTITY.sub(" ", text))
    text = unicodedata.normalize("NFC", text)
    # Full-width punctuation from Chinese-keyboard input ("，" "。") → ASCII, so pauses survive.
    text = _FULLWIDTH.sub(
        lambda m: {"\u3001": ",", "\u3002": ".", "\u3000": " "}.get(
            m.group(), unicodedata.normalize("NFKC", m.group())), text)
    return "".join(map(_speakable_char, text))


# ---------------------------------------------------------------- mends before g2p-hamster
_Mend = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# Spoken names of the characters in addresses.
_ADDRESS_MARKS = {".": "chấm", "@": "a còng", "_": "gạch dưới", "-": "gạch ngang",
                  "/": "gạch chéo"}
# Parts said by their letters (g2p-hamster would turn "vn" into "Việt Nam").
_ADDRESS_LETTERS = {"www": "vê kép vê kép vê kép", "vn": "vê en"}
_ADDRESS_PART = re.compile(r"[A-Za-z]+|\d+|[._@/-]")


def _say_address(address: str, kept: list[str]) -> str:
    """ "vanphong@haugiang.gov.vn" → "vanphong a còng haugiang chấm gov chấm vê en": letters
    as written, digits one by one, marks by their names; other marks ("?", "=") dropped.

    Words are replaced by placeholders appended to `kept`: g2p-hamster would otherwise read
    "ubnd" as "ủy ban nhân dân" in an address the listener has to type."""
    words = []
    for part in _ADDRESS_PART.findall(address):
        if part in _ADDRESS_MARKS:
            words.append(_ADDRESS_MARKS[part])
        elif part.isdigit():
            words.append(_digits(part))
        elif part.lower() in _ADDRESS_LETTERS:
            words.append(_ADDRESS_LETTERS[part.lower()])
        else:
            words.append(_placeholder(len(kept)))
            kept.append(part)
    return f" {' '.join(words)} "


def _placeholder(index: int) -> str:
    code = ""
    while True:
        index, digit = divmod(index, 25)
        code = "abcdefghijklmnopqrstuvwxy"[digit] + code
        if not index:
            return f"zzaddrq{code}z"


_PLACEHOLDER = re.compile(r"zzaddrq([a-y]+)z")
_EMAIL = re.compile(r"(?<![\w.@])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"\.[A-Za-z]{2,}(?![\w@])")
_URL = re.compile(r"(?<![\w.@/])(?:(?i:https?://))?(?:[A-Za-z0-9-]+\.)+"
                  r"(?i:vn|com|net|org|gov|edu|info|io)(?![\w-])"
                  r"(?:/[A-Za-z0-9._~%/?=&#-]*[A-Za-z0-9/])?")


def _protect_addresses(text: str) -> tuple[str, list[str]]:
    """E-mail and web addresses read part by part, before anything else can take their dots
    and digits for numbers or abbreviations. "https://" and a trailing slash are not said."""
    kept: list[str] = []
    text = _EMAIL.sub(lambda m: _say_address(m.group(), kept), text)
    text = _URL.sub(lambda m: _say_address(
        re.sub(r"^(?i:https?://)", "", m.group()).rstrip("/"), kept), text)
    return text, kept


def _restore_addresses(spoken: str, kept: list[str]) -> str:
    if not kept:
        return spoken

    def one(m: re.Match[str]) -> str:
        index = 0
        for ch in m.group(1):
            index = index * 25 + "abcdefghijklmnopqrstuvwxy".index(ch)
        return kept[index] if index < len(kept) else ""

    return _PLACEHOLDER.sub(one, spoken)


def _mend_phone(m: re.Match[str]) -> str:
    """Phone numbers digit by digit, a pause between the written groups."""
    text = m.group()
    digits = re.sub(r"\D", "", text)
    if not 9 <= len(digits) <= 12:
        return text
    groups = [g for g in re.split(r"[^\d+]+", text) if g]
    said = [("cộng " if g.startswith("+") else "") + _digits(g) for g in groups]
    return f" {', '.join(said)} "


def _mend_comrade(m: re.Match[str]) -> str:
    # "Đ/c. Trần Văn Huyến": the dot belongs to the abbreviation, not the sentence.
    return "đồng chí"


def _doc_code(part: str) -> str:
    if part in _DOC_CODES:
        return _DOC_CODES[part]
    term = re.fullmatch(r"QH(\d{1,2})", part)  # "Luật 55/2014/QH13": the 13th legislature
    if term:
        return f"quốc hội khóa {vi_cardinal(int(term.group(1)))}"
    return " ".join(part)


def _mend_document(m: re.Match[str]) -> str:
    number, year, codes = m.group("num"), m.group("year"), m.group("codes")
    parts = re.split(r"[-/]", codes)
    if (number is None and len(parts) < 2) or not any(
            p in _DOC_CODES or p.startswith("QH") for p in parts):
        return m.group()  # a lone capitalized word, "HIV/AIDS", "COVID-19"
    if number is not None and parts[0] in _DOC_CODES:
        # "Kế hoạch số 126/KH-UBND": the type is already said before the number; a presenter
        # does not say it again ("kế hoạch … kế hoạch").
        # ("Thông báo kết luận số 230-TB/TU": the type may open a longer name.)
        said = " ".join(m.string[:m.start()].lower().split()[-6:])
        if _DOC_CODES[parts[0]] in said:
            parts = parts[1:]
    words = " ".join(map(_doc_code, parts))
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
    return f"{m.group(1)} {_ordinal(int(m.group(2)))}"


def _mend_month(m: re.Match[str]) -> str:
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return m.group()
    # g2p-hamster reads "tháng 4" as "tháng bốn"; the month is "tháng tư".
    return f"{m.group(1)} {VI_MONTHS[month - 1]}"


def _mend_title(m: re.Match[str]) -> str:
    chain, dot = m.group(1), m.group(2)
    titles = _TITLE_RE.findall(chain)
    if len(titles) == 1 and not dot and titles[0] in _DOTTED_TITLES:
        return m.group()  # "KS Mường Thanh" is a hotel
    return " ".join(_TITLES.get(t) or _DOTTED_TITLES[t] for t in titles) + " "


def _mend_road(m: re.Match[str]) -> str:
    letter = f" {m.group(3)}" if m.group(3) else ""
    return f"{_ROADS[m.group(1)]} {vi_cardinal(int(m.group(2)))}{letter}"


def _mend_place(m: re.Match[str]) -> str:
    before = m.string[max(0, m.start() - 20):m.start()]
    if re.search(r"(?<!\w)[A-ZĐ][a-zà-ỹđ]+\s$", before):
        return m.group()  # "Nguyễn Văn H. Sau đó…": a name's initial, not a district
    return f"{_PLACES[m.group(1)]} "


def _mend_full_date(m: re.Match[str]) -> str:
    day, month = int(m.group(1)), int(m.group(3))
    if not _is_date(day, month):
        return m.group()
    return _date_words(day, month, m.group(4), _said_day(m))


def _mend_day_range(m: re.Match[str]) -> str:
    """ "1-5/12" → "ngày một đến ngày năm tháng mười hai"."""
    first, last, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
    if not (_is_date(first, month) and _is_date(last, month)):
        return m.group()
    start = vi_cardinal(first) if _said_day(m) else f"ngày {vi_cardinal(first)}"
    return f"{start} đến {_date_words(last, month, year, False)}"


def _mend_date_range(m: re.Match[str]) -> str:
    """ "28/11 - 2/12" → "ngày hai mươi tám tháng mười một đến ngày hai tháng mười hai"."""
    d1, m1, d2, m2 = (int(m.group(i)) for i in range(1, 5))
    if not (_is_date(d1, m1) and _is_date(d2, m2)):
        return m.group()
    return (f"{_date_words(d1, m1, None, _said_day(m))} đến "
            f"{_date_words(d2, m2, m.group(5), False)}")


def _mend_context_date(m: re.Match[str]) -> str:
    """ "Sáng 6-12", "ngày 6.12": a day and month after a time of day or "ngày" — the rule
    that keeps "từ 5-7 ngày" a range."""
    day, month = int(m.group(1)), int(m.group(2))
    if not _is_date(day, month) or not _day_context(m):
        return m.group()
    return f" {_date_words(day, month, None, _said_day(m))} "


def _mend_slash(m: re.Match[str]) -> str:
    """ "a/b": a date, a ratio or rank ("2/63 tỉnh", "thứ 5/63"), or a fraction ("2/3 số hộ").

    A date after a time of day, "ngày", "từ", "đến"…; a ratio after "thứ", "tỷ lệ", "đạt"… or
    before a noun that is counted ("3/5 xã"); a fraction before "số", "tổng", "diện tích"…;
    otherwise a date when it can be one (day 1–31, month 1–12), else a ratio."""
    a, b = int(m.group(1)), int(m.group(2))
    before, after = _word_before(m), _word_after(m)
    date_ok = _is_date(a, b) and len(m.group(2)) <= 2
    if date_ok and (_day_context(m) or before in _DATE_BEFORE):
        return _date_words(a, b, None, _said_day(m))
    ratio = before in _RATIO_BEFORE or after in _RATIO_AFTER or after in _FRACTION_AFTER
    if date_ok and not ratio:
        return _date_words(a, b, None, _said_day(m))
    first = _ordinal(a) if before == "thứ" else vi_cardinal(a)
    if after in _FRACTION_AFTER and before != "thứ":
        return f"{first} phần {'tư' if b == 4 else vi_cardinal(b)}"  # "một phần tư"
    return f"{first} trên {vi_cardinal(b)}"


def _mend_rate(m: re.Match[str]) -> str:
    """ "đồng/kg" → "đồng một ki lô gam", "lần/năm" → "lần một năm", "tấn/ha" → "tấn trên
    héc ta": per one unit after money or before a time or a head count, else a quotient."""
    head, pers = m.group(1), m.group(2).strip("/").split("/")
    after_number = re.search(r"\d\s*$", m.string[max(0, m.start() - 3):m.start()])
    if head in _PER_ONE and all(p in _PER_ONE for p in pers) and not after_number:
        return " ".join([head, *pers])  # "ngày/đêm", "tháng/năm": a pair, not a rate
    if head not in _MONEY_WORDS and not any(p in _RATE_UNITS or p in _PER_ONE for p in pers):
        return m.group()  # "và/hoặc", "anh/chị"
    if head in ("USD", "$"):
        said = ["đô la"]
    elif head in ("đồng", "đ", "VNĐ", "VND"):
        said = ["đồng"]
    else:
        said = [_RATE_UNITS.get(head, head)]
    for p in pers:
        per_one = head in _MONEY_WORDS or head == "$" or p in _PER_ONE
        said.append(f"{'một' if per_one else 'trên'} {_RATE_UNITS.get(p) or _CURRENCIES.get(p, p)}")
    return f" {' '.join(said)}"


def _mend_range(m: re.Match[str]) -> str:
    if _word_before(m) == "số":  # "tỷ số 2-1" is a score, not a range
        return f"{_number_words(m.group(1))} {_number_words(m.group(2))}"
    return f"{_number_words(m.group(1))} đến {_number_words(m.group(2))}"


def _mend_decimal(m: re.Match[str]) -> str:
    # The comma is the decimal mark: "3,281" is three point two eight one, never 3281.
    unit = {"%": " phần trăm", "‰": " phần nghìn"}.get((m.group(2) or "").strip(), "")
    return f"{_number_words(m.group(1))}{unit}"


def _mend_dollar(m: re.Match[str]) -> str:
    magnitude = f" {m.group(2)}" if m.group(2) else ""
    return f"{_number_words(m.group(1))}{magnitude} đô la"


_DOC_PART = r"[A-ZĐƯ][A-Za-zĐđƯư]*\d{0,2}"
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_ALL_TITLES = {**_TITLES, **_DOTTED_TITLES}
_TITLE_RE = re.compile(_alternation(list(_ALL_TITLES)))
_TITLE_CHAIN = (r"(?<![\w.])((?:" + _TITLE_RE.pattern + r")(?:\.\s?(?:" + _TITLE_RE.pattern
                + r"))*)(?![\w])(\.)?")

_MENDS: list[_Mend] = [
    # Phones: "0293.3876.543", "0913 123 456", "(0293) 3 876 543", "+84 913 123 456".
    (re.compile(r"(?<![\w.,/])(?:\+84|\(\+84\)|\(0\d{1,3}\)|0\d{1,3})"
                r"(?:[ .\-]?\d{1,4}){1,4}(?![\w]|[.,/]\d)"), _mend_phone),
    (re.compile(r"(?<![\w.,/])(1[89]00)[ .]?(\d{2,4})(?:[ .](\d{2,4}))?(?![\w]|[.,/]\d)"),
     lambda m: f" {', '.join(_digits(g) for g in m.groups() if g)} "),
    # Short hotlines after their name: "đường dây nóng 1022", "tổng đài 113".
    (re.compile(r"(?<!\w)((?i:đường dây nóng|tổng đài|hotline|số điện thoại|điện thoại|sđt|fax)"
                r"\s*:?\s*)(\d{3,5})(?![\w]|[.,]\d)"),
     lambda m: f"{m.group(1)}{_digits(m.group(2))}"),
    # Emergency numbers 111–119 after "gọi" ("gọi 113"), not "kêu gọi 150 doanh nghiệp".
    (re.compile(r"(?<!\w)(?<![Kk]êu )((?i:gọi|quay số)\s+(?:số\s+)?)(11\d)(?![\w]|[.,]\d)"),
     lambda m: f"{m.group(1)}{_digits(m.group(2))}"),
    (re.compile(r"(?<!\w)[Đđ]/[Cc](?!\w)(?:\.(?=\s*[A-ZĐ]))?"), _mend_comrade),
    (re.compile(r"(?<!\w)[Vv]/[Vv](?!\w)"), lambda m: "về việc"),
    # "ĐT: 0293…" is a telephone ("ĐT.931" a road, "ĐT" alone a national team).
    (re.compile(r"(?<!\w)ĐTDĐ(?!\w)|(?<!\w)ĐT(?=\s*:)"),
     lambda m: "điện thoại di động" if m.group() == "ĐTDĐ" else "điện thoại"),
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
    # Titles, alone or chained: "PGS.TS", "TS.BS", "BS.CKII", "Th.S", "KS. Lê B".
    (re.compile(_TITLE_CHAIN + r"(?:\s*(?=[A-ZĐ]))"), _mend_title),
    (re.compile(r"(?<!\w)(" + _alternation(list(_ROADS)) + r")\.?\s?(\d{1,3})([A-Z]?)(?!\w)"),
     _mend_road),
    (re.compile(r"(?<!\w)TP\.?\s?HCM(?!\w)|(?<!\w)TPHCM(?!\w)"),
     lambda m: "thành phố Hồ Chí Minh"),
    (re.compile(r"(?<![\w.])(" + _alternation(list(_PLACES)) + r")\.\s*(?=[A-ZĐ]|\d)"),
     _mend_place),
    # Dates: "6/12/2026", "6-12-2026", "6.12.2026".
    (re.compile(r"(?<![\w.,/-])(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d\d)(?![\w]|[/.,-]\d)"),
     _mend_full_date),
    (re.compile(r"(?<![\w.,/-])(\d{1,2})/(\d{1,2})\s*[-–—]\s*(\d{1,2})/(\d{1,2})"
                r"(?:/((?:19|20)\d\d))?(?![\w/]|[.,]\d)"), _mend_date_range),
    (re.compile(r"(?<![\w.,/-])(\d{1,2})\s*[-–—]\s*(\d{1,2})/(\d{1,2})(?:/((?:19|20)\d\d))?"
                r"(?![\w/]|[.,]\d)"), _mend_day_range),
    (re.compile(r"(?<!\w)([Tt]háng)\s+(\d{1,2})\s*[-/.]\s*((?:19|20)\d\d)(?![\w]|[.,]\d)"),
     lambda m: f"{m.group(1)} {int(m.group(2))} năm {m.group(3)}"),
    # "Sáng 6-12", "ngày 6.12" (not "7-9 giờ", a span of hours).
    (re.compile(r"(?<![\w.,/-])(\d{1,2})\s*[-–.]\s*(\d{1,2})"
                r"(?![\w/]|[-.,]\d|\s*(?:h|g|giờ|tiếng|phút)(?!\w))"), _mend_context_date),
    # Round-the-clock "24/24", "24/7": g2p-hamster reads digit by digit.
    (re.compile(r"(?<![\d/])24/(24|7)(?![\d/])"),
     lambda m: f"hai mươi bốn trên {vi_cardinal(int(m.group(1)))}"),
    # "a/b" (not "12/2026", a month of a year, which g2p-hamster reads well).
    (re.compile(r"(?<![\w.,/-])(\d{1,5})/(?!(?:19|20)\d\d(?!\d))(\d{1,5})(?![\w/]|[.,]\d)"),
     _mend_slash),
    (re.compile(r"(?<!\w)([Tt]hứ)\s+0?([14])(?!\d|[.,/:]\d)"), _mend_ordinal),
    (re.compile(r"(?<!\w)([Tt]háng)\s+(\d{1,2})(?!\d|[.,/-]\d)"), _mend_month),
    (re.compile(r"(?<![\w.,])(\d{1,2})g(\d\d)(?!\w)"), lambda m: f"{m.group(1)}h{m.group(2)}"),
    # "8g" is eight o'clock ("8g sáng"); a larger number of grams is left alone.
    (re.compile(r"(?<![\w.,])(1?\d|2[0-4])g(?!\w)"), lambda m: f"{m.group(1)} giờ"),
    (re.compile(r"(?<![\w.,])(\d{1,2})\s*[-–—]\s*(\d{1,2})\s*h(?!\w)"),
     lambda m: f"{m.group(1)} đến {m.group(2)} giờ"),
    (re.compile(r"(?<=\d)\s*%"), lambda m: " phần trăm"),
    # Rates: "đồng/kg", "USD/tấn", "tấn/ha", "km/h", "người/km2", "lần/năm".
    (re.compile(r"(?<=[\d\s])(đồng|đ|VNĐ|VND|USD)((?:/[^\W\d_]+[²³23]?)+)(?!\w)"), _mend_rate),
    (re.compile(r"(?<![\w/])(" + _alternation(list(_RATE_UNITS)) + r"|[^\W\d_A-Z]+)"
                r"((?:/(?:" + _alternation(list(_RATE_UNITS)) + r"|[^\W\d_]+))+)(?![\w/])"),
     _mend_rate),
    (re.compile(r"(?<=\d)\s*(" + _alternation(list(_UNITS)) + r")(?!\w)"),
     lambda m: " " + _UNITS[m.group(1)]),
    (re.compile(r"(?<=\d)\s*°\s*C(?!\w)"), lambda m: " độ xê"),
    (re.compile(r"(?<=\d)\s*đ(?!\w)|(?<!\w)(?:VNĐ|VND)(?!\w)"), lambda m: " đồng"),
    (re.compile(r"(?<=\d)\s*‰"), lambda m: " phần nghìn"),
    # Dollars and euros: "$50", "1,5 tỷ USD", "200 EUR", "€".
    (re.compile(r"\$\s?(" + _NUM + r")(?:\s(nghìn|ngàn|triệu|tỷ|tỉ))?(?![\w.,])"), _mend_dollar),
    (re.compile(r"(?<!\w)USD(?!\w)"), lambda m: "đô la"),
    (re.compile(r"(?<!\w)(?:EUR|EURO|Euro|euro)(?!\w)|€"), lambda m: " ơ rô "),
    # English-style thousands "1,250,000" → Vietnamese "1.250.000" so it is read as a count.
    (re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,]|\.\d)"),
     lambda m: m.group().replace(",", ".")),
    # Ranges "5-7", "2021 - 2025", "15-20%", "1,5-2 tỷ" (dates were read above).
    (re.compile(r"(?<![\w.,/-])(" + _NUM + r")\s*[-–—]\s*(" + _NUM + r")(?![\w/]|[-.,]\d)"),
     _mend_range),
    (re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+,\d+|\d+,\d+)(?![\d,]|\.\d)(\s*[%‰])?"),
     _mend_decimal),
    # "COVID-19" is said "Covid mười chín" in Vietnamese news (g2p-hamster reads "nineteen").
    (re.compile(r"(?<!\w)(?i:covid)[- ]?19(?!\d)"), lambda m: "Covid mười chín"),
    # COVID case classes F0, F1, …: said "ép không", "ép một" (g2p-hamster says "F zero").
    (re.compile(r"(?<!\w)F(\d)(?!\w)"), lambda m: f"ép {VI_DIGITS[int(m.group(1))]}"),
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
    text, kept = _protect_addresses(text)
    spoken = _restore_addresses(_t0_normalize(_premend(text))["read_string"], kept)
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
