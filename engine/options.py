"""Options for transcription, as frozen dataclasses; override with `dataclasses.replace`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["TranscribeOptions", "VadOptions"]

Task = Literal["transcribe", "translate"]


@dataclass(frozen=True, slots=True)
class VadOptions:
    """Voice-activity detection and chunking.

    Attributes:
        enabled: Skip silence and cut chunks at pauses (off: fixed 30 s windows).
        threshold: Speech probability (Silero VAD, per 32 ms) at which speech starts.
        neg_threshold: Speech goes on until the probability falls below this (hysteresis).
        min_speech_ms: Shorter bursts are ignored (clicks, bumps).
        min_silence_ms: Pauses shorter than this do not split speech.
        speech_pad_ms: Kept around each speech region so word edges are not clipped and the
            model hears a natural lead-in (200 ms cost words on short clips against
            mlx-whisper; 500 ms matched it).
        max_chunk_s: Longest chunk handed to the model (Whisper's window is 30 s).
        max_pause_s: A pause longer than this ends a chunk and its silence is skipped; shorter
            pauses stay inside a chunk, as context for the model.
        pack: Glue chunks separated by skipped silence into windows of up to ``max_chunk_s``
            (fewer encoder passes; times are mapped back, see `engine.packing`).
        lift_quiet: Raise each quiet chunk, with one gain (at most +40 dB), until its loudest
            speech is at -25 dBFS: Whisper drops or loops on -60 dBFS speech packed beside
            loud speech.
        level: Level each frame before Silero scores it (see `engine.vad`): finds quiet speech
            beside loud speech for the recogniser, which then decides what is words. Off for
            speaker turns: in far-field meetings the lift makes Silero take background murmur
            for speech (7 s of false alarm in one 30 s AMI excerpt), and a turn has no
            recogniser behind it to drop it.
    """

    enabled: bool = True
    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_speech_ms: int = 250
    min_silence_ms: int = 100
    speech_pad_ms: int = 500
    max_chunk_s: float = 30.0
    max_pause_s: float = 2.0
    pack: bool = True
    lift_quiet: bool = True
    level: bool = True


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    """How to transcribe.

    Attributes:
        language: Language code, or None to detect it from the first speech.
        task: "transcribe" keeps the language; "translate" produces English.
        initial_prompt: Text shown to the model as if said before: names, jargon, spelling.
        word_timestamps: Compute a time for every word.
        batch_size: Chunks decoded together (None: a default for the device).
        beam_size: Beam search width for a quality mode; None decodes greedily.
        temperatures: Fallback schedule when a decode looks wrong (see the thresholds).
        compression_ratio_threshold: Above this gzip ratio a decode is repetitive: retry hotter.
        logprob_threshold: Below this mean log-probability a decode is unsure: retry hotter.
        no_speech_threshold: Above this no-speech probability (with low log-probability) a
            chunk is treated as silence.
        max_repeated_ngram: A decode that repeats an n-gram (n=1..4 tokens...) more than this
            many times in a row is treated as a loop and retried hotter.
        suppress_blank: Never start with a blank token.
        recover_skipped_speech: Decode again any stretch of detected speech on which Whisper
            put no words (it stops early in full windows and skips sentences), and mark what
            stays without words as unrecognised speech.
        clip_ranges: Transcribe only these (start, end) ranges in seconds, with a little
            context either side; only words centred inside a range are returned. Empty: all.
        vad: Voice-activity detection and chunking settings.
    """

    language: str | None = None
    task: Task = "transcribe"
    initial_prompt: str | None = None
    word_timestamps: bool = True
    batch_size: int | None = None
    beam_size: int | None = None
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    compression_ratio_threshold: float = 2.4
    logprob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    max_repeated_ngram: int = 4
    suppress_blank: bool = True
    recover_skipped_speech: bool = True
    clip_ranges: tuple[tuple[float, float], ...] = ()
    vad: VadOptions = field(default_factory=VadOptions)
