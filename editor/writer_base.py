"""What every exporter shares: the export settings and the writer base class.

Kept apart from `editor.writers` (the registry) so that writers in their own modules, such as
the meeting formats in `editor.meeting`, import the base without importing the registry that
lists them.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Literal, TextIO

from editor.errors import ExportError
from editor.subtitles import SubtitleOptions
from editor.transcript import Transcript

__all__ = ["NO_SPACE_LANGUAGES", "ExportOptions", "Paragraphs", "Writer"]

#: Languages written without spaces between words (and between sentences).
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "km", "bo", "yue"})

Paragraphs = Literal["segment", "speaker", "pause"]


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """Settings for every format; each writer reads the fields that concern it.

    Attributes:
        subtitles: Cue layout for SRT and WebVTT.
        include_speakers: Show speaker names in subtitles ("Name: " in SRT, voice tags in VTT).
        vtt_names_in_text: VTT: write speaker names as "Name: " in the cue text, like SRT,
            instead of a voice tag: browsers, mpv and FFmpeg show no voice tag on screen.
        timestamps: TXT: start every paragraph with its time, ``[hh:mm:ss]``.
        speaker_names: TXT: start every paragraph that has a speaker with "Name: ".
        paragraphs: TXT: a paragraph per segment, per run of one speaker's segments, or per
            run of segments without a pause of ``paragraph_pause_ms`` (a speaker change also
            starts one).
        paragraph_pause_ms: TXT: the pause that starts a paragraph in "pause" mode.
        recorded: Markdown and DOCX: the date under the heading; None takes the media file's
            modification date when the file is there (the closest thing to a recording date a
            transcript keeps), else no date.
    """

    subtitles: SubtitleOptions = field(default_factory=SubtitleOptions)
    include_speakers: bool = True
    vtt_names_in_text: bool = False
    timestamps: bool = False
    speaker_names: bool = True
    paragraphs: Paragraphs = "segment"
    paragraph_pause_ms: int = 2000
    recorded: date | None = None

    def __post_init__(self) -> None:
        if self.paragraphs not in ("segment", "speaker", "pause"):
            raise ExportError(
                f"Unknown paragraph mode {self.paragraphs!r}: choose segment, speaker or pause."
            )
        if self.paragraph_pause_ms < 0:
            raise ExportError(
                f"The paragraph pause cannot be negative ({self.paragraph_pause_ms})."
            )


class Writer(ABC):
    """Writes a transcript to a text stream in one format."""

    #: File name extension without the dot ("srt").
    extension: ClassVar[str]
    #: Name to show in a file dialog ("SubRip subtitles").
    name: ClassVar[str]

    #: Whether the file is not text (`encode` builds it; `write` gives a text preview).
    binary: ClassVar[bool] = False

    @abstractmethod
    def write(self, transcript: Transcript, stream: TextIO, options: ExportOptions) -> None:
        """Write ``transcript`` to ``stream`` (text mode; the caller chooses the encoding)."""

    def encode(self, transcript: Transcript, options: ExportOptions) -> bytes:
        """The whole file's bytes: what `write` writes, as UTF-8, unless the format is binary."""
        buffer = io.StringIO()
        self.write(transcript, buffer, options)
        return buffer.getvalue().encode("utf-8")
