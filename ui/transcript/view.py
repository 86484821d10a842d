"""The transcript's text widget: one ``QPlainTextEdit`` whose blocks are the segments.

This module draws and hit-tests; it holds no edit rule. Keys, pastes and clicks that would
change the block structure go to an `InputHandler` (`ui.transcript.editing.EditController`),
which turns them into commands. Highlights (the spoken word, find matches, the caret's segment)
are ``ExtraSelection`` layers: changing one repaints a few pixels and never lays text out again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit, QToolTip, QWidget

from editor.queries import Match, word_spans
from editor.transcript import Segment, Transcript
from ui.transcript.gutter import Gutter
from ui.transcript.layout import SpacedLayout
from ui.transcript.match_layer import MatchLayer
from ui.transcript.style import Colours, colours_for, precise_clock

__all__ = ["InputHandler", "TranscriptView"]

log = logging.getLogger(__name__)

_FOLLOW_MARGIN = 0.25  # the followed word is brought to this fraction of the height from the top
_TEXT_SCALE = 1.15  # the transcript reads a little larger than the window's other text
_GAP = 0.6  # space between segments, in lines (wrapped lines of one segment sit closer)
_TURN_GAP = 1.1  # space where the speaker changes, in lines


class InputHandler(Protocol):
    """What the view asks before the person's input changes its text."""

    def key_pressed(self, event: QKeyEvent) -> bool:
        """Handle a key press; True when handled (the view does nothing more)."""

    def paste(self, text: str) -> None:
        """Insert pasted or dropped text at the caret."""

    def cut_selection(self) -> None:
        """Copy the selection to the clipboard and delete it."""

    def delete_selection(self) -> None:
        """Delete the selection."""


class TranscriptView(QPlainTextEdit):
    """Shows a transcript, one segment per block, with a time gutter.

    Signals:
        word_clicked(int, int): A plain click landed on a word (segment, word).
        time_clicked(int): A segment's start time in the gutter was clicked.
        speaker_clicked(int): A segment's speaker name in the gutter was clicked.
        scrolled(): The scroll position changed (the person scrolled, or the caret moved).
        focus_lost(): The view lost the keyboard focus.
        colours_changed(): The palette changed; `colours` are new.
    """

    word_clicked = Signal(int, int)
    time_clicked = Signal(int)
    speaker_clicked = Signal(int)
    scrolled = Signal()
    focus_lost = Signal()
    colours_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty, read-only view."""
        super().__init__(parent)
        self.transcript: Transcript | None = None
        self._line_spacing = self.fontMetrics().lineSpacing()  # asked for per block: cached
        text = QTextDocument(self)
        text.setDocumentLayout(SpacedLayout(text, self._gap_after))
        self.setDocument(text)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * _TEXT_SCALE)
        self.setFont(font)
        self.input_handler: InputHandler | None = None
        self.colours: Colours = colours_for(self.palette())
        self.playback_segment: int | None = None
        self.empty_message = ""
        self.reserved_keys: set[str] = set()
        self._layers: dict[str, list[QTextEdit.ExtraSelection]] = {
            "caret": [],
            "matches": [],
            "playback": [],
        }
        self._programmatic_scroll = False
        self._press: QPoint | None = None
        self.setUndoRedoEnabled(False)  # undo is the document's QUndoStack, not Qt's
        self.setAcceptDrops(False)  # files dropped here go to the window (opening them)
        self.setReadOnly(True)
        self.setTabChangesFocus(True)  # a transcript has no use for tab characters
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.document().setDocumentMargin(14)
        self._gutter = Gutter(self)
        self._gutter.time_clicked.connect(self.time_clicked)
        self._gutter.speaker_clicked.connect(self.speaker_clicked)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self._update_caret_layer)
        self.verticalScrollBar().valueChanged.connect(self._on_scroll)
        self._match_layer = MatchLayer(self, self)
        self.refresh_gutter()

    # -- content ---------------------------------------------------------------------------------
    def segment(self, number: int) -> Segment | None:
        """The segment shown in block ``number``, or None."""
        if self.transcript is None or not 0 <= number < len(self.transcript.segments):
            return None
        return self.transcript.segments[number]

    def refresh_gutter(self) -> None:
        """Re-measure and repaint the gutter (speakers or the time range changed)."""
        self._gutter.update_metrics()
        shown = self.transcript is not None and bool(self.transcript.segments)
        self._gutter.setVisible(shown)
        self.setViewportMargins(self._gutter.total_width() if shown else 0, 0, 0, 0)
        self._gutter.setGeometry(self._gutter.area())
        self._gutter.update()

    def set_layer(self, name: str, selections: list[QTextEdit.ExtraSelection]) -> None:
        """Replace one highlight layer ("caret", "matches" or "playback") and repaint it."""
        self._layers[name] = selections
        self.setExtraSelections([s for layer in self._layers.values() for s in layer])

    def show_playback(self, spot: tuple[int, int] | None) -> None:
        """Highlight word ``spot`` = (segment, word) as the one being spoken (None: no word)."""
        previous = self.playback_segment
        self.playback_segment = spot[0] if spot else None
        selections = []
        segment = self.segment(spot[0]) if spot else None
        if spot is not None and segment is not None and spot[1] < len(segment.words):
            start, end = word_spans(segment)[spot[1]]
            fmt = QTextCharFormat()
            fmt.setBackground(self.colours.playback)
            selections.append(self.selection_for(spot[0], start, end, fmt))
        self.set_layer("playback", selections)
        if previous != self.playback_segment:
            self._gutter.update()

    def show_matches(self, matches: list[Match], current: int | None) -> None:
        """Highlight every find match (those on screen: `MatchLayer`), ``current`` strongly."""
        self._match_layer.set_matches(matches, current)

    # -- geometry --------------------------------------------------------------------------------
    def visible_blocks(self) -> Iterator[tuple[QTextBlock, float, float]]:
        """Each visible block with its top and height in viewport coordinates."""
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        bottom = self.viewport().height()
        while block.isValid() and top <= bottom:
            height = self.blockBoundingRect(block).height()
            if block.isVisible():
                yield block, top, height
            top += height
            block = block.next()

    def block_fully_visible(self, number: int) -> bool:
        """Whether block ``number`` lies wholly inside the viewport."""
        height = self.viewport().height()
        for block, top, block_height in self.visible_blocks():
            if block.blockNumber() == number:
                return top >= 0 and top + block_height <= height
        return False

    def scroll_to_block(self, number: int) -> None:
        """Scroll so block ``number`` is a little below the top (without moving the caret)."""
        block = self.document().findBlockByNumber(number)
        if not block.isValid():
            return
        lines = max(1, self.viewport().height() // max(1, self._line_spacing))
        target = max(0, block.firstLineNumber() - int(lines * _FOLLOW_MARGIN))
        with self.scrolling():
            self.verticalScrollBar().setValue(target)

    @contextmanager
    def scrolling(self) -> Iterator[None]:
        """Scroll from code: `scrolled` is not emitted meanwhile."""
        self._programmatic_scroll = True
        try:
            yield
        finally:
            self._programmatic_scroll = False

    def word_at(self, point: QPoint) -> tuple[int, int] | None:
        """The (segment, word) drawn under ``point`` (viewport coordinates), if any."""
        cursor = self.cursorForPosition(point)
        block = cursor.block()
        segment = self.segment(block.blockNumber())
        if segment is None or block.text() != segment.text:
            return None  # the person is typing here: the words are not what is shown
        offset = cursor.positionInBlock()
        for index, (start, end) in enumerate(word_spans(segment)):
            if start <= offset <= end:
                left = self._caret_rect(block, start)
                right = self._caret_rect(block, end)
                same_line = left.top() == right.top()
                inside = left.left() - 2 <= point.x() <= right.left() + 2
                if same_line and inside and left.top() <= point.y() <= left.bottom():
                    return block.blockNumber(), index
        return None

    # -- Qt overrides ----------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        """Let the app's shortcuts have their keys, and take undo/redo for the document."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Undo) or event.matches(
                QKeySequence.StandardKey.Redo
            ):
                event.accept()  # handled in keyPressEvent, through the document's undo stack
                return True
            combo = QKeySequence(event.keyCombination()).toString()
            if combo in self.reserved_keys:
                event.ignore()
                return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Offer the key to the input handler first (gestures that are commands)."""
        if self.input_handler is not None and self.input_handler.key_pressed(event):
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        """Paste plain text only, through the input handler (line breaks become spaces)."""
        if self.input_handler is not None and source.hasText():
            self.input_handler.paste(source.text())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Remember where a click started (a click that drags selects, it does not seek)."""
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A plain click (no drag, no selection) on a word: `word_clicked`."""
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        point = event.position().toPoint()
        if (
            event.button() != Qt.MouseButton.LeftButton
            or event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            or press is None
            or (point - press).manhattanLength() >= QApplication.startDragDistance()
            or self.textCursor().hasSelection()
        ):
            return
        hit = self.word_at(point)
        if hit is not None:
            self.word_clicked.emit(*hit)

    def viewportEvent(self, event: QEvent) -> bool:
        """Tooltips on words: when the word is spoken and how sure the model was."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self.word_at(event.pos())
            segment = self.segment(hit[0]) if hit else None
            if hit is None or segment is None:
                QToolTip.hideText()
                event.ignore()
                return True
            word = segment.words[hit[1]]
            QToolTip.showText(
                event.globalPos(),
                f"{precise_clock(word.start_ms)} – {precise_clock(word.end_ms)}"
                f" · {round(word.probability * 100)}% sure",
                self.viewport(),
            )
            return True
        return super().viewportEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Qt's menu, with cut/delete through the input handler and without Qt's undo."""
        menu = self.createStandardContextMenu(event.pos())
        for action in menu.actions():
            name = action.objectName()
            if name in ("edit-undo", "edit-redo"):
                menu.removeAction(action)
            elif name in ("edit-cut", "edit-delete") and self.input_handler is not None:
                replacement = menu.addAction(action.text())
                replacement.setEnabled(action.isEnabled())
                replacement.setShortcut(action.shortcut())
                handler = self.input_handler
                replacement.triggered.connect(
                    handler.cut_selection if name == "edit-cut" else handler.delete_selection
                )
                menu.insertAction(action, replacement)
                menu.removeAction(action)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Tell the editor (it commits the person's typing)."""
        super().focusOutEvent(event)
        self.focus_lost.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the gutter along the left edge."""
        super().resizeEvent(event)
        self._gutter.setGeometry(self._gutter.area())

    def changeEvent(self, event: QEvent) -> None:
        """Recompute the colours (light/dark switch) and the line spacing when they change."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._line_spacing = self.fontMetrics().lineSpacing()
        if event.type() == QEvent.Type.PaletteChange:
            self.colours = colours_for(self.palette())
            self._update_caret_layer()
            self._gutter.update()
            self.colours_changed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the text, or the empty state's message in the middle."""
        super().paintEvent(event)
        if not self.empty_message:
            return
        painter = QPainter(self.viewport())
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        painter.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        painter.drawText(
            area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_message
        )

    # -- private ---------------------------------------------------------------------------------
    def _gap_after(self, number: int) -> float:
        """Space below block ``number``: more where the next segment has another speaker."""
        segments = self.transcript.segments if self.transcript is not None else ()
        turn = number + 1 < len(segments) and (
            segments[number].speaker != segments[number + 1].speaker
        )
        return round(self._line_spacing * (_TURN_GAP if turn else _GAP))

    def selection_for(
        self, number: int, start: int, end: int, fmt: QTextCharFormat
    ) -> QTextEdit.ExtraSelection:
        """A highlight of characters ``start`` to ``end`` of block ``number``."""
        block = self.document().findBlockByNumber(number)
        length = max(0, block.length() - 1)
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + min(start, length))
        cursor.setPosition(block.position() + min(end, length), QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        return selection

    def _caret_rect(self, block: QTextBlock, offset: int) -> QRect:
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + offset)
        return self.cursorRect(cursor)

    def _update_caret_layer(self) -> None:
        """Tint the segment the caret is in (only while there is something to edit)."""
        selections = []
        if not self.isReadOnly() and not self.textCursor().hasSelection():
            fmt = QTextCharFormat()
            fmt.setBackground(self.colours.current_segment)
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
            block = self.textCursor().block()
            # The whole block, so every wrapped line of the segment is tinted.
            selections.append(self.selection_for(block.blockNumber(), 0, block.length(), fmt))
        if selections or self._layers["caret"]:
            self.set_layer("caret", selections)

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def _on_scroll(self) -> None:
        if not self._programmatic_scroll:
            self.scrolled.emit()
