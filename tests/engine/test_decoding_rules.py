"""Whisper's logit rules as device masks, and the decode quality checks."""

from __future__ import annotations

from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest

from engine.decoding import DecodePrompt, RowResult, compression_ratio, repeated_ngram_run
from engine.guards import token_budget, trim_repetition
from engine.logit_rules import LogitRules, RuleState
from engine.tokenizer import Tokenizer, load_tokenizer

N_VOCAB = 51864


@pytest.fixture(scope="module")
def tokenizer(tiny_en_model: Path) -> Tokenizer:
    return load_tokenizer(tiny_en_model, n_vocab=N_VOCAB)


def allowed(
    rules: LogitRules, state: RuleState, step: int, favour: int | None = None
) -> np.ndarray:
    logits = mx.zeros((1, N_VOCAB))
    if favour is not None:
        # Make one token likelier than all timestamps together, so the "timestamps are
        # likelier" rule does not mask everything else.
        logits[0, favour] = 20.0
    out = np.array(rules.apply(logits, state, step))[0]
    return np.isfinite(out)


def sampled(tokenizer: Tokenizer, tokens: list[int]) -> RuleState:
    state = RuleState.start(1)
    for t in tokens:
        state.update(mx.array([t]), tokenizer.timestamp_begin)
    return state


def test_first_token_is_an_early_timestamp(tokenizer: Tokenizer) -> None:
    rules = LogitRules(tokenizer, N_VOCAB)
    ok = allowed(rules, RuleState.start(1), 0)
    ts = tokenizer.timestamp_begin
    assert not ok[:ts].any()
    assert ok[ts]
    assert ok[ts + 50]
    assert not ok[ts + 51 :].any()


def test_after_a_pair_comes_text_not_a_timestamp(tokenizer: Tokenizer) -> None:
    rules = LogitRules(tokenizer, N_VOCAB)
    ts = tokenizer.timestamp_begin
    word = tokenizer.encode(" hello")[0]
    state = sampled(tokenizer, [ts, word, ts + 100, ts + 100])
    ok = allowed(rules, state, 4, favour=word)
    assert not ok[ts:].any()
    assert ok[word]


def test_mid_pair_only_timestamps_or_end(tokenizer: Tokenizer) -> None:
    rules = LogitRules(tokenizer, N_VOCAB)
    ts = tokenizer.timestamp_begin
    word = tokenizer.encode(" hello")[0]
    state = sampled(tokenizer, [ts, word, ts + 100])
    ok = allowed(rules, state, 3, favour=tokenizer.eot)
    assert not ok[: tokenizer.eot].any()
    assert ok[tokenizer.eot]
    # Closing the pair may repeat the same time but never go back.
    assert ok[ts + 100]
    assert not ok[ts + 99]


def test_timestamps_never_decrease_by_value(tokenizer: Tokenizer) -> None:
    # After text following <|2.00|> ... the next timestamp must be later than 2.00 s,
    # even though the latest timestamp token is not at the last position.
    rules = LogitRules(tokenizer, N_VOCAB)
    ts = tokenizer.timestamp_begin
    a, b = tokenizer.encode(" one two")[:2]
    state = sampled(tokenizer, [ts, a, ts + 100, ts + 100, a, b])
    ok = allowed(rules, state, 6, favour=b)
    assert not ok[ts : ts + 101].any()
    assert ok[ts + 101]


def test_special_tokens_are_suppressed(tokenizer: Tokenizer) -> None:
    rules = LogitRules(tokenizer, N_VOCAB)
    word = tokenizer.encode(" hello")[0]
    state = sampled(tokenizer, [tokenizer.timestamp_begin, word])
    ok = allowed(rules, state, 2, favour=word)
    for special in (
        tokenizer.no_timestamps,
        tokenizer.sot,
        tokenizer.no_speech,
        tokenizer.sot_prev,
        *tokenizer.non_speech_tokens[:5],
    ):
        assert not ok[special]


def test_compression_ratio_flags_repetition() -> None:
    assert compression_ratio("hello there, general kenobi") < 1.5
    assert compression_ratio("thank you " * 40) > 2.4


def test_repeated_ngram_run() -> None:
    assert repeated_ngram_run([1, 2, 3, 4, 5]) == 1
    assert repeated_ngram_run([7, 1, 2, 1, 2, 1, 2, 9]) == 3
    assert repeated_ngram_run([5] * 6) == 6


def test_trim_repetition_keeps_two_repeats() -> None:
    result = RowResult((9, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2), -1.0, 0.0, 0.0, True)
    trimmed = trim_repetition(result, max_repeats=4)
    assert trimmed.tokens == (9, 1, 2, 1, 2)


def test_token_budget_grows_with_duration_and_is_capped(tokenizer: Tokenizer) -> None:
    prompt = DecodePrompt.build(tokenizer)
    short, long = token_budget(2.0, prompt), token_budget(30.0, prompt)
    assert 8 <= short < long <= 224
