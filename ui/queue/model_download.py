"""Downloading a Whisper model in the background, with progress and cancel.

`ModelDownloader` runs `engine.models.resolve_model` on a `QThread` of its own (one per
download, finished when the download ends) and reports through signals carrying plain data.
Cancelling sets the `threading.Event` that the engine checks between chunks; the engine keeps
what is half downloaded in the Hugging Face cache, so a later download resumes it.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from typing import Final

from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.errors import Cancelled, EngineError
from engine.models import DownloadProgress, resolve_model

__all__ = ["DownloadWorker", "ModelDownloader", "download_failure", "format_bytes"]

log = logging.getLogger(__name__)

# Progress comes for every chunk read (several hundred a second on a fast line); the GUI needs
# a few updates a second.
PROGRESS_INTERVAL_S: Final = 0.1
JOIN_TIMEOUT_MS: Final = 5000


def format_bytes(count: int) -> str:
    """A byte count for people: "512 B", "12.3 MB", "1.6 GB"."""
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


class DownloadWorker(QObject):
    """Fetches one model on a worker thread; create it, move it to a QThread, call `run`.

    Signals:
        progress(int, object, str): Bytes so far, total bytes or None, the file being fetched.
        finished(): The model is in the cache.
        failed(str): The download failed; the message is for a person.
        cancelled(): The download stopped because `cancel` was called.
    """

    progress = Signal(int, object, str)
    finished = Signal()
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, model: str) -> None:
        """Prepare to download ``model`` (a catalogue name or repository id)."""
        super().__init__()
        self.model = model
        self._cancel = threading.Event()
        self._last_report = -math.inf  # the first report always goes through

    def cancel(self) -> None:
        """Ask the download to stop (thread-safe; the engine checks between chunks)."""
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        """Download, then emit exactly one of finished, failed or cancelled."""
        try:
            resolve_model(self.model, on_progress=self._report, cancel=self._cancel)
        except Cancelled:
            log.info("Download of %s cancelled", self.model)
            self.cancelled.emit()
        except EngineError as e:
            log.warning("Download of %s failed: %s", self.model, e)
            self.failed.emit(download_failure(self.model, str(e)))
        except Exception as e:  # a bug or an unexpected OS error: say it, never crash the app
            log.exception("Download of %s failed unexpectedly", self.model)
            self.failed.emit(f"Could not download {self.model}: {e}")
        else:
            if self._cancel.is_set():  # cancelled after the last byte: the model is complete
                log.info("Download of %s finished as it was cancelled", self.model)
            self.finished.emit()

    def _report(self, update: DownloadProgress) -> None:
        # May be called from the engine's own download threads: emitting is thread-safe.
        now = time.monotonic()
        done = update.total_bytes is not None and update.downloaded_bytes >= update.total_bytes
        if done or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self.progress.emit(update.downloaded_bytes, update.total_bytes, update.file)


# The engine's clause may open by naming what is missing ("mlx-community/whisper-small-mlx is not
# downloaded yet and ..."): the sentence names the model once, in front.
_NOT_YET = re.compile(
    r"^(?:the model )?\S+(?: \(about [\d.,]+ [KMG]B\))? is not downloaded yet and "
)


def download_failure(model: str, clause: str) -> str:
    """One sentence for a failed download ("Could not download small: why. What to do.").

    Args:
        model: The model's name as the person chose it.
        clause: The engine's message, a clause that may end with ": what to do".
    """
    clause = _NOT_YET.sub("", clause.strip()).rstrip(".")
    if not clause:
        return f"Could not download {model}."
    why, _, todo = clause.partition(": ")
    if not todo:
        return f"Could not download {model}: {why}."
    # Repository ids and names keep their case; only the advice starts a new sentence.
    return f"Could not download {model}: {why}. {todo[0].upper()}{todo[1:]}."


class ModelDownloader(QObject):
    """Runs one model download at a time on a background thread.

    Signals:
        started(str): A download of the model began.
        progress(str, int, object): Model, bytes so far, total bytes or None.
        finished(str): The model is downloaded.
        failed(str, str): Model, a message for a person.
        cancelled(str): The download of the model was cancelled.
    """

    started = Signal(str)
    progress = Signal(str, int, object)
    finished = Signal(str)
    failed = Signal(str, str)
    cancelled = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        """Start idle."""
        super().__init__(parent)
        self._thread: QThread | None = None
        # Kept until its thread is joined: it may still be returning from run() when its last
        # signal is handled here, so it must not be deleted then.
        self._worker: DownloadWorker | None = None
        self._running = False

    def is_running(self) -> bool:
        """Whether a download is going on."""
        return self._running

    def current_model(self) -> str | None:
        """The model being downloaded, or None."""
        return self._worker.model if self._running and self._worker is not None else None

    def start(self, model: str) -> bool:
        """Download ``model`` in the background; False (and nothing done) if one is running."""
        if self._running:
            return False
        self._join()
        thread = QThread(self)
        thread.setObjectName(f"download {model}")
        worker = DownloadWorker(model)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Bound methods of this GUI-thread object: Qt queues the calls onto the GUI thread.
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self._thread, self._worker, self._running = thread, worker, True
        thread.start()
        self.started.emit(model)
        return True

    def cancel(self) -> None:
        """Ask the running download to stop; ``cancelled`` follows when it has."""
        if self._running and self._worker is not None:
            self._worker.cancel()

    def shutdown(self) -> None:
        """Cancel any download and wait for its thread to end (call before quitting)."""
        self.cancel()
        self._join()

    @Slot(int, object, str)
    def _on_progress(self, done: int, total: int | None, _file: str) -> None:
        if self._running and self._worker is not None:
            self.progress.emit(self._worker.model, done, total)

    @Slot()
    def _on_finished(self) -> None:
        if (model := self._stop()) is not None:
            self.finished.emit(model)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if (model := self._stop()) is not None:
            self.failed.emit(model, message)

    @Slot()
    def _on_cancelled(self) -> None:
        if (model := self._stop()) is not None:
            self.cancelled.emit(model)

    def _stop(self) -> str | None:
        """Mark the download as over; its model, or None if none was running."""
        if not self._running or self._worker is None:
            return None
        self._running = False
        if self._thread is not None:
            self._thread.quit()
        return self._worker.model

    def _join(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.quit()
            if not thread.wait(JOIN_TIMEOUT_MS):
                # The engine checks the cancel event between chunks, so this is a stuck
                # connection; the thread ends when it times out. Never terminate() a thread:
                # keep it (and its worker) alive until then instead.
                log.warning("The download thread did not stop within %d ms", JOIN_TIMEOUT_MS)
                _STRAGGLERS.append((thread, self._worker))
                thread.setParent(None)
        self._worker, self._running = None, False


# Threads that outlived a shutdown; destroying a running QThread aborts the process.
_STRAGGLERS: list[tuple[QThread, DownloadWorker | None]] = []
