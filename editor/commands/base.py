"""The command base: an edit as splices, done, undone and redone on a `Document`.

A command computes its splices from the document's current transcript the first time it is done,
keeps them and the inverse splices `Document.apply` returns, and from then on only re-applies the
one or the other. Nothing in a command knows about Qt: a ``QUndoCommand`` wrapper delegates
``redo``/``undo``/``id``/``mergeWith`` to `Command.do`, `Command.undo`, `Command.merge_id` and
`Command.merge`. Because `do` may raise `EditRejected`, the wrapper's owner calls `do` itself
first and pushes the wrapper only when it succeeded and `Command.changed` is true (the wrapper
skips its first ``redo``).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from editor.document import Document, Splice
from editor.errors import EditRejected, InvariantError
from editor.transcript import Segment, Transcript, Word

__all__ = ["NO_MERGE", "Command", "replace_segment", "segment_at", "word_at"]

log = logging.getLogger(__name__)

NO_MERGE = -1
"""`Command.merge_id` of commands that never merge (Qt's ``QUndoCommand.id()`` convention)."""


@dataclass(eq=False)
class Command(ABC):
    """One undoable edit of a `Document`.

    Subclasses hold their arguments as dataclass fields and implement `splices`; this base keeps
    the forward and inverse splices. A command that turns out to change nothing (retyping the
    same text, say) is a no-op: `do` succeeds, `changed` is False and an undo history drops it.
    """

    _label: ClassVar[str] = "Edit"
    merge_id: ClassVar[int] = NO_MERGE
    """Commands with the same id (other than `NO_MERGE`) may be offered to `merge`."""

    _forward: tuple[Splice, ...] | None = field(init=False, default=None, repr=False)
    _inverse: tuple[Splice, ...] = field(init=False, default=(), repr=False)
    _applied: bool = field(init=False, default=False, repr=False)

    @property
    def label(self) -> str:
        """What the edit is, for "Undo <label>" menus ("Edit word", "Split segment")."""
        return self._label

    @property
    def changed(self) -> bool:
        """Whether doing the command changed the document (False before it is first done)."""
        return bool(self._forward)

    @abstractmethod
    def splices(self, transcript: Transcript) -> list[Splice]:
        """The splices that perform the edit on ``transcript``; empty when nothing changes.

        Raises:
            EditRejected: The arguments do not fit ``transcript`` (stale index, nonsense edit).
        """

    def do(self, doc: Document) -> None:
        """Perform the edit (the first time) or perform it again after `undo` (redo).

        Raises:
            EditRejected: The edit does not fit the document; the document is unchanged.
            EditorError: Another refusal, such as `SearchError` for a bad search pattern;
                the document is unchanged.
        """
        if self._applied:
            raise EditRejected(f"{self.label} is already done")
        if self._forward is None:
            forward = tuple(self.splices(doc.transcript))
            self._inverse = tuple(doc.apply(forward)) if forward else ()
            self._forward = forward
            log.debug("%s: %d splices", self.label, len(forward))
        elif self._forward:
            self._inverse = tuple(self._apply(doc, self._forward, "redo"))
        self._applied = True

    def undo(self, doc: Document) -> None:
        """Put the document back as it was before `do`.

        Raises:
            EditRejected: The command is not done, or the document changed since in a way
                that makes the undo impossible (segments streamed in over the same time);
                the document is unchanged.
        """
        if not self._applied:
            raise EditRejected(f"{self.label} is not done, so it cannot be undone")
        if self._inverse:
            self._apply(doc, self._inverse, "undo")
        self._applied = False

    def merge(self, other: Command) -> bool:
        """Absorb ``other``, done right after this command, into one undo step.

        Returns:
            True when merged (undoing this command now undoes both), False otherwise.
        """
        return False

    def _absorb(self, other: Command) -> None:
        """Make this command's splices do (and undo) ``other``'s as well."""
        forward = (*(self._forward or ()), *(other._forward or ()))
        inverse = (*other._inverse, *self._inverse)
        if len(forward) == 2 and len(inverse) == 2:
            forward, inverse = _compacted(forward, inverse)
        self._forward, self._inverse = forward, inverse

    def _apply(self, doc: Document, splices: Sequence[Splice], action: str) -> list[Splice]:
        try:
            return doc.apply(splices)
        except InvariantError as e:
            raise EditRejected(
                f"cannot {action} {self.label.lower()}: the transcript has changed since ({e})"
            ) from e


def _compacted(
    forward: tuple[Splice, ...], inverse: tuple[Splice, ...]
) -> tuple[tuple[Splice, ...], tuple[Splice, ...]]:
    """Two splices where the second rewrites exactly what the first put in, as one (or none)."""
    first, second = forward
    if second.start != first.start or second.stop != first.start + len(first.new):
        return forward, inverse
    original = inverse[1].new  # what the first splice replaced
    if second.new == original:
        return (), ()  # the second edit took the first one back
    merged = Splice(first.start, first.stop, second.new)
    return (merged,), (Splice(first.start, first.start + len(second.new), original),)


def segment_at(transcript: Transcript, index: int) -> Segment:
    """The segment at ``index``, or `EditRejected` when there is none (a stale index)."""
    if not 0 <= index < len(transcript.segments):
        raise EditRejected(
            f"there is no segment {index + 1} (the transcript has {len(transcript.segments)})"
        )
    return transcript.segments[index]


def word_at(transcript: Transcript, segment: int, word: int) -> Word:
    """The word at ``(segment, word)``, or `EditRejected` when there is none."""
    seg = segment_at(transcript, segment)
    if not 0 <= word < len(seg.words):
        raise EditRejected(
            f"segment {segment + 1} has no word {word + 1} (it has {len(seg.words)})"
        )
    return seg.words[word]


def replace_segment(index: int, old: Segment, words: Sequence[Word]) -> list[Splice]:
    """The splice that gives segment ``index`` other words (deleting it when there are none)."""
    if not words:
        return [Splice(index, index + 1, ())]
    new = old.with_words(words)
    return [] if new == old else [Splice(index, index + 1, (new,))]
