"""The subtitle shown over the video: the export's own cues, looked up at the playhead.

The cues come from `SrtWriter.cues` with the export settings (`to_export_options`), the very
call the SRT export makes, so the picture shows what the file will hold: the same cue
boundaries, the same line breaks, the speaker's name where the file writes it (issue 15).
SRT rather than WebVTT: WebVTT keeps names in voice tags, which players do not show, so its
lines are laid out without them; a picture with subtitles is what SRT is made for.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from editor.subtitles import Cue
from editor.transcript import Transcript
from editor.writers import ExportOptions, SrtWriter

__all__ = ["CueTrack", "subtitle_cues"]


def subtitle_cues(transcript: Transcript, options: ExportOptions) -> tuple[Cue, ...]:
    """The cues the SRT export writes for ``transcript`` with ``options``."""
    return tuple(SrtWriter().cues(transcript, options))


@dataclass(frozen=True, slots=True)
class CueTrack:
    """Cues in time order (as the export lays them out: never overlapping), found by time.

    Attributes:
        cues: The cues.
    """

    cues: tuple[Cue, ...] = ()
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(c.start_ms for c in self.cues))

    def at(self, ms: int) -> Cue | None:
        """The cue on screen at ``ms`` (from its start, up to but not at its end), or None."""
        i = bisect_right(self._starts, ms) - 1
        if i >= 0 and ms < self.cues[i].end_ms:
            return self.cues[i]
        return None
