from __future__ import annotations

import re

import pytest
from edit_helpers import segment, transcript

from editor.errors import SearchError
from editor.queries import (
    Match,
    SearchQuery,
    TranscriptIndex,
    compile_query,
    expand_replacement,
    find_matches,
    low_confidence_words,
    word_at_char,
    word_spans,
    words_in_range,
)
from editor.transcript import Segment, Word

# "a b" from 0 ms, words 100 ms long and 50 ms apart (a: 0-100, b: 150-250);
# "c d" touching words from 1000 ms (c: 1000-1100, d: 1100-1200).
TIMED = transcript(
    segment("a b", word_ms=100, gap_ms=50),
    segment("c d", start_ms=1000),
)


@pytest.fixture
def index() -> TranscriptIndex:
    return TranscriptIndex(TIMED)


@pytest.mark.parametrize(
    ("ms", "segment_at", "word_at", "highlight"),
    [
        (0, 0, (0, 0), (0, 0)),
        (99, 0, (0, 0), (0, 0)),
        (120, 0, None, (0, 0)),  # a pause inside a segment keeps the last word
        (150, 0, (0, 1), (0, 1)),
        (250, None, None, None),  # ends are exclusive
        (600, None, None, None),  # between segments
        (1100, 1, (1, 1), (1, 1)),  # touching words: the later one is spoken
        (5000, None, None, None),
    ],
)
def test_time_lookups(
    index: TranscriptIndex,
    ms: int,
    segment_at: int | None,
    word_at: tuple[int, int] | None,
    highlight: tuple[int, int] | None,
) -> None:
    assert index.segment_at(ms) == segment_at
    assert index.word_at(ms) == word_at
    assert index.highlight_at(ms) == highlight


def test_before_lookups(index: TranscriptIndex) -> None:
    assert index.word_before(-1) is None
    assert index.segment_before(-1) is None
    assert index.word_before(600) == (0, 1)
    assert index.segment_before(600) == 0
    assert index.word_before(5000) == (1, 1)


def test_flat_index_round_trips(index: TranscriptIndex) -> None:
    flats = [index.flat_index(si, wi) for si, wi, _ in TIMED.words()]
    assert flats == list(range(TIMED.word_count))
    assert [index.position(f) for f in flats] == [(si, wi) for si, wi, _ in TIMED.words()]
    with pytest.raises(IndexError):
        index.flat_index(0, 2)
    with pytest.raises(IndexError):
        index.position(index.word_count)


def test_empty_transcript_index() -> None:
    index = TranscriptIndex(transcript())
    assert index.word_count == 0
    assert index.segment_at(0) is None
    assert index.highlight_at(0) is None


def test_low_confidence_words() -> None:
    seg = Segment((Word(" sure", 0, 10, 0.9), Word(" maybe", 10, 20, 0.3)))
    assert low_confidence_words(transcript(seg), 0.5) == [(0, 1)]
    assert low_confidence_words(transcript(seg), 0.3) == []


# -- characters and words ---------------------------------------------------------------------
SPACED = Segment((Word(" New", 0, 10), Word(" York,", 10, 20), Word(" baby", 20, 30)))
UNSPACED = Segment((Word("你好", 0, 10), Word("世界", 10, 20)))


def test_word_spans_cover_each_word_in_the_display_text() -> None:
    for seg in (SPACED, UNSPACED):
        spans = word_spans(seg)
        assert [seg.text[s:e] for s, e in spans] == [w.stripped for w in seg.words]


def test_words_in_range() -> None:
    start = SPACED.text.index("York")
    assert words_in_range(SPACED, 0, start + 2) == (0, 1)
    assert words_in_range(SPACED, start - 1, start) is None  # only the separator
    assert words_in_range(UNSPACED, 1, 3) == (0, 1)


def test_word_at_char() -> None:
    assert word_at_char(SPACED, 0) == 0
    assert word_at_char(SPACED, 3) == 0  # right after "New"
    assert word_at_char(SPACED, 4) == 1


# -- search -------------------------------------------------------------------------------------
TEXT = transcript(segment("The theme of the day"), segment("Ünïcode ünïcode", start_ms=1000))


def spans(query: SearchQuery) -> list[tuple[int, str]]:
    return [
        (m.segment, TEXT.segments[m.segment].text[m.start_char : m.end_char])
        for m in find_matches(TEXT, query)
    ]


def test_find_is_case_insensitive_by_default() -> None:
    assert spans(SearchQuery("the")) == [(0, "The"), (0, "the"), (0, "the")]
    assert spans(SearchQuery("ÜNÏCODE")) == [(1, "Ünïcode"), (1, "ünïcode")]


def test_find_options() -> None:
    assert spans(SearchQuery("the", case_sensitive=True)) == [(0, "the"), (0, "the")]
    assert spans(SearchQuery("the", whole_word=True)) == [(0, "The"), (0, "the")]
    assert spans(SearchQuery(r"th\w{3,}", regex=True, whole_word=True)) == [(0, "theme")]


def test_find_can_span_words() -> None:
    assert find_matches(TEXT, SearchQuery("of the")) == [Match(0, 10, 16)]


def test_literal_patterns_are_not_regexes() -> None:
    assert spans(SearchQuery("th.")) == []


def test_empty_pattern_and_empty_matches_find_nothing() -> None:
    assert find_matches(TEXT, SearchQuery("")) == []
    assert find_matches(TEXT, SearchQuery("x*", regex=True)) == []


def test_bad_regex_is_a_search_error() -> None:
    with pytest.raises(SearchError, match="not a valid regular expression"):
        find_matches(TEXT, SearchQuery("(", regex=True))


def test_expand_replacement() -> None:
    regex = SearchQuery(r"(\w+) of", regex=True)
    m = compile_query(regex).search("theme of")
    assert m is not None
    assert expand_replacement(m, regex, r"\1 for") == "theme for"
    assert expand_replacement(m, SearchQuery("of"), r"\1") == r"\1"
    with pytest.raises(SearchError):
        expand_replacement(m, regex, r"\3")
    assert isinstance(compile_query(regex), re.Pattern)
