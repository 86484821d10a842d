"""The Qt undo stack over `editor.commands`: ``QUndoCommand`` wrappers, `push_edit`, `push_edits`.

An edit command may refuse (`EditorError`), and Qt's ``QUndoStack.push`` has no way to say "that
failed". So the caller does the command first and pushes a wrapper only when it succeeded and
changed something; the wrapper skips the ``redo()`` that ``push`` calls at once. Later undos and
redos can still be refused (segments streamed in over the same time since): the wrapper catches
that, leaves the document as it was, drops itself from the stack (Qt removes an obsolete command
instead of moving past it) and reports the message, because an exception must never unwind
through Qt.

Several commands that make one gesture (deleting a selection across segments) become one step
with `push_edits`: all of them apply or none does, and no empty step is ever pushed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand, QUndoStack

from editor.commands import Command
from editor.document import Document
from editor.errors import EditorError

__all__ = ["EditorMacroCommand", "EditorUndoCommand", "ErrorReporter", "push_edit", "push_edits"]

log = logging.getLogger(__name__)

ErrorReporter = Callable[[str], None]
"""Receives a message a person can read when an undo or redo is refused."""


class _EditorStep(QUndoCommand):
    """The shared part: skip the first redo, catch refusals, report them."""

    def __init__(self, label: str, document: Document, on_error: ErrorReporter | None) -> None:
        super().__init__(label)
        self._document = document
        self._on_error = on_error
        self._skip_redo = True
        # Like `editor.history.History`: only a step that was just pushed, with nothing undone
        # or redone since, takes in the next one.
        self._merge_open = True

    def redo(self) -> None:
        """Do the step again (skipped the first time: it was done before it was pushed)."""
        if self._skip_redo:
            self._skip_redo = False
            return
        self._merge_open = False
        self._guarded(self._do, "redo")

    def undo(self) -> None:
        """Undo the step; a refusal is reported and the step dropped from the stack."""
        self._skip_redo = False
        self._merge_open = False
        self._guarded(self._undo, "undo")

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def _guarded(self, action: Callable[[], None], verb: str) -> None:
        try:
            action()
        except EditorError as e:
            log.warning("cannot %s %s: %s", verb, self.text(), e)
            self.setObsolete(True)
            if self._on_error is not None:
                self._on_error(f"Cannot {verb} “{self.text()}”: {e}")


class EditorUndoCommand(_EditorStep):
    """A ``QUndoCommand`` that delegates to one `editor.commands.Command` on a `Document`.

    The command must already be done when the wrapper is pushed (see `push_edit`): the first
    ``redo()`` call, the one ``QUndoStack.push`` makes, does nothing.
    """

    def __init__(
        self,
        command: Command,
        document: Document,
        on_error: ErrorReporter | None = None,
        *,
        mergeable: bool = True,
    ) -> None:
        """Wrap ``command`` (already done on ``document``).

        Args:
            command: The editor command, already done.
            document: The document it edits.
            on_error: Told, in words, when an undo or redo is refused.
            mergeable: Whether the step on top of the stack may take this one in.
        """
        super().__init__(command.label, document, on_error)
        self._command = command
        self._merge_open = mergeable

    @property
    def command(self) -> Command:
        """The wrapped editor command."""
        return self._command

    def id(self) -> int:
        """Qt's merge id: the command's `Command.merge_id` (-1 never merges)."""
        return self._command.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        """Absorb ``other`` (pushed right after this one) when the editor command agrees."""
        if not (
            isinstance(other, EditorUndoCommand)
            and other._document is self._document
            and self._merge_open
            and other._merge_open
        ):
            return False
        if not self._command.merge(other.command):
            return False
        self.setText(self._command.label)
        # The two edits took each other back: Qt drops an obsolete command after a merge.
        self.setObsolete(not self._command.changed)
        return True

    def _do(self) -> None:
        self._command.do(self._document)

    def _undo(self) -> None:
        self._command.undo(self._document)


class EditorMacroCommand(_EditorStep):
    """Several editor commands, already done in order, undone and redone as one step."""

    def __init__(
        self,
        label: str,
        commands: Sequence[Command],
        document: Document,
        on_error: ErrorReporter | None = None,
    ) -> None:
        """Wrap ``commands`` (already done on ``document``, in this order) as ``label``."""
        super().__init__(label, document, on_error)
        self._commands = tuple(commands)

    @property
    def commands(self) -> tuple[Command, ...]:
        """The wrapped editor commands, in the order they are done."""
        return self._commands

    def _do(self) -> None:
        _run_all(self._commands, self._document, undo=False)

    def _undo(self) -> None:
        _run_all(self._commands[::-1], self._document, undo=True)


def _run_all(commands: Sequence[Command], document: Document, *, undo: bool) -> None:
    """Do (or undo) every command in order; on a refusal, take back those already run."""
    ran: list[Command] = []
    try:
        for command in commands:
            (command.undo if undo else command.do)(document)
            ran.append(command)
    except EditorError:
        for command in reversed(ran):
            (command.do if undo else command.undo)(document)
        raise


def push_edit(
    stack: QUndoStack,
    document: Document,
    command: Command,
    on_error: ErrorReporter | None = None,
) -> bool:
    """Do ``command`` on ``document`` and push it onto ``stack`` when it changed something.

    Args:
        stack: The document's undo stack.
        document: The document the command edits.
        command: A fresh command, not yet done.
        on_error: Told, in words, when a later undo or redo of this command is refused.

    Returns:
        True when the document changed (and the stack got a new or merged step).

    Raises:
        EditorError: The command refused; the document and the stack are unchanged.
    """
    command.do(document)
    if not command.changed:
        log.debug("%s changed nothing: not pushed", command.label)
        return False
    # Something was undone since the last push: the new step must not merge into the one below.
    stack.push(EditorUndoCommand(command, document, on_error, mergeable=not stack.canRedo()))
    return True


def push_edits(
    stack: QUndoStack,
    document: Document,
    label: str,
    commands: Sequence[Command],
    on_error: ErrorReporter | None = None,
) -> bool:
    """Do ``commands`` in order and push them as one undo step named ``label``.

    Each command sees the document as the ones before it left it, so indices must be computed
    with that in mind (edit from the last segment back). Commands that change nothing are left
    out; when none changes anything, nothing is pushed.

    Returns:
        True when the document changed.

    Raises:
        EditorError: A command refused; those already done are undone, so the document and
            the stack are unchanged.
    """
    done: list[Command] = []
    try:
        for command in commands:
            command.do(document)
            done.append(command)
    except EditorError:
        for command in reversed(done):
            command.undo(document)
        raise
    changed = [c for c in done if c.changed]
    if not changed:
        return False
    if len(changed) == 1:
        stack.push(EditorUndoCommand(changed[0], document, on_error, mergeable=False))
    else:
        stack.push(EditorMacroCommand(label, changed, document, on_error))
    return True
