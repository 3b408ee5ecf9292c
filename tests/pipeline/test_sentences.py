import re

from media_pipeline.sentences import MAX_SENTENCE_CHARS, split_sentences

# Paragraphs of a real provincial Party committee article (Hậu Giang, 19/01/2021), inline.
LEDE = ("Sáng ngày 18/1/2021, đồng chí Trần Văn Huyến, Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch "
        "Hội đồng nhân dân tỉnh đã có buổi làm việc với Ban Chỉ đạo Cổng thông tin điện tử Tỉnh "
        "ủy Hậu Giang.")
PARAGRAPH_ONE = (
    "Cổng thông tin điện tử Tỉnh ủy Hậu Giang được thành lập năm 2015 đến nay đã phát huy vai "
    "trò, kịp thời thông tin, tuyên truyền chủ trương, chính sách của Đảng, pháp luật của Nhà "
    "nước, những thông tin chỉ đạo, điều hành của cấp ủy từ tỉnh đến cơ sở, cập nhật lịch làm "
    "việc của Thường trực, các đơn vị, cung cấp tài liệu hội nghị, văn bản chỉ đạo điều hành tạo "
    "thành hệ thống cơ sở dữ liệu dùng chung phục vụ nhu cầu tìm kiếm, tra cứu thông tin cho "
    "các cơ quan, đơn vị và người dân. Cổng thông tin Tỉnh ủy từng bước được đổi mới, bám sát "
    "định hướng tuyên truyền của Đảng và Nhà nước, góp phần không nhỏ trong việc công khai hóa "
    "thông tin, nâng cao hiệu lực, hiệu quả hoạt động của cấp ủy, từng bước tạo ra mối quan hệ "
    "trực tuyến giữa Đảng với Nhân dân, góp phần vào công tác cải cách hành chính của tỉnh. "
    "Tuy nhiên, cổng thông tin điện tử vẫn còn hạn chế như tốc độ truy cập còn chậm, chưa đáp "
    "ứng được yêu cầu người dùng, số lượng tin bài chưa phong phú, phản ánh thông tin hoạt động "
    "của cấp ủy đôi lúc còn chưa kịp thời.")
PARAGRAPH_TWO = (
    "Tại cuộc họp, đã có tham gia 08 ý kiến tham gia góp ý và các giải pháp để xây dựng cổng "
    "thông tin điện tử Tỉnh ủy đáp ứng được yêu cầu và phục vụ tốt nhất cho người sử dụng, thu "
    "hút người xem xoay quanh các vấn đề về tốc độ truy cập, đổi mới giao diện, thêm nhiều "
    "chuyên mục tin, tư vấn giải pháp nâng cấp cổng thông tin điện tử Tỉnh ủy…")
PARAGRAPH_THREE = (
    "Để phát huy tối đa vai trò của cổng thông tin điện tử Tỉnh ủy, đồng chí Phó Bí thư Thường "
    "trực Tỉnh ủy yêu cầu nhanh chóng kiện toàn Ban chỉ đạo, Ban biên tập, đồng thời tham mưu "
    "quy chế hoạt động của Ban chỉ đạo, Ban biên tập và cập nhật trên cổng thông tin điện tử "
    "Tỉnh ủy; yêu cầu các cơ quan, đơn vị tham gia cộng tác bài viết phản ánh hoạt động của cơ "
    "quan, đơn vị và chịu trách nhiệm về độ chính xác của bài viết, hàng năm thống kê số lượng "
    "tin bài của từng cơ quan, đơn vị để có cơ sở tổng kết đánh giá cuối năm; Văn phòng Tỉnh ủy "
    "phối hợp với Sở Thông tin và Truyền thông đẩy nhanh tiến độ nâng cấp cổng thông tin điện "
    "tử Tỉnh ủy trong năm 2021, tổ chức các lớp tập huấn kỹ năng về viết tin bài, quản trị cổng "
    "thông tin điện tử, cần chú trọng đổi mới về giao diện, thiết kế các chuyên mục tin phong "
    "phú, đa dạng hơn, kết hợp cả đọc, nghe và nhìn để thu hút người xem, phát huy và sử dụng "
    "tối đa các chức năng của cổng thông tin điện tử Tỉnh ủy để cán bộ đảng viên và nhân dân dễ "
    "dàng tiếp nhận những thông tin chỉ đạo, điều hành của cấp ủy. Hậu Giang đang trong xu thế "
    "chuyển đổi số, xây dựng chính quyền điện tử, đẩy mạnh cải cách hành chính cần đẩy nhanh "
    "tiến độ nâng cấp cổng thông tin điện tử Tỉnh ủy để phục vụ tốt nhất cho người dân và cán "
    "bộ đảng viên.")
TRICKY = (
    "Sáng 18/1/2021, Đ/c. Trần Văn Huyến làm việc tại TP. Vị Thanh với Th.S Nguyễn Văn A, "
    "TS. Lê Văn B, PGS. Trần C và ThS. Phạm D ở Q. 1, P. Tân Định. Có 1.250 người, tăng 3,2 "
    "lần... theo Nghị quyết 05-NQ/TU. Xem www.haugiang.gov.vn. “Tại sao?” ông hỏi. Xong!")


def assert_exact_cover(paragraph: str, sentences: list[str]) -> None:
    """Each sentence is found in order in the paragraph and together they cover its text."""
    position = 0
    for sentence in sentences:
        assert sentence == sentence.strip() and sentence
        found = paragraph.find(sentence, position)
        assert found >= 0, sentence
        assert paragraph[position:found].strip() == ""  # nothing skipped between sentences
        position = found + len(sentence)
    assert paragraph[position:].strip() == ""
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", paragraph)


def test_plain_sentences_split_at_their_ends():
    """A paragraph of three sentences gives three sentences."""
    assert split_sentences("Câu một. Câu hai? Câu ba!") == ["Câu một.", "Câu hai?", "Câu ba!"]


def test_abbreviations_before_names_do_not_end_sentences():
    """TP., Đ/c., Th.S, TS., PGS., ThS., Q. and P. stay inside their sentence."""
    for text in ("Làm việc tại TP. Vị Thanh hôm nay.",
                 "Đ/c. Trần Văn Huyến phát biểu.",
                 "Th.S Nguyễn Văn A trình bày.",
                 "Có TS. Lê Văn B và PGS. Trần C dự.",
                 "Ý kiến của ThS. Phạm D được ghi nhận.",
                 "Trụ sở ở Q. 1 và P. Tân Định."):
        assert split_sentences(text) == [text]


def test_numbers_dates_and_document_numbers_do_not_end_sentences():
    """1.250, 3,2, 18/1/2021, 18.1.2021 and 05-NQ/TU are not sentence ends."""
    for text in ("Có 1.250 người, tăng 3,2 lần so với năm trước.",
                 "Ngày 18/1/2021 và ngày 18.1.2021 là một.",
                 "Theo Nghị quyết 05-NQ/TU của Ban Thường vụ Tỉnh ủy."):
        assert split_sentences(text) == [text]
    assert split_sentences("Theo Nghị quyết 05-NQ/TU. Tỉnh triển khai ngay.") == [
        "Theo Nghị quyết 05-NQ/TU.", "Tỉnh triển khai ngay."]


def test_an_ellipsis_inside_a_sentence_does_not_end_it():
    """"…" or "..." followed by lowercase continues the sentence."""
    assert split_sentences("Tỉnh sẽ... triển khai ngay. Đơn vị… cũng vậy.") == [
        "Tỉnh sẽ... triển khai ngay.", "Đơn vị… cũng vậy."]


def test_closing_quotes_stay_with_their_sentence():
    """A closing quote belongs to the sentence it closes; a lowercase tag does not split."""
    assert split_sentences("Ông nói: “Tôi đồng ý.” Sau đó ra về. “Tại sao?” ông hỏi.") == [
        "Ông nói: “Tôi đồng ý.”", "Sau đó ra về.", "“Tại sao?” ông hỏi."]


def test_urls_and_list_numbers_do_not_end_sentences():
    """Dots inside web addresses and a leading "1." are not sentence ends."""
    assert split_sentences("Xem tại www.haugiang.gov.vn. Liên hệ bbt@haugiang.gov.vn.") == [
        "Xem tại www.haugiang.gov.vn.", "Liên hệ bbt@haugiang.gov.vn."]
    assert split_sentences("1. Nội dung chính. 2. Nội dung phụ.") == [
        "1. Nội dung chính.", "2. Nội dung phụ."]


def test_tricky_paragraph_splits_only_at_real_sentence_ends():
    """Abbreviations, numbers, dates and document numbers together still split correctly."""
    sentences = split_sentences(TRICKY)
    assert sentences == [
        "Sáng 18/1/2021, Đ/c. Trần Văn Huyến làm việc tại TP. Vị Thanh với Th.S Nguyễn Văn A, "
        "TS. Lê Văn B, PGS. Trần C và ThS. Phạm D ở Q. 1, P. Tân Định.",
        "Có 1.250 người, tăng 3,2 lần... theo Nghị quyết 05-NQ/TU.",
        "Xem www.haugiang.gov.vn.",
        "“Tại sao?” ông hỏi.",
        "Xong!",
    ]
    assert_exact_cover(TRICKY, sentences)


def test_sentences_are_exact_substrings_covering_the_paragraph():
    """Every sentence is an exact slice, in order, and together they hold all the text."""
    for paragraph in (LEDE, PARAGRAPH_ONE, PARAGRAPH_TWO, PARAGRAPH_THREE, TRICKY,
                      "  Câu  có   nhiều    khoảng trắng.   Câu hai!  ",
                      "Không có dấu chấm cuối"):
        assert_exact_cover(paragraph, split_sentences(paragraph))


def test_long_sentences_are_cut_at_commas_or_semicolons():
    """No piece exceeds the limit; long sentences are cut after a ";" or ","."""
    for paragraph in (PARAGRAPH_ONE, PARAGRAPH_TWO, PARAGRAPH_THREE):
        sentences = split_sentences(paragraph)
        assert all(len(s) <= MAX_SENTENCE_CHARS for s in sentences)
        for sentence in sentences:
            assert sentence[-1] in ".,;…"
    pieces = split_sentences(PARAGRAPH_TWO)
    assert len(pieces) == 2 and pieces[0].endswith("người sử dụng,")
    # The semicolons of the third paragraph are the preferred seams.
    assert split_sentences(PARAGRAPH_THREE)[0].endswith("cổng thông tin điện tử Tỉnh ủy;")


def test_a_long_sentence_without_commas_is_cut_between_words():
    """Even with no comma, pieces stay under the limit and words stay whole."""
    paragraph = " ".join(["thông tin"] * 100) + "."
    sentences = split_sentences(paragraph)
    assert all(len(s) <= MAX_SENTENCE_CHARS for s in sentences)
    assert_exact_cover(paragraph, sentences)


def test_a_short_lede_is_one_sentence():
    """A single sentence with a date and commas is returned whole."""
    assert split_sentences(LEDE) == [LEDE]


def test_empty_paragraph_has_no_sentences():
    """Blank input gives no sentences."""
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []
