"""Questions views ask of a transcript: what is said at a time, where a text is, what is doubtful.

Nothing here changes a transcript. `TranscriptIndex` answers time lookups with `bisect`; build
one per transcript version (it is O(words)) and build it again after a change. Character
positions are positions in a segment's display text (`Segment.text`: the words joined, stripped).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from editor.errors import SearchError
from editor.textdiff import leading_separator
from editor.transcript import Segment, Transcript

__all__ = [
    "Match",
    "SearchQuery",
    "TranscriptIndex",
    "compile_query",
    "expand_replacement",
    "find_matches",
    "iter_matches",
    "low_confidence_words",
    "word_at_char",
    "word_spans",
    "words_in_range",
]


class TranscriptIndex:
    """Time lookups over one transcript version.

    Times are half-open: a word or segment covers ``start_ms <= ms < end_ms``, so where two
    words touch, the later one is the one being spoken.

    What a player highlight needs is `highlight_at`: the word being spoken, or within a segment
    between two words the last word spoken, and nothing in the silence between segments.
    """

    __slots__ = ("_first_word", "_seg_ends", "_seg_starts", "_word_ends", "_word_starts")

    def __init__(self, transcript: Transcript) -> None:
        """Index ``transcript`` (O(words))."""
        self._seg_starts = [s.start_ms for s in transcript.segments]
        self._seg_ends = [s.end_ms for s in transcript.segments]
        self._word_starts: list[int] = []
        self._word_ends: list[int] = []
        # Flat index of each segment's first word, plus the word count at the end.
        self._first_word = [0]
        for seg in transcript.segments:
            self._word_starts.extend(w.start_ms for w in seg.words)
            self._word_ends.extend(w.end_ms for w in seg.words)
            self._first_word.append(len(self._word_starts))

    @property
    def word_count(self) -> int:
        """How many words the transcript has."""
        return len(self._word_starts)

    def segment_at(self, ms: int) -> int | None:
        """The segment spanning ``ms``, or None in the silence between segments."""
        i = bisect_right(self._seg_starts, ms) - 1
        return i if i >= 0 and ms < self._seg_ends[i] else None

    def segment_before(self, ms: int) -> int | None:
        """The last segment starting at or before ``ms`` (None before the first one)."""
        i = bisect_right(self._seg_starts, ms) - 1
        return i if i >= 0 else None

    def word_at(self, ms: int) -> tuple[int, int] | None:
        """The word being spoken at ``ms`` as ``(segment, word)``, or None between words."""
        flat = bisect_right(self._word_starts, ms) - 1
        if flat < 0 or ms >= self._word_ends[flat]:
            return None
        return self.position(flat)

    def word_before(self, ms: int) -> tuple[int, int] | None:
        """The last word starting at or before ``ms`` (None before the first word)."""
        flat = bisect_right(self._word_starts, ms) - 1
        return self.position(flat) if flat >= 0 else None

    def highlight_at(self, ms: int) -> tuple[int, int] | None:
        """The word a player highlights at ``ms``.

        The word being spoken; in a pause inside a segment, the last word spoken (so the
        highlight does not flicker between words); None between segments.
        """
        return self.word_before(ms) if self.segment_at(ms) is not None else None

    def flat_index(self, segment: int, word: int) -> int:
        """The position of ``(segment, word)`` among all words, counting from 0.

        Raises:
            IndexError: There is no such word.
        """
        if not 0 <= segment < len(self._first_word) - 1:
            raise IndexError(f"no segment {segment}")
        first, stop = self._first_word[segment], self._first_word[segment + 1]
        if not 0 <= word < stop - first:
            raise IndexError(f"segment {segment} has no word {word}")
        return first + word

    def position(self, flat: int) -> tuple[int, int]:
        """``(segment, word)`` of the word at flat position ``flat`` (see `flat_index`).

        Raises:
            IndexError: There is no such word.
        """
        if not 0 <= flat < self.word_count:
            raise IndexError(f"no word {flat} (there are {self.word_count})")
        segment = bisect_right(self._first_word, flat) - 1
        return segment, flat - self._first_word[segment]


def low_confidence_words(transcript: Transcript, threshold: float) -> list[tuple[int, int]]:
    """``(segment, word)`` of every word whose probability is below ``threshold``."""
    return [(si, wi) for si, wi, w in transcript.words() if w.probability < threshold]


# -- characters and words ------------------------------------------------------------------------
def word_spans(segment: Segment) -> list[tuple[int, int]]:
    """Each word's ``[start, end)`` character span in the segment's display text.

    The span covers the word without its separator.
    """
    spans = []
    pos = -len(leading_separator(segment.words[0].text))  # the display text is stripped
    for w in segment.words:
        start = pos + len(leading_separator(w.text))
        spans.append((start, start + len(w.text.strip())))
        pos += len(w.text)
    return spans


def words_in_range(segment: Segment, start_char: int, end_char: int) -> tuple[int, int] | None:
    """The first and last word (inclusive) touched by characters ``[start_char, end_char)``.

    Returns None when the range touches no word (it is empty or only covers separators).
    """
    touched = [i for i, (s, e) in enumerate(word_spans(segment)) if s < end_char and start_char < e]
    return (touched[0], touched[-1]) if touched else None


def word_at_char(segment: Segment, char: int) -> int | None:
    """The word a text caret at ``char`` is in (or right after), or None in a separator."""
    for i, (s, e) in enumerate(word_spans(segment)):
        if s <= char <= e:
            return i
    return None


# -- search --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SearchQuery:
    r"""What to look for.

    Attributes:
        pattern: The text (or regular expression) to find.
        case_sensitive: Tell upper and lower case apart.
        whole_word: Only match where no letter or digit touches the match on either side.
        regex: ``pattern`` is a Python regular expression, and replacements may use group
            references (``\1``, ``\g<name>``).
    """

    pattern: str
    case_sensitive: bool = False
    whole_word: bool = False
    regex: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """Where a query matched: characters ``[start_char, end_char)`` of a segment's display text.

    Attributes:
        segment: The segment index.
        start_char: First character of the match.
        end_char: One past the last character (matches are never empty).
    """

    segment: int
    start_char: int
    end_char: int


def compile_query(query: SearchQuery) -> re.Pattern[str]:
    """The regular expression a query stands for.

    Raises:
        SearchError: The pattern is not a valid regular expression.
    """
    source = query.pattern if query.regex else re.escape(query.pattern)
    if query.whole_word:
        source = rf"(?<!\w)(?:{source})(?!\w)"
    try:
        return re.compile(source, 0 if query.case_sensitive else re.IGNORECASE)
    except re.error as e:
        raise SearchError(f"{query.pattern!r} is not a valid regular expression: {e}") from e


def iter_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The non-empty matches of ``pattern`` in ``text`` (an empty match marks nothing)."""
    return (m for m in pattern.finditer(text) if m.end() > m.start())


def find_matches(transcript: Transcript, query: SearchQuery) -> list[Match]:
    """Every match of ``query`` in the segments' display texts, in order.

    An empty pattern finds nothing.

    Raises:
        SearchError: The pattern is not a valid regular expression.
    """
    if not query.pattern:
        return []
    pattern = compile_query(query)
    return [
        Match(si, m.start(), m.end())
        for si, seg in enumerate(transcript.segments)
        for m in iter_matches(pattern, seg.text)
    ]


def expand_replacement(match: re.Match[str], query: SearchQuery, replacement: str) -> str:
    """The text that replaces ``match``: group references expanded for a regex query.

    Raises:
        SearchError: The replacement refers to a group the pattern does not have.
    """
    if not query.regex:
        return replacement
    try:
        return match.expand(replacement)
    except (re.error, IndexError) as e:
        raise SearchError(f"the replacement {replacement!r} cannot be used: {e}") from e
