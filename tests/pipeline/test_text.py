import pytest

from media_pipeline.narration import NarrationSettings, build_script
from media_pipeline.text import article_pictures, has_words, html_to_paragraphs, spoken_text


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


BODY_WITH_PICTURES = (
    '<p>Sáng nay, cầu mới thông xe.</p>'
    '<figure><img src="/m/images/7/body/aa.jpg" alt="cầu"><figcaption>Lễ cắt băng.'
    '</figcaption></figure>'
    '<p>Cây cầu dài 1.200 mét.</p><p><img src="https://elsewhere.example/x.jpg"></p>'
    '<figure><img src="/m/images/7/body/bb.jpg"></figure>')


@pytest.mark.parametrize("read_captions", [True, False])
def test_each_picture_names_the_narration_block_it_stands_beside(read_captions):
    pictures = article_pictures("Cầu mới", "", BODY_WITH_PICTURES, read_captions)
    script = build_script("Cầu mới", "", BODY_WITH_PICTURES,
                          NarrationSettings(read_captions=read_captions))
    said = {s.block: s.text for s in script}
    assert [(p.src, p.caption) for p in pictures] == [
        ("/m/images/7/body/aa.jpg", "Lễ cắt băng."),
        ("https://elsewhere.example/x.jpg", ""),  # a picture outside a figure: no caption
        ("/m/images/7/body/bb.jpg", "")]           # a figure without one
    # the first stands beside its caption, or the paragraph after it when captions are not
    # read; the one at the very end beside the last block
    assert said[pictures[0].block] == ("Lễ cắt băng." if read_captions
                                       else "Cây cầu dài 1.200 mét.")
    assert pictures[2].block == max(said)
