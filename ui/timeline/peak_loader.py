"""The waveform's peaks, computed off the UI thread from the same decoder as transcription.

`PeakLoader` runs one job at a time on its own one-thread pool (never the MLX worker, which is
busy transcribing): the job looks in the cache, else decodes the recording with
`engine.audio.open_audio` block by block into a `PeakBuilder` and publishes a snapshot every
`PUBLISH_S`, so the widget draws the waveform as it grows. Loading another file (or `stop`) sets
the running job's cancel event; the job notices between blocks, closes the decoder (an ffmpeg
process is killed and reaped) and its late results are dropped by generation number. Complete
peaks go into the cache, from the job's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Qt, QThread, QThreadPool, Signal

from engine.audio import open_audio
from engine.errors import EngineError
from ui.timeline.peak_cache import load_peaks, save_peaks
from ui.timeline.peaks import PeakBuilder, Peaks

__all__ = ["BLOCK_SECONDS", "PUBLISH_S", "PeakLoader"]

log = logging.getLogger(__name__)

#: Decoded block length: small enough that a cancel is noticed within milliseconds and no block
#: holds the interpreter long, big enough that numpy works in bulk.
BLOCK_SECONDS: Final = 5.0
#: How often a growing waveform is redrawn.
PUBLISH_S: Final = 0.25
#: How long `stop` waits for a cancelled job (it stops within one block).
STOP_WAIT_MS: Final = 5000


class PeakLoader(QObject):
    """Computes or loads one recording's peaks at a time, in the background.

    Signals:
        changed(): `peaks` has grown or is complete (or was cleared).
        failed(str): the recording cannot be decoded; a message a person can read.
    """

    changed = Signal()
    failed = Signal(str)
    _published = Signal()

    def __init__(self, cache_dir: Path | None = None, parent: QObject | None = None) -> None:
        """An idle loader; ``cache_dir`` keeps complete peaks (None: no cache)."""
        super().__init__(parent)
        self.cache_dir = cache_dir
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._lock = threading.Lock()
        self._generation = 0
        self._running: int | None = None  # the generation of the job on the pool, if any
        self._cancel = threading.Event()
        self._media: Path | None = None
        self._peaks: Peaks | None = None
        self._error: str | None = None  # why the recording could not be decoded
        self._inbox: tuple[int, Peaks | str] | None = None
        self._published.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def media(self) -> Path | None:
        """The recording whose peaks are loaded or loading."""
        return self._media

    @property
    def peaks(self) -> Peaks | None:
        """The peaks as far as they are known (None before the first block)."""
        return self._peaks

    @property
    def busy(self) -> bool:
        """Whether a job is running (or cancelled and not yet ended)."""
        return self._pool.activeThreadCount() > 0

    def load(self, media: Path | None, *, start: bool = True) -> None:
        """Show ``media``'s peaks: stop the job under way and start one for it (None: clear).

        With ``start`` False the job waits for `resume` (the timeline is hidden). The recording
        already shown is not loaded again.
        """
        if media != self._media:
            self._stop_job()
            self._media, self._peaks, self._error = media, None, None
            self.changed.emit()
        if start:
            self.resume()

    def resume(self) -> None:
        """Start computing again if the peaks are not complete (after `stop`)."""
        if self._media is None or self._error is not None:
            return
        if self._peaks is not None and self._peaks.complete:
            return
        with self._lock:
            if self._running == self._generation:
                return  # already under way
            self._running = generation = self._generation
            cancel, media = self._cancel, self._media
        self._pool.start(lambda: self._run(generation, media, cancel))

    def stop(self, timeout_ms: int = STOP_WAIT_MS) -> bool:
        """Cancel the running job and wait for it to end; False (logged) on time-out."""
        self._stop_job()
        done = self._pool.waitForDone(timeout_ms)
        if not done:
            log.error("the waveform job did not stop within %d ms", timeout_ms)
        return done

    # -- private -------------------------------------------------------------------------------
    def _stop_job(self) -> None:
        with self._lock:
            self._cancel.set()
            self._cancel = threading.Event()
            self._generation += 1
            self._inbox = None

    def _run(self, generation: int, media: Path, cancel: threading.Event) -> None:
        # On the pool's thread: nothing here touches a QObject but the queued signal.
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)
        try:
            result: Peaks | str | None = self._compute(media, cancel, generation)
        except EngineError as e:
            result = str(e)
        except Exception as e:  # a bug: say it in words rather than lose the thread
            log.exception("computing the waveform of %s failed", media)
            result = f"The waveform of {media.name} could not be drawn ({e})."
        if result is not None:
            self._publish(generation, result)
        with self._lock:
            if self._running == generation:
                self._running = None

    def _compute(self, media: Path, cancel: threading.Event, generation: int) -> Peaks | None:
        """The complete peaks, or None when cancelled; publishes snapshots as it goes."""
        if self.cache_dir is not None:
            cached = load_peaks(self.cache_dir, media)
            if cached is not None:
                log.debug("waveform of %s from the cache", media.name)
                return cached
        started = time.monotonic()
        with open_audio(media, block_seconds=BLOCK_SECONDS) as stream:
            builder = PeakBuilder(stream.info.duration)
            last = started
            for block in stream:
                if cancel.is_set():
                    log.debug("waveform of %s cancelled", media.name)
                    return None
                builder.add(block)
                now = time.monotonic()
                if now - last >= PUBLISH_S:
                    last = now
                    self._publish(generation, builder.snapshot())
        peaks = builder.finish()
        log.info("waveform of %s in %.1f s", media.name, time.monotonic() - started)
        if self.cache_dir is not None and not cancel.is_set():
            save_peaks(self.cache_dir, media, peaks)
        return peaks

    def _publish(self, generation: int, result: Peaks | str) -> None:
        with self._lock:
            if generation != self._generation:
                return  # a newer file: this job's results are stale
            self._inbox = (generation, result)
        self._published.emit()

    def _deliver(self) -> None:
        with self._lock:
            inbox, self._inbox = self._inbox, None
        if inbox is None or inbox[0] != self._generation:
            return
        result = inbox[1]
        if isinstance(result, str):
            self._error = result
            self.failed.emit(result)
            return
        self._peaks = result
        self.changed.emit()
