"""Random transcripts, random edits (valid or not), random undo and redo: nothing ever breaks.

After every step the transcript keeps every invariant; a refused edit leaves the document as it
was; undo and redo always give back exactly the transcripts seen before; the clean mark is only
shown when the document is as it was saved.
"""

from __future__ import annotations

from typing import Any

from edit_helpers import check_valid
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from editor.commands import (
    Command,
    DeleteSegments,
    DeleteWords,
    MergeSegments,
    MoveSegmentBoundary,
    MoveWordBoundary,
    RenameSpeaker,
    ReplaceAll,
    ReplaceMatch,
    ReplaceSegmentText,
    ReplaceWordText,
    SetSpeaker,
    SplitSegment,
)
from editor.document import Document
from editor.errors import EditorError, InvariantError, SearchError
from editor.history import History
from editor.queries import Match, SearchQuery, find_matches
from editor.transcript import MediaInfo, Segment, Transcript, Word

BODIES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=5
).filter(lambda s: not any(c.isspace() for c in s))
SPEAKERS = st.sampled_from([None, "Ann", "Bob"])
NEW_WORDS = ["new", "Ünï", "你好", "x,", "—", "York"]
REPLACEMENTS = st.sampled_from(["", "x", "y z", r"\1", "NYC", "new  words here"])


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    """A valid transcript: a few segments, touching or spaced words, maybe a media duration."""
    segments = []
    t = draw(st.integers(0, 200))
    for _ in range(draw(st.integers(1, 4))):
        words = []
        for i in range(draw(st.integers(1, 5))):
            if i:
                t += draw(st.one_of(st.just(0), st.integers(1, 300)))
            duration = draw(st.integers(1, 300))
            separator = draw(st.sampled_from(["", " ", " ", "  "] if i == 0 else [" ", " ", ""]))
            probability = draw(st.floats(0, 1))
            words.append(Word(separator + draw(BODIES), t, t + duration, probability))
            t += duration
        segments.append(Segment(tuple(words), draw(SPEAKERS)))
        t += draw(st.integers(0, 500))
    extra = draw(st.none() | st.integers(0, 300))
    media = MediaInfo("talk.wav", segments[-1].end_ms + extra) if extra is not None else None
    return Transcript(tuple(segments), "en", media)


def indices(draw: st.DrawFn, n: int) -> int:
    """An index into ``n`` items: mostly valid, sometimes just outside (stale)."""
    if n and draw(st.integers(0, 4)):
        return draw(st.integers(0, n - 1))
    return draw(st.integers(-1, n))


def word_of(draw: st.DrawFn, t: Transcript) -> tuple[int, int]:
    """A (segment, word) pair, mostly valid."""
    si = indices(draw, len(t.segments))
    n = len(t.segments[si].words) if 0 <= si < len(t.segments) else 3
    return si, indices(draw, n)


def text_for(draw: st.DrawFn, t: Transcript) -> str:
    """Typed text: often an existing segment with words dropped and added, else anything."""
    if t.segments and draw(st.integers(0, 3)):
        seg = draw(st.sampled_from(t.segments))
        out = []
        for w in seg.words:
            if draw(st.integers(0, 3)):
                out.append(w.stripped)
            if not draw(st.integers(0, 3)):
                out.append(draw(st.sampled_from(NEW_WORDS)))
        return " ".join(out)
    return draw(st.text(st.sampled_from("ab é,\n\t"), max_size=10))


def query_for(draw: st.DrawFn, t: Transcript) -> SearchQuery:
    """A query for text that is often there (a word or two of the transcript)."""
    if t.segments and draw(st.integers(0, 3)):
        seg = draw(st.sampled_from(t.segments))
        start = draw(st.integers(0, len(seg.words) - 1))
        pattern = "".join(w.text for w in seg.words[start : start + draw(st.integers(1, 2))])
        pattern = pattern.strip()
    else:
        pattern = draw(st.sampled_from(["", r"(\w)", "(", "x*", "\\w+ (\\w+)"]))
    return SearchQuery(pattern, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))


def replace_match(draw: st.DrawFn, t: Transcript) -> ReplaceMatch:
    """A `ReplaceMatch` of a real match when there is one, else of a made-up one."""
    query = query_for(draw, t)
    try:
        found = find_matches(t, query)
    except SearchError:
        found = []
    if found and draw(st.integers(0, 3)):
        match = draw(st.sampled_from(found))
    else:
        match = Match(
            draw(st.integers(-1, 4)), draw(st.integers(-1, 20)), draw(st.integers(-1, 20))
        )
    return ReplaceMatch(query, match, draw(REPLACEMENTS))


KINDS = [
    "word text",
    "segment text",
    "split",
    "merge",
    "move word",
    "move segment",
    "set speaker",
    "rename",
    "delete words",
    "delete segments",
    "replace all",
    "replace match",
]


@st.composite
def commands(draw: st.DrawFn, t: Transcript) -> Command:
    """Any command, with indices and times mostly valid and sometimes stale or out of range."""
    kind = draw(st.sampled_from(KINDS))
    n = len(t.segments)
    ms = st.none() | st.integers(-100, t.end_ms + 600)
    if kind == "word text":
        return ReplaceWordText(*word_of(draw, t), text_for(draw, t))
    if kind == "segment text":
        return ReplaceSegmentText(indices(draw, n), text_for(draw, t))
    if kind == "split":
        return SplitSegment(*word_of(draw, t))
    if kind == "merge":
        return MergeSegments(indices(draw, n))
    if kind == "move word":
        return MoveWordBoundary(*word_of(draw, t), draw(ms), draw(ms))
    if kind == "move segment":
        return MoveSegmentBoundary(indices(draw, n), draw(ms), draw(ms))
    if kind == "set speaker":
        chosen = [indices(draw, n) for _ in range(draw(st.integers(0, 3)))]
        return SetSpeaker(chosen, draw(st.sampled_from([None, "Ann", "Cy", " "])))
    if kind == "rename":
        return RenameSpeaker(draw(st.sampled_from(["Ann", "Bob", "Zed"])), draw(SPEAKERS.map(str)))
    if kind == "delete words":
        si, first = word_of(draw, t)
        return DeleteWords(si, first, first + draw(st.integers(-1, 3)))
    if kind == "delete segments":
        first = indices(draw, n)
        return DeleteSegments(first, first + draw(st.integers(-1, 2)))
    if kind == "replace all":
        return ReplaceAll(query_for(draw, t), draw(REPLACEMENTS))
    return replace_match(draw, t)


class Model:
    """What the history should give back: the transcript at every stack position."""

    def __init__(self, doc: Document) -> None:
        self.history = History(doc)
        self.doc = doc
        self.at: dict[int, Transcript] = {0: doc.transcript}
        self.saved = doc.transcript
        self.typing: tuple[int, int] | None = None  # the word the last command typed in

    def push(self, cmd: Command) -> None:
        before, revision, index = self.doc.transcript, self.doc.revision, self.history.index
        self.typing = None
        try:
            self.history.push(cmd)
        except InvariantError as e:  # a command must never build an invalid transcript
            raise AssertionError(f"{cmd} broke an invariant") from e
        except EditorError as e:
            event(f"rejected {type(cmd).__name__} {type(e).__name__}")
            assert self.doc.transcript is before
            assert self.doc.revision == revision
            return
        event(f"ok {type(cmd).__name__} changed={self.doc.revision != revision}")
        if isinstance(cmd, ReplaceWordText):
            self.typing = (cmd.segment, cmd.word)
        if self.doc.revision == revision:  # a no-op: nothing recorded
            assert self.history.index == index
            return
        if self.history.index <= index:
            event("typing merged into the previous step")
        if self.history.index < index:  # merged typing that cancelled out
            assert self.doc.transcript == self.at[self.history.index]
        self.at = {k: v for k, v in self.at.items() if k < self.history.index}
        self.at[self.history.index] = self.doc.transcript

    def step(self, action: str) -> None:
        self.typing = None
        if action == "undo" and self.history.can_undo:
            self.history.undo()
        elif action == "redo" and self.history.can_redo:
            self.history.redo()
        elif action == "save":
            self.history.set_clean()
            self.saved = self.doc.transcript
        assert self.doc.transcript == self.at[self.history.index]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(original=transcripts(), data=st.data())
def test_random_edits_keep_invariants_and_undo_exactly(original: Transcript, data: Any) -> None:
    model = Model(Document(original))
    for _ in range(data.draw(st.integers(1, 12), label="steps")):
        typing = ["type on"] * 4 if model.typing else []  # more typing in the same word
        action = data.draw(
            st.sampled_from([*typing, "edit", "edit", "edit", "undo", "redo", "save"])
        )
        if action == "type on" and model.typing:
            text = data.draw(st.sampled_from([*NEW_WORDS, "", "two words"]))
            model.push(ReplaceWordText(*model.typing, text))
        elif action == "edit":
            model.push(data.draw(commands(model.doc.transcript), label="command"))
        else:
            model.step(action)
        check_valid(model.doc.transcript)
        if model.history.clean:
            assert model.doc.transcript == model.saved

    while model.history.can_undo:
        model.history.undo()
    assert model.doc.transcript == original
    while model.history.can_redo:
        model.history.redo()
    assert model.doc.transcript == model.at[model.history.count]


@settings(max_examples=100, deadline=None)
@given(
    original=transcripts(),
    typed=st.lists(st.sampled_from([*NEW_WORDS, "New"]), min_size=1, max_size=6),
    data=st.data(),
)
def test_typing_in_one_word_is_one_step(original: Transcript, typed: list[str], data: Any) -> None:
    segment = data.draw(st.integers(0, len(original.segments) - 1), label="segment")
    word = data.draw(st.integers(0, len(original.segments[segment].words) - 1), label="word")
    history = History(Document(original))
    for text in typed:
        history.push(ReplaceWordText(segment, word, text))
    final = history.document.transcript
    assert final.segments[segment].words[word].stripped == typed[-1]
    assert history.count <= 1
    if history.can_undo:
        history.undo()
    assert history.document.transcript == original
    if history.can_redo:
        history.redo()
    assert history.document.transcript == final
