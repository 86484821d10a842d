"""A new user's first hour (issue 17): what the window does after adding files and dialogs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from shell_fakes import FakeFactory, FakeQuestions, make_wav

from ui.dialogs.transcription_settings import TranscriptionSettingsDialog
from ui.queue.item_model import JobState
from ui.settings import AppSettings
from ui.window.main_window import MainWindow

WAIT_MS = 15_000


def _window(qtbot, tmp_path: Path, factory: FakeFactory | None = None) -> MainWindow:
    window = MainWindow(
        AppSettings(model="fake-model"),
        factory=factory or FakeFactory(segments=3),
        autosave_dir=tmp_path / "autosave",
        questions=FakeQuestions(),
    )
    qtbot.addWidget(window)
    return window


def test_an_added_file_is_shown_while_another_is(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    model = window.workspace.queue_model
    (first,) = window.commands.add_files([make_wav(tmp_path / "one.wav", seconds=2)])
    qtbot.waitUntil(lambda: model.item(first).state is JobState.DONE, timeout=WAIT_MS)
    assert window.current_session() is window.workspace.session(first)
    (second,) = window.commands.add_files([make_wav(tmp_path / "two.wav", seconds=2)])
    assert window.queue_pane.current_id() == second
    assert window.current_session() is window.workspace.session(second)
    qtbot.waitUntil(lambda: model.item(second).state is JobState.DONE, timeout=WAIT_MS)
    window.close()


def test_focus_returns_to_the_transcript_after_a_dialog(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    (item_id,) = window.commands.add_files([make_wav(tmp_path / "one.wav", seconds=2)])
    model = window.workspace.queue_model
    qtbot.waitUntil(lambda: model.item(item_id).state is JobState.DONE, timeout=WAIT_MS)
    window.show()
    qtbot.waitExposed(window)
    window.queue_pane.view.setFocus()
    view = window.editor.focusProxy()
    for make in (
        lambda: QMessageBox(QMessageBox.Icon.Information, "Note", "Hello", parent=window),
        lambda: TranscriptionSettingsDialog(window.settings, window),
    ):
        dialog = make()
        QTimer.singleShot(50, dialog.reject)
        dialog.exec()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=2000)
        window.queue_pane.view.setFocus()
    window.close()
