from __future__ import annotations

import dataclasses
import itertools
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from subtitle_samples import sample_transcript, spoken, transcripts, unspaced

from editor.errors import ExportError
from editor.subtitles import PRESETS, Cue, SubtitleOptions, layout_cues
from editor.transcript import MediaInfo, Segment, Transcript, Word

OPTS = SubtitleOptions()


def one_segment(words: list[Word], speaker: str | None = None) -> Transcript:
    return Transcript((Segment(tuple(words), speaker),))


def cue_words(cue: Cue) -> list[str]:
    return " ".join(cue.lines).split()


# -- options ---------------------------------------------------------------------------------------


def test_presets_are_named_and_ordered_for_a_combo_box() -> None:
    assert list(PRESETS) == ["strict", "netflix", "lenient"]
    for name, options in PRESETS.items():
        assert SubtitleOptions.preset(name) is options
    strict, netflix, lenient = PRESETS.values()
    assert strict.max_chars_per_line < netflix.max_chars_per_line < lenient.max_chars_per_line
    assert strict.max_cps < netflix.max_cps < lenient.max_cps
    assert netflix.max_duration_ms == 7000
    assert netflix.min_duration_ms == math.floor(5 / 6 * 1000 + 0.5)


def test_unknown_preset_and_bad_options_raise_export_error() -> None:
    with pytest.raises(ExportError, match="strict"):
        SubtitleOptions.preset("cinema")
    with pytest.raises(ExportError, match="max_lines"):
        SubtitleOptions(max_lines=0)
    with pytest.raises(ExportError, match="max_cps"):
        SubtitleOptions(max_cps=math.nan)
    with pytest.raises(ExportError, match="max_duration_ms"):
        SubtitleOptions(min_duration_ms=2000, max_duration_ms=1000)


# -- cutting into cues -----------------------------------------------------------------------------


def test_empty_transcript_has_no_cues() -> None:
    assert layout_cues(Transcript()) == []


def test_a_cue_never_holds_two_speakers() -> None:
    first = Segment(tuple(spoken("Yes.", 0)), "Ana")
    second = Segment(tuple(spoken("No.", first.end_ms)), "Bo")
    cues = layout_cues(Transcript((first, second)))
    assert [c.lines for c in cues] == [("Yes.",), ("No.",)]
    assert [c.speaker for c in cues] == ["Ana", "Bo"]


def test_one_speakers_segments_flow_into_readable_cues() -> None:
    # Whisper ended a segment mid-sentence ("And Mr."): a cue of its own flashed for 0.48 s.
    first = Segment(tuple(spoken("And Mr.", 0, ms_per_char=60)), "Ann")
    second = Segment(
        tuple(spoken("John Dashwood had then leisure to consider.", first.end_ms)), "Ann"
    )
    cues = layout_cues(Transcript((first, second)), speaker_labels=True)
    assert len(cues) == 1
    assert cues[0].text.startswith("Ann: And Mr. John")
    assert cues[0].end_ms - cues[0].start_ms >= OPTS.min_duration_ms


def test_a_label_only_where_the_speaker_changes_and_never_alone_with_one_word() -> None:
    text = "And so my fellow Americans, ask not what your country can do for you."
    runs = [
        ("John F. Kennedy", text),
        ("John F. Kennedy", text),
        ("Crowd", "Yes."),
        ("John F. Kennedy", text),
    ]
    segments, at = [], 0
    for who, said in runs:
        segments.append(Segment(tuple(spoken(said, at, ms_per_char=40)), who))
        at = segments[-1].end_ms + 1000
    cues = layout_cues(Transcript(tuple(segments)), speaker_labels=True)
    labelled = [c for c in cues if ": " in c.lines[0]]
    assert [c.speaker for c in labelled] == ["John F. Kennedy", "Crowd", "John F. Kennedy"]
    for cue in labelled:
        after_label = cue.lines[0].split(": ", 1)[1]
        assert len(cue.lines) == 1 or len(after_label.split()) > 1, cue.lines


def test_a_long_pause_starts_a_new_cue_even_when_the_words_would_fit() -> None:
    words = spoken("one two | three four", 0)
    cues = layout_cues(one_segment(words))
    assert [cue_words(c) for c in cues] == [["one", "two"], ["three", "four"]]
    short_pause = dataclasses.replace(OPTS, pause_split_ms=5000)
    assert len(layout_cues(one_segment(words), short_pause)) == 1


def test_cuts_at_a_sentence_end_before_a_comma_or_anywhere() -> None:
    text = (
        "The first sentence runs for a while, with a comma in it. "
        "The second one, which is shorter, follows it closely here"
    )
    cues = layout_cues(one_segment(spoken(text, 0)))
    assert len(cues) == 2
    assert cues[0].lines[-1].endswith("in it.")


def test_cuts_at_a_comma_when_there_is_no_sentence_end() -> None:
    text = (
        "and then we walked along the river for hours and hours, "
        "until the sun went down behind the hills and it was dark"
    )
    cues = layout_cues(one_segment(spoken(text, 0)))
    assert len(cues) == 2
    assert cues[0].lines[-1].endswith("hours,")


def test_cuts_anywhere_when_there_is_no_punctuation() -> None:
    text = " ".join(f"word{i}" for i in range(40))
    cues = layout_cues(one_segment(spoken(text, 0, ms_per_char=20)))
    assert len(cues) > 1
    assert [w for c in cues for w in cue_words(c)] == text.split()
    for cue in cues:
        assert len(cue.lines) <= OPTS.max_lines
        assert all(len(line) <= OPTS.max_chars_per_line for line in cue.lines)


def test_slow_speech_is_cut_to_the_maximum_duration() -> None:
    words = spoken("a b c d e f g h i j k l", 0, ms_per_char=900, gap_ms=100)
    cues = layout_cues(one_segment(words))
    assert len(cues) > 1
    assert all(c.end_ms - c.start_ms <= OPTS.max_duration_ms for c in cues)


def test_a_single_word_longer_than_the_limits_is_kept_whole() -> None:
    long_word = "x" * 60
    words = [Word(" " + long_word, 0, 9000), Word(" end.", 9000, 9500)]
    cues = layout_cues(one_segment(words))
    lines = [line for c in cues for line in c.lines]
    assert long_word in lines
    assert all(len(line) <= OPTS.max_chars_per_line for line in lines if line != long_word)


# -- breaking into lines ---------------------------------------------------------------------------


def test_two_lines_are_balanced() -> None:
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    cues = layout_cues(one_segment(spoken(text, 0, ms_per_char=10)))
    assert len(cues) == 1
    top, bottom = cues[0].lines
    tokens = text.split()
    diffs = [
        abs(len(" ".join(tokens[:k])) - len(" ".join(tokens[k:]))) for k in range(1, len(tokens))
    ]
    assert abs(len(top) - len(bottom)) == min(diffs)
    assert len(top) <= len(bottom)  # bottom-heavy on a tie


def test_a_line_break_after_punctuation_is_preferred_to_a_slightly_better_balance() -> None:
    text = "I told you about that one, but you did not want to hear it"
    cues = layout_cues(one_segment(spoken(text, 0, ms_per_char=10)))
    top, bottom = cues[0].lines
    assert top.endswith("one,")
    tokens = text.split()
    best = min(
        abs(len(" ".join(tokens[:k])) - len(" ".join(tokens[k:]))) for k in range(1, len(tokens))
    )
    assert best < abs(len(top) - len(bottom))  # the comma won over a better balance


def test_text_without_spaces_breaks_anywhere() -> None:
    text = (
        "这是一个很长的句子没有任何空格但是仍然需要在合适的地方换行才能显示在屏幕上并且不能超过限制"
    )
    cues = layout_cues(one_segment(unspaced(text, 0, ms_per_char=60)))
    assert "".join(line for c in cues for line in c.lines) == text
    assert all(len(line) <= OPTS.max_chars_per_line for c in cues for line in c.lines)


def test_speaker_label_is_counted_in_the_first_line_of_the_first_cue() -> None:
    text = "I am going to say something that is fairly long and has to be broken up"
    transcript = one_segment(spoken(text, 0, ms_per_char=10), "Somebody Long")
    cues = layout_cues(transcript, speaker_labels=True)
    assert cues[0].lines[0].startswith("Somebody Long: I am")
    assert all(len(line) <= OPTS.max_chars_per_line for c in cues for line in c.lines)
    assert not any(line.startswith("Somebody") for c in cues[1:] for line in c.lines)
    unlabelled = layout_cues(transcript)
    assert not unlabelled[0].lines[0].startswith("Somebody")


def test_cue_text_has_no_arrow_and_no_empty_lines() -> None:
    words = [Word(" A", 0, 100), Word(" -->", 100, 200), Word(" B\n\nC", 200, 300)]
    words += [Word("--", 300, 400), Word(">", 400, 500)]
    (cue,) = layout_cues(one_segment(words))
    assert "-->" not in cue.text
    assert all(line.strip() for line in cue.lines)
    assert cue.lines == ("A → B C→",)


# -- timing ----------------------------------------------------------------------------------------


def test_a_short_cue_is_extended_into_silence() -> None:
    transcript = one_segment([Word(" Hi.", 1000, 1200)])
    (cue,) = layout_cues(transcript)
    assert (cue.start_ms, cue.end_ms) == (1000, 1000 + OPTS.min_duration_ms)


def test_extension_stops_a_gap_before_the_next_cue() -> None:
    # Two speakers: one speaker's segments flow into each other's cues.
    first = Segment((Word(" Hi.", 1000, 1200),), "Ann")
    second = Segment((Word(" Hello there.", 1500, 2500),), "Bob")
    cues = layout_cues(Transcript((first, second)))
    assert cues[0].end_ms == 1500 - OPTS.min_gap_ms
    assert cues[1].start_ms == 1500


def test_extension_stops_at_the_end_of_the_media() -> None:
    transcript = Transcript(
        (Segment((Word(" Hi.", 1000, 1200),)),), media=MediaInfo("a.wav", duration_ms=1500)
    )
    assert layout_cues(transcript)[0].end_ms == 1500


def test_a_fast_cue_is_extended_to_the_reading_speed_when_silence_allows() -> None:
    text = "this sentence is spoken far too quickly to read"
    (cue,) = layout_cues(one_segment(spoken(text, 0, ms_per_char=10, gap_ms=0)))
    chars = sum(len(line) for line in cue.lines) + len(cue.lines) - 1
    assert cue.end_ms == math.ceil(chars * 1000 / OPTS.max_cps)


def test_a_fast_cue_without_silence_after_it_stays_fast() -> None:
    text = "this sentence is spoken far too quickly to read"
    first = spoken(text, 0, ms_per_char=10, gap_ms=0)
    second = [Word(" next", first[-1].end_ms + 100, first[-1].end_ms + 1200)]
    cues = layout_cues(Transcript((Segment(tuple(first), "Ann"), Segment(tuple(second), "Bob"))))
    assert cues[0].end_ms == second[0].start_ms - OPTS.min_gap_ms  # as far as it may grow
    chars = sum(len(line) for line in cues[0].lines) + len(cues[0].lines) - 1
    assert chars * 1000 / (cues[0].end_ms - cues[0].start_ms) > OPTS.max_cps  # accepted


def test_touching_cues_get_the_minimum_gap_when_long_enough() -> None:
    first = Segment((Word(" Long enough sentence here.", 0, 2000),), "Ann")
    second = Segment((Word(" Next.", 2000, 3000),), "Bob")
    cues = layout_cues(Transcript((first, second)))
    assert cues[0].end_ms == 2000 - OPTS.min_gap_ms
    assert cues[1].start_ms == 2000


# -- properties ------------------------------------------------------------------------------------

NO_ARROW_BODY = st.text(alphabet=st.sampled_from(list("abcxyz.,!?-&<é中")), min_size=1, max_size=50)
LAYOUT_OPTIONS = st.builds(
    SubtitleOptions,
    max_chars_per_line=st.integers(5, 50),
    max_lines=st.integers(1, 3),
    max_cps=st.floats(5, 30),
    min_duration_ms=st.integers(0, 1500),
    max_duration_ms=st.integers(1500, 9000),
    min_gap_ms=st.integers(0, 200),
    pause_split_ms=st.integers(1, 2000),
)


def no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=150, deadline=None)
@given(transcripts(word_body=NO_ARROW_BODY), LAYOUT_OPTIONS, st.booleans())
def test_layout_invariants(transcript: Transcript, opts: SubtitleOptions, labels: bool) -> None:
    cues = layout_cues(transcript, opts, speaker_labels=labels)
    bodies = {w.stripped for _, _, w in transcript.words()}
    for cue in cues:
        assert cue.end_ms > cue.start_ms
        assert 1 <= len(cue.lines) <= opts.max_lines
        for line in cue.lines:
            assert line
            assert line.strip() == line
            assert "-->" not in line
            if len(line) > opts.max_chars_per_line:  # only a single word may be that long
                label = f"{cue.speaker}: " if labels and cue.speaker else ""
                assert line.removeprefix(label) in bodies
    for before, after in itertools.pairwise(cues):
        assert before.end_ms <= after.start_ms
    # Every word exactly once and in order; each cue inside one speaker's run of segments.
    runs: list[list[Segment]] = []
    for segment in transcript.segments:
        if runs and runs[-1][0].speaker == segment.speaker:
            runs[-1].append(segment)
        else:
            runs.append([segment])
    for run in runs:
        expected = no_space("".join(s.text for s in run))
        got = ""
        while len(got) < len(expected):
            cue = cues.pop(0)
            text = no_space("".join(cue.lines))
            if labels and run[0].speaker and not got:
                text = text.removeprefix(no_space(f"{run[0].speaker}:"))
            assert cue.speaker == run[0].speaker
            assert run[0].start_ms <= cue.start_ms < run[-1].end_ms
            got += text
        assert got == expected
    assert cues == []


@settings(max_examples=50, deadline=None)
@given(transcripts(word_body=NO_ARROW_BODY))
def test_cues_last_no_longer_than_allowed_unless_a_word_does(transcript: Transcript) -> None:
    longest_word = max((w.duration_ms for _, _, w in transcript.words()), default=0)
    for cue in layout_cues(transcript):
        assert cue.end_ms - cue.start_ms <= max(OPTS.max_duration_ms, longest_word)


def test_sample_transcript_lays_out_within_the_limits() -> None:
    cues = layout_cues(sample_transcript(), speaker_labels=True)
    over = [line for c in cues for line in c.lines if len(line) > OPTS.max_chars_per_line]
    assert len(over) == 1
    assert "Pneumono" in over[0]


@settings(max_examples=80, deadline=None)
@given(transcripts(word_body=NO_ARROW_BODY), st.booleans())
def test_cues_stay_up_long_enough_to_read_wherever_the_silence_allows(
    transcript: Transcript, labels: bool
) -> None:
    # A cue shorter than the minimum, or faster than the reading speed, is only allowed when
    # the next cue leaves no room to extend it.
    for t in (transcript, sample_transcript()):
        cues = layout_cues(t, speaker_labels=labels)
        for k, cue in enumerate(cues):
            chars = sum(len(line) for line in cue.lines) + len(cue.lines) - 1
            wanted = max(OPTS.min_duration_ms, math.ceil(chars * 1000 / OPTS.max_cps))
            wanted = min(wanted, OPTS.max_duration_ms)
            limit = cues[k + 1].start_ms - OPTS.min_gap_ms if k + 1 < len(cues) else None
            if limit is None or cue.end_ms < limit:
                assert cue.end_ms - cue.start_ms >= wanted, (k, cue)
