"""Silero VAD (v6, MIT licence) in numpy: the probability of speech in each 32 ms of 16 kHz audio.

The network (https://github.com/snakers4/silero-vad), per frame of 512 samples seen together with
the 64 samples before it:

1. STFT as a convolution with a fixed basis: the 576 samples, reflect-padded by 64 on the right,
   in 4 windows of 256 every 128; magnitudes of 129 bins.
2. Encoder: four conv1d layers over those 4 time steps (kernel 3, padding 1, strides 1, 2, 2, 1,
   ReLU after each), down to one vector of 128.
3. Decoder: an LSTM cell (hidden 128) carried from frame to frame, then ReLU, a 1x1 conv and a
   sigmoid.

Steps 1-2 and the LSTM's input projection depend on one frame only, so they run over every frame
of a block at once: the STFT as an FFT (the basis is a Hann-windowed DFT, checked at load), the
convolutions as matrix products. Only the LSTM recurrence is a loop, on small preallocated arrays.
Everything runs on the calling thread (see `_product`). The weights
(``assets/silero_vad_v6.safetensors``, see ``assets/README.md``) are the upstream 16 kHz
TorchScript model's, read with `mlx.core.load` (safetensors, no pickle).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path

import mlx.core as mx
import numpy as np
import numpy.typing as npt

from engine.bundled import ASSETS, load_weights, weight
from engine.errors import ModelLoadError

__all__ = ["CONTEXT", "FRAME", "WEIGHTS", "SileroVad"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

WEIGHTS = ASSETS / "silero_vad_v6.safetensors"
FRAME = 512  # samples per probability at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous frame the model sees before each frame
_WINDOW, _STFT_HOP, _REFLECT = 256, 128, 64
_BINS = _WINDOW // 2 + 1
_HIDDEN = 128
_STRIDES = (1, 2, 2, 1)
_BATCH = 2048  # frames per vectorised pass: bounds memory (~20 MB) for blocks of any length


_weight = functools.partial(weight, what="voice-activity model")


class SileroVad:
    """Speech probabilities for a 16 kHz mono stream, one per `FRAME` samples.

    Feed consecutive blocks of any size to `process`; samples short of a whole frame wait for
    the next block. The last 64 samples and the LSTM state carry over, so the probabilities do
    not depend on how the stream is split. `flush` ends the stream (the last partial frame is
    padded with zeros, as upstream does); `reset` starts a new one.
    """

    def __init__(self, weights: Mapping[str, mx.array]) -> None:
        """Prepare the model from its 16 kHz weights (TorchScript names, see the converter)."""
        self._window = _stft_window(_weight(weights, "stft.forward_basis_buffer"))
        self._convs = []
        length = 4
        for i, stride in enumerate(_STRIDES):
            w = _weight(weights, f"encoder.{i}.reparam_conv.weight")  # (out, in, 3)
            b = _weight(weights, f"encoder.{i}.reparam_conv.bias")
            # One matrix over the live taps concatenated, e.g. [x[t-1], x[t], x[t+1]] (im2col).
            live = w[:, :, _live_taps(length, stride)]
            self._convs.append(
                (np.ascontiguousarray(live.transpose(0, 2, 1).reshape(len(w), -1)), b)
            )
            length = (length - 1) // stride + 1
        w_ih = _weight(weights, "decoder.rnn.weight_ih")
        w_hh = _weight(weights, "decoder.rnn.weight_hh")
        bias = _weight(weights, "decoder.rnn.bias_ih") + _weight(weights, "decoder.rnn.bias_hh")
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: halving the i, f, o rows lets one tanh serve all
        # four gates (order i, f, g, o); `_scale` and `_shift` then finish the sigmoids.
        half = np.full(4 * _HIDDEN, 0.5, dtype=np.float32)
        half[2 * _HIDDEN : 3 * _HIDDEN] = 1.0
        self._w_ih = np.ascontiguousarray(w_ih * half[:, None])
        self._w_hh = np.ascontiguousarray((w_hh * half[:, None]).T)  # (in, out): h @ w
        self._bias = bias * half
        self._scale = half
        self._shift = np.where(half == 0.5, 0.5, 0.0).astype(np.float32)
        self._w_out = _weight(weights, "decoder.decoder.2.weight").reshape(1, _HIDDEN)
        self._b_out = float(_weight(weights, "decoder.decoder.2.bias").reshape(()))
        self.reset()

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> SileroVad:
        """The model with the weights shipped in ``engine/assets`` (or those at ``path``).

        Raises:
            ModelLoadError: The file is missing or damaged.
        """
        return cls(load_weights(path, "voice-activity model"))

    def reset(self) -> None:
        """Forget the stream: the next sample is the first of a new one."""
        self._h = np.zeros(_HIDDEN, dtype=np.float32)
        self._c = np.zeros(_HIDDEN, dtype=np.float32)
        self._pending = np.zeros(CONTEXT, dtype=np.float32)  # context, then unframed samples

    def process(self, block: npt.ArrayLike) -> FloatArray:
        """Add the next samples; returns the probability of each frame completed by them."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        samples = np.concatenate([self._pending, x])
        count = (samples.size - CONTEXT) // FRAME
        out = np.empty(count, dtype=np.float32)
        if count == 0:
            self._pending = samples
            return out
        windows = np.lib.stride_tricks.sliding_window_view(samples, CONTEXT + FRAME)[::FRAME]
        for i in range(0, count, _BATCH):
            part = windows[i : min(i + _BATCH, count)]
            out[i : i + part.shape[0]] = self._decode(self._encode(part))
        self._pending = samples[count * FRAME :].copy()
        return out

    def flush(self) -> FloatArray:
        """End the stream: the probability of the last partial frame (zero-padded), if any."""
        left = self._pending.size - CONTEXT
        out = self.process(np.zeros(FRAME - left, np.float32)) if left else np.zeros(0, np.float32)
        self.reset()
        return out

    def _encode(self, windows: FloatArray) -> FloatArray:
        """The LSTM's input gates for each frame, from its 576 samples: (frames, 512)."""
        frames = np.empty((windows.shape[0], 4, _WINDOW), dtype=np.float32)
        for k in range(4):  # slices copy faster than one fancy index
            lo = k * _STFT_HOP
            hi = min(lo + _WINDOW, CONTEXT + FRAME)
            frames[:, k, : hi - lo] = windows[:, lo:hi]
        # The last window runs past the samples: the model reflects them (576 -> 574, ...).
        frames[:, 3, CONTEXT + FRAME - 3 * _STFT_HOP :] = windows[:, -2 : -2 - _REFLECT : -1]
        spectrum = np.fft.rfft(frames.reshape(-1, _WINDOW) * self._window, axis=1)
        x = np.abs(spectrum).astype(np.float32).reshape(windows.shape[0], 4, _BINS)
        for (w, b), stride in zip(self._convs, _STRIDES, strict=True):
            x = _conv_relu(x, w, b, stride)
        return _product(x.reshape(windows.shape[0], _HIDDEN), self._w_ih) + self._bias

    def _decode(self, gates_in: FloatArray) -> FloatArray:
        """Run the LSTM over the frames in order; returns their probabilities."""
        count = gates_in.shape[0]
        hidden = np.empty((count, _HIDDEN), dtype=np.float32)
        h, c = self._h, self._c
        gates = np.empty(4 * _HIDDEN, dtype=np.float32)
        cell = np.empty(_HIDDEN, dtype=np.float32)
        i, f, g, o = (gates[k * _HIDDEN : (k + 1) * _HIDDEN] for k in range(4))
        for t in range(count):
            np.einsum("i,ij->j", h, self._w_hh, out=gates)
            gates += gates_in[t]
            np.tanh(gates, out=gates)
            gates *= self._scale
            gates += self._shift
            c *= f
            np.multiply(i, g, out=cell)
            c += cell
            np.tanh(c, out=cell)
            h = hidden[t]
            np.multiply(o, cell, out=h)
        self._h = h.copy() if count else h
        logits = _product(np.maximum(hidden, 0.0), self._w_out)[:, 0] + self._b_out
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float32)


def _conv_relu(x: FloatArray, w: FloatArray, b: FloatArray, stride: int) -> FloatArray:
    """Conv1d (kernel 3, zero padding 1) then ReLU, over axis 1 of ``x`` (frames, time, chan).

    ``w`` holds the taps that touch real input (see `_live_taps`), stacked as rows.
    """
    frames, length, _ = x.shape
    steps = (length - 1) // stride + 1
    live = _live_taps(length, stride)
    padded = np.pad(x, ((0, 0), (1, 1), (0, 0)))
    span = stride * (steps - 1) + 1
    taps = [padded[:, k : k + span : stride] for k in live]
    cols = np.concatenate(taps, axis=2).reshape(frames * steps, -1)
    out: FloatArray = _product(cols, w) + b
    return np.maximum(out, 0.0, out=out).reshape(frames, steps, len(w))


def _live_taps(length: int, stride: int) -> list[int]:
    """The kernel taps that read real input for some output step, not only the zero padding.

    On these short sequences (4, 4, 2, 1 steps) the last layers would otherwise spend most of
    their work on padding: a length-1 input uses the centre tap only.
    """
    steps = (length - 1) // stride + 1
    return [k for k in range(3) if any(0 <= t * stride + k - 1 < length for t in range(steps))]


def _product(x: FloatArray, w: FloatArray) -> FloatArray:
    """``x @ w.T`` for ``x`` (rows, k) and ``w`` (out, k), on this thread only.

    Not through BLAS: OpenBLAS wakes a thread per core for products this size and keeps them
    spinning between calls, which on a busy machine (MLX transcribing beside the VAD) cost the
    transcription 16 s per 10 minutes of audio; einsum's own loop runs on the calling thread.
    """
    return np.asarray(np.einsum("mk,ok->mo", x, w, optimize=False), dtype=np.float32)


def _stft_window(basis: FloatArray) -> FloatArray:
    """The window of the model's STFT basis, after checking the basis is a windowed DFT.

    Rows ``k`` of the (258, 1, 256) basis are ``w[n] cos(2 pi k n / 256)`` then
    ``-w[n] sin(...)``, so an FFT of the windowed samples gives the same products, 100 times
    cheaper; row 0 is the window itself.
    """
    rows = basis.reshape(2 * _BINS, _WINDOW).astype(np.float64)
    window: npt.NDArray[np.float64] = rows[0]
    phase = 2 * np.pi * np.outer(np.arange(_BINS), np.arange(_WINDOW)) / _WINDOW
    expected = np.concatenate([window * np.cos(phase), -window * np.sin(phase)])
    if np.abs(rows - expected).max() > 1e-5:
        raise ModelLoadError("The voice-activity model has an unknown STFT: reinstall the app.")
    return window.astype(np.float32)
