from __future__ import annotations

from itertools import pairwise

import pytest
from edit_helpers import check_valid, do_undo_redo, segment, transcript

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
from editor.document import Document, DocumentChange
from editor.errors import EditorError, EditRejected, SearchError
from editor.queries import SearchQuery, find_matches
from editor.transcript import Segment, Transcript, Word

# Two segments: "I like New York." (0-400 ms, 100 ms words) and "See you soon." (1000-1300 ms).
BASE = transcript(
    segment("I like New York.", speaker="Ann"),
    segment("See you soon.", start_ms=1000, speaker="Bob"),
    duration_ms=2000,
)


def assert_rejected(
    cmd: Command, before: Transcript = BASE, error: type[EditorError] = EditRejected
) -> None:
    """The command raises and leaves the document exactly as it was."""
    doc = Document(before)
    revision = doc.revision
    with pytest.raises(error):
        cmd.do(doc)
    assert doc.transcript == before
    assert doc.revision == revision


# -- ReplaceWordText --------------------------------------------------------------------------
def test_replace_word_keeps_timing_and_separator() -> None:
    after = do_undo_redo(ReplaceWordText(0, 1, "love"), BASE)
    old, new = BASE.segments[0].words[1], after.segments[0].words[1]
    assert new == Word(" love", old.start_ms, old.end_ms, 1.0)
    assert after.segments[0].text == "I love New York."
    assert after.segments[1] == BASE.segments[1]


def test_replace_word_uses_a_separator_the_text_brings() -> None:
    first = Segment((Word("Hi", 0, 100),))
    after = do_undo_redo(ReplaceWordText(0, 0, " Hello"), transcript(first))
    assert after.segments[0].words[0].text == " Hello"


def test_replace_word_with_several_words_spreads_them_over_the_old_word() -> None:
    after = do_undo_redo(ReplaceWordText(0, 2, "New York City"), BASE)
    words = after.segments[0].words
    assert [w.text for w in words] == [" I", " like", " New", " York", " City", " York."]
    old = BASE.segments[0].words[2]
    new_words = words[2:5]
    assert new_words[0].start_ms == old.start_ms
    assert new_words[-1].end_ms == old.end_ms
    assert all(a.end_ms <= b.start_ms for a, b in pairwise(new_words))
    assert words[-1] == BASE.segments[0].words[3]


def test_replace_word_with_nothing_deletes_it_and_a_lone_word_its_segment() -> None:
    after = do_undo_redo(ReplaceWordText(0, 0, "  "), BASE)
    assert after.segments[0].words == BASE.segments[0].words[1:]
    lone = transcript(segment("Hi"), segment("there", start_ms=500))
    after = do_undo_redo(ReplaceWordText(0, 0, ""), lone)
    assert after.segments == lone.segments[1:]


def test_retyping_the_same_word_changes_nothing() -> None:
    doc = Document(BASE)
    cmd = ReplaceWordText(0, 1, "like")
    cmd.do(doc)
    assert not cmd.changed
    assert doc.revision == 0


@pytest.mark.parametrize(("seg", "word"), [(2, 0), (-1, 0), (0, 4), (0, -1)])
def test_replace_word_rejects_stale_indices(seg: int, word: int) -> None:
    assert_rejected(ReplaceWordText(seg, word, "x"))


def test_typing_in_one_word_merges_into_one_step() -> None:
    doc = Document(BASE)
    first, second = ReplaceWordText(0, 1, "lo"), ReplaceWordText(0, 1, "love")
    first.do(doc)
    second.do(doc)
    assert first.merge(second)
    assert doc.transcript.segments[0].text == "I love New York."
    first.undo(doc)
    assert doc.transcript == BASE
    first.do(doc)
    assert doc.transcript.segments[0].text == "I love New York."


def test_edits_of_different_words_do_not_merge() -> None:
    doc = Document(BASE)
    first, second = ReplaceWordText(0, 1, "love"), ReplaceWordText(0, 2, "Old")
    first.do(doc)
    second.do(doc)
    assert not first.merge(second)
    assert not first.merge(MoveWordBoundary(0, 1, start_ms=50))


def test_no_merge_once_the_word_became_several() -> None:
    doc = Document(BASE)
    first, second = ReplaceWordText(0, 2, "New New"), ReplaceWordText(0, 2, "Old")
    first.do(doc)
    second.do(doc)
    assert not first.merge(second)


# -- ReplaceSegmentText: the word diff --------------------------------------------------------
def test_unchanged_words_keep_exact_timing_and_probability() -> None:
    after = do_undo_redo(ReplaceSegmentText(0, "I really like New York."), BASE)
    old, new = BASE.segments[0].words, after.segments[0].words
    assert [w.text for w in new] == [" I", " really", " like", " New", " York."]
    assert new[2:] == old[1:]


def test_inserted_word_shares_a_neighbours_span_when_there_is_no_gap() -> None:
    after = do_undo_redo(ReplaceSegmentText(0, "I really like New York."), BASE)
    words = after.segments[0].words
    check_valid(after)
    assert words[0].start_ms == BASE.segments[0].start_ms
    assert words[1].end_ms == words[2].start_ms  # "I" and "really" share what "I" had
    assert words[1].probability == 1.0


def test_inserted_word_fills_the_gap_between_its_neighbours() -> None:
    gappy = transcript(segment("one three", word_ms=100, gap_ms=200))
    after = do_undo_redo(ReplaceSegmentText(0, "one two three"), gappy)
    one, two, three = after.segments[0].words
    assert (one, three) == gappy.segments[0].words
    assert (two.start_ms, two.end_ms) == (one.end_ms, three.start_ms)


def test_words_replaced_one_for_one_keep_the_old_timing() -> None:
    after = do_undo_redo(ReplaceSegmentText(0, "You like Old York."), BASE)
    for old, new in zip(BASE.segments[0].words, after.segments[0].words, strict=True):
        assert (new.start_ms, new.end_ms) == (old.start_ms, old.end_ms)
    assert after.segments[0].words[0].probability == 1.0
    assert after.segments[0].words[1] == BASE.segments[0].words[1]


def test_case_and_punctuation_changes_keep_timings() -> None:
    after = do_undo_redo(ReplaceSegmentText(0, "i like new york"), BASE)
    for old, new in zip(BASE.segments[0].words, after.segments[0].words, strict=True):
        assert (new.start_ms, new.end_ms) == (old.start_ms, old.end_ms)
    assert after.segments[0].text == "i like new york"


def test_several_words_for_fewer_share_the_replaced_span() -> None:
    after = do_undo_redo(ReplaceSegmentText(0, "I like the big apple"), BASE)
    words = after.segments[0].words
    old = BASE.segments[0].words
    assert words[:2] == old[:2]
    assert words[2].start_ms == old[2].start_ms
    assert words[-1].end_ms == old[3].end_ms
    # Longer words get more time.
    assert words[3].duration_ms < words[4].duration_ms


def test_deleted_words_vanish_and_empty_text_deletes_the_segment() -> None:
    after = do_undo_redo(ReplaceSegmentText(0, "I York."), BASE)
    old = BASE.segments[0].words
    assert after.segments[0].words == (old[0], old[3])
    after = do_undo_redo(ReplaceSegmentText(1, " \n"), BASE)
    assert after.segments == BASE.segments[:1]


def test_line_breaks_typed_into_a_segment_become_spaces() -> None:
    after = do_undo_redo(ReplaceSegmentText(1, "See\nyou soon."), BASE)
    assert after.segments[1] == BASE.segments[1]


def test_too_many_words_for_the_time_are_rejected() -> None:
    tiny = transcript(Segment((Word(" a", 0, 2),)))
    assert_rejected(ReplaceSegmentText(0, "a b c"), tiny)


# -- split, merge, delete -----------------------------------------------------------------------
def test_split_segment_keeps_words_and_speaker() -> None:
    after = do_undo_redo(SplitSegment(0, 2), BASE)
    assert [s.text for s in after.segments] == ["I like", "New York.", "See you soon."]
    assert after.segments[1].speaker == "Ann"
    assert after.segments[0].words + after.segments[1].words == BASE.segments[0].words


@pytest.mark.parametrize("word", [0, 4, -1])
def test_split_needs_a_word_inside_the_segment(word: int) -> None:
    assert_rejected(SplitSegment(0, word))


def test_merge_segments_keeps_the_first_speaker() -> None:
    after = do_undo_redo(MergeSegments(0), BASE)
    assert after.segments[0].text == "I like New York. See you soon."
    assert after.segments[0].speaker == "Ann"
    assert_rejected(MergeSegments(1))


def test_merge_adds_a_space_only_where_the_script_uses_them() -> None:
    latin = transcript(Segment((Word("Hi", 0, 10),)), Segment((Word("there", 20, 30),)))
    assert do_undo_redo(MergeSegments(0), latin).segments[0].text == "Hi there"
    cjk = transcript(Segment((Word("你好", 0, 10),)), Segment((Word("世界", 20, 30),)))
    assert do_undo_redo(MergeSegments(0), cjk).segments[0].text == "你好世界"


def test_delete_words_and_segments() -> None:
    after = do_undo_redo(DeleteWords(0, 1, 2), BASE)
    assert after.segments[0].text == "I York."
    after = do_undo_redo(DeleteWords(1, 0, 2), BASE)
    assert after.segments == BASE.segments[:1]
    after = do_undo_redo(DeleteSegments(0, 1), BASE)
    assert after.segments == ()
    assert_rejected(DeleteWords(0, 2, 1))
    assert_rejected(DeleteWords(0, 0, 4))
    assert_rejected(DeleteSegments(1, 0))


# -- timing -------------------------------------------------------------------------------------
def test_move_word_end_is_clamped_by_the_next_word() -> None:
    gappy = transcript(segment("a b", word_ms=100, gap_ms=50))
    after = do_undo_redo(MoveWordBoundary(0, 0, end_ms=400), gappy)
    a, b = after.segments[0].words
    assert a.end_ms == b.start_ms == 150


def test_move_word_start_is_clamped_by_zero_and_the_previous_segment() -> None:
    after = do_undo_redo(MoveWordBoundary(0, 0, start_ms=-50), transcript(segment("a", 20)))
    assert after.segments[0].start_ms == 0
    after = do_undo_redo(MoveWordBoundary(1, 0, start_ms=0), BASE)
    assert after.segments[1].start_ms == BASE.segments[0].end_ms


def test_move_keeps_at_least_one_millisecond() -> None:
    after = do_undo_redo(MoveWordBoundary(0, 1, start_ms=5000), BASE)
    word = after.segments[0].words[1]
    assert word.end_ms - word.start_ms == 1
    assert_rejected(MoveWordBoundary(0, 1, start_ms=300, end_ms=200))


def test_move_segment_end_is_clamped_by_the_media_duration() -> None:
    cmd = MoveSegmentBoundary(1, end_ms=9000)
    after = do_undo_redo(cmd, BASE)
    assert after.segments[1].end_ms == 2000
    assert cmd.label == "Move segment end"
    assert_rejected(MoveSegmentBoundary(1, end_ms=9000), after)


def test_move_segment_start_moves_its_first_word_only() -> None:
    after = do_undo_redo(MoveSegmentBoundary(1, start_ms=900), BASE)
    assert after.segments[1].words[0].start_ms == 900
    assert after.segments[1].words[1:] == BASE.segments[1].words[1:]


def test_move_both_ends_of_a_one_word_segment() -> None:
    lone = transcript(segment("a", 100), duration_ms=1000)
    after = do_undo_redo(MoveSegmentBoundary(0, start_ms=50, end_ms=5000), lone)
    assert (after.segments[0].start_ms, after.segments[0].end_ms) == (50, 1000)


def test_move_without_a_time_or_to_the_same_time_is_rejected() -> None:
    assert_rejected(MoveWordBoundary(0, 1))
    assert_rejected(MoveWordBoundary(0, 1, start_ms=BASE.segments[0].words[1].start_ms))


# -- speakers -----------------------------------------------------------------------------------
def test_set_speaker_on_several_segments() -> None:
    after = do_undo_redo(SetSpeaker([1, 0], "Cy"), BASE)
    assert [s.speaker for s in after.segments] == ["Cy", "Cy"]
    after = do_undo_redo(SetSpeaker([0], "  "), BASE)
    assert after.segments[0].speaker is None
    assert_rejected(SetSpeaker([0, 5], "Cy"))


def test_set_speaker_reports_neighbouring_segments_as_one_change() -> None:
    doc = Document(BASE)
    changes: list[DocumentChange] = []
    doc.subscribe(changes.append)
    SetSpeaker([0, 1], "Cy").do(doc)
    assert changes == [DocumentChange(0, 2, 2)]


def test_rename_speaker_to_an_existing_name_merges_them() -> None:
    after = do_undo_redo(RenameSpeaker("Bob", "Ann"), BASE)
    assert after.speakers == ("Ann",)
    assert_rejected(RenameSpeaker("Zed", "Ann"))
    assert_rejected(RenameSpeaker("Bob", " "))


# -- find and replace ---------------------------------------------------------------------------
def test_replace_all_can_span_words_and_keeps_other_timings() -> None:
    cmd = ReplaceAll(SearchQuery("new york"), "NYC")
    after = do_undo_redo(cmd, BASE)
    words = after.segments[0].words
    assert after.segments[0].text == "I like NYC."
    assert words[:2] == BASE.segments[0].words[:2]
    assert (words[2].start_ms, words[2].end_ms) == (200, 400)
    assert cmd.count == 1


def test_replace_all_options() -> None:
    t = transcript(segment("The theme of the day"))
    plain = do_undo_redo(ReplaceAll(SearchQuery("the"), "a"), t)
    assert plain.segments[0].text == "a ame of a day"
    exact = do_undo_redo(ReplaceAll(SearchQuery("the", case_sensitive=True), "a"), t)
    assert exact.segments[0].text == "The ame of a day"
    whole = do_undo_redo(ReplaceAll(SearchQuery("the", whole_word=True), "a"), t)
    assert whole.segments[0].text == "a theme of a day"


def test_replace_all_regex_with_group_references() -> None:
    query = SearchQuery(r"(\w+) (York)", regex=True)
    after = do_undo_redo(ReplaceAll(query, r"\2 \1"), BASE)
    assert after.segments[0].text == "I like York New."


def test_replace_all_that_empties_a_segment_deletes_it() -> None:
    after = do_undo_redo(ReplaceAll(SearchQuery("See you soon."), ""), BASE)
    assert after.segments == BASE.segments[:1]


def test_bad_patterns_raise_search_error() -> None:
    assert_rejected(ReplaceAll(SearchQuery("(", regex=True), "x"), error=SearchError)
    assert_rejected(ReplaceAll(SearchQuery("(I)", regex=True), r"\2"), error=SearchError)


def test_replace_match_replaces_one_match() -> None:
    query = SearchQuery("o", whole_word=False)
    matches = find_matches(BASE, query)
    after = do_undo_redo(ReplaceMatch(query, matches[-1], "00"), BASE)
    assert after.segments[1].text == "See you so00n."
    assert after.segments[0] == BASE.segments[0]


def test_replace_match_rejects_a_stale_match() -> None:
    query = SearchQuery("York")
    (match,) = find_matches(BASE, query)
    changed = do_undo_redo(ReplaceWordText(0, 3, "Jersey."), BASE)
    assert_rejected(ReplaceMatch(query, match, "NYC"), changed)


# -- undo after the document moved on -----------------------------------------------------------
def test_undo_that_no_longer_fits_is_rejected_without_change() -> None:
    doc = Document(BASE)
    cmd = MoveSegmentBoundary(1, end_ms=1250)
    cmd.do(doc)
    doc.append_segments([segment("late", start_ms=1260)])  # streams in after the new end
    before = doc.transcript
    with pytest.raises(EditRejected, match="changed since"):
        cmd.undo(doc)
    assert doc.transcript == before


def test_a_command_is_done_once_before_it_is_undone() -> None:
    doc = Document(BASE)
    cmd = SplitSegment(0, 1)
    with pytest.raises(EditRejected):
        cmd.undo(doc)
    cmd.do(doc)
    with pytest.raises(EditRejected):
        cmd.do(doc)


def test_move_labels_and_messages_say_what_moves() -> None:
    assert MoveWordBoundary(0, 1, start_ms=0).label == "Move word start"
    assert MoveWordBoundary(0, 1, start_ms=0, end_ms=9).label == "Move word timing"
    with pytest.raises(EditRejected, match="the start of segment 1 is already at its limit"):
        MoveSegmentBoundary(0, start_ms=-100).do(Document(BASE))
