"""The GE2E voice encoder of Resemblyzer 0.1.4 in numpy: 1.6 s of speech -> a 256-d voice print.

The network (Wan et al., "Generalized End-to-End Loss for Speaker Verification", 2018, as trained
and shipped by Resemble AI in https://github.com/resemble-ai/Resemblyzer, Apache-2.0):

1. Front end: power mel spectrogram, 40 bands (Slaney scale and area, as librosa's
   ``melspectrogram`` defaults), 25 ms Hann windows every 10 ms, centred with zero padding.
   Resemblyzer feeds power, not log power, to the network.
2. A 3-layer LSTM (hidden 256) over 160 frames; the last layer's final hidden state goes through
   a linear layer, a ReLU and L2 normalisation.

Each layer runs over every frame of every window before the next layer starts, so the input
projections are one large matrix product per layer; only ``h @ W_hh`` is left in the time loop.
The weights (``assets/ge2e_resemblyzer.safetensors``, see ``assets/README.md``) are read with
`mlx.core.load` (safetensors, no pickle). Resemblyzer also normalises the volume and trims
silences before embedding (``preprocess_wav``); that is left to the caller, which picks the speech.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import mlx.core as mx
import numpy as np
import numpy.typing as npt

from engine.bundled import ASSETS, load_weights, weight
from engine.errors import ModelLoadError
from engine.mel import mel_filters

__all__ = ["HOP", "PARTIAL_FRAMES", "WEIGHTS", "Ge2eEncoder", "ge2e_mel"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

WEIGHTS = ASSETS / "ge2e_resemblyzer.safetensors"
SAMPLE_RATE: Final = 16000
N_FFT: Final = 400  # samples per STFT window (25 ms)
HOP: Final = 160  # samples between mel frames (10 ms)
N_MELS: Final = 40
PARTIAL_FRAMES: Final = 160  # frames per embedding window (1.6 s), as the model was trained
HIDDEN: Final = 256
LAYERS: Final = 3
_BATCH: Final = 64  # windows per pass: bounds memory (~45 MB of gate products) on long files


def ge2e_mel(samples: npt.ArrayLike) -> FloatArray:
    """Resemblyzer's ``wav_to_mel_spectrogram``: (1 + n // 160, 40) float32 power mel frames.

    Args:
        samples: Mono 16 kHz audio.
    """
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    half = N_FFT // 2
    padded = np.concatenate([np.zeros(half, np.float32), x, np.zeros(half, np.float32)])
    count = 1 + x.size // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded, (count, N_FFT), (padded.strides[0] * HOP, padded.strides[0]), writeable=False
    )
    n = np.arange(N_FFT, dtype=np.float64)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)).astype(np.float32)  # periodic Hann
    spectrum = np.fft.rfft(frames * window, axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    return np.asarray(power @ mel_filters(N_MELS, n_fft=N_FFT).T, dtype=np.float32)


_weight = functools.partial(weight, what="speaker model")


class Ge2eEncoder:
    """Speaker embeddings of 1.6 s windows of speech (implements `engine.speakers.Embedder`).

    Attributes:
        name: The catalogue name of this model.
        hop_samples: Samples between feature frames (10 ms at 16 kHz).
        window_frames: Feature frames per embedding window (1.6 s).
        dimension: Length of each embedding (256).
    """

    name = "ge2e-resemblyzer"
    hop_samples = HOP
    window_frames = PARTIAL_FRAMES
    dimension = 256

    def __init__(self, weights: Mapping[str, mx.array]) -> None:
        """Prepare the network from Resemblyzer's weights (PyTorch names, see the converter)."""
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: halving the i, f, o rows lets one tanh serve all
        # four gates (order i, f, g, o), as in `engine.silero`.
        half = np.full(4 * HIDDEN, 0.5, dtype=np.float32)
        half[2 * HIDDEN : 3 * HIDDEN] = 1.0
        self._half = half
        self._shift = np.where(half == 0.5, 0.5, 0.0).astype(np.float32)
        self._layers = []
        for layer in range(LAYERS):
            w_ih = _weight(weights, f"lstm.weight_ih_l{layer}") * half[:, None]
            w_hh = _weight(weights, f"lstm.weight_hh_l{layer}") * half[:, None]
            bias = _weight(weights, f"lstm.bias_ih_l{layer}") + _weight(
                weights, f"lstm.bias_hh_l{layer}"
            )
            self._layers.append(
                (np.ascontiguousarray(w_ih.T), np.ascontiguousarray(w_hh.T), bias * half)
            )
        self._w_out = np.ascontiguousarray(_weight(weights, "linear.weight").T)
        self._b_out = _weight(weights, "linear.bias")
        if self._layers[0][0].shape != (N_MELS, 4 * HIDDEN) or self._w_out.shape != (256, 256):
            raise ModelLoadError("The speaker model has unexpected shapes: reinstall the app.")

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Ge2eEncoder:
        """The model with the weights shipped in ``engine/assets`` (or those at ``path``).

        Raises:
            ModelLoadError: The file is missing or damaged.
        """
        return cls(load_weights(path, "speaker model"))

    def embed_mels(self, mels: npt.ArrayLike) -> FloatArray:
        """Embeddings of windows of `features` frames, as Resemblyzer's ``VoiceEncoder.forward``.

        Args:
            mels: (n, frames, 40) power mel windows (160 frames for the trained length).

        Returns:
            (n, 256) float32 L2-normalised embeddings (all zeros for a window of digital silence).
        """
        x = np.asarray(mels, dtype=np.float32)
        out = np.zeros((x.shape[0], self.dimension), np.float32)
        for lo in range(0, x.shape[0], _BATCH):
            out[lo : lo + _BATCH] = self._forward(x[lo : lo + _BATCH])
        return out

    def features(self, samples: npt.ArrayLike) -> FloatArray:
        """The model's input frames for a stretch of 16 kHz audio (see `ge2e_mel`).

        Windows are cut from the frames of a whole stretch, as Resemblyzer does, so frames at a
        window's edge see the real audio around it rather than padding.
        """
        return ge2e_mel(samples)

    def _forward(self, x: FloatArray) -> FloatArray:
        batch, steps, _ = x.shape
        h = np.zeros((batch, HIDDEN), np.float32)
        for w_ih, w_hh, bias in self._layers:
            # Every step's input projection at once: one big product instead of `steps` small.
            gates_in = (x.reshape(batch * steps, -1) @ w_ih + bias).reshape(batch, steps, -1)
            h = np.zeros((batch, HIDDEN), np.float32)
            c = np.zeros((batch, HIDDEN), np.float32)
            outputs = np.empty((batch, steps, HIDDEN), np.float32)
            for t in range(steps):
                z = np.tanh(gates_in[:, t] + h @ w_hh)
                z *= self._half
                z += self._shift
                i, f, g, o = (
                    z[:, :HIDDEN],
                    z[:, HIDDEN : -2 * HIDDEN],
                    z[:, -2 * HIDDEN : -HIDDEN],
                    z[:, -HIDDEN:],
                )
                c = f * c + i * g
                h = o * np.tanh(c)
                outputs[:, t] = h
            x = outputs
        raw = np.maximum(h @ self._w_out + self._b_out, 0.0)
        norm = np.linalg.norm(raw, axis=1, keepdims=True)
        return np.asarray(raw / np.maximum(norm, 1e-12), dtype=np.float32)
