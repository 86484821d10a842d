"""Whether an English-only model has been listening to another language.

An English-only model given Portuguese does not fail: it writes fluent English that was never
said ("Thank you for watching..."), with no warning (issue 17). What gives it away is how unsure
the decoder was. Across a file, the mean log-probability of the decoded tokens, weighted by
segment length, separates English from other speech cleanly for Whisper tiny.en on the shared
test clips:

- 25 English clips (read speech, dictation, a noisy 1-2 s card name): -0.18 to -0.67.
- 20 German, French, Spanish and Portuguese clips (FLEURS): -0.99 to -1.75.

`NOT_ENGLISH_LOGPROB` sits between the two. Larger English-only models are surer of English,
so the rule errs towards silence with them, never towards false alarms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from engine.results import SegmentResult

__all__ = [
    "MIN_SPEECH_S",
    "NOT_ENGLISH_LOGPROB",
    "SpeechScore",
    "not_english_message",
    "probably_not_english",
]

#: Below this mean token log-probability an English-only model was most likely guessing.
NOT_ENGLISH_LOGPROB: Final = -0.85
#: Seconds of decoded speech needed before judging: a word or two says little.
MIN_SPEECH_S: Final = 3.0


@dataclass(frozen=True, slots=True)
class SpeechScore:
    """How sure the decoder was, so far, over the speech of one file.

    Add segments as they arrive (`plus`); ask `probably_not_english` at the end.
    """

    seconds: float = 0.0  # decoded speech scored so far, in seconds
    weighted_logprob: float = 0.0  # sum of avg_logprob x segment seconds

    def plus(self, segments: Iterable[SegmentResult]) -> SpeechScore:
        """This score with ``segments`` added (unrecognised placeholders are skipped)."""
        seconds, weighted = self.seconds, self.weighted_logprob
        for s in segments:
            length = s.end - s.start
            if s.unrecognised or length <= 0:
                continue
            seconds += length
            weighted += s.avg_logprob * length
        return dataclasses.replace(self, seconds=seconds, weighted_logprob=weighted)

    @property
    def mean_logprob(self) -> float | None:
        """The length-weighted mean log-probability, or None before any speech."""
        return self.weighted_logprob / self.seconds if self.seconds > 0 else None

    @property
    def probably_not_english(self) -> bool:
        """Whether enough speech was decoded, and that unsurely enough to doubt it is English."""
        mean = self.mean_logprob
        return self.seconds >= MIN_SPEECH_S and mean is not None and mean < NOT_ENGLISH_LOGPROB


def probably_not_english(segments: Iterable[SegmentResult]) -> bool:
    """Whether an English-only model's ``segments`` suggest the speech is not English."""
    return SpeechScore().plus(segments).probably_not_english


def not_english_message(model: str) -> str:
    """The warning, in words, for a recording that English-only ``model`` probably misheard."""
    return (
        f"This recording may not be in English, and {model} only knows English: its words may "
        "be made up. Use a multilingual model (one without .en)."
    )
