import pytest

from media_pipeline import captions
from media_pipeline.captions import to_webvtt
from media_pipeline.errors import InvalidMediaError

SRT = (
    "\ufeff1\r\n"
    "00:00:01,000 --> 00:00:04,250\r\n"
    "Sáng ngày 18/11, Tỉnh ủy Hòa An\r\n"
    "tổ chức hội nghị tổng kết.\r\n"
    "\r\n"
    "2\r\n"
    "00:00:04,500 --> 00:01:02,075\r\n"
    "Đ/c Bí thư phát biểu chỉ đạo.\r\n"
    "\r\n"
).encode()

VTT = (
    "WEBVTT\n"
    "\n"
    "1\n"
    "00:00:01.000 --> 00:00:04.250\n"
    "Sáng ngày 18/11, Tỉnh ủy Hòa An\n"
    "tổ chức hội nghị tổng kết.\n"
    "\n"
    "2\n"
    "00:00:04.500 --> 00:01:02.075\n"
    "Đ/c Bí thư phát biểu chỉ đạo.\n"
)


def refusal(data: bytes) -> InvalidMediaError:
    with pytest.raises(InvalidMediaError) as caught:
        to_webvtt(data)
    return caught.value


def test_srt_becomes_webvtt_exactly():
    """SRT (with BOM and CRLF) → WebVTT: dots in the times, indices kept as cue ids, text kept."""
    assert to_webvtt(SRT) == VTT


def test_srt_without_indices_and_with_position_suffix():
    """Cues without an index get no id; SRT's X1/Y1 coordinates are dropped."""
    srt = "00:00:00,000 --> 00:00:02,000 X1:10 X2:20 Y1:5 Y2:9\nXin chào\n".encode()
    assert to_webvtt(srt) == "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nXin chào\n"


def test_an_arrow_in_cue_text_cannot_end_the_cue():
    """A literal '-->' in SRT text is escaped so WebVTT does not read it as a timing line."""
    srt = b"1\n00:00:00,000 --> 00:00:01,000\nA --> B\n"
    assert to_webvtt(srt).endswith("00:00:00.000 --> 00:00:01.000\nA --&gt; B\n")


def test_webvtt_passes_through_unchanged():
    """A valid WebVTT file (with a NOTE and cue settings) comes back as it was."""
    vtt = ("WEBVTT - phụ đề\n\nNOTE do biên tập viên soạn\n\n"
           "00:01.000 --> 00:03.500 line:90%\nXin chào quý vị\n\n"
           "intro\n01:00:00.000 --> 01:00:02.000\n<i>Kết thúc</i>\n")
    assert to_webvtt(vtt.encode()) == vtt


def test_webvtt_with_bom_and_crlf_is_normalized():
    """The BOM is stripped and line ends become LF."""
    assert to_webvtt(("\ufeff" + VTT).replace("\n", "\r\n").encode()) == VTT


def test_empty_and_blank_files_are_refused():
    """Nothing to show: 'Tệp phụ đề trống.'"""
    assert refusal(b"").reason == captions.EMPTY == "Tệp phụ đề trống."
    assert refusal(b" \r\n\n ").reason == captions.EMPTY
    assert refusal("\ufeff\n".encode()).reason == captions.EMPTY


def test_binary_files_are_refused():
    """A PNG is not UTF-8; bytes with NULs are not text."""
    assert refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").reason == \
        "Tệp phụ đề phải là văn bản mã hóa UTF-8."
    assert refusal(b"\x00\x00\x00\x18ftypmp42\x00\x00").reason == \
        "Tệp phụ đề không phải là văn bản."
    assert refusal("Xin chào".encode("utf-16")).reason == captions.NOT_UTF8


def test_text_that_is_not_subtitles_is_refused():
    """Plain prose, or an SRT with a block that has no times, is not a subtitle file."""
    assert refusal("Đây là một bài viết, không phải phụ đề.\n".encode()).reason == \
        "Tệp phụ đề không đúng định dạng SRT hoặc WebVTT."
    broken = SRT + "3\nkhông có mốc thời gian\n".encode()
    error = refusal(broken)
    assert error.reason == captions.NOT_SUBTITLES
    assert "khối 3" in str(error)
    assert refusal(b"WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n").reason == captions.NOT_SUBTITLES


def test_webvtt_without_cues_is_refused():
    """A WebVTT header alone has nothing to show."""
    assert refusal(b"WEBVTT\n\nNOTE chua co gi\n").reason == "Tệp phụ đề không có câu phụ đề nào."


@pytest.mark.parametrize("timing", [
    "00:00:01 --> 00:00:02,000",       # no milliseconds
    "00:61:01,000 --> 00:62:00,000",   # minute 61
    "00:00:05,000 --> 00:00:04,000",   # ends before it starts
    "00:00:01,000 -> 00:00:02,000",    # not an arrow: no timing line at all
    "aa:bb:cc,ddd --> 00:00:02,000",
])
def test_broken_timestamps_are_refused(timing):
    """Malformed, out-of-range or backwards times are refused with where they are."""
    error = refusal(f"1\n00:00:00,000 --> 00:00:01,000\nĐúng\n\n2\n{timing}\nSai\n".encode())
    if "-->" in timing:
        assert error.reason == "Mốc thời gian trong tệp phụ đề không hợp lệ."
        assert f"câu 2: {timing}" in str(error)
    else:
        assert error.reason == captions.NOT_SUBTITLES


def test_broken_webvtt_timestamps_are_refused():
    """WebVTT uses dots; an SRT comma inside a WEBVTT file is a broken time."""
    error = refusal(b"WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nx\n")
    assert error.reason == captions.BAD_TIME


def test_cue_text_is_what_is_said_without_timings_ids_notes_or_markup():
    vtt = ("WEBVTT - bản tin\n\nNOTE người dịch: Lan\n\nmo-dau\n00:00:01.000 --> 00:00:02.000\n"
           "<v Phát thanh viên>Kính chào</v> quý vị\n\n00:00:02.500 --> 00:00:04.000 line:90%\n"
           "<i>Hòa An</i> hôm nay\n")
    assert captions.cue_text(vtt) == "Kính chào quý vị Hòa An hôm nay"
