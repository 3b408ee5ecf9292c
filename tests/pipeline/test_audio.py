from media_pipeline import audio, tts
from tests.pipeline.conftest import probe_streams


def test_speech_is_encoded_as_mono_mp3_of_the_same_length(tmp_path):
    wav = tts.EspeakEngine("vi").synthesize("Xin chào quý vị và các bạn.", tmp_path)
    progress = []
    mp3 = audio.encode_mp3(wav, tmp_path / "out.mp3", audio.media_duration(wav), progress.append)
    info = probe_streams(mp3)
    stream = info["streams"][0]
    assert stream["codec_name"] == "mp3"
    assert stream["channels"] == 1
    assert abs(float(info["format"]["duration"]) - audio.media_duration(wav)) < 0.1
    assert progress[-1] == 100
