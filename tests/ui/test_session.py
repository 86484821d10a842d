from __future__ import annotations

from pathlib import Path

import pytest
from shell_fakes import fake_segment, make_wav

from editor.commands import ReplaceWordText
from editor.transcript import Transcript
from engine.results import TranscriptionInfo
from ui.files.session import FileSession
from ui.transcript.undo import push_edit


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return make_wav(tmp_path / "talk.wav", seconds=4.0)


@pytest.fixture
def session(qtbot, media: Path) -> FileSession:
    s = FileSession(media)
    s.start_transcription(TranscriptionInfo("en", 1.0, 4.0, model="tiny.en", device="cpu"))
    return s


def test_a_new_session_is_clean_and_named_after_its_media(qtbot, media) -> None:
    s = FileSession(media)
    assert not s.is_modified
    assert not s.has_content
    assert s.display_name == "talk.wav"


def test_starting_a_transcription_describes_the_media(session, media) -> None:
    t = session.document.transcript
    assert t.language == "en"
    assert t.media is not None
    assert Path(t.media.path) == media
    assert t.media.duration_ms == 4000
    assert t.metadata["model"] == "tiny.en"
    assert session.transcribing
    assert session.is_modified


def test_streamed_segments_fill_the_document(session) -> None:
    changes = []
    session.document.subscribe(changes.append)
    assert session.append_results([fake_segment(0), fake_segment(1)]) == 2
    assert session.append_results([fake_segment(2)]) == 1
    t = session.document.transcript
    assert len(t.segments) == 3
    assert t.segments[2].text == fake_segment(2).text
    assert [c.inserted for c in changes] == [2, 1]


def test_segments_past_the_media_end_are_trimmed(session) -> None:
    session.append_results([fake_segment(i) for i in range(6)])  # the media lasts 4 s
    assert session.document.transcript.end_ms <= 4000


def test_editing_while_streaming_keeps_both(session) -> None:
    session.append_results([fake_segment(0)])
    push_edit(session.undo_stack, session.document, ReplaceWordText(0, 1, " BRAVO"))
    session.append_results([fake_segment(1)])
    t = session.document.transcript
    assert t.segments[0].words[1].text == " BRAVO"
    assert len(t.segments) == 2


def test_modified_follows_saves_and_undo(session, tmp_path) -> None:
    session.append_results([fake_segment(0)])
    seen: list[bool] = []
    session.modified_changed.connect(seen.append)
    session.mark_saved(tmp_path / "talk.transcript")
    assert not session.is_modified
    push_edit(session.undo_stack, session.document, ReplaceWordText(0, 0, " ALPHA"))
    assert session.is_modified
    session.undo_stack.undo()
    assert not session.is_modified
    assert seen == [False, True, False]
    assert session.display_name == "talk.transcript"


def test_autosave_is_needed_only_after_unsaved_changes(session, tmp_path) -> None:
    session.append_results([fake_segment(0)])
    assert session.needs_autosave
    session.mark_autosaved(tmp_path / "a.autosave.json")
    assert not session.needs_autosave
    session.append_results([fake_segment(1)])
    assert session.needs_autosave
    session.mark_saved(tmp_path / "talk.transcript")
    assert not session.needs_autosave


def test_a_session_opened_from_a_transcript_keeps_it(qtbot, media) -> None:
    transcript = Transcript(language="de")
    s = FileSession(media, transcript, media.with_suffix(".transcript"), editor_state={"a": 1})
    assert s.document.transcript is transcript
    assert s.to_project().editor_state == {"a": 1}
    assert not s.is_modified
