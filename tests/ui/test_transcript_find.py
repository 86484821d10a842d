"""The find / replace bar: matches, navigation, replacing as one undo step, Escape."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from pytestqt.qtbot import QtBot
from transcript_helpers import (
    assert_undo_restores,
    block_texts,
    make_editor,
    plain_transcript,
    set_caret,
    view_of,
)

from editor.queries import SearchQuery, find_matches
from ui.transcript.find_bar import FindBar

TEXTS = ["The cat sat on the mat.", "A dog and a cat.", "Nothing here", "the end, the end"]


def open_bar(editor: object, replace: bool = False) -> FindBar:
    editor.show_find(replace)  # type: ignore[attr-defined]
    bar = editor.findChild(FindBar)  # type: ignore[attr-defined]
    assert isinstance(bar, FindBar)
    assert bar.isVisible()
    return bar


def selected(view: object) -> tuple[int, int, int]:
    cursor = view.textCursor()  # type: ignore[attr-defined]
    block = cursor.document().findBlock(cursor.selectionStart())
    return (
        block.blockNumber(),
        cursor.selectionStart() - block.position(),
        cursor.selectionEnd() - block.position(),
    )


def test_find_counts_highlights_and_wraps(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    set_caret(view, 0, 0)
    bar = open_bar(editor)
    bar.find_edit.setText("the")
    expected = find_matches(document.transcript, SearchQuery("the"))
    assert bar.matches() == expected
    assert len(expected) == 4
    assert bar.count_label.text() == f"1 of {len(expected)}"
    assert len(view._layers["matches"]) == len(expected)  # every match is highlighted
    first = expected[0]
    assert selected(view) == (first.segment, first.start_char, first.end_char)
    for match in [*expected[1:], expected[0]]:  # next, ..., then wrap to the first
        bar.find_next()
        assert selected(view) == (match.segment, match.start_char, match.end_char)
    bar.find_previous()  # wraps back to the last
    last = expected[-1]
    assert selected(view) == (last.segment, last.start_char, last.end_char)


def test_options_narrow_the_search(qtbot: QtBot) -> None:
    editor, _, _ = make_editor(qtbot, plain_transcript(TEXTS))
    bar = open_bar(editor)
    bar.find_edit.setText("the")
    everything = len(bar.matches())
    bar.case_button.setChecked(True)
    assert len(bar.matches()) == everything - 1  # "The" no longer matches
    bar.case_button.setChecked(False)
    bar.find_edit.setText("a")
    loose = len(bar.matches())
    bar.word_button.setChecked(True)
    assert len(bar.matches()) == 2 < loose  # only the word "A"/"a" of segment 2


def test_a_bad_regex_is_shown_in_the_bar(qtbot: QtBot) -> None:
    editor, _, _ = make_editor(qtbot, plain_transcript(TEXTS))
    bar = open_bar(editor)
    bar.regex_button.setChecked(True)
    bar.find_edit.setText("ca(t")
    assert bar.matches() == []
    assert "regular expression" in bar.count_label.text()
    red = bar.count_label.palette().color(bar.count_label.foregroundRole())
    assert red.red() > 150
    assert red.green() < 140
    bar.find_edit.setText("ca(t)")
    assert len(bar.matches()) == 2
    assert bar.count_label.text().endswith("of 2")


def test_replace_all_is_one_undo_step(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    original = document.transcript
    bar = open_bar(editor, replace=True)
    bar.find_edit.setText("cat")
    bar.replace_edit.setText("bird")
    with qtbot.waitSignal(editor.status_message) as blocker:
        bar.replace_all_button.click()
    assert blocker.args == ["Replaced 2 matches."]
    assert block_texts(view)[:2] == ["The bird sat on the mat.", "A dog and a bird."]
    assert stack.count() == 1
    assert bar.matches() == []
    assert bar.count_label.text() == "No matches"
    assert_undo_restores(stack, document, original, view)


def test_replace_one_then_moves_on(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    set_caret(view, 3, 0)
    bar = open_bar(editor, replace=True)
    bar.find_edit.setText("the end")
    bar.replace_edit.setText("the very end")
    bar.replace_button.click()
    assert block_texts(view)[3] == "the very end, the end"
    assert stack.count() == 1
    current = bar.matches()[bar.current()]  # type: ignore[index]
    assert (current.segment, current.start_char) == (3, len("the very end, "))
    bar.replace_button.click()
    assert document.transcript.segments[3].text == "the very end, the very end"
    assert stack.count() == 2


def test_escape_closes_the_bar_only_while_it_has_the_focus(qtbot: QtBot) -> None:
    editor, _, _ = make_editor(qtbot, plain_transcript(TEXTS), in_window=True)
    window = editor.window()
    player_toggle = QAction("Play/Pause", window)  # the player's Escape, as the app has it
    player_toggle.setShortcut(QKeySequence(Qt.Key.Key_Escape))
    window.addAction(player_toggle)
    toggles: list[bool] = []
    player_toggle.triggered.connect(lambda: toggles.append(True))
    bar = open_bar(editor)
    qtbot.waitUntil(bar.find_edit.hasFocus)
    qtbot.keyClick(bar.find_edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert toggles == []
    view = view_of(editor)
    qtbot.waitUntil(view.hasFocus)  # the transcript has the focus back
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert toggles == [True]  # ... and there, Escape is the player's


def test_matches_follow_document_changes(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot, plain_transcript(TEXTS))
    bar = open_bar(editor)
    bar.find_edit.setText("dog")
    assert len(bar.matches()) == 1
    more = plain_transcript(["another dog"], start_ms=document.transcript.end_ms + 1_000)
    document.append_segments(more.segments)
    qtbot.waitUntil(lambda: len(bar.matches()) == 2)
    bar.close_bar()
    assert view_of(editor)._layers["matches"] == []


def test_on_a_long_transcript_find_waits_for_a_pause_in_typing(qtbot: QtBot) -> None:
    # Over 500 segments (half an hour): each key no longer searches and paints every match of
    # "t" before "th" arrives (issue 17); Enter searches at once.
    editor, _doc, _stack = make_editor(qtbot, plain_transcript(["the cat"] * 600))
    bar = open_bar(editor)
    bar.find_edit.setText("t")
    bar.find_edit.setText("th")
    assert bar.matches() == []  # nothing searched yet
    qtbot.waitUntil(lambda: len(bar.matches()) == 600, timeout=2000)
    bar.find_edit.setText("cat")
    bar.find_next()
    assert len(bar.matches()) == 600
