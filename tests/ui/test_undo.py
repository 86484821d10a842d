"""ui.transcript.undo: editor commands on a real QUndoStack (push, merge, undo/redo, refusals)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack
from transcript_helpers import plain_transcript

from editor.commands import (
    DeleteSegments,
    MergeSegments,
    ReplaceSegmentText,
    ReplaceWordText,
    SplitSegment,
)
from editor.document import Document
from editor.errors import EditorError, EditRejected
from editor.transcript import Segment, Transcript, Word
from ui.transcript.undo import EditorMacroCommand, EditorUndoCommand, push_edit, push_edits

TEXTS = ["alpha beta gamma", "delta epsilon", "zeta eta theta"]


@pytest.fixture
def document() -> Document:
    return Document(plain_transcript(TEXTS))


@pytest.fixture
def stack(qapp: object) -> QUndoStack:
    return QUndoStack()


def texts(document: Document) -> list[str]:
    return [s.text for s in document.transcript.segments]


def test_push_does_the_command_once_and_undo_redo_work(
    document: Document, stack: QUndoStack
) -> None:
    original = document.transcript
    assert push_edit(stack, document, SplitSegment(0, 1))
    assert texts(document) == ["alpha", "beta gamma", *TEXTS[1:]]  # done once, not twice
    assert stack.count() == 1
    assert stack.undoText() == "Split segment"
    stack.undo()
    assert document.transcript.segments == original.segments
    stack.redo()
    assert texts(document) == ["alpha", "beta gamma", *TEXTS[1:]]
    command = stack.command(0)
    assert isinstance(command, EditorUndoCommand)
    assert isinstance(command.command, SplitSegment)


def test_a_command_that_changes_nothing_is_not_pushed(
    document: Document, stack: QUndoStack
) -> None:
    assert not push_edit(stack, document, ReplaceSegmentText(0, TEXTS[0]))
    assert stack.count() == 0


def test_a_refused_command_raises_and_pushes_nothing(document: Document, stack: QUndoStack) -> None:
    with pytest.raises(EditorError):
        push_edit(stack, document, MergeSegments(2))  # the last segment has no next one
    assert stack.count() == 0
    assert texts(document) == TEXTS


def test_typing_in_one_word_merges_into_one_step(document: Document, stack: QUndoStack) -> None:
    original = document.transcript
    for text in ("b", "be", "bet", "beta!"):
        push_edit(stack, document, ReplaceWordText(0, 1, text))
    assert stack.count() == 1
    assert texts(document)[0] == "alpha beta! gamma"
    stack.undo()
    assert document.transcript.segments == original.segments


def test_typing_back_to_the_original_leaves_no_step(stack: QUndoStack) -> None:
    typed = Segment((Word("alpha", 0, 300), Word(" beta", 400, 700)))  # probability 1: typed
    document = Document(Transcript((typed,)))
    push_edit(stack, document, ReplaceWordText(0, 1, "bet"))
    push_edit(stack, document, ReplaceWordText(0, 1, "beta"))
    assert stack.count() == 0
    assert document.transcript.segments == (typed,)


def test_no_merge_across_an_undo_or_a_save(document: Document, stack: QUndoStack) -> None:
    push_edit(stack, document, ReplaceWordText(0, 0, "Alpha"))
    push_edit(stack, document, ReplaceWordText(1, 0, "Delta"))
    stack.undo()
    push_edit(stack, document, ReplaceWordText(0, 0, "ALPHA"))  # same word as the step below
    assert stack.count() == 2
    stack.setClean()
    push_edit(stack, document, ReplaceWordText(0, 0, "AlPhA"))
    assert stack.count() == 3  # the saved state stays reachable
    stack.undo()
    assert stack.isClean()
    assert texts(document)[0] == "ALPHA beta gamma"


def test_several_commands_are_one_step(document: Document, stack: QUndoStack) -> None:
    original = document.transcript
    commands = [ReplaceSegmentText(2, "theta"), DeleteSegments(1, 1), ReplaceSegmentText(0, "a")]
    assert push_edits(stack, document, "Delete selection", commands)
    assert texts(document) == ["a", "theta"]
    assert stack.count() == 1
    assert stack.undoText() == "Delete selection"
    assert isinstance(stack.command(0), EditorMacroCommand)
    stack.undo()
    assert document.transcript.segments == original.segments
    stack.redo()
    assert texts(document) == ["a", "theta"]


def test_several_commands_apply_all_or_nothing(document: Document, stack: QUndoStack) -> None:
    original = document.transcript
    with pytest.raises(EditRejected):
        push_edits(stack, document, "Bad", [ReplaceSegmentText(0, "a"), MergeSegments(5)])
    assert document.transcript.segments == original.segments
    assert stack.count() == 0
    assert not push_edits(stack, document, "Nothing", [ReplaceSegmentText(0, TEXTS[0])])
    assert stack.count() == 0


def test_a_refused_undo_is_reported_and_dropped(document: Document, stack: QUndoStack) -> None:
    messages: list[str] = []
    push_edit(stack, document, DeleteSegments(2, 2), messages.append)
    # Transcription streams in words over the time of the deleted segment...
    deleted_start = plain_transcript(TEXTS).segments[2].start_ms
    late = Segment((Word(" late", deleted_start + 10, deleted_start + 400),))
    document.append_segments([late])
    before = document.transcript
    stack.undo()  # ... so the deleted segment cannot come back: refused, never raised
    assert document.transcript is before
    assert len(messages) == 1
    assert messages[0].startswith("Cannot undo “Delete segments”")
    assert stack.count() == 0  # the step that cannot be undone is gone from the stack
