"""The stretch of time a text selection covers: for exporting or transcribing it again."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from editor.queries import words_in_range
from editor.transcript import Transcript

__all__ = ["selected_time_range"]


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
