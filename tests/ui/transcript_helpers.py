"""Synthetic transcripts and small helpers for the transcript editor's tests."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCursor, QUndoStack
from PySide6.QtWidgets import QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from editor.document import Document
from editor.transcript import MediaInfo, Segment, Transcript, Word
from ui.transcript import TranscriptEditor
from ui.transcript.view import TranscriptView

DIALOGUE = (
    ("Alice", "Thanks for coming in today. Shall we start with the timeline?"),
    ("Alice", "I know the launch moved twice, so walk me through what happened."),
    ("Bob", "Sure. The first delay was the supplier: the chips arrived three weeks late."),
    ("Bob", "We used that time to finish the firmware, so it was not all lost."),
    ("Alice", "And the second one?"),
    ("Bob", "That one was on us. We found a memory leak in the sync service during QA."),
    ("Bob", "It only showed up after about forty hours of uptime, which is why nobody saw it."),
    ("Carol", "I can add some detail there, I was the one who tracked it down."),
    ("Carol", "It turned out a retry loop kept every failed request in a cache forever."),
    ("Alice", "How long did the fix take?"),
    ("Carol", "Two days for the fix, and then a full week of soak testing to be sure."),
    ("Alice", "Okay. So where are we now, realistically?"),
    ("Bob", "Realistically, we can ship on the fourteenth if nothing else comes up."),
)

# Words the model was unsure of in the sample (by their text), to show the shading.
DOUBTFUL = {"supplier:", "firmware,", "soak", "fourteenth"}


def words_for(text: str, start_ms: int, word_ms: int = 320, gap_ms: int = 60) -> list[Word]:
    """Timed words for ``text`` from ``start_ms`` (Whisper's leading-space convention)."""
    words = []
    t = start_ms
    for i, token in enumerate(text.split()):
        probability = 0.31 if token in DOUBTFUL else 0.97
        words.append(Word(("" if i == 0 else " ") + token, t, t + word_ms, probability))
        t += word_ms + gap_ms
    return words


def dialogue_transcript(repeats: int = 1) -> Transcript:
    """The sample interview (repeated ``repeats`` times), with speakers."""
    segments = []
    t = 1_200
    for _ in range(repeats):
        for speaker, text in DIALOGUE:
            words = words_for(text, t)
            segments.append(Segment(tuple(words), speaker))
            t = words[-1].end_ms + 700
    return Transcript(tuple(segments), language="en")


def plain_transcript(texts: Sequence[str], start_ms: int = 0, pause_ms: int = 500) -> Transcript:
    """Segments with the given texts, one after another, no speakers."""
    segments = []
    t = start_ms
    for text in texts:
        words = words_for(text, t)
        segments.append(Segment(tuple(words)))
        t = words[-1].end_ms + pause_ms
    return Transcript(tuple(segments))


def long_transcript(segments: int = 2_000, words_per_segment: int = 10) -> Transcript:
    """A 2-hour transcript: ``segments`` segments of ``words_per_segment`` words."""
    vocabulary = ("the", "quarterly", "numbers", "look", "better", "than", "we", "expected,")
    out = []
    t = 0
    for s in range(segments):
        words = []
        for w in range(words_per_segment):
            text = vocabulary[(s + w) % len(vocabulary)]
            words.append(Word(("" if w == 0 else " ") + text, t, t + 300, 0.4 + 0.6 * (w % 2)))
            t += 330
        out.append(Segment(tuple(words), "Speaker 1" if s % 7 < 4 else "Speaker 2"))
        t += 290
    return Transcript(tuple(out), media=MediaInfo("long.wav", duration_ms=t + 1_000))


def word_point(view: TranscriptView, segment: int, word_start: int, word_end: int) -> QPoint:
    """The viewport point in the middle of characters [word_start, word_end) of a block."""
    block = view.document().findBlockByNumber(segment)
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + word_start)
    left = view.cursorRect(cursor)
    cursor.setPosition(block.position() + word_end)
    right = view.cursorRect(cursor)
    return QPoint((left.left() + right.left()) // 2, left.center().y())


def set_caret(view: TranscriptView, block: int, offset: int) -> None:
    """Put the view's caret at ``offset`` in ``block``."""
    target = view.document().findBlockByNumber(block)
    cursor = QTextCursor(target)
    cursor.setPosition(target.position() + offset)
    view.setTextCursor(cursor)


def select(view: TranscriptView, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Select from (block, offset) ``start`` to ``end``."""
    doc = view.document()
    cursor = QTextCursor(doc)
    cursor.setPosition(doc.findBlockByNumber(start[0]).position() + start[1])
    cursor.setPosition(
        doc.findBlockByNumber(end[0]).position() + end[1], QTextCursor.MoveMode.KeepAnchor
    )
    view.setTextCursor(cursor)


def block_texts(view: TranscriptView) -> list[str]:
    """The text of every block of the view."""
    doc = view.document()
    return [doc.findBlockByNumber(i).text() for i in range(doc.blockCount())]


def make_editor(
    qtbot: QtBot, transcript: Transcript | None = None, *, in_window: bool = False
) -> tuple[TranscriptEditor, Document, QUndoStack]:
    """A shown editor on a new document of ``transcript`` (the sample dialogue by default).

    With ``in_window``, the editor is the central widget of an active main window (for tests
    of keys that the window's shortcuts could take); ``editor.window()`` is that window.
    """
    editor = TranscriptEditor()
    top: QWidget = editor
    if in_window:
        top = QMainWindow()
        top.setCentralWidget(editor)
        editor.test_window = top  # type: ignore[attr-defined]  # qtbot only keeps a weak ref
    qtbot.addWidget(top)
    top.resize(900, 600)
    document = Document(transcript if transcript is not None else dialogue_transcript())
    stack = QUndoStack(editor)
    editor.set_document(document, stack)
    top.show()
    qtbot.waitExposed(top)
    if in_window:
        top.activateWindow()
        qtbot.waitUntil(top.isActiveWindow)
    return editor, document, stack


def view_of(editor: TranscriptEditor) -> TranscriptView:
    """The editor's text view."""
    view = editor.findChild(TranscriptView)
    assert view is not None
    return view


def caret(view: TranscriptView) -> tuple[int, int]:
    """The view's caret as (block, offset in the block)."""
    cursor = view.textCursor()
    return cursor.blockNumber(), cursor.positionInBlock()


def assert_undo_restores(
    stack: QUndoStack, document: Document, original: Transcript, view: TranscriptView
) -> None:
    """Undo once and check that the document and the view are back to ``original``."""
    stack.undo()
    assert document.transcript.segments == original.segments
    assert block_texts(view) == [s.text for s in original.segments]
