"""Shades the words the model was unsure of, block by block.

A ``QSyntaxHighlighter`` only runs for blocks whose text changed (and once for all blocks when a
transcript is loaded); a change of threshold or of colours rehighlights everything once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat, QTextDocument

from editor.queries import word_spans
from editor.transcript import Segment

__all__ = ["ConfidenceHighlighter"]

DEFAULT_THRESHOLD = 0.5
"""Words below this probability are shaded until the app's settings say otherwise."""


class ConfidenceHighlighter(QSyntaxHighlighter):
    """Shades words whose probability is below a threshold.

    The segment of a block comes from ``segment_of(block_number)``. A block whose text is not
    the segment's display text (the person is typing in it) is left plain: its character
    spans no longer line up with the words.
    """

    def __init__(
        self, document: QTextDocument, segment_of: Callable[[int], Segment | None]
    ) -> None:
        """Highlight ``document`` using ``segment_of`` to find each block's segment."""
        super().__init__(document)
        self._segment_of = segment_of
        self._threshold = DEFAULT_THRESHOLD
        self._format = QTextCharFormat()

    @property
    def threshold(self) -> float:
        """Words with a probability below this are shaded."""
        return self._threshold

    def configure(self, threshold: float, char_format: QTextCharFormat) -> None:
        """Set the threshold and the shading format (the caller rehighlights)."""
        self._threshold = threshold
        self._format = char_format

    def highlightBlock(self, text: str) -> None:
        """Shade the doubtful words of the current block (Qt calls this per changed block)."""
        segment = self._segment_of(self.currentBlock().blockNumber())
        if segment is None or segment.text != text:
            return
        for (start, end), word in zip(word_spans(segment), segment.words, strict=True):
            if word.probability < self._threshold:
                self.setFormat(start, end - start, self._format)
