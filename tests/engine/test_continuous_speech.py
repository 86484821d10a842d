"""No speech dropped on continuous speech (real tiny.en weights).

In a window full of speech Whisper may stop before the window's end or jump over a sentence; the
engine must decode such stretches again and mark what it still cannot read. Each clip of the
recording must come back: at least 90 % of the words the same model writes for the clip on its
own (what the model can hear, so its own mistakes on a clip are not counted as drops), and no
stretch of detected speech over 2 s may be left without a word.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from continuous import Placed, build_continuous, heard, words_between
from engine_helpers import normalise

from engine.options import TranscribeOptions
from engine.results import SegmentResult
from engine.transcriber import Transcriber
from engine.vad import SAMPLE_RATE, Chunker

pytestmark = pytest.mark.model

Words = list[tuple[str, float, float]]
MAX_SILENT_SPEECH_S = 2.0
LONGEST_WORD_S = 2.0
HEARD = 0.5  # misheard clips (tiny.en, quiet voices in context) score 0.55-1; dropped ones ~0-0.3


@pytest.fixture(scope="module")
def transcriber(tiny_en_model: Path) -> Transcriber:
    return Transcriber(tiny_en_model)


@pytest.fixture(scope="module")
def alone(transcriber: Transcriber, speech_dir: Path) -> dict[str, list[str]]:
    """Each English clip's words as the model transcribes the clip on its own."""
    from continuous import english_clips

    return {
        name: normalise(" ".join(s.text for s in transcriber.transcribe(speech_dir / name)[1]))
        for name, _ in english_clips(speech_dir)
    }


def transcribe(transcriber: Transcriber, audio: npt.NDArray[np.float32]) -> list[SegmentResult]:
    return list(transcriber.transcribe(audio, TranscribeOptions())[1])


def timed_words(segments: list[SegmentResult]) -> Words:
    return [(w.text, w.start, w.end) for s in segments for w in s.words]


def speech_ranges(audio: npt.NDArray[np.float32]) -> list[tuple[float, float]]:
    """Where the voice activity detector hears speech, in seconds."""
    chunker = Chunker(TranscribeOptions().vad)
    chunks = chunker.feed(audio) + chunker.flush()
    return [
        ((c.start + a) / SAMPLE_RATE, (c.start + b) / SAMPLE_RATE)
        for c in chunks
        for a, b in c.speech
    ]


def longest_speech_without_words(
    audio: npt.NDArray[np.float32], segments: list[SegmentResult]
) -> tuple[float, float]:
    """The longest stretch of detected speech on which no plausible word (or marker) lies."""
    spans = sorted(
        (w.start, w.end)
        for s in segments
        for w in s.words
        if w.end - w.start <= LONGEST_WORD_S or s.unrecognised
    )
    worst = (0.0, 0.0)
    for start, end in speech_ranges(audio):
        cursor = start
        for a, b in spans:
            if b <= cursor or a >= end:
                continue
            if a - cursor > worst[1] - worst[0]:
                worst = (cursor, a)
            cursor = max(cursor, b)
        if end - cursor > worst[1] - worst[0]:
            worst = (cursor, end)
    return worst


def dropped_clips(placed: list[Placed], words: Words, alone: dict[str, list[str]]) -> list[str]:
    """Clips of which under 90 % of their own words came back, with what came back."""
    bad = []
    for clip in placed:
        expected = alone[clip.name]
        found = words_between(words, clip.start - 0.5, clip.end + 0.5)
        if heard(expected, found) < HEARD:
            bad.append(
                f"{clip.start:.1f}-{clip.end:.1f} s: expected {' '.join(expected)!r}, "
                f"got {' '.join(found)!r}"
            )
    return bad


@pytest.mark.parametrize(
    ("seconds", "seed"),
    [(100.0, 14), pytest.param(600.0, 1400, marks=pytest.mark.slow)],
    ids=["100s", "10min"],
)
def test_no_speech_is_dropped(
    transcriber: Transcriber,
    speech_dir: Path,
    alone: dict[str, list[str]],
    seconds: float,
    seed: int,
) -> None:
    audio, placed = build_continuous(speech_dir, seconds, seed)
    segments = transcribe(transcriber, audio)
    words = timed_words(segments)

    assert dropped_clips(placed, words, alone) == []
    start, end = longest_speech_without_words(audio, segments)
    assert end - start <= MAX_SILENT_SPEECH_S, f"no word on speech at {start:.1f}-{end:.1f} s"
    reference = [w for clip in placed for w in normalise(clip.reference)]
    returned = [w for s in segments if not s.unrecognised for w in normalise(s.text)]
    assert len(returned) >= 0.95 * len(reference)


def test_held_rows_keep_the_sentences_whisper_ends_early_on(
    transcriber: Transcriber,
    speech_dir: Path,
    alone: dict[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Holding a row on over its last detected speech saves decoding those sentences again."""
    import engine.windows

    # Seed 2: a recording where Whisper ends a window early (seed 14 has none).
    audio, placed = build_continuous(speech_dir, 100.0, 2)
    encoded: list[int] = []
    log_mel = engine.windows.log_mel_batch

    def counted(audios: list[npt.NDArray[np.float32]], n_mels: int) -> object:
        encoded.append(len(audios))
        return log_mel(audios, n_mels)

    monkeypatch.setattr(engine.windows, "log_mel_batch", counted)
    held = transcribe(transcriber, audio)
    windows_held = sum(encoded)
    encoded.clear()
    monkeypatch.setattr(engine.windows, "hold_until", lambda *_args: -1)
    unheld = transcribe(transcriber, audio)
    windows_unheld = sum(encoded)

    # Without holding, Whisper ends windows early and the skipped sentences are encoded again.
    assert windows_held < windows_unheld
    for segments in (held, unheld):
        assert dropped_clips(placed, timed_words(segments), alone) == []
    reference = [w for clip in placed for w in normalise(clip.reference)]
    returned = [w for s in held if not s.unrecognised for w in normalise(s.text)]
    assert len(returned) >= 0.95 * len(reference)
