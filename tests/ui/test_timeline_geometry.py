"""The timeline's pure geometry: time and x, zoom and scroll, items in view, edges and drags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.commands import MoveSegmentBoundary, MoveWordBoundary
from editor.document import Document
from editor.errors import EditRejected
from editor.transcript import MediaInfo, Segment, Transcript, Word
from ui.timeline.edges import Grip, drag_commands, drag_label, drag_limit, grip_at
from ui.timeline.geometry import (
    MAX_PIXELS_PER_SECOND,
    Viewport,
    ruler_ticks,
    tick_label,
    tick_step,
)
from ui.timeline.items import Lanes, TimeIndex


def transcript() -> Transcript:
    """Two segments; words in the first touch, the segments are apart; 10 s of media."""
    first = Segment(
        (Word("one", 1000, 1400), Word(" two", 1400, 1900), Word(" three", 2000, 2500)), "A"
    )
    second = Segment((Word("four", 3000, 3500), Word(" five", 3500, 4200)), "B")
    return Transcript((first, second), "en", MediaInfo("talk.wav", 10_000))


# -- the viewport ----------------------------------------------------------------------------------
def test_time_and_x_are_inverse_at_any_zoom_and_scroll() -> None:
    view = Viewport(pixels_per_second=250, start_ms=1200, width=800, duration_ms=60_000)
    assert view.x_of(1200) == 0
    assert view.x_of(2200) == 250
    assert view.ms_at(250) == 2200
    assert view.end_ms == 1200 + 800 * 4
    assert view.visible_range() == (1200, 4400)
    assert view.contains(3000)
    assert not view.contains(5000)
    assert not view.contains(1210, margin_px=5)


@given(
    pps=st.floats(1, 2000),
    start=st.floats(0, 3_600_000),
    x=st.floats(-500, 5000),
    factor=st.floats(0.1, 10),
)
def test_zooming_keeps_the_time_under_the_pointer(pps, start, x, factor) -> None:
    view = Viewport(pps, start, 1000, 0)  # no known end: nothing clamps the scroll
    anchor = view.ms_at(x)
    zoomed = view.zoomed(factor, x)
    if zoomed.pixels_per_second == pytest.approx(pps * factor) and zoomed.start_ms > 0:
        assert zoomed.ms_at(x) == pytest.approx(anchor, rel=1e-9, abs=1e-6)


def test_zoom_is_limited_by_the_recording_and_the_closest_zoom() -> None:
    view = Viewport(100, 0, 1000, 100_000)
    assert view.zoomed(1e-6, 0).pixels_per_second == pytest.approx(10.0)  # 100 s in 1000 px
    assert view.zoomed(1e9, 0).pixels_per_second == MAX_PIXELS_PER_SECOND
    fitted = Viewport(100, 40_000, 1000, 100_000).fitted()
    assert (fitted.start_ms, fitted.end_ms) == (0, pytest.approx(100_000))


def test_scrolling_stops_at_both_ends_of_the_recording() -> None:
    view = Viewport(100, 0, 1000, 60_000)  # 10 s in view
    assert view.scrolled_by(-50).start_ms == 0
    assert view.scrolled_to(1e9).start_ms == 50_000
    assert view.scrolled_by(500).start_ms == 5000
    assert view.scroll_maximum() == 5000
    # A scroll bar value is a whole pixel: the round trip lands within one pixel (10 ms).
    back = view.at_scroll_value(view.scrolled_to(12_345).scroll_value())
    assert back.start_ms == pytest.approx(12_345, abs=10)


def test_a_resize_keeps_the_zoom_and_clamps_the_start() -> None:
    view = Viewport(100, 50_000, 1000, 60_000)
    wider = view.resized(2000)
    assert wider.pixels_per_second == 100
    assert wider.start_ms == 40_000  # the view would run past the end otherwise
    assert Viewport(1, 0, 100, 60_000).resized(1000).pixels_per_second == pytest.approx(1000 / 60)


def test_following_turns_the_page_only_when_the_playhead_leaves_the_view() -> None:
    view = Viewport(100, 0, 1000, 60_000)  # 0-10 s
    assert view.following(9_000) is view
    turned = view.following(10_500)
    assert turned.start_ms == pytest.approx(10_500 - 1000)  # the playhead 10 % into the page
    assert turned.contains(10_500)
    back = turned.following(2_000)
    assert back.contains(2_000)


def test_ruler_ticks_are_spaced_for_their_labels_and_say_the_time() -> None:
    view = Viewport(100, 0, 1000, 60_000)
    step = tick_step(view, 90)
    assert step == 1000
    assert list(ruler_ticks(view, step)) == list(range(0, 10_001, 1000))
    assert tick_step(Viewport(2000, 0, 1000, 60_000), 90) == 50
    assert tick_label(61_000, 1000) == "1:01"
    assert tick_label(61_500, 500) == "1:01.5"
    assert tick_label(61_050, 50) == "1:01.05"


# -- items in view ---------------------------------------------------------------------------------
def test_only_the_items_in_view_are_boxed() -> None:
    index = TimeIndex(transcript())
    view = Viewport(1000, 1500, 1000, 10_000)  # 1.5 s to 2.5 s, one pixel per ms
    assert [(b.segment, b.word) for b in index.visible_words(view)] == [(0, 1), (0, 2)]
    boxes = list(index.visible_segments(view))
    assert [(b.segment, b.left, b.right) for b in boxes] == [(0, -500, 1000)]
    assert list(index.visible_segments(Viewport(1000, 2600, 300, 10_000))) == []  # a pause
    assert index.count_words_between(0, 10_000) == 5


def test_a_dragged_range_takes_the_words_it_mostly_covers() -> None:
    index = TimeIndex(transcript())
    assert index.words_within(1150, 3300) == ((0, 0), (1, 0))  # "one" (middle 1200) to "four"
    assert index.words_within(1250, 3200) == ((0, 1), (0, 2))
    assert index.words_within(2600, 2900) is None
    assert index.words_within(3000, 3000) is None


# -- edges -----------------------------------------------------------------------------------------
LANES = Lanes.for_height(100)  # ruler 0-16, segments 16-80, words 80-100
SEG_Y, WORD_Y = 40, 90


def test_an_edge_is_caught_within_a_few_pixels_in_its_own_strip() -> None:
    index = TimeIndex(transcript())
    view = Viewport(100, 0, 1000, 10_000)  # 10 ms per pixel
    assert grip_at(index, view, LANES, 250, SEG_Y) == Grip("segment", 2500, ending=(0, 2))
    assert grip_at(index, view, LANES, 297, SEG_Y) == Grip("segment", 3000, starting=(1, 0))
    assert grip_at(index, view, LANES, 270, SEG_Y) is None  # between the segments
    assert grip_at(index, view, LANES, 140, SEG_Y) is None  # inside a segment
    assert grip_at(index, view, LANES, 250, 5) is None  # the ruler
    # In the word strip, words that touch share their boundary.
    assert grip_at(index, view, LANES, 141, WORD_Y) == Grip("word", 1400, (0, 0), (0, 1))
    assert grip_at(index, view, LANES, 190, WORD_Y) == Grip("word", 1900, ending=(0, 1))
    assert grip_at(index, view, LANES, 350, WORD_Y) == Grip("word", 3500, (1, 0), (1, 1))


def test_the_nearest_edge_wins() -> None:
    index = TimeIndex(transcript())
    view = Viewport(10, 0, 1000, 10_000)  # 100 ms per pixel: 1900 and 2000 are a pixel apart
    assert grip_at(index, view, LANES, 19.9, WORD_Y).ms == 2000
    assert grip_at(index, view, LANES, 19.2, WORD_Y).ms == 1900


def drag(t: Transcript, grip: Grip, wished: int) -> tuple[Transcript, Transcript]:
    """Do a drag's commands; returns the transcript after it and after undoing it."""
    doc = Document(t)
    commands = drag_commands(grip, drag_limit(t, grip, wished))
    for c in commands:
        c.do(doc)
    after = doc.transcript
    for c in reversed(commands):
        c.undo(doc)
    return after, doc.transcript


def test_a_single_edge_stops_at_its_neighbours_as_the_commands_do() -> None:
    t = transcript()
    end_of_first = Grip("segment", 2500, ending=(0, 2))
    assert drag_limit(t, end_of_first, 2800) == 2800
    assert drag_limit(t, end_of_first, 9000) == 3000  # the next segment's start
    assert drag_limit(t, end_of_first, 0) == 2001  # the word keeps 1 ms
    start_of_second = Grip("segment", 3000, starting=(1, 0))
    assert drag_limit(t, start_of_second, 100) == 2500
    word_end = Grip("word", 1900, ending=(0, 1))
    assert drag_limit(t, word_end, 1990) == 1990
    assert drag_limit(t, word_end, 2400) == 2000  # "three" starts there
    after, undone = drag(t, end_of_first, 9000)
    assert after.segments[0].end_ms == 3000
    assert undone == t


def test_a_shared_boundary_moves_both_words_either_way() -> None:
    t = transcript()
    shared = Grip("word", 1400, (0, 0), (0, 1))
    assert drag_limit(t, shared, 0) == 1001
    assert drag_limit(t, shared, 5000) == 1899
    for wished in (1200, 1700, 1899, 1001):
        after, undone = drag(t, shared, wished)
        words = after.segments[0].words
        assert (words[0].end_ms, words[1].start_ms) == (wished, wished)
        assert undone == t
    assert drag_label(shared) == "Move word boundary"
    assert drag_label(Grip("segment", 3000, starting=(1, 0))) == "Move segment start"


def test_drag_commands_are_the_timing_commands_in_a_safe_order() -> None:
    shared = Grip("segment", 3000, (0, 2), (1, 0))
    later = drag_commands(shared, 3200)
    assert [type(c) for c in later] == [MoveSegmentBoundary, MoveSegmentBoundary]
    assert (later[0].start_ms, later[1].end_ms) == (3200, 3200)  # the next segment gives way
    earlier = drag_commands(shared, 2800)
    assert (earlier[0].end_ms, earlier[1].start_ms) == (2800, 2800)
    assert drag_commands(shared, 3000) == []
    (word,) = drag_commands(Grip("word", 1900, ending=(0, 1)), 1950)
    assert isinstance(word, MoveWordBoundary)
    assert (word.segment, word.word, word.start_ms, word.end_ms) == (0, 1, None, 1950)


def test_a_drag_of_a_stale_edge_is_refused_in_words() -> None:
    with pytest.raises(EditRejected, match="no segment"):
        drag_limit(transcript(), Grip("segment", 9000, ending=(7, 0)), 100)
