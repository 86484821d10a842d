"""The torture set (tests/torture.py) through the real engine, one `Transcriber` for every file.

Each file either gives segments or raises an `EngineError` subclass with a plain one-line
message; nothing else escapes, nothing prints a traceback, no decoder process or thread is left
behind, and the transcriber goes on with the next file. Silence, noise, tones and other sounds
that are not speech give at most a couple of words; the speech files give JFK's sentence, or the
part of it they hold. `test_bad_inputs.py` holds the same files to the audio front door alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from ci import missing
from engine_helpers import normalise
from process_helpers import leftovers
from torture import FFMPEG_ONLY, FULL_SET, TortureCase, build_torture_set, restored_permissions

from engine.audio import FFMPEG_ENV, SAMPLE_RATE
from engine.errors import AudioDecodeError, EngineError, FfmpegMissingError
from engine.options import TranscribeOptions
from engine.transcriber import Transcriber

pytestmark = pytest.mark.model

MAX_INVENTED_WORDS = 2  # "at most a couple of words" from silence, noise or tones
MIN_SPEECH_S = 1.0  # shorter "audio" cases (one sample, half a second of noise) hold no words
FULL_CLIP_WER = 0.3  # a whole, undamaged JFK clip: tiny.en gets it (nearly) word for word
PART_PRECISION = 0.6  # a part of the clip: most words it gives must be JFK's


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the engine did with one case.

    Attributes:
        case: The input.
        words: The transcript's words (normalised); empty when it raised.
        error: The `EngineError` it raised, if any.
        escaped: The traceback of any other exception ("" when none).
        leaks: Threads or child processes still alive after the case.
    """

    case: TortureCase
    words: list[str]
    error: EngineError | None
    escaped: str
    leaks: list[str]


@dataclass(slots=True)
class Run:
    """Every outcome, and what was printed or logged while they ran."""

    outcomes: list[Outcome] = field(default_factory=list)
    printed: str = ""
    logged_tracebacks: list[str] = field(default_factory=list)


def _sounds(seconds: float = 12.0) -> dict[str, tuple[str, npt.NDArray[np.float32]]]:
    """Sounds that are not speech and are not in the torture set: name -> (note, samples)."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    rng = np.random.default_rng(20240607)
    spectrum = np.fft.rfft(rng.standard_normal(t.size))
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1))
    pink = np.fft.irfft(spectrum, t.size)
    bursts = rng.standard_normal(t.size) * ((np.arange(t.size) // 4000) % 2)
    sounds = {
        "hum": (
            "mains hum with harmonics",
            sum(0.1 / k * np.sin(2 * np.pi * 50 * k * t) for k in range(1, 8)),
        ),
        "pink_noise": ("pink noise", 0.2 * pink / np.abs(pink).max()),
        "chirp": (
            "a sweep 100 Hz - 4 kHz",
            0.3 * np.sin(2 * np.pi * (100 * t + 3900 / (4 * seconds) * t**2)),
        ),
        "clicks": ("a click every 250 ms", np.where(np.arange(t.size) % 4000 < 8, 0.8, 0.0)),
        "chord": (
            "a C major chord",
            0.15 * sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0)),
        ),
        "square": ("a 200 Hz square wave", 0.2 * np.sign(np.sin(2 * np.pi * 200 * t))),
        "noise_bursts": ("noise on and off every 250 ms", 0.3 * bursts),
        "full_scale_noise": (
            "clipped full-scale noise",
            np.clip(rng.standard_normal(t.size), -1, 1),
        ),
    }
    return {name: (note, np.asarray(x, dtype=np.float32)) for name, (note, x) in sounds.items()}


def add_sounds(folder: Path) -> list[TortureCase]:
    cases = []
    for name, (note, samples) in _sounds().items():
        path = folder / f"{name}.wav"
        sf.write(path, samples, SAMPLE_RATE, subtype="FLOAT")
        cases.append(TortureCase(name, path, "silence", note, len(samples) / SAMPLE_RATE))
    return cases


class _Tracebacks(logging.Handler):
    """Collects log records that would print a traceback (those with exception information)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(f"{record.name}: {record.getMessage()}")


@contextlib.contextmanager
def everything_printed() -> Iterator[list[str]]:
    """Collect what is written to stdout and stderr, by Python or by C libraries (fd 1 and 2)."""
    out: list[str] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as sink:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                yield out
        finally:
            sink.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            sink.seek(0)
            out.append(sink.read())


def transcribe(transcriber: Transcriber, case: TortureCase) -> Outcome:
    before = set(threading.enumerate())
    words: list[str] = []
    error: EngineError | None = None
    escaped = ""
    try:
        _, segments = transcriber.transcribe(case.path)
        words = normalise(" ".join(s.text for s in segments))
    except EngineError as e:
        error = e
    except Exception:  # anything else is a bug: keep its traceback for the report
        escaped = traceback.format_exc()
    return Outcome(case, words, error, escaped, leftovers(before))


@pytest.fixture(scope="module")
def transcriber(tiny_en_model: Path) -> Transcriber:
    return Transcriber(tiny_en_model)


@pytest.fixture(scope="module")
def cases(
    tmp_path_factory: pytest.TempPathFactory, speech_dir: Path
) -> Iterator[list[TortureCase]]:
    folder = tmp_path_factory.mktemp("torture")
    with restored_permissions(build_torture_set(folder, speech_dir)) as built:
        yield built + add_sounds(folder)


@pytest.fixture(scope="module")
def run(transcriber: Transcriber, cases: list[TortureCase]) -> Run:
    result = Run()
    handler = _Tracebacks()
    logging.getLogger().addHandler(handler)
    try:
        with everything_printed() as printed:
            result.outcomes = [transcribe(transcriber, case) for case in cases]
    finally:
        logging.getLogger().removeHandler(handler)
    result.printed = "".join(printed)
    result.logged_tracebacks = handler.records
    return result


def is_speech(case: TortureCase) -> bool:
    return case.expect == "audio" and (case.duration is None or case.duration >= MIN_SPEECH_S)


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words."""
    row = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1]


# -- the tests ----------------------------------------------------------------------------------


def test_the_set_is_large(run: Run) -> None:
    # All of them: the set once dropped its ffmpeg-made files silently and this asked for 30 of 57.
    have_ffmpeg = shutil.which("ffmpeg") is not None
    built = FULL_SET if have_ffmpeg else FULL_SET - FFMPEG_ONLY
    assert len(run.outcomes) == built + len(_sounds())
    assert sum(o.case.expect == "silence" for o in run.outcomes) >= 10


def test_every_case_gives_segments_or_a_plain_engine_error(run: Run) -> None:
    problems = []
    for o in run.outcomes:
        c, message = o.case, str(o.error or "")
        if o.escaped:
            problems.append(f"{c.name}: escaped\n{o.escaped}")
        elif o.error is not None and c.expect != "error":
            problems.append(f"{c.name} ({c.note}): wanted {c.expect}, got {message!r}")
        elif o.error is None and c.expect == "error":
            problems.append(f"{c.name} ({c.note}): wanted an error, got {o.words}")
        elif o.error is not None and not isinstance(o.error, AudioDecodeError):
            problems.append(f"{c.name}: a file's problem raised {type(o.error).__name__}")
        elif o.error is not None and (not message or "\n" in message or "Traceback" in message):
            problems.append(f"{c.name}: not a plain one-line message: {message!r}")
        elif missing := [w for w in c.error_words if w not in message.lower()]:
            problems.append(f"{c.name}: {message!r} lacks {missing}")
    assert not problems, "\n".join(problems)


def test_sounds_that_are_not_speech_give_no_invented_text(run: Run) -> None:
    quiet = [o for o in run.outcomes if o.case.expect == "silence" or not is_speech(o.case)]
    invented = {o.case.name: o.words for o in quiet if len(o.words) > MAX_INVENTED_WORDS}
    assert not invented


def test_speech_gives_the_sentence_or_the_part_it_holds(
    run: Run, jfk_flac: Path, jfk_text: str
) -> None:
    reference = normalise(jfk_text)
    clip_s = sf.info(jfk_flac).duration
    problems = []
    for o in run.outcomes:
        if not is_speech(o.case) or o.error is not None:
            continue
        whole = o.case.duration is not None and abs(o.case.duration - clip_s) < 0.1
        if whole and word_errors(reference, o.words) > FULL_CLIP_WER * len(reference):
            problems.append(f"{o.case.name} ({o.case.note}): {' '.join(o.words)!r}")
        ours = sum(w in reference for w in o.words)
        if not o.words or ours < PART_PRECISION * len(o.words):
            problems.append(f"{o.case.name} ({o.case.note}): {' '.join(o.words)!r}")
    assert not problems, "\n".join(problems)


def test_nothing_prints_a_traceback(run: Run) -> None:
    assert "Traceback" not in run.printed
    assert run.logged_tracebacks == []


def test_no_thread_or_decoder_process_outlives_its_file(run: Run) -> None:
    assert {o.case.name: o.leaks for o in run.outcomes if o.leaks} == {}


def test_without_ffmpeg_the_engine_says_how_to_get_it(
    transcriber: Transcriber,
    cases: list[TortureCase],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(FFMPEG_ENV, str(tmp_path / "no-ffmpeg-here"))
    needy = [c for c in cases if c.needs_ffmpeg]
    if not needy:
        missing("ffmpeg (Debian: apt-get install ffmpeg), which makes the ffmpeg-only files")
    outcomes = [transcribe(transcriber, c) for c in needy]
    wrong = {
        o.case.name: o.escaped or repr(o.error)
        for o in outcomes
        if not isinstance(o.error, FfmpegMissingError) or "install" not in str(o.error)
    }
    assert not wrong


@pytest.mark.parametrize("bad", [np.nan, 1e30], ids=["nan", "huge"])
def test_one_damaged_float_sample_does_not_cost_the_transcript(
    transcriber: Transcriber, jfk_flac: Path, jfk_text: str, tmp_path: Path, bad: float
) -> None:
    audio, rate = sf.read(jfk_flac, dtype="float32")
    audio[len(audio) // 2] = bad
    sf.write(tmp_path / "damaged.wav", audio, rate, subtype="FLOAT")
    # Greedy only: the garbage the model makes of it would be retried at five temperatures.
    options = TranscribeOptions(temperatures=(0.0,))
    _, segments = transcriber.transcribe(tmp_path / "damaged.wav", options)
    reference = normalise(jfk_text)
    words = normalise(" ".join(s.text for s in segments))
    assert word_errors(reference, words) <= FULL_CLIP_WER * len(reference), words
