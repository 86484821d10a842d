"""RTTM speaker turns (NIST's Rich Transcription Time Marked format) from a transcript.

One line per run of neighbouring segments with the same speaker, in time order:
``SPEAKER <file> 1 <start s> <duration s> <NA> <NA> <speaker> <NA> <NA>``, times with three
decimals (milliseconds, as the transcript stores them). Segments without a speaker are left out,
so the file says only what is known. Speaker names are written with spaces replaced by
underscores (RTTM fields are separated by spaces). The CLI's ``--format rttm`` calls
`write_rttm`; `rttm_text` gives the text for other uses.
"""

from __future__ import annotations

import os
from pathlib import Path

from editor.atomic import atomic_write_text
from editor.transcript import Transcript

__all__ = ["rttm_text", "write_rttm"]


def _field(text: str) -> str:
    return "_".join(text.split()) or "NA"


def rttm_text(transcript: Transcript, file_id: str) -> str:
    """The transcript's speaker turns as RTTM text (empty when no segment has a speaker).

    Args:
        transcript: The transcript.
        file_id: The recording's name in the file (usually the media file name without suffix).
    """
    runs: list[tuple[int, int, str]] = []
    previous: str | None = None
    for seg in transcript.segments:
        if seg.speaker is not None and seg.speaker == previous:
            start, _, who = runs[-1]
            runs[-1] = (start, seg.end_ms, who)
        elif seg.speaker is not None:
            runs.append((seg.start_ms, seg.end_ms, seg.speaker))
        previous = seg.speaker
    name = _field(file_id)
    return "".join(
        f"SPEAKER {name} 1 {a / 1000:.3f} {(b - a) / 1000:.3f} <NA> <NA> {_field(who)} <NA> <NA>\n"
        for a, b, who in runs
    )


def write_rttm(
    transcript: Transcript, path: str | os.PathLike[str], file_id: str | None = None
) -> None:
    """Write the transcript's speaker turns to ``path`` as RTTM, atomically.

    Args:
        transcript: The transcript.
        path: The file to write.
        file_id: The recording's name in the file; by default the media file's name without
            its suffix, else the output file's.

    Raises:
        SaveError: The file cannot be written.
    """
    if file_id is None:
        source = transcript.media.path if transcript.media else str(path)
        file_id = Path(source).stem
    atomic_write_text(path, rttm_text(transcript, file_id))
