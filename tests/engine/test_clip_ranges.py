"""Transcribing only some time ranges (re-transcribe a selection; ``--clip-timestamps``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from continuous import build_continuous, heard, words_between
from engine_helpers import normalise

from engine.clips import CONTEXT_S, clip_ranges, range_audio
from engine.errors import EngineError
from engine.options import TranscribeOptions
from engine.transcriber import Transcriber
from engine.vad import SAMPLE_RATE

SR = SAMPLE_RATE


def test_ranges_are_sorted_merged_and_checked() -> None:
    assert clip_ranges([(30, 45), (5, 10), (9, 12)]) == ((5.0, 12.0), (30.0, 45.0))
    for bad in [(5, 5), (-1, 3), (4, 2), (1, 2, 3)]:
        with pytest.raises(EngineError, match="start and a later end"):
            clip_ranges([bad])


@pytest.mark.parametrize("block", [1000, 16000, 30 * SR])
def test_range_audio_is_the_ranges_with_context_whatever_the_blocks(block: int) -> None:
    signal = np.arange(20 * SR, dtype=np.float32)
    blocks = (signal[i : i + block] for i in range(0, signal.size, block))
    got = list(range_audio(blocks, [(0.5, 2.0), (2.5, 3.0), (10.0, 12.0), (19.5, 25.0)]))
    ctx = round(CONTEXT_S * SR)
    # 0.5-2 s and 2.5-3 s touch once widened: one stretch; the last runs past the end.
    expected = [(0, 4 * SR), (10 * SR - ctx, 12 * SR + ctx), (round(19.5 * SR) - ctx, 20 * SR)]
    assert [(o, o + a.size) for o, a in got] == expected
    for offset, audio in got:
        np.testing.assert_array_equal(audio, signal[offset : offset + audio.size])


@pytest.mark.model
def test_only_words_inside_the_range_come_back_and_agree_with_the_full_run(
    tiny_en_model: Path, speech_dir: Path
) -> None:
    audio, _ = build_continuous(speech_dir, 60.0, 15)
    transcriber = Transcriber(tiny_en_model)
    full = list(transcriber.transcribe(audio, TranscribeOptions())[1])
    clipped = list(transcriber.transcribe(audio, TranscribeOptions(clip_ranges=((30, 45),)))[1])

    words = [(w.text, w.start, w.end) for s in clipped for w in s.words]
    assert words
    assert all(30.0 <= (a + b) / 2 <= 45.0 for _, a, b in words)
    full_words = [(w.text, w.start, w.end) for s in full for w in s.words]
    expected = words_between(full_words, 30.0, 45.0)
    found = [n for text, _, _ in words for n in normalise(text)]
    assert heard(expected, found) >= 0.8, (expected, found)
    assert abs(len(found) - len(expected)) <= 0.2 * len(expected)
