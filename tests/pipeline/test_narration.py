import json

import pytest

from media_pipeline import narration, tts
from media_pipeline.audio import media_duration
from media_pipeline.errors import NothingToNarrateError
from media_pipeline.narration import NarrationSettings, build_script

TITLE = "Đẩy nhanh tiến độ nâng cấp cổng thông tin"
LEDE = "Sáng ngày 18/1/2021, Đ/c Trần Văn Huyến làm việc với Ban Chỉ đạo."
BODY = ("<p>Tại cuộc họp, đã có 08 ý kiến góp ý. TP. Vị Thanh đạt 12,5% kế hoạch.</p>"
        "<figure><img src='a.jpg' alt=''><figcaption>Quang cảnh cuộc họp</figcaption></figure>"
        "<ul><li>Đổi mới giao diện</li><li>Thêm chuyên mục</li></ul>"
        "<table><tr><th>Đơn vị</th><th>Số bài</th></tr><tr><td>Văn phòng</td><td>15</td></tr>"
        "</table>")


def test_script_keeps_page_text_and_says_it_the_vietnamese_way():
    """Each sentence keeps its printed text for read-along; its spoken form is normalized."""
    script = build_script(TITLE, LEDE, BODY)
    texts = [s.text for s in script]
    assert texts[:2] == [TITLE, LEDE]
    assert "TP. Vị Thanh đạt 12,5% kế hoạch." in texts  # not split at "TP."
    lede = script[1].spoken
    assert "18/1/2021" not in lede and "mười tám" in lede and "đồng chí" in lede.lower()
    assert [s.block for s in script] == sorted(s.block for s in script)


def test_captions_are_announced_or_skipped_by_setting():
    spoken = [s.spoken for s in build_script(TITLE, LEDE, BODY)]
    assert any(s.startswith("Ảnh: ") and "quang cảnh" in s.lower() for s in spoken)
    without = build_script(TITLE, LEDE, BODY, NarrationSettings(read_captions=False))
    assert not any("quang cảnh" in s.spoken.lower() for s in without)


def test_lists_and_table_rows_are_read_as_sentences():
    texts = [s.text for s in build_script(TITLE, LEDE, BODY)]
    assert "Đổi mới giao diện" in texts and "Thêm chuyên mục" in texts
    assert "Văn phòng, 15" in texts  # a row, cell by cell


def test_the_lexicon_changes_what_is_said_not_what_is_shown():
    settings = NarrationSettings(lexicon=(("Huyến", "Huyền ến"),))
    lede = build_script(TITLE, LEDE, BODY, settings)[1]
    assert "Huyền ến" in lede.spoken and lede.text == LEDE


@pytest.mark.parametrize("body", ["<p>🎉🎉🎉 👍</p>", "<p>   </p>", "<p>中华人民共和国</p>"])
def test_nothing_to_say_is_a_clear_state_not_an_engine_error(tmp_path, body):
    script = build_script("", "", body)
    with pytest.raises(NothingToNarrateError, match="không có nội dung để đọc"):
        narration.narrate(script, [tts.EspeakEngine()], tmp_path)


def test_a_megabyte_of_text_is_refused_before_synthesis(tmp_path):
    body = "<p>" + "Cổng thông tin điện tử tỉnh. " * 40_000 + "</p>"
    script = build_script("Quá dài", "", body, NarrationSettings(normalize=False))
    with pytest.raises(NothingToNarrateError, match="quá dài"):
        narration.narrate(script, [tts.EspeakEngine()], tmp_path,
                          NarrationSettings(normalize=False))


def test_narration_is_loudness_normalized_mp3_with_sentence_timings(tmp_path):
    """−16 LUFS ±1 and true peak ≤ −1.5 dBTP; timings as WebVTT and JSON for read-along."""
    script = build_script(TITLE, LEDE, BODY)
    progress = []
    made = narration.narrate(script, [tts.EspeakEngine()], tmp_path,
                             on_progress=progress.append)
    loudness, peak = narration.measure_loudness(made.mp3)
    assert loudness == pytest.approx(-16.0, abs=1.0)
    assert peak <= -1.5
    assert media_duration(made.mp3) == pytest.approx(made.duration, abs=0.15)
    assert (made.engine, made.voice) == ("espeak", "vi")
    assert progress == sorted(progress) and progress[-1] >= 95

    data = json.loads(made.timings.read_text(encoding="utf-8"))
    sentences = data["sentences"]
    assert [s["text"] for s in sentences] == [s.text for s in script]
    starts = [s["start"] for s in sentences]
    assert starts == sorted(starts) and sentences[-1]["end"] <= data["duration"]
    assert all(s["end"] > s["start"] for s in sentences)

    vtt = made.vtt.read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.000 --> ")
    assert vtt.count(" --> ") == len(sentences)
    assert TITLE in vtt and "TP. Vị Thanh đạt 12,5% kế hoạch." in vtt


def test_the_limiter_sits_a_decibel_under_the_true_peak_ceiling():
    assert narration.loudness_filter(14.0, -1.5) == \
        "volume=14.00dB,alimiter=limit=0.7499:level=disabled"


def test_a_paragraph_ends_with_a_longer_pause_than_a_sentence(tmp_path):
    """A presenter breathes between paragraphs: the silence after a paragraph's last sentence
    is the paragraph pause, after any other sentence the sentence pause."""
    body = "<p>Câu thứ nhất của đoạn một. Câu thứ hai của đoạn một.</p><p>Đoạn hai bắt đầu.</p>"
    script = build_script("Tiêu đề", "", body)
    settings = NarrationSettings(sentence_pause=0.1, paragraph_pause=0.9)
    assert narration.pauses(script, settings) == [0.9, 0.1, 0.9, 0.9]
    track = tts.PcmTrack(tmp_path / "speech.pcm", 22050)
    timings = tts.EspeakEngine().render([s.spoken for s in script], track, lambda i: None, None,
                                        narration.pauses(script, settings))
    track.close()
    within = timings[2][0] - timings[1][1]  # between the two sentences of paragraph one
    across = timings[3][0] - timings[2][1]  # from paragraph one to paragraph two
    assert across - within == pytest.approx(0.8, abs=0.01)


def test_a_word_gap_slows_the_voice_between_words_only(tmp_path):
    sentence = "Hội nghị tổng kết công tác năm của tỉnh"
    durations = []
    for gap in (0, 20):  # 20 × 10 ms between words
        track = tts.PcmTrack(tmp_path / f"gap-{gap}.pcm", 22050)
        tts.EspeakEngine(word_gap=gap).render([sentence], track, lambda i: None, None)
        track.close()
        durations.append(track.seconds)
    words = len(sentence.split())
    assert durations[1] - durations[0] >= 0.15 * (words - 1)
