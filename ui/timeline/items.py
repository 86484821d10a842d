"""The transcript as the timeline sees it: segments and words as spans of x, found by bisection.

`TimeIndex` keeps every segment's and word's times in flat sorted lists (built once per transcript
version), so painting a 3-hour transcript only looks at what is in view (`visible_segments`,
`visible_words`) and hit-testing an edge under the mouse is a bisection, not a scan. Pure: no Qt.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from editor.transcript import Transcript
from ui.timeline.geometry import Viewport

__all__ = ["Band", "Box", "Lanes", "TimeIndex", "WordRef"]

#: (segment index, word index in the segment).
WordRef = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Band:
    """A horizontal strip of the timeline: ``top`` <= y < ``top + height``."""

    top: int
    height: int

    @property
    def bottom(self) -> int:
        """One past the last row."""
        return self.top + self.height

    def holds(self, y: float) -> bool:
        """Whether row ``y`` is in the strip."""
        return self.top <= y < self.bottom


@dataclass(frozen=True, slots=True)
class Lanes:
    """The timeline's strips, top to bottom: time ruler, segments over the waveform, words.

    Attributes:
        ruler: Tick marks and times.
        segments: The waveform, with segments as coloured regions behind it (their edges are
            dragged here).
        words: One box per word (word edges are dragged here).
    """

    ruler: Band
    segments: Band
    words: Band

    @classmethod
    def for_height(cls, height: int, ruler: int = 16, words: int = 20) -> Lanes:
        """The strips of a timeline ``height`` pixels tall."""
        middle = max(height - ruler - words, 1)
        return cls(Band(0, ruler), Band(ruler, middle), Band(ruler + middle, words))


@dataclass(frozen=True, slots=True)
class Box:
    """Where a segment or a word is drawn: x from ``left`` to ``right`` (maybe off-screen).

    Attributes:
        left: x of the start.
        right: x of the end.
        segment: Index of the segment.
        word: Index of the word in the segment; None for a segment's box.
    """

    left: float
    right: float
    segment: int
    word: int | None = None

    @property
    def width(self) -> float:
        """``right - left``."""
        return self.right - self.left


class TimeIndex:
    """Times of one transcript version in flat sorted lists; see the module docstring.

    Segments and words never overlap and come in time order (the `Transcript` invariants), so
    starts and ends are each sorted, and so are word midpoints.
    """

    __slots__ = ("_refs", "seg_ends", "seg_starts", "transcript", "word_ends", "word_starts")

    def __init__(self, transcript: Transcript) -> None:
        """Index ``transcript`` (O(words): build it again after each change)."""
        self.transcript = transcript
        self.seg_starts = [s.start_ms for s in transcript.segments]
        self.seg_ends = [s.end_ms for s in transcript.segments]
        self.word_starts: list[int] = []
        self.word_ends: list[int] = []
        self._refs: list[WordRef] = []
        for si, seg in enumerate(transcript.segments):
            for wi, w in enumerate(seg.words):
                self.word_starts.append(w.start_ms)
                self.word_ends.append(w.end_ms)
                self._refs.append((si, wi))

    @property
    def word_count(self) -> int:
        """How many words there are."""
        return len(self._refs)

    def ref(self, flat: int) -> WordRef:
        """(segment, word) of the ``flat``-th word."""
        return self._refs[flat]

    def visible_segments(self, view: Viewport) -> Iterator[Box]:
        """Boxes of the segments that touch the view, in order."""
        lo, hi = view.visible_range()
        first = bisect_right(self.seg_ends, lo)  # the first segment ending after lo
        for i in range(first, bisect_left(self.seg_starts, hi)):
            yield Box(view.x_of(self.seg_starts[i]), view.x_of(self.seg_ends[i]), i)

    def visible_words(self, view: Viewport) -> Iterator[Box]:
        """Boxes of the words that touch the view, in order."""
        lo, hi = view.visible_range()
        first = bisect_right(self.word_ends, lo)
        for flat in range(first, bisect_left(self.word_starts, hi)):
            si, wi = self._refs[flat]
            yield Box(view.x_of(self.word_starts[flat]), view.x_of(self.word_ends[flat]), si, wi)

    def count_words_between(self, start_ms: float, end_ms: float) -> int:
        """How many words touch ``[start_ms, end_ms)`` (to decide whether boxes are legible)."""
        return max(
            0, bisect_left(self.word_starts, end_ms) - bisect_right(self.word_ends, start_ms)
        )

    def words_within(self, start_ms: float, end_ms: float) -> tuple[WordRef, WordRef] | None:
        """The first and last word whose middle lies in ``[start_ms, end_ms)``, or None.

        A dragged range selects the words it mostly covers, as a text selection dragged across
        half a letter takes that letter.
        """
        if end_ms <= start_ms or not self._refs:
            return None
        # Midpoints are sorted like the words; bisect on them through the start and end lists.
        first = _first_mid_at_or_after(self.word_starts, self.word_ends, start_ms)
        stop = _first_mid_at_or_after(self.word_starts, self.word_ends, end_ms)
        if first >= stop:
            return None
        return self._refs[first], self._refs[stop - 1]


def _first_mid_at_or_after(starts: list[int], ends: list[int], ms: float) -> int:
    """The first flat index whose word's midpoint is at or after ``ms`` (len when none)."""
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if (starts[mid] + ends[mid]) / 2 < ms:
            lo = mid + 1
        else:
            hi = mid
    return lo
