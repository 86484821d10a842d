"""Works through the queue: sends waiting files to the worker one at a time, in row order.

`QueueRunner` lives on the GUI thread. It turns the worker's signals into row updates (state,
progress, ETA, error) and nothing else: the sessions hear the worker themselves
(`ui.files.workspace`), so each event makes one hop. `DurationProber` reads durations on a pool
thread so the GUI never waits for ffprobe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QThreadPool, Signal

from engine.download import DownloadProgress
from engine.errors import EngineError
from engine.options import TranscribeOptions
from engine.results import Progress, TranscriptionInfo
from ui.queue.item_model import JobState, QueueModel
from ui.queue.worker import JobEnd, TranscriptionWorker

if TYPE_CHECKING:
    from engine.speakers import SpeakerOptions, SpeakerProgress

__all__ = ["DurationProber", "QueueRunner", "format_model_status", "model_display_name"]

log = logging.getLogger(__name__)


class DurationProber(QObject):
    """Reads media durations on a background thread; reports through ``probed``.

    Signals:
        probed(int item_id, object seconds_or_None)
    """

    probed = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        """A prober with one background thread (probing is light; the machine may be busy)."""
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

    def probe(self, item_id: int, path: Path) -> None:
        """Read the duration of ``path`` in the background."""
        # A plain callable, not `QRunnable.create`: Qt deletes a finished runnable, and its stale
        # Python wrapper could be handed out for a new object at the same address (seen as
        # "QRunnable has no attribute currentChanged" on a list's selection model).
        self._pool.start(lambda: self._probe(item_id, path))

    def shutdown(self, timeout_ms: int = 2000) -> None:
        """Drop pending probes and wait for the one in progress."""
        self._pool.clear()
        self._pool.waitForDone(timeout_ms)

    def _probe(self, item_id: int, path: Path) -> None:
        from engine.audio import probe  # the pool thread pays for the import, not the GUI

        duration: float | None = None
        try:
            duration = probe(path).duration
        except EngineError as e:  # the transcription will report it in its row
            log.info("cannot probe %s: %s", path, e)
        except Exception:
            log.exception("probing %s failed unexpectedly", path)
        self.probed.emit(item_id, duration)


def model_display_name(name: str) -> str:
    """A model as a person knows it: the catalogue name, or a folder's name (not its path)."""
    return Path(name).name if ("/" in name or "\\" in name) and Path(name).is_dir() else name


def format_model_status(name: str, device: str) -> str:
    """The model in the status bar: "Model: tiny.en · CPU"."""
    return f"Model: {model_display_name(name)} · {device.upper()}"


class QueueRunner(QObject):
    """Feeds the worker from the queue model; see the module docstring.

    Signals:
        status_message(str): something to show in the status bar.
        model_status(str): the model's state ("Loading tiny.en…", "tiny.en · CPU").
    """

    status_message = Signal(str)
    model_status = Signal(str)

    def __init__(
        self,
        model: QueueModel,
        worker: TranscriptionWorker,
        options: Callable[[], TranscribeOptions],
        parent: QObject | None = None,
        speakers: Callable[[], SpeakerOptions | None] = lambda: None,
    ) -> None:
        """Connect the queue model and the worker.

        Args:
            model: The queue.
            worker: The (started) transcription worker.
            options: Returns the options for the next job (read when the job is sent).
            parent: Qt parent.
            speakers: Returns the speaker identification for the next job (None: none).
        """
        super().__init__(parent)
        self._model = model
        self._worker = worker
        self._options = options
        self._speakers = speakers
        self._running: int | None = None
        self._paused = False
        self._model_name = ""
        self._loaded_model: str | None = None
        self.prober = DurationProber(self)
        self.prober.probed.connect(self._on_probed)
        model.rowsInserted.connect(self._on_rows_inserted)
        worker.model_loading.connect(self._on_model_loading)
        worker.download_progress.connect(self._on_download)
        worker.model_ready.connect(self._on_model_ready)
        worker.model_failed.connect(self._on_model_failed)
        worker.job_started.connect(self._on_started)
        worker.progress.connect(self._on_progress)
        worker.speaker_progress.connect(self._on_speaker_progress)
        worker.job_ended.connect(self._on_ended)

    # -- commands ------------------------------------------------------------------------------
    @property
    def running_id(self) -> int | None:
        """The item being transcribed, if any."""
        return self._running

    @property
    def paused(self) -> bool:
        """Whether the queue waits (after a model failed to load) until resumed."""
        return self._paused

    @property
    def loaded_model(self) -> str | None:
        """The model the worker has loaded, if any."""
        return self._loaded_model

    def set_model(self, name: str, preload: bool = False) -> None:
        """Use ``name`` from the next job on, and go on if the queue waited for a model.

        Args:
            name: The model (catalogue name, repository or folder).
            preload: Load it now in the background (for a model already on disk: the first
                file then starts at once); otherwise it loads with the first file.
        """
        self._model_name = name
        if preload:
            self._worker.request_model(name)
        else:
            self._worker.select_model(name)
            self.model_status.emit(f"Model: {model_display_name(name)} (loads with the first file)")
        self.resume()

    def resume(self) -> None:
        """Start the next waiting file if nothing runs."""
        self._paused = False
        self.start_next()

    def start_next(self) -> None:
        """Send the first waiting file to the worker, unless one runs or the queue waits."""
        if self._running is not None or self._paused:
            return
        item = self._model.next_waiting()
        if item is None:
            return
        self._model.update(
            item.id, state=JobState.RUNNING, progress=0.0, eta=None, error=None, model_problem=False
        )
        self._running = item.id
        self._worker.request_job(item.id, str(item.path), self._options(), self._speakers())

    def cancel(self, item_id: int) -> None:
        """Stop a running file, or take a waiting one out of the queue."""
        item = self._model.item(item_id)
        if item is None:
            return
        if item.state is JobState.RUNNING:
            self._worker.cancel_job(item_id)
        elif item.state is JobState.WAITING:
            self._model.update(item_id, state=JobState.CANCELLED)

    def cancel_all(self) -> None:
        """Cancel the running file and every waiting one."""
        for item in self._model.items():
            if item.state in (JobState.WAITING, JobState.RUNNING):
                self.cancel(item.id)

    def retry(self, item_id: int) -> bool:
        """Queue a failed or cancelled file again; False for other states."""
        item = self._model.item(item_id)
        if item is None or item.state not in (JobState.FAILED, JobState.CANCELLED):
            return False
        self._model.update(
            item_id, state=JobState.WAITING, progress=0.0, eta=None, error=None, model_problem=False
        )
        self.resume()
        return True

    def remove(self, item_id: int) -> None:
        """Take a file out of the list (cancelling it first when it runs)."""
        if item_id == self._running:
            self._worker.cancel_job(item_id)
        self._model.remove(item_id)

    def shutdown(self) -> None:
        """Stop probing (the worker is shut down by its owner)."""
        self.prober.shutdown()

    # -- model and worker events ---------------------------------------------------------------
    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            item = self._model.items()[row]
            if item.duration is None and item.state is JobState.WAITING:
                self.prober.probe(item.id, item.path)
        # No other listener of the new rows has to run first: the workspace gives every row
        # that is not done a session, whatever its state, and the worker's first signal for
        # the job comes back through the event loop.
        self.start_next()

    def _on_probed(self, item_id: int, duration: Any) -> None:
        item = self._model.item(item_id)
        if item is not None and item.duration is None and duration:
            self._model.update(item_id, duration=float(duration))

    def _on_model_loading(self, name: str) -> None:
        self.model_status.emit(f"Loading {model_display_name(name)}…")

    def _on_download(self, progress: DownloadProgress) -> None:
        fraction = progress.fraction
        done = progress.downloaded_bytes / 2**20
        amount = f"{done:.0f} MB"
        if progress.total_bytes:
            amount += f" of {progress.total_bytes / 2**20:.0f} MB"
        percent = f" {fraction:.0%}" if fraction is not None else ""
        name = model_display_name(self._model_name) or "the model"
        self.model_status.emit(f"Downloading {name}{percent} ({amount})")

    def _on_model_ready(self, name: str, device: str) -> None:
        self._loaded_model = name
        self.model_status.emit(format_model_status(name, device))

    def _on_model_failed(self, message: str) -> None:
        self._loaded_model = None
        # Every file would fail the same way: wait until the model changes or a retry.
        self._paused = True
        self.model_status.emit("No model loaded")
        self.status_message.emit(message)

    def _on_started(self, item_id: int, info: TranscriptionInfo) -> None:
        if info.duration > 0:
            self._model.update(item_id, duration=info.duration)

    def _on_progress(self, item_id: int, progress: Progress) -> None:
        self._model.update(item_id, progress=progress.fraction, eta=progress.eta)

    def _on_speaker_progress(self, item_id: int, progress: SpeakerProgress) -> None:
        fraction = progress.done / progress.total if progress.total > 0 else 0.0
        self._model.update(item_id, stage="Identifying speakers", progress=fraction, eta=None)

    def _on_ended(self, item_id: int, end: JobEnd) -> None:
        self._model.update(item_id, stage=None)
        if end.state is JobState.DONE:
            item = self._model.update(item_id, state=JobState.DONE, progress=1.0, eta=None)
            message = f"Transcribed {item.name}" if item is not None else None
        elif end.state is JobState.FAILED:
            item = self._model.update(
                item_id,
                state=JobState.FAILED,
                eta=None,
                error=end.error,
                model_problem=end.model_problem,
            )
            message = f"{item.name}: {end.error}" if item is not None else None
        else:
            self._model.update(item_id, state=JobState.CANCELLED, eta=None)
            message = None
        if message is not None:
            self.status_message.emit(message)
        if item_id == self._running:
            self._running = None
        self.start_next()
