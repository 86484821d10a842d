"""A new user's first hour (issue 17): what the window does after adding files and dialogs."""

from __future__ import annotations

from pathlib import Path

from shell_fakes import FakeFactory, FakeQuestions, make_wav

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
