"""Commands that change how words are grouped into segments, delete, or assign speakers."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from editor.commands.base import Command, replace_segment, segment_at, word_at
from editor.document import Splice
from editor.errors import EditRejected
from editor.textdiff import leading_separator
from editor.transcript import Segment, Transcript, Word

__all__ = [
    "DeleteSegments",
    "DeleteWords",
    "MergeSegments",
    "RenameSpeaker",
    "SetSpeaker",
    "SplitSegment",
]


@dataclass(eq=False)
class SplitSegment(Command):
    """Split a segment into two before one of its words; both keep the speaker.

    Attributes:
        segment: Index of the segment.
        word: Index of the first word of the second part (1 to the number of words - 1).
    """

    segment: int
    word: int

    _label = "Split segment"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        seg = segment_at(transcript, self.segment)
        if not 1 <= self.word < len(seg.words):
            raise EditRejected("a segment can only be split between two of its words")
        halves = (seg.with_words(seg.words[: self.word]), seg.with_words(seg.words[self.word :]))
        return [Splice(self.segment, self.segment + 1, halves)]


@dataclass(eq=False)
class MergeSegments(Command):
    """Merge a segment with the one after it.

    The merged segment has the first segment's speaker. When the second segment's first word
    has no separator, it gets a space, unless the text is in a script written without spaces.

    Attributes:
        segment: Index of the first of the two segments ("merge with previous" is
            ``MergeSegments(segment - 1)``).
    """

    segment: int

    _label = "Merge segments"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        first = segment_at(transcript, self.segment)
        if self.segment + 1 >= len(transcript.segments):
            raise EditRejected("the last segment has no next segment to merge with")
        second = transcript.segments[self.segment + 1]
        merged = first.with_words((*first.words, *_spaced_head(first, second), *second.words[1:]))
        return [Splice(self.segment, self.segment + 2, (merged,))]


def _spaced_head(first: Segment, second: Segment) -> tuple[Word]:
    """The second segment's first word, with a separator when the joined text needs one."""
    head = second.words[0]
    if leading_separator(head.text) or not _uses_spaces(first, second):
        return (head,)
    return (Word(" " + head.text, head.start_ms, head.end_ms, head.probability),)


def _uses_spaces(first: Segment, second: Segment) -> bool:
    """Whether the two segments are written with spaces between words."""
    inner = (*first.words[1:], *second.words[1:])
    if inner:
        return 2 * sum(bool(leading_separator(w.text)) for w in inner) >= len(inner)
    # Nothing to learn from: no space only between two wide (CJK) characters.
    a, b = first.words[-1].text.strip()[-1], second.words[0].text.strip()[0]
    return not all(unicodedata.east_asian_width(c) in ("W", "F") for c in (a, b))


@dataclass(eq=False)
class DeleteWords(Command):
    """Delete a range of words of one segment; deleting all of them deletes the segment.

    Attributes:
        segment: Index of the segment.
        first_word: Index of the first word deleted.
        last_word: Index of the last word deleted (inclusive).
    """

    segment: int
    first_word: int
    last_word: int

    _label = "Delete words"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        seg = segment_at(transcript, self.segment)
        word_at(transcript, self.segment, self.first_word)
        word_at(transcript, self.segment, self.last_word)
        if self.last_word < self.first_word:
            raise EditRejected("the last word to delete comes before the first one")
        kept = (*seg.words[: self.first_word], *seg.words[self.last_word + 1 :])
        return replace_segment(self.segment, seg, kept)


@dataclass(eq=False)
class DeleteSegments(Command):
    """Delete a range of segments.

    Attributes:
        first: Index of the first segment deleted.
        last: Index of the last segment deleted (inclusive).
    """

    first: int
    last: int

    _label = "Delete segments"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        segment_at(transcript, self.first)
        segment_at(transcript, self.last)
        if self.last < self.first:
            raise EditRejected("the last segment to delete comes before the first one")
        return [Splice(self.first, self.last + 1, ())]


@dataclass(eq=False)
class SetSpeaker(Command):
    """Give segments a speaker (None, or a blank name, removes it).

    Attributes:
        segments: Indices of the segments, in any order.
        speaker: The speaker's name, or None.
    """

    segments: Sequence[int]
    speaker: str | None

    _label = "Set speaker"

    def __post_init__(self) -> None:
        self.segments = tuple(self.segments)  # a one-shot iterable must survive a redo

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        for index in self.segments:
            segment_at(transcript, index)
        speaker = self.speaker.strip() if self.speaker else None
        return _with_speaker(transcript, self.segments, speaker or None)


@dataclass(eq=False)
class RenameSpeaker(Command):
    """Rename a speaker in every segment; renaming to an existing name merges the two.

    Attributes:
        old: The current name.
        new: The new name (not blank: use `SetSpeaker` to remove a speaker).
    """

    old: str
    new: str

    _label = "Rename speaker"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        new = self.new.strip()
        if not new:
            raise EditRejected("a speaker needs a name")
        indices = [i for i, s in enumerate(transcript.segments) if s.speaker == self.old]
        if not indices:
            raise EditRejected(f"no segment has the speaker {self.old!r}")
        return _with_speaker(transcript, indices, new)


def _with_speaker(
    transcript: Transcript, indices: Sequence[int], speaker: str | None
) -> list[Splice]:
    """One splice per run of neighbouring segments whose speaker changes."""
    runs: list[list[Segment]] = []
    starts: list[int] = []
    for i in sorted(set(indices)):
        seg = transcript.segments[i]
        if seg.speaker == speaker:
            continue
        if runs and starts[-1] + len(runs[-1]) == i:
            runs[-1].append(Segment(seg.words, speaker))
        else:
            starts.append(i)
            runs.append([Segment(seg.words, speaker)])
    return [Splice(s, s + len(run), tuple(run)) for s, run in zip(starts, runs, strict=True)]
