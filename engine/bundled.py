"""Reading the small models shipped with the app (``engine/assets``): Silero VAD, the GE2E encoder.

Their weights were converted once to safetensors by scripts in ``scripts/``; a missing or damaged
file means a broken install, and the error says so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import mlx.core as mx
import numpy as np
import numpy.typing as npt

from engine.errors import ModelLoadError

__all__ = ["ASSETS", "load_weights", "weight"]

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"


def load_weights(path: Path, what: str) -> dict[str, mx.array]:
    """The arrays of the safetensors file at ``path``; ``what`` names the model in errors.

    Raises:
        ModelLoadError: The file is missing or damaged.
    """
    try:
        weights = mx.load(str(path))
    except (RuntimeError, ValueError, OSError) as e:
        raise ModelLoadError(
            f"The {what} {path} is missing or damaged ({e}): reinstall the app."
        ) from e
    if not isinstance(weights, dict):
        raise ModelLoadError(f"The {what} {path} holds no weights.")
    log.debug("%s read from %s", what.capitalize(), path)
    return weights


def weight(weights: Mapping[str, mx.array], name: str, what: str) -> npt.NDArray[np.float32]:
    """The array ``name`` of ``weights`` as float32 numpy.

    Raises:
        ModelLoadError: The file lacks it (a broken install).
    """
    try:
        return np.asarray(weights[name], dtype=np.float32)
    except KeyError as e:
        raise ModelLoadError(f"The {what} lacks {name}: reinstall the app.") from e
