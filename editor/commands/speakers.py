"""Speaker edits the app needs after automatic speaker identification (issue 12).

Moving whole segments is `SetSpeaker`; renaming is `RenameSpeaker`. These add merging two
speakers, moving a selection of words (splitting its segment), and laying speaker turns over an
edited transcript: every command here keeps each word's text and timing exactly.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from editor.commands.base import Command, segment_at, word_at
from editor.document import Splice
from editor.errors import EditRejected
from editor.transcript import Segment, Transcript, Word

__all__ = ["ApplySpeakerTurns", "MergeSpeakers", "MoveWordsToSpeaker", "SpeakerSpan"]


@dataclass(frozen=True, slots=True)
class SpeakerSpan:
    """When one speaker talks, as the editor stores times (the UI converts engine turns).

    Attributes:
        start_ms: Start, in milliseconds from the start of the media.
        end_ms: End, after ``start_ms``.
        speaker: The speaker's name.
    """

    start_ms: int
    end_ms: int
    speaker: str


@dataclass(eq=False)
class MergeSpeakers(Command):
    """Make every segment of one speaker the other's ("these two are the same person").

    Neighbouring segments are not joined: their text and timing stay as they are.

    Attributes:
        source: The speaker that disappears.
        target: The speaker that remains.
    """

    source: str
    target: str

    _label = "Merge speakers"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        if self.source == self.target:
            raise EditRejected("a speaker cannot be merged with itself")
        if self.target not in transcript.speakers:
            raise EditRejected(f"no segment has the speaker {self.target!r}")
        moved = [i for i, s in enumerate(transcript.segments) if s.speaker == self.source]
        if not moved:
            raise EditRejected(f"no segment has the speaker {self.source!r}")
        return _runs({i: [Segment(transcript.segments[i].words, self.target)] for i in moved})


@dataclass(eq=False)
class MoveWordsToSpeaker(Command):
    """Give a selection of words in one segment to another speaker, splitting the segment.

    The words before and after the selection stay with the segment's speaker, as segments of
    their own.

    Attributes:
        segment: Index of the segment.
        first_word: Index of the first word moved.
        last_word: Index of the last word moved (inclusive).
        speaker: The speaker who said them (None removes the speaker).
    """

    segment: int
    first_word: int
    last_word: int
    speaker: str | None

    _label = "Move words to speaker"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        seg = segment_at(transcript, self.segment)
        word_at(transcript, self.segment, self.first_word)
        word_at(transcript, self.segment, self.last_word)
        if self.last_word < self.first_word:
            raise EditRejected("the last word to move comes before the first one")
        speaker = self.speaker.strip() if self.speaker and self.speaker.strip() else None
        new = _joined(_nonempty(seg, self.first_word, self.last_word, speaker))
        if new == [seg]:
            return []
        return [Splice(self.segment, self.segment + 1, tuple(new))]


def _nonempty(seg: Segment, first: int, last: int, speaker: str | None) -> list[Segment]:
    pieces = [
        (seg.words[:first], seg.speaker),
        (seg.words[first : last + 1], speaker),
        (seg.words[last + 1 :], seg.speaker),
    ]
    return [Segment(words, who) for words, who in pieces if words]


def _joined(segments: Sequence[Segment]) -> list[Segment]:
    """Neighbouring pieces with the same speaker made one segment again."""
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].speaker == seg.speaker:
            out[-1] = Segment((*out[-1].words, *seg.words), seg.speaker)
        else:
            out.append(seg)
    return out


@dataclass(eq=False)
class ApplySpeakerTurns(Command):
    """Give every word the speaker whose turns overlap it most; split segments where it changes.

    For a transcript edited after speaker identification (or identified later): the words'
    text and timings are never touched. A word no turn overlaps goes to the nearest turn. With no
    turns at all the command changes nothing.

    Attributes:
        turns: The speaker turns, in any order.
    """

    turns: Sequence[SpeakerSpan]

    _label = "Apply speakers"

    def __post_init__(self) -> None:
        self.turns = tuple(sorted(self.turns, key=lambda t: (t.start_ms, t.end_ms)))

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        if not self.turns:
            return []
        lookup = _TurnLookup(self.turns)
        changed: dict[int, list[Segment]] = {}
        for i, seg in enumerate(transcript.segments):
            pieces: list[Segment] = []
            for word in seg.words:
                who = lookup.speaker(word)
                if pieces and pieces[-1].speaker == who:
                    pieces[-1] = Segment((*pieces[-1].words, word), who)
                else:
                    pieces.append(Segment((word,), who))
            if pieces != [seg]:
                changed[i] = pieces
        return _runs(changed)


class _TurnLookup:
    def __init__(self, turns: Sequence[SpeakerSpan]) -> None:
        self.turns = turns
        self.starts = [t.start_ms for t in turns]
        self.longest = max(t.end_ms - t.start_ms for t in turns)

    def speaker(self, word: Word) -> str:
        lo = bisect.bisect_left(self.starts, word.start_ms - self.longest)
        hi = bisect.bisect_right(self.starts, word.end_ms)
        shares: dict[str, int] = {}
        for t in self.turns[lo:hi]:
            shared = min(word.end_ms, t.end_ms) - max(word.start_ms, t.start_ms)
            if shared > 0:
                shares[t.speaker] = shares.get(t.speaker, 0) + shared
        if shares:
            return max(shares, key=lambda s: shares[s])
        middle = (word.start_ms + word.end_ms) / 2
        i = bisect.bisect_left(self.starts, middle)
        near = self.turns[max(0, i - 1) : i + 1]
        return min(near, key=lambda t: max(t.start_ms - middle, middle - t.end_ms, 0)).speaker


def _runs(changed: dict[int, list[Segment]]) -> list[Splice]:
    """One splice per run of neighbouring changed segments, in order (indices shift as we go)."""
    splices: list[Splice] = []
    shift = 0
    indices = sorted(changed)
    k = 0
    while k < len(indices):
        start = k
        while k + 1 < len(indices) and indices[k + 1] == indices[k] + 1:
            k += 1
        first, last = indices[start], indices[k]
        new = tuple(seg for i in range(first, last + 1) for seg in changed[i])
        splices.append(Splice(first + shift, last + 1 + shift, new))
        shift += len(new) - (last + 1 - first)
        k += 1
    return splices
