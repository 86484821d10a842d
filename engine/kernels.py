"""The two hot element-wise kernels of the model, per device.

On GPUs the fused MLX kernels win (``mx.fast.scaled_dot_product_attention``, ``nn.gelu``). On
Linux CPUs, MLX's element-wise kernels are scalar: ``exp`` runs at ~17 ns and ``erf`` at ~37 ns
per element on our 2-core machines, against ~0.6 ns for numpy's SIMD ``exp``. The encoder's
softmax over 1500 x 1500 scores per head and its GELU over 1500 x 4d activations are then most
of the encoder's time (profile in the README). `NumpyCpuKernels` computes just those two in numpy,
while every matmul stays in MLX (system OpenBLAS).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

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

    def gelu(self, x: mx.array, overwrite: bool = False) -> mx.array:
        """Exact (erf) GELU; ``overwrite``: ``x`` is a temporary whose buffer may be reused."""
        raise NotImplementedError

    def cross_keys(self, k: mx.array) -> mx.array:
        """Cross-attention keys (B, H, S, D) in the layout the two methods below take."""
        return k

    def cross_attention(self, q: mx.array, keys: mx.array, v: mx.array, scale: float) -> mx.array:
        """Attention of ``q`` (B, H, T, D) to the encoder's keys (from `cross_keys`) and values."""
        return self.attention(q, keys, v, scale, None)

    def projection_rows(self, rows: int) -> int:
        """Rows to hand the output projection for ``rows`` decoding rows (padding is cut off)."""
        return rows

    def cross_scores(self, q: mx.array, keys: mx.array, scale: float) -> mx.array:
        """Raw scaled scores q k^T (B, H, T, S) against keys from `cross_keys` (word timing)."""
        return (q * scale) @ keys.swapaxes(-1, -2)


class MlxKernels(Kernels):
    """MLX's fused kernels: the right choice on GPUs (Metal, CUDA)."""

    name = "mlx"

    def attention(
        self, q: mx.array, k: mx.array, v: mx.array, scale: float, mask: str | None
    ) -> mx.array:
        """Fused scaled dot-product attention."""
        return mx.fast.scaled_dot_product_attention(q, k, v, scale=scale, mask=mask)

    def gelu(self, x: mx.array, overwrite: bool = False) -> mx.array:
        """MLX's exact GELU."""
        out: mx.array = nn.gelu(x)
        return out


class NumpyCpuKernels(MlxKernels):
    """numpy's SIMD math for the softmax and GELU of long sequences; MLX for every matmul.

    Measured per 30 s window and encoder layer of tiny.en on our 2-core machine (CPU time):
    attention 205 ms with MLX's fused kernel, 108 ms with MLX matmuls around a numpy softmax;
    GELU 57 ms in MLX, 21 ms in numpy. numpy's own BLAS is twice as slow as MLX's (the system
    OpenBLAS) on these shapes, so the matmuls stay in MLX, except the single-token decoder
    step's cross-attention (see `cross_attention`).

    Memory traffic matters as much as arithmetic: MLX's CPU allocator keeps freed buffers for
    reuse only up to its 32 MB cache limit, so a larger temporary (a window's 54 MB of
    attention scores per layer) is fresh memory every time, and faulting its pages in took
    longer than the matmul that fills it. Attention therefore runs in query blocks that fit
    the cache, and GELU writes into its input's buffer: 0.46 -> 0.36 s per window for tiny.en
    (117,000 -> 17,000 page faults).
    """

    name = "numpy-cpu"
    #: The system OpenBLAS multiplies (rows x 384) by the vocabulary (384 x 51864) at the same
    #: ~5 ms for 4 to 16 rows padded to 16, but takes 6-10 ms for 8-15 rows as they are (12:
    #: 10.3 ms; measured with MLX on our 2-core machine, bench/decoder_step.py). A batch shrinks
    #: through those counts as its windows finish, so such steps are padded to a whole block.
    projection_block = 16
    projection_min_tail = 4  # 1-3 rows alone take 3-4 ms: faster than a padded block
    min_elements = 1 << 16
    parallel_elements = 1 << 20  # below this, splitting work over threads costs more than it saves
    #: Attention scores computed at a time: below MLX's buffer cache limit on CPUs (32 MB).
    score_block_bytes = 24 << 20

    def __init__(self, threads: int | None = None) -> None:
        """Use up to ``threads`` threads for numpy's part (default: the CPU count).

        numpy's element-wise functions run on one core and release the GIL, while MLX's
        BLAS threads wait between matmuls: on 2 cores, two threads halve the softmax (38 ->
        19 ms per layer for 2 windows of tiny.en) and shorten the GELU (43 -> 33 ms).
        """
        self.threads = max(1, threads or os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None

    def _run_split(self, fn: Callable[[F32], object], array: F32) -> None:
        """Apply ``fn`` in place to parts of ``array`` (split on its first axis) in parallel."""
        parts = min(self.threads, array.shape[0])
        if parts < 2 or array.size < self.parallel_elements:
            fn(array)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="numpy-kernel")
        bounds = np.linspace(0, array.shape[0], parts + 1).astype(int)
        list(self._pool.map(fn, [array[a:b] for a, b in itertools.pairwise(bounds) if b > a]))

    def projection_rows(self, rows: int) -> int:
        """``rows`` rounded up to a whole `projection_block` when the tail is long enough."""
        tail = rows % self.projection_block
        return rows + self.projection_block - tail if tail >= self.projection_min_tail else rows

    def cross_keys(self, k: mx.array) -> mx.array:
        """Keys transposed once per window to (B, H, D, S), contiguous.

        Every decoding step multiplies by them; from a transposed view MLX's CPU matmul is ~7x
        slower (2.7 ms against 0.4 ms per layer for 4 rows of tiny.en).
        """
        return mx.contiguous(k.swapaxes(-1, -2))

    def cross_attention(self, q: mx.array, keys: mx.array, v: mx.array, scale: float) -> mx.array:
        """Softmax((q * scale) keys) v with keys already transposed.

        A decoding step (one query per row) is all numpy: its matmuls are batched
        matrix-vector products, memory-bound reads of every row's keys and values, which
        numpy's BLAS runs ~4x faster than MLX's CPU backend (0.5 ms against 2 ms per layer for
        8 rows of tiny.en). The arrays are zero-copy views of the evaluated MLX buffers.
        """
        if q.shape[2] == 1:
            qn = np.asarray(q) * np.float32(scale)
            scores = np.matmul(qn, np.asarray(keys))
            _softmax_inplace(scores)
            return mx.array(np.matmul(scores, np.asarray(v)))
        b, h, t, _ = q.shape
        if b * h * t * keys.shape[-1] >= self.min_elements:
            return self._attend(q, keys, v, scale, None)
        return mx.softmax((q * scale) @ keys, axis=-1) @ v

    def cross_scores(self, q: mx.array, keys: mx.array, scale: float) -> mx.array:
        """Raw scaled scores with keys already transposed."""
        return (q * scale) @ keys

    def attention(
        self, q: mx.array, k: mx.array, v: mx.array, scale: float, mask: str | None
    ) -> mx.array:
        """Softmax(q k^T * scale) v with the softmax computed by numpy, in place."""
        b, h, t, _ = q.shape
        s = k.shape[2]
        if b * h * t * s < self.min_elements or q.dtype != mx.float32:
            return super().attention(q, k, v, scale, mask)
        return self._attend(q, k.swapaxes(-1, -2), v, scale, s - t if mask == "causal" else None)

    def _attend(
        self, q: mx.array, keys: mx.array, v: mx.array, scale: float, past: int | None
    ) -> mx.array:
        """Softmax((q * scale) keys) v for keys (B, H, D, S); ``past``: causal mask offset."""
        b, h, t, _ = q.shape
        rows = max(1, self.score_block_bytes // (b * h * keys.shape[-1] * 4))
        if rows >= t:
            return self._softmax_numpy((q * scale) @ keys, past) @ v
        # Query blocks whose scores fit MLX's buffer cache: one block's buffer is reused by
        # the next, where the whole 54 MB per window and layer would be fresh pages each time
        # (their page faults cost more than the matmul). Each block is evaluated before the
        # next so that its scores are free again.
        outs = []
        for first in range(0, t, rows):
            scores = (q[:, :, first : first + rows] * scale) @ keys
            out = self._softmax_numpy(scores, past, first) @ v
            mx.eval(out)
            outs.append(out)
        return mx.concatenate(outs, axis=2)

    def _softmax_numpy(
        self, scores: mx.array, past: int | None = None, first_row: int = 0
    ) -> mx.array:
        """Softmax over the last axis in numpy.

        ``past`` set applies a causal mask to query rows ``first_row...`` (a block of them).
        """
        mx.eval(scores)
        # The scores are a fresh, evaluated array that nothing else refers to: numpy writes the
        # probabilities into its buffer and the next matmul reads them from there. Should a
        # future MLX hand out a read-only or strided view, work on a copy instead.
        view = np.asarray(scores)
        shared = view.flags.writeable and view.flags.c_contiguous
        if not shared:
            view = np.array(view)
        if past is not None:
            _mask_future(view, first_row, past)
        rows = view.reshape(-1, view.shape[-2], view.shape[-1])
        self._run_split(_softmax_inplace, rows)
        return scores if shared else mx.array(view)

    def gelu(self, x: mx.array, overwrite: bool = False) -> mx.array:
        """Exact GELU through a 1.5e-7-accurate erf (Abramowitz & Stegun 7.1.26).

        With ``overwrite`` the result is written into ``x``'s own evaluated buffer, as the
        softmax does with its scores: no 9 MB copy out of MLX and back per window and layer.
        """
        if x.size < self.min_elements or x.dtype != mx.float32:
            return super().gelu(x)
        if overwrite:
            mx.eval(x)
            view = np.asarray(x)
            if view.flags.writeable and view.flags.c_contiguous:
                self._run_split(_gelu_inplace, view.reshape(-1, x.shape[-1]))
                return x
        values = np.array(x).reshape(-1, x.shape[-1])  # a copy numpy may overwrite
        self._run_split(_gelu_inplace, values)
        return mx.array(values.reshape(x.shape))


def default_kernels(device: mx.Device | None = None) -> Kernels:
    """The kernels for a device (the default device when None)."""
    device = device or mx.default_device()
    return NumpyCpuKernels() if device.type == mx.cpu else MlxKernels()


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


#: Elements per piece of an element-wise chain: its temporaries stay in the L2 cache and in
#: malloc's free lists. Whole-array temporaries (9 MB per window and layer) are fresh pages on
#: every call, and faulting them in cost more than the arithmetic.
_PIECE = 1 << 15


def _gelu_inplace(x: F32) -> None:
    flat = x.reshape(-1)
    for start in range(0, flat.size, _PIECE):
        piece = flat[start : start + _PIECE]
        piece[...] = _gelu_erf(piece)


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
