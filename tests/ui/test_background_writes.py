"""Saves, autosaves and exports written off the UI thread (issue 17, item 10)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from shell_fakes import FakeFactory, FakeQuestions, fake_segment, make_wav

import ui.files.project_io as project_io_module
from editor.commands import ReplaceWordText
from editor.project import load_project
from editor.writers import ExportOptions
from engine.results import TranscriptionInfo
from ui.files.project_io import ProjectIO
from ui.files.session import FileSession
from ui.files.writes import WriteQueue
from ui.settings import AppSettings
from ui.transcript.undo import push_edit
from ui.window.main_window import MainWindow


def transcribed(media: Path) -> FileSession:
    s = FileSession(media)
    s.start_transcription(TranscriptionInfo("en", 1.0, 10.0, model="tiny.en"))
    s.append_results([fake_segment(i) for i in range(3)])
    s.finish_transcription()
    return s


@pytest.fixture
def questions() -> FakeQuestions:
    return FakeQuestions()


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return make_wav(tmp_path / "media" / "talk.wav", seconds=10.0)


@pytest.fixture
def io(questions, tmp_path) -> ProjectIO:
    return ProjectIO(questions, tmp_path / "autosave", list, interval_s=0)


class Overlap:
    """Wraps a write: counts writes running at once, each held long enough to overlap."""

    def __init__(self, hold_s: float = 0.05) -> None:
        self.running = self.most = self.calls = 0
        self.hold_s = hold_s
        self._lock = threading.Lock()

    def __call__(self, write):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            with self._lock:
                self.running += 1
                self.calls += 1
                self.most = max(self.most, self.running)
            try:
                time.sleep(self.hold_s)
                return write(*args, **kwargs)
            finally:
                with self._lock:
                    self.running -= 1

        return wrapped


def test_a_save_holds_the_snapshot_of_the_command_and_a_later_edit_stays_unsaved(
    qtbot, io, media, tmp_path, monkeypatch
) -> None:
    slow_save = Overlap()(project_io_module.save_project)  # the edit lands during the write
    monkeypatch.setattr(project_io_module, "save_project", slow_save)
    s = transcribed(media)
    s.project_path = tmp_path / "talk.transcript"
    assert io.save(s)
    push_edit(s.undo_stack, s.document, ReplaceWordText(0, 0, " LATER"))  # during the write
    assert io.wait_for_writes()
    written = load_project(s.project_path).transcript
    assert "LATER" not in written.text
    assert s.is_modified  # the file lacks the later edit
    assert not s.undo_stack.isClean()
    assert io.save(s)
    assert io.wait_for_writes()
    assert "LATER" in load_project(s.project_path).transcript.text
    assert not s.is_modified


def test_a_failed_background_save_is_told_and_keeps_the_work(io, questions, media, tmp_path):
    s = transcribed(media)
    (tmp_path / "a-file").write_text("not a folder")
    s.project_path = tmp_path / "a-file" / "talk.transcript"
    assert io.save(s)
    assert io.wait_for_writes()
    assert len(questions.told) == 1
    assert "Cannot save to" in questions.told[0]
    assert s.is_modified


def test_quick_autosaves_never_write_one_file_at_once_and_the_latest_wins(
    io, media, monkeypatch
) -> None:
    overlap = Overlap()
    slow_autosave = overlap(project_io_module.save_autosave)
    monkeypatch.setattr(project_io_module, "save_autosave", slow_autosave)
    s = transcribed(media)
    for n in range(5):
        push_edit(s.undo_stack, s.document, ReplaceWordText(0, 0, f" EDIT{n}"))
        assert io.autosave(s)
    assert io.wait_for_writes()
    assert overlap.most == 1
    assert overlap.calls < 5  # autosaves still waiting were replaced by newer ones
    assert s.autosave_file is not None
    assert "EDIT4" in load_project(s.autosave_file).transcript.text
    assert not s.needs_autosave


def test_queued_writes_run_one_at_a_time_in_order(qtbot, tmp_path) -> None:
    writes = WriteQueue()
    overlap, order, outcomes = Overlap(0.02), [], []
    for n in range(3):
        work = overlap(lambda n=n: order.append(n))
        writes.submit(tmp_path / "same.json", work, outcomes.append)
    assert writes.busy
    qtbot.waitUntil(lambda: len(outcomes) == 3, timeout=5000)  # reported through the event loop
    assert order == [0, 1, 2]
    assert outcomes == [None, None, None]
    assert overlap.most == 1
    assert not writes.busy


@pytest.fixture
def window(qtbot, tmp_path, questions) -> MainWindow:
    window = MainWindow(
        AppSettings(model="fake-model"),
        factory=FakeFactory(),
        autosave_dir=tmp_path / "autosave",
        questions=questions,
    )
    qtbot.addWidget(window)
    return window


def test_an_export_writes_the_snapshot_even_when_edited_right_after(
    window, media, tmp_path
) -> None:
    s = transcribed(media)
    window.workspace.add_session(s, media)
    target = tmp_path / "talk.srt"
    window.commands.start_export(s.document.transcript, target, "srt", ExportOptions())
    push_edit(s.undo_stack, s.document, ReplaceWordText(0, 0, " LATER"))
    assert window.workspace.writes.wait_for_writes()
    assert target.is_file()
    assert "LATER" not in target.read_text(encoding="utf-8")
    window.close()


def test_a_failed_background_export_is_told(window, questions, media, tmp_path) -> None:
    s = transcribed(media)
    (tmp_path / "a-file").write_text("not a folder")
    target = tmp_path / "a-file" / "talk.srt"
    window.commands.start_export(s.document.transcript, target, "srt", ExportOptions())
    assert window.workspace.writes.wait_for_writes()
    assert len(questions.told) == 1
    assert questions.told[0].startswith("Export failed: The transcript was not exported. Cannot")
    window.close()


def test_closing_waits_for_a_write_under_way(window, tmp_path) -> None:
    target = tmp_path / "slow.txt"
    started = threading.Event()

    def slow_write() -> None:
        started.set()
        time.sleep(0.3)
        target.write_text("done")

    window.workspace.writes.submit(target, slow_write, lambda error: None)
    assert started.wait(5)
    window.close()
    assert target.read_text() == "done"
    assert not window.workspace.writes.busy
