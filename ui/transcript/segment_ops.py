"""Edits of a segment's timing and speaker, from the caret: nudges and the speaker dialogs.

Each builds one `editor.commands` command from the caret position and pushes it through the
`EditController`; the commands do the clamping and say why a nudge did nothing.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from editor.commands import MoveSegmentBoundary, MoveWordBoundary, RenameSpeaker, SetSpeaker
from editor.queries import word_at_char
from ui.dialogs.speakers import RenameSpeakerDialog, SpeakerDialog
from ui.transcript.editing import EditController
from ui.transcript.style import precise_clock

__all__ = ["SegmentOps"]


class SegmentOps:
    """Timing nudges and speaker changes of the caret's segment or word."""

    def __init__(self, edits: EditController, parent: QWidget) -> None:
        """Edit through ``edits``; dialogs are children of ``parent``."""
        self._edits = edits
        self._parent = parent

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

    def ask_speaker(self, segment: int | None = None) -> None:
        """Ask for the speaker of the selected segments (or of ``segment``) and set it."""
        self._edits.commit_pending()
        document = self._edits.document
        if not self._edits.editable() or document is None:
            return
        first, last = (segment, segment) if segment is not None else self._edits.selected_blocks()
        transcript = document.transcript
        dialog = SpeakerDialog(
            transcript.speakers, transcript.segments[first].speaker, last - first + 1, self._parent
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_speaker(dialog.speaker(), range(first, last + 1))

    def set_speaker(self, name: str | None, segments: range | None = None) -> bool:
        """Give ``segments`` (the selected ones by default) the speaker ``name`` (None: none)."""
        if segments is None:
            first, last = self._edits.selected_blocks()
            segments = range(first, last + 1)
        return self._edits.push(SetSpeaker(tuple(segments), name))

    def ask_rename(self) -> None:
        """Ask which speaker to rename and to what, then rename it everywhere."""
        self._edits.commit_pending()
        document = self._edits.document
        if document is None or not document.transcript.speakers:
            self._edits.status_message.emit("No segment has a speaker yet: use Set Speaker.")
            return
        transcript = document.transcript
        current = transcript.segments[self._edits.caret()[0]].speaker
        dialog = RenameSpeakerDialog(transcript.speakers, current, self._parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.rename_speaker(*dialog.names())

    def rename_speaker(self, old: str, new: str) -> bool:
        """Rename speaker ``old`` to ``new`` in every segment."""
        return self._edits.push(RenameSpeaker(old, new))
