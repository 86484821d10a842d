"""A fake transcriber for the app shell's tests: streams made-up segments with small sleeps.

It honours the cancel event between segments (as the engine does between batches), reports
progress after every segment, and decodes nothing: a path whose file cannot be probed by the real
`engine.audio.probe` fails with the engine's own `AudioDecodeError`, so failures read as in the app.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject

from editor.autosave import RecoveryCandidate
from engine.audio import probe
from engine.download import DownloadProgress
from engine.errors import Cancelled, ModelLoadError
from engine.options import TranscribeOptions
from engine.results import Progress, SegmentResult, TranscriptionInfo, WordResult
from ui.files.questions import RecoveryChoice, SaveChoice
from ui.queue.item_model import JobState

WORDS = ("alpha", "bravo", "charlie", "delta")


def fake_segment(index: int, seconds_per_segment: float = 1.0) -> SegmentResult:
    """Segment ``index``: four words spread over its second of media."""
    start = index * seconds_per_segment
    step = seconds_per_segment / (len(WORDS) + 1)
    words = tuple(
        WordResult(f" {w}{index}", start + i * step, start + (i + 1) * step, 0.9)
        for i, w in enumerate(WORDS)
    )
    return SegmentResult(
        id=index, start=start, end=words[-1].end, text="".join(w.text for w in words).strip(),
        words=words,
    )  # fmt: skip


@dataclass
class FakeTranscriber:
    """Yields ``segments`` segments, sleeping ``delay`` seconds before each."""

    name: str
    segments: int = 5
    delay: float = 0.02
    probe_files: bool = True
    threads: list[int] = field(default_factory=list)

    def transcribe(
        self,
        audio: str,
        options: TranscribeOptions | None = None,
        *,
        cancel: threading.Event | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> tuple[TranscriptionInfo, Iterator[SegmentResult]]:
        self.threads.append(threading.get_ident())
        if self.probe_files:
            probe(audio)  # raises the engine's AudioDecodeError for a bad file
        cancel = cancel or threading.Event()
        total = float(self.segments)
        info = TranscriptionInfo("en", 1.0, total, model=self.name, device="cpu")
        ranges = options.clip_ranges if options is not None else ()
        return info, self._stream(cancel, on_progress, total, ranges)

    def _stream(
        self,
        cancel: threading.Event,
        on_progress: Callable[[Progress], None] | None,
        total: float,
        ranges: tuple[tuple[float, float], ...] = (),
    ) -> Iterator[SegmentResult]:
        started = time.perf_counter()
        for i in range(self.segments):
            time.sleep(self.delay)
            if cancel.is_set():
                raise Cancelled("Transcription was cancelled.")
            segment = fake_segment(i)
            if ranges:  # as the engine's clip ranges: only words centred inside, heard anew
                words = tuple(
                    WordResult(w.text.upper(), w.start, w.end, w.probability)
                    for w in segment.words
                    if any(a <= (w.start + w.end) / 2 <= b for a, b in ranges)
                )
                if not words:
                    continue
                text = "".join(w.text for w in words).strip()
                segment = SegmentResult(i, words[0].start, words[-1].end, text, words)
            yield segment
            if on_progress is not None:
                on_progress(Progress(i + 1.0, total, time.perf_counter() - started))


@dataclass
class FakeFactory:
    """A `ui.queue.worker.TranscriberFactory` making `FakeTranscriber` objects; records calls."""

    segments: int = 5
    delay: float = 0.02
    probe_files: bool = True
    fail_with: str | None = None
    download_steps: int = 0
    loads: list[tuple[str, int]] = field(default_factory=list)
    made: list[FakeTranscriber] = field(default_factory=list)

    def __call__(
        self,
        name: str,
        on_download: Callable[[DownloadProgress], None],
        cancel: threading.Event,
    ) -> tuple[FakeTranscriber, str]:
        self.loads.append((name, threading.get_ident()))
        for step in range(1, self.download_steps + 1):
            on_download(DownloadProgress(step * 100, self.download_steps * 100, "weights"))
        if self.fail_with is not None:
            raise ModelLoadError(self.fail_with)
        transcriber = FakeTranscriber(name, self.segments, self.delay, self.probe_files)
        self.made.append(transcriber)
        return transcriber, "cpu"


class _Relay(QObject):
    """Receives one worker signal on the GUI thread (a QObject's method: a queued connection)."""

    def __init__(self, name: str, events: list[tuple[str, tuple[object, ...]]]) -> None:
        super().__init__()
        self._name = name
        self._events = events

    def receive(self, *args: object) -> None:
        self._events.append((self._name, args))
        if self._name == "job_ended":
            # Also by outcome, so tests read "job_done", "job_failed" (id, error), "job_cancelled".
            job_id, end = args
            outcome = {JobState.DONE: "job_done", JobState.FAILED: "job_failed"}
            name = outcome.get(end.state, "job_cancelled")
            rest = (end.error,) if end.state is JobState.FAILED else ()
            self._events.append((name, (job_id, *rest)))


class Recorder:
    """Collects every signal of a `TranscriptionWorker` in order, as (name, args), on the GUI
    thread. (pytest-qt's waitSignal would run its callback on the worker thread.)"""

    NAMES = (
        "model_loading", "download_progress", "model_ready", "model_failed", "job_started",
        "segments_ready", "progress", "job_ended",
    )  # fmt: skip

    def __init__(self, worker: QObject) -> None:
        self.events: list[tuple[str, tuple[object, ...]]] = []
        self._relays = [_Relay(name, self.events) for name in self.NAMES]
        for relay, name in zip(self._relays, self.NAMES, strict=True):
            getattr(worker, name).connect(relay.receive)

    def names(self) -> list[str]:
        return [n for n, _ in self.events]

    def of(self, name: str) -> list[tuple[object, ...]]:
        return [a for n, a in self.events if n == name]

    def wait_for(
        self, qtbot, name: str, count: int = 1, timeout: int = 10_000
    ) -> tuple[object, ...]:
        """Wait until ``name`` was received ``count`` times; return the last one's args."""
        qtbot.waitUntil(lambda: len(self.of(name)) >= count, timeout=timeout)
        return self.of(name)[count - 1]


def make_wav(path: Path, seconds: float = 0.1) -> Path:
    """Write a short silent 16 kHz WAV file (valid media for probing)."""
    import numpy as np
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(16000 * seconds), dtype=np.float32), 16000)
    return path


def make_not_audio(path: Path) -> Path:
    """A text file with an audio name: the engine refuses it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("these are meeting notes, not a recording\n" * 20)
    return path


@dataclass
class FakeQuestions:
    """A `ui.files.questions.Questions` that answers from its fields and records what was asked.

    Set a field to script the next answers; ``asked`` holds every question's text in order and
    ``told`` every problem shown (title: text).
    """

    yes: bool = True
    save_choice: SaveChoice = SaveChoice.DISCARD
    save_to: Path | None = None
    project: Path | None = None
    media: list[Path] = field(default_factory=list)
    subtitles: tuple[Path, Path | None] | None = None
    located: Path | None = None
    clip_to: Path | None = None
    recover: RecoveryChoice = RecoveryChoice.LATER
    asked: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)

    def tell(self, title: str, text: str) -> None:
        self.told.append(f"{title}: {text}")

    def confirm(self, title: str, text: str) -> bool:
        self.asked.append(text)
        return self.yes

    def save_changes(self, text: str) -> SaveChoice:
        self.asked.append(text)
        return self.save_choice

    def project_to_save(self, suggested: Path | None) -> Path | None:
        self.asked.append(f"save as (suggested {suggested})")
        return self.save_to

    def project_to_open(self) -> Path | None:
        self.asked.append("open project")
        return self.project

    def media_to_open(self) -> list[Path]:
        self.asked.append("open media")
        return list(self.media)

    def subtitles_to_import(self) -> tuple[Path, Path | None] | None:
        self.asked.append("import subtitles")
        return self.subtitles

    def locate_media(self, missing: Path) -> Path | None:
        self.asked.append(f"locate {missing.name}")
        return self.located

    def audio_clip_to_save(self, suggested: Path) -> Path | None:
        self.asked.append(f"save clip (suggested {suggested.name})")
        return self.clip_to

    def recovery(
        self, candidates: list[RecoveryCandidate]
    ) -> tuple[RecoveryChoice, list[RecoveryCandidate]]:
        self.asked.append(f"recover {len(candidates)}")
        return self.recover, list(candidates)
