import time

import pytest

from media_pipeline.normalize import LexiconError, apply_lexicon, normalize

DATE_18_1_2021 = "mười tám tháng một năm hai nghìn không trăm hai mươi mốt"

# Sentences of a real provincial Party committee article (Hậu Giang, 19/01/2021), inline.
ARTICLE_SENTENCES = [
    "Đẩy nhanh tiến độ nâng cấp cổng thông tin điện tử Tỉnh ủy trong năm 2021",
    "Sáng ngày 18/1/2021, đồng chí Trần Văn Huyến, Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch "
    "Hội đồng nhân dân tỉnh đã có buổi làm việc với Ban Chỉ đạo Cổng thông tin điện tử Tỉnh ủy "
    "Hậu Giang.",
    "Cổng thông tin điện tử Tỉnh ủy Hậu Giang được thành lập năm 2015 đến nay đã phát huy vai "
    "trò, kịp thời thông tin, tuyên truyền chủ trương, chính sách của Đảng, pháp luật của Nhà "
    "nước, những thông tin chỉ đạo, điều hành của cấp ủy từ tỉnh đến cơ sở,",
    "cập nhật lịch làm việc của Thường trực, các đơn vị, cung cấp tài liệu hội nghị, văn bản chỉ "
    "đạo điều hành tạo thành hệ thống cơ sở dữ liệu dùng chung phục vụ nhu cầu tìm kiếm, tra cứu "
    "thông tin cho các cơ quan, đơn vị và người dân.",
    "Tuy nhiên, cổng thông tin điện tử vẫn còn hạn chế như tốc độ truy cập còn chậm, chưa đáp "
    "ứng được yêu cầu người dùng, số lượng tin bài chưa phong phú, phản ánh thông tin hoạt động "
    "của cấp ủy đôi lúc còn chưa kịp thời.",
    "Tại cuộc họp, đã có tham gia 08 ý kiến tham gia góp ý và các giải pháp để xây dựng cổng "
    "thông tin điện tử Tỉnh ủy đáp ứng được yêu cầu và phục vụ tốt nhất cho người sử dụng,",
    "thu hút người xem xoay quanh các vấn đề về tốc độ truy cập, đổi mới giao diện, thêm nhiều "
    "chuyên mục tin, tư vấn giải pháp nâng cấp cổng thông tin điện tử Tỉnh ủy…",
    "Đ/c Trần Văn Huyến, Phó Bí thư Thường trực phát biểu kết luận cuộc họp",
    "Để phát huy tối đa vai trò của cổng thông tin điện tử Tỉnh ủy, đồng chí Phó Bí thư Thường "
    "trực Tỉnh ủy yêu cầu nhanh chóng kiện toàn Ban chỉ đạo, Ban biên tập, đồng thời tham mưu "
    "quy chế hoạt động của Ban chỉ đạo, Ban biên tập và cập nhật trên cổng thông tin điện tử "
    "Tỉnh ủy;",
    "Văn phòng Tỉnh ủy phối hợp với Sở Thông tin và Truyền thông đẩy nhanh tiến độ nâng cấp cổng "
    "thông tin điện tử Tỉnh ủy trong năm 2021, tổ chức các lớp tập huấn kỹ năng về viết tin bài, "
    "quản trị cổng thông tin điện tử, cần chú trọng đổi mới về giao diện,",
    "Hậu Giang đang trong xu thế chuyển đổi số, xây dựng chính quyền điện tử, đẩy mạnh cải cách "
    "hành chính cần đẩy nhanh tiến độ nâng cấp cổng thông tin điện tử Tỉnh ủy để phục vụ tốt "
    "nhất cho người dân và cán bộ đảng viên.",
    "Cổng thông tin điện tử Tỉnh ủy Hậu Giang, bài đăng ngày 19/01/2021",
]


# ---------------------------------------------------------------- dates and times
def test_a_bare_date_is_read_with_day_month_and_year():
    """18/1/2021 is said as a full date, starting with "ngày"."""
    assert normalize("18/1/2021") == f"ngày {DATE_18_1_2021}"


def test_a_date_after_ngay_does_not_say_ngay_twice():
    """When the text already says "ngày", the narrator does not repeat it."""
    spoken = normalize("Sáng ngày 18/1/2021, đồng chí Trần Văn Huyến làm việc.")
    assert spoken == f"Sáng ngày {DATE_18_1_2021}, đồng chí Trần Văn Huyến làm việc."


def test_a_day_and_month_without_year():
    """15/3 is the fifteenth of March, and "mười lăm" is never "mười năm"."""
    assert normalize("Từ ngày 15/3 đến 20/3.") == (
        "Từ ngày mười lăm tháng ba đến ngày hai mươi tháng ba.")
    assert normalize("Hôm 15/3 có họp.") == "Hôm mười lăm tháng ba có họp."
    assert normalize("mồng 2/9") == "mồng hai tháng chín"


def test_a_month_and_year():
    """"tháng 11/2026" is the month of November 2026, not a fraction."""
    assert normalize("Trong tháng 11/2026 sẽ xong.") == (
        "Trong tháng mười một năm hai nghìn không trăm hai mươi sáu sẽ xong.")


def test_the_fourth_month_is_thang_tu():
    """Month 4 is said "tháng tư", as every Vietnamese speaker says it."""
    assert normalize("ngày 18 tháng 4 năm 2021") == (
        "ngày mười tám tháng tư năm hai nghìn không trăm hai mươi mốt")


def test_times_of_day():
    """14h30, 8 giờ 30 and 7g30 are read as hours and minutes."""
    assert normalize("Lúc 14h30.") == "Lúc mười bốn giờ ba mươi."
    assert normalize("Lúc 8 giờ 30 phút") == "Lúc tám giờ ba mươi phút"
    assert normalize("8 giờ 30") == "tám giờ ba mươi"
    assert normalize("7g30") == "bảy giờ ba mươi"


# ---------------------------------------------------------------- numbers and money
def test_numbers_with_vietnamese_separators():
    """A dot groups thousands and a comma is the decimal mark."""
    assert normalize("1.250 người") == "một nghìn hai trăm năm mươi người"
    assert normalize("tăng 3,2 lần") == "tăng ba phẩy hai lần"
    assert normalize("tỷ lệ 3,281") == "tỷ lệ ba phẩy hai tám một"
    assert normalize("10.000.000.000 đồng") == "mười tỷ đồng"


def test_a_leading_zero_in_a_count_is_not_read():
    """"08 ý kiến" is eight opinions, not "không tám"."""
    assert normalize("Tại cuộc họp, đã có tham gia 08 ý kiến.") == (
        "Tại cuộc họp, đã có tham gia tám ý kiến.")


def test_fifteen_and_twenty_one_use_the_vietnamese_sound_changes():
    """15 is "mười lăm", 21 is "hai mươi mốt", 24 ends in "bốn" or "tư"."""
    assert normalize("15") == "mười lăm"
    assert normalize("21") == "hai mươi mốt"
    assert normalize("24") in ("hai mươi bốn", "hai mươi tư")


def test_money():
    """Amounts keep their unit, and a price per kilo is "đồng một ki lô gam"."""
    assert normalize("3,2 tỷ đồng") == "ba phẩy hai tỷ đồng"
    assert normalize("Giá 7.900 đồng/kg.") == "Giá bảy nghìn chín trăm đồng một ki lô gam."
    assert normalize("7.900đ/kg") == "bảy nghìn chín trăm đồng một ki lô gam"
    assert normalize("50.000 đồng/người/tháng") == "năm mươi nghìn đồng một người một tháng"


def test_percentages():
    """12,5% is "mười hai phẩy năm phần trăm"."""
    assert normalize("Tăng 12,5%.") == "Tăng mười hai phẩy năm phần trăm."


def test_areas():
    """m2 and ha are square metres and hectares, not "mét hai" and "ha"."""
    assert normalize("100 m2 và 0,5 ha") == "một trăm mét vuông và không phẩy năm héc ta"


# ---------------------------------------------------------------- ordinals and Roman numerals
def test_ordinals():
    """Ordinals use "nhất" and "tư": thứ hai, lần thứ tư, lần thứ nhất."""
    assert normalize("Thứ 2 tuần sau") == "Thứ hai tuần sau"
    assert normalize("lần thứ 4") == "lần thứ tư"
    assert normalize("lần thứ 1") == "lần thứ nhất"
    assert normalize("lần thứ 14") == "lần thứ mười bốn"


def test_roman_numerals_after_quarter_term_and_congress():
    """quý IV, khóa XV and Đại hội XIII are numbers; "hạng C" stays a letter."""
    assert normalize("quý IV") == "quý bốn"
    assert normalize("Quốc hội khóa XV") == "Quốc hội khóa mười lăm"
    assert normalize("Đại hội XIII của Đảng") == "Đại hội mười ba của Đảng"
    assert normalize("Đại hội lần thứ XIV") == "Đại hội lần thứ mười bốn"
    assert normalize("quý I/2021") == (
        "quý một năm hai nghìn không trăm hai mươi mốt")
    assert normalize("giấy phép hạng C") == "giấy phép hạng C"


# ---------------------------------------------------------------- abbreviations
def test_state_news_abbreviations():
    """UBND, HĐND, TP. and Đ/c are read in full, and Đ/c is never "Đ trên c"."""
    assert normalize("UBND tỉnh, HĐND tỉnh, TP. Vị Thanh, Đ/c Trần Văn Huyến.") == (
        "ủy ban nhân dân tỉnh, hội đồng nhân dân tỉnh, thành phố Vị Thanh, "
        "đồng chí Trần Văn Huyến.")
    assert normalize("Đ/c. Trần Văn Huyến phát biểu.") == "đồng chí Trần Văn Huyến phát biểu."


def test_party_and_government_acronyms():
    """The acronyms of Party and government news are said as words, never spelled."""
    assert normalize("TW, BCH, MTTQ, BTV, QĐ, NQ, KH, CT, TU, UBMTTQ, THPT.") == (
        "trung ương, ban chấp hành, mặt trận tổ quốc, ban thường vụ, quyết định, nghị quyết, "
        "kế hoạch, chỉ thị, tỉnh ủy, ủy ban mặt trận tổ quốc, trung học phổ thông.")
    assert normalize("Hội nghị lần thứ 4 BCH TW khóa XII") == (
        "Hội nghị lần thứ tư ban chấp hành trung ương khóa mười hai")
    assert normalize("PGS.TS Nguyễn Văn A, ThS. Lê B") == (
        "phó giáo sư tiến sĩ Nguyễn Văn A, thạc sĩ Lê B")


def test_a_syllable_in_a_capitalised_headline_is_not_an_acronym():
    """In "ĐẠI HỘI TU HÀNH" the capitals are shouting, so TU is the word "tu"."""
    assert "tỉnh ủy" not in normalize("CHÀO MỪNG ĐẠI HỘI TU HÀNH").lower()


def test_document_numbers():
    """Document numbers become number and document type a listener understands."""
    assert normalize("05-NQ/TU") == "không năm nghị quyết tỉnh ủy"
    # The type is said once: a presenter does not repeat "kế hoạch" after the number.
    assert normalize("Kế hoạch số 126/KH-UBND") == (
        "Kế hoạch số một trăm hai mươi sáu ủy ban nhân dân")
    assert normalize("Nghị quyết 05-NQ/TU") == "Nghị quyết không năm tỉnh ủy"
    assert normalize("Nghị định 72/2015/NĐ-CP.") == (
        "Nghị định bảy mươi hai, năm hai nghìn không trăm mười lăm, chính phủ.")
    assert normalize("Chỉ thị 05-CT/TW") == "Chỉ thị không năm trung ương"


def test_slashes_that_are_not_documents_are_left_to_the_general_rules():
    """HIV/AIDS is not a document number; COVID-19 is "Covid mười chín"."""
    spoken = normalize("HIV/AIDS và COVID-19")
    assert "trên" not in spoken
    assert spoken.endswith("Covid mười chín")


# ---------------------------------------------------------------- characters and punctuation
def test_emoji_and_chinese_leave_nothing_to_say():
    """Text of only emoji or Chinese characters normalizes to text with no letters."""
    for text in ("😀🎉❤️👍🏽", "你好世界", "😀 你好 ™ ©"):
        assert not any(ch.isalpha() for ch in normalize(text))


def test_unsayable_characters_are_dropped_and_words_kept():
    """Emoji, CJK and control characters vanish; Vietnamese and Latin words stay."""
    assert normalize("Xin chào 😀 你好 bạn.") == "Xin chào bạn."
    assert normalize("Facebook và\x00 Zalo\x07 đều dùng.") == "Facebook và Zalo đều dùng."
    assert normalize("Hà Nội，thủ đô。") == "Hà Nội, thủ đô."


def test_pauses_are_kept_and_whitespace_folded():
    """, . ; : ? ! survive; brackets, dashes and ellipses become pauses; spaces fold."""
    assert normalize("Số lần xem:   277") == "Số lần xem: hai trăm bảy mươi bảy"
    assert normalize("Tại sao? Vì   vậy!") == "Tại sao? Vì vậy!"
    assert normalize("Hòa Khánh - Hầm (tạm dừng) … xong…") == "Hòa Khánh, Hầm, tạm dừng, xong."


def test_the_sentence_end_survives_an_abbreviation():
    """A final dot after an acronym still ends the sentence with a pause."""
    assert normalize("Tuyển sinh lớp 10 THPT.") == "Tuyển sinh lớp mười trung học phổ thông."


def test_the_sample_article_has_no_digits_left():
    """Every number, date and count in a real article is written out in words."""
    for sentence in ARTICLE_SENTENCES:
        spoken = normalize(sentence)
        assert spoken
        assert not any(ch.isdigit() for ch in spoken), spoken
    assert normalize(ARTICLE_SENTENCES[-1]).endswith(
        "bài đăng ngày mười chín tháng một năm hai nghìn không trăm hai mươi mốt")


def test_normalizing_an_article_is_fast():
    """Warm normalization of the sample sentences takes well under a second."""
    normalize(ARTICLE_SENTENCES[0])
    started = time.perf_counter()
    for sentence in ARTICLE_SENTENCES:
        normalize(sentence)
    assert time.perf_counter() - started < 0.5


# ---------------------------------------------------------------- lexicon
def test_lexicon_matches_whole_words_in_any_case():
    """A term matches whole words whatever their case, never inside a Vietnamese word."""
    entries = [("ủy", "uỷ"), ("hậu giang", "Hậu Giang (HG)")]
    assert apply_lexicon("Thủy lợi, Ủy ban, HẬU GIANG, hậu giangx", entries) == (
        "Thủy lợi, uỷ ban, Hậu Giang (HG), hậu giangx")


def test_lexicon_prefers_the_longest_term():
    """"ủy ban nhân dân" wins over "ủy ban" where both match."""
    entries = [("ủy ban", "A"), ("ủy ban nhân dân", "B")]
    assert apply_lexicon("ủy ban nhân dân và ủy ban", entries) == "B và A"


def test_lexicon_is_one_pass_and_cannot_loop():
    """Replacements are never rescanned: swaps swap once and "x"→"x x" doubles once."""
    assert apply_lexicon("a b", [("a", "b"), ("b", "a")]) == "b a"
    assert apply_lexicon("x", [("x", "x x")]) == "x x"


def test_lexicon_ignores_empty_terms():
    """Empty or blank terms change nothing."""
    assert apply_lexicon("Hậu Giang", [("", "boom"), ("   ", "boom")]) == "Hậu Giang"
    assert apply_lexicon("Hậu Giang", []) == "Hậu Giang"


def test_lexicon_output_is_bounded():
    """A result longer than 4× the input + 1000 characters raises LexiconError."""
    assert apply_lexicon("a", [("a", "b" * 1004)]) == "b" * 1004
    with pytest.raises(LexiconError) as raised:
        apply_lexicon("a", [("a", "b" * 1005)])
    assert isinstance(raised.value, ValueError)
    assert "Từ điển phát âm" in str(raised.value)
    with pytest.raises(LexiconError):
        apply_lexicon(" ".join(["a"] * 500), [("a", "a" * 20)])


def test_lexicon_with_thousands_of_entries_is_fast_on_a_long_article():
    """2,000 entries over a 10,000-word article apply in well under a second."""
    entries = [(f"từ{i} khóa", f"đọc {i}") for i in range(2000)] + [("tỉnh ủy", "tỉnh uỷ")]
    sentence = normalize(ARTICLE_SENTENCES[2])
    apply_lexicon(sentence, entries)
    started = time.perf_counter()
    for _ in range(250):  # about 10,000 words
        out = apply_lexicon(sentence, entries)
    assert time.perf_counter() - started < 1.0
    assert "Tỉnh ủy" not in out and "tỉnh uỷ" in out
