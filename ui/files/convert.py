"""Engine results (float seconds) -> editor values (integer milliseconds).

This is the only place the two packages meet for transcription results; the rounding rule is the
editor's (`editor.timefmt.ms_from_seconds`), and `editor.build` repairs zero-length or touching
words so the document's invariants always hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from editor.build import RawSegment, RawWord, build_segments, build_transcript
from editor.commands import ApplySpeakerTurns, SpeakerSpan
from editor.document import Document
from editor.media import media_info_for
from editor.timefmt import ms_from_seconds
from editor.transcript import MediaInfo, Segment, Transcript
from engine.results import SegmentResult, TranscriptionInfo

if TYPE_CHECKING:
    # engine.speakers loads MLX on import; the app must not pay for that at start-up.
    from engine.speakers import SpeakerTurn

__all__ = [
    "media_for",
    "raw_segment",
    "segments_from_results",
    "speaker_spans",
    "transcript_from_results",
    "with_speakers",
]


def raw_segment(result: SegmentResult) -> RawSegment:
    """One engine segment as the editor's raw input."""
    words = [RawWord.from_seconds(w.text, w.start, w.end, w.probability) for w in result.words]
    return RawSegment(
        words=words,
        text=result.text if not words else None,
        start_ms=ms_from_seconds(result.start),
        end_ms=ms_from_seconds(result.end),
    )


def segments_from_results(
    results: Iterable[SegmentResult], *, not_before_ms: int = 0, duration_ms: int | None = None
) -> list[Segment]:
    """Valid editor segments from engine segments (e.g. a batch that just streamed in)."""
    return build_segments(
        [raw_segment(r) for r in results], not_before_ms=not_before_ms, duration_ms=duration_ms
    )


def media_for(path: str | Path | None, info: TranscriptionInfo) -> MediaInfo | None:
    """The media reference of a transcribed file (size and fingerprint when it exists)."""
    if path is None:
        return None
    duration = ms_from_seconds(info.duration) if info.duration > 0 else None
    return media_info_for(Path(path), duration)


def transcript_from_results(
    results: Iterable[SegmentResult], info: TranscriptionInfo, media_path: str | Path | None
) -> Transcript:
    """A whole transcript from a finished transcription."""
    return build_transcript(
        [raw_segment(r) for r in results],
        language=info.language,
        media=media_for(media_path, info),
        metadata={"model": info.model, "device": info.device},
    )


def speaker_spans(turns: Iterable[SpeakerTurn]) -> list[SpeakerSpan]:
    """Engine speaker turns (seconds) as the editor's spans (milliseconds); empty turns dropped."""
    spans = (
        SpeakerSpan(ms_from_seconds(t.start), ms_from_seconds(t.end), t.speaker) for t in turns
    )
    return [s for s in spans if s.end_ms > s.start_ms]


def with_speakers(transcript: Transcript, turns: Iterable[SpeakerTurn]) -> Transcript:
    """The transcript with every word given the speaker of its turn (`ApplySpeakerTurns`).

    The same command the app runs for "Identify speakers again", so the CLI and the app split
    segments alike; text and timings are never touched.
    """
    document = Document(transcript)
    ApplySpeakerTurns(speaker_spans(turns)).do(document)
    return document.transcript
