"""Meeting notes from an edited transcript: Markdown and Word (DOCX), one paragraph per turn.

Both formats hold the same thing (issue 12): a heading with the recording's name and date, then
one paragraph per turn (a run of segments by one speaker) that starts with the speaker's name and
the time the turn starts. Segments without a speaker form turns without a name. The DOCX is
built with python-docx, imported only when a DOCX is written so the editor stays light to import.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from editor.errors import ExportError
from editor.timefmt import format_timestamp
from editor.transcript import Segment, Transcript
from editor.writer_base import NO_SPACE_LANGUAGES, ExportOptions, Writer

__all__ = ["DocxWriter", "MarkdownWriter", "MeetingTurn", "meeting_turns", "recording_title"]

log = logging.getLogger(__name__)

#: Characters Markdown could take for markup in running text (CommonMark's punctuation escapes).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


@dataclass(frozen=True, slots=True)
class MeetingTurn:
    """A run of neighbouring segments by one speaker.

    Attributes:
        start_ms: When the turn starts, in milliseconds.
        speaker: The speaker's name, or None when the segments have none.
        text: The segments' text joined as the transcript's language writes it.
    """

    start_ms: int
    speaker: str | None
    text: str


def meeting_turns(transcript: Transcript) -> list[MeetingTurn]:
    """The transcript's turns, in time order."""
    glue = "" if transcript.language in NO_SPACE_LANGUAGES else " "
    turns: list[MeetingTurn] = []
    group: list[Segment] = []
    for segment in (*transcript.segments, None):
        if group and (segment is None or segment.speaker != group[0].speaker):
            text = glue.join(s.text for s in group)
            turns.append(MeetingTurn(group[0].start_ms, group[0].speaker, text))
            group = []
        if segment is not None:
            group.append(segment)
    return turns


def recording_title(transcript: Transcript) -> str:
    """The recording's name for a heading: the media file's name without its suffix."""
    return Path(transcript.media.path).stem if transcript.media else "Transcript"


def recording_date(transcript: Transcript, options: ExportOptions) -> date | None:
    """The date for the heading (see `ExportOptions.recorded`)."""
    if options.recorded is not None or transcript.media is None:
        return options.recorded
    try:
        return datetime.fromtimestamp(Path(transcript.media.path).stat().st_mtime).date()
    except OSError:
        return None  # the media file moved: a heading without a date is still a heading


def _clock(ms: int) -> str:
    """``hh:mm:ss`` of the second the turn starts in, as a clock shows it."""
    return format_timestamp(ms // 1000 * 1000)[:-4]


def _markdown_text(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


class MarkdownWriter(Writer):
    """Markdown meeting notes: ``# name``, the date, then ``**Speaker** · 00:01:02`` turns."""

    extension = "md"
    name = "Markdown meeting notes"

    def write(self, transcript: Transcript, stream: TextIO, options: ExportOptions) -> None:
        """Write the heading and one paragraph per turn, a blank line between blocks."""
        blocks = [f"# {_markdown_text(recording_title(transcript))}"]
        when = recording_date(transcript, options)
        if when is not None:
            blocks.append(f"*{when.isoformat()}*")
        for turn in meeting_turns(transcript):
            name = f"**{_markdown_text(turn.speaker)}** · " if turn.speaker else ""
            # Two trailing spaces: a hard line break, so the text starts under the name.
            blocks.append(f"{name}{_clock(turn.start_ms)}  \n{_markdown_text(turn.text)}")
        stream.write("\n\n".join(blocks) + "\n")


class DocxWriter(Writer):
    """Word document meeting notes: a title, the date, one paragraph per turn.

    A text stream cannot hold a .docx, so `write` gives the Markdown text of the same notes
    (what the export dialog previews) and `encode` builds the document.
    """

    extension = "docx"
    name = "Word document (meeting notes)"
    binary = True

    def write(self, transcript: Transcript, stream: TextIO, options: ExportOptions) -> None:
        """Write the notes as Markdown text (a preview of the document)."""
        MarkdownWriter().write(transcript, stream, options)

    def encode(self, transcript: Transcript, options: ExportOptions) -> bytes:
        """The .docx file's bytes.

        Raises:
            ExportError: python-docx is not installed.
        """
        try:
            import docx
            from docx.shared import Pt, RGBColor
        except ImportError as e:
            raise ExportError(
                "Cannot write a Word document: the python-docx package is not installed."
            ) from e
        document = docx.Document()
        document.core_properties.title = recording_title(transcript)
        document.add_heading(recording_title(transcript), level=1)
        when = recording_date(transcript, options)
        if when is not None:
            document.add_paragraph(when.isoformat()).runs[0].italic = True
        for turn in meeting_turns(transcript):
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(8)
            if turn.speaker:
                paragraph.add_run(turn.speaker).bold = True
                paragraph.add_run("  ")
            stamp = paragraph.add_run(_clock(turn.start_ms))
            stamp.font.color.rgb = RGBColor(0x59, 0x59, 0x59)  # grey that still passes 4.5:1
            stamp.add_break()
            paragraph.add_run(turn.text)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
