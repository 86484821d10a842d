"""What the main-window tests share: waiting for a file, finding the view, timing the main loop."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QTimer

from ui.queue.item_model import JobState
from ui.transcript.view import TranscriptView
from ui.window.main_window import MainWindow

WAIT_MS = 15_000


def transcribed(qtbot, window: MainWindow, media: Path, timeout: int = WAIT_MS) -> int:
    """Add ``media`` to the queue and wait until its transcription is done; its row id."""
    (item_id,) = window.commands.add_files([media])

    def done() -> bool:
        # The queue and the file's session hear of the end from the worker in two queued
        # calls, and the GUI thread can run between them: a test that went on at DONE alone
        # found the session still transcribing, and "Transcribe again" refused (seen in CI).
        session = window.workspace.session(item_id)
        state = window.workspace.queue_model.item(item_id).state
        return state is JobState.DONE and (session is None or not session.transcribing)

    qtbot.waitUntil(done, timeout=timeout)
    return item_id


def view_of(window: MainWindow) -> TranscriptView:
    """The window's transcript view."""
    view = window.editor.findChild(TranscriptView)
    assert view is not None
    return view


@contextmanager
def main_loop_gaps() -> Iterator[list[float]]:
    """Seconds between the ticks of a 10 ms timer while the ``with`` block runs.

    Garbage left by earlier tests is collected first and frozen, so no collection of it lands in
    the middle of the measurement.
    """
    gaps: list[float] = []
    last = time.perf_counter()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        gaps.append(now - last)
        last = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    gc.collect()
    gc.freeze()
    try:
        last = time.perf_counter()
        timer.start()
        yield gaps
    finally:
        timer.stop()
        gc.unfreeze()


def assert_never_stalled(gaps: list[float]) -> None:
    """At least 50 ticks, none more than 100 ms after the one before."""
    print(f"main loop: {len(gaps)} ticks, longest gap {max(gaps, default=0) * 1000:.1f} ms")
    assert len(gaps) > 50
    assert max(gaps) < 0.100, f"longest stall {max(gaps) * 1000:.0f} ms"
