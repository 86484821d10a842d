"""The timeline in the main window: retiming with undo, selections in step, the View toggle, and
a main loop that never stalls while a long recording's waveform is computed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt
from shell_fakes import FakeFactory, FakeQuestions, make_wav
from window_helpers import WAIT_MS, assert_never_stalled, main_loop_gaps, transcribed

from ui.settings import AppSettings, load_settings
from ui.timeline.peak_cache import cache_path
from ui.timeline.view import TimelineView
from ui.window.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def make_window(qtbot, tmp_path) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(factory: FakeFactory) -> MainWindow:
        window = MainWindow(
            AppSettings(model="fake-model"),
            factory=factory,
            autosave_dir=tmp_path / "autosave",
            questions=FakeQuestions(),
        )
        qtbot.addWidget(window)
        window.resize(1100, 700)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.workspace.worker.is_running
        assert not window.timeline.view.loader.busy  # closing stopped the waveform job


def drag(qtbot, view: TimelineView, y: int, from_x: int, to_x: int) -> None:
    port = view.viewport()
    qtbot.mousePress(port, LEFT, pos=QPoint(from_x, y))
    for x in range(from_x, to_x, 1 if to_x > from_x else -1):
        qtbot.mouseMove(port, QPoint(x, y))
    qtbot.mouseRelease(port, LEFT, pos=QPoint(to_x, y))


def middle(band) -> int:
    return band.top + band.height // 2


def test_the_waveform_is_computed_cached_and_a_dragged_edge_undoes(qtbot, make_window, tmp_path):
    window = make_window(FakeFactory(segments=5))
    media = make_wav(tmp_path / "talk.wav", seconds=20)
    item_id = transcribed(qtbot, window, media)
    view = window.timeline.view
    assert view.isVisible()
    assert view.y() > window.editor.mapTo(window.centralWidget(), QPoint(0, 0)).y()
    qtbot.waitUntil(lambda: view.loader.peaks is not None and view.loader.peaks.complete)
    assert view.loader.peaks.duration_ms == 20_000
    assert cache_path(tmp_path / "waveforms", media).is_file()  # beside the autosaves
    document = window.workspace.session(item_id).document
    before = document.transcript
    assert view.geometry_now.pixels_per_second == 100  # 10 ms a pixel from 0 s
    drag(qtbot, view, middle(view.lanes.segments), 280, 291)  # segment 3 ends at 2.8 s
    assert document.transcript.segments[2].end_ms == 2910
    assert window.menu_actions.undo.isEnabled()
    assert window.menu_actions.undo.text() == "Undo Move segment end"
    window.menu_actions.undo.trigger()
    assert document.transcript == before


def test_selections_stay_in_step_both_ways(qtbot, make_window, tmp_path) -> None:
    window = make_window(FakeFactory(segments=5))
    transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=20))
    view, editor = window.timeline.view, window.editor
    # Dragging across the waveform selects the words it mostly covers in the transcript:
    # from 1.15 s to 2.65 s, "bravo1" (middle 1.3 s) to "charlie2" (middle 2.5 s).
    drag(qtbot, view, middle(view.lanes.segments), 115, 265)
    assert editor.selected_time_range() == (1200, 2600)
    assert editor.selection_span() == (1200, 2600)
    assert view.selection == (1200, 2600)  # the highlight snaps to those words
    # Selecting words in the transcript highlights their stretch.
    editor.select_words((3, 0), (3, 1))
    assert view.selection == (3000, 3400)
    editor.commit_pending()
    assert window.workspace.session(window._current).undo_stack.count() == 0


def test_the_view_menu_hides_the_timeline_and_remembers(qtbot, make_window, tmp_path) -> None:
    window = make_window(FakeFactory(segments=2))
    view, toggle = window.timeline.view, window.timeline.toggle
    assert toggle.isChecked()
    assert toggle in window.preferences.view_menu.actions()
    toggle.trigger()
    assert not view.isVisible()
    assert not window.store.current.show_timeline
    assert not load_settings().show_timeline
    toggle.trigger()
    assert view.isVisible()
    assert load_settings().show_timeline


def make_long_recording(path: Path, minutes: int) -> Path:
    """A 44.1 kHz stereo FLAC (decoded and resampled in-process, as most recordings are)."""
    rate = 44_100
    t = np.arange(rate * 10) / rate
    tone = (0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(t))).astype(np.float32)
    with sf.SoundFile(path, "w", rate, 2, format="FLAC") as f:
        for _ in range(minutes * 6):
            f.write(np.stack([tone, tone], axis=1))
    return path


@pytest.mark.slow
def test_the_main_loop_never_stalls_while_a_long_waveform_is_computed(
    qtbot, make_window, tmp_path
) -> None:
    # The sibling of test_main_window's stall test: the same 10 ms timer, while the peaks of
    # 30 minutes of 44.1 kHz stereo are decoded, resampled and reduced on the waveform thread.
    media = make_long_recording(tmp_path / "long.flac", minutes=30)
    window = make_window(FakeFactory(segments=3))
    loader = window.timeline.view.loader
    (item_id,) = window.commands.add_files([media])
    qtbot.waitUntil(lambda: loader.media == media and loader.busy, timeout=WAIT_MS)
    with main_loop_gaps() as gaps:
        qtbot.waitUntil(lambda: loader.peaks is not None and loader.peaks.complete, timeout=120_000)
    assert loader.peaks.duration_ms == 1_800_000
    assert_never_stalled(gaps)
    assert window.workspace.queue_model.item(item_id) is not None
