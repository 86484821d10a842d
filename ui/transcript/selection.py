"""Text selections and time: the stretch a selection covers, the selection that covers words.

The first is for exporting or transcribing a selection again; the second for the waveform
timeline, where a range dragged across the waveform selects its words in the transcript.
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument

from editor.queries import word_spans, words_in_range
from editor.transcript import Transcript

__all__ = ["selected_time_range", "words_cursor"]


def selected_time_range(cursor: QTextCursor, transcript: Transcript) -> tuple[int, int] | None:
    """(start, end) in ms of the words the selection touches (blocks are segments).

    Without a selection, or with one that touches only spaces, the caret's whole segment.
    """
    doc = cursor.document()
    first = doc.findBlock(cursor.selectionStart())
    last = doc.findBlock(cursor.selectionEnd())
    count = len(transcript.segments)
    a, b = first.blockNumber(), last.blockNumber()
    if not (0 <= a < count and 0 <= b < count):
        return None
    if cursor.hasSelection():
        start_char = cursor.selectionStart() - first.position()
        end_char = cursor.selectionEnd() - last.position()
        head = words_in_range(transcript.segments[a], start_char, len(first.text()) + 1)
        tail = words_in_range(transcript.segments[b], 0, end_char)
        if a == b:
            head = tail = words_in_range(transcript.segments[a], start_char, end_char)
        if head is not None and tail is not None:
            return (
                transcript.segments[a].words[head[0]].start_ms,
                transcript.segments[b].words[tail[1]].end_ms,
            )
    segment = transcript.segments[b]
    return segment.start_ms, segment.end_ms


def words_cursor(
    doc: QTextDocument, transcript: Transcript, first: tuple[int, int], last: tuple[int, int]
) -> QTextCursor:
    """A cursor selecting from word ``first`` to word ``last``, both (segment, word) and kept.

    The blocks must show ``transcript`` as it is (commit pending typing first).
    """
    (a, i), (b, j) = first, last
    start = doc.findBlockByNumber(a).position() + word_spans(transcript.segments[a])[i][0]
    end = doc.findBlockByNumber(b).position() + word_spans(transcript.segments[b])[j][1]
    cursor = QTextCursor(doc)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return cursor
