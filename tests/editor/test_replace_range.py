"""Re-transcribing a selection: new words in place of a range's, one undo step (issue 15)."""

from __future__ import annotations

import pytest
from edit_helpers import check_valid, do_undo_redo, segment, transcript

from editor.commands import ReplaceRange
from editor.document import Document
from editor.errors import EditRejected

# "one two three four" 0-400 ms by Ann; "five six seven" 1000-1300 ms by Bob; "eight" 2000 ms.
BASE = transcript(
    segment("one two three four", speaker="Ann"),
    segment("five six seven", start_ms=1000, speaker="Bob"),
    segment("eight", start_ms=2000, speaker="Ann"),
    duration_ms=3000,
)


def texts(t):
    return [(s.speaker, s.text) for s in t.segments]


def test_new_words_replace_those_of_the_range_across_segments() -> None:
    # The range 250-1120 ms holds "three four" (Ann) and "five" (Bob).
    new = segment("tree for fife", start_ms=240, word_ms=300)
    after = do_undo_redo(ReplaceRange(250, 1120, (new,)), BASE)
    assert texts(after) == [
        ("Ann", "one two"),
        ("Ann", "tree for fife"),
        ("Bob", "six seven"),
        ("Ann", "eight"),
    ]
    # Everything outside the range is exactly as it was.
    assert after.segments[0].words == BASE.segments[0].words[:2]
    assert after.segments[2].words == BASE.segments[1].words[1:]
    assert after.segments[3] == BASE.segments[2]
    # New words start after the kept "two" (ends 200 ms) and end before "six" (1100 ms).
    words = after.segments[1].words
    assert words[0].start_ms >= 240
    assert words[-1].end_ms <= 1100
    check_valid(after)


def test_a_range_inside_one_segment_and_a_new_speaker() -> None:
    new = segment("SIX", start_ms=1100, speaker="Cy")
    after = do_undo_redo(ReplaceRange(1100, 1200, (new,)), BASE)
    assert texts(after) == [("Ann", "one two three four"), ("Bob", "five"), ("Cy", "SIX"),
                            ("Bob", "seven"), ("Ann", "eight")]  # fmt: skip
    check_valid(after)


def test_a_phrase_inside_one_segment_stays_in_it() -> None:
    # The model may cut a few seconds into several segments; the line is still Bob's one line.
    new = (segment("SIX", start_ms=1100), segment("SEVEN", start_ms=1200))
    after = do_undo_redo(ReplaceRange(1100, 1300, new), BASE)
    assert texts(after) == [("Ann", "one two three four"), ("Bob", "five SIX SEVEN"),
                            ("Ann", "eight")]  # fmt: skip
    assert after.segments[1].words[0] == BASE.segments[1].words[0]
    check_valid(after)


def test_an_empty_range_gets_the_words_inserted_and_an_empty_result_clears() -> None:
    new = segment("hello there", start_ms=1500)
    after = do_undo_redo(ReplaceRange(1450, 1900, (new,)), BASE)
    assert texts(after)[2] == (None, "hello there")
    cleared = do_undo_redo(ReplaceRange(1000, 1400, ()), BASE)
    assert texts(cleared) == [("Ann", "one two three four"), ("Ann", "eight")]


def test_the_same_words_change_nothing_and_a_backward_range_is_refused() -> None:
    same = Document(BASE)
    cmd = ReplaceRange(1000, 1300, (BASE.segments[1],))
    cmd.do(same)
    assert not cmd.changed
    with pytest.raises(EditRejected):
        ReplaceRange(500, 500, ()).do(Document(BASE))
