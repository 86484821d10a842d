"""The timeline widget: the recording's waveform with the transcript's segments and words on it.

Mouse and keys (as Audacity and Subtitle Edit users expect them):
- click: move the playhead there; drag across the waveform: select that stretch (and its words
  in the transcript);
- drag a segment's edge (in the waveform strip) or a word's edge (in the word strip below it):
  retime it, clamped by its neighbours; one drag is one undo step;
- wheel (or Shift+wheel, or a sideways swipe): scroll; Ctrl+wheel: zoom around the pointer;
- with the timeline focused: Left/Right scroll, Page Up/Down turn a page, Home/End, + and -
  zoom around the playhead, 0 fits the whole recording (`ui.timeline.keys`).

The widget follows the playhead, turning a page when it reaches the right edge, unless the
person scrolled in the last `FOLLOW_GRACE_S` or scrolled it out of sight (it follows again once
the playhead is back in view or after a seek). It repaints only what changed: a moving playhead
repaints the pixels it leaves and enters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
    QUndoStack,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from editor.document import Document, DocumentChange
from editor.errors import EditorError
from ui.timeline.edges import Grip, drag_commands, drag_label, drag_limit, grip_at
from ui.timeline.geometry import ZOOM_STEP, Viewport
from ui.timeline.items import Lanes, TimeIndex
from ui.timeline.keys import key_zoom, scroll_step, scrolled_by_key
from ui.timeline.painting import Scene, TimelineColours, paint_scene
from ui.timeline.peak_loader import PeakLoader
from ui.transcript.undo import push_edits

__all__ = ["DEFAULT_PIXELS_PER_SECOND", "FOLLOW_GRACE_S", "TimelineView"]

log = logging.getLogger(__name__)

#: The first zoom: some 12 s in a 1,200 px window, words wide enough to read.
DEFAULT_PIXELS_PER_SECOND: Final = 100.0
#: After the person scrolls or zooms, playback leaves the view alone this long.
FOLLOW_GRACE_S: Final = 3.0
#: A press that moves less than this (pixels) is a click, not a drag.
DRAG_START_PX: Final = 3
HEIGHT: Final = 120


class TimelineView(QAbstractScrollArea):
    """The timeline; see the module docstring.

    Signals:
        seek_requested(int): The person clicked at this time (ms).
        range_selected(int, int): The person dragged across this stretch (start, end in ms).
        status_message(str): Something to tell the person (a refused edit, an undecodable file).
    """

    seek_requested = Signal(int)
    range_selected = Signal(int, int)
    status_message = Signal(str)

    def __init__(self, cache_dir: Path | None = None, parent: QWidget | None = None) -> None:
        """An empty timeline; ``cache_dir`` keeps computed waveforms (None: never cached)."""
        super().__init__(parent)
        self.loader = PeakLoader(cache_dir, self)
        self.before_edit: Callable[[], None] = lambda: None  # commits the editor's typing
        self._document: Document | None = None
        self._stack: QUndoStack | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._index: TimeIndex | None = None
        self._view = Viewport(DEFAULT_PIXELS_PER_SECOND)
        self._zoom = DEFAULT_PIXELS_PER_SECOND  # the person's; a short recording may cap it
        self._media_duration = 0
        self._position = 0
        self._selection: tuple[int, int] | None = None
        self._follow, self._auto_follow, self._scrolled_at = True, True, 0.0
        self._press: tuple[float, Grip | None] | None = None  # x and the edge caught
        self._dragging = False
        self._grip: Grip | None = None  # hovered or dragged
        self._grip_ms: int | None = None  # the dragged edge's preview
        self._syncing_bar = False
        self._colours = TimelineColours.for_palette(self.palette())
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFixedHeight(HEIGHT)
        self.viewport().setMouseTracking(True)
        self.setToolTip(
            "Click to move the playhead, drag to select; drag an edge to retime it.\n"
            "Wheel scrolls, Ctrl+wheel zooms."
        )
        self.horizontalScrollBar().valueChanged.connect(self._on_scroll_value)
        self.loader.changed.connect(self._on_peaks)
        self.loader.failed.connect(self.status_message)

    # -- public API ------------------------------------------------------------------------------
    def set_document(self, document: Document | None, undo_stack: QUndoStack | None) -> None:
        """Show ``document``'s segments and words; drags push their edits onto ``undo_stack``."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._document, self._stack = document, undo_stack
        self._index, self._selection, self._press, self._grip = None, None, None, None
        if document is not None:
            self._unsubscribe = document.subscribe(self._on_document_changed)
        self._refresh_extent()

    def set_media(self, path: Path | None) -> None:
        """Draw ``path``'s waveform (computed in the background; None: none)."""
        if path != self.loader.media:
            self._media_duration = 0
            self._view = Viewport(DEFAULT_PIXELS_PER_SECOND, 0.0, self._view.width)
            self._zoom = DEFAULT_PIXELS_PER_SECOND
            self._follow = True
        # Hidden (the View menu's toggle, or not shown yet): computed once it is shown.
        self.loader.load(path, start=self.isVisible())
        self._refresh_extent()

    def set_duration(self, ms: int) -> None:
        """The recording's length as the player knows it."""
        self._media_duration = max(ms, 0)
        self._refresh_extent()

    def set_position(self, ms: int) -> None:
        """Move the playhead, turning the page when it leaves the view (see the docstring)."""
        old, self._position = self._position, ms
        view = self._view
        if not self._follow and view.contains(ms):
            self._follow = True  # the playhead came back into sight
        if (
            self._auto_follow
            and self._follow
            and not self._dragging
            and time.monotonic() - self._scrolled_at > FOLLOW_GRACE_S
        ):
            turned = view.following(ms)
            if turned != view:
                self._set_view(turned)
                return
        before, after = round(view.x_of(old)), round(view.x_of(ms))
        if before != after:
            height = self.viewport().height()
            self.viewport().update(QRect(before - 2, 0, 5, height))
            self.viewport().update(QRect(after - 2, 0, 5, height))

    def set_selection(self, span: tuple[int, int] | None) -> None:
        """Highlight the stretch ``span`` (start, end in ms), or nothing."""
        if span != self._selection and not self._dragging:
            self._selection = span
            self.viewport().update()

    def set_auto_follow(self, follow: bool) -> None:
        """Whether playback scrolls the timeline (the "Follow Playback" preference)."""
        self._auto_follow = follow

    def follow_playback(self) -> None:
        """Show the playhead and follow it again (after a seek from elsewhere)."""
        self._follow, self._scrolled_at = True, 0.0
        if not self._view.contains(self._position):
            self._set_view(self._view.around(self._position))

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom by ``factor`` around ``anchor_x`` (default: the playhead when in view)."""
        if anchor_x is None:
            x = self._view.x_of(self._position)
            anchor_x = x if 0 <= x <= self._view.width else self._view.width / 2
        self._set_view(self._view.zoomed(factor, anchor_x), by_person=True)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The highlighted stretch (start, end in ms), if any."""
        return self._selection

    @property
    def geometry_now(self) -> Viewport:
        """The zoom and scroll position shown."""
        return self._view

    @property
    def lanes(self) -> Lanes:
        """The strips of the timeline as laid out now."""
        return Lanes.for_height(self.viewport().height())

    # -- Qt overrides ----------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        """Wide, and `HEIGHT` tall."""
        return QSize(800, HEIGHT)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the dirty columns only (see `ui.timeline.painting`)."""
        rect, view = event.rect(), self._view
        area = Viewport(
            view.pixels_per_second, view.ms_at(rect.left()), rect.width(), view.duration_ms
        )
        painter = QPainter(self.viewport())
        painter.setClipRect(rect)
        painter.translate(rect.left(), 0)
        grip = self._grip if self._press is None or self._dragging else None
        paint_scene(
            painter,
            Scene(area, self.lanes, self._colours, self._index_now(), self.loader.peaks,
                  self._position, self._selection, grip, self._grip_ms),
        )  # fmt: skip
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the zoom and start; the scroll bar follows the new width."""
        super().resizeEvent(event)
        self._set_view(self._view.resized(self.viewport().width(), zoom=self._zoom))

    def showEvent(self, event: QShowEvent) -> None:
        """Go on computing the waveform (it stops while hidden)."""
        super().showEvent(event)
        self.loader.resume()

    def hideEvent(self, event: QHideEvent) -> None:
        """Stop computing while hidden or closing (not when the window is only minimised)."""
        if not event.spontaneous():
            self.loader.stop()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """New colours with a new palette (a switch to dark mode)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colours = TimelineColours.for_palette(self.palette())
            self.viewport().update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Catch an edge, or start a click or a selection."""
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position()
        grip = self._grip_at(pos.x(), pos.y())
        self._press, self._dragging, self._grip, self._grip_ms = (pos.x(), grip), False, grip, None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Drag an edge or a selection; without a button, show which edge is under the pointer."""
        x = event.position().x()
        if self._press is None:
            grip = self._grip_at(x, event.position().y())
            if grip != self._grip:
                self._grip = grip
                cursor = Qt.CursorShape.SizeHorCursor if grip else Qt.CursorShape.ArrowCursor
                self.viewport().setCursor(cursor)
                self.viewport().update()
            return
        start_x, grip = self._press
        if not self._dragging and abs(x - start_x) < DRAG_START_PX:
            return
        self._dragging = True
        if grip is not None and self._document is not None:
            self._grip_ms = drag_limit(self._document.transcript, grip, self._view.ms_at(x))
        else:
            times = sorted((self._time_at(start_x), self._time_at(x)))
            self._selection = (times[0], times[1])
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Finish: retime the dragged edge, select the dragged stretch, or seek."""
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self.mouseMoveEvent(event)  # the release point counts, even without a move before it
        (_, grip), dragging = self._press, self._dragging
        self._press, self._dragging = None, False
        if dragging and grip is not None:
            self._finish_drag(grip)
        elif dragging and self._selection is not None:
            self.range_selected.emit(*self._selection)
        else:
            self._selection = None
            self._follow = True
            self.seek_requested.emit(self._time_at(event.position().x()))
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Scroll; with Ctrl, zoom around the pointer."""
        delta = event.angleDelta()
        steps = (delta.y() or delta.x()) / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if steps:
                self.zoom(ZOOM_STEP**steps, event.position().x())
        else:
            pixels = event.pixelDelta()
            moved = (
                -(pixels.x() or pixels.y())
                if not pixels.isNull()
                else -steps * scroll_step(self._view)
            )
            self._set_view(self._view.scrolled_by(moved), by_person=True)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Scroll and zoom keys (see `ui.timeline.keys`)."""
        key = Qt.Key(event.key())
        moved, factor = scrolled_by_key(self._view, key), key_zoom(key)
        if moved is not None:
            self._set_view(moved, by_person=True)
        elif factor is not None:
            self.zoom(factor)
        else:
            super().keyPressEvent(event)

    # -- private ---------------------------------------------------------------------------------
    def _time_at(self, x: float) -> int:
        ms = round(self._view.ms_at(x))
        end = self._view.duration_ms
        return max(0, min(ms, end) if end else ms)

    def _index_now(self) -> TimeIndex | None:
        if self._index is None and self._document is not None:
            self._index = TimeIndex(self._document.transcript)
        return self._index

    def _grip_at(self, x: float, y: float) -> Grip | None:
        index = self._index_now()
        return grip_at(index, self._view, self.lanes, x, y) if index is not None else None

    def _finish_drag(self, grip: Grip) -> None:
        new_ms, self._grip_ms = self._grip_ms, None
        if new_ms is None or self._document is None or self._stack is None:
            return
        commands = drag_commands(grip, new_ms)
        if not commands:
            return
        self.before_edit()
        try:
            push_edits(
                self._stack, self._document, drag_label(grip), commands, self.status_message.emit
            )
        except EditorError as e:
            self.status_message.emit(f"Cannot move that edge: {e}")
        self._grip = None

    def _on_document_changed(self, change: DocumentChange) -> None:
        self._index = None
        self._refresh_extent()
        self.viewport().update()

    def _on_peaks(self) -> None:
        self._refresh_extent()
        self.viewport().update()

    def _refresh_extent(self) -> None:
        """The scrollable length: the longest of the media, the peaks and the transcript."""
        transcript = self._document.transcript if self._document is not None else None
        peaks = self.loader.peaks
        duration = max(
            self._media_duration,
            peaks.duration_ms if peaks is not None and peaks.complete else 0,
            (transcript.duration_ms or transcript.end_ms) if transcript is not None else 0,
        )
        if duration != self._view.duration_ms:
            self._set_view(self._view.resized(self._view.width, duration, self._zoom))
        else:
            self.viewport().update()

    def _set_view(self, view: Viewport, *, by_person: bool = False) -> None:
        if by_person:
            self._zoom = view.pixels_per_second
            self._scrolled_at = time.monotonic()
            self._follow = view.contains(self._position)
        changed = view != self._view
        self._view = view
        bar = self.horizontalScrollBar()
        self._syncing_bar = True
        try:
            bar.setRange(0, view.scroll_maximum())
            bar.setPageStep(max(view.width, 1))
            bar.setSingleStep(max(round(scroll_step(self._view)), 1))
            bar.setValue(view.scroll_value())
        finally:
            self._syncing_bar = False
        if changed:
            self.viewport().update()

    def _on_scroll_value(self, value: int) -> None:
        if not self._syncing_bar:
            self._set_view(self._view.at_scroll_value(value), by_person=True)
