"""The video pane above the transcript editor, and what drives it (issue 15).

`VideoArea` puts the `VideoPane` and the editor in a vertical splitter, which takes the
editor's place in the window. The pane shows only while the media has a picture (the player
says so: `VideoFollower.has_video_changed`) and View > Show Video is on; while hidden it gets
no frames, so an audio file or a hidden video costs no decoding. The subtitle over the picture
is the SRT export's cue at the playhead (`ui.video.cues`), laid out again off the UI thread
when the document or the export settings change (`ui.video.builder`) and found by bisection
at every playhead position. The picture's share of the height and the toggle are settings
(`AppSettings.video_share`, ``show_video``), saved when the person changes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QObject, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSplitter, QWidget

from editor.document import DocumentChange
from editor.subtitles import Cue
from editor.writers import ExportOptions
from ui.files.session import FileSession
from ui.playback.clock import Playback
from ui.settings import AppSettings, SettingsStore, to_export_options
from ui.video.builder import CueBuilder
from ui.video.cues import CueTrack
from ui.video.pane import VideoPane

__all__ = ["SAVE_DELAY_MS", "VideoArea", "video_shown"]

log = logging.getLogger(__name__)

#: A dragged splitter handle is saved once it rests this long (not on every pixel).
SAVE_DELAY_MS: Final = 500
_SHARE_STEPS: Final = 1000  # splitter sizes for a share while the splitter has no height


def video_shown(has_video: bool, settings: AppSettings) -> bool:
    """Whether the video pane shows: the media has a picture and the person wants to see it."""
    return has_video and settings.show_video


class VideoArea(QObject):
    """The vertical splitter [video pane; transcript editor] and its wiring.

    Attributes:
        pane: The picture and its subtitle.
        splitter: What the window shows where the editor was.
        toggle: View > Show Video.
    """

    def __init__(
        self,
        editor: QWidget,
        playback: Playback,
        store: SettingsStore,
        view_menu: QMenu,
        parent: QObject | None = None,
    ) -> None:
        """Put ``editor`` under a video pane fed by ``playback``; add the toggle to the menu."""
        super().__init__(parent)
        self._playback = playback
        self._store = store
        self._options: ExportOptions = to_export_options(store.current)
        self._session: FileSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._track = CueTrack()
        self._cue: Cue | None = None
        self._share = store.current.video_share
        self.pane = VideoPane()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.pane)
        self.splitter.addWidget(editor)
        # No stretch factors: Qt then scales both panes with the window, keeping the share.
        self.pane.hide()
        self.toggle = self._add_toggle(view_menu)
        self._builder = CueBuilder(self)
        self._builder.built.connect(self._on_built)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_share)
        self.splitter.splitterMoved.connect(self._on_moved)
        playback.video.has_video_changed.connect(lambda has: self._update())
        playback.position_changed.connect(self._show_time)
        store.changed.connect(self._on_settings)

    # -- public API ----------------------------------------------------------------------------
    def set_session(self, session: FileSession | None) -> None:
        """Show subtitles from ``session``'s document (None: no transcript)."""
        if session is self._session:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._session = session
        self._track, self._cue = CueTrack(), None
        self.pane.show_cue(None)
        if session is not None:
            self._unsubscribe = session.document.subscribe(self._on_document_changed)
        self._relayout()

    def is_shown(self) -> bool:
        """Whether the pane is shown (not hidden; its window may not be on screen yet)."""
        return not self.pane.isHidden()

    def track(self) -> CueTrack:
        """The cues the subtitle is taken from (empty until laid out, or while hidden)."""
        return self._track

    def wait_for_layout(self, timeout_ms: int = 5000) -> bool:
        """Wait for a layout running now (closing, tests)."""
        return self._builder.wait(timeout_ms)

    # -- building ------------------------------------------------------------------------------
    def _add_toggle(self, view_menu: QMenu) -> QAction:
        toggle = QAction("Show &Video", self)
        toggle.setCheckable(True)
        toggle.setChecked(self._store.current.show_video)
        toggle.setStatusTip("Show a video file's picture above the transcript, with subtitles.")
        toggle.triggered.connect(lambda checked: self._store.set(show_video=bool(checked)))
        view_menu.addSeparator()
        view_menu.addAction(toggle)
        return toggle

    # -- reacting ------------------------------------------------------------------------------
    def _update(self) -> None:
        shown = video_shown(self._playback.video.has_video(), self._store.current)
        if shown == self.is_shown():
            return
        log.debug("video pane %s", "shown" if shown else "hidden")
        self.pane.setVisible(shown)
        self._playback.video.set_output(self.pane.video_item if shown else None)
        if shown:
            self._apply_share()
        self._relayout()

    def _apply_share(self) -> None:
        # In pixels: sizes that do not add up to the splitter's height are not scaled.
        total = self.splitter.height() - self.splitter.handleWidth()
        total = total if total > 0 else _SHARE_STEPS
        picture = round(self._share * total)
        self.splitter.setSizes([picture, total - picture])

    def _relayout(self) -> None:
        # Laid out only while shown: an audio file's transcript needs no cues.
        if self._session is not None and self.is_shown():
            self._builder.request(self._session.document.transcript, self._options)
        else:
            self._builder.cancel()

    def _on_document_changed(self, change: DocumentChange) -> None:
        self._relayout()

    def _on_built(self, track: CueTrack) -> None:
        self._track = track
        self._cue = None
        self._show_time(self._playback.position())

    def _show_time(self, ms: int) -> None:
        cue = self._track.at(ms)
        if cue is not self._cue:
            self._cue = cue
            self.pane.show_cue(cue)

    def _on_settings(self, settings: AppSettings) -> None:
        with QSignalBlocker(self.toggle):
            self.toggle.setChecked(settings.show_video)
        options = to_export_options(settings)
        if options != self._options:
            self._options = options
            self._relayout()
        self._update()

    def _on_moved(self, pos: int, index: int) -> None:
        sizes = self.splitter.sizes()
        if self.is_shown() and sum(sizes) > 0:
            share = min(max(sizes[0] / sum(sizes), 0.1), 0.9)  # the range settings accept
            self._share = round(share, 3)
            self._save_timer.start()

    def _save_share(self) -> None:
        self._store.set(video_share=self._share)
