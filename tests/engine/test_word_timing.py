"""Word timing gives the same times however many windows are aligned at once (real weights)."""

from __future__ import annotations

from pathlib import Path

import pytest
from continuous import build_continuous

import engine.timing
from engine.options import TranscribeOptions
from engine.transcriber import Transcriber

pytestmark = pytest.mark.model


def test_alignment_in_groups_gives_the_same_words_and_times(
    tiny_en_model: Path, speech_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Aligning windows a few at a time bounds the teacher-forced pass's memory; the words and
    # times must not depend on it.
    audio, _ = build_continuous(speech_dir, 70.0, 21)
    transcriber = Transcriber(tiny_en_model)
    runs = []
    for group in (1, 16):
        monkeypatch.setattr(engine.timing, "ALIGN_GROUP", group)
        segments = transcriber.transcribe(audio, TranscribeOptions(batch_size=4))[1]
        runs.append([(w.text, w.start, w.end) for s in segments for w in s.words])
    one, all_at_once = runs
    assert len(one) > 100
    assert [w[0] for w in one] == [w[0] for w in all_at_once]
    for a, b in zip(one, all_at_once, strict=True):
        assert a[1:] == pytest.approx(b[1:], abs=0.021)  # one 20 ms frame at most
