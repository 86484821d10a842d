"""Gluing speech chunks across skipped silence, and mapping times back to the stream."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from engine.packing import glue, pack_chunks
from engine.transcriber import Transcriber
from engine.vad import SAMPLE_RATE, Chunk


def chunk(start_s: float, length_s: float) -> Chunk:
    n = int(length_s * SAMPLE_RATE)
    return Chunk(int(start_s * SAMPLE_RATE), np.zeros(n, np.float32), ((0, n),))


def test_glued_times_map_back_to_the_stream() -> None:
    g = glue([chunk(10, 4), chunk(20, 3), chunk(31, 2)])
    assert g.duration == pytest.approx(9)
    assert g.start == 10 * SAMPLE_RATE
    assert g.end == 33 * SAMPLE_RATE
    assert g.source_seconds(0.0) == pytest.approx(10)
    assert g.source_seconds(3.5) == pytest.approx(13.5)
    assert g.source_seconds(4.0) == pytest.approx(20)
    assert g.source_seconds(8.5) == pytest.approx(32.5)
    assert g.speech == ((0, 64000), (64000, 112000), (112000, 144000))
    assert g.joins() == [(pytest.approx(4), pytest.approx(6)), (pytest.approx(7), pytest.approx(8))]


def test_packing_respects_the_window_length() -> None:
    chunks = [chunk(i * 20, 8) for i in range(10)]
    packed = list(pack_chunks(chunks, 30))
    assert [round(p.duration) for p in packed] == [24, 24, 24, 8]
    # Packing a packed chunk keeps the map to the stream.
    again = glue(packed[:1])
    assert again.source_seconds(17) == pytest.approx(41)


def test_contiguous_chunk_maps_by_offset() -> None:
    c = chunk(5, 3)
    assert c.source_seconds(1.25) == pytest.approx(6.25)
    assert c.joins() == []


@pytest.mark.model
def test_words_of_glued_clips_land_in_their_clips(
    tiny_en_model: Path, speech_dir: Path, tmp_path: Path
) -> None:
    clips = sorted((speech_dir / "en" / "librivox_austen").glob("*.wav"))[:3]
    pieces, spans, t = [], [], 0.0
    for clip in clips:
        audio, rate = sf.read(clip, dtype="float32")
        assert rate == SAMPLE_RATE
        pieces += [np.zeros(6 * SAMPLE_RATE, np.float32), audio]
        t += 6
        spans.append((t, t + len(audio) / SAMPLE_RATE))
        t += len(audio) / SAMPLE_RATE
    path = tmp_path / "pauses.wav"
    sf.write(path, np.concatenate([*pieces, np.zeros(3 * SAMPLE_RATE, np.float32)]), SAMPLE_RATE)
    _, segments = Transcriber(tiny_en_model).transcribe(path)
    words = [w for s in segments for w in s.words]
    assert len(words) > 20
    for w in words:
        inside = [a - 0.3 <= w.start and w.end <= b + 0.3 for a, b in spans]
        assert any(inside), (w, spans)
