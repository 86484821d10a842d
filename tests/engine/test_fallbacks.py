"""Temperature fallbacks: which decodes are retried hotter, and what a retry costs.

Decodes that fall into a repetition loop end there instead of running to the token budget.
Issue 13: on an hour of speech, most of the time spent in temperature fallbacks went to one
window whose decode looped ("St. St. St. ...") at temperatures 0, 0.2 and 0.4, each attempt
running 224 steps. A loop fails the fallback test however it continues, so the greedy decoders
end such a row and flag it as out of budget (`RowResult.hit_budget`), which sends it to the next
temperature as before. On real weights: a 27.6 s window of the shared English clips back to
back (as the dense benchmark file has it) on which tiny.en loops "5.5.5.5..." at temperature 0.

Stretches of skipped speech decoded on their own (the last resort before "[unrecognised
speech]") are retried hotter only when they loop, not when the decode is merely unsure: on the
same hour, such stretches were unsure at every temperature and the hotter guesses changed no
word error. Elsewhere an unsure decode is still retried, as Whisper does.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import mlx.core as mx
import numpy as np
import pytest

from engine.decoding import (
    DecodePrompt,
    RowResult,
    greedy_decode,
    looping_rows,
    repeated_ngram_run,
)
from engine.host_decoding import greedy_decode_host
from engine.loading import LoadedModel
from engine.options import TranscribeOptions
from engine.tokenizer import Tokenizer
from engine.vad import Chunk

# -- looping_rows ---------------------------------------------------------------------------------


def tail_repeats(seq: list[int], max_n: int = 12) -> int:
    """Most back-to-back copies of the last n-gram at the end of ``seq``, by brute force."""
    best = 1
    for n in range(1, min(max_n, len(seq)) + 1):
        copies = 1
        while len(seq) >= (copies + 1) * n and seq[len(seq) - (copies + 1) * n :][:n] == seq[-n:]:
            copies += 1
        best = max(best, copies)
    return best


def test_a_repeated_tail_is_a_loop_and_a_repeat_inside_is_not() -> None:
    rows = np.array(
        [
            [9, 8, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2],  # "1 2" five times at the end
            [9, 8, 7, 1, 2, 1, 2, 1, 2, 1, 2, 6],  # four times, then something else
            [5, 5, 5, 5, 5, 3, 4, 6, 7, 8, 9, 1],  # five times, but not at the end
            [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3],  # "1 2 3" four times: allowed
        ]
    )
    assert looping_rows(rows, max_repeats=4).tolist() == [True, False, False, False]
    assert looping_rows(rows, max_repeats=3).tolist() == [True, False, False, True]


def test_looping_rows_counts_like_brute_force() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        # A small alphabet and pasted repeats, so loops of every length occur.
        seq = list(rng.integers(0, 3, size=int(rng.integers(1, 30))))
        gram = list(rng.integers(0, 3, size=int(rng.integers(1, 5))))
        seq += gram * int(rng.integers(0, 7))
        for repeats in (2, 4):
            expected = tail_repeats(seq) > repeats
            assert looping_rows(np.array([seq]), repeats)[0] == expected, (seq, repeats)
            if expected:  # the engine's own test of a finished decode agrees it is a loop
                assert repeated_ngram_run(seq) >= repeats


# -- the decoders, on a crafted model --------------------------------------------------------------

A, B, C, EOT, SOT, NO_SPEECH, TS = range(7)  # TS: where timestamps would begin (never used)
VOCAB = 7
LOOP = {SOT: C, C: A, A: B, B: A}  # C A B A B A B ...: a loop that never ends


class LoopModel:
    """Stands in for `Whisper`: each token makes one next token nearly certain, per `LOOP`."""

    def __init__(self) -> None:
        table = np.full((VOCAB, VOCAB), -30.0, dtype=np.float32)
        for before, after in LOOP.items():
            table[before, after] = math.log(0.99)
        table[EOT, EOT] = 0.0
        self.table = mx.array(table)
        self.steps = 0

    def new_cache(self, rows: int, capacity: int) -> SimpleNamespace:
        return SimpleNamespace(reorder=lambda index: None, state=lambda: [])

    def decoder(self, tokens: mx.array, cross: object, cache: object) -> mx.array:
        self.steps += 1
        return self.table[tokens]  # (rows, positions, vocab)


class NoRules:
    """Rules that mask nothing, for both decoders (`LogitRules` / `HostRules` read these)."""

    timestamp_begin = TS
    timestamps = False
    suppress_ids = np.zeros(0, dtype=np.int64)
    first_step_ids = np.zeros(0, dtype=np.int64)

    def apply(self, logits: mx.array, state: object, step: int) -> mx.array:
        return logits


# The crafted model and rules stand in for `Whisper` and `LogitRules`: called through Any.
DECODERS: dict[str, Any] = {"device": greedy_decode, "host": greedy_decode_host}


def loop_decode(decoder: str, stop_repeats: int | None, budget: int = 100) -> tuple[RowResult, int]:
    model = LoopModel()
    tokenizer = SimpleNamespace(eot=EOT, no_speech=NO_SPEECH)
    cross = [(mx.zeros((1, 1)), mx.zeros((1, 1)))]
    args = (model, tokenizer, NoRules(), cross, DecodePrompt((SOT,), 0), [budget])
    (row,) = DECODERS[decoder](*args, stop_repeats=stop_repeats)
    return row, model.steps


@pytest.mark.parametrize("decoder", DECODERS)
def test_a_loop_ends_early_and_counts_as_out_of_budget(decoder: str) -> None:
    full, full_steps = loop_decode(decoder, None)
    cut, cut_steps = loop_decode(decoder, 4)
    assert len(full.tokens) == 100
    assert full.hit_budget
    assert cut.hit_budget
    # C, then "A B" five times; the device decoder looks every few steps, so a little later.
    assert 11 <= len(cut.tokens) <= 16
    assert cut.tokens == full.tokens[: len(cut.tokens)]
    assert len(cut.token_probs) == len(cut.tokens)
    assert cut_steps < full_steps / 4


# -- real weights ---------------------------------------------------------------------------------

# (clip, seconds of silence before it): the dense hour's window at 599.5-627.1 s, whose
# decode loops at temperature 0; the window ends inside the last clip.
LOOPING_WINDOW = (
    ("en/pocketsphinx/cards_004.wav", 0.385),
    ("en/pocketsphinx/cards_005.wav", 0.378),
    ("en/cmu_arctic/axb_a0004.wav", 0.478),
    ("en/pocketsphinx/cards_001.wav", 0.463),
    ("en/librivox_austen/sense_and_sensibility_01_austen_64kb-0930.wav", 0.496),
    ("en/cmu_arctic/aew_a0001.wav", 0.384),
    ("en/librivox_austen/sense_and_sensibility_01_austen_64kb-0890.wav", 0.413),
    ("en/librivox_austen/sense_and_sensibility_01_austen_64kb-0870.wav", 0.445),
)
WINDOW_S = 27.62


@pytest.fixture(scope="module")
def looping_window(speech_dir: Path) -> np.ndarray:
    from engine.audio import SAMPLE_RATE, load_audio

    parts = []
    for clip, silence in LOOPING_WINDOW:
        parts += [np.zeros(round(silence * SAMPLE_RATE), np.float32), load_audio(speech_dir / clip)]
    return np.concatenate(parts)[: round(WINDOW_S * SAMPLE_RATE)]


@pytest.fixture(scope="module")
def tiny_en(tiny_en_model: Path) -> LoadedModel:
    from engine.loading import load_model

    return load_model(tiny_en_model)


@pytest.mark.model
@pytest.mark.parametrize("decoder", DECODERS)
def test_real_loop_ends_where_it_starts(
    tiny_en: LoadedModel, looping_window: np.ndarray, decoder: str
) -> None:
    from engine.logit_rules import LogitRules
    from engine.windows import encode_batch

    audio = looping_window
    cross = encode_batch(tiny_en.model, [Chunk(0, audio, ((0, audio.size),))])
    rules = LogitRules(tiny_en.tokenizer, tiny_en.dims.n_vocab)
    args = (tiny_en.model, tiny_en.tokenizer, rules, cross, DecodePrompt.build(tiny_en.tokenizer))
    decode = DECODERS[decoder]
    (full,) = decode(*args, [224])
    (cut,) = decode(*args, [224], stop_repeats=4)
    assert len(full.tokens) == 224
    assert repeated_ngram_run(full.tokens) > 4  # the loop is real
    assert cut.hit_budget
    assert len(cut.tokens) < 40
    assert cut.tokens == full.tokens[: len(cut.tokens)]


@pytest.mark.model
def test_a_looping_window_is_decoded_again_without_the_loop(
    tiny_en: LoadedModel, looping_window: np.ndarray
) -> None:
    from engine.windows import WindowDecoder, encode_batch

    audio = looping_window
    chunk = Chunk(0, audio, ((0, audio.size),))
    decoder = WindowDecoder(tiny_en, tiny_en.tokenizer, TranscribeOptions())
    first = decoder.decode([chunk], encode_batch(tiny_en.model, [chunk]))
    text = " ".join(s.text for s in first.segments).lower()
    assert first.segments[0].result.temperature > 0  # temperature 0 looped: it was retried
    assert all(repeated_ngram_run(s.tokens) <= 4 for s in first.segments)
    for said in ("spades", "hearts", "glad to see you"):
        assert said in text


# -- which decodes are retried hotter -------------------------------------------------------------


def scripted_decoder(
    monkeypatch: pytest.MonkeyPatch, results: dict[str, RowResult]
) -> list[tuple[int, float]]:
    """Replace the greedy decoders: the first call finds no words, later calls give ``results``.

    Returns the list of (rows, temperature) of every call.
    """
    from engine import windows

    calls: list[tuple[int, float]] = []

    def fake(*args: Any, temperature: float = 0.0, **kwargs: Any) -> list[RowResult]:
        budgets = args[5]
        calls.append((len(budgets), temperature))
        result = results.get("first", results["later"]) if len(calls) == 1 else results["later"]
        return [dataclasses.replace(result, temperature=temperature)] * len(budgets)

    monkeypatch.setattr(windows, "greedy_decode_host", fake)
    monkeypatch.setattr(windows, "greedy_decode", fake)
    return calls


def row(
    tokenizer: Tokenizer, text: str, avg_logprob: float, *, hit_budget: bool = False
) -> RowResult:
    tokens = tuple(tokenizer.encode(text))
    return RowResult(
        tokens, avg_logprob * (len(tokens) + 1), 0.1, 0.0, hit_budget, (0.5,) * len(tokens)
    )


SCHEDULE = TranscribeOptions().temperatures


@pytest.fixture
def speech() -> Chunk:
    """Two and a half seconds at stream time 10 s, all of it detected speech."""
    audio = np.random.default_rng(3).normal(0.0, 0.05, 40000).astype(np.float32)
    return Chunk(160000, audio, ((0, audio.size),))


@pytest.mark.model
def test_an_unsure_decode_is_retried_hotter_in_the_first_pass(
    tiny_en: LoadedModel, monkeypatch: pytest.MonkeyPatch, speech: Chunk
) -> None:
    from engine.windows import WindowDecoder, encode_batch

    options = TranscribeOptions(word_timestamps=False, recover_skipped_speech=False)
    unsure = row(tiny_en.tokenizer, " I think it was the board.", -1.5)
    calls = scripted_decoder(monkeypatch, {"later": unsure})
    decoder = WindowDecoder(tiny_en, tiny_en.tokenizer, options)
    decoder.decode([speech], encode_batch(tiny_en.model, [speech]))
    assert [t for _rows, t in calls] == list(SCHEDULE)


@pytest.mark.model
@pytest.mark.parametrize("loops", [False, True], ids=["unsure", "looping"])
def test_a_stretch_decoded_alone_is_retried_hotter_only_when_it_loops(
    tiny_en: LoadedModel, monkeypatch: pytest.MonkeyPatch, speech: Chunk, loops: bool
) -> None:
    from engine.windows import FirstPass, WindowDecoder

    tokenizer = tiny_en.tokenizer
    nothing = RowResult((), 0.0, 0.0, 0.0, False)  # the packed pass: no words on the stretch
    if loops:
        later = row(tokenizer, " the board" * 8, -0.2, hit_budget=True)
    else:
        later = row(tokenizer, " I think it was the board.", -1.5)
    calls = scripted_decoder(monkeypatch, {"first": nothing, "later": later})
    decoder = WindowDecoder(tiny_en, tokenizer, TranscribeOptions(word_timestamps=False))
    segments = decoder.recover(FirstPass([], [speech], 1))
    temperatures = [t for _rows, t in calls]
    # One packed decode, then the stretch on its own: hotter only if that loops.
    assert temperatures == ([0.0, *SCHEDULE] if loops else [0.0, 0.0])
    assert "the board" in " ".join(s.text for s in segments)  # the unsure words are kept
