"""A pure-Python model of the app's undo stack over `editor.commands`, for checking commands.

The app wraps the commands in a Qt ``QUndoStack``; nothing in the app or the ``transcribe``
command uses this class. Its users are the property tests of the commands (`tests/editor`),
which check undo and redo without Qt, so it follows the Qt stack's rules: pushing does the
command; typing merges into the command on top unless something was undone or saved since;
pushing after an undo drops what could have been redone; the document is clean when the stack
is back where it was at the last save.
"""

from __future__ import annotations

import logging

from editor.commands import NO_MERGE, Command
from editor.document import Document
from editor.errors import EditRejected

__all__ = ["History"]

log = logging.getLogger(__name__)


class History:
    """Undo and redo of the commands done on one document."""

    def __init__(self, doc: Document) -> None:
        """Start an empty history for ``doc``, whose current state counts as clean."""
        self._doc = doc
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are done, commands[index:] can be redone
        self._clean_index: int | None = 0  # None: the saved state can no longer be reached
        self._can_merge = False

    @property
    def document(self) -> Document:
        """The document the commands change."""
        return self._doc

    @property
    def index(self) -> int:
        """How many commands are done (the position in the stack)."""
        return self._index

    @property
    def count(self) -> int:
        """How many commands the stack holds, done or undone."""
        return len(self._commands)

    @property
    def can_undo(self) -> bool:
        """Whether there is a command to undo."""
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone command to redo."""
        return self._index < len(self._commands)

    @property
    def undo_label(self) -> str | None:
        """Label of the command `undo` would undo, or None."""
        return self._commands[self._index - 1].label if self.can_undo else None

    @property
    def redo_label(self) -> str | None:
        """Label of the command `redo` would redo, or None."""
        return self._commands[self._index].label if self.can_redo else None

    @property
    def clean(self) -> bool:
        """Whether the document is as it was at the last `set_clean` (no unsaved changes)."""
        return self._index == self._clean_index

    def set_clean(self) -> None:
        """Mark the current state as saved."""
        self._clean_index = self._index

    def push(self, cmd: Command) -> None:
        """Do ``cmd`` and record it, merged into the command on top when allowed.

        A command that changes nothing is not recorded (and leaves redo possible).

        Raises:
            EditRejected: The command does not fit the document (nothing is recorded).
            EditorError: Any other reason the command refuses (e.g. a bad search pattern).
        """
        cmd.do(self._doc)
        if not cmd.changed:
            return
        del self._commands[self._index :]
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None
        if self._merged(cmd):
            return
        self._commands.append(cmd)
        self._index += 1
        self._can_merge = True

    def _merged(self, cmd: Command) -> bool:
        """Merge ``cmd`` into the top command when allowed; drop the top if it ends a no-op."""
        if not self._can_merge or self._index == self._clean_index or cmd.merge_id == NO_MERGE:
            return False
        top = self._commands[-1]
        if top.merge_id != cmd.merge_id or not top.merge(cmd):
            return False
        if not top.changed:  # the edits cancelled out: nothing left to undo
            self._commands.pop()
            self._index -= 1
            self._can_merge = False
        log.debug("merged %s into the top command", cmd.label)
        return True

    def undo(self) -> None:
        """Undo the last done command.

        Raises:
            EditRejected: Nothing to undo, or the document changed in a way the command
                cannot undo (the history is then unchanged).
        """
        if not self.can_undo:
            raise EditRejected("there is nothing to undo")
        self._commands[self._index - 1].undo(self._doc)
        self._index -= 1
        self._can_merge = False

    def redo(self) -> None:
        """Redo the last undone command.

        Raises:
            EditRejected: Nothing to redo, or the command no longer fits the document.
        """
        if not self.can_redo:
            raise EditRejected("there is nothing to redo")
        self._commands[self._index].do(self._doc)
        self._index += 1
        self._can_merge = False

    def clear(self) -> None:
        """Forget every command; the current state counts as clean (e.g. after opening a file)."""
        self._commands.clear()
        self._index = 0
        self._clean_index = 0
        self._can_merge = False
