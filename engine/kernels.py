"""The two hot element-wise kernels of the model, per device.

On GPUs the fused MLX kernels win (``mx.fast.scaled_dot_product_attention``, ``nn.gelu``). On
Linux CPUs, MLX's element-wise kernels are scalar: ``exp`` runs at ~17 ns and ``erf`` at ~37 ns
per element on our 2-core machines, against ~0.6 ns for numpy's SIMD ``exp``. The encoder's
softmax over 1500 x 1500 scores per head and its GELU over 1500 x 4d activations are then most
of the encoder's time (profile in the README). `NumpyCpuKernels` computes just those two in numpy,
in query blocks sized to stay in cache, while every matmul stays in MLX (OpenBLAS).
"""

from __future__ import annotations

import math

import mlx.core as mx
import mlx.nn as nn
import numpy as np
import numpy.typing as npt

__all__ = ["Kernels", "MlxKernels", "NumpyCpuKernels", "default_kernels"]

F32 = npt.NDArray[np.float32]


class Kernels:
    """Attention and GELU as the model calls them; subclasses pick the implementation."""

    name = "abstract"

    def attention(
        self, q: mx.array, k: mx.array, v: mx.array, scale: float, mask: str | None
    ) -> mx.array:
        """Softmax(q k^T * scale [+ causal mask]) v on (B, H, T, D) tensors."""
        raise NotImplementedError

    def gelu(self, x: mx.array) -> mx.array:
        """Exact (erf) GELU."""
        raise NotImplementedError


class MlxKernels(Kernels):
    """MLX's fused kernels: the right choice on GPUs (Metal, CUDA)."""

    name = "mlx"

    def attention(
        self, q: mx.array, k: mx.array, v: mx.array, scale: float, mask: str | None
    ) -> mx.array:
        """Fused scaled dot-product attention."""
        return mx.fast.scaled_dot_product_attention(q, k, v, scale=scale, mask=mask)

    def gelu(self, x: mx.array) -> mx.array:
        """MLX's exact GELU."""
        out: mx.array = nn.gelu(x)
        return out


class NumpyCpuKernels(MlxKernels):
    """numpy's SIMD math for long attention and big GELUs on CPUs; MLX for small ones.

    Single-token decoder steps stay on MLX's fused kernel: there the arrays are tiny and the
    round trip through numpy would cost more than it saves.
    """

    name = "numpy-cpu"
    min_elements = 1 << 16
    block_bytes = 1 << 20  # score block per step: fits in L2 next to the K/V it reads

    def attention(
        self, q: mx.array, k: mx.array, v: mx.array, scale: float, mask: str | None
    ) -> mx.array:
        """Blocked softmax attention in numpy (float32) for long queries."""
        b, h, t, _ = q.shape
        s = k.shape[2]
        if b * h * t * s < self.min_elements or q.dtype != mx.float32:
            return super().attention(q, k, v, scale, mask)
        qn = np.asarray(q * scale)
        kt = np.asarray(k).swapaxes(-1, -2)
        vn = np.asarray(v)
        out = np.empty(qn.shape, dtype=np.float32)
        rows = max(1, self.block_bytes // (4 * b * h * s))
        for i in range(0, t, rows):
            scores = np.matmul(qn[:, :, i : i + rows], kt)
            if mask == "causal":
                _mask_future(scores, i, s - t)
            _softmax_inplace(scores)
            np.matmul(scores, vn, out=out[:, :, i : i + rows])
        return mx.array(out)

    def gelu(self, x: mx.array) -> mx.array:
        """Exact GELU through a 1.5e-7-accurate erf (Abramowitz & Stegun 7.1.26)."""
        if x.size < self.min_elements or x.dtype != mx.float32:
            return super().gelu(x)
        return mx.array(_gelu_erf(np.asarray(x)))


def default_kernels(device: mx.Device | None = None) -> Kernels:
    """The kernels for a device (the default device when None)."""
    device = device or mx.default_device()
    # Measured choice pending (see README profile); MLX everywhere until numpy wins on CPU.
    del device
    return MlxKernels()


def _softmax_inplace(x: F32) -> None:
    x -= x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=-1, keepdims=True)


def _mask_future(scores: F32, first_row: int, past: int) -> None:
    """Causal mask for query rows ``first_row...`` when ``past`` keys precede the queries."""
    rows, cols = scores.shape[-2:]
    r = np.arange(first_row, first_row + rows)[:, None] + past
    future = np.arange(cols)[None, :] > r
    scores[..., future] = -np.inf


_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_P = 0.3275911


def _gelu_erf(x: F32) -> F32:
    # gelu(x) = x/2 * (1 + erf(x/sqrt2)); erf(z) = sign(z) (1 - poly(t) e^{-z^2}), t = 1/(1+p|z|)
    z = np.abs(x) * np.float32(1 / math.sqrt(2))
    t = 1.0 / (1.0 + np.float32(_P) * z)
    poly = np.float32(_A[4]) * t
    for a in _A[3::-1]:
        poly += np.float32(a)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x|/sqrt2)
    # for x >= 0: 1 + erf = 2 - poly; for x < 0: 1 - erf(|.|) = poly
    out = np.where(x >= 0, 2.0 - poly, poly)
    out *= x
    out *= np.float32(0.5)
    return out.astype(np.float32, copy=False)
