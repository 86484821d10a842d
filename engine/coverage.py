"""Find speech that Whisper skipped, so it can be decoded again on its own.

Whisper sometimes jumps over a whole utterance in a window: after a change of speaker or
recording, after a long pause, or where chunks were glued together (`engine.packing`). The voice
activity detector knows where speech is; any stretch of detected speech that received no words
is cut out as a chunk of its own and decoded once more (`engine.windows`). This is the batched
pipeline's counterpart of Whisper's sliding window, which re-reads from its last timestamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.vad import SAMPLE_RATE, Chunk

if TYPE_CHECKING:
    from engine.windows import TimedSegment

__all__ = ["uncovered_speech"]

MIN_UNCOVERED_S = 1.0  # shorter uncovered speech is more likely a cough than a sentence
MERGE_GAP_S = 1.0  # uncovered stretches this close together are decoded as one


def _piece_bounds(chunk: Chunk) -> list[tuple[int, int, int]]:
    """(start offset, end offset, stream index of the start) of each glued piece."""
    pieces = chunk.pieces or ((0, chunk.start),)
    bounds = []
    for i, (offset, source) in enumerate(pieces):
        end = pieces[i + 1][0] if i + 1 < len(pieces) else chunk.audio.size
        bounds.append((offset, end, source))
    return bounds


def _covered(spans: Sequence[tuple[float, float]], a: float, b: float) -> bool:
    return any(s < b and e > a for s, e in spans)


def uncovered_speech(chunk: Chunk, segments: Sequence[TimedSegment]) -> list[Chunk]:
    """Chunks of ``chunk``'s detected speech on which no word (or segment) landed.

    Times of ``segments`` are in seconds of the stream; words are used when present.
    """
    spans = [(w.start, w.end) for s in segments for w in s.words] or [
        (s.start, s.end) for s in segments
    ]
    found: list[tuple[int, int, int]] = []  # (chunk offset start, end, stream start)
    for lo, hi, source in _piece_bounds(chunk):
        for a, b in chunk.speech:
            a, b = max(a, lo), min(b, hi)
            if b - a < MIN_UNCOVERED_S * SAMPLE_RATE:
                continue
            start_s = (source + a - lo) / SAMPLE_RATE
            if _covered(spans, start_s, start_s + (b - a) / SAMPLE_RATE):
                continue
            if (
                found
                and a - found[-1][1] <= MERGE_GAP_S * SAMPLE_RATE
                and a >= lo
                and found[-1][0] >= lo
            ):
                found[-1] = (found[-1][0], b, found[-1][2])
            else:
                found.append((a, b, source + a - lo))
    return [Chunk(stream, chunk.audio[a:b].copy(), ((0, b - a),)) for a, b, stream in found]
