"""Commands that change what the words say: typing in a word or a segment, find and replace.

All of them rewrite a segment through `editor.textdiff.respell`, so the words a person did not
touch keep their exact timings and probabilities. Text that leaves a segment empty deletes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from editor.commands.base import Command, replace_segment, segment_at, word_at
from editor.document import Splice
from editor.errors import EditRejected
from editor.queries import (
    Match,
    SearchQuery,
    compile_query,
    expand_replacement,
    iter_matches,
)
from editor.textdiff import leading_separator, respell, tokenize
from editor.transcript import Transcript

__all__ = ["TYPING_MERGE_ID", "ReplaceAll", "ReplaceMatch", "ReplaceSegmentText", "ReplaceWordText"]

TYPING_MERGE_ID = 1
"""`Command.merge_id` of `ReplaceWordText`: typing in one word merges into one undo step."""


def rewrite_segment(transcript: Transcript, index: int, text: str) -> list[Splice]:
    """Splices giving segment ``index`` the display text ``text`` (deleting it when empty)."""
    seg = segment_at(transcript, index)
    # The display text is stripped, so the first word keeps the separator style it had.
    tokens = tokenize(text, leading_separator(seg.words[0].text))
    words = respell(seg.words, tokens, seg.start_ms, seg.end_ms) if tokens else ()
    return replace_segment(index, seg, words)


@dataclass(eq=False)
class ReplaceWordText(Command):
    """Replace the text of one word, keeping its timing.

    The word keeps its leading separator unless ``text`` starts with whitespace of its own.
    Text with several words replaces the word by them, spread over the old word's time; empty
    text deletes the word (and its segment when it was the only word).

    Consecutive edits of the same word merge into one undo step (see `merge`).

    Attributes:
        segment: Index of the segment.
        word: Index of the word in the segment.
        text: The new text.
    """

    segment: int
    word: int
    text: str
    # Whether the edit left exactly one word at (segment, word): only then does a following
    # edit at the same indices still mean the same word.
    _single_word: bool = field(init=False, default=False, repr=False)

    _label = "Edit word"
    merge_id = TYPING_MERGE_ID

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        seg = segment_at(transcript, self.segment)
        old = word_at(transcript, self.segment, self.word)
        separator = leading_separator(self.text) or leading_separator(old.text)
        tokens = tokenize(self.text, separator)
        new = respell([old], tokens, old.start_ms, old.end_ms) if tokens else ()
        self._single_word = len(new) == 1
        words = (*seg.words[: self.word], *new, *seg.words[self.word + 1 :])
        return replace_segment(self.segment, seg, words)

    def merge(self, other: Command) -> bool:
        """Absorb a following edit of the same word (same segment and word index).

        Edits of other words, and edits after this one split or deleted its word, do not
        merge. Whether anything was undone in between is the history's business.
        """
        if not (
            isinstance(other, ReplaceWordText)
            and (other.segment, other.word) == (self.segment, self.word)
            and self._single_word
        ):
            return False
        self._absorb(other)
        self._single_word = other._single_word
        self.text = other.text
        return True


@dataclass(eq=False)
class ReplaceSegmentText(Command):
    """Replace the whole text of a segment, keeping the timings of unchanged words.

    See `editor.textdiff` for how words are timed. Empty text deletes the segment.

    Attributes:
        segment: Index of the segment.
        text: The new display text.
    """

    segment: int
    text: str

    _label = "Edit segment"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`."""
        return rewrite_segment(transcript, self.segment, self.text)


@dataclass(eq=False)
class ReplaceAll(Command):
    r"""Replace every match of a query, in every segment, as one undo step.

    Matches may span words ("New York" -> "NYC"); each changed segment is rewritten like
    `ReplaceSegmentText`. No match at all is a no-op.

    Attributes:
        query: What to look for.
        replacement: The text put in place of each match (with ``\1`` group references when
            the query is a regex; taken literally otherwise).
        count: How many matches were replaced (known once the command is done).
    """

    query: SearchQuery
    replacement: str
    count: int = field(init=False, default=0)

    _label = "Replace all"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`. Raises `SearchError` for a bad pattern or replacement."""
        self.count = 0
        if not self.query.pattern:
            return []
        pattern = compile_query(self.query)
        splices: list[Splice] = []
        # From the last segment back: deleting an emptied segment shifts only later ones.
        for index in reversed(range(len(transcript.segments))):
            text = transcript.segments[index].text
            matches = list(iter_matches(pattern, text))
            if matches:
                new_text = _replaced(text, matches, self.query, self.replacement)
                splices += rewrite_segment(transcript, index, new_text)
                self.count += len(matches)
        return splices


@dataclass(eq=False)
class ReplaceMatch(Command):
    """Replace one match found by `editor.queries.find_matches`.

    Attributes:
        query: The query that found the match (for regex group references).
        match: The match to replace; rejected when the text there no longer matches.
        replacement: The text put in its place.
    """

    query: SearchQuery
    match: Match
    replacement: str

    _label = "Replace"

    def splices(self, transcript: Transcript) -> list[Splice]:
        """See `Command.splices`. Raises `SearchError` for a bad pattern or replacement."""
        text = segment_at(transcript, self.match.segment).text
        found = None
        if self.query.pattern and 0 <= self.match.start_char <= len(text):
            found = compile_query(self.query).match(text, self.match.start_char)
        wanted = (self.match.start_char, self.match.end_char)
        if found is None or found.span() != wanted or found.start() == found.end():
            raise EditRejected("the text has changed since the search; search again")
        new_text = _replaced(text, [found], self.query, self.replacement)
        return rewrite_segment(transcript, self.match.segment, new_text)


def _replaced(text: str, matches: list[re.Match[str]], query: SearchQuery, replacement: str) -> str:
    """``text`` with each of ``matches`` (in order, not overlapping) replaced."""
    pieces: list[str] = []
    last = 0
    for m in matches:
        pieces += (text[last : m.start()], expand_replacement(m, query, replacement))
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces)
