"""Editing in the transcript view: typing, gestures and selections become undoable commands."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent, QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from transcript_helpers import (
    assert_undo_restores,
    block_texts,
    caret,
    make_editor,
    plain_transcript,
    select,
    set_caret,
    view_of,
)

from editor.queries import word_spans
from ui.transcript.editing import split_index

TEXTS = ["the quick brown fox", "jumps over the lazy dog", "and runs away"]


def test_typing_then_leaving_the_block_is_one_undo_step(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    original = document.transcript
    view.setFocus()
    set_caret(view, 0, len("the quick"))
    qtbot.keyClicks(view, " little")  # "the quick little brown fox"
    assert block_texts(view)[0] == "the quick little brown fox"
    assert document.transcript is original  # not committed while the caret stays
    qtbot.keyClick(view, Qt.Key.Key_Down)  # leave the block
    qtbot.waitUntil(lambda: stack.count() == 1)
    edited = document.transcript.segments[0]
    assert edited.text == "the quick little brown fox"
    old_words = original.segments[0].words
    kept = [w for w in edited.words if w.stripped != "little"]
    assert kept == list(old_words)  # the words not touched keep their exact timings
    assert document.transcript.segments[1:] == original.segments[1:]
    assert_undo_restores(stack, document, original, view)
    stack.redo()
    assert document.transcript.segments[0] == edited


def test_typing_is_committed_after_a_pause(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    view.setFocus()
    set_caret(view, 2, len("and runs away"))
    qtbot.keyClicks(view, " fast")
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=3_000)
    assert document.transcript.segments[2].text == "and runs away fast"
    assert caret(view) == (2, len("and runs away fast"))


def test_commit_pending_commits_at_once(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    set_caret(view, 1, 0)
    view.setFocus()
    qtbot.keyClicks(view, "then ")
    editor.commit_pending()
    assert stack.count() == 1
    assert document.transcript.segments[1].text == "then jumps over the lazy dog"


def test_undo_key_commits_typing_first_and_is_not_given_to_the_window(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS), in_window=True)
    window = editor.window()
    window_undo = QAction("Undo", window)
    window_undo.setShortcut(QKeySequence.StandardKey.Undo)
    window.addAction(window_undo)
    triggered: list[bool] = []
    window_undo.triggered.connect(lambda: triggered.append(True))
    view = view_of(editor)
    view.setFocus()
    set_caret(view, 0, len("the quick brown fox"))
    qtbot.keyClicks(view, " ran")
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    # The typing was committed as a step and that step undone: the transcript is as before.
    assert document.transcript.segments[0].text == TEXTS[0]
    assert block_texts(view)[0] == TEXTS[0]
    assert stack.count() == 1
    assert stack.index() == 0
    assert triggered == []
    qtbot.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert document.transcript.segments[0].text == TEXTS[0] + " ran"


def test_enter_splits_at_the_word_under_the_caret(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    original = document.transcript
    view.setFocus()
    set_caret(view, 1, len("jumps over "))  # just before "the"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert block_texts(view) == [TEXTS[0], "jumps over", "the lazy dog", TEXTS[2]]
    assert [s.text for s in document.transcript.segments] == block_texts(view)
    assert caret(view) == (2, 0)
    assert stack.count() == 1
    assert_undo_restores(stack, document, original, view)


def test_enter_at_the_end_of_a_segment_says_why_it_does_nothing(qtbot: QtBot) -> None:
    editor, _document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    view.setFocus()
    set_caret(view, 0, len(TEXTS[0]))
    with qtbot.waitSignal(editor.status_message) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert "between two words" in blocker.args[0]
    assert block_texts(view) == TEXTS
    assert stack.count() == 0


def test_backspace_at_the_start_merges_with_the_previous_segment(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    original = document.transcript
    view.setFocus()
    set_caret(view, 1, 0)
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    merged = f"{TEXTS[0]} {TEXTS[1]}"
    assert block_texts(view) == [merged, TEXTS[2]]
    assert document.transcript.segments[0].text == merged
    assert caret(view) == (0, len(TEXTS[0]))
    assert_undo_restores(stack, document, original, view)


def test_delete_at_the_end_merges_with_the_next_segment(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    original = document.transcript
    view.setFocus()
    set_caret(view, 1, len(TEXTS[1]))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert block_texts(view) == [TEXTS[0], f"{TEXTS[1]} {TEXTS[2]}"]
    assert_undo_restores(stack, document, original, view)
    stack.redo()
    assert block_texts(view) == [TEXTS[0], f"{TEXTS[1]} {TEXTS[2]}"]


def test_emptying_a_segment_deletes_it_through_a_command(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(["one two", "three", "four"]))
    view = view_of(editor)
    view.setFocus()
    set_caret(view, 1, len("three"))
    for _ in "three":
        qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert block_texts(view) == ["one two", "", "four"]
    qtbot.keyClick(view, Qt.Key.Key_Backspace)  # at the start of the empty block: remove it
    assert block_texts(view) == ["one two", "four"]
    assert [s.text for s in document.transcript.segments] == ["one two", "four"]
    assert caret(view) == (0, len("one two"))
    stack.undo()
    assert [s.text for s in document.transcript.segments] == ["one two", "three", "four"]


@pytest.mark.parametrize("typed", ["", "X"])
def test_a_selection_across_segments_is_replaced_in_one_step(qtbot: QtBot, typed: str) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    original = document.transcript
    view.setFocus()
    select(view, (0, len("the quick")), (2, len("and ")))
    if typed:
        qtbot.keyClicks(view, typed)
    else:
        qtbot.keyClick(view, Qt.Key.Key_Backspace)
    head = "the quick" + (f"{typed}" if typed else "")
    assert block_texts(view) == [head, "runs away"]
    assert [s.text for s in document.transcript.segments] == [head, "runs away"]
    assert stack.count() == 1
    assert_undo_restores(stack, document, original, view)


def test_pasting_lines_pastes_them_as_spaces(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    view.setFocus()
    set_caret(view, 2, len("and runs away"))
    data = QMimeData()
    data.setText(" very\nvery\r\nfast")
    view.insertFromMimeData(data)
    assert block_texts(view) == [TEXTS[0], TEXTS[1], "and runs away very very fast"]
    editor.commit_pending()
    assert document.transcript.segments[2].text == "and runs away very very fast"
    assert stack.count() == 1


def test_cut_across_segments_copies_and_deletes(qtbot: QtBot) -> None:
    editor, _document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    view.setFocus()
    select(view, (1, len("jumps over the lazy ")), (2, len("and runs ")))
    qtbot.keyClick(view, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "dog\nand runs "
    assert block_texts(view) == [TEXTS[0], "jumps over the lazy", "away"]
    assert stack.count() == 1


def test_split_index_rules() -> None:
    segment = plain_transcript(["alpha beta gamma"]).segments[0]
    spans = word_spans(segment)
    assert split_index(segment, 0) is None  # before the first word: nothing to split
    assert split_index(segment, spans[1][0]) == 1  # at the start of "beta"
    assert split_index(segment, spans[0][1]) == 1  # right after "alpha"
    assert split_index(segment, spans[1][0] + 1) == 1  # early in "beta": before it
    assert split_index(segment, spans[1][1] - 1) == 2  # late in "beta": after it
    assert split_index(segment, spans[2][1]) is None  # at the very end


def test_the_context_menu_deletes_across_segments_in_one_step(qtbot: QtBot) -> None:
    editor, _, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    select(view, (0, len("the quick ")), (1, len("jumps ")))
    seen: list[str] = []

    def use_menu() -> None:
        menu = QApplication.activePopupWidget()
        assert menu is not None
        seen.extend(a.objectName() or a.text() for a in menu.actions())
        delete = next(a for a in menu.actions() if a.text().replace("&", "") == "Delete")
        menu.close()
        delete.trigger()

    QTimer.singleShot(50, use_menu)
    point = view.cursorRect().center()
    QApplication.sendEvent(
        view.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, view.mapToGlobal(point)),
    )
    qtbot.waitUntil(lambda: stack.count() == 1)
    assert "edit-undo" not in seen  # Qt's own undo would bypass the document
    assert block_texts(view) == ["the quick", "over the lazy dog", TEXTS[2]]
