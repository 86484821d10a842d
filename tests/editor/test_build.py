from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.build import RawSegment, RawWord, build_segments, build_transcript
from editor.errors import InvariantError
from editor.timefmt import ms_from_seconds
from editor.transcript import MediaInfo, Segment, Transcript


def times(segments: Sequence[Segment]) -> list[tuple[str, int, int]]:
    return [(w.text, w.start_ms, w.end_ms) for s in segments for w in s.words]


def assert_valid(segments: Sequence[Segment], lo: int, hi: int | None) -> None:
    words = [w for s in segments for w in s.words]
    for before, after in itertools.pairwise(words):
        assert before.end_ms <= after.start_ms
    for w in words:
        assert w.start_ms >= lo
        assert hi is None or w.end_ms <= hi
        assert w.end_ms > w.start_ms
    # The constructors check the rest (non-empty segments, ordering, duration).
    Transcript(tuple(segments), media=MediaInfo("x.wav", duration_ms=hi))


# -- well-formed input passes through untouched -------------------------------------------------
def test_clean_input_is_kept_exactly() -> None:
    raw = [
        RawSegment([RawWord(" And", 0, 300, 0.9), RawWord(" so", 300, 500, 0.8)], "Ann"),
        RawSegment([RawWord(" my", 700, 900, 0.99)]),
    ]
    segments = build_segments(raw, duration_ms=1000)
    assert [s.speaker for s in segments] == ["Ann", None]
    assert times(segments) == [(w.text, w.start_ms, w.end_ms) for r in raw for w in r.words]
    assert [w.probability for s in segments for w in s.words] == [0.9, 0.8, 0.99]


# -- each repair ---------------------------------------------------------------------------------
def test_blank_words_and_empty_segments_are_dropped() -> None:
    raw = [
        RawSegment([RawWord("  ", 0, 100, 1.0)]),
        RawSegment([]),
        RawSegment([RawWord(" hi", 100, 200, 1.0), RawWord("", 200, 300, 1.0)]),
    ]
    assert times(build_segments(raw)) == [(" hi", 100, 200)]


def test_reversed_word_is_turned_round() -> None:
    segments = build_segments([RawSegment([RawWord(" up", 500, 200, 1.0)])])
    assert times(segments) == [(" up", 200, 500)]


def test_times_are_clamped_into_the_allowed_range() -> None:
    raw = [RawSegment([RawWord(" a", -50, 100, 1.0), RawWord(" b", 900, 1500, 1.0)])]
    segments = build_segments(raw, not_before_ms=20, duration_ms=1000)
    assert times(segments) == [(" a", 20, 100), (" b", 900, 1000)]


def test_overlap_cuts_the_earlier_word_at_the_later_start() -> None:
    raw = [
        RawSegment([RawWord(" one", 0, 1020, 1.0)]),
        RawSegment([RawWord(" two", 1000, 1500, 1.0)]),
    ]
    assert times(build_segments(raw)) == [(" one", 0, 1000), (" two", 1000, 1500)]


def test_word_starting_before_the_previous_one_moves_after_it() -> None:
    raw = [RawSegment([RawWord(" one", 500, 800, 1.0), RawWord(" two", 400, 1000, 1.0)])]
    assert times(build_segments(raw)) == [(" one", 500, 800), (" two", 800, 1000)]


def test_zero_length_word_borrows_from_the_gap_after() -> None:
    raw = [RawSegment([RawWord(" a", 100, 100, 1.0), RawWord(" b", 300, 400, 1.0)])]
    assert times(build_segments(raw)) == [(" a", 100, 101), (" b", 300, 400)]


def test_zero_length_word_borrows_from_the_gap_before_at_the_media_end() -> None:
    raw = [RawSegment([RawWord(" a", 100, 200, 1.0), RawWord(" b", 1000, 1000, 1.0)])]
    segments = build_segments(raw, duration_ms=1000)
    assert times(segments) == [(" a", 100, 200), (" b", 999, 1000)]


def test_zero_length_word_splits_a_neighbour_without_gaps() -> None:
    raw = [RawSegment([RawWord(" a", 0, 500, 1.0), RawWord(" b", 500, 500, 1.0)])]
    segments = build_segments(raw, duration_ms=500)
    assert times(segments) == [(" a", 0, 499), (" b", 499, 500)]
    raw = [RawSegment([RawWord(" a", 0, 0, 1.0), RawWord(" b", 0, 500, 1.0)])]
    assert times(build_segments(raw, duration_ms=500)) == [(" a", 0, 1), (" b", 1, 500)]


def test_zero_length_word_without_room_merges_into_previous_word() -> None:
    raw = [RawSegment([RawWord(" can", 0, 1, 0.9), RawWord("'t", 1, 1, 0.4)])]
    segments = build_segments(raw, duration_ms=1)
    assert times(segments) == [(" can't", 0, 1)]
    assert segments[0].words[0].probability == 0.4


def test_word_without_room_prefers_a_neighbour_in_its_own_segment() -> None:
    raw = [
        RawSegment([RawWord(" end.", 0, 1, 1.0)]),
        RawSegment([RawWord(" Next", 1, 1, 1.0), RawWord(" line", 1, 2, 1.0)]),
    ]
    segments = build_segments(raw, duration_ms=2)
    assert [s.text for s in segments] == ["end.", "Next line"]
    assert_valid(segments, 0, 2)


def test_no_room_at_all_gives_nothing() -> None:
    raw = [RawSegment([RawWord(" a", 0, 100, 1.0)])]
    assert build_segments(raw, not_before_ms=500, duration_ms=500) == []


def test_probability_is_clamped() -> None:
    raw = [
        RawSegment(
            [RawWord(" a", 0, 1, float("nan")), RawWord(" b", 1, 2, 7.0), RawWord(" c", 2, 3, -1)]
        )
    ]
    assert [w.probability for w in build_segments(raw)[0].words] == [0.0, 1.0, 0.0]


def test_untimed_segment_is_spread_evenly() -> None:
    raw = [RawSegment([], "Bo", text="ask not what", start_ms=1000, end_ms=1900)]
    segments = build_segments(raw)
    assert segments[0].text == "ask not what"
    assert segments[0].speaker == "Bo"
    assert [w.text for w in segments[0].words] == ["ask", " not", " what"]
    durations = [w.duration_ms for w in segments[0].words]
    assert max(durations) - min(durations) <= 1
    assert segments[0].start_ms == 1000
    assert segments[0].end_ms == 1900


def test_untimed_segment_without_span_follows_the_previous_one() -> None:
    raw = [
        RawSegment([RawWord(" first", 0, 400, 1.0)]),
        RawSegment([], text="then more"),
    ]
    segments = build_segments(raw)
    assert [s.text for s in segments] == ["first", "then more"]
    assert segments[1].start_ms >= 400
    assert_valid(segments, 0, None)


def test_from_seconds_uses_the_editor_rounding_rule() -> None:
    word = RawWord.from_seconds(" x", 1.2345, 2.0, 0.5)
    assert (word.start_ms, word.end_ms) == (ms_from_seconds(1.2345), ms_from_seconds(2.0))
    with pytest.raises(InvariantError):
        RawWord.from_seconds(" x", float("nan"), 1.0, 0.5)


def test_build_transcript_keeps_facts_and_duration() -> None:
    media = MediaInfo("talk.wav", duration_ms=1000, size=10, fingerprint="f")
    raw = [RawSegment([RawWord(" hello", 900, 1200, 0.7)])]
    transcript = build_transcript(raw, language="en", media=media, metadata={"model": "tiny"})
    assert transcript.language == "en"
    assert transcript.media == media
    assert dict(transcript.metadata) == {"model": "tiny"}
    assert transcript.end_ms == 1000


# -- anything goes in, valid segments come out ---------------------------------------------------
huge_ms = st.integers(min_value=-(10**12), max_value=10**12)
small_ms = st.integers(min_value=-50, max_value=400)
seconds = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
texts = st.sampled_from(["", " ", " a", "b", " long-word,", " 日本", "\t"])
probs = st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def raw_words(draw: st.DrawFn) -> RawWord:
    kind = draw(st.sampled_from(["small", "huge", "seconds"]))
    text = draw(texts)
    if kind == "seconds":
        return RawWord.from_seconds(text, draw(seconds), draw(seconds), draw(probs))
    ints = small_ms if kind == "small" else huge_ms
    return RawWord(text, draw(ints), draw(ints), draw(probs))


raw_segments = st.builds(
    RawSegment,
    words=st.lists(raw_words(), max_size=8),
    speaker=st.sampled_from([None, "", "Ann"]),
    text=st.one_of(st.none(), texts, st.just(" spoken words here ")),
    start_ms=st.one_of(st.none(), small_ms),
    end_ms=st.one_of(st.none(), small_ms),
)


def expected_text(raw: Sequence[RawSegment]) -> str:
    parts: list[str] = []
    for seg in raw:
        words = [w.text for w in seg.words if w.text.strip()]
        if words:
            parts.extend(words)
        elif seg.text and seg.text.strip():
            parts.append(seg.text.rstrip())
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(
    raw=st.lists(raw_segments, max_size=6),
    not_before=st.integers(min_value=-10, max_value=200),
    duration=st.one_of(st.none(), st.integers(min_value=0, max_value=600)),
)
def test_any_raw_input_gives_valid_segments(
    raw: list[RawSegment], not_before: int, duration: int | None
) -> None:
    segments = build_segments(raw, not_before_ms=not_before, duration_ms=duration)
    lo = max(not_before, 0)
    assert_valid(segments, lo, duration)
    if duration is None or duration > lo:
        # Words are moved, shortened or merged, but their text is never lost or reordered.
        assert "".join(w.text for s in segments for w in s.words) == expected_text(raw)
