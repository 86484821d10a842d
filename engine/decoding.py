"""Decode a batch of audio windows into tokens: greedy, sampled or beam search.

All rows of a batch share one prompt (previous text, start-of-transcript, language, task), so the
prompt is run once as a batch and then one token per row per step, with the self-attention cache
preallocated and the cross-attention keys/values computed once (see `engine.model`). Finished
rows keep receiving end-of-text until every row is done or has used its token budget.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import mlx.core as mx
import numpy as np

from engine.errors import Cancelled
from engine.logit_rules import NEG_INF, LogitRules, RuleState
from engine.model import CrossKV, KVCache, Whisper
from engine.tokenizer import Tokenizer

__all__ = [
    "DecodePrompt",
    "RowResult",
    "beam_decode",
    "compression_ratio",
    "greedy_decode",
    "looping_rows",
    "make_row",
    "prefill",
    "repeated_ngram_run",
    "take_rows",
]

log = logging.getLogger(__name__)

# Beam search's finished hypotheses of one row: tokens -> (score, per-token log-probs).
Finished = dict[tuple[int, ...], tuple[float, tuple[float, ...]]]
_SYNC_EVERY = 4  # steps between checks whether every row is done (each check waits for the device)
_CANCEL_EVERY = 16  # steps between looks at the cancel event


@dataclass(frozen=True, slots=True)
class DecodePrompt:
    """The tokens every row starts with.

    Attributes:
        tokens: Previous-text part (if any) plus the start-of-transcript sequence.
        sot_index: Position of start-of-transcript (its logits give the no-speech probability).
    """

    tokens: tuple[int, ...]
    sot_index: int

    @classmethod
    def build(
        cls,
        tokenizer: Tokenizer,
        prompt: Sequence[int] = (),
        *,
        timestamps: bool = True,
        n_text_ctx: int = 448,
    ) -> DecodePrompt:
        """Whisper's layout: [sot_prev, prompt...] + sot sequence (+ no_timestamps)."""
        before: list[int] = []
        if prompt:
            before = [tokenizer.sot_prev, *list(prompt)[-(n_text_ctx // 2 - 1) :]]
        sot = list(tokenizer.sot_sequence)
        if not timestamps:
            sot.append(tokenizer.no_timestamps)
        return cls(tuple(before + sot), len(before))


@dataclass(frozen=True, slots=True)
class RowResult:
    """The decode of one window.

    Attributes:
        tokens: Sampled tokens, without the prompt and end-of-text.
        sum_logprob: Sum of the sampled tokens' log-probabilities (end-of-text included).
        no_speech_prob: Probability of the no-speech token at the start of transcript.
        temperature: The temperature used.
        hit_budget: The row stopped without ending: it ran out of its token budget, or it was
            cut short in a repetition loop (``stop_repeats`` of the greedy decoders).
        token_probs: Probability of each token in ``tokens`` when it was chosen, among text
            tokens (Whisper's word confidence: timestamp tokens' share is left out).
        held_at: Where the row chose to end but was held on because detected speech was left
            (``hold_until`` of the decoders); -1 when it ended where it chose.
        held_sum: The sum of log-probabilities of the tokens before ``held_at``.
        held_end: The log-probability of the end-of-text it chose there.
    """

    tokens: tuple[int, ...]
    sum_logprob: float
    no_speech_prob: float
    temperature: float
    hit_budget: bool
    token_probs: tuple[float, ...] = ()
    held_at: int = -1
    held_sum: float = 0.0
    held_end: float = 0.0

    @property
    def avg_logprob(self) -> float:
        """Mean log-probability per token, as Whisper defines it."""
        return self.sum_logprob / (len(self.tokens) + 1)

    @property
    def held_logprob(self) -> float:
        """Mean log-probability of what was decoded after the row was held (0 if never held)."""
        if self.held_at < 0:
            return 0.0
        return (self.sum_logprob - self.held_sum) / (len(self.tokens) - self.held_at + 1)

    def released(self) -> RowResult:
        """The row as it would have been without holding: ended where it chose to end."""
        if self.held_at < 0:
            return self
        n = self.held_at
        return RowResult(
            self.tokens[:n],
            self.held_sum + self.held_end,
            self.no_speech_prob,
            self.temperature,
            False,
            self.token_probs[:n],
        )


def take_rows(cross: CrossKV, rows: Sequence[int]) -> CrossKV:
    """The cross-attention keys/values of some rows (for re-decoding only those)."""
    index = mx.array(list(rows))
    return [(k[index], v[index]) for k, v in cross]


def prefill(
    model: Whisper, cross: CrossKV, prompt: DecodePrompt, rows: int, capacity: int, no_speech: int
) -> tuple[mx.array, mx.array, KVCache]:
    """Run the prompt for every row: (last logits, no-speech probabilities, the filled cache)."""
    cache = model.new_cache(rows, capacity)
    tokens = mx.array([list(prompt.tokens)] * rows, dtype=mx.int32)
    logits = model.decoder(tokens, cross, cache)
    no_speech_probs = mx.softmax(logits[:, prompt.sot_index], axis=-1)[:, no_speech]
    return logits[:, -1], no_speech_probs, cache


def greedy_decode(
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
    """Decode every row greedily (temperature 0) or by sampling, in one batch.

    Rows that have finished are dropped from the batch every few steps, so one long or looping
    row does not keep the others computing.

    Args:
        model: The model.
        tokenizer: Its tokenizer.
        rules: The logit rules to apply.
        cross: Cross-attention keys/values of the rows' audio.
        prompt: The shared prompt.
        budgets: The most tokens each row may sample.
        temperature: 0 for greedy, else the sampling temperature.
        cancel: Set to stop; raises `Cancelled` within a few steps.
        seed: Seed of the sampling at temperature > 0 (the same input gives the same text).
        stop_repeats: A row whose last n-gram is repeated back to back more than this many
            times ends there, flagged ``hit_budget`` (see `looping_rows`); None: never.
        hold_until: Per row, a timestamp token: a row that has sampled text and chooses to
            end before its timestamps reach this one samples on instead, once, and its result
            says where it chose to end (`RowResult.released`); -1 or None: never held.
    """
    rows, max_len, eot = len(budgets), max(budgets), tokenizer.eot
    key = mx.random.key(seed)
    seen = _SeenTokens(rows, max_len, eot)
    logits, no_speech_probs, cache = prefill(
        model, cross, prompt, rows, len(prompt.tokens) + max_len + 1, tokenizer.no_speech
    )
    alive = np.arange(rows)
    budget = mx.array(list(budgets), dtype=mx.int32)
    state = RuleState.start(rows)
    done = mx.zeros((rows,), dtype=mx.bool_)
    sum_logprob = mx.zeros((rows,), dtype=mx.float32)
    history: list[tuple[np.ndarray, mx.array, mx.array]] = []  # (rows, tokens, text log-probs)
    sums = np.zeros(rows, dtype=np.float64)
    ts = rules.timestamp_begin
    hold = _Hold(hold_until, rows, eot, logits.shape[-1], temperature)
    for step in range(max_len):
        logits = rules.apply(logits, state, step)
        logprobs = logits - mx.logsumexp(logits, axis=-1, keepdims=True)
        key, token = _sample(logits, temperature, key)
        token = mx.where(done, eot, token)
        if hold.active:
            key, token = hold.step(logits, logprobs, token, done, state, sum_logprob, step, key)
        chosen = mx.take_along_axis(logprobs, token[:, None], axis=-1)[:, 0]
        # Confidence among text tokens: leave out what the timestamps took (as Whisper does).
        ts_share = mx.minimum(mx.exp(mx.logsumexp(logprobs[:, ts:], axis=-1)), 1.0 - 1e-6)
        history.append((alive, token, chosen - mx.log1p(-ts_share)))
        sum_logprob = sum_logprob + mx.where(done, 0.0, chosen)
        done = done | (token == eot) | (step + 1 >= budget)
        state.update(token, ts)
        if step % _CANCEL_EVERY == 0 and cancel is not None and cancel.is_set():
            raise Cancelled("Transcription was cancelled.")
        if step % _SYNC_EVERY == _SYNC_EVERY - 1 or step == max_len - 1:
            mx.eval(done, sum_logprob, *state.arrays(), *cache.state())
            finished = np.array(done)
            if stop_repeats is not None:
                looping = seen.looping(history, alive, stop_repeats) & ~finished
                if looping.any():
                    seen.cut[alive[looping]] = True
                    finished |= looping
                    done = mx.array(finished)
            if finished.all():
                sums[alive] = np.array(sum_logprob)
                hold.save(alive)
                break
            if finished.sum() * 4 >= len(alive):  # a quarter done: stop computing them
                keep = np.flatnonzero(~finished)
                sums[alive] = np.array(sum_logprob)
                hold.save(alive)
                index = mx.array(keep)
                hold.take(index)
                alive, token = alive[keep], token[index]
                cache.reorder(index)
                cross = take_rows(cross, keep.tolist())
                state, budget, done = state.take(index), budget[index], done[index]
                sum_logprob = sum_logprob[index]
        else:
            # Let the device run ahead while Python builds the next step's graph.
            mx.async_eval(token, done, sum_logprob)  # type: ignore[no-untyped-call]
        logits = model.decoder(token[:, None], cross, cache)[:, -1]
    else:
        sums[alive] = np.array(sum_logprob)
        hold.save(alive)
    tokens, text_lp = _gather(history, rows, eot)
    no_speech = np.array(no_speech_probs)
    return [
        make_row(
            tokens[i],
            text_lp[i],
            eot,
            float(sums[i]),
            float(no_speech[i]),
            temperature,
            budgets[i],
            cut=bool(seen.cut[i]),
            held=hold.result(i),
        )
        for i in range(rows)
    ]


def _sample(logits: mx.array, temperature: float, key: mx.array) -> tuple[mx.array, mx.array]:
    """The next token per row: the likeliest, or a sample at ``temperature``; the next key."""
    if temperature > 0:
        key, draw = mx.random.split(key)
        return key, mx.random.categorical(logits / temperature, key=draw).astype(mx.int32)
    return key, mx.argmax(logits, axis=-1).astype(mx.int32)


class _Hold:
    """The device decoder's side of ``hold_until``: rows that may not end yet sample on."""

    def __init__(
        self,
        hold_until: Sequence[int] | None,
        rows: int,
        eot: int,
        n_vocab: int,
        temperature: float,
    ) -> None:
        self.temperature = temperature
        self.active = hold_until is not None and any(h >= 0 for h in hold_until)
        self.eot = eot
        self.until = mx.array(list(hold_until or [-1] * rows), dtype=mx.int32)
        self.has_text = mx.zeros((rows,), dtype=mx.bool_)
        self.at = mx.full((rows,), -1, dtype=mx.int32)
        self.sum = mx.zeros((rows,), dtype=mx.float32)
        self.end = mx.zeros((rows,), dtype=mx.float32)
        self.not_eot = mx.arange(n_vocab) != eot
        self.saved = (np.full(rows, -1), np.zeros(rows), np.zeros(rows))

    def step(
        self,
        logits: mx.array,
        logprobs: mx.array,
        token: mx.array,
        done: mx.array,
        state: RuleState,
        sum_logprob: mx.array,
        step: int,
        key: mx.array,
    ) -> tuple[mx.array, mx.array]:
        """The tokens with held rows' end-of-text replaced by their next choice."""
        held = (token == self.eot) & ~done & self.has_text & (state.max_ts < self.until)
        held = held & (self.at < 0)  # once: a row that wants to end again after it is let go
        without_end = mx.where(self.not_eot[None, :], logits, NEG_INF)
        key, other = _sample(without_end, self.temperature, key)
        self.at = mx.where(held, step, self.at)
        self.sum = mx.where(held, sum_logprob, self.sum)
        self.end = mx.where(held, logprobs[:, self.eot], self.end)
        token = mx.where(held, other, token)
        self.has_text = self.has_text | (token < self.eot)
        return key, token

    def take(self, index: mx.array) -> None:
        """Keep the given rows (the decoder dropped finished ones)."""
        self.until, self.has_text = self.until[index], self.has_text[index]
        self.at, self.sum, self.end = self.at[index], self.sum[index], self.end[index]

    def save(self, alive: np.ndarray) -> None:
        """Copy the ``alive`` rows' records to the host."""
        if self.active:
            for saved, values in zip(self.saved, (self.at, self.sum, self.end), strict=True):
                saved[alive] = np.array(values)

    def result(self, row: int) -> tuple[int, float, float]:
        """`make_row`'s ``held`` for ``row``."""
        return int(self.saved[0][row]), float(self.saved[1][row]), float(self.saved[2][row])


class _SeenTokens:
    """The device decoder's tokens copied to the host at its sync points, for loop checks."""

    def __init__(self, rows: int, max_len: int, eot: int) -> None:
        self.tokens = np.full((rows, max_len), eot, dtype=np.int64)
        self.cut = np.zeros(rows, dtype=bool)  # rows ended in a loop
        self.copied = 0  # steps of the history copied so far

    def looping(
        self, history: list[tuple[np.ndarray, mx.array, mx.array]], alive: np.ndarray, repeats: int
    ) -> np.ndarray:
        """Which ``alive`` rows end in a loop, after copying the steps taken since last time."""
        for step in range(self.copied, len(history)):
            rows, token, _lp = history[step]
            self.tokens[rows, step] = np.array(token)
        self.copied = len(history)
        return looping_rows(self.tokens[alive, : self.copied], repeats)


def _gather(
    history: list[tuple[np.ndarray, mx.array, mx.array]], rows: int, eot: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row token and log-probability arrays from the steps' (rows, values) records."""
    tokens = np.full((rows, len(history)), eot, dtype=np.int64)
    logprobs = np.zeros((rows, len(history)), dtype=np.float64)
    for step, (alive, token, lp) in enumerate(history):
        tokens[alive, step] = np.array(token)
        logprobs[alive, step] = np.array(lp)
    return tokens, logprobs


def make_row(
    tokens: np.ndarray,
    text_logprobs: np.ndarray,
    eot: int,
    sum_logprob: float,
    no_speech: float,
    temperature: float,
    budget: int,
    *,
    cut: bool = False,
    held: tuple[int, float, float] = (-1, 0.0, 0.0),
) -> RowResult:
    """One row's result from its sampled tokens (cut at end-of-text or the budget).

    ``cut``: the decoder ended the row in a loop; it counts as running out of budget.
    ``held``: where the row was held on past the end it chose (`RowResult.held_at`, ...).
    """
    ends = np.flatnonzero(tokens == eot)
    n = int(ends[0]) if ends.size else min(len(tokens), budget)
    hit = not ends.size or n >= budget or cut
    probs = np.clip(np.exp(text_logprobs[:n]), 0.0, 1.0)
    return RowResult(
        tuple(int(t) for t in tokens[:n]),
        sum_logprob,
        no_speech,
        temperature,
        hit,
        tuple(float(p) for p in probs),
        *held,
    )


def beam_decode(
    model: Whisper,
    tokenizer: Tokenizer,
    rules: LogitRules,
    cross: CrossKV,
    prompt: DecodePrompt,
    budgets: Sequence[int],
    *,
    beam_size: int = 5,
    patience: float = 1.0,
    cancel: threading.Event | None = None,
) -> list[RowResult]:
    """Beam search per row (the quality mode), all rows' beams in one batch.

    Follows Whisper: keep ``beam_size`` live hypotheses per row, collect finished ones until
    ``beam_size * patience`` exist, and pick the best by mean log-probability per token.
    """
    rows = len(budgets)
    max_len = max(budgets)
    eot = tokenizer.eot
    expand = mx.repeat(mx.arange(rows), beam_size)
    beam_cross = [(k[expand], v[expand]) for k, v in cross]
    logits, no_speech_probs, cache = prefill(
        model,
        beam_cross,
        prompt,
        rows * beam_size,
        len(prompt.tokens) + max_len + 1,
        tokenizer.no_speech,
    )
    no_speech = [float(p) for p in np.array(no_speech_probs)[::beam_size]]
    state = RuleState.start(rows * beam_size)
    seqs: list[list[int]] = [[] for _ in range(rows * beam_size)]
    lps: list[list[float]] = [[] for _ in range(rows * beam_size)]  # per-token log-probs
    scores = np.zeros(rows * beam_size)
    # Only the first beam of each row is live at the start (all beams are the same prompt).
    scores.reshape(rows, beam_size)[:, 1:] = -np.inf
    finished: list[Finished] = [{} for _ in range(rows)]
    needed = max(1, round(beam_size * patience))
    for step in range(max_len):
        logprobs = rules.apply(logits, state, step)
        logprobs = logprobs - mx.logsumexp(logprobs, axis=-1, keepdims=True)
        top = mx.argpartition(-logprobs, beam_size, axis=-1)[:, : beam_size + 1]
        top_lp = np.array(mx.take_along_axis(logprobs, top, axis=-1))
        keep_rows, keep_tokens = _beam_step(
            seqs,
            lps,
            scores,
            np.array(top),
            top_lp,
            finished,
            rows,
            beam_size,
            eot,
            needed,
            step + 1 >= max_len,
        )
        if all(len(f) >= needed for f in finished) or step + 1 >= max_len:
            break
        if cancel is not None and step % _CANCEL_EVERY == 0 and cancel.is_set():
            raise Cancelled("Transcription was cancelled.")
        index = mx.array(keep_rows)
        token = mx.array(keep_tokens, dtype=mx.int32)
        cache.reorder(index)
        state = state.take(index)
        state.update(token, rules.timestamp_begin)
        logits = model.decoder(token[:, None], beam_cross, cache)[:, -1]
    results = []
    for r in range(rows):
        beams = slice(r * beam_size, (r + 1) * beam_size)
        tokens, token_lps, score, unfinished = _best(
            finished[r], seqs[beams], lps[beams], scores[beams]
        )
        probs = tuple(float(p) for p in np.clip(np.exp(token_lps), 0.0, 1.0))
        hit = unfinished or len(tokens) >= budgets[r]
        results.append(RowResult(tokens, score, no_speech[r], 0.0, hit, probs))
    return results


def _beam_step(
    seqs: list[list[int]],
    lps: list[list[float]],
    scores: np.ndarray,
    top: np.ndarray,
    top_lp: np.ndarray,
    finished: list[Finished],
    rows: int,
    beam_size: int,
    eot: int,
    needed: int,
    last: bool,
) -> tuple[list[int], list[int]]:
    """Choose the next live beams of every row; record finished hypotheses (in place)."""
    keep_rows: list[int] = []
    keep_tokens: list[int] = []
    new_seqs: list[list[int]] = []
    new_lps: list[list[float]] = []
    new_scores: list[float] = []
    for r in range(rows):
        candidates: list[tuple[float, int, int]] = []
        for b in range(r * beam_size, (r + 1) * beam_size):
            if not np.isfinite(scores[b]):
                continue
            for tok, lp in zip(top[b], top_lp[b], strict=True):
                if np.isfinite(lp):
                    candidates.append((scores[b] + float(lp), b, int(tok)))
        candidates.sort(key=lambda c: -c[0])
        live: list[tuple[float, int, int]] = []
        for score, b, tok in candidates:
            if tok == eot:
                if len(finished[r]) < needed:
                    finished[r].setdefault(tuple(seqs[b]), (score, tuple(lps[b])))
            else:
                live.append((score, b, tok))
            if len(live) == beam_size:
                break
        if last:
            for score, b, tok in live:
                if len(finished[r]) < needed:
                    step_lp = score - scores[b]
                    finished[r].setdefault((*seqs[b], tok), (score, (*lps[b], step_lp)))
        while len(live) < beam_size:  # pad dead beams so the batch keeps its shape
            live.append((-np.inf, r * beam_size, eot))
        for score, b, tok in live:
            keep_rows.append(b)
            keep_tokens.append(tok)
            new_seqs.append([*seqs[b], tok])
            new_lps.append([*lps[b], score - scores[b] if np.isfinite(score) else 0.0])
            new_scores.append(score)
    seqs[:] = new_seqs
    lps[:] = new_lps
    scores[:] = new_scores
    return keep_rows, keep_tokens


def _best(
    finished: Finished, live: list[list[int]], live_lps: list[list[float]], live_scores: np.ndarray
) -> tuple[tuple[int, ...], tuple[float, ...], float, bool]:
    """The best hypothesis by mean log-probability: (tokens, their log-probs, score, unfinished)."""
    if finished:
        seq, (score, seq_lps) = max(finished.items(), key=lambda kv: kv[1][0] / (len(kv[0]) + 1))
        return seq, seq_lps, score, False
    i = int(np.argmax(live_scores))
    return tuple(live[i]), tuple(live_lps[i]), float(live_scores[i]), True


def compression_ratio(text: str) -> float:
    """gzip-style compression ratio of the text: above ~2.4 it is repeating itself."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 1.0


def looping_rows(tokens: np.ndarray, max_repeats: int, max_n: int = 12) -> np.ndarray:
    """Which rows of ``tokens`` (rows, steps) end in an n-gram repeated over ``max_repeats`` times.

    Only n-grams of up to ``max_n`` tokens, back to back. Such a decode is a loop whatever it
    samples next (`repeated_ngram_run` makes it retry hotter), and a loop left alone runs to
    the token budget: on an hour of speech one looping window cost three decodes of 224 steps
    (issue 13). The last ``(max_repeats + 1) * n`` tokens repeat with period ``n`` exactly when
    the last n-gram is repeated that often, so one comparison per ``n`` checks every row.
    """
    steps = tokens.shape[1]
    out = np.zeros(tokens.shape[0], dtype=bool)
    for n in range(1, max_n + 1):
        span = (max_repeats + 1) * n
        if span > steps:
            break
        tail = tokens[:, steps - span :]
        out |= (tail[:, n:] == tail[:, :-n]).all(axis=1)
    return out


def repeated_ngram_run(tokens: Sequence[int], max_n: int = 12) -> int:
    """The longest run of back-to-back repeats of any n-gram (n <= max_n) in ``tokens``.

    "a b a b a b" has a run of 3 (the 2-gram "a b"). Used to catch decoding loops that the
    compression ratio misses in short windows.
    """
    best = 1
    arr = list(tokens)
    for n in range(1, min(max_n, len(arr) // 2) + 1):
        run = 1
        i = n
        while i + n <= len(arr):
            if arr[i : i + n] == arr[i - n : i]:
                run += 1
                best = max(best, run)
                i += n
            else:
                run = 1
                i += 1
    return best
