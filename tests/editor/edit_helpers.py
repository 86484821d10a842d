"""Small transcript builders and checks shared by the editor command, history and query tests."""

from __future__ import annotations

from editor.commands import Command
from editor.document import Document
from editor.transcript import MediaInfo, Segment, Transcript, Word


def segment(
    text: str,
    start_ms: int = 0,
    word_ms: int = 100,
    gap_ms: int = 0,
    speaker: str | None = None,
    probability: float = 0.5,
) -> Segment:
    """The words of ``text`` (split on spaces), each ``word_ms`` long and ``gap_ms`` apart.

    Every word gets a leading space, Whisper-style, and ``probability`` (0.5 by default, so a
    test can tell a kept word from a typed one, which gets 1.0).
    """
    words = []
    for i, body in enumerate(text.split()):
        start = start_ms + i * (word_ms + gap_ms)
        words.append(Word(" " + body, start, start + word_ms, probability))
    return Segment(tuple(words), speaker)


def transcript(*segments: Segment, duration_ms: int | None = None) -> Transcript:
    """A transcript of ``segments`` (with media of ``duration_ms`` when given)."""
    media = MediaInfo("talk.wav", duration_ms) if duration_ms is not None else None
    return Transcript(segments, "en", media)


def do_undo_redo(cmd: Command, before: Transcript) -> Transcript:
    """Do ``cmd`` on a document holding ``before``; check that undo and redo round-trip.

    Returns:
        The transcript after the command.
    """
    doc = Document(before)
    cmd.do(doc)
    after = doc.transcript
    cmd.undo(doc)
    assert doc.transcript == before
    cmd.do(doc)
    assert doc.transcript == after
    return after


def check_valid(t: Transcript) -> None:
    """Every invariant holds (the constructor runs the full check)."""
    Transcript(t.segments, t.language, t.media, t.metadata)
    for seg in t.segments:
        for w in seg.words:
            assert w.end_ms > w.start_ms >= 0
            assert isinstance(w.start_ms, int)
            assert isinstance(w.end_ms, int)
