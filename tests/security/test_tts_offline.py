"""Drafts stay in the building: text that is not published — a draft's preview narration, an
article under review or scheduled — is never sent to an online voice (gTTS) unless an admin
allows it. Published text may go. Google is mocked with `responses` (the only thing off this
machine); espeak-ng speaks for real."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
import responses

from app.extensions import db
from app.media import lifecycle
from app.models import MediaStatus, Role
from app.models.base import utcnow
from app.services import workflow
from app.services.publishing import ArticleInput
from tests.pipeline.test_tts import GTTS_URL, gtts_reply

pytestmark = pytest.mark.security


@pytest.fixture
def google(app, monkeypatch, tmp_path):
    """gTTS answering (mocked), with the engines a connected province would configure."""
    tone = tmp_path / "tone.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=1",
                    "-ac", "1", "-b:a", "32k", str(tone)], check=True)
    monkeypatch.setitem(app.config, "TTS_ENGINES", ["gtts", "espeak"])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru("http://127.0.0.1")
        yield mock.add(responses.POST, GTTS_URL, body=gtts_reply(tone.read_bytes()))


def article(editor, title: str):
    return workflow.save(None, ArticleInput(title=title, lede="Tóm tắt chưa công bố.",
                                            body_html="<p>Nội dung chưa công bố.</p>"), editor)


def test_unpublished_text_is_spoken_offline_and_published_text_may_go_online(
        app, make_user, run_worker, google, tally):
    count = tally("tts offline")
    editor = make_user("bientap", role=Role.editor)
    draft = article(editor, "Bản nháp nghe thử")
    lifecycle.request_preview_narration(draft)
    scheduled = article(editor, "Bài hẹn giờ")
    workflow.schedule(scheduled, editor, utcnow() + timedelta(days=1))  # narrated ahead
    run_worker()
    for item in (draft, scheduled):
        db.session.refresh(item)
        audio = item.asset("audio")
        assert audio.status is MediaStatus.ready and audio.engine.startswith("espeak:"), item.title
        count(1)
    assert google.call_count == 0

    workflow.publish(draft, editor)
    run_worker()
    db.session.refresh(draft)
    assert draft.asset("audio").engine.startswith("gtts:") and google.call_count > 0
    count(1)


def test_an_admin_may_allow_online_voices_for_drafts(app, make_user, run_worker, google,
                                                     monkeypatch, tally):
    monkeypatch.setitem(app.config, "TTS_ONLINE_FOR_UNPUBLISHED", True)
    editor = make_user("bientap", role=Role.editor)
    draft = article(editor, "Bản nháp được phép đọc trực tuyến")
    lifecycle.request_preview_narration(draft)
    run_worker()
    db.session.refresh(draft)
    assert draft.asset("audio").engine.startswith("gtts:") and google.call_count > 0
    tally("tts offline")(1)
