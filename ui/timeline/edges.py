"""Dragging a segment's or a word's edge: what is under the mouse, how far it may go, the edit.

A `Grip` is the edge a press caught: in the segment strip a segment's start or end, in the word
strip a word's. Where two items touch (one ends exactly where the next starts, as Whisper's words
mostly do), the grip holds both, and the drag moves the shared boundary: Subtitle Edit does the
same, and without it such an edge could only ever shrink one word. `drag_limit` clamps a wished
time with the limits of `editor.commands.timing` (`moved_word_times`), so the preview shows what
the edit will do, and `drag_commands` turns the drag into those same commands, which the widget
pushes as one undo step. Pure: no Qt.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Final, Literal

from editor.commands import Command, MoveSegmentBoundary, MoveWordBoundary
from editor.commands.timing import moved_word_times
from editor.transcript import Transcript
from ui.timeline.geometry import Viewport
from ui.timeline.items import Lanes, TimeIndex, WordRef

__all__ = ["EDGE_TOLERANCE_PX", "Grip", "drag_commands", "drag_label", "drag_limit", "grip_at"]

#: How near (in pixels) the pointer must be to an edge to catch it.
EDGE_TOLERANCE_PX: Final = 4.0

Kind = Literal["segment", "word"]


@dataclass(frozen=True, slots=True)
class Grip:
    """An edge caught by the mouse.

    Attributes:
        kind: A segment's edge or a word's.
        ms: Where the edge is now.
        ending: The word that ends at ``ms`` (a segment's last word), or None.
        starting: The word that starts at ``ms`` (a segment's first word), or None. With both,
            the edge is a shared boundary and moves both sides.
    """

    kind: Kind
    ms: int
    ending: WordRef | None = None
    starting: WordRef | None = None


def grip_at(
    index: TimeIndex,
    view: Viewport,
    lanes: Lanes,
    x: float,
    y: float,
    tolerance_px: float = EDGE_TOLERANCE_PX,
) -> Grip | None:
    """The edge within ``tolerance_px`` of (x, y), the nearest when several are; None if none."""
    if lanes.segments.holds(y):
        kind: Kind = "segment"
        starts, ends = index.seg_starts, index.seg_ends
    elif lanes.words.holds(y):
        kind = "word"
        starts, ends = index.word_starts, index.word_ends
    else:
        return None
    lo, hi = view.ms_at(x - tolerance_px), view.ms_at(x + tolerance_px)
    target = view.ms_at(x)
    candidates = [
        *starts[bisect_left(starts, lo) : bisect_right(starts, hi)],
        *ends[bisect_left(ends, lo) : bisect_right(ends, hi)],
    ]
    if not candidates:
        return None
    ms = min(candidates, key=lambda t: (abs(t - target), t))
    ending = _item_with(ends, ms)
    starting = _item_with(starts, ms)
    if kind == "segment":
        transcript = index.transcript
        return Grip(
            kind,
            ms,
            None if ending is None else (ending, len(transcript.segments[ending].words) - 1),
            None if starting is None else (starting, 0),
        )
    return Grip(
        kind,
        ms,
        None if ending is None else index.ref(ending),
        None if starting is None else index.ref(starting),
    )


def _item_with(times: list[int], ms: int) -> int | None:
    """The index of ``ms`` in the sorted ``times``, or None."""
    i = bisect_left(times, ms)
    return i if i < len(times) and times[i] == ms else None


def drag_limit(transcript: Transcript, grip: Grip, wished_ms: float) -> int:
    """Where the edge lands when dragged to ``wished_ms``: clamped as the commands clamp.

    A shared boundary may go anywhere between the start of the word before it and the end of
    the word after it (each keeps at least 1 ms); a single edge stops at its neighbours.
    """
    wished = round(wished_ms)
    if grip.ending is not None and grip.starting is not None:
        before = transcript.segments[grip.ending[0]].words[grip.ending[1]]
        after = transcript.segments[grip.starting[0]].words[grip.starting[1]]
        return max(before.start_ms + 1, min(wished, after.end_ms - 1))
    if grip.ending is not None:
        return moved_word_times(transcript, *grip.ending, None, wished)[1]
    assert grip.starting is not None
    return moved_word_times(transcript, *grip.starting, wished, None)[0]


def drag_commands(grip: Grip, new_ms: int) -> list[Command]:
    """The edits that move ``grip`` to ``new_ms``, in the order to do them (one undo step).

    Moving a shared boundary later, the word after it gives way first (its start moves), then
    the word before follows; moving it earlier, the other way round, so neither move is ever
    blocked by the other side's old time.
    """
    if new_ms == grip.ms:
        return []
    moves: list[Command] = []
    if grip.ending is not None:
        moves.append(_move(grip.kind, grip.ending, end_ms=new_ms))
    if grip.starting is not None:
        moves.append(_move(grip.kind, grip.starting, start_ms=new_ms))
    if new_ms > grip.ms:
        moves.reverse()
    return moves


def drag_label(grip: Grip) -> str:
    """The undo step's name for a drag of ``grip`` ("Move word boundary", "Move segment end")."""
    if grip.ending is not None and grip.starting is not None:
        side = "boundary"
    else:
        side = "end" if grip.ending is not None else "start"
    return f"Move {grip.kind} {side}"


def _move(
    kind: Kind, ref: WordRef, *, start_ms: int | None = None, end_ms: int | None = None
) -> Command:
    if kind == "segment":
        return MoveSegmentBoundary(ref[0], start_ms=start_ms, end_ms=end_ms)
    return MoveWordBoundary(ref[0], ref[1], start_ms=start_ms, end_ms=end_ms)
