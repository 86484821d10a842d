"""Holding a window's decode on over detected speech left after its last timestamp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.decoding import RowResult
from engine.holding import HOLD_MARGIN_S, hold_until, release_doubtful
from engine.tokenizer import TIME_PRECISION
from engine.vad import SAMPLE_RATE, Chunk

EOT = 50256
TS = 50363  # tiny.en's first timestamp token
WORD = 1000


def chunk(seconds: float, speech: tuple[tuple[float, float], ...]) -> Chunk:
    audio = np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)
    ranges = tuple((round(a * SAMPLE_RATE), round(b * SAMPLE_RATE)) for a, b in speech)
    return Chunk(0, audio, ranges)


def test_a_row_is_held_until_its_last_speech_less_the_margin() -> None:
    c = chunk(25.0, ((0.5, 12.0), (12.4, 21.0)))
    assert hold_until(c, TS) == TS + round((21.0 - HOLD_MARGIN_S) / TIME_PRECISION)
    assert hold_until(c, TS, margin=2.0) == TS + round(19.0 / TIME_PRECISION)


@pytest.mark.parametrize(
    "speech", [(), ((0.0, HOLD_MARGIN_S),)], ids=["no speech", "shorter than the margin"]
)
def test_nothing_holds_a_row_without_speech_beyond_the_margin(
    speech: tuple[tuple[float, float], ...],
) -> None:
    assert hold_until(chunk(10.0, speech), TS) == -1


def held_row(tail: list[int], tail_logprob: float, *, hit_budget: bool = False) -> RowResult:
    """A row that chose to end after 3 tokens (sum -0.6, end-of-text -0.1) and went on."""
    head = [TS, WORD, TS + 50]
    tokens = (*head, *tail)
    total = -0.6 + tail_logprob * (len(tail) + 1)
    probs = (0.9,) * len(tokens)  # one per token, timestamps included
    return RowResult(tokens, total, 0.01, 0.0, hit_budget, probs, 3, -0.6, -0.1)


def test_words_the_model_believes_are_kept() -> None:
    row = held_row([TS + 60, WORD + 1, WORD + 2, TS + 200], -0.4)
    assert row.held_logprob == pytest.approx(-0.4)
    assert release_doubtful(row, EOT) is row


@pytest.mark.parametrize(
    ("tail", "logprob", "hit_budget"),
    [
        ([TS + 60, WORD + 1, TS + 200], -2.1, False),  # made up over a breath
        ([TS + 60, TS + 200], -0.2, False),  # timestamps only: nothing said
        ([TS + 60, WORD + 1, WORD + 1, WORD + 1], -0.3, True),  # a loop, cut by the decoder
    ],
    ids=["doubtful", "no text", "no proper end"],
)
def test_a_doubtful_hold_is_undone(tail: list[int], logprob: float, hit_budget: bool) -> None:
    row = held_row(tail, logprob, hit_budget=hit_budget)
    released = release_doubtful(row, EOT)
    assert released.tokens == (TS, WORD, TS + 50)
    assert released.sum_logprob == pytest.approx(-0.7)  # what it had, plus its end-of-text
    assert released.token_probs == (0.9,) * 3
    assert not released.hit_budget
    assert released.held_at == -1


def test_a_row_never_held_is_left_alone() -> None:
    row = RowResult((TS, WORD, TS + 50), -0.5, 0.01, 0.0, False, (0.9,) * 3)
    assert release_doubtful(row, EOT) is row
    assert row.released() is row
    assert row.held_logprob == 0.0


@pytest.mark.model
def test_both_decoders_hold_the_same_way_and_can_let_go(
    tiny_en_model: Path, jfk_flac: Path
) -> None:
    """JFK's 11 s held to 25 s: the host and device decoders sample the same, and undoing the
    hold gives exactly the decode that was never held."""
    from engine.audio import load_audio
    from engine.decoding import DecodePrompt, greedy_decode
    from engine.host_decoding import greedy_decode_host
    from engine.loading import load_model
    from engine.logit_rules import LogitRules
    from engine.windows import encode_batch

    loaded = load_model(tiny_en_model)
    tokenizer = loaded.tokenizer
    audio = load_audio(jfk_flac)
    cross = encode_batch(loaded.model, [Chunk(0, audio, ((0, len(audio)),))])
    rules = LogitRules(tokenizer, loaded.dims.n_vocab)
    prompt = DecodePrompt.build(tokenizer)
    args = (loaded.model, tokenizer, rules, cross, prompt, [120])
    until = [tokenizer.timestamp_begin + round(25.0 / TIME_PRECISION)]
    plain = greedy_decode_host(*args)[0]
    host = greedy_decode_host(*args, hold_until=until)[0]
    device = greedy_decode(*args, hold_until=until)[0]

    assert plain.held_at == -1
    assert host.held_at == device.held_at == len(plain.tokens)
    assert host.tokens == device.tokens
    assert len(host.tokens) > len(plain.tokens)
    assert host.held_sum == pytest.approx(device.held_sum, rel=2e-3)
    assert host.held_end == pytest.approx(device.held_end, abs=1e-3)
    for held in (host, device):
        let_go = held.released()
        assert let_go.tokens == plain.tokens
        assert let_go.sum_logprob == pytest.approx(plain.sum_logprob, rel=2e-3)
        assert not let_go.hit_budget
