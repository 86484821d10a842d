"""Dynamic time warping and the median filter for word alignment, in numpy.

openai/whisper runs DTW with numba or a CUDA kernel. Here the recurrence within a row,
``cost[i, j] = c[i, j] + min(a[j], cost[i, j - 1])`` with ``a[j]`` from the previous row, is a
min-plus prefix scan: ``cost[i, j] = S[j] + cummin_k<=j(a[k] - S[k - 1])`` where ``S`` is the
running sum of ``c`` along the row. That makes each row a few vectorised numpy calls.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["dtw", "median_filter"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def dtw(cost: npt.NDArray[np.floating]) -> tuple[I64, I64]:
    """The cheapest monotonic path through ``cost`` (N x M) from (0, 0) to (N-1, M-1).

    Moves are diagonal, down (next token, same time) or right (same token, next time), with
    openai/whisper's tie-breaking, so paths match its implementation.

    Returns:
        Row (token) indices and column (time) indices of the path, in order.
    """
    c = np.asarray(cost, dtype=np.float64)
    n, m = c.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        prev = acc[i - 1]
        # best of "diagonal" (prev[j-1]) and "down" (prev[j]) for columns j = 1..m
        a = np.minimum(prev[:-1], prev[1:])
        s = np.cumsum(c[i - 1])
        shifted = np.concatenate(([0.0], s[:-1]))
        acc[i, 1:] = s + np.minimum.accumulate(a - shifted)
    return _backtrace(acc, c)


def _backtrace(acc: F64, c: F64) -> tuple[I64, I64]:
    i, j = c.shape
    rows: list[int] = []
    cols: list[int] = []
    while i > 0 or j > 0:
        rows.append(max(i - 1, 0))
        cols.append(max(j - 1, 0))
        diag, down, right = acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]
        # Whisper's borders: along the first row move right, along the first column move down.
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        elif diag < down and diag < right:
            i, j = i - 1, j - 1
        elif down < diag and down < right:
            i -= 1
        else:
            j -= 1
    return np.array(rows[::-1], dtype=np.int64), np.array(cols[::-1], dtype=np.int64)


def median_filter(x: npt.NDArray[np.float32], width: int) -> npt.NDArray[np.float32]:
    """Median over a sliding window along the last axis, reflect-padded (width odd)."""
    if width <= 1 or x.shape[-1] <= width // 2:
        return x
    pad = width // 2
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)], mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width, axis=-1)
    return np.partition(windows, pad, axis=-1)[..., pad]
