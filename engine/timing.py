"""Word timestamps from the cross-attention of the alignment heads.

One teacher-forced decoder pass per batch over the final tokens reuses the encoder output the
decode already computed (mlx-whisper encodes every window a second time for this), and skips
the vocabulary projection: word probabilities come from the decoding pass itself. The recipe is
openai/whisper's: softmax over the window's frames, normalise per head, median filter, average
the heads, DTW, word boundaries at the token jumps; then punctuation is attached to its words and
durations are clipped with the same heuristics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mlx.core as mx
import numpy as np

from engine.alignment import dtw, median_filter
from engine.mel import TOKENS_PER_SECOND
from engine.model import CrossKV, Whisper
from engine.tokenizer import Tokenizer

__all__ = ["WordTiming", "align_words", "attach_punctuation"]

PREPEND_PUNCTUATION = "\"'“¿([{-"
APPEND_PUNCTUATION = "\"'.。,，!！?？:：”)]}、"
MEDIAN_FILTER_WIDTH = 7


@dataclass
class WordTiming:
    """A word of a window with times in seconds from the window's start.

    Attributes:
        word: The text, with its leading space.
        tokens: Its token ids.
        start: Start in seconds.
        end: End in seconds.
        probability: Mean probability of its tokens in the teacher-forced pass.
    """

    word: str
    tokens: list[int]
    start: float
    end: float
    probability: float


def align_words(
    model: Whisper,
    tokenizer: Tokenizer,
    cross: CrossKV,
    text_tokens: Sequence[Sequence[int]],
    token_probs: Sequence[Sequence[float]],
    num_frames: Sequence[int],
) -> list[list[WordTiming]]:
    """Align the text of each row with its audio.

    Args:
        model: The model.
        tokenizer: Its tokenizer (with the language used for decoding).
        cross: Cross-attention keys/values of the rows (same order as ``text_tokens``).
        text_tokens: Each row's text tokens (no timestamps, no special tokens).
        token_probs: The probability of each of those tokens from the decoding pass.
        num_frames: Each row's audio length in mel frames (100 per second).

    Returns:
        Per row, its words with times relative to the row's window.
    """
    out: list[list[WordTiming]] = []
    for lo in range(0, len(text_tokens), ALIGN_GROUP):
        rows = range(lo, min(lo + ALIGN_GROUP, len(text_tokens)))
        out += _align_group(
            model,
            tokenizer,
            [(k[lo : rows.stop], v[lo : rows.stop]) for k, v in cross],
            [text_tokens[r] for r in rows],
            [token_probs[r] for r in rows],
            [num_frames[r] for r in rows],
        )
    return out


# Rows aligned at once: the teacher-forced pass holds every row's attention over 1500 frames,
# which made alignment the peak of a 16-window batch (+480 MB for tiny); 4 rows at a time cost
# a quarter of that and no measurable time.
ALIGN_GROUP = 4


def _align_group(
    model: Whisper,
    tokenizer: Tokenizer,
    cross: CrossKV,
    text_tokens: Sequence[Sequence[int]],
    token_probs: Sequence[Sequence[float]],
    num_frames: Sequence[int],
) -> list[list[WordTiming]]:
    """`align_words` for rows whose keys/values are ``cross``."""
    prefix = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    width = len(prefix) + max((len(t) for t in text_tokens), default=0) + 1
    batch = [
        prefix + list(t) + [tokenizer.eot] * (width - len(prefix) - len(t)) for t in text_tokens
    ]
    scores = model.decoder.alignment_scores(
        mx.array(batch, dtype=mx.int32), cross, model.alignment_heads
    )
    scores_np = np.array(scores.astype(mx.float32))
    out: list[list[WordTiming]] = []
    for row, tokens in enumerate(text_tokens):
        n = len(tokens)
        if n == 0:
            out.append([])
            continue
        frames = max(2, min(num_frames[row], 3000)) // 2
        # Rows from the no-timestamps position (which predicts the first text token) onwards.
        weights = scores_np[row, :, len(prefix) - 1 : len(prefix) + n, :frames]
        probs = np.asarray(token_probs[row][:n], dtype=np.float64)
        out.append(_words(tokenizer, list(tokens), weights, probs))
    return out


def _words(
    tokenizer: Tokenizer, tokens: list[int], weights: np.ndarray, token_probs: np.ndarray
) -> list[WordTiming]:
    """DTW over one row's (heads, tokens + 1, frames) scores and split into words."""
    w = weights - weights.max(axis=-1, keepdims=True)
    np.exp(w, out=w)
    w /= w.sum(axis=-1, keepdims=True)
    std = w.std(axis=-2, keepdims=True)
    w = (w - w.mean(axis=-2, keepdims=True)) / np.where(std > 0, std, 1.0)
    matrix = median_filter(w.astype(np.float32), MEDIAN_FILTER_WIDTH).mean(axis=0)
    text_index, time_index = dtw(-matrix)
    words, word_tokens = tokenizer.split_to_word_tokens([*tokens, tokenizer.eot])
    if len(word_tokens) <= 1:
        return []
    bounds = np.pad(np.cumsum([len(t) for t in word_tokens[:-1]]), (1, 0))
    jumps = np.pad(np.diff(text_index), (1, 0), constant_values=1).astype(bool)
    jump_times = time_index[jumps] / TOKENS_PER_SECOND
    return [
        WordTiming(
            word,
            toks,
            float(jump_times[i]),
            float(jump_times[j]),
            float(np.mean(token_probs[i:j])) if j > i else 0.0,
        )
        for word, toks, i, j in zip(words, word_tokens, bounds[:-1], bounds[1:], strict=False)
    ]


def clip_long_words(words: list[WordTiming]) -> float:
    """Whisper's hack: words at sentence ends may not last over twice the median word.

    Returns the median word duration (at most 0.7 s), which later steps use too.
    """
    durations = np.array([w.end - w.start for w in words])
    durations = durations[durations.nonzero()]
    median = min(0.7, float(np.median(durations))) if len(durations) else 0.0
    longest = median * 2
    if len(durations):
        marks = ".。!！?？"
        for i in range(1, len(words)):
            if words[i].end - words[i].start > longest:
                if words[i].word in marks:
                    words[i].end = words[i].start + longest
                elif words[i - 1].word in marks:
                    words[i].start = words[i].end - longest
    return median


def attach_punctuation(
    words: list[WordTiming], prepend: str = PREPEND_PUNCTUATION, append: str = APPEND_PUNCTUATION
) -> list[WordTiming]:
    """Join opening punctuation to the next word and closing punctuation to the previous one.

    Returns the words that still have text (punctuation-only entries are absorbed).
    """
    i = len(words) - 2
    j = len(words) - 1
    while i >= 0:  # opening marks: merge forwards
        prev, cur = words[i], words[j]
        if prev.word.startswith(" ") and prev.word.strip() in prepend:
            cur.word = prev.word + cur.word
            cur.tokens = prev.tokens + cur.tokens
            prev.word, prev.tokens = "", []
        else:
            j = i
        i -= 1
    i, j = 0, 1
    while j < len(words):  # closing marks: merge backwards
        prev, cur = words[i], words[j]
        if not prev.word.endswith(" ") and cur.word in append:
            prev.word = prev.word + cur.word
            prev.tokens = prev.tokens + cur.tokens
            cur.word, cur.tokens = "", []
        else:
            i = j
        j += 1
    return [w for w in words if w.word]
