"""Replace what was said in a stretch of time: re-transcribing a selection (issue 15).

The app transcribes a selected time range again (another model, language or prompt) and hands
the new words here; they take the place of the words in the range as one undoable edit. Words
outside the range keep their text, timing and speaker, whatever was edited before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from editor.commands.base import Command
from editor.document import Splice
from editor.errors import EditRejected
from editor.transcript import Segment, Transcript, Word

__all__ = ["ReplaceRange"]


def _inside(word: Word, start_ms: int, end_ms: int) -> bool:
    # By the word's middle, as the engine selects the words of a range.
    return start_ms <= (word.start_ms + word.end_ms) / 2 <= end_ms


@dataclass(eq=False)
class ReplaceRange(Command):
    """Put ``segments`` in place of the words centred inside ``start_ms``-``end_ms``.

    Segments that reach into the range keep their words outside it; the new segments go
    between, or, when the range lies in one segment and the speaker stays, the new words join
    that segment. A new segment without a speaker gets the speaker of the first segment the range
    touched (re-transcribing words does not change who said them). New words are kept within
    the kept words around them, so times never overlap.

    Attributes:
        start_ms: Start of the range.
        end_ms: End of the range.
        segments: What was said in it, in time order (may be empty: the range is cleared).
    """

    start_ms: int
    end_ms: int
    segments: tuple[Segment, ...]

    _label = "Transcribe selection again"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        if self.end_ms <= self.start_ms:
            raise EditRejected("a range must end after it starts")
        old = transcript.segments
        touched = [
            i
            for i, seg in enumerate(old)
            if any(_inside(w, self.start_ms, self.end_ms) for w in seg.words)
        ]
        if touched:
            first, stop = touched[0], touched[-1] + 1
        else:
            first = stop = next(
                (i for i, seg in enumerate(old) if seg.start_ms >= self.start_ms), len(old)
            )
        before = [w for w in old[first].words if _below(w, self.start_ms)] if touched else []
        after = [w for w in old[stop - 1].words if _above(w, self.end_ms)] if touched else []
        lo = before[-1].end_ms if before else (old[first - 1].end_ms if first else 0)
        hi = after[0].start_ms if after else (old[stop].start_ms if stop < len(old) else None)
        speaker = old[first].speaker if touched else None
        new = _fitted(self.segments, lo, hi, speaker)
        pieces: list[Segment] = []
        if stop - first == 1 and new and all(seg.speaker == speaker for seg in new):
            # A phrase re-transcribed inside one segment stays in it: the model's own segment
            # breaks for a few seconds would leave the words before it as a line of their own.
            words = tuple(w for seg in new for w in seg.words)
            pieces.append(old[first].with_words((*before, *words, *after)))
        else:
            if before:
                pieces.append(old[first].with_words(before))
            pieces += new
            if after:
                pieces.append(old[stop - 1].with_words(after))
        if tuple(pieces) == old[first:stop]:
            return []
        return [Splice(first, stop, tuple(pieces))]


def _below(word: Word, start_ms: int) -> bool:
    return (word.start_ms + word.end_ms) / 2 < start_ms


def _above(word: Word, end_ms: int) -> bool:
    return (word.start_ms + word.end_ms) / 2 > end_ms


def _fitted(
    segments: Sequence[Segment], lo: int, hi: int | None, speaker: str | None
) -> list[Segment]:
    """``segments`` with every word moved inside ``lo``-``hi`` (dropped if nothing is left)."""
    out: list[Segment] = []
    cursor = lo
    for seg in segments:
        words = []
        for w in seg.words:
            start = max(w.start_ms, cursor)
            end = w.end_ms if hi is None else min(w.end_ms, hi)
            if end <= start:
                continue
            words.append(Word(w.text, start, end, w.probability))
            cursor = end
        if words:
            out.append(Segment(tuple(words), seg.speaker or speaker))
    return out
