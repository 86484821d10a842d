"""Hallucination guards and the final clean-up of word times.

Whisper invents text in silence and loops on hard audio. Besides its own no-speech gating and
temperature fallback (`engine.windows`), these guards bound the damage:
- a token budget per chunk from its duration: nobody says 224 tokens in 3 seconds;
- a decode that still loops after every fallback keeps only its first two repeats;
- words that fall entirely inside a long stretch the voice-activity detector found silent are
  dropped (Whisper's typical "Thank you." in silence);
- word times are made monotonic, non-overlapping and kept inside the chunk;
- a segment is split where its words are separated by a long pause (chunks glued together by
  `engine.packing` can make Whisper run one segment across the join).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.decoding import DecodePrompt, RowResult
from engine.mel import SAMPLE_RATE
from engine.timing import WordTiming
from engine.tokenizer import Tokenizer
from engine.vad import Chunk

if TYPE_CHECKING:
    from engine.windows import TimedSegment

__all__ = [
    "drop_words_in_silence",
    "fit_words",
    "split_at_pauses",
    "token_budget",
    "trim_repetition",
]

TOKENS_PER_SECOND_MAX = 12.0  # fast speech is ~6 text tokens/s; timestamps add a few
TOKEN_BUDGET_SLACK = 16
SILENCE_MIN_S = 1.0  # only gaps at least this long count as silence for dropping words
SILENCE_EDGE_S = 0.2  # tolerance at the edges of speech regions
MIN_WORD_S = 0.02
SPLIT_PAUSE_S = 2.0  # a pause this long between two words of a segment starts a new one


def token_budget(duration: float, prompt: DecodePrompt, n_text_ctx: int = 448) -> int:
    """The most tokens a chunk of ``duration`` seconds may decode."""
    cap = min(n_text_ctx // 2, n_text_ctx - len(prompt.tokens) - 1)
    return max(8, min(cap, int(duration * TOKENS_PER_SECOND_MAX) + TOKEN_BUDGET_SLACK))


def trim_repetition(result: RowResult, max_repeats: int) -> RowResult:
    """Cut a decode that repeats an n-gram more than ``max_repeats`` times after two repeats."""
    tokens = list(result.tokens)
    for n in range(1, min(12, len(tokens) // 2) + 1):
        i = n
        run = 1
        while i + n <= len(tokens):
            if tokens[i : i + n] == tokens[i - n : i]:
                run += 1
                if run > max_repeats:
                    cut = i - (run - 3) * n  # start of the first copy + two copies
                    return dataclasses.replace(
                        result, tokens=tuple(tokens[:cut]), token_probs=result.token_probs[:cut]
                    )
                i += n
            else:
                run = 1
                i += 1
    return result


def drop_words_in_silence(words: list[WordTiming], chunk: Chunk) -> list[WordTiming]:
    """Drop words lying wholly inside a silent gap of at least `SILENCE_MIN_S` (chunk-relative)."""
    if not chunk.speech:
        return words
    gaps: list[tuple[float, float]] = []
    prev_end = 0.0
    for start, end in chunk.speech:
        s, e = start / SAMPLE_RATE, end / SAMPLE_RATE
        if s - prev_end >= SILENCE_MIN_S:
            gaps.append((prev_end + SILENCE_EDGE_S, s - SILENCE_EDGE_S))
        prev_end = e
    if chunk.duration - prev_end >= SILENCE_MIN_S:
        gaps.append((prev_end + SILENCE_EDGE_S, chunk.duration + 1.0))
    if not gaps:
        return words
    return [w for w in words if not any(g0 <= w.start and w.end <= g1 for g0, g1 in gaps)]


def fit_words(segments: Sequence[TimedSegment], chunk: Chunk) -> None:
    """Make word times monotonic, non-overlapping and inside the chunk, in place.

    Also drops segments' words that end up empty and sets each segment's span to its words.
    """
    lo = chunk.start / SAMPLE_RATE
    hi = chunk.end / SAMPLE_RATE
    cursor = lo
    for seg in segments:
        for w in seg.words:
            w.start = min(max(w.start, cursor), hi)
            w.end = min(max(w.end, w.start), hi)
            cursor = w.end
        if seg.words:
            seg.start, seg.end = seg.words[0].start, max(seg.words[-1].end, seg.words[0].start)
        else:
            seg.start = min(max(seg.start, lo), hi)
            seg.end = min(max(seg.end, seg.start), hi)


def split_at_pauses(
    segments: list[TimedSegment], tokenizer: Tokenizer, pause: float = SPLIT_PAUSE_S
) -> list[TimedSegment]:
    """Split segments where consecutive words are at least ``pause`` seconds apart."""
    out: list[TimedSegment] = []
    for seg in segments:
        cut = [
            i
            for i in range(1, len(seg.words))
            if seg.words[i].start - seg.words[i - 1].end >= pause
        ]
        if not cut:
            out.append(seg)
            continue
        for a, b in itertools.pairwise([0, *cut, len(seg.words)]):
            words = seg.words[a:b]
            tokens = [t for w in words for t in w.tokens]
            out.append(
                dataclasses.replace(
                    seg,
                    start=words[0].start,
                    end=words[-1].end,
                    tokens=tokens,
                    text=tokenizer.decode(tokens).strip(),
                    words=words,
                )
            )
    return out
