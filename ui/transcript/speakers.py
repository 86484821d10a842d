"""Speaker edits: Set Speaker (the menu, or a click on a speaker label) and Rename Speaker.

Each asks its question with a dialog from `ui.dialogs.speakers`, then pushes one
`editor.commands` command through the `EditController`. Speaker colours, merging and other
speaker features of the transcript belong here.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from editor.commands import RenameSpeaker, SetSpeaker
from ui.dialogs.speakers import RenameSpeakerDialog, SpeakerDialog
from ui.transcript.editing import EditController

__all__ = ["SpeakerEdits"]


class SpeakerEdits:
    """Who speaks in which segment, and speakers' names."""

    def __init__(self, edits: EditController, parent: QWidget) -> None:
        """Edit through ``edits``; dialogs are children of ``parent``."""
        self._edits = edits
        self._parent = parent

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
