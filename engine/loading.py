"""Load a Whisper model folder in the mlx-community layout.

``config.json`` gives the dimensions (and ``quantization`` for quantized models), the weights
come from ``weights.safetensors`` or ``weights.npz`` (both read by MLX without unpickling), and the
tokenizer from ``tokenizer.json`` or a ``.tiktoken`` file. Every failure is a `ModelLoadError`
that says what is wrong and what to do.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlx.core as mx
import mlx.nn as nn
import numpy as np

from engine.errors import ModelLoadError
from engine.kernels import Kernels, default_kernels
from engine.model import ModelDimensions, Whisper
from engine.tokenizer import Tokenizer, load_tokenizer

__all__ = ["LoadedModel", "compute_dtype", "device_name", "load_model"]

log = logging.getLogger(__name__)

WEIGHT_FILES = ("weights.safetensors", "weights.npz", "model.safetensors")
_DTYPES = {"float32": mx.float32, "float16": mx.float16, "bfloat16": mx.bfloat16}


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model ready to run, with the facts a caller reports.

    Attributes:
        model: The network, weights loaded and evaluated.
        tokenizer: Its tokenizer (language unset for multilingual models).
        name: A short name for logs and results (the folder name).
        device: "gpu" or "cpu".
        dtype: The compute dtype's name ("float32"...).
        quantization: Bits of a quantized model, or None.
    """

    model: Whisper
    tokenizer: Tokenizer
    name: str
    device: str
    dtype: str
    quantization: int | None

    @property
    def dims(self) -> ModelDimensions:
        """The model's dimensions."""
        return self.model.dims


def device_name() -> str:
    """Name the device MLX runs on: "gpu" (Metal or CUDA) or "cpu"."""
    return "gpu" if mx.default_device().type == mx.gpu else "cpu"


def compute_dtype(requested: str | None = None) -> mx.Dtype:
    """float16 on GPUs, float32 on CPUs (where float16 is 5-10x slower), unless requested."""
    if requested is None:
        return mx.float16 if device_name() == "gpu" else mx.float32
    try:
        return _DTYPES[requested]
    except KeyError:
        choices = ", ".join(_DTYPES)
        raise ModelLoadError(f"Unknown dtype {requested!r}; use one of {choices}.") from None


def load_model(
    folder: Path,
    *,
    tokenizer_path: Path | None = None,
    dtype: str | None = None,
    kernels: Kernels | None = None,
) -> LoadedModel:
    """Load the model in ``folder`` onto MLX's default device.

    Args:
        folder: A folder with ``config.json`` and weights.
        tokenizer_path: A tokenizer file kept elsewhere (when the folder has none).
        dtype: "float32", "float16" or "bfloat16"; None picks by device.
        kernels: Attention/GELU implementation; None picks by device.

    Raises:
        ModelLoadError: Anything is missing, unreadable or inconsistent.
    """
    started = time.perf_counter()
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelLoadError(f"The model folder {folder} does not exist.")
    config = _read_config(folder)
    try:
        dims = ModelDimensions.from_config(config)
    except (KeyError, ValueError) as e:
        raise ModelLoadError(
            f"{folder / 'config.json'} is not a Whisper configuration ({e}). "
            "Download the model again."
        ) from e
    weights = _read_weights(folder)
    heads = weights.pop("alignment_heads", None)
    dt = compute_dtype(dtype)
    model = Whisper(dims, dt, kernels or default_kernels())
    bits = _quantize_if_needed(model, config, weights, folder)
    weights = {
        k: v.astype(dt) if mx.issubdtype(v.dtype, mx.floating) else v for k, v in weights.items()
    }
    try:
        model.load_weights(list(weights.items()), strict=True)
    except ValueError as e:
        # MLX lists every missing parameter, one per line: keep the first for the message.
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelLoadError(
            f"The weights in {folder} do not fit its config.json ({detail.rstrip('.:')}...). "
            "The folder mixes files of different models: download the model again."
        ) from e
    if heads is not None:
        model.set_alignment_heads(_alignment_pairs(heads, dims))
    mx.eval(model.parameters())
    tokenizer = load_tokenizer(tokenizer_path or folder, n_vocab=dims.n_vocab)
    log.info(
        "Loaded %s (%s, %s, %s kernels) in %.2f s",
        folder.name,
        device_name(),
        _dtype_name(dt),
        model.kernels.name,
        time.perf_counter() - started,
    )
    return LoadedModel(model, tokenizer, folder.name, device_name(), _dtype_name(dt), bits)


def _dtype_name(dt: mx.Dtype) -> str:
    return next(name for name, value in _DTYPES.items() if value == dt)


def _read_config(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelLoadError(
            f"{folder} has no config.json: it is not a model folder, or the download is "
            "incomplete. Download the model again."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelLoadError(f"Cannot read {path} ({e}). Download the model again.") from e
    if not isinstance(config, dict):
        raise ModelLoadError(
            f"{path} does not hold a Whisper configuration; download the model again."
        )
    return config


def _read_weights(folder: Path) -> dict[str, mx.array]:
    path = next((folder / n for n in WEIGHT_FILES if (folder / n).is_file()), None)
    if path is None:
        pickled = [p.name for p in folder.iterdir() if p.suffix in (".pt", ".bin", ".pth")]
        hint = (
            f" It holds {', '.join(pickled)}: PyTorch files are not loaded, as they can run "
            "code. Use an mlx-community conversion of the model."
            if pickled
            else " The download may be incomplete: download the model again."
        )
        raise ModelLoadError(f"{folder} has no weights.safetensors or weights.npz.{hint}")
    try:
        loaded = mx.load(str(path))
    except (RuntimeError, ValueError, OSError) as e:
        raise ModelLoadError(
            f"{path} is damaged or incomplete ({e}). Delete the model and download it again."
        ) from e
    if not isinstance(loaded, dict) or not loaded:
        raise ModelLoadError(f"{path} holds no weights. Download the model again.")
    return dict(loaded)


def _quantize_if_needed(
    model: Whisper, config: dict[str, Any], weights: dict[str, mx.array], folder: Path
) -> int | None:
    q = config.get("quantization")
    if not q:
        return None
    advice = "download the model again"
    try:
        group_size, bits = int(q["group_size"]), int(q["bits"])
    except (KeyError, TypeError, ValueError) as e:
        raise ModelLoadError(
            f"{folder / 'config.json'} has an invalid quantization entry {q!r}; {advice}."
        ) from e

    def quantized_in_file(path: str, module: nn.Module) -> bool:
        return isinstance(module, nn.Linear | nn.Embedding) and f"{path}.scales" in weights

    try:
        nn.quantize(model, group_size=group_size, bits=bits, class_predicate=quantized_in_file)
    except ValueError as e:
        raise ModelLoadError(
            f"{folder} asks for {bits}-bit quantization in groups of {group_size}, which MLX "
            f"cannot apply ({str(e).splitlines()[0]}); {advice}."
        ) from e
    return bits


def _alignment_pairs(heads: mx.array, dims: ModelDimensions) -> list[tuple[int, int]]:
    table = np.array(heads)
    pairs: list[tuple[int, int]] = []
    if table.dtype == np.bool_ and table.shape == (dims.n_text_layer, dims.n_text_head):
        # A boolean (layers x heads) mask, as openai/whisper stores it.
        pairs = [(int(i), int(j)) for i, j in np.argwhere(table)]
    elif table.ndim == 2 and table.shape[1] == 2:
        pairs = [(int(layer), int(head)) for layer, head in table]
    valid = [
        (layer, head)
        for layer, head in pairs
        if 0 <= layer < dims.n_text_layer and 0 <= head < dims.n_text_head
    ]
    if not valid:
        log.warning("Ignoring unusable alignment_heads %s; using the default heads", table.shape)
    return valid or [
        (layer, head)
        for layer in range(dims.n_text_layer // 2, dims.n_text_layer)
        for head in range(dims.n_text_head)
    ]
