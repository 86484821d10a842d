"""Whisper's logit rules as device masks, and the decode quality checks."""

from __future__ import annotations

import dataclasses
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
    result = dataclasses.replace(result, token_probs=tuple(0.5 for _ in result.tokens))
    trimmed = trim_repetition(result, max_repeats=4)
    assert trimmed.tokens == (9, 1, 2, 1, 2)
    assert len(trimmed.token_probs) == len(trimmed.tokens)


def test_token_budget_grows_with_duration_and_is_capped(tokenizer: Tokenizer) -> None:
    prompt = DecodePrompt.build(tokenizer)
    short, long = token_budget(2.0, prompt), token_budget(30.0, prompt)
    assert 8 <= short < long <= 224


@pytest.mark.parametrize("seed", range(6))
def test_host_rules_mask_exactly_like_device_rules(tokenizer: Tokenizer, seed: int) -> None:
    from engine.host_decoding import HostRules

    rng = np.random.default_rng(seed)
    rules = LogitRules(tokenizer, N_VOCAB)
    ts = tokenizer.timestamp_begin
    word = tokenizer.encode(" hello there")
    # Plausible histories: timestamps rising in pairs with text between.
    histories = [
        [ts, word[0]],
        [ts, word[0], ts + 40],
        [ts, word[0], ts + 40, ts + 40, word[1]],
        [ts + 3, word[0], word[1], ts + 90, ts + 95],
    ]
    state = RuleState.start(len(histories))
    host = HostRules(rules, len(histories))
    width = max(len(h) for h in histories)
    for step in range(width):
        column = np.array([h[min(step, len(h) - 1)] for h in histories])
        state.update(mx.array(column), ts)
        host.update(column)
    logits = rng.normal(size=(len(histories), N_VOCAB)).astype(np.float32) * 3
    logits[:, ts:] += rng.normal(size=(len(histories), 1)).astype(np.float32) * 4
    device = np.array(rules.apply(mx.array(logits), state, width))
    on_host = logits.copy()
    host.apply(on_host, width)
    np.testing.assert_array_equal(np.isfinite(device), np.isfinite(on_host))


@pytest.mark.model
def test_host_and_device_decoding_agree(tiny_en_model: Path, jfk_flac: Path) -> None:
    from engine.audio import load_audio
    from engine.decoding import DecodePrompt, greedy_decode
    from engine.host_decoding import greedy_decode_host
    from engine.loading import load_model
    from engine.vad import Chunk
    from engine.windows import encode_batch

    loaded = load_model(tiny_en_model)
    audio = load_audio(jfk_flac)
    cross = encode_batch(loaded.model, [Chunk(0, audio, ((0, len(audio)),))])
    rules = LogitRules(loaded.tokenizer, loaded.dims.n_vocab)
    prompt = DecodePrompt.build(loaded.tokenizer)
    args = (loaded.model, loaded.tokenizer, rules, cross, prompt, [120])
    device, host = greedy_decode(*args)[0], greedy_decode_host(*args)[0]
    assert host.tokens == device.tokens
    assert host.sum_logprob == pytest.approx(device.sum_logprob, rel=2e-3)  # float32 sums
    # MLX's exp is a close approximation: probabilities agree to ~5e-4.
    np.testing.assert_allclose(host.token_probs, device.token_probs, atol=1e-3)
