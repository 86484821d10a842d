"""Our importers against other projects' test subtitles (tests/editor/data/, with licences).

A file the reference parsers read must give as many segments as they find cues with text (we
drop empty cues); a file they refuse must raise `SubtitleParseError`, never import as nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import srt
import webvtt

from editor.errors import SubtitleParseError
from editor.importers import import_subtitles

WEBVTT_PY = Path(__file__).parent / "data" / "webvtt-py"
FILES = sorted(p for p in WEBVTT_PY.iterdir() if p.suffix in (".vtt", ".srt"))


def reference_count(path: Path) -> int | None:
    """Cues with text as webvtt-py (and srt, for SubRip) read them; None when they refuse it."""
    counts = set()
    try:
        captions = webvtt.read(path) if path.suffix == ".vtt" else webvtt.from_srt(path)
        counts.add(sum(1 for c in captions if c.text.strip()))
    except webvtt.errors.MalformedFileError:
        counts.add(None)
    if path.suffix == ".srt":
        try:
            subtitles = srt.parse(path.read_text(encoding="utf-8-sig"))
            counts.add(sum(1 for s in subtitles if s.content.strip()))
        except srt.SRTParseError:
            counts.add(None)
    assert len(counts) == 1, f"the reference parsers disagree on {path.name}: {counts}"
    return counts.pop()


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 27
    assert (WEBVTT_PY / "LICENSE").is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_cue_counts_match_the_reference_parsers(path: Path) -> None:
    expected = reference_count(path)
    if expected is None:
        with pytest.raises(SubtitleParseError):
            import_subtitles(path)
    else:
        assert len(import_subtitles(path).segments) == expected


def test_text_above_an_srt_time_line_is_an_error_not_an_empty_transcript() -> None:
    with pytest.raises(SubtitleParseError, match=r"line 1: expected a cue number.*'some text'"):
        import_subtitles(WEBVTT_PY / "invalid_format4.srt")


def test_youtube_word_times_become_word_timings() -> None:
    transcript = import_subtitles(WEBVTT_PY / "youtube_dl.vtt")
    texts = [s.text for s in transcript.segments]
    assert texts == ["yeah", "yeah what", "this will happen is I'm telling", texts[3]]
    words = transcript.segments[2].words
    # this<00:05:04.199><c> will</c>...<00:05:04.860><c> I'm</c><00:05:05.069><c> telling</c>
    assert [w.start_ms for w in words[:5]] == [304_080, 304_199, 304_379, 304_620, 304_860]
    assert [w.end_ms for w in words[:4]] == [304_199, 304_379, 304_620, 304_860]
    # "telling" starts where the cue ends: it keeps its 1 ms, inside the cue
    assert (words[5].start_ms, words[5].end_ms) == (305_068, 305_069)


def test_a_time_line_in_text_position_starts_a_new_cue() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOne\n00:00:02.000 --> 00:00:03.000\nTwo\n"
    assert [s.text for s in import_subtitles(text).segments] == ["One", "Two"]
    srt_text = "1\n00:00:01,000 --> 00:00:02,000\nOne\n2\n00:00:02,000 --> 00:00:03,000\nTwo\n"
    assert [s.text for s in import_subtitles(srt_text).segments] == ["One", "Two"]
    # an arrow in the text is not a time line
    arrow = "1\n00:00:01,000 --> 00:00:02,000\nA --> B\n"
    assert [s.text for s in import_subtitles(arrow).segments] == ["A --> B"]
