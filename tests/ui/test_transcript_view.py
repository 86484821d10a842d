"""The transcript view: blocks mirror segments, clicks seek, playback highlights and follows."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QHelpEvent, QUndoStack
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot
from transcript_helpers import (
    block_texts,
    caret,
    dialogue_transcript,
    long_transcript,
    make_editor,
    plain_transcript,
    set_caret,
    view_of,
    word_point,
    words_for,
)

from editor.commands import ReplaceSegmentText
from editor.document import Document
from editor.queries import TranscriptIndex, word_spans
from editor.transcript import Segment
from ui.dialogs.speakers import SpeakerDialog
from ui.transcript import TranscriptEditor
from ui.transcript.empty_state import NO_DOCUMENT
from ui.transcript.empty_state import TRANSCRIBING as WAITING
from ui.transcript.style import precise_clock
from ui.transcript.undo import push_edit
from ui.transcript.view import TranscriptView


def playback_spans(view: TranscriptView) -> list[tuple[int, int, int]]:
    """(block, start, end) of the playback highlight's extra selections."""
    doc = view.document()
    out = []
    for selection in view._layers["playback"]:
        cursor = selection.cursor
        block = doc.findBlock(cursor.selectionStart())
        out.append(
            (
                block.blockNumber(),
                cursor.selectionStart() - block.position(),
                cursor.selectionEnd() - block.position(),
            )
        )
    return out


def test_blocks_are_the_segments(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot)
    view = view_of(editor)
    assert block_texts(view) == [s.text for s in document.transcript.segments]
    assert not view.isReadOnly()


def test_clicking_a_word_seeks_to_its_start(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot)
    view = view_of(editor)
    segment = document.transcript.segments[2]
    for index in (0, 3, len(segment.words) - 1):
        start, end = word_spans(segment)[index]
        with qtbot.waitSignal(editor.seek_requested) as blocker:
            qtbot.mouseClick(
                view.viewport(), Qt.MouseButton.LeftButton, pos=word_point(view, 2, start, end)
            )
        assert blocker.args == [segment.words[index].start_ms]
        # The click placed the caret in that word, too: editing still works as usual.
        assert editor.current_segment() == 2
        assert editor.current_word() == (2, index)


def test_clicking_past_the_end_of_a_line_does_not_seek(qtbot: QtBot) -> None:
    editor, _, _ = make_editor(qtbot)
    view = view_of(editor)
    point = word_point(view, 4, 0, 3)  # "And the second one?" is short: far right is empty
    far_right = QPoint(view.viewport().width() - 10, point.y())
    with qtbot.assertNotEmitted(editor.seek_requested):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=far_right)


def test_clicking_a_time_in_the_gutter_seeks_to_the_segment(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot)
    view = view_of(editor)
    gutter = view._gutter
    blocks = {b.blockNumber(): top for b, top, _ in view.visible_blocks()}
    with qtbot.waitSignal(editor.seek_requested) as blocker:
        qtbot.mouseClick(gutter, Qt.MouseButton.LeftButton, pos=QPoint(12, int(blocks[3]) + 4))
    assert blocker.args == [document.transcript.segments[3].start_ms]
    assert editor.current_segment() == 3


def test_playback_highlights_the_spoken_word(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot)
    view = view_of(editor)
    transcript = document.transcript
    first, second = transcript.segments[0], transcript.segments[1]
    cases = {
        first.words[0].start_ms: (0, 0),  # the very start of the first word
        first.words[2].start_ms + 5: (0, 2),  # inside a word
        first.words[2].end_ms + 10: (0, 2),  # in the pause after it: the word just spoken
        second.words[4].start_ms: (1, 4),
        (first.end_ms + second.start_ms) // 2: None,  # silence between segments
        0: None,  # before the first word
        transcript.end_ms + 1_000: None,  # after the end
    }
    for ms, spot in cases.items():
        editor.set_playback_position(ms)
        if spot is None:
            assert playback_spans(view) == []
        else:
            start, end = word_spans(transcript.segments[spot[0]])[spot[1]]
            assert playback_spans(view) == [(spot[0], start, end)]
            assert view.playback_segment == spot[0]


def test_playback_follows_unless_the_person_scrolled_away(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot, dialogue_transcript(repeats=8))
    view = view_of(editor)
    segments = document.transcript.segments
    last = len(segments) - 1
    editor.set_playback_position(segments[last].words[1].start_ms)
    assert view.block_fully_visible(last)  # followed to the end
    view.verticalScrollBar().setValue(0)  # the person scrolls back to the top
    editor.set_playback_position(segments[last - 1].words[1].start_ms)
    assert view.firstVisibleBlock().blockNumber() == 0  # not dragged back down
    editor.follow_playback()  # "Go to playing word"
    assert view.block_fully_visible(last - 1)
    editor.set_playback_position(segments[last].words[1].start_ms)
    assert view.block_fully_visible(last)


def test_follow_playback_off_never_scrolls_but_go_to_word_does(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot, dialogue_transcript(repeats=8))
    view = view_of(editor)
    segments = document.transcript.segments
    last = len(segments) - 1
    editor.set_auto_follow(False)
    editor.set_playback_position(segments[last].words[1].start_ms)
    assert view.playback_segment == last  # still highlighted
    assert view.firstVisibleBlock().blockNumber() == 0  # but not scrolled to
    editor.follow_playback()  # Ctrl+J still goes there
    assert view.block_fully_visible(last)
    editor.set_auto_follow(True)
    editor.set_playback_position(segments[0].words[1].start_ms)
    assert view.block_fully_visible(0)


def test_streaming_appends_keep_the_caret_and_the_typing(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot, plain_transcript(["one two three", "four five"]))
    view = view_of(editor)
    set_caret(view, 1, len("four five"))  # at the very end, where the new blocks go
    view.setFocus()
    qtbot.keyClicks(view, " six")
    scroll = view.verticalScrollBar().value()
    start = document.transcript.end_ms + 1_000
    document.append_segments([Segment(tuple(words_for("seven eight", start)))])
    document.append_segments([Segment(tuple(words_for("nine", start + 2_000)))])
    assert block_texts(view) == ["one two three", "four five six", "seven eight", "nine"]
    assert caret(view) == (1, len("four five six"))
    assert view.verticalScrollBar().value() == scroll
    assert stack.count() == 0  # the typing is still pending, not lost
    editor.commit_pending()
    assert document.transcript.segments[1].text == "four five six"


def test_the_document_changes_only_the_blocks_it_names(qtbot: QtBot) -> None:
    editor, document, stack = make_editor(qtbot)
    view = view_of(editor)
    changes: list[tuple[int, int, int]] = []
    view.document().contentsChange.connect(lambda *args: changes.append(args))
    push_edit(stack, document, ReplaceSegmentText(3, "We used that time well."))
    block = view.document().findBlockByNumber(3)
    assert block.text() == "We used that time well."
    assert changes
    assert all(
        block.position() <= pos <= block.position() + block.length() for pos, _, _ in changes
    )


def test_empty_states_and_switching_documents(qtbot: QtBot) -> None:
    editor = TranscriptEditor()
    qtbot.addWidget(editor)
    view = view_of(editor)
    assert view.isReadOnly()
    assert view.empty_message == NO_DOCUMENT
    first = Document()
    editor.set_document(first, QUndoStack(editor))
    assert view.isReadOnly()
    assert view.empty_message == WAITING
    first.append_segments(plain_transcript(["hello there"]).segments)
    assert not view.isReadOnly()
    assert block_texts(view) == ["hello there"]
    second = Document(plain_transcript(["another file"]))
    editor.set_document(second, QUndoStack(editor))
    first.append_segments(plain_transcript(["late words"], start_ms=60_000).segments)
    assert block_texts(view) == ["another file"]  # the old document is not followed any more
    editor.set_document(None, None)
    assert view.isReadOnly()
    assert block_texts(view) == [""]
    assert editor.current_segment() is None
    assert editor.current_word() is None


def test_a_document_without_a_stack_is_still_editable_and_undoable(qtbot: QtBot) -> None:
    editor = TranscriptEditor()
    qtbot.addWidget(editor)
    document = Document(plain_transcript(["one two", "three four"]))
    editor.set_document(document, None)
    stack = editor.undo_stack()
    assert stack is not None
    set_caret(view_of(editor), 0, 3)
    split = editor.findChild(QAction, "transcript_split")
    assert split is not None
    split.trigger()
    assert len(document.transcript.segments) == 3
    assert stack.count() == 1


def test_low_confidence_words_are_shaded(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot)
    view = view_of(editor)
    segment = document.transcript.segments[2]  # has "supplier:" at probability 0.31
    doubtful = [i for i, w in enumerate(segment.words) if w.probability < 0.5]
    assert doubtful
    formats = view.document().findBlockByNumber(2).layout().formats()
    spans = word_spans(segment)
    assert sorted((f.start, f.start + f.length) for f in formats) == [spans[i] for i in doubtful]
    editor.set_low_confidence_threshold(0.0)
    assert view.document().findBlockByNumber(2).layout().formats() == []


def test_two_hour_transcript_highlights_without_relayout(qtbot: QtBot) -> None:
    transcript = long_transcript(2_000, 10)
    assert transcript.word_count == 20_000
    editor, _document, _ = make_editor(qtbot, transcript)
    view = view_of(editor)
    text = view.document()
    assert text.blockCount() == 2_000
    changes: list[object] = []
    text.contentsChange.connect(lambda *args: changes.append(args))
    text.documentLayout().documentSizeChanged.connect(changes.append)
    revision = text.revision()
    index = TranscriptIndex(transcript)
    step = transcript.end_ms // 300
    for i in range(300):
        ms = i * step
        editor.set_playback_position(ms)
        spot = index.highlight_at(ms)
        if spot is not None and i % 50 == 0:
            start, end = word_spans(transcript.segments[spot[0]])[spot[1]]
            assert playback_spans(view) == [(spot[0], start, end)]
    assert changes == []  # no text or layout change, only extra selections
    assert text.revision() == revision
    assert text.blockCount() == 2_000
    assert view.block_fully_visible(index.highlight_at(299 * step)[0])  # type: ignore[index]


def test_hovering_a_word_shows_its_time_and_confidence(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot)
    view = view_of(editor)
    segment = document.transcript.segments[2]
    index = next(i for i, w in enumerate(segment.words) if w.probability < 0.5)
    point = word_point(view, 2, *word_spans(segment)[index])
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible)
    word = segment.words[index]
    assert precise_clock(word.start_ms) in QToolTip.text()
    assert f"{round(word.probability * 100)}% sure" in QToolTip.text()
    QToolTip.hideText()


def test_clicking_a_speaker_name_asks_for_that_segments_speaker(qtbot: QtBot) -> None:
    editor, document, _ = make_editor(qtbot)
    view = view_of(editor)
    gutter = view._gutter
    tops = {b.blockNumber(): top for b, top, _ in view.visible_blocks()}
    assert document.transcript.segments[2].speaker == "Bob"  # a turn: the name is shown

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SpeakerDialog)
        assert dialog.speaker() == "Bob"
        dialog.combo.setCurrentText("Robert")
        dialog.accept()

    def choose_change() -> None:
        # The name offers a menu (rename everywhere, merge, change this segment's speaker).
        popup = QApplication.activePopupWidget()
        assert popup is not None
        change = next(a for a in popup.actions() if a.text().startswith("Change Speaker"))
        QTimer.singleShot(0, answer)
        change.trigger()
        popup.close()

    QTimer.singleShot(0, choose_change)
    qtbot.mouseClick(
        gutter, Qt.MouseButton.LeftButton, pos=QPoint(gutter.width() - 12, int(tops[2]) + 4)
    )
    assert [s.speaker for s in document.transcript.segments[1:4]] == ["Alice", "Robert", "Bob"]
