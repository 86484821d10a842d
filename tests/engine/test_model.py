"""The MLX model: cached incremental decoding equals a full pass; kernels agree."""

from __future__ import annotations

import mlx.core as mx
import numpy as np
import pytest

from engine.kernels import MlxKernels, NumpyCpuKernels
from engine.model import ModelDimensions, Whisper

DIMS = ModelDimensions(
    n_mels=80,
    n_audio_ctx=1500,
    n_audio_state=64,
    n_audio_head=4,
    n_audio_layer=2,
    n_vocab=51864,
    n_text_ctx=448,
    n_text_state=64,
    n_text_head=4,
    n_text_layer=2,
)


def random_model(kernels=None) -> Whisper:
    mx.random.seed(0)
    model = Whisper(DIMS, mx.float32, kernels or MlxKernels())
    params = model.parameters()
    from mlx.utils import tree_flatten, tree_unflatten

    flat = [(k, mx.random.normal(v.shape) * 0.05) for k, v in tree_flatten(params)]
    model.update(tree_unflatten(flat))
    return model


def test_cached_decoding_equals_full_pass() -> None:
    model = random_model()
    audio = model.encoder(mx.random.normal((2, 3000, 80)))
    cross = model.decoder.cross_kv(audio)
    tokens = mx.array([[50257, 50363, 400, 401, 402], [50257, 50363, 500, 501, 502]])
    full = model.decoder(tokens, cross, None)
    cache = model.new_cache(2, 16)
    first = model.decoder(tokens[:, :2], cross, cache)
    steps = [first[:, -1]]
    for i in range(2, 5):
        steps.append(model.decoder(tokens[:, i : i + 1], cross, cache)[:, -1])
    np.testing.assert_allclose(np.array(full[:, 1]), np.array(steps[0]), atol=1e-4)
    for i, step in enumerate(steps[1:], start=2):
        np.testing.assert_allclose(np.array(full[:, i]), np.array(step), atol=1e-4)


def test_alignment_scores_pick_the_requested_heads() -> None:
    model = random_model()
    cross = model.decoder.cross_kv(model.encoder(mx.random.normal((1, 3000, 80))))
    tokens = mx.array([[50257, 50362, 400, 401, 50256]])
    both = model.decoder.alignment_scores(tokens, cross, [(1, 0), (0, 3)])
    assert both.shape == (1, 2, 5, 1500)
    one = model.decoder.alignment_scores(tokens, cross, [(1, 0)])
    other = model.decoder.alignment_scores(tokens, cross, [(0, 3)])
    np.testing.assert_allclose(np.array(both[:, 0]), np.array(one[:, 0]), atol=1e-5)
    np.testing.assert_allclose(np.array(both[:, 1]), np.array(other[:, 0]), atol=1e-5)
    # Causal: later tokens do not change the scores of earlier positions.
    shorter = model.decoder.alignment_scores(tokens[:, :3], cross, [(1, 0)])
    np.testing.assert_allclose(np.array(shorter[0, 0]), np.array(one[0, 0, :3]), atol=1e-5)


def test_kv_cache_rejects_overflow() -> None:
    cache = random_model().new_cache(1, 2)
    k = mx.zeros((1, 4, 3, 16))
    with pytest.raises(ValueError, match="full"):
        cache.update(0, k, k)


@pytest.mark.parametrize("causal", [False, True])
def test_numpy_kernels_match_mlx(causal: bool) -> None:
    q, k, v = (mx.random.normal((2, 3, 200, 16)) for _ in range(3))
    mask = "causal" if causal else None
    ours = NumpyCpuKernels().attention(q, k, v, 0.25, mask)
    ref = MlxKernels().attention(q, k, v, 0.25, mask)
    np.testing.assert_allclose(np.array(ours), np.array(ref), atol=1e-5)
    x = mx.random.normal((300, 400)) * 3
    np.testing.assert_allclose(
        np.array(NumpyCpuKernels().gelu(x)), np.array(MlxKernels().gelu(x)), atol=1e-5
    )


@pytest.mark.parametrize("causal", [False, True])
def test_attention_in_query_blocks_matches_the_whole(causal: bool) -> None:
    # Small blocks force the blocked path (7 rows per block, the last one shorter) on shapes
    # with keys before the queries, as the decoder's prefill has them.
    q = mx.random.normal((2, 3, 45, 16))
    k, v = (mx.random.normal((2, 3, 60, 16)) for _ in range(2))
    mask = "causal" if causal else None
    blocked = NumpyCpuKernels()
    blocked.min_elements = 0
    blocked.score_block_bytes = 2 * 3 * 60 * 4 * 7
    ref = MlxKernels().attention(q, k, v, 0.25, mask)
    np.testing.assert_allclose(
        np.array(blocked.attention(q, k, v, 0.25, mask)), np.array(ref), atol=1e-5
    )


def test_gelu_may_overwrite_its_input_only_when_told() -> None:
    kernels = NumpyCpuKernels()
    x = mx.random.normal((300, 400)) * 3
    ref = np.array(MlxKernels().gelu(x))
    before = np.array(x)
    np.testing.assert_allclose(np.array(kernels.gelu(x)), ref, atol=1e-5)
    np.testing.assert_array_equal(np.array(x), before)  # a copy was changed, not x
    temporary = x * 1.0
    np.testing.assert_allclose(np.array(kernels.gelu(temporary, overwrite=True)), ref, atol=1e-5)
    np.testing.assert_array_equal(np.array(x), before)


def test_dimensions_from_config_validate() -> None:
    # tiny's real sizes; DIMS above is smaller than any real model and only built directly.
    config = {
        "n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
        "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
        "n_text_head": 6, "n_text_layer": 4,
    }  # fmt: skip
    assert ModelDimensions.from_config({**config, "extra": 1}).n_text_state == 384
    with pytest.raises(ValueError, match="n_vocab"):
        ModelDimensions.from_config({**config, "n_vocab": "big"})
    with pytest.raises(KeyError):
        ModelDimensions.from_config({k: v for k, v in config.items() if k != "n_mels"})
    impossible = {
        "n_audio_head": 5,  # heads must be 64 wide
        "n_text_head": 12,
        "n_audio_ctx": 1000,  # windows are 30 s
        "n_mels": 40,
        "n_vocab": 60000,
    }
    for key, value in impossible.items():
        with pytest.raises(ValueError, match=key):
            ModelDimensions.from_config({**config, key: value})


def test_cpu_kernels_give_the_same_model_outputs() -> None:
    # Same weights, two kernel sets: encoder output, cached decoding and alignment scores agree.
    mlx_model = random_model(MlxKernels())
    cpu_model = random_model(NumpyCpuKernels())
    mel = mx.random.normal((2, 3000, 80))
    tokens = mx.array([[50257, 50363, 400, 401], [50257, 50363, 500, 501]])
    outputs = []
    for model in (mlx_model, cpu_model):
        audio = model.encoder(mel)
        cross = model.decoder.cross_kv(audio)
        cache = model.new_cache(2, 8)
        first = model.decoder(tokens[:, :3], cross, cache)
        step = model.decoder(tokens[:, 3:], cross, cache)
        scores = model.decoder.alignment_scores(tokens, cross, [(1, 0), (1, 2)])
        outputs.append([np.array(a) for a in (audio, first, step, scores)])
    for ours, ref in zip(outputs[1], outputs[0], strict=True):
        np.testing.assert_allclose(ours, ref, atol=2e-4)


@pytest.mark.parametrize("rows", [1, 3, 4, 12, 16, 21])
def test_a_padded_output_projection_returns_each_rows_own_logits(rows: int) -> None:
    # On CPUs a decoding step's rows are padded for the vocabulary projection; the caller gets
    # exactly its rows back, with the logits an unpadded projection gives.
    kernels = NumpyCpuKernels()
    model = random_model(kernels)
    x = mx.random.normal((rows, 1, DIMS.n_text_state))
    padded = kernels.projection_rows(rows)
    assert padded == (rows if rows % 16 < 4 else rows + 16 - rows % 16)
    logits = model.decoder.logits(x)
    assert logits.shape == (rows, 1, DIMS.n_vocab)
    plain = model.decoder.token_embedding.as_linear(model.decoder.ln(x))
    np.testing.assert_allclose(np.array(logits), np.array(plain), atol=1e-5)
    assert MlxKernels().projection_rows(rows) == rows
