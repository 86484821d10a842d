"""The main window's menu commands that run dialogs, and its questions before closing.

Open, save, export, settings and help, and the Save / Discard / Cancel question asked before
unsaved work is dropped.

`WindowCommands` works on the window it is given (its current session, editor, player and
settings), so `ui.window.main_window` keeps to building and wiring the window.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from editor.transcript import Transcript
from ui.files.project_io import PROJECT_FILTER, ProjectIO
from ui.files.session import FileSession
from ui.queue.item_model import MEDIA_EXTENSIONS

if TYPE_CHECKING:
    from ui.window.main_window import MainWindow

__all__ = ["APP_NAME", "WindowCommands"]

log = logging.getLogger(__name__)

APP_NAME = "Transcript Editor"
MEDIA_FILTER = f"Audio and video ({' '.join(f'*.{e}' for e in sorted(MEDIA_EXTENSIONS))})"


class WindowCommands(QObject):
    """File, Transcription and Help menu commands for one window."""

    def __init__(self, window: MainWindow) -> None:
        """Commands acting on ``window``."""
        super().__init__(window)
        self._window = window

    # -- File ----------------------------------------------------------------------------------
    def ask_open_media(self) -> None:
        """File > Open Media: queue recordings chosen in a file dialog."""
        filters = f"{MEDIA_FILTER};;All files (*)"
        paths, _ = QFileDialog.getOpenFileNames(self._window, "Open recordings", "", filters)
        self._window.open_paths(Path(p) for p in paths)

    def ask_open_project(self) -> None:
        """File > Open Project: open a project chosen in a file dialog."""
        path, _ = QFileDialog.getOpenFileName(self._window, "Open project", "", PROJECT_FILTER)
        if path:
            self._window.open_project(Path(path))

    def ask_import_subtitles(self) -> None:
        """File > Import Subtitles: a subtitle file and, optionally, its recording."""
        from ui.dialogs.import_subtitles import import_subtitles_dialog

        chosen = import_subtitles_dialog(self._window)
        if chosen is not None:
            self._window.import_subtitles(*chosen)

    def save(self) -> bool:
        """Save the transcript shown (asks where the first time); False if not saved."""
        session = self._prepare_save()
        return session is not None and self._saved(self._io().save(session))

    def save_as(self) -> bool:
        """Save the transcript shown as a new project; False if not saved."""
        session = self._prepare_save()
        return session is not None and self._saved(self._io().save_as(session))

    def export(self) -> None:
        """File > Export: the export dialog over the transcript shown."""
        from ui.dialogs.export import ExportDialog

        window = self._window
        session = window.current_session()
        if session is None or not session.has_content:
            window.show_status("Nothing to export yet")
            return

        def current_transcript() -> Transcript:
            window.editor.commit_pending()  # typing not yet committed belongs in the file
            return session.document.transcript

        dialog = ExportDialog(current_transcript, window.settings, window)
        if dialog.exec():
            window.apply_settings(dialog.settings())
            window.show_status(f"Exported {dialog.exported_path()}")

    def remember_project(self, path: Path) -> None:
        """Put a project first in File > Open Recent."""
        window = self._window
        window.apply_settings(window.settings.with_recent_project(str(path)))

    def fill_recent(self, menu: QMenu) -> None:
        """List the recent projects in ``menu`` (before it shows)."""
        menu.clear()
        for text in self._window.settings.recent_projects:
            path = Path(text)
            action = menu.addAction(path.name)
            action.setToolTip(text)
            action.setEnabled(path.is_file())
            action.triggered.connect(lambda _=False, p=path: self._window.open_project(p))
        if menu.isEmpty():
            menu.addAction("No recent projects").setEnabled(False)

    # -- Transcription and Help ----------------------------------------------------------------
    def open_settings(self) -> None:
        """Transcription > Settings: the model, language and transcription options."""
        from ui.dialogs.transcription_settings import TranscriptionSettingsDialog

        dialog = TranscriptionSettingsDialog(self._window.settings, self._window)
        if dialog.exec():
            self._window.apply_settings(dialog.settings())

    def show_shortcuts(self) -> None:
        """Help > Keyboard Shortcuts."""
        from ui.dialogs.keyboard_shortcuts import ShortcutsDialog
        from ui.window.actions import app_shortcuts

        ShortcutsDialog(app_shortcuts(), self._window).exec()

    def show_about(self) -> None:
        """Help > About."""
        QMessageBox.about(
            self._window,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME}</h3><p>Transcribe recordings on this computer with Whisper "
            "and correct them word by word while you listen.</p>",
        )

    # -- questions -----------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        """Ask about a running transcription and unsaved work; True when closing may go on."""
        window = self._window
        workspace = window.workspace
        if workspace.runner.running_id is not None:
            answer = QMessageBox.question(
                window,
                "Stop transcribing?",
                "A file is being transcribed. Stop it and quit?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        window.editor.commit_pending()
        unsaved = workspace.unsaved()
        return not unsaved or self.confirm_discard(unsaved)

    def confirm_discard(self, sessions: list[FileSession]) -> bool:
        """Save / Discard / Cancel for unsaved sessions; True when it is fine to drop them."""
        window = self._window
        if len(sessions) == 1:
            text = f"Save the changes to {sessions[0].display_name}?"
        else:
            text = f"{len(sessions)} transcripts have unsaved changes. Save them?"
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = QMessageBox.question(
            window, "Unsaved changes", text, buttons, QMessageBox.StandardButton.Save
        )
        if answer == QMessageBox.StandardButton.Discard:
            for session in sessions:
                self._io().discard_autosaves(session)
            return True
        if answer != QMessageBox.StandardButton.Save:
            return False
        for session in sessions:
            window.show_session(window.workspace.id_of(session))
            if not self.save():
                return False
        return True

    # -- helpers -------------------------------------------------------------------------------
    def _io(self) -> ProjectIO:
        return self._window.workspace.project_io

    def _prepare_save(self) -> FileSession | None:
        window = self._window
        session = window.current_session()
        if session is None:
            window.show_status("Nothing to save: open or transcribe a file first")
            return None
        window.editor.commit_pending()
        session.editor_state["position_ms"] = window.player.position()
        return session

    def _saved(self, ok: bool) -> bool:
        session = self._window.current_session()
        if ok and session is not None and session.project_path is not None:
            self.remember_project(session.project_path)
        self._window.refresh_title()
        return ok
