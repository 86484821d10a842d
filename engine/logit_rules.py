"""Whisper's logit rules, applied to a whole batch on the device.

openai/whisper applies its timestamp rules row by row in Python, so every decoding step waits for
the host. Here the per-row facts the rules need (was the last token a timestamp, the one before,
the latest timestamp so far) live in small device arrays, and the rules become masks: no host
synchronisation inside the decoding loop.

Timestamps must never decrease. The check is on token *values* (the latest timestamp seen), not on
positions in the sequence as in mlx-whisper, which lets some loops through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import mlx.core as mx
import numpy as np

from engine.tokenizer import Tokenizer

__all__ = ["LogitRules", "RuleState"]

NEG_INF = float("-inf")


@dataclass
class RuleState:
    """Per-row facts about what has been sampled so far.

    Attributes:
        last_ts: The last sampled token was a timestamp (True before the first token, as the
            rules need no text-pair check there).
        penult_ts: The token before it was a timestamp (True while fewer than two exist).
        max_ts: The largest timestamp token sampled so far, or -1.
    """

    last_ts: mx.array
    penult_ts: mx.array
    max_ts: mx.array

    @classmethod
    def start(cls, rows: int) -> RuleState:
        """The state before anything is sampled."""
        return cls(
            mx.ones((rows,), dtype=mx.bool_),
            mx.ones((rows,), dtype=mx.bool_),
            mx.full((rows,), -1, dtype=mx.int32),
        )

    def update(self, tokens: mx.array, timestamp_begin: int) -> None:
        """Take in the tokens just sampled (one per row)."""
        is_ts = tokens >= timestamp_begin
        self.penult_ts = self.last_ts
        self.last_ts = is_ts
        self.max_ts = mx.where(is_ts, mx.maximum(self.max_ts, tokens.astype(mx.int32)), self.max_ts)

    def take(self, rows: mx.array) -> RuleState:
        """The state of the given rows, in that order (beam search reordering)."""
        return RuleState(self.last_ts[rows], self.penult_ts[rows], self.max_ts[rows])

    def arrays(self) -> list[mx.array]:
        """The arrays, for ``mx.eval``."""
        return [self.last_ts, self.penult_ts, self.max_ts]


class LogitRules:
    """Suppress tokens, suppress blanks, and Whisper's timestamp rules, as masks."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        n_vocab: int,
        *,
        timestamps: bool = True,
        suppress_blank: bool = True,
        max_initial_timestamp: float = 1.0,
        extra_suppress: Iterable[int] = (),
    ) -> None:
        """Precompute the static masks for a vocabulary of ``n_vocab`` logits."""
        t = tokenizer
        self.eot = t.eot
        self.timestamp_begin = t.timestamp_begin
        self.timestamps = timestamps
        self.max_initial = t.timestamp_begin + round(max_initial_timestamp / 0.02)
        suppress = {
            *t.non_speech_tokens,
            *extra_suppress,
            t.transcribe,
            t.translate,
            t.sot,
            t.sot_prev,
            t.sot_lm,
            t.no_speech,
        }
        if timestamps:
            suppress.add(t.no_timestamps)
        first = {*t.encode(" "), t.eot} if suppress_blank else set()
        # The same token sets as index arrays, for the host-side rules (engine.host_decoding).
        self.suppress_ids = np.array(sorted(i for i in suppress if 0 <= i < n_vocab), np.int64)
        self.first_step_ids = np.array(sorted(i for i in first if 0 <= i < n_vocab), np.int64)
        vocab = mx.arange(n_vocab)
        self._vocab = vocab
        self._suppress = _mask(n_vocab, suppress)
        self._first_step = _mask(n_vocab, first) if suppress_blank else None
        self._is_ts = vocab >= t.timestamp_begin
        self._is_text = vocab < t.eot
        self._first_ts = (vocab < t.timestamp_begin) | (vocab > self.max_initial)

    def apply(self, logits: mx.array, state: RuleState, step: int) -> mx.array:
        """Mask ``logits`` (rows, n_vocab) for sampling step ``step`` (0 = first token)."""
        mask = self._suppress[None, :]
        if step == 0 and self._first_step is not None:
            mask = mask | self._first_step[None, :]
        if self.timestamps:
            # The first token is a timestamp, at most max_initial_timestamp in; later the
            # pairing and non-decreasing rules hold.
            mask = mask | (self._first_ts[None, :] if step == 0 else self._pair_rules(state))
        logits = mx.where(mask, NEG_INF, logits)
        if self.timestamps and step > 0:
            logits = self._prefer_timestamps(logits)
        return logits

    def _pair_rules(self, state: RuleState) -> mx.array:
        closed = (state.last_ts & state.penult_ts)[:, None]  # after a pair: text next
        open_ = (state.last_ts & ~state.penult_ts)[:, None]  # mid-pair: timestamp or eot
        floor = mx.where(state.last_ts & ~state.penult_ts, state.max_ts, state.max_ts + 1)
        decreasing = (
            (state.max_ts >= 0)[:, None]
            & self._is_ts[None, :]
            & (self._vocab[None, :] < floor[:, None])
        )
        return (closed & self._is_ts[None, :]) | (open_ & self._is_text[None, :]) | decreasing

    def _prefer_timestamps(self, logits: mx.array) -> mx.array:
        # When all timestamps together are likelier than any single text token, sample one.
        logprobs = logits - mx.logsumexp(logits, axis=-1, keepdims=True)
        ts_mass = mx.logsumexp(logprobs[:, self.timestamp_begin :], axis=-1)
        best_text = mx.max(logprobs[:, : self.timestamp_begin], axis=-1)
        force = (ts_mass > best_text)[:, None] & ~self._is_ts[None, :]
        return mx.where(force, NEG_INF, logits)


def _mask(n_vocab: int, tokens: Iterable[int]) -> mx.array:
    ids = sorted({t for t in tokens if 0 <= t < n_vocab})
    mask = mx.zeros((n_vocab,), dtype=mx.bool_)
    if ids:
        mask[mx.array(ids)] = True
    return mask
