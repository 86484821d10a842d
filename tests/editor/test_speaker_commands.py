from __future__ import annotations

import pytest
from edit_helpers import check_valid, do_undo_redo, segment, transcript

from editor.commands import ApplySpeakerTurns, MergeSpeakers, MoveWordsToSpeaker, SpeakerSpan
from editor.document import Document
from editor.errors import EditRejected
from editor.rttm import rttm_text, write_rttm
from editor.transcript import Segment

# "One two three four" (0-400 ms) by Ann, "five six" (1000-1200 ms) by Bob, "seven" by Ann.
BASE = transcript(
    segment("One two three four", speaker="Ann"),
    segment("five six", start_ms=1000, speaker="Bob"),
    segment("seven", start_ms=2000, speaker="Ann"),
    duration_ms=3000,
)


def words_of(t):
    return [w for s in t.segments for w in s.words]


def test_merge_speakers_renames_without_joining_segments() -> None:
    after = do_undo_redo(MergeSpeakers("Bob", "Ann"), BASE)
    assert [s.speaker for s in after.segments] == ["Ann", "Ann", "Ann"]
    assert words_of(after) == words_of(BASE)
    check_valid(after)


@pytest.mark.parametrize(("source", "target"), [("Bob", "Bob"), ("Zoe", "Ann"), ("Bob", "Zoe")])
def test_merge_speakers_rejects_nonsense(source: str, target: str) -> None:
    doc = Document(BASE)
    with pytest.raises(EditRejected):
        MergeSpeakers(source, target).do(doc)
    assert doc.transcript == BASE


def test_move_words_splits_the_segment_in_three() -> None:
    after = do_undo_redo(MoveWordsToSpeaker(0, 1, 2, "Bob"), BASE)
    assert [(s.speaker, s.text) for s in after.segments[:3]] == [
        ("Ann", "One"),
        ("Bob", "two three"),
        ("Ann", "four"),
    ]
    assert words_of(after) == words_of(BASE)
    check_valid(after)


def test_move_words_at_an_edge_or_all_of_them() -> None:
    after = do_undo_redo(MoveWordsToSpeaker(0, 2, 3, "Bob"), BASE)
    assert [(s.speaker, s.text) for s in after.segments[:2]] == [
        ("Ann", "One two"),
        ("Bob", "three four"),
    ]
    after = do_undo_redo(MoveWordsToSpeaker(1, 0, 1, "Cy"), BASE)
    assert after.segments[1] == Segment(BASE.segments[1].words, "Cy")
    same = Document(BASE)
    cmd = MoveWordsToSpeaker(0, 0, 1, "Ann")
    cmd.do(same)
    assert not cmd.changed


@pytest.mark.parametrize(("seg", "first", "last"), [(5, 0, 0), (0, 2, 1), (0, 0, 9)])
def test_move_words_rejects_stale_selections(seg: int, first: int, last: int) -> None:
    doc = Document(BASE)
    with pytest.raises(EditRejected):
        MoveWordsToSpeaker(seg, first, last, "Bob").do(doc)
    assert doc.transcript == BASE


def test_apply_turns_splits_where_the_speaker_changes_and_keeps_words() -> None:
    turns = [
        SpeakerSpan(0, 190, "A"),  # "One" and most of "two"
        SpeakerSpan(190, 450, "B"),
        SpeakerSpan(900, 2500, "A"),
    ]
    after = do_undo_redo(ApplySpeakerTurns(turns), BASE)
    assert [(s.speaker, s.text) for s in after.segments] == [
        ("A", "One two"),
        ("B", "three four"),
        ("A", "five six"),
        ("A", "seven"),
    ]
    assert words_of(after) == words_of(BASE)
    check_valid(after)


def test_apply_turns_gives_unheard_words_the_nearest_speaker_and_nothing_without_turns() -> None:
    after = do_undo_redo(ApplySpeakerTurns([SpeakerSpan(5000, 6000, "Far")]), BASE)
    assert {s.speaker for s in after.segments} == {"Far"}
    doc = Document(BASE)
    cmd = ApplySpeakerTurns([])
    cmd.do(doc)
    assert not cmd.changed
    assert doc.transcript == BASE


def test_rttm_lines_join_neighbouring_segments_of_one_speaker(tmp_path) -> None:
    t = transcript(
        segment("a b", speaker="Ann Lee"),
        segment("c", start_ms=500, speaker="Ann Lee"),
        segment("d", start_ms=900),
        segment("e f", start_ms=1000, speaker="Bob"),
        duration_ms=3000,
    )
    text = rttm_text(t, "my talk")
    assert text == (
        "SPEAKER my_talk 1 0.000 0.600 <NA> <NA> Ann_Lee <NA> <NA>\n"
        "SPEAKER my_talk 1 1.000 0.200 <NA> <NA> Bob <NA> <NA>\n"
    )
    for line in text.splitlines():  # parsed as the scoring tools read it
        fields = line.split()
        assert len(fields) == 10
        assert float(fields[3]) >= 0
        assert float(fields[4]) > 0
    out = tmp_path / "t.rttm"
    write_rttm(t, out)
    assert out.read_text() == text.replace("my_talk", "talk")  # the media's name by default
    assert rttm_text(transcript(segment("x")), "f") == ""
