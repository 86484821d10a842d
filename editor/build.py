"""From raw timed words, as a recogniser produces them, to segments that keep every invariant.

Speech recognisers hand out words that may be empty, zero-length, touching, overlapping by a few
milliseconds, reversed, or running past the end of the media. The app and the command line both
turn them into `Segment` values through `build_segments`, so the rules live in one place:

1. Words with no text are dropped. A reversed word (end before start) is turned round.
2. Times are clamped into ``[not_before_ms, duration_ms]``.
3. Text order is kept (reordering words would scramble sentences); times are made to follow
   it. When a word starts inside the word before, the earlier word is cut short at the later
   word's start (the later start is trusted, and one wrong, overlong word cannot push every
   following word away). A word starting no later than the word before is moved to begin where
   that one ends.
4. A word left with no duration gets 1 ms: from a gap after it (pushing along other zero-length
   words at the same time), else from a gap before it, else from the previous word, else from
   the next one, when that word lasts 2 ms or more. When there is no room at all, its text is
   appended to the previous word (prepended to the next one when only that one is in the same
   segment), keeping the lower probability; so text is never lost while
   ``duration_ms > not_before_ms``.
5. Segments left with no words are dropped.

A segment without word timings (``text`` but no words) becomes one word per whitespace-separated
token, spread evenly over the segment's span.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from editor.timefmt import ms_from_seconds
from editor.transcript import MediaInfo, Segment, Transcript, Word

__all__ = ["RawSegment", "RawWord", "build_segments", "build_transcript"]

log = logging.getLogger(__name__)

# A token is a run of non-space characters with the whitespace before it (Whisper's convention).
_TOKEN = re.compile(r"\s*\S+")


@dataclass(frozen=True, slots=True)
class RawWord:
    """A word as the recogniser timed it; nothing is checked yet.

    Attributes:
        text: The word with its leading separator (" country,").
        start_ms: Start in milliseconds (any integer, even negative or past the end).
        end_ms: End in milliseconds (may equal or precede ``start_ms``).
        probability: The recogniser's confidence (clamped into 0..1, NaN becomes 0).
    """

    text: str
    start_ms: int
    end_ms: int
    probability: float = 1.0

    @classmethod
    def from_seconds(cls, text: str, start_s: float, end_s: float, probability: float) -> RawWord:
        """Build a raw word from float seconds with the editor's rounding rule.

        Raises:
            InvariantError: A time is NaN or infinite.
        """
        return cls(text, ms_from_seconds(start_s), ms_from_seconds(end_s), probability)


@dataclass(frozen=True, slots=True)
class RawSegment:
    """A segment as the recogniser produced it.

    Attributes:
        words: Its timed words, in text order (may be empty).
        speaker: The speaker's name, when known.
        text: The segment's text; used only when no word has any text (no word timings).
        start_ms: Start of the segment; used only to spread ``text`` (defaults to where the
            previous segment's words end).
        end_ms: End of the segment; used only to spread ``text`` (defaults to ``start_ms``).
    """

    words: Sequence[RawWord] = ()
    speaker: str | None = None
    text: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass(slots=True)
class _Slot:
    """A word being fixed up (mutable, private to this module)."""

    text: str
    start: int
    end: int
    probability: float
    segment: int  # index of the raw segment it came from


def build_segments(
    raw: Iterable[RawSegment], *, not_before_ms: int = 0, duration_ms: int | None = None
) -> list[Segment]:
    """Turn raw segments into valid, ordered, non-overlapping segments (rules: module doc).

    Args:
        raw: The recogniser's segments in order.
        not_before_ms: No word may start earlier (the end of what is already in the document,
            when segments stream in). Negative values count as 0.
        duration_ms: The media duration, when known: no word may end later.

    Returns:
        Segments that satisfy every `Segment` invariant and, taken together, are in time order,
        do not overlap and lie within ``[not_before_ms, duration_ms]``.
    """
    raws = list(raw)
    lo = max(not_before_ms, 0)
    if duration_ms is not None and duration_ms <= lo:
        log.warning("no room for words between %d ms and %d ms: none kept", lo, duration_ms)
        return []
    slots = _flatten(raws, lo, duration_ms)
    _follow_text_order(slots)
    kept = _give_length(slots, lo, duration_ms)
    segments = _group(kept, raws)
    log.debug(
        "built %d segments with %d words from %d raw segments", len(segments), len(kept), len(raws)
    )
    return segments


def build_transcript(
    raw_segments: Iterable[RawSegment],
    *,
    language: str | None,
    media: MediaInfo | None,
    metadata: Mapping[str, str] | None = None,
) -> Transcript:
    """Build a whole transcript from raw segments (times kept within the media duration).

    Args:
        raw_segments: The recogniser's segments in order.
        language: The language code, when known.
        media: The recording, when known; its duration bounds every time.
        metadata: Free-form facts such as the model's name.

    Returns:
        A valid transcript.
    """
    duration = media.duration_ms if media is not None else None
    segments = build_segments(raw_segments, duration_ms=duration)
    return Transcript(tuple(segments), language, media, dict(metadata or {}))


def _flatten(raws: Sequence[RawSegment], lo: int, hi: int | None) -> list[_Slot]:
    """All words with text, turned round and clamped, in text order."""
    slots: list[_Slot] = []
    for index, seg in enumerate(raws):
        words: Sequence[RawWord] = [w for w in seg.words if w.text.strip()]
        if not words and seg.text and seg.text.strip():
            cursor = slots[-1].end if slots else lo
            words = _spread(seg, cursor)
        for w in words:
            start, end = sorted((_clamp(w.start_ms, lo, hi), _clamp(w.end_ms, lo, hi)))
            slots.append(_Slot(w.text, start, end, _unit(w.probability), index))
    return slots


def _spread(seg: RawSegment, cursor: int) -> list[RawWord]:
    """One word per token of ``seg.text``, spread evenly over the segment's span."""
    start = seg.start_ms if seg.start_ms is not None else cursor
    end = seg.end_ms if seg.end_ms is not None else start
    start, end = sorted((start, end))
    tokens = _TOKEN.findall(seg.text or "")
    n = len(tokens)
    bounds = [start + (end - start) * k // n for k in range(n + 1)]
    return [RawWord(tok, bounds[k], bounds[k + 1]) for k, tok in enumerate(tokens)]


def _follow_text_order(slots: Sequence[_Slot]) -> None:
    """Make times follow the text order without overlaps (rule 3); lengths may become 0."""
    prev: _Slot | None = None
    for s in slots:
        if prev is not None and s.start < prev.end:
            if s.start > prev.start:
                prev.end = s.start
            else:
                s.start = prev.end
                s.end = max(s.end, s.start)
        prev = s


def _give_length(slots: Sequence[_Slot], lo: int, hi: int | None) -> list[_Slot]:
    """Give every zero-length word 1 ms, or merge it into a neighbour (rule 4)."""
    out: list[_Slot] = []
    carry = ""  # text of a dropped word, waiting to be put before the next word's text
    ceilings = _next_timed_starts(slots, hi)
    for i, s in enumerate(slots):
        s.text, carry = carry + s.text, ""
        prev = out[-1] if out else None
        floor = prev.end if prev is not None else lo
        if s.start < floor:  # a zero-length word pushed along by the one before
            s.start, s.end = floor, max(s.end, floor)
        if s.end > s.start:
            out.append(s)
            continue
        nxt = slots[i + 1] if i + 1 < len(slots) else None
        ceiling = ceilings[i]
        if ceiling is None or s.end < ceiling:
            s.end += 1
        elif s.start > floor:
            s.start -= 1
        elif prev is not None and prev.end - prev.start >= 2:
            prev.end -= 1
            s.start -= 1
        elif nxt is not None and nxt.end - nxt.start >= 2:
            nxt.start += 1
            s.end += 1
        elif prev is not None and (
            nxt is None or prev.segment == s.segment or nxt.segment != s.segment
        ):
            prev.text += s.text
            prev.probability = min(prev.probability, s.probability)
            continue
        elif nxt is not None:
            carry = s.text
            nxt.probability = min(nxt.probability, s.probability)
            continue
        else:  # the only word, and no room at all: cannot happen while duration > not_before
            log.debug("dropped word %r: no room for it", s.text)
            continue
        out.append(s)
    return out


def _next_timed_starts(slots: Sequence[_Slot], hi: int | None) -> list[int | None]:
    """For each word, where the next word with a duration starts (else ``hi``).

    Zero-length words in between can be pushed along, so they do not limit the room.
    """
    ceilings: list[int | None] = [hi] * len(slots)
    for i in range(len(slots) - 2, -1, -1):
        after = slots[i + 1]
        ceilings[i] = after.start if after.end > after.start else ceilings[i + 1]
    return ceilings


def _group(slots: Sequence[_Slot], raws: Sequence[RawSegment]) -> list[Segment]:
    """Gather words back into their segments; segments that lost every word disappear."""
    segments: list[Segment] = []
    run: list[Word] = []
    for i, s in enumerate(slots):
        run.append(Word(s.text, s.start, s.end, s.probability))
        if i + 1 == len(slots) or slots[i + 1].segment != s.segment:
            segments.append(Segment(tuple(run), raws[s.segment].speaker))
            run = []
    return segments


def _clamp(value: int, lo: int, hi: int | None) -> int:
    return max(lo, value) if hi is None else min(max(lo, value), hi)


def _unit(p: float) -> float:
    """A probability clamped into 0..1 (NaN, which compares false with everything, becomes 0)."""
    return 0.0 if math.isnan(p) else min(max(float(p), 0.0), 1.0)
