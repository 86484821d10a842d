"""Meeting notes: the DOCX read back by python-docx, Markdown turns, dates from the media file."""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from subtitle_samples import sample_transcript, spoken

from editor.meeting import MarkdownWriter, meeting_turns, recording_date
from editor.transcript import MediaInfo, Segment, Transcript
from editor.writers import ExportOptions, export_to_path, get_writer

RECORDED = ExportOptions(recorded=date(2026, 3, 14))


def test_turns_join_neighbouring_segments_of_one_speaker() -> None:
    turns = meeting_turns(sample_transcript())
    assert [t.speaker for t in turns] == ["Ana", "Björn Ås", None, "Ana", None, "Björn Ås", "Ana"]
    assert turns[3].start_ms == 19_500
    assert turns[3].text.startswith("Write <b> & </b> literally, please. So, the first part.")


def test_docx_is_read_back_by_python_docx(tmp_path: Path) -> None:
    target = tmp_path / "show.docx"
    export_to_path(sample_transcript(), target, options=RECORDED)
    document = docx.Document(str(target))
    paragraphs = [p for p in document.paragraphs if p.text]
    assert paragraphs[0].style is not None
    assert paragraphs[0].style.name == "Heading 1"
    assert paragraphs[0].text == "show"
    assert paragraphs[1].text == "2026-03-14"
    turns = meeting_turns(sample_transcript())
    assert len(paragraphs) == 2 + len(turns)
    for paragraph, turn in zip(paragraphs[2:], turns, strict=True):
        runs = paragraph.runs
        if turn.speaker:
            assert runs[0].text == turn.speaker
            assert runs[0].bold
        assert turn.text in paragraph.text
    # The last turn is past an hour: the time keeps its hours.
    assert "01:02:03" in paragraphs[-1].text
    assert document.core_properties.title == "show"


def test_docx_preview_is_the_markdown_text() -> None:
    stream = io.StringIO()
    get_writer("docx").write(sample_transcript(), stream, RECORDED)
    markdown = io.StringIO()
    MarkdownWriter().write(sample_transcript(), markdown, RECORDED)
    assert stream.getvalue() == markdown.getvalue()


def test_markdown_escapes_markup_in_names_and_text() -> None:
    words = tuple(spoken("a *bold* [link] <b>", 1_000))
    transcript = Transcript((Segment(words, "A_B #1"),), media=MediaInfo("x.wav"))
    stream = io.StringIO()
    MarkdownWriter().write(transcript, stream, RECORDED)
    assert stream.getvalue() == (
        "# x\n\n*2026-03-14*\n\n**A\\_B \\#1** · 00:00:01  \na \\*bold\\* \\[link\\] \\<b\\>\n"
    )


def test_date_is_the_media_files_modification_date(tmp_path: Path) -> None:
    media = tmp_path / "meeting.wav"
    media.write_bytes(b"RIFF")
    stamp = datetime(2025, 11, 2, 10, 30).timestamp()
    os.utime(media, (stamp, stamp))
    transcript = Transcript(media=MediaInfo(str(media)))
    assert recording_date(transcript, ExportOptions()) == date(2025, 11, 2)
    assert recording_date(transcript, RECORDED) == date(2026, 3, 14)
    missing = Transcript(media=MediaInfo(str(tmp_path / "gone.wav")))
    assert recording_date(missing, ExportOptions()) is None


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_empty_transcript_still_has_its_heading(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"empty.{fmt}"
    export_to_path(Transcript(), target, options=RECORDED)
    assert target.stat().st_size > 0
