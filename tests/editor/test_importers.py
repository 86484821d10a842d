from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from subtitle_samples import spoken, transcripts

from editor.errors import EditorError, SubtitleParseError
from editor.importers import decode_subtitle_bytes, import_subtitles, parse_srt, parse_vtt
from editor.subtitles import layout_cues
from editor.transcript import Segment, Transcript
from editor.writers import ExportOptions, get_writer, voice_name

SRT = """1
00:00:01,000 --> 00:00:02,500
Hello there,
general Kenobi.

2
00:00:03,000 --> 00:00:04,000
<i>You are</i> a <font color="#ff0000">bold</font> one.

3
00:00:05,000 --> 00:00:06,000
{\\an8}Fish &amp; chips
"""

VTT = """WEBVTT - a title
Kind: captions
Language: de

NOTE this is a comment
that runs over two lines

STYLE
::cue { color: yellow }

REGION
id:top width:40%

intro
00:01.000 --> 00:02.500 align:start position:10%
<v.loud Anne Marie>Guten <b>Tag</b>,
<c.yellow>wie</c> geht's?

00:00:03.000 --> 00:00:04.000
<00:00:03.000>Gut<00:00:03.500> &lt;danke&gt;&nbsp;und dir?
"""


def texts(t: Transcript) -> list[str]:
    return [s.text for s in t.segments]


def spans(t: Transcript) -> list[tuple[int, int]]:
    return [(s.start_ms, s.end_ms) for s in t.segments]


def render(transcript: Transcript, fmt: str, options: ExportOptions) -> str:
    stream = io.StringIO()
    get_writer(fmt).write(transcript, stream, options)
    return stream.getvalue()


# -- SubRip ----------------------------------------------------------------------------------------


def test_srt_cues_become_segments_without_markup() -> None:
    t = parse_srt(SRT)
    assert texts(t) == ["Hello there, general Kenobi.", "You are a bold one.", "Fish & chips"]
    assert spans(t) == [(1000, 2500), (3000, 4000), (5000, 6000)]
    assert all(s.speaker is None for s in t.segments)
    assert t.metadata["imported_from"] == "srt"


@pytest.mark.parametrize(
    "variant",
    [
        SRT.replace("\n", "\r\n"),
        SRT.replace("\n", "\r"),
        "\ufeff" + SRT,
        SRT.rstrip("\n"),
        SRT.replace("\n\n", "\n\n\n \n"),
        SRT.replace("1\n00:00:01,000", "00:00:01,000"),  # no cue number
        re.sub(r"(\d),(\d)", r"\1.\2", SRT),  # WebVTT style stamps in an SRT file
        SRT.replace("00:00:02,500", "00:00:02,500  X1:40 X2:600 Y1:20 Y2:50"),
    ],
)
def test_srt_variants_read_the_same(variant: str) -> None:
    expected = parse_srt(SRT)
    got = parse_srt(variant)
    assert texts(got) == texts(expected)
    assert spans(got) == spans(expected)


def test_words_share_the_cue_in_proportion_to_their_length() -> None:
    (segment,) = parse_srt("1\n00:00:01,000 --> 00:00:02,000\nI am here\n").segments
    assert [w.text for w in segment.words] == [" I", " am", " here"]
    assert [(w.start_ms, w.end_ms) for w in segment.words] == [
        (1000, 1143),
        (1143, 1429),
        (1429, 2000),
    ]
    assert all(w.probability == 1.0 for w in segment.words)


def test_a_cue_too_short_for_its_words_still_gives_every_word_a_millisecond() -> None:
    (segment,) = parse_srt("1\n00:00:01,000 --> 00:00:01,002\na b c d e\n").segments
    assert [w.duration_ms for w in segment.words] == [1] * 5
    assert segment.start_ms == 1000


def test_chinese_text_is_split_into_characters() -> None:
    (segment,) = parse_srt("1\n00:00:01,000 --> 00:00:02,000\n你好，世界。OK\n").segments
    assert [w.text for w in segment.words] == [" 你", "好，", "世", "界。", "OK"]
    assert segment.text == "你好，世界。OK"


def test_overlapping_and_unordered_cues_are_clamped(caplog: pytest.LogCaptureFixture) -> None:
    text = (
        "1\n00:00:05,000 --> 00:00:06,000\nlast\n\n"
        "2\n00:00:01,000 --> 00:00:04,000\nfirst\n\n"
        "3\n00:00:03,000 --> 00:00:03,000\nsecond\n\n"
        "4\n00:00:07,000 --> 00:00:08,000\n<i></i>\n"
    )
    with caplog.at_level(logging.INFO, logger="editor.importers"):
        t = parse_srt(text)
    assert texts(t) == ["first", "second", "last"]  # the empty cue 4 is dropped
    assert spans(t) == [(1000, 3000), (3000, 3001), (5000, 6000)]
    assert "clamped 2" in caplog.text
    assert "out of time order" in caplog.text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("just some words\nand more\n", 1),
        ("1\n2\n3\n", 2),
        ("\n\n1\n00:00:01,000 -> 00:00:02,000\nx\n", 4),
        ("1\n00:00:01,000 --> soon\nx\n\n2\nxx --> 00:00:02,000\ny\n", 2),
        ("1\n00:00:01,000 --> 00:00:02,000\nok\x00\n", 3),
    ],
)
def test_garbage_raises_with_the_line_number(text: str, line: int) -> None:
    with pytest.raises(SubtitleParseError, match=f"line {line}: .*expected"):
        parse_srt(text)


def test_one_broken_cue_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    broken = SRT.replace("00:00:03,000 --> 00:00:04,000", "00:00:03,000 --> later")
    with caplog.at_level(logging.WARNING, logger="editor.importers"):
        t = parse_srt(broken)
    assert len(t.segments) == 2
    assert "line 7" in caplog.text


def test_empty_input_is_an_empty_transcript() -> None:
    assert parse_srt("").segments == ()
    assert parse_srt("\n \n").segments == ()
    assert parse_vtt("WEBVTT\n").segments == ()


# -- WebVTT ----------------------------------------------------------------------------------------


def test_vtt_cues_voices_entities_and_header() -> None:
    t = parse_vtt(VTT)
    assert texts(t) == ["Guten Tag, wie geht's?", "Gut <danke> und dir?"]
    assert spans(t) == [(1000, 2500), (3000, 4000)]
    assert [s.speaker for s in t.segments] == ["Anne Marie", None]
    assert t.language == "de"


def test_vtt_variants() -> None:
    expected = parse_vtt(VTT)
    for variant in (VTT.replace("\n", "\r\n"), "\ufeff" + VTT, VTT.rstrip()):
        assert texts(parse_vtt(variant)) == texts(expected)
        assert spans(parse_vtt(variant)) == spans(expected)
    glued = "WEBVTT\n00:00:01.000 --> 00:00:02.000\nno blank line after the header\n"
    assert texts(parse_vtt(glued)) == ["no blank line after the header"]


def test_vtt_without_header_is_refused() -> None:
    with pytest.raises(SubtitleParseError, match="line 1: expected the header 'WEBVTT'"):
        parse_vtt("00:00:01.000 --> 00:00:02.000\nhello\n")
    with pytest.raises(SubtitleParseError, match="line 1"):
        parse_vtt("WEBVTTX\n")


# -- files and detection ---------------------------------------------------------------------------


def test_import_detects_the_format_from_content_or_extension(tmp_path: Path) -> None:
    assert texts(import_subtitles(VTT)) == texts(parse_vtt(VTT))
    assert texts(import_subtitles(SRT)) == texts(parse_srt(SRT))
    vtt_path = tmp_path / "a.srt"  # content wins over a wrong extension
    vtt_path.write_text(VTT, encoding="utf-8")
    assert texts(import_subtitles(vtt_path)) == texts(parse_vtt(VTT))
    headless = tmp_path / "b.vtt"
    headless.write_text(SRT, encoding="utf-8")
    with pytest.raises(SubtitleParseError, match="WEBVTT"):
        import_subtitles(str(headless))
    assert texts(import_subtitles(headless, fmt="srt")) == texts(parse_srt(SRT))
    assert texts(import_subtitles(SRT.encode("utf-8-sig"))) == texts(parse_srt(SRT))
    assert import_subtitles("WEBVTT").segments == ()


def test_import_errors_are_subtitle_parse_errors(tmp_path: Path) -> None:
    with pytest.raises(SubtitleParseError, match="Cannot read"):
        import_subtitles(tmp_path / "missing.srt")
    with pytest.raises(SubtitleParseError, match="format"):
        import_subtitles(SRT, fmt="ass")
    binary = tmp_path / "image.srt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SubtitleParseError, match="binary"):
        import_subtitles(binary)


def test_latin1_and_utf16_files_are_decoded(caplog: pytest.LogCaptureFixture) -> None:
    text = SRT.replace("general Kenobi", "Général Kénobi")
    with caplog.at_level(logging.WARNING, logger="editor.importers"):
        latin = import_subtitles(text.encode("latin-1"))
    assert "Général Kénobi" in latin.segments[0].text
    assert "not UTF-8" in caplog.text
    assert texts(import_subtitles(text.encode("utf-16"))) == texts(parse_srt(text))
    assert decode_subtitle_bytes(b"\x81\x8d") == "\x81\x8d"  # not even cp1252: Latin-1


# -- round trips -----------------------------------------------------------------------------------


def short_segments() -> Transcript:
    """Segments that each fit one cue: speakers, non-ASCII text, markup characters in VTT.

    Neighbours have different speakers: one speaker's segments flow into shared cues.
    """
    return Transcript(
        (
            Segment(tuple(spoken("Bonjour, ça va ?", 0)), "Zoé"),
            Segment(tuple(spoken("Yes!", 2_000)), None),
            Segment(tuple(spoken("Two lines: this cue is long enough to wrap once.", 2_500)), "Bo"),
            Segment(tuple(spoken("Back-to-back cue.", 5_470)), "Ana"),
            Segment(tuple(spoken("Late.", 3_600_000)), "Zoé"),
        )
    )


@pytest.mark.parametrize(("fmt", "speakers"), [("srt", False), ("vtt", True)])
def test_round_trip_keeps_texts_speakers_and_cue_times(fmt: str, speakers: bool) -> None:
    transcript = short_segments()
    cues = layout_cues(transcript)
    assert len(cues) == len(transcript.segments)
    back = import_subtitles(render(transcript, fmt, ExportOptions(include_speakers=speakers)))
    assert texts(back) == texts(transcript)
    assert [s.speaker for s in back.segments] == [
        s.speaker if speakers else None for s in transcript.segments
    ]
    for segment, cue in zip(back.segments, cues, strict=True):
        assert abs(segment.start_ms - cue.start_ms) <= 1
        assert abs(segment.end_ms - cue.end_ms) <= 1


ROUND_TRIP_WORD = st.text(alphabet=st.sampled_from(list("abcdefxyzé.,!?'")), min_size=1, max_size=8)


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(t=transcripts(word_body=ROUND_TRIP_WORD, max_words=4, spaced=True))
def test_round_trip_of_random_short_segments(fmt: str, t: Transcript) -> None:
    options = ExportOptions(include_speakers=fmt == "vtt")
    cues = layout_cues(t, options.subtitles)
    # Cues map 1:1 to segments (one speaker's segments may also share cues; not this test's).
    assume(len(cues) == len(t.segments))
    assume(
        all(
            " ".join(c.lines).split() == s.text.split()
            for c, s in zip(cues, t.segments, strict=True)
        )
    )
    back = import_subtitles(render(t, fmt, options))
    assert texts(back) == texts(t)
    for segment, cue in zip(back.segments, cues, strict=True):
        assert abs(segment.start_ms - cue.start_ms) <= 1
        assert abs(segment.end_ms - cue.end_ms) <= 1
        # Voice tags carry names without & < > (look-alikes instead: FFmpeg misreads them).
        assert segment.speaker == (
            voice_name(cue.speaker) if fmt == "vtt" and cue.speaker else None
        )


# -- fuzzing ---------------------------------------------------------------------------------------


def mutations(valid: str) -> st.SearchStrategy[str]:
    """``valid`` with a few characters inserted, deleted or replaced at random places."""

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        text = valid
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, len(text)))
            piece = draw(st.sampled_from(["", "\n", "\r", "-->", ":", ",", "<", ">", "\x00", "9"]))
            cut = draw(st.integers(0, 3))
            text = text[:at] + piece + text[at + cut :]
        return text

    return mutate()


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), mutations(SRT), mutations(VTT), mutations(VTT.upper())))
def test_parsers_raise_only_editor_errors(text: str) -> None:
    for parse in (parse_srt, parse_vtt, import_subtitles):
        try:
            result = parse(text)
        except EditorError:
            continue
        assert isinstance(result, Transcript)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_editor_errors(data: bytes) -> None:
    try:
        result = import_subtitles(data)
    except EditorError:
        return
    assert isinstance(result, Transcript)
