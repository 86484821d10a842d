"""Commands that move when a word or a segment starts or ends.

The UI passes the time the person wishes (the current time plus or minus a nudge, or a dragged
position); the command clamps it: never before the previous word or segment ends (or 0), never
after the next one starts (or the media ends), and a word always lasts at least 1 ms. A move that
ends up changing nothing raises `EditRejected` ("... is already at its limit"), so the UI can say
why a nudge did nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from editor.commands.base import Command, replace_segment, segment_at, word_at
from editor.document import Splice
from editor.errors import EditRejected
from editor.transcript import Transcript, Word

__all__ = ["MoveSegmentBoundary", "MoveWordBoundary", "moved_word_times"]

# Wished (start_ms, end_ms) per word index of one segment; None leaves that side alone.
_Moves = dict[int, tuple[int | None, int | None]]


@dataclass(eq=False)
class MoveWordBoundary(Command):
    """Move a word's start and/or end, clamped by its neighbours and the media.

    Attributes:
        segment: Index of the segment.
        word: Index of the word in the segment.
        start_ms: The wished start, or None to keep it.
        end_ms: The wished end, or None to keep it.
    """

    segment: int
    word: int
    start_ms: int | None = None
    end_ms: int | None = None

    @property
    def label(self) -> str:
        """The label: "Move word start", "Move word end" or "Move word timing"."""
        return f"Move word {_side(self.start_ms, self.end_ms)}"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        word = word_at(transcript, self.segment, self.word)
        what = f"{_side(self.start_ms, self.end_ms)} of {word.stripped!r}"
        return _move(transcript, self.segment, {self.word: (self.start_ms, self.end_ms)}, what)


@dataclass(eq=False)
class MoveSegmentBoundary(Command):
    """Move a segment's start (its first word's) and/or end (its last word's).

    Attributes:
        segment: Index of the segment.
        start_ms: The wished start, or None to keep it.
        end_ms: The wished end, or None to keep it.
    """

    segment: int
    start_ms: int | None = None
    end_ms: int | None = None

    @property
    def label(self) -> str:
        """The label: "Move segment start", "Move segment end" or "Move segment timing"."""
        return f"Move segment {_side(self.start_ms, self.end_ms)}"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        last = len(segment_at(transcript, self.segment).words) - 1
        moves: _Moves = {0: (self.start_ms, None)}
        moves[last] = (moves.get(last, (None, None))[0], self.end_ms)
        what = f"{_side(self.start_ms, self.end_ms)} of segment {self.segment + 1}"
        return _move(transcript, self.segment, moves, what)


def moved_word_times(
    transcript: Transcript, segment: int, word: int, start_ms: int | None, end_ms: int | None
) -> tuple[int, int]:
    """Where a word's (start, end) land when moved as wished, clamped as the commands clamp.

    A view previews a dragged edge with it (the waveform timeline, issue 15), so what it shows
    while dragging is what the command will do on release.

    Raises:
        EditRejected: There is no such word.
    """
    moved = _moved(
        word_at(transcript, segment, word), start_ms, end_ms, *_limits(transcript, segment, word)
    )
    return moved.start_ms, moved.end_ms


def _side(start_ms: int | None, end_ms: int | None) -> str:
    """Which side a move wishes to change: "start", "end" or "timing"."""
    if end_ms is None:
        return "start"
    return "end" if start_ms is None else "timing"


def _move(transcript: Transcript, segment: int, moves: _Moves, what: str) -> list[Splice]:
    """Splices moving words of one segment as wished, clamped; rejected when nothing moves.

    ``what`` names what moves in the message ("the end of segment 3").
    """
    seg = segment_at(transcript, segment)
    if all(start is None and end is None for start, end in moves.values()):
        raise EditRejected("say where to move the start or the end to")
    words = list(seg.words)
    for index, (start, end) in moves.items():
        word = word_at(transcript, segment, index)
        if start is not None and end is not None and end <= start:
            raise EditRejected("the end must come after the start")
        words[index] = _moved(word, start, end, *_limits(transcript, segment, index))
    splices = replace_segment(segment, seg, words)
    if not splices:
        wished = any(
            (start is not None and start != seg.words[i].start_ms)
            or (end is not None and end != seg.words[i].end_ms)
            for i, (start, end) in moves.items()
        )
        where = "there" if not wished else "at its limit"
        raise EditRejected(f"the {what} is already {where}")
    return splices


def _limits(transcript: Transcript, segment: int, word: int) -> tuple[int, int | None]:
    """How early a word may start and how late it may end (None: no known limit)."""
    segments = transcript.segments
    words = segments[segment].words
    lo = segments[segment - 1].end_ms if segment > 0 else 0
    if word > 0:
        lo = words[word - 1].end_ms
    hi: int | None
    if word + 1 < len(words):
        hi = words[word + 1].start_ms
    elif segment + 1 < len(segments):
        hi = segments[segment + 1].start_ms
    else:
        hi = transcript.duration_ms
    return lo, hi


def _moved(word: Word, start: int | None, end: int | None, lo: int, hi: int | None) -> Word:
    """``word`` with its start and end moved towards the wishes, within ``[lo, hi]``."""
    if hi is None:  # no limit after the last word when the media duration is unknown
        hi = max(word.end_ms, end if end is not None else 0)
    new_start = word.start_ms
    if start is not None:
        new_start = max(lo, min(start, (word.end_ms if end is None else hi) - 1))
    new_end = word.end_ms if end is None else max(new_start + 1, min(end, hi))
    return Word(word.text, new_start, new_end, word.probability)
