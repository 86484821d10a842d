"""Turns the person's typing and gestures in the transcript view into edit commands.

Typing inside a segment changes the view at once and the document later: the block is *touched*
and committed as one `ReplaceSegmentText` when the caret leaves it, after a second without
typing, or before any other command, undo or save (`EditController.commit_pending`). Gestures
that change how text is split into segments never reach Qt's own editing: Enter splits,
Backspace at a segment's start and Delete at its end merge, and typing over (or deleting) a
selection across segments is one undo step.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor, QUndoStack

from editor.commands import (
    Command,
    DeleteSegments,
    MergeSegments,
    ReplaceSegmentText,
    SplitSegment,
)
from editor.document import Document
from editor.errors import EditorError
from editor.queries import word_spans
from editor.transcript import Segment
from ui.transcript.sync import BlockSync
from ui.transcript.undo import push_edit, push_edits
from ui.transcript.view import TranscriptView

__all__ = ["EditController", "split_index"]

log = logging.getLogger(__name__)

IDLE_COMMIT_MS = 1000
"""Typing is committed after this long without a keystroke."""

EDITING_GRACE_S = 2.5
"""After a keystroke, the view does not scroll to follow playback for this long."""

_LINE_BREAKS = re.compile(r"[\r\n\v\f\u2028\u2029]+")
_KEY = QKeySequence.StandardKey


def split_index(segment: Segment, offset: int) -> int | None:
    """The word a caret at ``offset`` splits ``segment`` before, or None at either end.

    A caret inside a word splits at the nearer end of the word.
    """
    for index, (start, end) in enumerate(word_spans(segment)):
        if offset <= start or (offset < end and offset - start < (end - start) / 2):
            return index if index > 0 else None
        if offset < end:
            return index + 1 if index + 1 < len(segment.words) else None
    return None


class EditController(QObject):
    """Edits a `Document` from the person's input in a `TranscriptView`, through its undo stack.

    Signals:
        status_message(str): A refusal or a fact to show in the status bar.
    """

    status_message = Signal(str)

    def __init__(self, view: TranscriptView, sync: BlockSync) -> None:
        """Handle ``view``'s input; ``sync`` mirrors the document into it."""
        super().__init__(view)
        self._view = view
        self._sync = sync
        self._document: Document | None = None
        self._stack: QUndoStack | None = None
        self._last_input = float("-inf")
        self._idle = QTimer(self, singleShot=True, interval=IDLE_COMMIT_MS)
        self._idle.timeout.connect(self._commit_idle)
        self._left = QTimer(self, singleShot=True, interval=0)
        self._left.timeout.connect(self._commit_left)
        sync.edited.connect(self._on_edited)
        view.cursorPositionChanged.connect(self._on_cursor_moved)
        view.focus_lost.connect(self.commit_pending)
        view.input_handler = self

    @property
    def document(self) -> Document | None:
        """The document edited (None when there is none)."""
        return self._document

    def attach(self, document: Document | None, stack: QUndoStack | None) -> None:
        """Edit ``document`` through ``stack`` from now on (pending typing is dropped)."""
        self._idle.stop()
        self._sync.untouch()
        self._document, self._stack = document, stack

    def editable(self) -> bool:
        """Whether there is something to edit."""
        return bool(self._document and self._stack and self._document.transcript.segments)

    def recently_active(self) -> bool:
        """Whether the person pressed a key in the view in the last couple of seconds."""
        return time.monotonic() - self._last_input < EDITING_GRACE_S

    def is_pending(self, block: int) -> bool:
        """Whether ``block`` has typing not committed to the document yet."""
        return block in self._sync.touched()

    def caret(self) -> tuple[int, int]:
        """The caret as (block number, offset in the block)."""
        cursor = self._view.textCursor()
        return cursor.blockNumber(), cursor.positionInBlock()

    def selected_blocks(self) -> tuple[int, int]:
        """The first and last block the selection touches (the caret's block when none)."""
        cursor = self._view.textCursor()
        doc = self._view.document()
        first = doc.findBlock(cursor.selectionStart()).blockNumber()
        last = doc.findBlock(cursor.selectionEnd()).blockNumber()
        return first, last

    def place_caret(self, block: int, offset: int = 0) -> None:
        """Put the caret at ``offset`` in ``block`` (clamped) and scroll it into view."""
        doc = self._view.document()
        target = doc.findBlockByNumber(max(0, min(block, doc.blockCount() - 1)))
        cursor = QTextCursor(target)
        cursor.setPosition(target.position() + max(0, min(offset, target.length() - 1)))
        self._view.setTextCursor(cursor)
        self._view.ensureCursorVisible()

    # -- commands --------------------------------------------------------------------------------
    def push(self, command: Command) -> bool:
        """Commit pending typing, then do ``command`` as an undo step; report a refusal."""
        self.commit_pending()
        return self._push([command], command.label)

    def push_many(self, label: str, commands: Sequence[Command]) -> bool:
        """Commit pending typing, then do ``commands`` in order as one undo step."""
        self.commit_pending()
        return self._push(commands, label)

    def commit_pending(self) -> None:
        """Turn the typing not yet in the document into commands (one undo step)."""
        self._idle.stop()
        self._commit(self._sync.touched())

    def undo(self) -> None:
        """Commit pending typing, then undo the last step and show where it happened."""
        self._step(undo=True)

    def redo(self) -> None:
        """Redo the last undone step and show where it happened."""
        self._step(undo=False)

    def split_at_caret(self) -> None:
        """Split the caret's segment between the words around the caret."""
        self.commit_pending()
        if not self.editable():
            return
        block, offset = self.caret()
        assert self._document is not None
        index = split_index(self._document.transcript.segments[block], offset)
        if index is None:
            self.status_message.emit("Put the caret between two words to split the segment.")
        elif self._push([SplitSegment(block, index)], "Split segment"):
            self.place_caret(block + 1, 0)

    def merge_with_previous(self) -> None:
        """Merge the caret's segment into the one before it."""
        self.commit_pending()
        block = self.caret()[0]
        if not self.editable() or block == 0:
            self.status_message.emit("The first segment has no segment before it.")
            return
        assert self._document is not None
        join = len(self._document.transcript.segments[block - 1].text)
        if self._push([MergeSegments(block - 1)], "Merge segments"):
            self.place_caret(block - 1, join)

    def merge_with_next(self) -> None:
        """Merge the segment after the caret's into it."""
        self.commit_pending()
        if not self.editable():
            return
        block, offset = self.caret()
        if self._push([MergeSegments(block)], "Merge segments"):
            self.place_caret(block, offset)

    def delete_segments(self) -> None:
        """Delete the selected segments (the caret's one when nothing is selected)."""
        self.commit_pending()
        if not self.editable():
            return
        first, last = self.selected_blocks()
        if self._push([DeleteSegments(first, last)], "Delete segments"):
            self.place_caret(first, 0)

    # -- input handler (called by the view) --------------------------------------------------
    def key_pressed(self, event: QKeyEvent) -> bool:
        """Handle the keys that are commands; True when handled."""
        self._last_input = time.monotonic()
        if event.matches(_KEY.Undo) or event.matches(_KEY.Redo):
            self._step(undo=event.matches(_KEY.Undo))
            return True
        if self._view.isReadOnly():
            return False
        cursor = self._view.textCursor()
        across = self._spans_blocks(cursor)
        key = event.key()
        backward = key == Qt.Key.Key_Backspace or event.matches(_KEY.DeleteStartOfWord)
        forward = key == Qt.Key.Key_Delete or event.matches(_KEY.DeleteEndOfWord)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.delete_selection()
            self.split_at_caret()
        elif event.matches(_KEY.DeleteCompleteLine):
            pass  # it would delete a line break: not an edit of one segment
        elif across and (backward or forward or event.matches(_KEY.Cut)):
            self.cut_selection() if event.matches(_KEY.Cut) else self._replace_selection("")
        elif backward and not cursor.hasSelection() and cursor.atBlockStart():
            self._join(forward=False)
        elif forward and not cursor.hasSelection() and cursor.atBlockEnd():
            self._join(forward=True)
        elif across and event.text() and event.text().isprintable():
            self._replace_selection(event.text())
        else:
            return False
        return True

    def paste(self, text: str) -> None:
        """Insert ``text`` at the caret, its line breaks turned into spaces."""
        flat = _LINE_BREAKS.sub(" ", text)
        if self._spans_blocks(self._view.textCursor()):
            self._replace_selection(flat)
        elif flat:
            self._view.insertPlainText(flat)

    def cut_selection(self) -> None:
        """Copy the selection to the clipboard and delete it."""
        self._view.copy()
        self.delete_selection()

    def delete_selection(self) -> None:
        """Delete the selected text (one undo step when it spans segments)."""
        cursor = self._view.textCursor()
        if self._spans_blocks(cursor):
            self._replace_selection("")
        elif cursor.hasSelection():
            cursor.removeSelectedText()

    # -- private ---------------------------------------------------------------------------------
    def _push(self, commands: Sequence[Command], label: str) -> bool:
        if self._document is None or self._stack is None:
            return False
        try:
            if len(commands) == 1:
                return push_edit(self._stack, self._document, commands[0], self._report)
            return push_edits(self._stack, self._document, label, commands, self._report)
        except EditorError as e:
            self._report(str(e))
            return False

    def _report(self, message: str) -> None:
        self.status_message.emit(message[:1].upper() + message[1:])

    def _step(self, *, undo: bool) -> None:
        stack = self._stack
        if stack is None:
            return
        self.commit_pending()
        if not (stack.canUndo() if undo else stack.canRedo()):
            self.status_message.emit("Nothing to undo." if undo else "Nothing to redo.")
            return
        count = self._sync.change_count
        stack.undo() if undo else stack.redo()
        change = self._sync.last_change
        if change is None or count == self._sync.change_count or change.reset:
            return
        block = self.caret()[0]
        if not change.start <= block < change.start + max(change.inserted, 1):
            self.place_caret(change.start, 0)  # show the person what the step changed

    def _commit(self, blocks: Sequence[int]) -> None:
        """Commit the person's typing in ``blocks`` (numbers from the last one back)."""
        doc = self._document
        commands: list[Command] = []
        for block in blocks:
            self._sync.untouch(block)
            if doc is None or block >= len(doc.transcript.segments):
                continue
            text = self._view.document().findBlockByNumber(block).text()
            if text != doc.transcript.segments[block].text:
                commands.append(ReplaceSegmentText(block, text))
        if doc is None or not commands or self._push(commands, "Edit text"):
            return
        self._sync.rebuild(doc.transcript)  # refused: show the document as it is

    def _commit_idle(self) -> None:
        """Commit after a pause, except text the person is obviously still typing."""
        caret = self.caret()[0]
        blocks = []
        for block in self._sync.touched():
            text = self._view.document().findBlockByNumber(block).text()
            if block != caret or text == _LINE_BREAKS.sub(" ", text).strip():
                blocks.append(block)
        self._commit(blocks)

    def _commit_left(self) -> None:
        caret = self.caret()[0]
        self._commit([b for b in self._sync.touched() if b != caret])

    def _on_edited(self, _block: int) -> None:
        self._last_input = time.monotonic()
        self._idle.start()

    def _on_cursor_moved(self) -> None:
        if not self._sync.syncing and any(b != self.caret()[0] for b in self._sync.touched()):
            self._left.start()

    def _join(self, *, forward: bool) -> None:
        """Backspace at a segment's start or Delete at its end: merge (or drop an emptied one)."""
        block = self.caret()[0]
        if block in self._sync.touched() and not self._view.textCursor().block().text().strip():
            self.commit_pending()  # the emptied segment is deleted by the command
            if not forward and block > 0:
                previous = self._view.document().findBlockByNumber(block - 1)
                self.place_caret(block - 1, len(previous.text()))
            return
        if forward:
            self.merge_with_next()
        else:
            self.merge_with_previous()

    def _replace_selection(self, typed: str) -> None:
        """Replace a selection that spans blocks by ``typed``, as one undo step."""
        self.commit_pending()
        cursor = self._view.textCursor()
        if not self._spans_blocks(cursor):
            cursor.insertText(typed)
            self._view.setTextCursor(cursor)
            return
        doc = self._view.document()
        first_block = doc.findBlock(cursor.selectionStart())
        last_block = doc.findBlock(cursor.selectionEnd())
        first, last = first_block.blockNumber(), last_block.blockNumber()
        head = first_block.text()[: cursor.selectionStart() - first_block.position()] + typed
        tail = last_block.text()[cursor.selectionEnd() - last_block.position() :]
        commands: list[Command] = [ReplaceSegmentText(last, tail)]
        if last - first > 1:
            commands.append(DeleteSegments(first + 1, last - 1))
        commands.append(ReplaceSegmentText(first, head))
        label = "Type over selection" if typed else "Delete selection"
        if self._push(commands, label):
            self.place_caret(first, len(head.rstrip()) if head.strip() else 0)

    @staticmethod
    def _spans_blocks(cursor: QTextCursor) -> bool:
        if not cursor.hasSelection():
            return False
        doc = cursor.document()
        return doc.findBlock(cursor.selectionStart()) != doc.findBlock(cursor.selectionEnd())
