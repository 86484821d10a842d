"""Timing edits from the caret: nudging a segment's or a word's start and end.

Each builds one `editor.commands` command from the caret position and pushes it through the
`EditController`; the commands do the clamping and say why a nudge did nothing. A waveform that
drags an edge belongs beside this: it issues the same commands.
"""

from __future__ import annotations

from editor.commands import MoveSegmentBoundary, MoveWordBoundary
from editor.queries import word_at_char
from ui.transcript.editing import EditController
from ui.transcript.style import precise_clock

__all__ = ["TimingNudges"]


class TimingNudges:
    """Timing nudges of the caret's segment or word."""

    def __init__(self, edits: EditController) -> None:
        """Edit through ``edits``."""
        self._edits = edits

    def current_word(self) -> tuple[int, int] | None:
        """The (segment, word) the caret is in or right after, or None.

        None too while the caret's segment has typing not committed yet (its words are not
        what is shown).
        """
        document = self._edits.document
        if document is None or not document.transcript.segments:
            return None
        block, offset = self._edits.caret()
        if self._edits.is_pending(block):
            return None
        segment = document.transcript.segments[block]
        word = word_at_char(segment, offset)
        return None if word is None else (block, word)

    def nudge_segment(self, edge: str, delta_ms: int) -> None:
        """Move the caret segment's ``edge`` ("start" or "end") by ``delta_ms``."""
        self._edits.commit_pending()
        document = self._edits.document
        if not self._edits.editable() or document is None:
            return
        block = self._edits.caret()[0]
        segment = document.transcript.segments[block]
        if edge == "start":
            command = MoveSegmentBoundary(block, start_ms=segment.start_ms + delta_ms)
        else:
            command = MoveSegmentBoundary(block, end_ms=segment.end_ms + delta_ms)
        if self._edits.push(command):
            moved = document.transcript.segments[block]
            when = moved.start_ms if edge == "start" else moved.end_ms
            self._edits.status_message.emit(
                f"Segment {block + 1} {'starts' if edge == 'start' else 'ends'} at "
                f"{precise_clock(when)}"
            )

    def nudge_word(self, edge: str, delta_ms: int) -> None:
        """Move the caret word's ``edge`` ("start" or "end") by ``delta_ms``."""
        self._edits.commit_pending()
        spot = self.current_word()
        document = self._edits.document
        if spot is None or document is None:
            self._edits.status_message.emit("Put the caret in a word to move its timing.")
            return
        word = document.transcript.segments[spot[0]].words[spot[1]]
        if edge == "start":
            command = MoveWordBoundary(*spot, start_ms=word.start_ms + delta_ms)
        else:
            command = MoveWordBoundary(*spot, end_ms=word.end_ms + delta_ms)
        if self._edits.push(command):
            moved = document.transcript.segments[spot[0]].words[spot[1]]
            self._edits.status_message.emit(
                f"“{moved.stripped}”: {precise_clock(moved.start_ms)} – "
                f"{precise_clock(moved.end_ms)}"
            )
