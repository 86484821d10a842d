"""The transcription worker: one long-lived thread that owns the model and transcribes files.

MLX streams belong to the thread that creates them, so the `Transcriber` is built on the worker
thread (lazily, before the first job, and again when the chosen model changes). The GUI thread
talks to the worker only through queued signals carrying the engine's result dataclasses
unchanged (`TranscriptionInfo`, `SegmentResult`, `Progress`), and cancels through a
`threading.Event` that the engine checks between batches. Every requested job ends with exactly
one ``job_ended`` and its `JobEnd`. A job asked to identify speakers runs that stage after the
last segment, on the same thread (`ui.queue.speaker_stage`): the text streams first, the speaker
turns follow in ``speakers_ready`` before ``job_ended`` (issue 12).

    worker = TranscriptionWorker()
    worker.job_ended.connect(...)
    worker.start()
    worker.request_job(7, "talk.m4a", TranscribeOptions())
    ...
    worker.shutdown()   # cancel, stop the thread's event loop, wait (never terminate)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QThread, Signal, Slot

from engine.download import DownloadProgress
from engine.errors import AudioDecodeError, Cancelled, EngineError, ModelLoadError
from engine.options import TranscribeOptions
from engine.results import Progress, SegmentResult, TranscriptionInfo
from ui.queue.cancel_state import CancelState
from ui.queue.item_model import JobState
from ui.queue.speaker_stage import SpeakerIdentifier, SpeakerStage

if TYPE_CHECKING:
    from engine.speakers import SpeakerOptions

__all__ = [
    "DownloadCallback",
    "JobEnd",
    "TranscriberFactory",
    "TranscriberLike",
    "TranscriptionWorker",
    "load_transcriber",
]

log = logging.getLogger(__name__)

#: Segments that arrive closer together than this are sent to the GUI in one signal.
FLUSH_INTERVAL_S = 0.1

DownloadCallback = Callable[[DownloadProgress], None]


@dataclass(frozen=True, slots=True)
class JobEnd:
    """How a job ended; the worker sends exactly one per requested job.

    Attributes:
        state: `JobState.DONE`, `JobState.FAILED` or `JobState.CANCELLED`.
        error: Why it failed, in words a person understands (None unless FAILED).
        model_problem: It failed because the model could not be loaded, not the file.
    """

    state: JobState
    error: str | None = None
    model_problem: bool = False


class TranscriberLike(Protocol):
    """What the worker needs of a transcriber (the real `engine.transcriber.Transcriber`)."""

    def transcribe(
        self,
        audio: str,
        options: TranscribeOptions | None = None,
        *,
        cancel: threading.Event | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> tuple[TranscriptionInfo, Iterator[SegmentResult]]:
        """Start transcribing; see `engine.transcriber.Transcriber.transcribe`."""
        ...


#: Builds a transcriber for a model name, on the worker thread: ``(name, on_download, cancel)``
#: -> ``(transcriber, device)``. Raises `ModelLoadError` (or `Cancelled` during a download).
TranscriberFactory = Callable[[str, DownloadCallback, threading.Event], tuple[TranscriberLike, str]]


def load_transcriber(
    name: str, on_download: DownloadCallback, cancel: threading.Event
) -> tuple[TranscriberLike, str]:
    """The real factory: resolve (downloading when needed) and load a Whisper model.

    Raises:
        ModelLoadError: The model cannot be found, downloaded or loaded.
        Cancelled: The download was cancelled.
    """
    # Imported here so that merely importing the UI does not load MLX.
    from engine.models import resolve_model
    from engine.transcriber import Transcriber

    files = resolve_model(name, allow_download=True, on_progress=on_download, cancel=cancel)
    transcriber = Transcriber(files)
    return transcriber, transcriber.loaded.device


class TranscriptionWorker(QObject):
    """Transcribes files one at a time on its own thread; see the module docstring.

    Signals:
        model_loading(str): a model starts loading (or downloading).
        download_progress(DownloadProgress): a model download goes on.
        model_ready(str, str): the model and the device it runs on.
        model_failed(str): the model cannot be loaded, in words.
        job_started(int, TranscriptionInfo): a job's facts, before its first segment.
        segments_ready(int, list[SegmentResult]): segments streamed in, in order.
        progress(int, Progress): how far a job has come.
        job_ended(int, JobEnd): a job is over; exactly once per requested job.
        speaker_progress(int, SpeakerProgress): the "Identifying speakers" stage goes on.
        speakers_ready(int, tuple[SpeakerTurn, ...]): who speaks when in a job's file.
        speakers_failed(int, str): speakers could not be identified, in words (the text stays).
    """

    model_loading = Signal(str)
    download_progress = Signal(object)
    model_ready = Signal(str, str)
    model_failed = Signal(str)
    job_started = Signal(int, object)
    segments_ready = Signal(int, list)
    progress = Signal(int, object)
    job_ended = Signal(int, object)
    speaker_progress = Signal(int, object)
    speakers_ready = Signal(int, object)
    speakers_failed = Signal(int, str)

    _job_requested = Signal(int, str, object, object, object)
    _speakers_requested = Signal(int, str, object)
    _model_requested = Signal(str)
    _stop_requested = Signal()

    def __init__(
        self, factory: TranscriberFactory | None = None, identify: SpeakerIdentifier | None = None
    ) -> None:
        """Prepare the worker; `start` gives it its thread.

        Args:
            factory: Builds transcribers (tests inject a fake one); the real engine by default.
            identify: Finds speaker turns (tests inject a fake one); the real engine by default.
        """
        super().__init__()
        self._factory = factory or load_transcriber
        self._cancel = CancelState()
        self._model_lock = threading.Lock()
        self._wanted_model = ""
        self._loaded_model: str | None = None
        self._transcriber: TranscriberLike | None = None
        self._thread: QThread | None = None
        self._speakers = SpeakerStage(identify)
        self._job_requested.connect(self.transcribe)
        self._speakers_requested.connect(self.identify_speakers)
        self._model_requested.connect(self.load_model)
        self._stop_requested.connect(self._stop)

    # -- called from the GUI thread ------------------------------------------------------------
    def start(self) -> None:
        """Move the worker onto a new thread and start that thread's event loop."""
        if self._thread is not None:
            return
        self._thread = QThread()
        self._thread.setObjectName("transcription-worker")
        self.moveToThread(self._thread)
        self._thread.start()

    def select_model(self, name: str) -> None:
        """Choose the model for the next job; it loads (on the worker) before that job starts."""
        with self._model_lock:
            self._wanted_model = name

    def request_model(self, name: str) -> None:
        """Choose a model and load it now on the worker (after the job that runs, if any)."""
        self.select_model(name)
        self._model_requested.emit(name)

    def request_job(
        self,
        job_id: int,
        path: str,
        options: TranscribeOptions,
        speakers: SpeakerOptions | None = None,
        model: str | None = None,
    ) -> None:
        """Queue a file for transcription (then speaker identification) on the worker thread.

        ``model``: this job only, another model than the chosen one (a stretch transcribed
        again with a bigger model, issue 15); the next job loads the chosen one again.
        """
        self._job_requested.emit(job_id, path, options, speakers, model)

    def request_speakers(self, job_id: int, path: str, speakers: SpeakerOptions) -> None:
        """Identify speakers again in a transcribed file; ends in ``speakers_ready/failed``."""
        self._speakers_requested.emit(job_id, path, speakers)

    def cancel_job(self, job_id: int) -> None:
        """Stop one job, whether it already runs or was requested and has not started yet."""
        self._cancel.cancel(job_id)

    @property
    def is_running(self) -> bool:
        """Whether the worker thread runs."""
        return self._thread is not None and self._thread.isRunning()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel what runs, stop the thread's event loop and wait for it (never terminates).

        Returns:
            True when the thread ended within ``timeout_ms``.
        """
        self._cancel.close()
        thread = self._thread
        if thread is None or not thread.isRunning():
            return True
        self._stop_requested.emit()
        finished = self.wait(timeout_ms)
        if not finished:
            log.warning("the transcription thread did not stop within %d ms", timeout_ms)
        return finished

    def wait(self, timeout_ms: int) -> bool:
        """Wait for the thread to end after `shutdown` (the engine stops within one batch)."""
        thread = self._thread
        return thread is None or bool(thread.wait(QDeadlineTimer(timeout_ms)))

    # -- slots, run on the worker thread -------------------------------------------------------
    @Slot(str)
    def load_model(self, name: str) -> None:
        """Load ``name`` now unless it is already loaded (reports through the model signals).

        A request overtaken by a later choice of model is skipped: the later one wins.
        """
        with self._model_lock:
            if not self._wanted_model:
                self._wanted_model = name
            elif self._wanted_model != name:
                return
        event = self._cancel.begin(None)
        try:
            self._ensure_model(event)
        except (ModelLoadError, Cancelled):
            pass  # already reported through model_failed
        finally:
            self._cancel.end()

    @Slot(int, str, object, object, object)
    def transcribe(
        self,
        job_id: int,
        path: str,
        options: TranscribeOptions,
        speakers: SpeakerOptions | None,
        model: str | None = None,
    ) -> None:
        """Transcribe one file, streaming its segments; always ends with one ``job_ended``."""
        cancel = self._cancel.begin(job_id)
        try:
            if cancel.is_set():
                raise Cancelled("Transcription was cancelled.")
            transcriber = self._ensure_model(cancel, model)
            self._run(job_id, transcriber, path, options, cancel)
            if speakers is not None:
                self._find_speakers(job_id, path, speakers, cancel)
        except Cancelled:
            log.info("job %d cancelled", job_id)
            end = JobEnd(JobState.CANCELLED)
        except (AudioDecodeError, ModelLoadError, EngineError) as e:
            log.info("job %d failed: %s", job_id, e)
            end = JobEnd(JobState.FAILED, str(e), isinstance(e, ModelLoadError))
        except Exception as e:  # a bug must not kill the worker: report it and go on
            log.exception("job %d (%s) failed unexpectedly", job_id, path)
            end = JobEnd(JobState.FAILED, f"Unexpected error: {e}")
        else:
            end = JobEnd(JobState.DONE)
        finally:
            self._cancel.end()
        self.job_ended.emit(job_id, end)

    def _run(
        self,
        job_id: int,
        transcriber: TranscriberLike,
        path: str,
        options: TranscribeOptions,
        cancel: threading.Event,
    ) -> None:
        pending: list[SegmentResult] = []
        last_flush = time.monotonic()

        def flush() -> None:
            nonlocal last_flush
            if pending:
                self.segments_ready.emit(job_id, list(pending))
                pending.clear()
            last_flush = time.monotonic()

        def on_progress(p: Progress) -> None:
            # The engine reports after each batch: send the batch's segments first.
            flush()
            self.progress.emit(job_id, p)

        info, segments = transcriber.transcribe(
            path, options, cancel=cancel, on_progress=on_progress
        )
        self.job_started.emit(job_id, info)
        for segment in segments:
            pending.append(segment)
            if time.monotonic() - last_flush >= FLUSH_INTERVAL_S:
                flush()
        flush()

    @Slot(int, str, object)
    def identify_speakers(self, job_id: int, path: str, speakers: SpeakerOptions) -> None:
        """Identify speakers in a transcribed file (cancel it with `cancel_job`)."""
        cancel = self._cancel.begin(job_id)
        try:
            if cancel.is_set():
                raise Cancelled("Identifying speakers was cancelled.")
            self._find_speakers(job_id, path, speakers, cancel)
        except Cancelled:
            self.speakers_failed.emit(job_id, "Identifying speakers was cancelled.")
        finally:
            self._cancel.end()

    def _find_speakers(
        self, job_id: int, path: str, speakers: SpeakerOptions, cancel: threading.Event
    ) -> None:
        """Send turns, or a reason (the text is done either way); raises `Cancelled`."""
        found = self._speakers.find(
            path, speakers, cancel, lambda p: self.speaker_progress.emit(job_id, p)
        )
        if isinstance(found, str):
            self.speakers_failed.emit(job_id, found)
        else:
            self.speakers_ready.emit(job_id, found)

    def _ensure_model(self, cancel: threading.Event, only: str | None = None) -> TranscriberLike:
        """The transcriber for the chosen model (or ``only``, for one job), loaded when needed.

        Raises:
            ModelLoadError: It cannot be loaded (also reported through ``model_failed``, unless
                it is ``only``'s).
            Cancelled: A download was cancelled.
        """
        with self._model_lock:
            wanted = only or self._wanted_model
        if self._transcriber is not None and wanted == self._loaded_model:
            return self._transcriber
        if not wanted:
            raise ModelLoadError("No model is chosen: pick one in Transcription settings.")
        self._transcriber = self._loaded_model = None
        self.model_loading.emit(wanted)
        try:
            transcriber, device = self._factory(wanted, self.download_progress.emit, cancel)
        except (Cancelled, ModelLoadError) as e:
            # One job's own model failing fails that job; model_failed would hold the queue.
            cancelled = f"Loading the model {wanted} was cancelled."
            if not only:
                self.model_failed.emit(cancelled if isinstance(e, Cancelled) else str(e))
            raise
        except Exception as e:
            log.exception("loading the model %s failed unexpectedly", wanted)
            error = ModelLoadError(f"Cannot load the model {wanted}: {e}")
            if not only:
                self.model_failed.emit(str(error))
            raise error from e
        self._transcriber, self._loaded_model = transcriber, wanted
        log.info("model %s ready on %s", wanted, device)
        self.model_ready.emit(wanted, device)
        return transcriber

    @Slot()
    def _stop(self) -> None:
        # Runs on the worker thread after any job in progress: drop the model here (its
        # arrays belong to this thread), hand the object back to the GUI thread so it can be
        # deleted there, then end this thread's event loop.
        if QThread.currentThread() is not self._thread:
            return  # already handed back (a second stop request): nothing to end
        self._transcriber = None
        self._speakers.drop_models()
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        thread = QThread.currentThread()
        thread.quit()
