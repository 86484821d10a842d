"""The transcript as a value: words, segments and the whole transcript.

All three are frozen, slotted dataclasses with integer milliseconds, so a transcript is a value:
edits build a new one (`editor.commands`, applied through `editor.document.Document`), and an
undo step only keeps what changed.

Invariants (checked when objects are built, so they always hold):
- a word lasts: ``end_ms > start_ms >= 0``, and its text has something besides whitespace;
- a segment has at least one word, its words in time order and never overlapping
  (``words[i].end_ms <= words[i + 1].start_ms``);
- segments of a transcript are in time order and never overlap, and, when the media duration is
  known, every time lies inside it.

Text convention (Whisper's): ``Word.text`` is the word as displayed *including* the whitespace that
separates it from the word before (" country,"). Joining words is then plain concatenation, which
also works for languages written without spaces. A segment's text is the join, stripped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from editor.errors import InvariantError

__all__ = ["MediaInfo", "Segment", "Transcript", "Word", "join_words"]


@dataclass(frozen=True, slots=True)
class Word:
    """One word with its timing.

    Attributes:
        text: The word as shown, with its leading separator (usually one space, none at the
            start of a text or in languages written without spaces).
        start_ms: When the word starts, in milliseconds from the start of the media.
        end_ms: When the word ends; always greater than ``start_ms``.
        probability: The model's confidence in the word, 0 to 1 (1 for typed or imported words).
    """

    text: str
    start_ms: int
    end_ms: int
    probability: float = 1.0

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise InvariantError(f"a word needs some text, got {self.text!r}")
        if self.start_ms < 0:
            raise InvariantError(f"word {self.text.strip()!r} starts before 0 ms ({self.start_ms})")
        if self.end_ms <= self.start_ms:
            raise InvariantError(
                f"word {self.text.strip()!r} must end after it starts "
                f"({self.start_ms} ms to {self.end_ms} ms)"
            )
        if not 0.0 <= self.probability <= 1.0:
            raise InvariantError(f"word probability must be within 0 and 1, not {self.probability}")

    @property
    def duration_ms(self) -> int:
        """How long the word lasts, in milliseconds."""
        return self.end_ms - self.start_ms

    @property
    def stripped(self) -> str:
        """The word without its separator."""
        return self.text.strip()


def join_words(words: Iterable[Word]) -> str:
    """Join words into display text (concatenation, as each word carries its separator)."""
    return "".join(w.text for w in words).strip()


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of words spoken by one speaker: a line of the transcript.

    Attributes:
        words: The words in time order; never empty.
        speaker: The speaker's name, or None when not assigned.
    """

    words: tuple[Word, ...]
    speaker: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.words, tuple):
            object.__setattr__(self, "words", tuple(self.words))
        if not self.words:
            raise InvariantError("a segment needs at least one word")
        for before, after in zip(self.words, self.words[1:], strict=False):
            if after.start_ms < before.end_ms:
                raise InvariantError(
                    f"words {before.stripped!r} ({before.start_ms}-{before.end_ms} ms) and "
                    f"{after.stripped!r} ({after.start_ms}-{after.end_ms} ms) overlap"
                )
        if self.speaker is not None and not self.speaker.strip():
            object.__setattr__(self, "speaker", None)

    @property
    def start_ms(self) -> int:
        """Start of the first word."""
        return self.words[0].start_ms

    @property
    def end_ms(self) -> int:
        """End of the last word."""
        return self.words[-1].end_ms

    @property
    def text(self) -> str:
        """The words joined into display text."""
        return join_words(self.words)

    def with_words(self, words: Sequence[Word]) -> Segment:
        """A copy of this segment with other words (same speaker)."""
        return Segment(tuple(words), self.speaker)


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """The recording a transcript belongs to.

    Attributes:
        path: Where the media file was when the transcript was made or last relinked.
        duration_ms: Its duration, when known; all times must lie inside it.
        size: File size in bytes, when known (helps to find a moved file).
        fingerprint: A content fingerprint (see `editor.media.fingerprint_file`), when known.
    """

    path: str
    duration_ms: int | None = None
    size: int | None = None
    fingerprint: str | None = None


def _frozen_mapping(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True, slots=True)
class Transcript:
    """A whole transcript: segments in time order plus what it was made from.

    Build one with the constructor (checks everything) and change it with `replace_segments`
    (checks only what changed), or through `editor.commands`.

    Attributes:
        segments: The segments in time order, never overlapping.
        language: The language code ("en", "de"...), when known.
        media: The recording, when known.
        metadata: Free-form facts such as the model that made it (read-only mapping).
    """

    segments: tuple[Segment, ...] = ()
    language: str | None = None
    media: MediaInfo | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.segments, tuple):
            object.__setattr__(self, "segments", tuple(self.segments))
        if not isinstance(self.metadata, MappingProxyType):
            object.__setattr__(self, "metadata", _frozen_mapping(self.metadata))
        _check_order(self.segments, 0, len(self.segments), self.duration_ms)

    # -- derived facts -------------------------------------------------------------------------
    @property
    def duration_ms(self) -> int | None:
        """The media duration, when known."""
        return self.media.duration_ms if self.media else None

    @property
    def end_ms(self) -> int:
        """End of the last word (0 for an empty transcript)."""
        return self.segments[-1].end_ms if self.segments else 0

    @property
    def text(self) -> str:
        """All segment texts, one per line."""
        return "\n".join(s.text for s in self.segments)

    @property
    def word_count(self) -> int:
        """Number of words in all segments."""
        return sum(len(s.words) for s in self.segments)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speaker names in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.segments:
            if s.speaker is not None:
                seen.setdefault(s.speaker, None)
        return tuple(seen)

    def words(self) -> Iterator[tuple[int, int, Word]]:
        """Every word with its segment and word index, in time order."""
        for si, seg in enumerate(self.segments):
            for wi, w in enumerate(seg.words):
                yield si, wi, w

    # -- building new versions -----------------------------------------------------------------
    def replace_segments(self, start: int, stop: int, new: Sequence[Segment]) -> Transcript:
        """A copy where ``segments[start:stop]`` is replaced by ``new``.

        Only the new segments and their neighbours are checked, so an edit costs O(change),
        not O(transcript).

        Raises:
            InvariantError: The result would break the ordering or duration rules.
        """
        if not 0 <= start <= stop <= len(self.segments):
            raise InvariantError(f"segment range {start}:{stop} is outside 0:{len(self.segments)}")
        segments = (*self.segments[:start], *new, *self.segments[stop:])
        lo = max(start - 1, 0)
        hi = min(start + len(new) + 1, len(segments))
        _check_order(segments, lo, hi, self.duration_ms)
        # Skip __post_init__'s full check: everything outside [lo, hi) was valid before.
        copy = object.__new__(Transcript)
        for f in ("language", "media", "metadata"):
            object.__setattr__(copy, f, getattr(self, f))
        object.__setattr__(copy, "segments", segments)
        return copy

    def with_media(self, media: MediaInfo | None) -> Transcript:
        """A copy pointing at other media (e.g. after relinking a moved file)."""
        return dataclasses.replace(self, media=media)

    def with_metadata(self, **items: str) -> Transcript:
        """A copy with metadata items added or replaced."""
        return dataclasses.replace(self, metadata={**self.metadata, **items})


def _check_order(segments: Sequence[Segment], lo: int, hi: int, duration_ms: int | None) -> None:
    """Check that segments[lo:hi] are ordered, disjoint and inside the media duration."""
    for i in range(lo, hi):
        seg = segments[i]
        if duration_ms is not None and seg.end_ms > duration_ms:
            raise InvariantError(
                f"segment {i + 1} ends at {seg.end_ms} ms, after the end of the media "
                f"({duration_ms} ms)"
            )
        if i + 1 < len(segments) and segments[i + 1].start_ms < seg.end_ms:
            raise InvariantError(
                f"segments {i + 1} and {i + 2} overlap "
                f"({seg.end_ms} ms > {segments[i + 1].start_ms} ms)"
            )
