"""A file's editing session: its document, undo stack, media and project paths, saved state.

One `FileSession` exists per file in the list. While the file is transcribed, streamed segments
are appended to the live document (`Document.append_segments` trims anything that would overlap
what the person already changed), so the transcript fills in while the person edits earlier
segments.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from editor.commands import ApplySpeakerTurns
from editor.document import Document
from editor.errors import EditorError
from editor.project import Project
from editor.transcript import MediaInfo, Transcript
from engine.results import SegmentResult, TranscriptionInfo
from ui.files.convert import media_for, segments_from_results, speaker_spans

if TYPE_CHECKING:
    from engine.speakers import SpeakerTurn

__all__ = ["FileSession"]

log = logging.getLogger(__name__)


class FileSession(QObject):
    """Everything the app holds about one open file.

    Attributes:
        document: The live transcript.
        undo_stack: The edits (the document's clean state is the stack's clean state).
        media_path: The recording, when known.
        project_path: Where the project is saved; None until the first save.
        source_path: What the session was made from when there is no media (imported subtitles).
        info: What the transcription reported, once it started.
        transcribing: Whether segments are still streaming in.
        editor_state: App state saved with the project (playback position...).
        autosave_file: The last autosave written for it (deleted after a real save).

    Signals:
        modified_changed(bool): whether there is work not saved to the project file.
    """

    modified_changed = Signal(bool)

    def __init__(
        self,
        media_path: Path | None,
        transcript: Transcript | None = None,
        project_path: Path | None = None,
        *,
        source_path: Path | None = None,
        editor_state: Mapping[str, Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """A session for ``media_path`` (an empty transcript until transcription starts)."""
        super().__init__(parent)
        self.media_path = media_path
        self.project_path = project_path
        self.source_path = source_path
        self.document = Document(transcript)
        self.undo_stack = QUndoStack(self)
        self.info: TranscriptionInfo | None = None
        self.transcribing = False
        self.editor_state: dict[str, Any] = dict(editor_state or {})
        self.autosave_file: Path | None = None
        self._unsaved = False
        self._autosaved_revision = self.document.revision
        self._was_modified = False
        self.undo_stack.cleanChanged.connect(self._check_modified)

    # -- facts ---------------------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        """The name shown in the title bar: the project's, else the media's."""
        for path in (self.project_path, self.media_path, self.source_path):
            if path is not None:
                return path.name
        return "Untitled"

    @property
    def key_path(self) -> Path | None:
        """The file that identifies the work before it has a project (media or source)."""
        return self.media_path or self.source_path

    @property
    def is_modified(self) -> bool:
        """Whether the project file (if any) lacks some of this work."""
        return self._unsaved or not self.undo_stack.isClean()

    @property
    def has_content(self) -> bool:
        """Whether the transcript has any segment."""
        return bool(self.document.transcript.segments)

    @property
    def needs_autosave(self) -> bool:
        """Whether the document changed since the last autosave and is not saved."""
        return self.is_modified and self.document.revision != self._autosaved_revision

    # -- transcription -------------------------------------------------------------------------
    def start_transcription(self, info: TranscriptionInfo) -> None:
        """Start a fresh transcript for what the transcription reports (not undoable)."""
        self.info = info
        self.transcribing = True
        try:
            media = media_for(self.media_path, info)
        except EditorError as e:  # the file vanished after transcription opened it
            log.warning("cannot describe %s: %s", self.media_path, e)
            media = MediaInfo(str(self.media_path)) if self.media_path else None
        metadata = {"model": info.model, "device": info.device}
        self.undo_stack.clear()
        self.document.reset(Transcript(language=info.language, media=media, metadata=metadata))
        self.mark_unsaved()

    def append_results(self, results: Sequence[SegmentResult]) -> int:
        """Append streamed engine segments; returns how many segments were added."""
        transcript = self.document.transcript
        segments = segments_from_results(
            results, not_before_ms=transcript.end_ms, duration_ms=transcript.duration_ms
        )
        before = len(transcript.segments)
        self.document.append_segments(segments)
        added = len(self.document.transcript.segments) - before
        if added:
            self.mark_unsaved()
        return added

    def apply_speakers(self, turns: Sequence[SpeakerTurn]) -> None:
        """Give the fresh transcript's words their speakers (part of the transcription: no undo)."""
        if turns:
            ApplySpeakerTurns(speaker_spans(turns)).do(self.document)
            self.mark_unsaved()

    def finish_transcription(self) -> None:
        """Streaming ended (finished, failed or cancelled)."""
        self.transcribing = False

    # -- saving --------------------------------------------------------------------------------
    def to_project(self) -> Project:
        """The project to write: the current transcript and the editor state."""
        return Project(self.document.transcript, editor_state=self.editor_state)

    def relink(self, media: MediaInfo) -> None:
        """Point the transcript at another media file (a moved one); a change to save."""
        self.media_path = Path(media.path)
        self.document.replace_transcript_facts(self.document.transcript.with_media(media))
        self.mark_unsaved()

    def mark_saved(self, project_path: Path, revision: int | None = None) -> None:
        """The project was written to ``project_path``, from ``revision`` (default: the current).

        Saves are written in the background: when the document changed since the snapshot,
        the file lacks those changes, and the session stays modified.
        """
        self.project_path = project_path
        if revision is None or revision == self.document.revision:
            self._unsaved = False
            self.undo_stack.setClean()
            self._autosaved_revision = self.document.revision
        self._check_modified()

    def mark_unsaved(self) -> None:
        """Something not undoable changed (streamed text, a relink, a recovery)."""
        self._unsaved = True
        self._check_modified()

    def mark_autosaved(self, path: Path, revision: int | None = None) -> None:
        """An autosave of ``revision`` (default: the current) was written to ``path``."""
        self.autosave_file = path
        self._autosaved_revision = self.document.revision if revision is None else revision

    def _check_modified(self, *args: object) -> None:
        modified = self.is_modified
        if modified != self._was_modified:
            self._was_modified = modified
            self.modified_changed.emit(modified)
