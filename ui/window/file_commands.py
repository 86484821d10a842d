"""What the File, Transcription and Help menus do, and the questions asked before work is dropped.

Opening (media, projects, subtitles, recovered work), saving, exporting, removing a file from the
list, the settings and help dialogs, and the Save / Discard / Cancel question before unsaved work
is closed. `FileCommands` is given what it works on (the workspace, the settings store, the
questions, the transcript editor and the player) and tells the window which row to show through
``show_requested``; it never reaches into the window, so the window imports it and not the
other way round.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from editor.errors import EditorError
from editor.transcript import Transcript
from editor.writers import ExportOptions, export_to_path
from ui.dialogs.import_subtitles import SUBTITLE_SUFFIXES, media_beside
from ui.files.project_io import PROJECT_SUFFIX
from ui.files.questions import Questions, SaveChoice
from ui.files.session import FileSession
from ui.files.workspace import Workspace
from ui.playback.player_bar import PlayerBar
from ui.settings import SettingsStore
from ui.transcript import TranscriptEditor

__all__ = ["APP_NAME", "FileCommands"]

log = logging.getLogger(__name__)

APP_NAME = "Transcript Editor"


class FileCommands(QObject):
    """The window's file and help commands; see the module docstring.

    Signals:
        show_requested(object): a row to show (int), or None for none; handled at once.
        saved(): a session was saved (its name in the title may have changed).
        status_message(str): something to show in the status bar.
    """

    show_requested = Signal(object)
    saved = Signal()
    status_message = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        store: SettingsStore,
        questions: Questions,
        editor: TranscriptEditor,
        player: PlayerBar,
        current: Callable[[], FileSession | None],
        parent: QWidget,
    ) -> None:
        """Commands over ``workspace``; ``current`` returns the session shown."""
        super().__init__(parent)
        self._parent = parent
        self._workspace = workspace
        self._store = store
        self._questions = questions
        self._editor = editor
        self._player = player
        self._current = current
        workspace.project_io.saved.connect(self._on_saved)

    # -- opening -------------------------------------------------------------------------------
    def add_files(self, paths: Iterable[Path]) -> list[int]:
        """Queue media files and folders, and show the first new row.

        Also while another transcript is shown: the person just asked for this file, and a row
        added out of sight looked as if nothing happened (issue 17).
        """
        ids = self._workspace.add_files(paths)
        if ids:
            self.show_requested.emit(ids[0])
        return ids

    def open_paths(self, paths: Iterable[Path]) -> None:
        """Open what was dropped or given: projects, subtitle files, media files and folders."""
        media: list[Path] = []
        for path in paths:
            suffix = path.suffix.lower()
            if path.is_file() and suffix == PROJECT_SUFFIX:
                self.open_project(path)
            elif path.is_file() and suffix in SUBTITLE_SUFFIXES:
                self.import_subtitles(path, media_beside(path))
            else:
                media.append(path)
        if media:
            added = self.add_files(media)
            message = f"Queued {len(added)} file(s)" if added else "Already in the list"
            self.status_message.emit(message)

    def open_project(self, path: Path) -> FileSession | None:
        """Open a project file in a new row (or show it when it is open already)."""
        item_id = self._workspace.open_project(path)
        if item_id is None:
            return None
        self.show_requested.emit(item_id)
        self.remember_project(path)
        return self._workspace.session(item_id)

    def import_subtitles(self, subtitles: Path, media: Path | None) -> FileSession | None:
        """Open an SRT or WebVTT file (with its recording, for playback) to correct it."""
        try:
            item_id = self._workspace.import_subtitles(subtitles, media)
        except EditorError as e:
            self._questions.tell("Cannot import subtitles", str(e))
            return None
        self.show_requested.emit(item_id)
        return self._workspace.session(item_id)

    def offer_recovery(self) -> None:
        """Offer to recover autosaved work newer than its project (on start)."""
        for item_id in self._workspace.offer_recovery():
            self.show_requested.emit(item_id)

    def ask_open_media(self) -> None:
        """File > Open Media: queue recordings chosen in a file dialog."""
        self.open_paths(self._questions.media_to_open())

    def ask_open_project(self) -> None:
        """File > Open Project: open a project chosen in a file dialog."""
        path = self._questions.project_to_open()
        if path is not None:
            self.open_project(path)

    def ask_import_subtitles(self) -> None:
        """File > Import Subtitles: a subtitle file and, optionally, its recording."""
        chosen = self._questions.subtitles_to_import()
        if chosen is not None:
            self.import_subtitles(*chosen)

    def remember_project(self, path: Path) -> None:
        """Put a project first in File > Open Recent."""
        self._store.replace(self._store.current.with_recent_project(str(path)))

    def fill_recent(self, menu: QMenu) -> None:
        """List the recent projects in ``menu`` (before it shows)."""
        menu.clear()
        for text in self._store.current.recent_projects:
            path = Path(text)
            action = menu.addAction(path.name)
            action.setToolTip(text)
            action.setEnabled(path.is_file())
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))
        if menu.isEmpty():
            menu.addAction("No recent projects").setEnabled(False)

    # -- saving and exporting ------------------------------------------------------------------
    def save(self) -> bool:
        """Save the transcript shown (asks where the first time); False if not started.

        The file is written in the background; `saved` is emitted once it is on disk.
        """
        session = self._prepare_save()
        return session is not None and self._workspace.project_io.save(session)

    def save_as(self) -> bool:
        """Save the transcript shown as a new project (in the background); False if cancelled."""
        session = self._prepare_save()
        return session is not None and self._workspace.project_io.save_as(session)

    def export(self) -> None:
        """File > Export: the export dialog over the transcript shown."""
        from ui.dialogs.export import ExportDialog

        session = self._current()
        if session is None or not session.has_content:
            self.status_message.emit("Nothing to export yet")
            return

        def current_transcript() -> Transcript:
            self._editor.commit_pending()  # typing not yet committed belongs in the file
            return session.document.transcript

        dialog = ExportDialog(
            current_transcript, self._store.current, self._parent, self.start_export
        )
        if dialog.exec():
            self._store.replace(dialog.settings())

    def start_export(
        self, transcript: Transcript, path: Path, fmt: str, options: ExportOptions
    ) -> None:
        """Write ``transcript`` (a snapshot) to ``path`` in the background; errors are told."""
        from ui.dialogs.export import export_failed_text

        def done(error: Exception | None) -> None:
            if error is not None:
                log.warning("Export to %s failed: %s", path, error)
                self._questions.tell("Export failed", export_failed_text(error))
                return
            log.info("Exported %s", path)
            self.status_message.emit(f"Exported {path}")

        self.status_message.emit(f"Exporting {path.name}…")
        self._workspace.writes.submit(
            path, lambda: export_to_path(transcript, path, fmt, options), done
        )

    def export_audio(self) -> None:
        """Edit > Export Selection as Audio: the selected words' stretch of the recording."""
        from editor.audio_clip import export_audio_clip
        from editor.timefmt import format_timestamp

        session = self._current()
        span = self._editor.selected_time_range()
        if session is None or span is None:
            self.status_message.emit("Select the words to export first")
            return
        media = session.media_path
        if media is None:
            self.status_message.emit("This transcript has no recording to cut the audio from")
            return
        start, end = span
        stamp = f"{format_timestamp(start)[:8]}-{format_timestamp(end)[:8]}".replace(":", ".")
        # Where exports went last, else beside the recording, else home: a folder one can write.
        folders = (self._store.current.last_export_folder, str(media.parent), str(Path.home()))
        folder = next(f for f in folders if f and Path(f).is_dir() and os.access(f, os.W_OK))
        target = self._questions.audio_clip_to_save(Path(folder) / f"{media.stem} {stamp}.wav")
        if target is None:
            return
        try:
            export_audio_clip(media, start, end, target)
        except EditorError as e:
            self._questions.tell("Cannot export the audio", str(e))
            return
        self.status_message.emit(f"Exported {target.name} ({(end - start) / 1000:.1f} s)")

    # -- Transcription and Help ----------------------------------------------------------------
    def open_settings(self) -> None:
        """Transcription > Settings: the model, language and transcription options."""
        from ui.dialogs.transcription_settings import TranscriptionSettingsDialog

        dialog = TranscriptionSettingsDialog(self._store.current, self._parent)
        if dialog.exec():
            self._store.replace(dialog.settings())

    def show_shortcuts(self) -> None:
        """Help > Keyboard Shortcuts."""
        from ui.dialogs.keyboard_shortcuts import ShortcutsDialog
        from ui.window.menu_bar import app_shortcuts

        ShortcutsDialog(app_shortcuts(), self._parent).exec()

    def show_about(self) -> None:
        """Help > About."""
        QMessageBox.about(
            self._parent,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME}</h3><p>Transcribe recordings on this computer with Whisper "
            "and correct them word by word while you listen.</p>",
        )

    # -- closing -------------------------------------------------------------------------------
    def remove(self, item_id: int) -> None:
        """Take a file out of the list (asks first when its transcript is not saved)."""
        session = self._workspace.session(item_id)
        unsaved = session is not None and session in self._workspace.unsaved()
        if unsaved and session is not None and not self.confirm_discard([session]):
            return
        if session is not None and session is self._current():
            self.show_requested.emit(None)
        self._workspace.remove(item_id)

    def confirm_close(self) -> bool:
        """Ask about a running transcription and unsaved work; True when closing may go on."""
        workspace = self._workspace
        if workspace.runner.running_id is not None and not self._questions.confirm(
            "Stop transcribing?", "A file is being transcribed. Stop it and quit?"
        ):
            return False
        self._editor.commit_pending()
        unsaved = workspace.unsaved()
        return not unsaved or self.confirm_discard(unsaved)

    def confirm_discard(self, sessions: list[FileSession]) -> bool:
        """Save / Discard / Cancel for unsaved sessions; True when it is fine to drop them."""
        if len(sessions) == 1:
            text = f"Save the changes to {sessions[0].display_name}?"
        else:
            text = f"{len(sessions)} transcripts have unsaved changes. Save them?"
        answer = self._questions.save_changes(text)
        if answer is SaveChoice.DISCARD:
            for session in sessions:
                self._workspace.project_io.discard_autosaves(session)
            return True
        if answer is not SaveChoice.SAVE:
            return False
        for session in sessions:
            self.show_requested.emit(self._workspace.id_of(session))
            if not self.save():
                return False
        # Saves are written in the background: what is dropped next must be on disk first.
        self._workspace.project_io.wait_for_writes()
        return not any(s.is_modified for s in sessions)  # a failed save was told already

    # -- helpers -------------------------------------------------------------------------------
    def _prepare_save(self) -> FileSession | None:
        session = self._current()
        if session is None:
            self.status_message.emit("Nothing to save: open or transcribe a file first")
            return None
        self._editor.commit_pending()
        session.editor_state["position_ms"] = self._player.position()
        return session

    def _on_saved(self, session: FileSession) -> None:
        # A background save finished: the project (maybe a new path) goes first in Recent.
        if session.project_path is not None:
            self.remember_project(session.project_path)
        self.saved.emit()
