"""Glue consecutive speech chunks into windows of up to 30 s, skipping the silence between.

Whisper's encoder always processes 30 s, so a 6 s utterance between two long pauses costs as
much as 30 s of speech. Meetings and interviews are full of such pauses: glued together, the
same speech needs a fraction of the encoder passes. Each chunk keeps the padding the voice
activity detector put around its speech, so the model hears short natural pauses at the joins;
`Chunk.pieces` maps every sample back to its place in the stream (as faster-whisper's VAD mode
does with its chunk map).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from engine.vad import SAMPLE_RATE, Chunk

__all__ = ["glue", "pack_chunks"]


def glue(chunks: list[Chunk]) -> Chunk:
    """One chunk holding the audio of ``chunks`` back to back, with the map to the stream."""
    if len(chunks) == 1:
        return chunks[0]
    pieces: list[tuple[int, int]] = []
    speech: list[tuple[int, int]] = []
    offset = 0
    for c in chunks:
        inner = c.pieces or ((0, c.start),)
        pieces.extend((offset + o, s) for o, s in inner)
        speech.extend((offset + a, offset + b) for a, b in c.speech)
        offset += c.audio.size
    audio = np.concatenate([c.audio for c in chunks])
    return Chunk(chunks[0].start, audio, tuple(speech), tuple(pieces))


def pack_chunks(chunks: Iterable[Chunk], max_seconds: float = 30.0) -> Iterator[Chunk]:
    """Glue consecutive chunks while the result stays within ``max_seconds``."""
    limit = int(max_seconds * SAMPLE_RATE)
    pending: list[Chunk] = []
    size = 0
    for chunk in chunks:
        if pending and size + chunk.audio.size > limit:
            yield glue(pending)
            pending, size = [], 0
        pending.append(chunk)
        size += chunk.audio.size
    if pending:
        yield glue(pending)
