"""Shared helpers for engine tests: text normalisation and a tiny random multilingual model."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import mlx.core as mx
from mlx.utils import tree_flatten

from engine.model import ModelDimensions, Whisper


def normalise(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing transcripts."""
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def make_multilingual_model(
    folder: Path,
    reference_dir: Path,
    favour_language: str | None = None,
    language_token: int | None = None,
) -> Path:
    """Write a tiny random-weight multilingual Whisper (51865 tokens) with the reference tokenizer.

    With ``language_token`` given, the decoder's final LayerNorm is set so that every position's
    features are one fixed vector that points at that token's embedding: the model then "detects"
    that language with near certainty, which makes the detection path testable.
    """
    dims = ModelDimensions(
        n_mels=80,
        n_audio_ctx=1500,
        n_audio_state=64,
        n_audio_head=1,
        n_audio_layer=1,
        n_vocab=51865,
        n_text_ctx=448,
        n_text_state=64,
        n_text_head=1,
        n_text_layer=2,
    )
    mx.random.seed(1234)
    model = Whisper(dims, mx.float32)
    weights = {k: mx.random.normal(v.shape) * 0.02 for k, v in tree_flatten(model.parameters())}
    if language_token is not None:
        weights["decoder.ln.weight"] = mx.zeros((64,))
        bias = mx.zeros((64,))
        bias[0] = 1.0
        weights["decoder.ln.bias"] = bias
        emb = weights["decoder.token_embedding.weight"]
        emb[language_token, 0] = 40.0
        weights["decoder.token_embedding.weight"] = emb
    folder.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(folder / "weights.safetensors"), weights)
    config = {f: getattr(dims, f) for f in dims.__dataclass_fields__}
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "whisper"}))
    shutil.copy(reference_dir / "multilingual.tiktoken", folder / "multilingual.tiktoken")
    return folder
