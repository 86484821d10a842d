"""Beam search, tested where it must differ from greedy decoding.

The only earlier test expected beam 5 to give greedy's words, which an ignored ``beam_size``
passes (issue 16). Here a crafted decoder (a Markov chain over a few tokens) sets a garden path:
the likeliest first token leads to a worse sentence. Greedy takes it; a beam must not. On real
weights (tiny.en), a CMU ARCTIC prompt that greedy mishears is heard right by the beam.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import mlx.core as mx
import numpy as np
import pytest
from engine_helpers import normalise

from engine.decoding import DecodePrompt, beam_decode, greedy_decode

A, B, C, D, EOT, SOT, NO_SPEECH, TS = range(8)  # TS: where timestamps would begin (never used)
VOCAB = 8
# next-token probabilities after each token: A is likelier than B, but everything after A
# is uncertain while B leads on with near certainty, so "B C" beats "A C" as a whole.
CHAIN = {
    SOT: {A: 0.6, B: 0.4},
    A: {C: 0.51, D: 0.49},
    B: {C: 0.99, D: 0.01},
    C: {EOT: 1.0},
    D: {EOT: 1.0},
    EOT: {EOT: 1.0},
}


class _Cache:
    def reorder(self, rows: mx.array) -> None:
        """Nothing to keep: the chain's next token depends on the last one only."""

    def state(self) -> list[mx.array]:
        return []


class ChainModel:
    """Stands in for `Whisper`: logits from the last token alone, per `CHAIN`."""

    def __init__(self) -> None:
        table = np.full((VOCAB, VOCAB), -30.0, dtype=np.float32)
        for before, after in CHAIN.items():
            for token, p in after.items():
                table[before, token] = math.log(p)
        self.table = mx.array(table)
        self.calls = 0

    def new_cache(self, rows: int, capacity: int) -> _Cache:
        return _Cache()

    def decoder(self, tokens: mx.array, cross: object, cache: _Cache) -> mx.array:
        self.calls += 1
        return self.table[tokens]  # (rows, positions, vocab)


class PassThroughRules:
    timestamp_begin = TS

    def apply(self, logits: mx.array, state: object, step: int) -> mx.array:
        return logits


def decode(beam_size: int | None, rows: int = 1) -> list:
    model = ChainModel()
    tokenizer = SimpleNamespace(eot=EOT, no_speech=NO_SPEECH)
    cross = [(mx.zeros((rows, 1)), mx.zeros((rows, 1)))]
    args = (model, tokenizer, PassThroughRules(), cross, DecodePrompt((SOT,), 0), [10] * rows)
    if beam_size is None:
        return greedy_decode(*args)
    return beam_decode(*args, beam_size=beam_size)


def test_greedy_takes_the_garden_path() -> None:
    (row,) = decode(None)
    assert row.tokens == (A, C)
    assert row.sum_logprob == pytest.approx(math.log(0.6 * 0.51), abs=1e-4)


@pytest.mark.parametrize("beam_size", [2, 5])
def test_a_beam_finds_the_better_sentence(beam_size: int) -> None:
    (row,) = decode(beam_size)
    assert row.tokens == (B, C)
    assert row.sum_logprob == pytest.approx(math.log(0.4 * 0.99), abs=1e-4)
    assert row.token_probs == pytest.approx((0.4, 0.99), abs=1e-4)
    assert not row.hit_budget


def test_a_beam_of_one_is_greedy() -> None:
    assert decode(1)[0].tokens == decode(None)[0].tokens


def test_every_row_of_a_batch_gets_its_own_beams() -> None:
    assert [r.tokens for r in decode(3, rows=3)] == [(B, C)] * 3


# -- real weights ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_en(tiny_en_model: Path):
    from engine.loading import load_model

    return load_model(tiny_en_model)


def decode_file(loaded, path: Path, beam_size: int | None):
    from engine.audio import load_audio
    from engine.logit_rules import LogitRules
    from engine.vad import Chunk
    from engine.windows import encode_batch

    audio = load_audio(path)
    cross = encode_batch(loaded.model, [Chunk(0, audio, ((0, len(audio)),))])
    rules = LogitRules(loaded.tokenizer, loaded.dims.n_vocab)
    args = (loaded.model, loaded.tokenizer, rules, cross, DecodePrompt.build(loaded.tokenizer))
    if beam_size is None:
        return greedy_decode(*args, [120])[0]
    return beam_decode(*args, [120], beam_size=beam_size)[0]


def text(loaded, row) -> str:
    return loaded.tokenizer.decode([t for t in row.tokens if t < loaded.tokenizer.eot])


@pytest.mark.model
@pytest.mark.parametrize(
    ("clip", "reference"),
    [
        ("cmu_arctic/axb_a0005.wav", "Will we ever forget it."),
        ("jfk.flac", None),
    ],
)
def test_on_real_weights_the_beam_scores_higher_than_greedy(
    tiny_en, speech_dir: Path, clip: str, reference: str | None
) -> None:
    greedy = decode_file(tiny_en, speech_dir / "en" / clip, None)
    beam = decode_file(tiny_en, speech_dir / "en" / clip, 5)
    assert beam.tokens != greedy.tokens
    assert beam.avg_logprob > greedy.avg_logprob + 0.01
    if reference is not None:
        # greedy hears "will be ever forget it"
        assert normalise(text(tiny_en, greedy)) != normalise(reference)
        assert normalise(text(tiny_en, beam)) == normalise(reference)


@pytest.mark.model
def test_the_transcriber_uses_the_beam_it_is_given(tiny_en_model: Path, speech_dir: Path) -> None:
    from engine.options import TranscribeOptions
    from engine.transcriber import Transcriber

    transcriber = Transcriber(tiny_en_model)
    clip = speech_dir / "en" / "cmu_arctic" / "axb_a0005.wav"
    words = {}
    for beam_size in (None, 5):
        options = TranscribeOptions(beam_size=beam_size, word_timestamps=False)
        _, segments = transcriber.transcribe(clip, options)
        words[beam_size] = normalise(" ".join(s.text for s in segments))
    assert words[5] == normalise("Will we ever forget it.")
    assert words[None] != words[5]
