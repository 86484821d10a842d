"""The find / replace bar above the transcript.

Matches come from `editor.queries.find_matches` over the current transcript (recomputed when
the document changes while the bar is open) and are all highlighted in the view; next/previous
wrap around; replace one and replace all are single undo steps (`ReplaceMatch`, `ReplaceAll`).
Escape closes the bar while it has the focus (the player's Escape works everywhere else).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from editor.commands import ReplaceAll, ReplaceMatch
from editor.errors import SearchError
from editor.queries import Match, SearchQuery, find_matches
from ui.transcript.editing import EditController
from ui.transcript.style import is_dark
from ui.transcript.view import TranscriptView

__all__ = ["FindBar"]

log = logging.getLogger(__name__)

_REFRESH_MS = 120  # coalesces a burst of document changes (streaming) into one search
# On a long transcript, each key would search and paint every match of "t" before "th" (issue 17:
# 50 ms per interaction on 3 hours): the search waits until typing pauses. Short ones stay instant.
_TYPING_MS = 150
_LONG_SEGMENTS = 500  # about half an hour of speech


class FindBar(QFrame):
    """Find and replace in the transcript shown by a `TranscriptView`.

    Signals:
        closed(): The bar was closed (the view should take the focus back).
    """

    closed = Signal()

    def __init__(self, view: TranscriptView, edits: EditController, parent: QWidget) -> None:
        """A hidden bar searching ``view``'s transcript and replacing through ``edits``."""
        super().__init__(parent)
        self._view = view
        self._edits = edits
        self._matches: list[Match] = []
        self._current: int | None = None
        self._refresh_timer = QTimer(self, singleShot=True, interval=_REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._typing_timer = QTimer(self, singleShot=True, interval=_TYPING_MS)
        self._typing_timer.timeout.connect(self._on_query_changed)
        self.find_edit = _line_edit(self, "Find")
        self.replace_edit = _line_edit(self, "Replace with")
        self.case_button = _toggle(self, "Aa", "Match case")
        self.word_button = _toggle(self, "W", "Whole words only")
        self.regex_button = _toggle(self, ".*", "Regular expression (\\1 in the replacement)")
        self.count_label = QLabel(self)
        # A long error must not widen the bar: it is cut off, and whole in the tooltip.
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.replace_button = QPushButton("Replace", self)
        self.replace_all_button = QPushButton("Replace All", self)
        self._layout(
            _tool(self, "▲", "Previous match (Shift+Enter)", self.find_previous),
            _tool(self, "▼", "Next match (Enter)", self.find_next),
            _tool(self, "✕", "Close (Esc)", self.close_bar),
        )
        self.find_edit.textChanged.connect(self._on_text_typed)
        for button in (self.case_button, self.word_button, self.regex_button):
            button.toggled.connect(self._on_query_changed)
        self.replace_button.clicked.connect(self.replace_one)
        self.replace_all_button.clicked.connect(self.replace_all)
        for edit in (self.find_edit, self.replace_edit):
            edit.installEventFilter(self)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.hide()

    # -- public ----------------------------------------------------------------------------------
    def open(self, replace: bool = False) -> None:
        """Show the bar (with the replace row when ``replace``) and focus the find field.

        A selection inside one segment becomes the text to find.
        """
        cursor = self._view.textCursor()
        selected = cursor.selectedText()
        if selected and "\u2029" not in selected:
            self.find_edit.setText(selected)
        for widget in (self.replace_edit, self.replace_button, self.replace_all_button):
            widget.setVisible(replace)
        self.show()
        self.find_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_edit.selectAll()
        self.refresh()

    def close_bar(self) -> None:
        """Hide the bar and its highlights."""
        self.hide()
        self._typing_timer.stop()
        self._matches, self._current = [], None
        self._view.show_matches([], None)
        self.closed.emit()

    def query(self) -> SearchQuery:
        """The search the bar's fields describe."""
        return SearchQuery(
            self.find_edit.text(),
            case_sensitive=self.case_button.isChecked(),
            whole_word=self.word_button.isChecked(),
            regex=self.regex_button.isChecked(),
        )

    def matches(self) -> list[Match]:
        """The current matches, in transcript order."""
        return list(self._matches)

    def current(self) -> int | None:
        """The index of the match the bar points at, or None."""
        return self._current

    def document_changed(self) -> None:
        """The transcript changed: search again soon (only while the bar is open)."""
        if self.isVisible() and self.find_edit.text():
            self._refresh_timer.start()

    def refresh(self, start: tuple[int, int] | None = None) -> None:
        """Search again; the current match is the first at or after ``start`` (or the caret)."""
        self._refresh_timer.stop()
        document = self._edits.document
        error = ""
        try:
            self._matches = find_matches(document.transcript, self.query()) if document else []
        except SearchError as e:
            self._matches, error = [], str(e)
        if start is None:
            cursor = self._view.textCursor()
            block = self._view.document().findBlock(cursor.selectionStart())
            start = (block.blockNumber(), cursor.selectionStart() - block.position())
        after = [i for i, m in enumerate(self._matches) if (m.segment, m.start_char) >= start]
        self._current = after[0] if after else (0 if self._matches else None)
        self._render(error)

    def find_next(self) -> None:
        """Select the next match (wrapping to the first)."""
        self._step(1)

    def find_previous(self) -> None:
        """Select the previous match (wrapping to the last)."""
        self._step(-1)

    def replace_one(self) -> None:
        """Replace the current match, then go to the next one."""
        if self._current is None:
            self.refresh()
            if self._current is None:
                return
        match = self._matches[self._current]
        document = self._edits.document
        assert document is not None
        before = len(document.transcript.segments[match.segment].text)
        if not self._edits.push(ReplaceMatch(self.query(), match, self.replace_edit.text())):
            self.refresh()
            return
        segments = document.transcript.segments
        grown = len(segments[match.segment].text) - before if match.segment < len(segments) else 0
        self.refresh(start=(match.segment, match.end_char + grown))
        self._select_current()

    def replace_all(self) -> None:
        """Replace every match as one undo step and say how many there were."""
        command = ReplaceAll(self.query(), self.replace_edit.text())
        if self._edits.push(command):
            self._edits.status_message.emit(
                f"Replaced {command.count} match{'es' if command.count != 1 else ''}."
            )
        self.refresh()

    # -- Qt overrides ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the fields: Escape closes (before the player's shortcut), Enter searches."""
        if not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
            event.accept()  # the field gets the key press, not the app's Escape shortcut
            return True
        if event.type() != QEvent.Type.KeyPress:
            return False
        if key == Qt.Key.Key_Escape:
            self.close_bar()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and watched is self.find_edit:
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self.find_previous() if shift else self.find_next()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.replace_one()
        else:
            return False
        return True

    def paintEvent(self, event: QPaintEvent) -> None:
        """A hairline along the bottom edge separates the bar from the transcript."""
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setPen(self._view.colours.separator)
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)

    # -- private ---------------------------------------------------------------------------------
    def _layout(self, previous: QToolButton, following: QToolButton, close: QToolButton) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.find_edit, 0, 0)
        options = QHBoxLayout()
        options.setSpacing(2)
        for widget in (self.case_button, self.word_button, self.regex_button, previous, following):
            options.addWidget(widget)
        options.addSpacing(8)
        options.addWidget(self.count_label, 1)
        options.addWidget(close)
        grid.addLayout(options, 0, 1)
        grid.addWidget(self.replace_edit, 1, 0)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.replace_button)
        buttons.addWidget(self.replace_all_button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

    def _step(self, delta: int) -> None:
        if not self.isVisible():
            self.open(replace=self.replace_edit.isVisible())
        if self._typing_timer.isActive():  # Enter right after typing: search now
            self._on_query_changed()
        if not self._matches:
            self.refresh()
        if not self._matches:
            return
        selected = self._current is not None and self._is_selected(self._matches[self._current])
        if self._current is None:
            self._current = 0
        elif selected or delta < 0:
            self._current = (self._current + delta) % len(self._matches)
        self._select_current()

    def _on_text_typed(self) -> None:
        document = self._edits.document
        if document is not None and len(document.transcript.segments) > _LONG_SEGMENTS:
            self._typing_timer.start()
        else:
            self._on_query_changed()

    def _on_query_changed(self) -> None:
        """Search as the person types, showing the first match from the caret on."""
        self._typing_timer.stop()
        self.refresh()
        if self._matches:
            self._select_current()

    def _is_selected(self, match: Match) -> bool:
        cursor = self._view.textCursor()
        block = self._view.document().findBlockByNumber(match.segment)
        return (cursor.selectionStart(), cursor.selectionEnd()) == (
            block.position() + match.start_char,
            block.position() + match.end_char,
        )

    def _select_current(self) -> None:
        if self._current is None or not self._matches:
            self._render()
            return
        match = self._matches[self._current]
        block = self._view.document().findBlockByNumber(match.segment)
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + match.start_char)
        cursor.setPosition(block.position() + match.end_char, QTextCursor.MoveMode.KeepAnchor)
        self._view.setTextCursor(cursor)
        self._view.centerCursor()
        self._render()

    def _render(self, error: str = "") -> None:
        """Show the count (or the error, in red) and highlight the matches."""
        palette = self.count_label.palette()
        role = QPalette.ColorRole.WindowText
        if error:
            red = QColor(255, 120, 120) if is_dark(self.palette()) else QColor(190, 20, 20)
            palette.setColor(role, red)
            self.count_label.setText(error[:1].upper() + error[1:])
        else:
            palette.setColor(role, self.palette().color(QPalette.ColorRole.PlaceholderText))
            total = len(self._matches)
            if not self.find_edit.text():
                self.count_label.setText("")
            elif total == 0:
                self.count_label.setText("No matches")
            else:
                position = (self._current or 0) + 1
                self.count_label.setText(f"{position} of {total}")
        self.count_label.setPalette(palette)
        self.count_label.setToolTip(error)
        self._view.show_matches(self._matches, self._current)
        has = bool(self._matches)
        self.replace_button.setEnabled(has)
        self.replace_all_button.setEnabled(has)


def _line_edit(parent: QWidget, placeholder: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.setMinimumWidth(220)
    return edit


def _toggle(parent: QWidget, text: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setCheckable(True)
    button.setAutoRaise(True)
    return button


def _tool(parent: QWidget, text: str, tip: str, slot: object) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.clicked.connect(slot)
    return button
