"""Exporters: one small writer class per file format behind a shared base, and a registry.

Modelled on openai/whisper's ``utils.py`` writers: SRT and WebVTT share one subtitle writer and
differ in class attributes (time stamp style, header, numbering) plus how a cue's text is
marked up. All writers write LF line ends; `export_to_path` encodes UTF-8 (or takes a binary
format's bytes, DOCX) and replaces the target atomically. The base and the settings live in
`editor.writer_base`; meeting notes (Markdown, DOCX) in `editor.meeting`.
"""

from __future__ import annotations

import json
import math
import os
import zlib
from collections.abc import Iterator, Mapping, Sequence
from html import escape
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, TextIO

from editor.atomic import atomic_write_bytes
from editor.errors import ExportError, SaveError
from editor.meeting import DocxWriter, MarkdownWriter
from editor.rttm import rttm_text
from editor.subtitles import Cue, clean_cue_text, layout_cues
from editor.timefmt import format_timestamp
from editor.transcript import Segment, Transcript
from editor.writer_base import NO_SPACE_LANGUAGES, ExportOptions, Paragraphs, Writer

__all__ = [
    "NO_SPACE_LANGUAGES",
    "WRITERS",
    "DocxWriter",
    "ExportOptions",
    "JsonWriter",
    "MarkdownWriter",
    "Paragraphs",
    "RttmWriter",
    "SrtWriter",
    "SubtitleWriter",
    "TxtWriter",
    "VttWriter",
    "Writer",
    "export_to_path",
    "get_writer",
    "voice_name",
]


class SubtitleWriter(Writer):
    """Cues from `layout_cues`, each as an optional number, a time line and its text lines."""

    #: Written before the first cue, with a blank line after it, when not empty.
    header: ClassVar[str] = ""
    #: Whether cues are numbered from 1.
    numbered: ClassVar[bool] = False
    #: The mark before the milliseconds.
    decimal_marker: ClassVar[str] = "."
    #: Whether time stamps always have hours.
    always_include_hours: ClassVar[bool] = True
    #: Whether speaker names go into the text as "Name: " (so the layout must count them).
    speaker_prefix: ClassVar[bool] = False

    def write(self, transcript: Transcript, stream: TextIO, options: ExportOptions) -> None:
        """Write the header and every cue, a blank line between them."""
        cues = self.cues(transcript, options)
        blocks = [self.header] if self.header else []
        for number, cue in enumerate(cues, start=1):
            times = f"{self.timestamp(cue.start_ms)} --> {self.timestamp(cue.end_ms)}"
            text = self.cue_text(cue, options)
            blocks.append(f"{number}\n{times}\n{text}" if self.numbered else f"{times}\n{text}")
        if blocks:
            stream.write("\n\n".join(blocks) + "\n")

    def cues(self, transcript: Transcript, options: ExportOptions) -> list[Cue]:
        """The cues this format writes, laid out once here for the file and for the video view.

        The video view draws the cues of the export over the picture (issue 15), so both must
        come from this one call: a second layout would drift from what the file holds.
        """
        labels = options.include_speakers and self.names_in_text(options)
        return layout_cues(transcript, options.subtitles, speaker_labels=labels)

    def timestamp(self, ms: int) -> str:
        """A time stamp in this format's style."""
        return format_timestamp(
            ms, decimal=self.decimal_marker, always_hours=self.always_include_hours
        )

    def names_in_text(self, options: ExportOptions) -> bool:
        """Whether speaker names go into the cue text as "Name: " (counted by the layout)."""
        return self.speaker_prefix

    def cue_text(self, cue: Cue, options: ExportOptions) -> str:
        """The text lines of a cue as written in the file."""
        return cue.text


class SrtWriter(SubtitleWriter):
    """SubRip: numbered cues, ``00:00:01,000`` stamps, speakers as a "Name: " prefix."""

    extension = "srt"
    name = "SubRip subtitles"
    numbered = True
    decimal_marker = ","
    speaker_prefix = True


class VttWriter(SubtitleWriter):
    """WebVTT: a ``WEBVTT`` header, ``00:00:01.000`` stamps, speakers as ``<v Name>`` tags."""

    extension = "vtt"
    name = "WebVTT subtitles"
    header = "WEBVTT"

    def names_in_text(self, options: ExportOptions) -> bool:
        """Names as "Name: " text when asked: players show no voice tag on screen."""
        return options.vtt_names_in_text

    def cue_text(self, cue: Cue, options: ExportOptions) -> str:
        """Escape ``& < >`` (WebVTT's markup characters) and add the voice tag."""
        text = escape(cue.text, quote=False)
        if options.include_speakers and cue.speaker and not options.vtt_names_in_text:
            text = f"<v {voice_name(cue.speaker)}>{text}"
        return text


def voice_name(speaker: str) -> str:
    """A speaker name for a voice tag, without ``& < >``.

    Escaped as the spec says (``&amp;``), FFmpeg's WebVTT reader (hence mpv and burnt-in
    subtitles) ends the tag at the entity and shows the rest of the name as text ("Dashwood
    &amp; Sons" became "& SonsAnd Mr."). Look-alike characters keep the name readable.
    """
    return clean_cue_text(speaker).translate(_VOICE_SAFE)


_VOICE_SAFE = str.maketrans({"&": "＆", "<": "‹", ">": "›"})


class TxtWriter(Writer):
    """Plain text in paragraphs, optionally with times and speaker names."""

    extension = "txt"
    name = "Plain text"

    def write(self, transcript: Transcript, stream: TextIO, options: ExportOptions) -> None:
        """Write one paragraph per group of segments, a blank line between paragraphs."""
        glue = "" if transcript.language in NO_SPACE_LANGUAGES else " "
        paragraphs: list[str] = []
        for group in _paragraphs(transcript.segments, options):
            label = ""
            if options.timestamps:
                seconds = group[0].start_ms // 1000  # the second it starts in, as a clock shows
                label += f"[{format_timestamp(seconds * 1000)[:-4]}] "
            if options.speaker_names and group[0].speaker:
                label += f"{group[0].speaker}: "
            paragraphs.append(label + glue.join(s.text for s in group))
        if paragraphs:
            stream.write("\n\n".join(paragraphs) + "\n")


def _paragraphs(segments: Sequence[Segment], options: ExportOptions) -> Iterator[list[Segment]]:
    """Group consecutive segments into paragraphs as ``options.paragraphs`` says."""
    group: list[Segment] = []
    for segment in segments:
        if group and _starts_paragraph(group[-1], segment, options):
            yield group
            group = []
        group.append(segment)
    if group:
        yield group


def _starts_paragraph(before: Segment, segment: Segment, options: ExportOptions) -> bool:
    if options.paragraphs == "segment" or segment.speaker != before.speaker:
        return True
    if options.paragraphs == "pause":
        return segment.start_ms - before.end_ms >= options.paragraph_pause_ms
    return False


class JsonWriter(Writer):
    """openai-whisper's JSON result layout, so tools that read Whisper's output read ours.

    Times are seconds rounded to 3 decimals. Only values the transcript really holds are
    written: ``seek``, ``tokens``, ``temperature`` and ``no_speech_prob`` are left out, because
    an edited transcript keeps none of them and made-up constants would look like real decoder
    output (issue 16). ``avg_logprob`` is the mean log word probability (Whisper averages over
    tokens, so it is close but not equal) and ``compression_ratio`` is computed from the text as
    Whisper does. Segments with a speaker get a ``speaker`` key, which Whisper's readers ignore.
    """

    extension = "json"
    name = "Whisper JSON"

    def write(self, transcript: Transcript, stream: TextIO, options: ExportOptions) -> None:
        """Write the whole result as one JSON object, indented, with a final line end."""
        lead = "" if transcript.language in NO_SPACE_LANGUAGES else " "
        segments = [_segment_json(i, s, lead) for i, s in enumerate(transcript.segments)]
        result = {
            "text": "".join(s["text"] for s in segments),
            "segments": segments,
            "language": transcript.language,
        }
        json.dump(result, stream, ensure_ascii=False, indent=2)
        stream.write("\n")


def _seconds(ms: int) -> float:
    return round(ms / 1000, 3)


def _segment_json(index: int, segment: Segment, lead: str) -> dict[str, Any]:
    text = lead + segment.text  # Whisper's segment text starts with the word's space
    logprobs = [math.log(max(w.probability, 1e-10)) for w in segment.words]
    encoded = text.encode("utf-8")
    out: dict[str, Any] = {
        "id": index,
        "start": _seconds(segment.start_ms),
        "end": _seconds(segment.end_ms),
        "text": text,
        "avg_logprob": round(sum(logprobs) / len(logprobs), 4),
        "compression_ratio": round(len(encoded) / len(zlib.compress(encoded)), 4),
        "words": [
            {
                "word": w.text,
                "start": _seconds(w.start_ms),
                "end": _seconds(w.end_ms),
                "probability": w.probability,
            }
            for w in segment.words
        ],
    }
    if segment.speaker:
        out["speaker"] = segment.speaker
    return out


class RttmWriter(Writer):
    """Speaker turns as RTTM (`editor.rttm`), the file named after the recording."""

    extension = "rttm"
    name = "RTTM speaker turns"

    def write(self, transcript: Transcript, stream: TextIO, options: ExportOptions) -> None:
        """One ``SPEAKER`` line per turn; nothing when no segment has a speaker."""
        file_id = Path(transcript.media.path).stem if transcript.media else "recording"
        stream.write(rttm_text(transcript, file_id))


#: Every format by its name (also its file extension).
WRITERS: Mapping[str, type[Writer]] = MappingProxyType(
    {
        w.extension: w
        for w in (
            SrtWriter,
            VttWriter,
            TxtWriter,
            JsonWriter,
            RttmWriter,
            MarkdownWriter,
            DocxWriter,
        )
    }
)


def get_writer(fmt: str) -> Writer:
    """A writer for a format name or extension ("srt", ".SRT", "vtt", "txt", "json", "docx"...).

    Raises:
        ExportError: The format is unknown.
    """
    key = fmt.strip().lower().removeprefix(".")
    try:
        return WRITERS[key]()
    except KeyError:
        known = ", ".join(WRITERS)
        raise ExportError(f"Cannot export as {fmt!r}: choose one of {known}.") from None


def export_to_path(
    transcript: Transcript,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    options: ExportOptions | None = None,
) -> None:
    """Export to a file, replacing it atomically (UTF-8).

    Args:
        transcript: What to export.
        path: The file to create or replace.
        fmt: The format name; taken from the file name's extension when None.
        options: Export settings; `ExportOptions()` when None.

    Raises:
        ExportError: The format is unknown or the file cannot be written (the message says
            why; an existing file is left as it was).
    """
    writer = get_writer(fmt if fmt is not None else Path(path).suffix)
    data = writer.encode(transcript, options if options is not None else ExportOptions())
    try:
        atomic_write_bytes(path, data)
    except SaveError as e:
        raise ExportError(str(e)) from e
