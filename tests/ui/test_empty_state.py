"""The transcript pane says what is true of a file without words (issue 17, item 3)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from shell_fakes import FakeFactory, FakeQuestions, make_not_audio, make_wav

from ui.queue.item_model import JobState, QueueItem, QueueModel
from ui.queue.pane import FAILED_RED, QueuePane
from ui.settings import AppSettings
from ui.transcript.empty_state import (
    MODEL_ADVICE,
    NO_DOCUMENT,
    TRANSCRIBING,
    empty_message,
    queue_position,
)
from ui.transcript.view import TranscriptView
from ui.window.main_window import MainWindow

WAIT_MS = 15_000


def _item(item_id: int, state: JobState, **fields: object) -> QueueItem:
    return QueueItem(item_id, Path(f"/m/{item_id}.wav"), state=state, **fields)  # type: ignore[arg-type]


def test_each_state_has_its_own_words() -> None:
    assert empty_message(None) == NO_DOCUMENT
    assert empty_message(_item(1, JobState.RUNNING)) == TRANSCRIBING
    assert "next" in empty_message(_item(1, JobState.WAITING), 0)
    assert "2 files before it" in empty_message(_item(1, JobState.WAITING), 2)
    failed = empty_message(_item(1, JobState.FAILED, error="the file is not audio."))
    assert failed.startswith("Could not transcribe 1.wav: the file is not audio.\n")
    assert "Retry" in failed
    model = empty_message(_item(1, JobState.FAILED, error="no model", model_problem=True))
    assert MODEL_ADVICE in model
    cancelled = empty_message(_item(1, JobState.CANCELLED))
    assert "cancelled" in cancelled
    assert "Retry" in cancelled
    assert "Transcribing" not in failed + cancelled + model


def test_the_queue_position_counts_the_files_before() -> None:
    items = [
        _item(1, JobState.DONE),
        _item(2, JobState.RUNNING),
        _item(3, JobState.FAILED),
        _item(4, JobState.WAITING),
        _item(5, JobState.WAITING),
    ]
    assert [queue_position(items, i) for i in (1, 2, 4, 5)] == [0, 0, 1, 2]


def _window(qtbot, tmp_path: Path, factory: FakeFactory) -> MainWindow:
    window = MainWindow(
        AppSettings(model="fake-model"),
        factory=factory,
        autosave_dir=tmp_path / "autosave",
        questions=FakeQuestions(),
    )
    qtbot.addWidget(window)
    return window


def _pane_text(window: MainWindow) -> str:
    view = window.editor.findChild(TranscriptView)
    assert view is not None
    return view.empty_message


def test_the_pane_follows_its_row_failed_waiting_cancelled(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path, FakeFactory(segments=40, delay=0.05))
    model = window.workspace.queue_model
    bad = make_not_audio(tmp_path / "notes.wav")
    slow = make_wav(tmp_path / "slow.wav", seconds=3)
    last = make_wav(tmp_path / "last.wav", seconds=3)
    bad_id, slow_id, last_id = window.commands.add_files([bad, slow, last])
    qtbot.waitUntil(lambda: model.item(bad_id).state is JobState.FAILED, timeout=WAIT_MS)
    window.show_session(bad_id)
    assert _pane_text(window).startswith("Could not transcribe notes.wav")
    assert "Retry" in _pane_text(window)
    window.show_session(last_id)
    qtbot.waitUntil(lambda: model.item(slow_id).state is JobState.RUNNING, timeout=WAIT_MS)
    assert _pane_text(window) == "last.wav is waiting: 1 file before it in the queue."
    window.workspace.runner.cancel(last_id)
    qtbot.waitUntil(lambda: model.item(last_id).state is JobState.CANCELLED, timeout=WAIT_MS)
    assert "cancelled" in _pane_text(window)
    assert "Transcribing" not in _pane_text(window)
    window.workspace.runner.cancel(slow_id)
    qtbot.waitUntil(lambda: model.item(slow_id).state is JobState.CANCELLED, timeout=WAIT_MS)
    window.close()


def test_a_model_that_cannot_load_says_what_to_do(qtbot, tmp_path: Path) -> None:
    offline = "the model small is not downloaded yet and there is no connection"
    window = _window(qtbot, tmp_path, FakeFactory(fail_with=offline))
    model = window.workspace.queue_model
    (item_id,) = window.commands.add_files([make_wav(tmp_path / "jfk.wav", seconds=2)])
    qtbot.waitUntil(lambda: model.item(item_id).state is JobState.FAILED, timeout=WAIT_MS)
    assert model.item(item_id).model_problem
    window.show_session(item_id)
    assert MODEL_ADVICE in _pane_text(window)
    assert offline in _pane_text(window)
    window.close()


def test_a_failed_row_stays_marked_when_selected(qtbot, tmp_path: Path) -> None:
    model = QueueModel()
    pane = QueuePane(model)
    qtbot.addWidget(pane)
    pane.resize(260, 200)
    (item_id,) = model.add_files([tmp_path / "jfk.flac"])
    model.update(item_id, state=JobState.FAILED, error="no connection", model_problem=True)
    pane.select(item_id)
    pane.show()
    qtbot.waitExposed(pane)
    image = pane.view.viewport().grab().toImage()
    red = QColor(FAILED_RED)
    reds = sum(
        image.pixelColor(x, y) == red for x in range(image.width()) for y in range(image.height())
    )
    assert reds > 10  # the badge, on the selection's colour
