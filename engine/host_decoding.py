"""Greedy decoding with the sampling step on the host, for CPUs.

On a GPU the logit rules run as device masks (`engine.logit_rules`) so the decoding loop never
waits for the host. On a CPU the host *is* the device, and MLX's element-wise kernels are slow
there: masking, log-softmax and argmax over 16 rows x 51,864 logits took 94 ms per step, more
than the model itself; in numpy, with the rules applied to row slices as openai/whisper does, the
same step takes ~10 ms. The rules are the same (`LogitRules` documents them; the tests check
both implementations agree).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import mlx.core as mx
import numpy as np
import numpy.typing as npt

from engine.decoding import DecodePrompt, RowResult, looping_rows, make_row, prefill, take_rows
from engine.errors import Cancelled
from engine.logit_rules import LogitRules
from engine.model import CrossKV, Whisper
from engine.tokenizer import Tokenizer

__all__ = ["HostRules", "greedy_decode_host"]

F32 = npt.NDArray[np.float32]
NEG_INF = np.float32(-np.inf)
_CANCEL_EVERY = 16


class HostRules:
    """`LogitRules` applied in numpy, in place, with per-row state on the host."""

    def __init__(self, rules: LogitRules, rows: int) -> None:
        """Use the token sets of ``rules`` for ``rows`` sequences."""
        self.r = rules
        self.last_ts = np.ones(rows, dtype=bool)
        self.penult_ts = np.ones(rows, dtype=bool)
        self.max_ts = np.full(rows, -1, dtype=np.int64)

    def apply(self, logits: F32, step: int) -> None:
        """Mask ``logits`` (rows, n_vocab) for sampling step ``step``, in place."""
        r = self.r
        logits[:, r.suppress_ids] = NEG_INF
        if step == 0:
            logits[:, r.first_step_ids] = NEG_INF
        if not r.timestamps:
            return
        ts = r.timestamp_begin
        if step == 0:
            logits[:, :ts] = NEG_INF
            logits[:, r.max_initial + 1 :] = NEG_INF
            return
        closed = self.last_ts & self.penult_ts
        open_pair = self.last_ts & ~self.penult_ts
        logits[closed, ts:] = NEG_INF
        logits[open_pair, : r.eot] = NEG_INF
        for row in np.flatnonzero(self.max_ts >= 0):
            floor = self.max_ts[row] + (0 if open_pair[row] else 1)
            logits[row, ts:floor] = NEG_INF
        # When all timestamps together are likelier than any single text token, sample one.
        force = _logsumexp(logits[:, ts:]) > logits[:, :ts].max(axis=-1)
        logits[force, :ts] = NEG_INF

    def update(self, tokens: npt.NDArray[np.int64]) -> None:
        """Take in the tokens just sampled."""
        is_ts = tokens >= self.r.timestamp_begin
        self.penult_ts = self.last_ts
        self.last_ts = is_ts
        self.max_ts = np.where(is_ts, np.maximum(self.max_ts, tokens), self.max_ts)

    def keep(self, rows: npt.NDArray[np.intp]) -> None:
        """Keep only the given rows, in that order."""
        self.last_ts, self.penult_ts, self.max_ts = (
            self.last_ts[rows],
            self.penult_ts[rows],
            self.max_ts[rows],
        )


def _logsumexp(x: F32) -> F32:
    """Row-wise log-sum-exp; -inf for a row that is all -inf (everything masked)."""
    top = x.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0).astype(np.float32)
    with np.errstate(divide="ignore"):
        out: F32 = (np.log(np.exp(x - top).sum(axis=-1)) + top[:, 0]).astype(np.float32)
    return out


def greedy_decode_host(
    model: Whisper,
    tokenizer: Tokenizer,
    rules: LogitRules,
    cross: CrossKV,
    prompt: DecodePrompt,
    budgets: Sequence[int],
    *,
    temperature: float = 0.0,
    cancel: threading.Event | None = None,
    seed: int = 0,
    stop_repeats: int | None = None,
    hold_until: Sequence[int] | None = None,
) -> list[RowResult]:
    """Like `engine.decoding.greedy_decode`, with the sampling step in numpy (for CPUs)."""
    rows, max_len, eot = len(budgets), max(budgets), tokenizer.eot
    logits_mx, no_speech_mx, cache = prefill(
        model, cross, prompt, rows, len(prompt.tokens) + max_len + 1, tokenizer.no_speech
    )
    host = HostRules(rules, rows)
    rng = np.random.default_rng(seed)
    alive = np.arange(rows)
    budget = np.asarray(budgets)
    tokens = np.full((rows, max_len), eot, dtype=np.int64)
    text_lp = np.zeros((rows, max_len))
    sums = np.zeros(rows)
    done = np.zeros(rows, dtype=bool)
    cut = np.zeros(rows, dtype=bool)  # rows ended in a loop
    ts = rules.timestamp_begin
    hold = np.asarray(hold_until if hold_until is not None else [-1] * rows, dtype=np.int64)
    has_text = np.zeros(rows, dtype=bool)
    held_at, held_sum, held_end = np.full(rows, -1), np.zeros(rows), np.zeros(rows)

    def pick(scores: F32) -> npt.NDArray[np.int64]:
        if temperature > 0:  # Gumbel-max: a sample from softmax(logits / temperature)
            sampled: npt.NDArray[np.int64] = np.argmax(
                scores / temperature + rng.gumbel(size=scores.shape), axis=-1
            )
            return sampled
        best: npt.NDArray[np.int64] = np.argmax(scores, axis=-1)
        return best

    for step in range(max_len):
        logits = np.array(logits_mx, dtype=np.float32)
        host.apply(logits, step)
        lse = _logsumexp(logits)
        token = np.where(done, eot, pick(logits))
        held = (token == eot) & ~done & has_text[alive] & (host.max_ts < hold[alive])
        held &= held_at[alive] < 0  # once: a row that wants to end again after it is let go
        if held.any():
            # Detected speech is left after the row's last timestamp: hold it on (see
            # `engine.holding` on why), remembering where it chose to end.
            idx = np.flatnonzero(held)
            held_at[alive[idx]] = step
            held_sum[alive[idx]] = sums[alive[idx]]
            held_end[alive[idx]] = logits[idx, eot] - lse[idx]
            logits[idx, eot] = NEG_INF
            token[idx] = pick(logits[idx])
        has_text[alive] |= token < eot
        chosen = logits[np.arange(len(token)), token] - lse
        # Confidence among text tokens: leave out what the timestamps took (as Whisper does).
        ts_share = np.minimum(np.exp(_logsumexp(logits[:, ts:]) - lse), 1.0 - 1e-6)
        tokens[alive, step] = token
        text_lp[alive, step] = chosen - np.log1p(-ts_share)
        sums[alive] += np.where(done, 0.0, chosen)
        done = done | (token == eot) | (step + 1 >= budget[alive])
        if stop_repeats is not None:
            looping = looping_rows(tokens[alive, : step + 1], stop_repeats) & ~done
            cut[alive[looping]] = True
            done |= looping
        host.update(token)
        if done.all():
            break
        if cancel is not None and step % _CANCEL_EVERY == 0 and cancel.is_set():
            raise Cancelled("Transcription was cancelled.")
        if done.sum() * 4 >= len(alive):  # a quarter done: stop computing them
            keep = np.flatnonzero(~done)
            alive, token, done = alive[keep], token[keep], done[keep]
            host.keep(keep)
            cache.reorder(mx.array(keep))
            cross = take_rows(cross, keep.tolist())
        logits_mx = model.decoder(mx.array(token[:, None], dtype=mx.int32), cross, cache)[:, -1]
    no_speech = np.array(no_speech_mx)
    return [
        make_row(
            tokens[i],
            text_lp[i],
            eot,
            float(sums[i]),
            float(no_speech[i]),
            temperature,
            budgets[i],
            cut=bool(cut[i]),
            held=(int(held_at[i]), float(held_sum[i]), float(held_end[i])),
        )
        for i in range(rows)
    ]
