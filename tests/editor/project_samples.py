"""A small project and a media file on disk, shared by the project, media and autosave tests."""

from __future__ import annotations

from pathlib import Path

from editor.media import media_info_for
from editor.project import Project
from editor.transcript import MediaInfo, Segment, Transcript, Word


def sample_transcript(media: MediaInfo | None = None) -> Transcript:
    return Transcript(
        (
            Segment((Word("Naïve", 0, 400, 0.91), Word(" 日本語", 400, 900, 0.5)), "Ann"),
            Segment((Word(" null", 1000, 1300, 1.0), Word(" true,", 1300, 1600, 0.25))),
            Segment((Word(' "quoted"', 2000, 2500, 0.75),), "Bo"),
        ),
        language="en",
        media=media,
        metadata={"model": "tiny.en"},
    )


def sample_project(media: MediaInfo | None = None) -> Project:
    state = {"position_ms": 1234, "threshold": 0.5, "export": {"format": "srt", "lines": [1, 2]}}
    return Project(sample_transcript(media), state)


def make_media(path: Path, content: bytes = b"RIFF....WAVEfmt " * 100) -> MediaInfo:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return media_info_for(path, duration_ms=3000)
