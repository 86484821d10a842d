"""Keep decoding a window while detected speech is left after its last timestamp.

Whisper ends a window early when it takes its last sentence for one the next window will finish
(it closes with a timestamp pair), and sometimes just stops with seconds of speech to go. In
openai/whisper's sequential loop the next window starts at that timestamp, so nothing is lost; in
a batch of voice-activity chunks there is no next window from there. On continuous speech a
quarter of our windows lost their last sentence(s) that way: `engine.windows` found the words
missing and encoded and decoded those stretches again (7 of 34 encoder passes).

So a row that has words and chooses to end before its timestamps reach the chunk's last
detected speech is held on: its end-of-text is masked and it samples its next choice (the
decoders' ``hold_until``). The row remembers where it chose to end, and when what it decoded while
held is doubtful (tiny.en makes up "The end of the video is on the screen." over a breath) the
hold is undone, and recovery takes that stretch as before.

Measured with tiny.en (bench/README.md, "Holding a window on"): encoder passes 34 -> 29 on the
dense 10 minutes (word errors 213 -> 216 of 1427) and 196 -> 169 on an hour of speech (errors
1543 -> 1525); held words that match the audio scored -0.1 to -0.9 mean log-probability, made-up
ones -1.2 to -2.9.
"""

from __future__ import annotations

from engine.decoding import RowResult
from engine.tokenizer import TIME_PRECISION
from engine.vad import SAMPLE_RATE, Chunk

__all__ = ["HELD_MIN_LOGPROB", "HOLD_MARGIN_S", "hold_until", "release_doubtful"]

# A row may end once its timestamps are this close to the last detected speech: the detector's
# padding (0.5 s) and half a second of speech, too short for a sentence worth holding on for.
HOLD_MARGIN_S = 1.0
# Words decoded while held with a lower mean log-probability are dropped (Whisper's own
# threshold for an unsure decode).
HELD_MIN_LOGPROB = -1.0


def hold_until(chunk: Chunk, timestamp_begin: int, margin: float = HOLD_MARGIN_S) -> int:
    """The timestamp token a row decoding ``chunk`` must reach before it may end; -1: none."""
    if not chunk.speech:
        return -1
    end = chunk.speech[-1][1] / SAMPLE_RATE - margin
    if end <= 0:
        return -1
    return timestamp_begin + round(end / TIME_PRECISION)


def release_doubtful(
    result: RowResult, eot: int, min_logprob: float = HELD_MIN_LOGPROB
) -> RowResult:
    """``result``, or the row as it chose to end when what it decoded while held is doubtful.

    Doubtful: no text, a mean log-probability under ``min_logprob``, or no proper end (a loop
    or the token budget).
    """
    if result.held_at < 0:
        return result
    has_text = any(t < eot for t in result.tokens[result.held_at :])
    if result.hit_budget or not has_text or result.held_logprob < min_logprob:
        return result.released()
    return result
