"""What transcription produces.

Plain Python values only (no mx.array), safe to send across threads and Qt signals. Times are
float seconds from the start of the media.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Progress", "SegmentResult", "TranscriptionInfo", "WordResult"]


@dataclass(frozen=True, slots=True)
class WordResult:
    """A word and when it was spoken.

    Attributes:
        text: The word with its leading separator, as Whisper writes it (" country,").
        start: Start time in seconds.
        end: End time in seconds (>= start).
        probability: The model's confidence, 0 to 1 (mean of the word's token probabilities).
    """

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """A stretch of speech as Whisper delimits it, final when yielded.

    Attributes:
        id: Running number from 0 in the order segments are yielded.
        start: Start time in seconds.
        end: End time in seconds.
        text: The segment's text (stripped).
        words: The words with times (empty when word timestamps are off).
        avg_logprob: Mean log-probability of the decoded tokens.
        no_speech_prob: The model's probability that there is no speech in its window.
        compression_ratio: gzip compression ratio of the text (high means repetitive).
        temperature: The sampling temperature that produced it (0 for greedy/beam).
        unrecognised: The VAD detected speech here but the model found no words in it, even
            decoded on its own: ``text`` is a placeholder ("[unrecognised speech]") held by one
            word of probability 0, so an editor shows it and exports keep the gap visible.
    """

    id: int
    start: float
    end: float
    text: str
    words: tuple[WordResult, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0
    temperature: float = 0.0
    unrecognised: bool = False


@dataclass(frozen=True, slots=True)
class TranscriptionInfo:
    """Facts known before the first segment.

    Attributes:
        language: Language code used for decoding ("en"...).
        language_probability: Confidence of language detection (1.0 when given or English-only).
        duration: Media duration in seconds (an estimate for streams that do not say).
        model: Name of the model in use.
        device: "gpu" or "cpu".
        batch_size: Chunks decoded together.
    """

    language: str
    language_probability: float
    duration: float
    model: str = ""
    device: str = "cpu"
    batch_size: int = 1


@dataclass(frozen=True, slots=True)
class Progress:
    """How far transcription has come.

    Attributes:
        done: Seconds of media handled so far (transcribed or skipped as silence).
        total: Media duration in seconds.
        elapsed: Wall-clock seconds since transcription started.
    """

    done: float
    total: float
    elapsed: float

    @property
    def fraction(self) -> float:
        """Done as a fraction from 0 to 1."""
        return min(max(self.done / self.total, 0.0), 1.0) if self.total > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from the speed so far (None until there is something to go on)."""
        if self.done <= 0 or self.elapsed <= 0:
            return None
        return max(self.total - self.done, 0.0) * self.elapsed / self.done
