"""Speaker edits: Set, Rename and Merge Speakers, and laying identified turns over the text.

Each asks its question with a dialog from `ui.dialogs.speakers`, then pushes one
`editor.commands` command through the `EditController`, so each is one undo step. A click on a
speaker's name in the gutter offers all three for that speaker (issue 12). Speaker colours are
`ui.transcript.speaker_colours`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from editor.commands import (
    ApplySpeakerTurns,
    MergeSpeakers,
    RenameSpeaker,
    SetSpeaker,
    SpeakerSpan,
)
from ui.dialogs.speakers import MergeSpeakersDialog, RenameSpeakerDialog, SpeakerDialog
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

    def speaker_menu(self, segment: int) -> QMenu | None:
        """What a click on segment ``segment``'s speaker name offers: rename, merge, change."""
        document = self._edits.document
        if document is None or not self._edits.editable():
            return None
        name = document.transcript.segments[segment].speaker
        menu = QMenu(self._parent)
        menu.addAction(f"Rename “{name}” Everywhere…", lambda: self.ask_rename(name))
        merge = menu.addAction(f"Merge “{name}” Into…", lambda: self.ask_merge(name))
        merge.setEnabled(len(document.transcript.speakers) > 1)
        menu.addAction("Change Speaker of This Segment…", lambda: self.ask_speaker(segment))
        return menu

    def on_speaker_clicked(self, segment: int) -> None:
        """Offer `speaker_menu` under the mouse."""
        menu = self.speaker_menu(segment)
        if menu is not None:
            menu.exec(QCursor.pos())
            menu.deleteLater()

    def ask_rename(self, current: str | None = None) -> None:
        """Ask which speaker to rename and to what, then rename it everywhere."""
        self._edits.commit_pending()
        document = self._edits.document
        if document is None or not document.transcript.speakers:
            self._edits.status_message.emit("No segment has a speaker yet: use Set Speaker.")
            return
        transcript = document.transcript
        if current is None:
            current = transcript.segments[self._edits.caret()[0]].speaker
        dialog = RenameSpeakerDialog(transcript.speakers, current, self._parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.rename_speaker(*dialog.names())

    def rename_speaker(self, old: str, new: str) -> bool:
        """Rename speaker ``old`` to ``new`` in every segment."""
        return self._edits.push(RenameSpeaker(old, new))

    def ask_merge(self, source: str | None = None) -> None:
        """Ask which two speakers are one person, then merge them (one undo step)."""
        self._edits.commit_pending()
        document = self._edits.document
        if document is None or len(document.transcript.speakers) < 2:
            self._edits.status_message.emit("Merging needs two speakers in the transcript.")
            return
        transcript = document.transcript
        if source is None:
            source = transcript.segments[self._edits.caret()[0]].speaker
        dialog = MergeSpeakersDialog(transcript.speakers, source, self._parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.merge_speakers(*dialog.names())

    def merge_speakers(self, source: str, target: str) -> bool:
        """Give every segment of ``source`` to ``target``."""
        return self._edits.push(MergeSpeakers(source, target))

    def apply_turns(self, turns: Sequence[SpeakerSpan]) -> bool:
        """Give every word the speaker of its turn, keeping all text edits (one undo step)."""
        self._edits.commit_pending()
        return self._edits.push(ApplySpeakerTurns(turns))
