"""Transcribe only some stretches of a recording (openai-whisper's ``clip_timestamps``).

For re-transcribing a selection, or the command line's ``--clip-timestamps``: each range is
decoded with `CONTEXT_S` of audio on either side, so a range that starts or ends inside a word
or a sentence is still heard in context, and only the words centred inside a range are kept
(`engine.windows.WindowDecoder.within`). The stream is still read from the start (decoding is
cheap next to the model), but only the ranges reach voice activity detection and the model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from engine.errors import EngineError
from engine.vad import SAMPLE_RATE, Chunk

__all__ = ["CONTEXT_S", "Range", "clip_ranges", "range_audio", "shifted"]

CONTEXT_S = 1.0
Range = tuple[float, float]  # (start, end) in seconds


def clip_ranges(ranges: Iterable[Sequence[float]]) -> tuple[Range, ...]:
    """The ranges in time order, overlapping ones merged.

    Raises:
        EngineError: A range is not (start, end) with 0 <= start < end.
    """
    checked = []
    for r in ranges:
        if len(r) != 2 or not 0 <= r[0] < r[1]:
            raise EngineError(
                f"A time range must be a start and a later end in seconds, not {tuple(r)}."
            )
        checked.append((float(r[0]), float(r[1])))
    merged: list[Range] = []
    for start, end in sorted(checked):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def range_audio(
    blocks: Iterable[npt.NDArray[np.float32]], ranges: Sequence[Range]
) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
    """(first sample, samples) of each range widened by `CONTEXT_S`, read from ``blocks``.

    Only the wanted audio is kept, so memory stays bounded by the longest range.
    """
    spans = [
        (max(0, round((a - CONTEXT_S) * SAMPLE_RATE)), round((b + CONTEXT_S) * SAMPLE_RATE))
        for a, b in ranges
    ]
    # Widened ranges may touch: merge them so no audio is decoded twice.
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    position = 0
    index = 0
    parts: list[npt.NDArray[np.float32]] = []
    for block in blocks:
        end = position + block.size
        while index < len(merged):
            lo, hi = merged[index]
            if lo >= end:
                break
            parts.append(block[max(lo - position, 0) : max(min(hi, end) - position, 0)])
            if hi > end:
                break
            yield lo, np.concatenate(parts) if parts else np.zeros(0, np.float32)
            parts, index = [], index + 1
        position = end
        if index >= len(merged):
            return
    if index < len(merged) and parts:  # the stream ended inside a range
        yield merged[index][0], np.concatenate(parts)


def shifted(chunk: Chunk, offset: int) -> Chunk:
    """``chunk`` moved ``offset`` samples later in the stream."""
    pieces = tuple((o, s + offset) for o, s in chunk.pieces)
    return dataclasses.replace(chunk, start=chunk.start + offset, pieces=pieces)
