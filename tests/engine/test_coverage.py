"""Which speech counts as skipped: word by word, not region by region."""

from __future__ import annotations

import numpy as np
import pytest

from engine.coverage import MAX_COVERING_WORD_S, uncovered_speech
from engine.decoding import RowResult
from engine.timing import WordTiming
from engine.vad import SAMPLE_RATE, Chunk, lift_stretch
from engine.windows import UNRECOGNISED_TEXT, TimedSegment, unrecognised

SR = SAMPLE_RATE
RESULT = RowResult((), 0.0, 0.0, 0.0, False)


def segment(*words: tuple[float, float]) -> TimedSegment:
    timed = [WordTiming(f" w{i}", [i], a, b, 0.9) for i, (a, b) in enumerate(words)]
    return TimedSegment(words[0][0], words[-1][1], [], "", RESULT, timed)


def chunk(start_s: float, seconds: float, speech: list[tuple[float, float]]) -> Chunk:
    audio = np.full(round(seconds * SR), 0.1, dtype=np.float32)
    ranges = tuple((round(a * SR), round(b * SR)) for a, b in speech)
    return Chunk(round(start_s * SR), audio, ranges)


def spans(chunks: list[Chunk]) -> list[tuple[float, float]]:
    return [(round(c.start / SR, 2), round(c.end / SR, 2)) for c in chunks]


def test_an_untranscribed_tail_of_one_long_region_is_found() -> None:
    # Continuous speech: one detected region over the whole window; the words stop at 20 s.
    window = chunk(40.0, 26.0, [(0.0, 26.0)])
    words = [(40.0 + t, 40.0 + t + 0.4) for t in np.arange(0.0, 20.0, 0.5)]
    assert spans(uncovered_speech(window, [segment(*words)])) == [(59.9, 66.0)]


def test_a_word_stretched_over_skipped_speech_covers_nothing() -> None:
    window = chunk(0.0, 20.0, [(0.0, 20.0)])
    stretched = (10.6, 10.6 + MAX_COVERING_WORD_S + 6.0)
    seg = segment((0.0, 1.0), (1.0, 1.5), (10.0, 10.6), stretched, (18.6, 19.0), (19.0, 20.0))
    # 1.5-10.0 and 10.6-18.6 are both skipped, 0.6 s apart: decoded as one stretch.
    assert spans(uncovered_speech(window, [seg])) == [(1.5, 18.6)]


def test_pauses_and_padding_are_not_gaps() -> None:
    window = chunk(0.0, 11.4, [(0.0, 11.4)])  # 0.5 s of padding at both ends
    words = [(0.5 + 1.4 * i, 0.5 + 1.4 * i + 0.6) for i in range(8)]  # 0.8 s pauses
    assert uncovered_speech(window, [segment(*words)]) == []


def test_glued_pieces_map_back_to_the_stream() -> None:
    # Two stretches glued: 0-5 s of the chunk is stream 100-105 s, 5-10 s is stream 200-205 s.
    audio = np.full(10 * SR, 0.1, dtype=np.float32)
    glued = Chunk(
        100 * SR, audio, ((0, 5 * SR), (5 * SR, 10 * SR)), ((0, 100 * SR), (5 * SR, 200 * SR))
    )
    seg = segment(*[(100.0 + t, 100.5 + t) for t in range(5)])
    assert spans(uncovered_speech(glued, [seg])) == [(200.0, 205.0)]


def test_without_words_a_segment_counts_as_cover() -> None:
    window = chunk(0.0, 10.0, [(0.0, 10.0)])
    seg = TimedSegment(0.0, 6.0, [1], "text", RESULT)
    assert spans(uncovered_speech(window, [seg])) == [(6.0, 10.0)]


def test_a_quiet_stretch_is_lifted_on_its_own() -> None:
    quiet = (0.001 * np.sin(np.arange(SR) / 5)).astype(np.float32)
    lifted = lift_stretch(quiet)
    assert 10 < float(np.abs(lifted).max() / np.abs(quiet).max()) <= 100
    loud = (0.5 * np.sin(np.arange(SR) / 5)).astype(np.float32)
    assert lift_stretch(loud) is loud


@pytest.mark.parametrize("seconds", [2.5, 11.0])
def test_unrecognised_speech_is_marked_with_one_unsure_word(seconds: float) -> None:
    stretch = chunk(62.4, seconds, [(0.0, seconds)])
    marker = unrecognised(stretch)
    assert marker.unrecognised
    assert marker.text == UNRECOGNISED_TEXT
    [word] = marker.words
    assert (word.start, word.end, word.probability) == (62.4, pytest.approx(62.4 + seconds), 0.0)
