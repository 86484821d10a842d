"""The waveform timeline in the main window, and what it is wired to (issue 15).

`TimelineArea` owns the `TimelineView` the window lays out between the transcript and the player
bar, and connects it: the playhead and the recording's length come from the player, a click in
the timeline seeks the player, a word clicked in the transcript brings the timeline back to the
playhead; the editor's selection is highlighted as a time range, and a range dragged in the
timeline selects its words in the editor. Edges dragged in the timeline are edits of the shown
session's document, pushed on its undo stack after the editor's pending typing is committed.
View > Show Waveform hides it (`AppSettings.show_timeline`); hidden, it computes nothing.
Waveforms are cached in a ``waveforms`` folder beside the autosaves.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QSignalBlocker
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from ui.files.session import FileSession
from ui.files.workspace import Workspace
from ui.playback.player_bar import PlayerBar
from ui.settings import AppSettings, SettingsStore
from ui.timeline.items import TimeIndex
from ui.timeline.view import TimelineView
from ui.transcript import TranscriptEditor

__all__ = ["TimelineArea", "waveform_cache_dir"]

log = logging.getLogger(__name__)


def waveform_cache_dir(autosave_dir: Path) -> Path:
    """Where waveforms are cached: ``waveforms`` beside the autosave folder (the app data)."""
    return autosave_dir.parent / "waveforms"


class TimelineArea(QObject):
    """The timeline and its wiring; see the module docstring.

    Attributes:
        view: The widget the window lays out.
        toggle: View > Show Waveform.
    """

    def __init__(
        self,
        editor: TranscriptEditor,
        player: PlayerBar,
        store: SettingsStore,
        view_menu: QMenu,
        workspace: Workspace,
        parent: QObject | None = None,
    ) -> None:
        """Wire a new timeline to ``editor`` and ``player``; add its toggle to ``view_menu``.

        ``workspace`` says where the app keeps its data (the cache goes beside its autosaves).
        """
        super().__init__(parent)
        self._editor, self._player, self._store = editor, player, store
        self._session: FileSession | None = None
        self.view = TimelineView(waveform_cache_dir(workspace.project_io.autosave_dir))
        self.view.before_edit = editor.commit_pending
        self.toggle = QAction("Show &Waveform", self)
        self.toggle.setCheckable(True)
        self.toggle.setStatusTip(
            "Show the recording's waveform and the words on it, to retime them."
        )
        self.toggle.triggered.connect(lambda checked: store.set(show_timeline=bool(checked)))
        view_menu.addAction(self.toggle)
        player.position_changed.connect(self.view.set_position)
        player.duration_changed.connect(self.view.set_duration)
        self.view.seek_requested.connect(player.seek)
        editor.seek_requested.connect(lambda ms: self.view.follow_playback())
        editor.selection_changed.connect(self._show_editor_selection)
        self.view.range_selected.connect(self._select_words)
        # The editor's status channel is the window's status bar.
        self.view.status_message.connect(editor.status_message)
        store.changed.connect(self._on_settings)
        self._on_settings(store.current)

    def set_session(self, session: FileSession | None) -> None:
        """Show ``session``'s recording and transcript (None: nothing)."""
        if session is self._session:
            return
        self._session = session
        if session is None:
            self.view.set_document(None, None)
            self.view.set_media(None)
            return
        self.view.set_document(session.document, session.undo_stack)
        self.view.set_media(session.media_path)
        self.view.set_duration(self._player.duration())
        self.view.set_position(self._player.position())

    # -- reacting --------------------------------------------------------------------------------
    def _show_editor_selection(self) -> None:
        self.view.set_selection(self._editor.selection_span())

    def _select_words(self, start_ms: int, end_ms: int) -> None:
        document = self._editor.document()
        if document is None:
            return
        words = TimeIndex(document.transcript).words_within(start_ms, end_ms)
        if words is not None:
            self._editor.select_words(*words)

    def _on_settings(self, settings: AppSettings) -> None:
        with QSignalBlocker(self.toggle):
            self.toggle.setChecked(settings.show_timeline)
        # Shown with the window once laid out; showing it before would open it as a window.
        if self.view.parentWidget() is not None or not settings.show_timeline:
            self.view.setVisible(settings.show_timeline)
        self.view.set_auto_follow(settings.follow_playback)
