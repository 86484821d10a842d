"""Find matches on screen only: the highlight layer of a long transcript stays small.

`QPlainTextEdit.setExtraSelections` costs about 0.3 ms per selection, to add and again to clear:
"the" in a 3-hour meeting (thousands of matches) blocked the window 1.6-2.2 s per key (issue
17, item 10). `MatchLayer` keeps every match but turns only those in the blocks on screen (and
a screen above and below, so a small scroll shows them at once) into selections, again when
the view scrolls or resizes.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QTextBlock, QTextCharFormat
from PySide6.QtWidgets import QScrollBar, QTextEdit, QWidget

from editor.queries import Match

__all__ = ["MatchLayer"]

log = logging.getLogger(__name__)


class TranscriptView(Protocol):
    """What the layer needs of `ui.transcript.view.TranscriptView` (which owns the layer)."""

    colours: Any

    def visible_blocks(self) -> Iterator[tuple[QTextBlock, float, float]]: ...
    def firstVisibleBlock(self) -> QTextBlock: ...
    def verticalScrollBar(self) -> QScrollBar: ...
    def viewport(self) -> QWidget: ...
    def set_layer(self, name: str, selections: list[QTextEdit.ExtraSelection]) -> None: ...
    def selection_for(
        self, number: int, start: int, end: int, fmt: QTextCharFormat
    ) -> QTextEdit.ExtraSelection: ...


class MatchLayer(QObject):
    """The "matches" highlight layer of a `TranscriptView`, limited to what can be seen."""

    def __init__(self, view: TranscriptView, parent: QObject) -> None:
        """Follow ``view``'s scrolling and size."""
        super().__init__(parent)
        self._view = view
        self._matches: list[Match] = []
        self._segments: list[int] = []  # each match's segment, sorted (matches come in order)
        self._current: int | None = None
        self._shown: tuple[int, int, int | None] | None = None
        view.verticalScrollBar().valueChanged.connect(self.refresh)
        view.viewport().installEventFilter(self)

    def set_matches(self, matches: list[Match], current: int | None) -> None:
        """Highlight ``matches``, the ``current`` one more strongly."""
        self._matches = matches
        self._segments = [m.segment for m in matches]
        self._current = current
        self._shown = None
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A resized viewport shows other blocks."""
        if event.type() == QEvent.Type.Resize:
            self.refresh()
        return False

    def refresh(self, *args: object) -> None:
        """Rebuild the selections when the matches on screen changed."""
        first, last = self._visible_range()
        lo = bisect.bisect_left(self._segments, first)
        hi = bisect.bisect_right(self._segments, last)
        key = (lo, hi, self._current)
        if key == self._shown:
            return
        self._shown = key
        view = self._view
        plain, strong = QTextCharFormat(), QTextCharFormat()
        plain.setBackground(view.colours.match)
        strong.setBackground(view.colours.current_match)
        selections = [
            view.selection_for(
                m.segment, m.start_char, m.end_char, strong if i == self._current else plain
            )
            for i, m in enumerate(self._matches[lo:hi], start=lo)
        ]
        view.set_layer("matches", selections)

    def _visible_range(self) -> tuple[int, int]:
        if not self._matches:
            return 0, -1
        numbers = [block.blockNumber() for block, _, _ in self._view.visible_blocks()]
        if not numbers:
            first = self._view.firstVisibleBlock().blockNumber()
            numbers = [first, first]
        margin = max(len(numbers), 1)
        return numbers[0] - margin, numbers[-1] + margin
