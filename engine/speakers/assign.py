"""Give transcribed words and segments their speakers, splitting segments where the voice changes.

Each word goes to the speaker whose turns overlap it most; a word no turn touches (speech the
voice-activity step missed) goes to the nearest turn, so every word has a speaker once there is
any. A segment is cut wherever consecutive words have different speakers; a segment without word
timings gets the speaker that overlaps the whole segment most.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.results import SegmentResult, WordResult
from engine.speakers.options import SpeakerTurn

__all__ = ["SpeakerSegment", "assign_speakers", "speaker_at"]


@dataclass(frozen=True, slots=True)
class SpeakerSegment:
    """A segment, or part of one, spoken by one speaker.

    Attributes:
        start: Seconds from the start of the recording.
        end: Seconds from the start of the recording.
        text: The words joined (Whisper's convention: each word carries its leading space),
            stripped; the segment's own text when it has no word timings.
        words: The words, in order (empty when the segment had no word timings).
        speaker: The speaker's label, or None when there are no turns at all.
    """

    start: float
    end: float
    text: str
    words: tuple[WordResult, ...]
    speaker: str | None


class _Turns:
    """Turns sorted by start, for overlap queries."""

    def __init__(self, turns: Sequence[SpeakerTurn]) -> None:
        self.turns = sorted(turns, key=lambda t: t.start)
        self.starts = [t.start for t in self.turns]
        self.longest = max((t.duration for t in self.turns), default=0.0)

    def speaker(self, start: float, end: float) -> str | None:
        if not self.turns:
            return None
        # Turns starting before `start - longest` cannot reach `start`.
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_right(self.starts, end)
        shares: dict[str, float] = {}
        for turn in self.turns[lo:hi]:
            shared = min(end, turn.end) - max(start, turn.start)
            if shared > 0:
                shares[turn.speaker] = shares.get(turn.speaker, 0.0) + shared
        if shares:
            return max(shares, key=lambda s: shares[s])
        middle = (start + end) / 2
        i = bisect.bisect_left(self.starts, middle)
        near = self.turns[max(0, i - 1) : i + 1]
        return min(near, key=lambda t: max(t.start - middle, middle - t.end, 0.0)).speaker


def speaker_at(start: float, end: float, turns: Sequence[SpeakerTurn]) -> str | None:
    """The speaker overlapping ``start .. end`` most (the nearest one when none overlaps)."""
    return _Turns(turns).speaker(start, end)


def assign_speakers(
    segments: Iterable[SegmentResult], turns: Sequence[SpeakerTurn]
) -> list[SpeakerSegment]:
    """Speakers for transcribed segments, split where the speaker changes between words.

    Args:
        segments: Segments from `engine.Transcriber` (with word timings for splitting).
        turns: From `engine.speakers.identify_speakers`.

    Returns:
        The segments, in order, each split into runs of words with one speaker.
    """
    index = _Turns(turns)
    out: list[SpeakerSegment] = []
    for seg in segments:
        if not seg.words:
            out.append(
                SpeakerSegment(seg.start, seg.end, seg.text, (), index.speaker(seg.start, seg.end))
            )
            continue
        run: list[WordResult] = []
        current: str | None = None
        for word in seg.words:
            who = index.speaker(word.start, word.end)
            if run and who != current:
                out.append(_piece(run, current))
                run = []
            run.append(word)
            current = who
        out.append(_piece(run, current))
    return out


def _piece(words: list[WordResult], speaker: str | None) -> SpeakerSegment:
    text = "".join(w.text for w in words).strip()
    return SpeakerSegment(words[0].start, words[-1].end, text, tuple(words), speaker)
