"""Model folders the bench needs, built under ``bench/work/models/`` from the shared weights.

* A float32 copy of tiny.en for mlx-whisper: its loader keeps the dtype of the file (the
  mlx-community weights are float16, which MLX's CPU backend computes slowly), so the fair CPU
  configuration needs the weights converted. Our engine casts to float32 itself on CPU.
* A random-weight model with large-v3-turbo's dimensions, for the GPU mode: it measures the
  speed of a large model without downloading one. Its text is junk, so only speed is reported.
"""

from __future__ import annotations

import engine  # noqa: F401  (first: it picks the BLAS before mlx loads, engine/blas.py)

# isort: split
import json
import shutil
from pathlib import Path
from typing import Any, cast

import mlx.core as mx
from common import MULTILINGUAL_TIKTOKEN, TINY_EN, WORK, BenchError
from mlx.utils import tree_flatten

MODELS = WORK / "models"
WEIGHTS = "weights.safetensors"

TURBO_DIMS: dict[str, Any] = {
    "n_mels": 128,
    "n_audio_ctx": 1500,
    "n_audio_state": 1280,
    "n_audio_head": 20,
    "n_audio_layer": 32,
    "n_vocab": 51866,
    "n_text_ctx": 448,
    "n_text_state": 1280,
    "n_text_head": 20,
    "n_text_layer": 4,
    "model_type": "whisper",
}


def _up_to_date(target: Path, source: Path) -> bool:
    built = target / WEIGHTS
    return built.is_file() and built.stat().st_mtime >= source.stat().st_mtime


def float32_copy(source: Path = TINY_EN) -> Path:
    """A float32 copy of the mlx-community folder ``source`` (built once)."""
    weights = source / WEIGHTS
    if not weights.is_file():
        raise BenchError(f"{weights} not found: the bench needs the shared tiny.en weights.")
    target = MODELS / f"{source.name}-float32"
    if _up_to_date(target, weights):
        return target
    target.mkdir(parents=True, exist_ok=True)
    loaded = mx.load(str(weights))
    assert isinstance(loaded, dict)
    converted = {
        k: v.astype(mx.float32) if mx.issubdtype(v.dtype, mx.floating) else v
        for k, v in loaded.items()
    }
    shutil.copyfile(source / "config.json", target / "config.json")
    for name in ("tokenizer.json",):
        if (source / name).is_file():
            shutil.copyfile(source / name, target / name)
    # Written under another name and renamed, so an interrupted run never leaves half a file.
    mx.save_safetensors(str(target / "partial.safetensors"), converted)
    (target / "partial.safetensors").replace(target / WEIGHTS)
    return target


def random_model(
    name: str = "large-v3-turbo-random", dims: dict[str, Any] | None = None, seed: int = 0
) -> Path:
    """A model folder with ``dims`` (large-v3-turbo's by default) and random float16 weights.

    LayerNorms get weight 1 and bias 0 and the rest N(0, 0.02), so activations stay finite in
    float16. The tokenizer is Whisper's multilingual one (``../shared/reference``).
    """
    from engine.model import ModelDimensions, Whisper

    dims = dims or TURBO_DIMS
    target = MODELS / name
    config = target / "config.json"
    if (
        (target / WEIGHTS).is_file()
        and config.is_file()
        and json.loads(config.read_text(encoding="utf-8")) == dims
    ):
        return target
    if not MULTILINGUAL_TIKTOKEN.is_file():
        raise BenchError(f"{MULTILINGUAL_TIKTOKEN} not found: it is the random model's tokenizer.")
    target.mkdir(parents=True, exist_ok=True)
    # Building the module is lazy in MLX: only shapes and names are used, nothing is computed.
    model = Whisper(ModelDimensions.from_config(dims), mx.float16)
    norms = {
        f"{path}.{leaf}"
        for path, module in model.named_modules()
        if type(module).__name__ == "LayerNorm"
        for leaf in ("weight", "bias")
    }
    mx.random.seed(seed)
    weights: dict[str, mx.array] = {}
    shapes = cast(list[tuple[str, mx.array]], tree_flatten(model.parameters()))
    for key, value in shapes:
        if key in norms:
            fill = mx.ones if key.endswith("weight") else mx.zeros
            weights[key] = fill(value.shape, dtype=mx.float16)
        else:
            weights[key] = (0.02 * mx.random.normal(value.shape)).astype(mx.float16)
        mx.eval(weights[key])
    mx.save_safetensors(str(target / WEIGHTS), weights)
    shutil.copyfile(MULTILINGUAL_TIKTOKEN, target / MULTILINGUAL_TIKTOKEN.name)
    config.write_text(json.dumps(dims, indent=2) + "\n", encoding="utf-8")
    return target
