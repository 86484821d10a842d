"""Files written off the UI thread: saves, autosaves and exports of a document snapshot.

Serialising a 3-hour transcript takes 40-180 ms (issue 17, item 10), longer than an interaction
may take. A `Transcript` is an immutable value, so the UI thread takes the snapshot (free) and
hands the writing to `WriteQueue`, which runs it on one background thread and reports the outcome
back on the UI thread. One thread, so two writes never run at once, and two writes of one file
can never interleave; an autosave still waiting for its turn is replaced by a newer one of the
same file (the latest snapshot wins). Closing waits for what is queued (`wait_for_writes`).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal

from editor.errors import EditorError

__all__ = ["WRITE_WAIT_MS", "Done", "WriteQueue"]

log = logging.getLogger(__name__)

#: How long closing waits for queued writes: a 10-hour project on a slow disk takes a few
#: seconds; past this the app logs it and goes on rather than hang.
WRITE_WAIT_MS = 30_000

#: Called on the UI thread with the write's error, or None when the file was written.
Done = Callable[[Exception | None], None]


@dataclass(slots=True)
class _Job:
    path: Path
    work: Callable[[], None]  # runs on the writer thread; raises EditorError on failure
    done: Done
    replaceable: bool  # an autosave: a newer one of the same file may take its place


class WriteQueue(QObject):
    """Runs file writes one at a time on a background thread; reports on the UI thread."""

    _finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        """An idle queue; its thread starts with the first write."""
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer: writes of a file never overlap
        self._lock = threading.Lock()
        self._waiting: dict[Path, _Job] = {}  # replaceable jobs not started yet
        self._results: deque[tuple[Done, Exception | None]] = deque()
        self._pending = 0
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        """Whether a write is queued, running, or not yet reported."""
        with self._lock:
            return self._pending > 0 or bool(self._results)

    def submit(
        self, path: Path, work: Callable[[], None], done: Done, *, replaceable: bool = False
    ) -> None:
        """Queue ``work`` (which writes ``path``); ``done`` gets its outcome on the UI thread.

        With ``replaceable``, a replaceable write of ``path`` still waiting is replaced by this
        one, and its ``done`` is never called: its snapshot was older.
        """
        with self._lock:
            waiting = self._waiting.get(path) if replaceable else None
            if waiting is not None:
                waiting.work, waiting.done = work, done
                log.debug("a newer write of %s replaces the queued one", path)
                return
            job = _Job(path, work, done, replaceable)
            if replaceable:
                self._waiting[path] = job
            self._pending += 1
        # A plain callable, not `QRunnable.create`: Qt deletes a finished runnable, and the
        # stale Python wrapper later aborted the interpreter when garbage-collected (seen in a
        # full test run); `QueueRunner.probe` had the same trap.
        self._pool.start(lambda: self._run(job))

    def wait_for_writes(self, timeout_ms: int = WRITE_WAIT_MS) -> bool:
        """Wait for the queued writes and report them now; False (logged) on time-out."""
        finished = self._pool.waitForDone(timeout_ms)
        if not finished:
            log.error("files were still being written after %d ms; not waiting longer", timeout_ms)
        self._deliver()
        return finished

    def _run(self, job: _Job) -> None:
        # On the writer thread: nothing here touches a QObject but the queued signal.
        with self._lock:
            if self._waiting.get(job.path) is job:
                del self._waiting[job.path]
            work, done = job.work, job.done
        error: Exception | None = None
        try:
            work()
        except Exception as e:  # EditorError in words; anything else is a bug, still reported
            if not isinstance(e, EditorError):
                log.exception("writing %s failed unexpectedly", job.path)
            error = e
        with self._lock:
            self._results.append((done, error))
            self._pending -= 1
        self._finished.emit()

    def _deliver(self) -> None:
        while True:
            with self._lock:
                if not self._results:
                    return
                done, error = self._results.popleft()
            done(error)
