"""The transcript editor's actions: timing nudges, speakers, deleting, and their shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from transcript_helpers import block_texts, make_editor, plain_transcript, set_caret, view_of

from ui.dialogs.speakers import RenameSpeakerDialog, SpeakerDialog
from ui.transcript import SHORTCUTS, TranscriptEditor
from ui.transcript.actions import NUDGE_MS, SPECS

TEXTS = ["one two three", "four five", "six seven eight"]


def action(editor: TranscriptEditor, name: str) -> QAction:
    found = editor.findChild(QAction, f"transcript_{name}")
    assert found is not None, name
    return found


def test_every_spec_has_an_action_and_a_shortcut_row(qtbot: QtBot) -> None:
    editor, _, _ = make_editor(qtbot, plain_transcript(TEXTS))
    keys = [s.keys for s in SPECS if s.keys]
    assert len(keys) == len(set(keys))  # no key bound twice
    player_and_window = {"Esc", "Ctrl+Space", "F1", "F2", "F3", "F4", "Ctrl+Z", "Ctrl+Shift+Z"}
    assert not player_and_window & set(keys)
    for spec in SPECS:
        assert action(editor, spec.name).shortcut().toString() == spec.keys
    assert {row.action for row in SHORTCUTS} == {s.text.rstrip("…") for s in SPECS}
    assert all(row.native_keys() for row in SHORTCUTS)  # every row names real keys
    menu = editor.edit_actions()
    timing = [a for a in menu if a.menu() is not None]
    assert len(timing) == 1
    assert len(timing[0].menu().actions()) == 8


def test_nudging_a_segment_moves_its_start_and_end(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    set_caret(view_of(editor), 1, 2)
    before = document.transcript.segments[1]
    action(editor, "start_earlier").trigger()
    assert document.transcript.segments[1].start_ms == before.start_ms - NUDGE_MS
    action(editor, "end_later").trigger()
    assert document.transcript.segments[1].end_ms == before.end_ms + NUDGE_MS
    assert stack.count() == 2
    stack.undo()
    stack.undo()
    assert document.transcript.segments[1] == before


def test_a_nudge_at_its_limit_says_why(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    set_caret(view_of(editor), 0, 0)
    assert document.transcript.segments[0].start_ms == 0
    with qtbot.waitSignal(editor.status_message) as blocker:
        action(editor, "start_earlier").trigger()
    assert "limit" in blocker.args[0] or "already" in blocker.args[0]
    assert stack.count() == 0


def test_nudging_the_word_at_the_caret(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot, plain_transcript(TEXTS))
    set_caret(view_of(editor), 2, len("six sev"))
    assert editor.current_word() == (2, 1)
    word = document.transcript.segments[2].words[1]
    action(editor, "word_end_earlier").trigger()
    assert document.transcript.segments[2].words[1].end_ms == word.end_ms - NUDGE_MS
    action(editor, "word_start_later").trigger()
    assert document.transcript.segments[2].words[1].start_ms == word.start_ms + NUDGE_MS


def test_nudge_keys_reach_the_action_from_the_text(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot, plain_transcript(TEXTS), in_window=True)
    view = view_of(editor)
    view.setFocus()
    set_caret(view, 1, 0)
    start = document.transcript.segments[1].start_ms
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert document.transcript.segments[1].start_ms == start - NUDGE_MS


def test_set_and_rename_speaker(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    set_caret(view, 0, 0)
    cursor = view.textCursor()
    second = view.document().findBlockByNumber(1)
    cursor.setPosition(second.position() + 2, cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SpeakerDialog)
        dialog.combo.setCurrentText("Dana")
        dialog.accept()

    QTimer.singleShot(0, answer)
    action(editor, "set_speaker").trigger()
    assert [s.speaker for s in document.transcript.segments] == ["Dana", "Dana", None]

    def rename() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RenameSpeakerDialog)
        assert dialog.old.currentText() == "Dana"
        dialog.new.setText("Dana Scully")
        dialog.accept()

    QTimer.singleShot(0, rename)
    action(editor, "rename_speaker").trigger()
    assert document.transcript.speakers == ("Dana Scully",)
    assert stack.count() == 2
    assert block_texts(view) == TEXTS  # the text itself did not change


def test_speaker_dialog_blank_removes_the_speaker(qtbot: QtBot) -> None:
    dialog = SpeakerDialog(("Ann", "Ben"), "Ben", 1, None)
    qtbot.addWidget(dialog)
    assert dialog.speaker() == "Ben"
    dialog.combo.setCurrentText("  ")
    assert dialog.speaker() is None
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_delete_and_merge_actions(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(TEXTS))
    view = view_of(editor)
    set_caret(view, 1, 0)
    action(editor, "merge_next").trigger()
    assert block_texts(view) == [TEXTS[0], f"{TEXTS[1]} {TEXTS[2]}"]
    action(editor, "merge_previous").trigger()
    assert block_texts(view) == [" ".join(TEXTS)]
    stack.undo()
    stack.undo()
    set_caret(view, 1, 0)
    action(editor, "delete").trigger()
    assert [s.text for s in document.transcript.segments] == [TEXTS[0], TEXTS[2]]
    assert editor.current_segment() == 1
