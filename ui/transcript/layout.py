"""The text layout of the transcript view: Qt's plain-text layout plus space between segments.

``QPlainTextDocumentLayout`` ignores block margins, so segments would sit line against line. This
subclass makes each block's bounding rectangle taller by a gap (larger where the speaker
changes): the view paints, scrolls and hit-tests with these rectangles, and the text itself is
laid out exactly as before, so a taller gap costs nothing and never re-lays text out.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF
from PySide6.QtGui import QTextBlock, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout

__all__ = ["SpacedLayout"]


class SpacedLayout(QPlainTextDocumentLayout):
    """A plain-text layout that leaves ``gap_after(block_number)`` pixels below each block."""

    def __init__(self, document: QTextDocument, gap_after: Callable[[int], float]) -> None:
        """Lay out ``document``; ``gap_after`` gives the space below each block."""
        super().__init__(document)
        self._gap_after = gap_after

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:
        """Qt's rectangle for the block, taller by the gap below it."""
        rect = super().blockBoundingRect(block)
        if not block.isValid():
            return rect
        return rect.adjusted(0, 0, 0, self._gap_after(block.blockNumber()))
