"""Turn typed text back into timed words, keeping the timings of the words that did not change.

A person corrects a segment by typing its text; the transcript must keep word timings. The text
is split into words, aligned with the old words by a word diff (`difflib.SequenceMatcher` over
normalised words: case and surrounding punctuation ignored), and then:

- words that are unchanged keep their `Word` exactly (timing and probability);
- words replaced one for one keep the old word's timing, with probability 1 (a person typed them);
- a run of old words replaced by a different number of new words: the new words share the old
  words' span;
- inserted words share the gap between their neighbours; when the gap is too short (each word
  needs at least 1 ms), the window grows to the whole silence around, then takes in the
  neighbouring words one at a time, which are re-timed with the inserted ones;
- deleted words vanish.

Shared spans are split in proportion to the words' lengths in characters, in whole milliseconds,
so that words touch, never overlap and always last at least 1 ms.

Limitation: words are found by whitespace, so in languages written without spaces an edited run
of text becomes one word spanning the words it replaced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from editor.errors import EditRejected
from editor.transcript import Word

__all__ = ["leading_separator", "respell", "spread", "tokenize"]

_TOKEN = re.compile(r"\s*\S+")
# A segment is one line of the transcript: line breaks typed into it become spaces.
_LINE_BREAKS = re.compile(r"[\n\r\t\v\f\x1c-\x1e\x85\u2028\u2029]+")


def leading_separator(text: str) -> str:
    """The whitespace at the start of ``text`` (a word's separator)."""
    return text[: len(text) - len(text.lstrip())]


def tokenize(text: str, first_separator: str) -> list[str]:
    """Split typed text into word texts, each with the separator typed before it.

    Args:
        text: What the person typed; surrounding whitespace is ignored.
        first_separator: The separator given to the first word (the typed text is stripped, so
            the caller decides, usually keeping the old first word's).

    Returns:
        The word texts (empty when ``text`` is only whitespace).
    """
    tokens: list[str] = _TOKEN.findall(_LINE_BREAKS.sub(" ", text).strip())
    if tokens:
        tokens[0] = _LINE_BREAKS.sub(" ", first_separator) + tokens[0]
    return tokens


def _normalised(text: str) -> str:
    """The form two words are compared in: case and surrounding punctuation ignored."""
    folded = text.strip().casefold()
    start, end = 0, len(folded)
    while start < end and unicodedata.category(folded[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(folded[end - 1]).startswith("P"):
        end -= 1
    # A word made only of punctuation ("—") is compared as it is.
    return folded[start:end] or folded


def spread(start_ms: int, end_ms: int, weights: Sequence[int]) -> list[tuple[int, int]]:
    """Split ``[start_ms, end_ms)`` into touching spans proportional to ``weights``.

    Boundaries are rounded to whole milliseconds, then pushed apart where needed so that every
    span lasts at least 1 ms (a weight below 1 counts as 1).

    Raises:
        ValueError: The window is shorter than one millisecond per span.
    """
    count, length = len(weights), end_ms - start_ms
    if length < count:
        raise ValueError(f"{length} ms cannot hold {count} words")
    total = sum(max(w, 1) for w in weights)
    bounds = [start_ms]
    cumulative = 0
    for weight in weights:
        cumulative += max(weight, 1)
        # Round half up in integers, from the cumulative weight so errors never add up.
        bounds.append(start_ms + (2 * length * cumulative + total) // (2 * total))
    for k in range(1, count):  # at least 1 ms after the previous boundary...
        bounds[k] = max(bounds[k], bounds[k - 1] + 1)
    for k in range(count - 1, 0, -1):  # ...and room for 1 ms per later span
        bounds[k] = min(bounds[k], bounds[k + 1] - 1)
    return list(pairwise(bounds))


@dataclass(slots=True)
class _Slot:
    """A new word being built: its text and, once known, its timing and probability."""

    text: str
    word: Word | None = None
    window: tuple[int, int] | None = None  # preferred span while the word is still unplaced


def respell(old: Sequence[Word], tokens: Sequence[str], lo: int, hi: int) -> tuple[Word, ...]:
    """New words for ``tokens`` that keep what they can of the timings of ``old``.

    Args:
        old: The words being rewritten, in time order (may be empty).
        tokens: The new word texts, with separators (see `tokenize`).
        lo: No new word may start before this time.
        hi: No new word may end after this time (``lo <= old words <= hi``).

    Returns:
        The new words, in time order, never overlapping, each at least 1 ms long.

    Raises:
        EditRejected: ``[lo, hi)`` has too few milliseconds for the words to fit.
    """
    old_keys = [_normalised(w.text) for w in old]
    new_keys = [_normalised(t) for t in tokens]
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    slots: list[_Slot] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "delete":
            continue
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            slots.extend(
                _Slot(t, _kept(w, t)) for w, t in zip(old[i1:i2], tokens[j1:j2], strict=True)
            )
            continue
        if tag == "replace":
            window = (old[i1].start_ms, old[i2 - 1].end_ms)
        else:  # insert
            window = (old[i1 - 1].end_ms if i1 else lo, old[i1].start_ms if i1 < len(old) else hi)
        slots.extend(_Slot(t, window=window) for t in tokens[j1:j2])
    while (run := _first_unplaced_run(slots)) is not None:
        _place(slots, run, lo, hi)
    return tuple(s.word for s in slots if s.word is not None)


def _kept(word: Word, text: str) -> Word:
    """The old word when its text is unchanged, else the new text in the old word's time."""
    if word.text == text:
        return word
    return Word(text, word.start_ms, word.end_ms, 1.0)


def _first_unplaced_run(slots: Sequence[_Slot]) -> tuple[int, int] | None:
    """The first run ``[a, b)`` of slots that have no timing yet."""
    for a, slot in enumerate(slots):
        if slot.word is None:
            b = a + 1
            while b < len(slots) and slots[b].word is None and slots[b].window == slot.window:
                b += 1
            return a, b
    return None


def _place(slots: list[_Slot], run: tuple[int, int], lo: int, hi: int) -> None:
    """Time the slots of ``run``, widening the window until every word gets 1 ms or more."""
    a, b = run
    window = slots[a].window
    assert window is not None  # unplaced slots always carry their preferred window
    start, end = window
    take_left = True
    while end - start < b - a:
        gap = (_end_of(slots, a - 1, lo), _start_of(slots, b, hi))
        if (start, end) != gap:
            start, end = gap  # first use all the silence between the placed neighbours
            continue
        # Then share the neighbours' own spans, nearest first, alternating sides.
        can_left, can_right = a > 0, b < len(slots)
        if not (can_left or can_right):
            raise EditRejected(
                f"there is not enough time for {b - a} words here ({hi - lo} ms); "
                "lengthen the segment first"
            )
        if can_left and (take_left or not can_right):
            a -= 1
            start = _end_of(slots, a - 1, lo)
        else:
            b += 1
            # A following run of new words joins in: the window now reaches past it.
            while b < len(slots) and slots[b].word is None:
                b += 1
            end = _start_of(slots, b, hi)
        take_left = not take_left
    spans = spread(start, end, [len(s.text.strip()) for s in slots[a:b]])
    for slot, (s, e) in zip(slots[a:b], spans, strict=True):
        kept = slot.word
        probability = kept.probability if kept is not None and kept.text == slot.text else 1.0
        slot.word = Word(slot.text, s, e, probability)
        slot.window = None


def _end_of(slots: Sequence[_Slot], index: int, default: int) -> int:
    """Where the placed word at ``index`` ends, or ``default`` before the first word."""
    if index < 0:
        return default
    word = slots[index].word
    assert word is not None  # only placed neighbours are looked at
    return word.end_ms


def _start_of(slots: Sequence[_Slot], index: int, default: int) -> int:
    """Where the placed word at ``index`` starts, or ``default`` after the last word."""
    if index >= len(slots):
        return default
    word = slots[index].word
    assert word is not None
    return word.start_ms
