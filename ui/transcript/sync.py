"""Keeps the text blocks of a ``QPlainTextEdit`` equal to the segments of a `Document`.

Block number == segment index, always. A `DocumentChange` replaces only the blocks it names (a
streamed batch of segments adds blocks at the end), inside one edit block so Qt lays out and
highlights once. The person's caret and selection are kept where they were in the text they
were in, and the scroll position does not move because of a change elsewhere.

The person's own typing changes blocks too: such blocks are *touched* until the editor commits
them as commands (see `editor.commands.ReplaceSegmentText`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QSyntaxHighlighter, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from editor.document import DocumentChange
from editor.transcript import Transcript

__all__ = ["BlockSync"]

log = logging.getLogger(__name__)

# A caret end as (block number, offset in the block).
_Spot = tuple[int, int]


class BlockSync(QObject):
    """Mirrors document changes into a plain text edit and notices the person's own edits.

    Signals:
        edited(int): The person changed the text of a block (its number).
        structure_broken(): A native edit added or removed blocks; the caller must rebuild
            the view from the document.
    """

    edited = Signal(int)
    structure_broken = Signal()

    def __init__(self, view: QPlainTextEdit) -> None:
        """Watch ``view``'s text document."""
        super().__init__(view)
        self._view = view
        self._text = view.document()
        self._syncing = False
        self._touched: set[int] = set()
        self._blocks = self._text.blockCount()
        self._text.contentsChange.connect(self._on_contents_change)
        # Rehighlights blocks whose text stayed but whose words changed (set by the owner).
        self.highlighter: QSyntaxHighlighter | None = None
        # The last change mirrored, and how many there were (the editor reveals an undo's).
        self.last_change: DocumentChange | None = None
        self.change_count = 0

    @property
    def syncing(self) -> bool:
        """True while the view is being changed from the document (not by the person)."""
        return self._syncing

    def touched(self) -> list[int]:
        """Blocks the person edited since they were last committed, last first."""
        return sorted(self._touched, reverse=True)

    def untouch(self, block: int | None = None) -> None:
        """Forget the person's edits of ``block`` (of every block when None)."""
        if block is None:
            self._touched.clear()
        else:
            self._touched.discard(block)

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Change the view's text or formats without it counting as the person's edit."""
        outer = self._syncing
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = outer
            self._blocks = self._text.blockCount()

    def rebuild(self, transcript: Transcript | None, *, keep_place: bool = True) -> None:
        """Show ``transcript`` from scratch.

        Args:
            transcript: What to show (nothing when None).
            keep_place: Keep the caret's block and offset and the scroll position (the same
                document was reset); otherwise start at the top (another document).
        """
        cursor = self._view.textCursor()
        spot = _spot(cursor, cursor.position()) if keep_place else (0, 0)
        scroll = self._view.verticalScrollBar().value() if keep_place else 0
        self._touched.clear()
        with self.quiet():
            text = "\n".join(s.text for s in transcript.segments) if transcript else ""
            self._view.setPlainText(text)
            self._set_caret(spot, spot)
            self._view.verticalScrollBar().setValue(scroll)

    def apply(self, change: DocumentChange, transcript: Transcript) -> None:
        """Replace the blocks ``change`` names by the segments of ``transcript`` now there."""
        self.last_change = change
        self.change_count += 1
        if change.reset:
            self.rebuild(transcript)
            return
        cursor = self._view.textCursor()
        wanted = [
            _mapped(_spot(cursor, pos), change, transcript)
            for pos in (cursor.anchor(), cursor.position())
        ]
        scroll = self._view.verticalScrollBar().value()
        with self.quiet():
            self._splice(change, transcript)
            self._shift_touched(change)
            now = self._view.textCursor()
            if [_spot(now, now.anchor()), _spot(now, now.position())] != wanted:
                self._set_caret(*wanted)
                self._view.verticalScrollBar().setValue(scroll)

    def _splice(self, change: DocumentChange, transcript: Transcript) -> None:
        """Edit the text document's blocks like ``change`` edited the segments."""
        start, removed, inserted = change.start, change.removed, change.inserted
        segments = transcript.segments
        new = [s.text for s in segments[start : start + inserted]]
        old_count = len(segments) - inserted + removed
        doc = self._text
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        if removed == inserted:
            for offset, text in enumerate(new):
                block = doc.findBlockByNumber(start + offset)
                if block.text() != text:
                    _select_block_text(cursor, start + offset)
                    cursor.insertText(text)
        elif old_count == 0:
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.insertText("\n".join(new))
        elif removed == 0 and start < old_count:
            cursor.setPosition(doc.findBlockByNumber(start).position())
            cursor.insertText("\n".join(new) + "\n")
        elif removed == 0:
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText("\n" + "\n".join(new))
        elif inserted == 0:
            _select_blocks(cursor, start, start + removed, old_count)
            cursor.removeSelectedText()
        else:
            _select_block_text(cursor, start, start + removed - 1)
            cursor.insertText("\n".join(new))
        cursor.endEditBlock()
        if removed == inserted:
            # Same texts but other timings or confidences: only the shading may differ.
            for offset in range(inserted):
                self._rehighlight(start + offset)
        if doc.blockCount() != max(len(segments), 1):
            log.error("view has %d blocks for %d segments", doc.blockCount(), len(segments))

    def _rehighlight(self, block_number: int) -> None:
        if self.highlighter is not None:
            self.highlighter.rehighlightBlock(self._text.findBlockByNumber(block_number))

    def _shift_touched(self, change: DocumentChange) -> None:
        """Renumber the touched blocks after ``change``; blocks it replaced lose their edits."""
        end = change.start + change.removed
        shifted = set()
        for block in self._touched:
            if block < change.start:
                shifted.add(block)
            elif block >= end:
                shifted.add(block + change.inserted - change.removed)
            else:
                log.warning("uncommitted typing in block %d was replaced by an edit", block)
        self._touched = shifted

    def _set_caret(self, anchor: _Spot, position: _Spot) -> None:
        cursor = QTextCursor(self._text)
        cursor.setPosition(self._position(anchor))
        cursor.setPosition(self._position(position), QTextCursor.MoveMode.KeepAnchor)
        self._view.setTextCursor(cursor)

    def _position(self, spot: _Spot) -> int:
        """The document position of a spot, clamped to the blocks there are."""
        block = self._text.findBlockByNumber(min(spot[0], self._text.blockCount() - 1))
        return block.position() + max(0, min(spot[1], block.length() - 1))

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        if self._syncing:
            return
        if self._text.blockCount() != self._blocks:
            log.warning("a native edit changed the number of blocks: rebuilding the view")
            self._touched.clear()
            self.structure_broken.emit()
            return
        first = self._text.findBlock(position).blockNumber()
        last = self._text.findBlock(position + added).blockNumber()
        self._touched.update(range(first, max(first, last) + 1))
        self.edited.emit(first)


def _spot(cursor: QTextCursor, position: int) -> _Spot:
    block = cursor.document().findBlock(position)
    return block.blockNumber(), position - block.position()


def _mapped(spot: _Spot, change: DocumentChange, transcript: Transcript) -> _Spot:
    """Where a caret end at ``spot`` belongs after ``change``."""
    block, offset = spot
    start, removed, inserted = change.start, change.removed, change.inserted
    if block < start:
        return spot
    if block >= start + removed:
        return block + inserted - removed, offset
    count = len(transcript.segments)
    if inserted:  # in a replaced block: the same place in the block that took its place
        new_block = start + min(block - start, inserted - 1)
        return new_block, min(offset, len(transcript.segments[new_block].text))
    if start < count:  # the block is gone: the start of the one that followed it
        return start, 0
    if count:  # ... or the end of the one before it
        return count - 1, len(transcript.segments[count - 1].text)
    return 0, 0


def _select_block_text(cursor: QTextCursor, first: int, last: int | None = None) -> None:
    """Select the text of blocks ``first`` to ``last`` (inclusive), not the final separator."""
    doc = cursor.document()
    end_block = doc.findBlockByNumber(first if last is None else last)
    cursor.setPosition(doc.findBlockByNumber(first).position())
    cursor.setPosition(
        end_block.position() + end_block.length() - 1, QTextCursor.MoveMode.KeepAnchor
    )


def _select_blocks(cursor: QTextCursor, start: int, stop: int, count: int) -> None:
    """Select whole blocks ``start:stop`` with one separator, so removing them leaves none."""
    doc = cursor.document()
    if stop < count:  # from the start of the first to the start of the next kept block
        cursor.setPosition(doc.findBlockByNumber(start).position())
        cursor.setPosition(doc.findBlockByNumber(stop).position(), QTextCursor.MoveMode.KeepAnchor)
    elif start > 0:  # the last blocks: from the end of the block before them
        before = doc.findBlockByNumber(start - 1)
        cursor.setPosition(before.position() + before.length() - 1)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    else:
        cursor.select(QTextCursor.SelectionType.Document)
