"""The live, editable document: one current `Transcript` plus change notifications.

Every change is a list of `Splice` values (replace segments[start:stop] by new ones). Commands
(`editor.commands`) compute splices; `Document.apply` performs them and returns the inverse
splices, which is all an undo step has to keep. Views subscribe to `DocumentChange` events and
update only the rows that changed (a Qt item model maps them onto begin/endInsertRows etc.).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from editor.transcript import Segment, Transcript, Word

__all__ = ["Document", "DocumentChange", "Splice"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Splice:
    """Replace ``segments[start:stop]`` with ``new``.

    Attributes:
        start: First segment index replaced.
        stop: One past the last segment index replaced (``start`` for a pure insert).
        new: The segments put in their place (empty for a pure delete).
    """

    start: int
    stop: int
    new: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """What a change did to the segment list, as a view needs to know it.

    Attributes:
        start: First row affected.
        removed: How many rows were there before.
        inserted: How many rows are there now. ``removed == inserted`` is an in-place update.
        reset: True when the whole transcript was replaced (views rebuild everything).
    """

    start: int
    removed: int
    inserted: int
    reset: bool = False


Listener = Callable[[DocumentChange], None]


class Document:
    """Holds the current transcript, applies splices and tells listeners what changed."""

    def __init__(self, transcript: Transcript | None = None) -> None:
        """Start with ``transcript`` (an empty one by default)."""
        self._transcript = transcript if transcript is not None else Transcript()
        self._listeners: list[Listener] = []
        self._revision = 0

    @property
    def transcript(self) -> Transcript:
        """The current transcript (an immutable value: keep it as a snapshot if you like)."""
        return self._transcript

    @property
    def revision(self) -> int:
        """A counter that grows with every change; compare it to tell if anything changed."""
        return self._revision

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def apply(self, splices: Sequence[Splice]) -> list[Splice]:
        """Apply splices in order and return the splices that undo them (to apply in order).

        Either all splices apply or none does: an invalid one raises `InvariantError` and
        leaves the document as it was. Listeners are told of each splice in turn, and while
        they handle one, `transcript` is the version right after that splice (a view that
        counts rows between changes stays consistent).
        """
        versions: list[Transcript] = []
        inverse: list[Splice] = []
        changes: list[DocumentChange] = []
        transcript = self._transcript
        for sp in splices:
            old = transcript.segments[sp.start : sp.stop]
            transcript = transcript.replace_segments(sp.start, sp.stop, sp.new)
            versions.append(transcript)
            inverse.append(Splice(sp.start, sp.start + len(sp.new), old))
            changes.append(DocumentChange(sp.start, sp.stop - sp.start, len(sp.new)))
        for version, change in zip(versions, changes, strict=True):
            self._set(version, [change])
        inverse.reverse()
        return inverse

    def reset(self, transcript: Transcript) -> None:
        """Replace the whole transcript (opening a project, say): not an undoable edit."""
        self._set(transcript, [DocumentChange(0, len(self._transcript.segments), 0, reset=True)])

    def replace_transcript_facts(self, transcript: Transcript) -> None:
        """Swap in a transcript with the same segments but other media/metadata/language."""
        if transcript.segments is not self._transcript.segments:
            self.reset(transcript)
            return
        self._transcript = transcript
        self._revision += 1

    def append_segments(self, segments: Sequence[Segment]) -> None:
        """Add segments at the end as they stream in from transcription (not undoable).

        Words that would start before the current end (the person may have stretched the last
        segment while the rest was still coming) are trimmed or dropped, so appending never
        fails on a live document.
        """
        end = self._transcript.end_ms
        duration = self._transcript.duration_ms
        fitted: list[Segment] = []
        for seg in segments:
            words = _fit_words(seg.words, end, duration)
            if words:
                fitted.append(seg.with_words(words))
                end = words[-1].end_ms
        if fitted:
            n = len(self._transcript.segments)
            self.apply([Splice(n, n, tuple(fitted))])

    def _set(self, transcript: Transcript, changes: list[DocumentChange]) -> None:
        self._transcript = transcript
        self._revision += 1
        for change in changes:
            for listener in list(self._listeners):
                listener(change)


def _fit_words(words: Sequence[Word], not_before: int, not_after: int | None) -> list[Word]:
    """Trim words so they start at or after ``not_before`` and end by ``not_after``."""
    out: list[Word] = []
    for w in words:
        start = max(w.start_ms, not_before)
        end = w.end_ms if not_after is None else min(w.end_ms, not_after)
        if end > start:
            out.append(Word(w.text, start, end, w.probability))
            not_before = end
    return out
