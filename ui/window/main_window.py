"""The main window: the file list on the left, the transcript in the centre, the player below.

The window shows a `Workspace` (the queue, its worker thread and one session per file) through
the `QueuePane`, the `TranscriptEditor` and the `PlayerBar`, keeps the title, the actions and
the status bar in step, and wires the panes: a clicked word seeks the player, the playhead
highlights the spoken word. Files dropped anywhere on it are opened. What the File, Transcription
and Help menus do is `ui.window.file_commands`; the settings come from a `SettingsStore`, which
every part that shows a setting follows by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from editor.commands import ApplySpeakerTurns
from ui.dialogs.dialog_questions import DialogQuestions
from ui.files.convert import speaker_spans
from ui.files.language_watch import LanguageWatch
from ui.files.project_io import default_autosave_dir
from ui.files.questions import Questions
from ui.files.session import FileSession
from ui.files.workspace import Workspace
from ui.playback.player_bar import PlayerBar
from ui.queue.pane import QueuePane
from ui.queue.worker import TranscriberFactory
from ui.settings import AppSettings, SettingsStore
from ui.timeline.attach import TimelineArea
from ui.transcript import TranscriptEditor
from ui.transcript.empty_state import empty_message, queue_position
from ui.transcript.undo import push_edit
from ui.video.attach import VideoArea
from ui.window.drops import FileDropFilter
from ui.window.file_commands import APP_NAME, FileCommands
from ui.window.focus_return import DialogFocusReturn
from ui.window.language_banner import LanguageBanner
from ui.window.menu_bar import WindowActions, build_menus
from ui.window.preference_menus import PreferenceMenus
from ui.window.retranscribe import RetranscribeCommands

if TYPE_CHECKING:
    from engine.speakers import SpeakerTurn

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

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
        settings: AppSettings | SettingsStore | None = None,
        *,
        factory: TranscriberFactory | None = None,
        autosave_dir: Path | None = None,
        questions: Questions | None = None,
    ) -> None:
        """Build the window and start the transcription thread.

        Args:
            settings: The settings store, or settings to hold in a new one (defaults when None).
            factory: Builds transcribers on the worker thread (tests inject a fake one).
            autosave_dir: Where autosaves go (default: the app data folder).
            questions: Asks the person (default: dialogs over this window; tests pass a fake).
        """
        super().__init__()
        self.store = settings if isinstance(settings, SettingsStore) else SettingsStore(settings)
        self.store.setParent(self)
        self._current: int | None = None
        self._closing = False
        self.questions = questions or DialogQuestions(self)
        self.workspace = Workspace(
            self.questions, self.store, autosave_dir or default_autosave_dir(), factory, self
        )
        self.queue_pane = QueuePane(self.workspace.queue_model)
        self.editor = TranscriptEditor()
        self.player = PlayerBar(settings=self.store.current)
        self.menu_actions = WindowActions.create(self)
        self.commands = FileCommands(
            self.workspace,
            self.store,
            self.questions,
            self.editor,
            self.player,
            self.current_session,
            self,
        )
        self.preferences = PreferenceMenus(self.store.current, self)
        self._model_label = QLabel()
        self._drops = FileDropFilter(self)
        self._focus_return = DialogFocusReturn(self, self.editor)
        self.language_watch = LanguageWatch(self.workspace.worker, self)
        self.language_banner = LanguageBanner()
        self.video = VideoArea(
            self.editor, self.player.playback, self.store, self.preferences.view_menu
        )
        self.timeline = TimelineArea(
            self.editor, self.player, self.store, self.preferences.view_menu, self.workspace
        )
        self.retranscribe = RetranscribeCommands(
            self.workspace, self.store, self.editor, lambda: self._current, self.statusBar(), self
        )
        self._build()
        self._connect()
        self._apply_view_settings(self.store.current)
        self.refresh_title()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setMinimumSize(720, 480)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.setChildrenCollapsible(False)
        self._splitter.addWidget(self.queue_pane)
        self._splitter.addWidget(self.video.splitter)  # the editor, under a video's picture
        self._splitter.setStretchFactor(1, 1)
        self.queue_pane.setMinimumWidth(200)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.language_banner)
        layout.addWidget(self._splitter, 1)
        layout.addWidget(self.timeline.view)
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
        settings = self.store.current
        if not self.restoreGeometry(QByteArray(settings.window_geometry)):
            self.resize(1200, 760)
        if not self._splitter.restoreState(QByteArray(settings.window_state)):
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
        c.show_requested.connect(self.show_session)
        c.saved.connect(self.refresh_title)
        store = self.store
        store.changed.connect(self._apply_view_settings)
        self.preferences.changed.connect(lambda name, value: store.set(**{name: value}))
        self.player.rate_changed.connect(lambda rate: store.set(playback_rate=rate))
        ws, pane = self.workspace, self.queue_pane
        pane.current_changed.connect(lambda item_id: self.show_session(item_id or None))
        pane.open_requested.connect(self._open_row)
        pane.cancel_requested.connect(ws.runner.cancel)
        pane.retry_requested.connect(ws.retry)
        pane.remove_requested.connect(c.remove)
        ws.queue_model.dataChanged.connect(self._update_actions)
        for change in (ws.queue_model.dataChanged, ws.queue_model.rowsMoved):
            change.connect(self._update_empty_message)
        ws.session_created.connect(self._on_session_created)
        ws.job_started.connect(self._on_job_started)
        ws.speakers_identified.connect(self._on_speakers_identified)
        self.language_watch.doubted.connect(self._show_language_warning)
        self.language_banner.choose_model.connect(c.open_settings)
        self.language_banner.dismissed.connect(self.language_watch.dismiss)
        self.editor.export_audio_requested.connect(c.export_audio)
        ws.ranges_changed.connect(self._update_actions)
        self.editor.identify_speakers_requested.connect(
            lambda: ws.identify_speakers_again(self._current)
        )
        ws.runner.model_status.connect(self._model_label.setText)
        for source in (ws, self.player, self.editor, c, self.retranscribe):
            source.status_message.connect(self.show_status)
        self.player.error.connect(self.show_status)
        self.editor.seek_requested.connect(self._seek)
        self.player.position_changed.connect(self.editor.set_playback_position)
        self._drops.dropped.connect(c.open_paths)

    def _apply_view_settings(self, s: AppSettings) -> None:
        self.editor.set_low_confidence_threshold(s.low_confidence_threshold)
        self.editor.set_click_plays(s.click_plays)
        self.editor.set_auto_follow(s.follow_playback)
        self.preferences.set_settings(s)
        self.player.apply_settings(s)

    # -- public API ----------------------------------------------------------------------------
    @property
    def settings(self) -> AppSettings:
        """The settings in use (the store's)."""
        return self.store.current

    def current_session(self) -> FileSession | None:
        """The session shown in the editor, if any."""
        return self.workspace.session(self._current)

    def show_status(self, message: str) -> None:
        """Show a message in the status bar for a few seconds."""
        self.statusBar().showMessage(message, STATUS_MS)

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
        self.video.set_session(self.current_session())
        self.timeline.set_session(self.current_session())
        self._update_empty_message()
        self._show_language_warning()
        self.refresh_title()
        self._update_actions()

    # -- reacting ------------------------------------------------------------------------------
    def _update_empty_message(self, *args: object) -> None:
        # The pane tells the truth about a row without words: failed, cancelled, waiting.
        model = self.workspace.queue_model
        item = model.item(self._current) if self._current is not None else None
        ahead = queue_position(model.items(), item.id) if item is not None else 0
        self.editor.set_empty_message(empty_message(item, ahead))

    def _show_language_warning(self, *args: object) -> None:
        # English-only model, probably other speech (issue 17): said beside the transcript.
        self.language_banner.show_message(self._current, self.language_watch.message(self._current))

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

    def _on_speakers_identified(self, item_id: int, turns: Sequence[SpeakerTurn]) -> None:
        # One undo step that keeps every text edit (issue 12), in whichever transcript asked.
        session = self.workspace.session(item_id)
        if session is None:
            return
        if item_id == self._current:
            self.editor.apply_speaker_turns(speaker_spans(turns))
        else:
            push_edit(session.undo_stack, session.document, ApplySpeakerTurns(speaker_spans(turns)))

    def _open_row(self, item_id: int) -> None:
        self.show_session(item_id)
        self.editor.setFocus()

    def _cancel_running(self) -> None:
        if self.retranscribe.cancel():
            return  # the stretch asked for last goes first; a file it waited behind goes on
        running = self.workspace.runner.running_id
        if running is not None:
            self.workspace.runner.cancel(running)

    def _seek(self, ms: int) -> None:
        self.player.seek(ms, play=self.store.current.click_plays)

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
        a.cancel.setEnabled(self.workspace.runner.running_id is not None or self.retranscribe.busy)

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
        self.store.set(
            window_geometry=bytes(self.saveGeometry().data()),
            window_state=bytes(self._splitter.saveState().data()),
        )
        event.accept()
