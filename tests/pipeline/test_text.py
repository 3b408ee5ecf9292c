from media_pipeline.text import has_words, html_to_paragraphs, spoken_text


def test_spoken_text_reads_title_lede_then_paragraphs_in_order():
    """The narrator reads the title, the lede, then each paragraph, each ending a sentence."""
    text = spoken_text("Tiêu đề bài", "Sapo ngắn",
                       "<p>Đoạn <strong>một</strong></p><p>Đoạn hai.</p>")
    assert text.splitlines() == ["Tiêu đề bài.", "Sapo ngắn.", "Đoạn một.", "Đoạn hai."]


def test_scripts_and_styles_are_never_read_aloud():
    paragraphs = html_to_paragraphs(
        "<p>Nội dung</p><script>alert('x')</script><style>p{}</style><p>Tiếp &amp; theo</p>")
    assert paragraphs == ["Nội dung", "Tiếp & theo"]


def test_captions_and_list_items_become_their_own_lines():
    paragraphs = html_to_paragraphs(
        "<figure><img src='a.jpg'><figcaption>Đ/c phát biểu</figcaption></figure>"
        "<ul><li>Thứ nhất</li><li>Thứ hai</li></ul>")
    assert paragraphs == ["Đ/c phát biểu", "Thứ nhất", "Thứ hai"]


def test_text_without_letters_or_digits_has_nothing_to_say():
    assert not has_words("  … 🎉 !!! ")
    assert has_words("Hậu Giang")
