import base64
import json

import pytest
import requests
import responses

from media_pipeline import audio, tts
from media_pipeline.errors import NothingToNarrateError, TTSError

GTTS_URL = "https://translate.google.com.vn/_/TranslateWebserverUi/data/batchexecute"
TEXT = "Sáng ngày 18 tháng 1, Tỉnh ủy Hòa An tổ chức hội nghị."


def gtts_reply(mp3: bytes) -> str:
    """The batchexecute line gTTS looks for: base64 MP3 inside the jQ1olc field."""
    payload = json.dumps([["wrb.fr", "jQ1olc", json.dumps([base64.b64encode(mp3).decode()]),
                           None, None, None, "generic"]], separators=(",", ":"))
    return ")]}'\n\n" + payload + "\n"


def test_espeak_speaks_vietnamese_offline(tmp_path):
    """espeak-ng turns Vietnamese text into a WAV of a plausible length."""
    wav = tts.EspeakEngine("vi").synthesize(TEXT, tmp_path)
    assert 1.5 < audio.media_duration(wav) < 15


@responses.activate
def test_gtts_is_used_first_when_google_answers(tmp_path, sample_mp3):
    responses.add(responses.POST, GTTS_URL, body=gtts_reply(sample_mp3))
    engines = tts.build_engines(["gtts", "espeak"])
    speech = tts.synthesize(engines, TEXT, tmp_path)
    assert speech.engine == "gtts"
    assert speech.path.read_bytes().startswith(sample_mp3[:64])
    assert audio.media_duration(speech.path) > 0.5


@responses.activate
@pytest.mark.parametrize("failure", [
    {"status": 500, "body": "Internal error"},
    {"status": 429, "body": "Too many requests"},
    {"body": requests.exceptions.ConnectTimeout("timed out")},
    {"body": requests.exceptions.ConnectionError("Name or service not known")},
])
def test_gtts_failure_falls_back_to_espeak(tmp_path, failure):
    """Google refusing, throttling, timing out or unreachable: espeak-ng speaks instead."""
    responses.add(responses.POST, GTTS_URL, **failure)
    speech = tts.synthesize(tts.build_engines(["gtts", "espeak"]), TEXT, tmp_path)
    assert speech.engine == "espeak"
    assert speech.voice == "vi"
    assert audio.media_duration(speech.path) > 1.5
    assert not (tmp_path / "gtts.mp3").exists()  # no half-written gTTS file left behind


@responses.activate
def test_gtts_is_given_a_bounded_timeout(tmp_path, sample_mp3):
    seen = {}

    def callback(request):
        seen["timeout"] = request.req_kwargs.get("timeout")
        return 200, {}, gtts_reply(sample_mp3)

    responses.add_callback(responses.POST, GTTS_URL, callback=callback)
    tts.GTTSEngine(timeout=3.5).synthesize(TEXT, tmp_path)
    assert seen["timeout"] == 3.5


def test_when_every_engine_fails_the_error_names_each(tmp_path):
    engines = [tts.EspeakEngine(voice="khong-co-giong-nay")]
    with pytest.raises(TTSError) as err:
        tts.synthesize(engines, TEXT, tmp_path)
    assert "espeak-ng" in err.value.detail
    assert "Không tạo được bản nghe" in err.value.reason


def test_empty_text_is_nothing_to_narrate(tmp_path):
    with pytest.raises(NothingToNarrateError):
        tts.synthesize(tts.build_engines(["espeak"]), " \n … ", tmp_path)


def test_unknown_engine_name_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown TTS engine"):
        tts.build_engines(["espeak", "polly"])
