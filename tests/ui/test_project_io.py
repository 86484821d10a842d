from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from shell_fakes import FakeQuestions, fake_segment, make_wav

from editor.autosave import find_recoverable
from editor.commands import ReplaceWordText, SetSpeaker
from editor.project import load_project
from engine.results import TranscriptionInfo
from ui.dialogs.dialog_questions import DialogQuestions
from ui.dialogs.recovery import RecoveryDialog
from ui.files.project_io import PROJECT_SUFFIX, ProjectIO
from ui.files.questions import RecoveryChoice
from ui.files.session import FileSession
from ui.transcript.undo import push_edit


@pytest.fixture
def questions() -> FakeQuestions:
    return FakeQuestions()


@pytest.fixture
def autosave_dir(tmp_path: Path) -> Path:
    return tmp_path / "autosave"


@pytest.fixture
def sessions() -> list[FileSession]:
    return []


@pytest.fixture
def io(questions, autosave_dir, sessions) -> ProjectIO:
    return ProjectIO(questions, autosave_dir, lambda: sessions, interval_s=0)


@pytest.fixture
def warnings(questions) -> list[str]:
    return questions.told


def transcribed(media: Path, segments: int = 3) -> FileSession:
    s = FileSession(media)
    s.start_transcription(TranscriptionInfo("en", 1.0, 10.0, model="tiny.en"))
    s.append_results([fake_segment(i) for i in range(segments)])
    s.finish_transcription()
    return s


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return make_wav(tmp_path / "media" / "talk.wav", seconds=10.0)


def test_saving_and_reopening_restores_the_transcript_and_edits(io, media, tmp_path) -> None:
    s = transcribed(media)
    push_edit(s.undo_stack, s.document, ReplaceWordText(1, 2, " CORRECTED"))
    push_edit(s.undo_stack, s.document, SetSpeaker((0, 1), "Ann"))
    s.editor_state["position_ms"] = 1234
    path = tmp_path / f"talk{PROJECT_SUFFIX}"
    s.project_path = path
    assert io.save(s)
    assert io.wait_for_writes()
    assert not s.is_modified
    reopened = io.open_project(path)
    assert reopened is not None
    assert reopened.document.transcript.segments == s.document.transcript.segments
    assert reopened.document.transcript.segments[1].words[2].text == " CORRECTED"
    assert reopened.document.transcript.speakers == ("Ann",)
    assert reopened.editor_state["position_ms"] == 1234
    assert reopened.media_path == media
    assert not reopened.is_modified


def test_save_asks_for_a_path_the_first_time(io, questions, media, tmp_path) -> None:
    questions.save_to = tmp_path / "chosen.transcript"
    s = transcribed(media)
    assert io.save(s)  # never saved: Save asks where
    assert io.wait_for_writes()
    assert s.project_path == questions.save_to
    assert questions.asked == [f"save as (suggested {media.with_suffix(PROJECT_SUFFIX)})"]
    assert load_project(s.project_path).transcript.word_count == s.document.transcript.word_count


def test_the_save_dialog_adds_the_suffix(qtbot, tmp_path, monkeypatch) -> None:
    target = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert DialogQuestions(None).project_to_save(None) == target.with_suffix(PROJECT_SUFFIX)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert DialogQuestions(None).project_to_save(None) is None


def test_cancelling_save_as_keeps_the_work_unsaved(io, media) -> None:
    s = transcribed(media)
    assert not io.save_as(s)
    assert s.is_modified


def test_a_failed_save_shows_why_and_keeps_the_edits(io, media, tmp_path, warnings) -> None:
    s = transcribed(media)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    s.project_path = blocker / "talk.transcript"
    assert io.save(s)  # started; the background write fails
    assert io.wait_for_writes()
    assert len(warnings) == 1
    assert "a-file" in warnings[0]
    assert s.is_modified
    assert s.has_content


def test_autosave_writes_changed_sessions_and_a_save_removes_it(io, sessions, media, tmp_path):
    s = transcribed(media)
    sessions.append(s)
    io.autosave_all()
    assert io.wait_for_writes()
    assert s.autosave_file is not None
    assert s.autosave_file.is_file()
    written = s.autosave_file.stat().st_mtime_ns
    io.autosave_all()  # nothing changed: not written again
    assert io.wait_for_writes()
    assert s.autosave_file.stat().st_mtime_ns == written
    s.project_path = tmp_path / "talk.transcript"
    autosave = s.autosave_file
    assert io.save(s)
    assert io.wait_for_writes()
    assert not autosave.exists()
    assert s.autosave_file is None


def test_the_autosave_timer_runs_at_the_interval(qtbot, questions, autosave_dir, media) -> None:
    s = transcribed(media)
    io = ProjectIO(questions, autosave_dir, lambda: [s], interval_s=1)
    qtbot.waitUntil(lambda: s.autosave_file is not None, timeout=5000)
    assert s.autosave_file.parent == autosave_dir
    io.set_interval(0)


def newer_autosave(io: ProjectIO, media: Path, project: Path) -> FileSession:
    """A saved project plus an autosave of later edits (as after a crash)."""
    s = transcribed(media)
    s.project_path = project
    assert io.save(s)
    assert io.wait_for_writes()
    push_edit(s.undo_stack, s.document, ReplaceWordText(0, 0, " RECOVERED"))
    assert io.autosave(s)
    assert io.wait_for_writes()
    later = time.time() + 5  # the autosave is newer than the project file
    os.utime(s.autosave_file, (later, later))
    return s


def test_recovery_offers_a_newer_autosave_and_restores_it(io, questions, media, tmp_path) -> None:
    project = tmp_path / "talk.transcript"
    newer_autosave(io, media, project)
    questions.recover = RecoveryChoice.RECOVER
    (recovered,) = io.recover()
    assert questions.asked == ["recover 1"]
    assert recovered.document.transcript.segments[0].words[0].text == " RECOVERED"
    assert recovered.project_path == project
    assert recovered.is_modified
    assert io.save(recovered)
    assert io.wait_for_writes()
    assert find_recoverable(io.autosave_dir) == []


def test_discarding_or_postponing_recovery(io, questions, media, tmp_path) -> None:
    newer_autosave(io, media, tmp_path / "talk.transcript")
    questions.recover = RecoveryChoice.LATER
    assert io.recover() == []
    assert len(find_recoverable(io.autosave_dir)) == 1
    questions.recover = RecoveryChoice.DISCARD
    assert io.recover() == []
    assert find_recoverable(io.autosave_dir) == []


def test_the_recovery_dialog_lists_the_work_and_reports_the_choice(qtbot, io, media, tmp_path):
    newer_autosave(io, media, tmp_path / "talk.transcript")
    candidates = find_recoverable(io.autosave_dir)
    dialog = RecoveryDialog(candidates)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    assert "talk.transcript" in dialog.list.item(0).text()
    # Long lines wrap rather than being cut, and the tooltip holds the whole line (issue 17).
    assert dialog.list.wordWrap()
    assert dialog.list.item(0).toolTip() == dialog.list.item(0).text()
    dialog.buttons[RecoveryChoice.DISCARD].click()
    assert dialog.choice is RecoveryChoice.DISCARD
    assert dialog.checked() == candidates


def test_a_moved_recording_next_to_the_project_is_relinked(io, media, tmp_path) -> None:
    s = transcribed(media)
    project_dir = tmp_path / "elsewhere"
    project_dir.mkdir()
    s.project_path = project_dir / "talk.transcript"
    assert io.save(s)
    assert io.wait_for_writes()
    moved = media.rename(project_dir / media.name)
    reopened = io.open_project(s.project_path)
    assert reopened is not None
    assert reopened.media_path == moved
    assert reopened.document.transcript.media.path == str(moved)
    assert reopened.is_modified  # the new location is a change to save


def test_a_missing_recording_can_be_located_by_hand(io, questions, media, tmp_path) -> None:
    s = transcribed(media)
    s.project_path = tmp_path / "talk.transcript"
    assert io.save(s)
    assert io.wait_for_writes()
    hidden = tmp_path / "archive" / "renamed.wav"
    hidden.parent.mkdir()
    media.rename(hidden)

    questions.located = hidden
    reopened = io.open_project(s.project_path)
    assert reopened is not None
    assert reopened.media_path == hidden
    assert questions.asked == ["locate talk.wav"]


def test_the_locate_dialog_offers_a_file_picker(qtbot, tmp_path, monkeypatch) -> None:
    hidden = tmp_path / "renamed.wav"

    def locate(box: QMessageBox) -> int:
        box.buttons()[0].click()  # "Locate…"
        return 0

    monkeypatch.setattr(QMessageBox, "exec", locate)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(hidden), ""))
    assert DialogQuestions(None).locate_media(tmp_path / "talk.wav") == hidden
    monkeypatch.setattr(QMessageBox, "exec", lambda box: box.buttons()[1].click() or 0)
    assert DialogQuestions(None).locate_media(tmp_path / "talk.wav") is None


def test_opening_without_the_recording_turns_playback_off(io, media, tmp_path):
    s = transcribed(media)
    s.project_path = tmp_path / "talk.transcript"
    assert io.save(s)
    assert io.wait_for_writes()
    media.unlink()  # the fake's answer to "locate it?" is None: open without it
    messages: list[str] = []
    io.status_message.connect(messages.append)
    reopened = io.open_project(s.project_path)
    assert reopened is not None
    assert reopened.media_path is None
    assert any("missing" in m for m in messages)


def test_a_damaged_project_is_refused_in_words(io, tmp_path, warnings) -> None:
    broken = tmp_path / "broken.transcript"
    broken.write_text('{"format": "transcript-editor-project", "version": 1, "transcript": {')
    assert io.open_project(broken) is None
    assert "broken.transcript" in warnings[0]
