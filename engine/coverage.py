"""Find speech that Whisper skipped, so it can be decoded again on its own.

Whisper drops speech silently. In a window of continuous speech it often stops before the end of
the window (openai-whisper's sliding window would seek to the last timestamp and decode the rest
in the next window; independent batched windows have no next window for it), and after a change
of speaker or recording it may jump over whole sentences, leaving one word stretched over them
by the alignment. The voice activity detector knows where speech is: every stretch of detected
speech that no plausible word covers is cut out as a chunk of its own and decoded again
(`engine.windows`), and what is still uncovered after that is reported, never dropped quietly.

Coverage is measured word by word, not per speech region: in continuous speech one region spans
a whole window, and a single word anywhere in it used to count the region as transcribed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from engine.vad import SAMPLE_RATE, Chunk, lift_stretch

if TYPE_CHECKING:
    from engine.windows import TimedSegment

__all__ = ["MAX_COVERING_WORD_S", "Stretch", "covering_spans", "uncovered_speech"]

MIN_UNCOVERED_S = 1.5  # shorter gaps are pauses between sentences, word-edge slack, padding
MERGE_GAP_S = 1.0  # uncovered stretches this close together are decoded as one
# A word aligned over longer than this is the alignment stretching one word across speech the
# model skipped (seen: "now's" over 8.6 s of two other sentences); it covers nothing.
MAX_COVERING_WORD_S = 2.0

Stretch = tuple[float, float]  # (start, end) in seconds of the stream


def covering_spans(segments: Iterable[TimedSegment]) -> list[Stretch]:
    """The stream-time spans that count as transcribed: plausible words, else segments."""
    segments = list(segments)
    if any(s.words for s in segments):
        return sorted(
            (w.start, w.end)
            for s in segments
            for w in s.words
            if w.end - w.start <= MAX_COVERING_WORD_S
        )
    return sorted((s.start, s.end) for s in segments)


def _subtract(a: float, b: float, spans: Sequence[Stretch]) -> list[Stretch]:
    """The parts of ``[a, b]`` outside every span (``spans`` sorted by start)."""
    out: list[Stretch] = []
    cursor = a
    for s, e in spans:
        if e <= cursor:
            continue
        if s >= b:
            break
        if s > cursor:
            out.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < b:
        out.append((cursor, b))
    return out


def _pieces(chunk: Chunk) -> list[tuple[int, int, int]]:
    """(start offset, end offset, stream index of the start) of each glued piece."""
    pieces = chunk.pieces or ((0, chunk.start),)
    bounds = []
    for i, (offset, source) in enumerate(pieces):
        end = pieces[i + 1][0] if i + 1 < len(pieces) else chunk.audio.size
        bounds.append((offset, end, source))
    return bounds


def uncovered_speech(
    chunk: Chunk,
    segments: Sequence[TimedSegment],
    min_seconds: float = MIN_UNCOVERED_S,
) -> list[Chunk]:
    """Chunks of ``chunk``'s detected speech on which no plausible word landed.

    A gap runs from the end of the last word before it (or the start of the speech) to the
    start of the next word (or the end of the speech), so it starts and ends between words.
    Gaps closer than `MERGE_GAP_S` are merged (the few words between them are decoded again
    with them). Each is levelled on its own (`engine.vad.lift_stretch`): a quiet voice right
    after a loud one is what Whisper skips most. (Decoding a second of context on either side
    and keeping only the gap's words was tried: on the dense test files it lost more
    stretches than it saved.)

    Args:
        chunk: The chunk that was decoded.
        segments: Its segments, times in seconds of the stream.
        min_seconds: Shorter gaps are ignored.
    """
    spans = covering_spans(segments)
    out: list[Chunk] = []
    for lo, hi, source in _pieces(chunk):
        gaps: list[Stretch] = []
        for a, b in chunk.speech:
            a, b = max(a, lo), min(b, hi)
            if b - a < min_seconds * SAMPLE_RATE:
                continue
            start_s = (source + a - lo) / SAMPLE_RATE
            end_s = (source + b - lo) / SAMPLE_RATE
            for gs, ge in _subtract(start_s, end_s, spans):
                if ge - gs < min_seconds:
                    continue
                if gaps and gs - gaps[-1][1] <= MERGE_GAP_S:
                    gaps[-1] = (gaps[-1][0], ge)
                else:
                    gaps.append((gs, ge))
        for gs, ge in gaps:
            first = lo + round(gs * SAMPLE_RATE) - source
            last = lo + round(ge * SAMPLE_RATE) - source
            audio = lift_stretch(chunk.audio[first:last].copy())
            out.append(Chunk(source + first - lo, audio, ((0, last - first),)))
    return out
