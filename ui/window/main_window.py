"""The main window: the file list on the left, the transcript in the centre, the player below.

The window shows a `Workspace` (the queue, its worker thread and one session per file) through
the `QueuePane`, the `TranscriptEditor` and the `PlayerBar`, keeps the title, the actions and
the status bar in step, and wires the panes: a clicked word seeks the player, the playhead
highlights the spoken word. Files and folders dropped anywhere on it are queued; dropped
projects and subtitle files are opened. The menu commands that run dialogs are in
`ui.window.commands`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from editor.errors import EditorError
from engine.options import TranscribeOptions
from ui.files.project_io import PROJECT_SUFFIX, AskRecovery, default_autosave_dir
from ui.files.session import FileSession
from ui.files.workspace import Workspace, model_on_disk
from ui.playback.player_bar import PlayerBar
from ui.queue.item_model import MEDIA_EXTENSIONS
from ui.queue.pane import QueuePane
from ui.queue.worker import TranscriberFactory
from ui.settings import AppSettings, save_settings, to_transcribe_options
from ui.transcript import TranscriptEditor
from ui.window.actions import WindowActions, build_menus
from ui.window.commands import APP_NAME, WindowCommands
from ui.window.drops import FileDropFilter
from ui.window.preference_menus import PreferenceMenus

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

SUBTITLE_SUFFIXES = (".srt", ".vtt")
QUEUE_WIDTH = 260  # pixels: file names and a progress line fit, the transcript gets the rest
STATUS_MS = 6000
SHUTDOWN_MS = 5000
LONG_SHUTDOWN_MS = 120_000


class MainWindow(QMainWindow):
    """The app's window; see the module docstring.

    Attributes:
        workspace: The open files and the transcription machinery.
        queue_pane, editor, player: The panes.
        menu_actions: The window's own actions (File, Edit undo/redo, Transcription, Help).
    """

    def __init__(
        self,
        settings: AppSettings | None = None,
        *,
        factory: TranscriberFactory | None = None,
        autosave_dir: Path | None = None,
    ) -> None:
        """Build the window and start the transcription thread.

        Args:
            settings: The app settings (defaults when None).
            factory: Builds transcribers on the worker thread (tests inject a fake one).
            autosave_dir: Where autosaves go (default: the app data folder).
        """
        super().__init__()
        self._settings = settings or AppSettings()
        self._current: int | None = None
        self._closing = False
        self.workspace = Workspace(
            self,
            self._transcribe_options,
            autosave_dir or default_autosave_dir(),
            self._settings.autosave_interval_s,
            factory,
        )
        self.queue_pane = QueuePane(self.workspace.queue_model)
        self.editor = TranscriptEditor()
        self.player = PlayerBar(settings=self._settings)
        self.menu_actions = WindowActions.create(self)
        self.commands = WindowCommands(self)
        self.preferences = PreferenceMenus(self._settings, self)
        self._model_label = QLabel()
        self._drops = FileDropFilter(self)
        self._build()
        self._connect()
        self._apply_view_settings()
        model = self._settings.model
        self.workspace.runner.set_model(model, preload=model_on_disk(model))
        self.refresh_title()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setMinimumSize(720, 480)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.setChildrenCollapsible(False)
        self._splitter.addWidget(self.queue_pane)
        self._splitter.addWidget(self.editor)
        self._splitter.setStretchFactor(1, 1)
        self.queue_pane.setMinimumWidth(200)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._splitter, 1)
        layout.addWidget(line)
        layout.addWidget(self.player)
        self.setCentralWidget(central)
        self._recent_menu = build_menus(
            self,
            self.menu_actions,
            self.editor.edit_actions(),
            self.player.actions(),
            self.preferences,
        )
        self._recent_menu.aboutToShow.connect(lambda: self.commands.fill_recent(self._recent_menu))
        self._model_label.setContentsMargins(8, 0, 8, 0)
        self.statusBar().addPermanentWidget(self._model_label)
        if not self.restoreGeometry(QByteArray(self._settings.window_geometry)):
            self.resize(1200, 760)
        if not self._splitter.restoreState(QByteArray(self._settings.window_state)):
            self._splitter.setSizes([QUEUE_WIDTH, max(self.width() - QUEUE_WIDTH, 400)])
        # Dropped files reach the window wherever they land; the file list takes its own
        # drops (it inserts them where they fall).
        self._drops.watch(self)
        for widget in self.findChildren(QWidget):
            if widget.acceptDrops() and widget is not self.queue_pane.view.viewport():
                self._drops.watch(widget)

    def _connect(self) -> None:
        a, c = self.menu_actions, self.commands
        a.open_media.triggered.connect(c.ask_open_media)
        a.open_project.triggered.connect(c.ask_open_project)
        a.save.triggered.connect(c.save)
        a.save_as.triggered.connect(c.save_as)
        a.import_subtitles.triggered.connect(c.ask_import_subtitles)
        a.export.triggered.connect(c.export)
        a.quit.triggered.connect(self.close)
        a.undo.triggered.connect(self.editor.undo)
        a.redo.triggered.connect(self.editor.redo)
        a.settings.triggered.connect(c.open_settings)
        a.cancel.triggered.connect(self._cancel_running)
        a.shortcuts.triggered.connect(c.show_shortcuts)
        a.about.triggered.connect(c.show_about)
        self.preferences.changed.connect(self._set_preference)
        ws, pane = self.workspace, self.queue_pane
        pane.current_changed.connect(lambda item_id: self.show_session(item_id or None))
        pane.open_requested.connect(self._open_row)
        pane.cancel_requested.connect(ws.runner.cancel)
        pane.retry_requested.connect(self.retry)
        pane.remove_requested.connect(self.remove)
        ws.queue_model.dataChanged.connect(self._update_actions)
        ws.session_created.connect(self._on_session_created)
        ws.job_started.connect(self._on_job_started)
        ws.runner.model_status.connect(self._model_label.setText)
        for source in (ws, self.player, self.editor):
            source.status_message.connect(self.show_status)
        self.player.error.connect(self.show_status)
        self.editor.seek_requested.connect(self._seek)
        self.player.position_changed.connect(self.editor.set_playback_position)
        self._drops.dropped.connect(self.open_paths)

    def _apply_view_settings(self) -> None:
        s = self._settings
        self.editor.set_low_confidence_threshold(s.low_confidence_threshold)
        self.editor.set_click_plays(s.click_plays)
        self.editor.set_auto_follow(s.follow_playback)
        self.preferences.set_settings(s)
        self.player.apply_settings(s)
        self.workspace.project_io.set_interval(s.autosave_interval_s)

    # -- public API ----------------------------------------------------------------------------
    @property
    def settings(self) -> AppSettings:
        """The settings in use."""
        return self._settings

    def current_session(self) -> FileSession | None:
        """The session shown in the editor, if any."""
        return self.workspace.session(self._current)

    def show_status(self, message: str) -> None:
        """Show a message in the status bar for a few seconds."""
        self.statusBar().showMessage(message, STATUS_MS)

    def add_files(self, paths: Iterable[Path]) -> list[int]:
        """Queue media files and folders for transcription; returns the new rows' ids."""
        ids = self.workspace.add_files(paths)
        if ids and self._current is None:
            self.show_session(ids[0])
        return ids

    def open_paths(self, paths: Iterable[Path]) -> None:
        """Open what was dropped or given: projects, subtitle files, media files and folders."""
        media: list[Path] = []
        for path in paths:
            suffix = path.suffix.lower()
            if path.is_file() and suffix == PROJECT_SUFFIX:
                self.open_project(path)
            elif path.is_file() and suffix in SUBTITLE_SUFFIXES:
                self.import_subtitles(path, _media_beside(path))
            else:
                media.append(path)
        if media:
            added = self.add_files(media)
            self.show_status(f"Queued {len(added)} file(s)" if added else "Already in the list")

    def show_session(self, item_id: int | None) -> None:
        """Show a row's transcript in the editor and its recording in the player."""
        if item_id == self._current:
            return
        previous = self.current_session()
        if previous is not None:
            self.editor.commit_pending()
            previous.editor_state["position_ms"] = self.player.position()
        session = self.workspace.session(item_id)
        self._current = item_id if session is not None else None
        if session is None or item_id is None:
            self.editor.set_document(None, None)
            self.player.set_source(None)
        else:
            self.editor.set_document(session.document, session.undo_stack)
            self.player.set_source(session.media_path)
            position = session.editor_state.get("position_ms")
            if isinstance(position, int) and position > 0:
                self.player.seek(position)
            self.queue_pane.select(item_id)
        self.refresh_title()
        self._update_actions()

    def open_project(self, path: Path) -> FileSession | None:
        """Open a project file in a new row (or show it when it is open already)."""
        item_id = self.workspace.open_project(path)
        if item_id is None:
            return None
        self.show_session(item_id)
        self.commands.remember_project(path)
        return self.workspace.session(item_id)

    def import_subtitles(self, subtitles: Path, media: Path | None) -> FileSession | None:
        """Open an SRT or WebVTT file (with its recording, for playback) to correct it."""
        try:
            item_id = self.workspace.import_subtitles(subtitles, media)
        except EditorError as e:
            QMessageBox.warning(self, "Cannot import subtitles", str(e))
            return None
        self.show_session(item_id)
        return self.workspace.session(item_id)

    def offer_recovery(self, ask: AskRecovery | None = None) -> None:
        """Offer to recover autosaved work newer than its project (on start)."""
        for item_id in self.workspace.offer_recovery(ask):
            self.show_session(item_id)

    def apply_settings(self, settings: AppSettings) -> None:
        """Use and store new settings (a new model loads before the next file)."""
        settings = dataclasses.replace(settings, playback_rate=self.player.rate())
        old, self._settings = self._settings, settings
        save_settings(settings)
        if settings.model != old.model:
            self.workspace.runner.set_model(settings.model, preload=model_on_disk(settings.model))
        self._apply_view_settings()

    def _set_preference(self, name: str, value: object) -> None:
        """One setting chosen in the View or Playback menu."""
        if getattr(self._settings, name) != value:
            changes: dict[str, object] = {name: value}
            self.apply_settings(dataclasses.replace(self._settings, **changes))  # type: ignore[arg-type]

    def retry(self, item_id: int) -> None:
        """Transcribe a failed or cancelled file again (replacing its partial transcript)."""
        session = self.workspace.session(item_id)
        if session is not None and session.undo_stack.count() > 0:
            answer = QMessageBox.question(
                self,
                "Transcribe again?",
                f"Transcribing {session.display_name} again replaces its transcript and your "
                "edits of it.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.workspace.runner.retry(item_id)

    def remove(self, item_id: int) -> None:
        """Take a file out of the list (asks first when its transcript is not saved)."""
        session = self.workspace.session(item_id)
        unsaved = session is not None and session in self.workspace.unsaved()
        if unsaved and session is not None and not self.commands.confirm_discard([session]):
            return
        if item_id == self._current:
            self.show_session(None)
        self.workspace.remove(item_id)

    # -- reacting ------------------------------------------------------------------------------
    def _on_session_created(self, item_id: int) -> None:
        session = self.workspace.session(item_id)
        if session is not None:
            session.modified_changed.connect(self.refresh_title)
            session.undo_stack.indexChanged.connect(self._update_actions)

    def _on_job_started(self, item_id: int) -> None:
        current = self.current_session()
        # Follow the queue unless the person is busy with another transcript.
        if current is None or (not current.has_content and not current.transcribing):
            self.show_session(item_id)
        self.refresh_title()
        self._update_actions()

    def _open_row(self, item_id: int) -> None:
        self.show_session(item_id)
        self.editor.setFocus()

    def _cancel_running(self) -> None:
        running = self.workspace.runner.running_id
        if running is not None:
            self.workspace.runner.cancel(running)

    def _seek(self, ms: int) -> None:
        self.player.seek(ms, play=self._settings.click_plays)

    def _transcribe_options(self) -> TranscribeOptions:
        return to_transcribe_options(self._settings)

    # -- window state --------------------------------------------------------------------------
    def refresh_title(self, *args: object) -> None:
        """Show the current transcript's name and unsaved mark in the title bar."""
        session = self.current_session()
        if session is None:
            self.setWindowTitle(APP_NAME)
            self.setWindowModified(False)
            return
        self.setWindowTitle(f"{session.display_name}[*] — {APP_NAME}")
        self.setWindowModified(session.is_modified)

    def _update_actions(self, *args: object) -> None:
        session = self.current_session()
        stack = session.undo_stack if session is not None else None
        a = self.menu_actions
        can_undo, can_redo = bool(stack and stack.canUndo()), bool(stack and stack.canRedo())
        a.undo.setEnabled(can_undo)
        a.redo.setEnabled(can_redo)
        a.undo.setText(f"Undo {stack.undoText()}" if stack and can_undo else "Undo")
        a.redo.setText(f"Redo {stack.redoText()}" if stack and can_redo else "Redo")
        a.save.setEnabled(session is not None)
        a.save_as.setEnabled(session is not None)
        a.export.setEnabled(session is not None and session.has_content)
        a.cancel.setEnabled(self.workspace.runner.running_id is not None)

    # -- closing -------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about a running job and unsaved work, then stop the worker thread."""
        if not self._closing and not self.commands.confirm_close():
            event.ignore()
            return
        self._closing = True
        self.editor.commit_pending()
        if not self.workspace.shutdown(SHUTDOWN_MS):
            # The engine stops within one batch, which can take longer on a slow machine;
            # waiting beats destroying a running thread (Qt aborts the process then).
            self.show_status("Stopping the transcription…")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                if not self.workspace.worker.wait(LONG_SHUTDOWN_MS):
                    log.error("the transcription thread did not stop")
            finally:
                QApplication.restoreOverrideCursor()
        self._settings = dataclasses.replace(
            self._settings,
            window_geometry=bytes(self.saveGeometry().data()),
            window_state=bytes(self._splitter.saveState().data()),
            playback_rate=self.player.rate(),
        )
        save_settings(self._settings)
        event.accept()


def _media_beside(subtitles: Path) -> Path | None:
    """A recording with the subtitle file's name next to it (talk.srt -> talk.m4a)."""
    for extension in sorted(MEDIA_EXTENSIONS):
        candidate = subtitles.with_suffix(f".{extension}")
        if candidate.is_file():
            return candidate
    return None
