"""DTW and median filter against straightforward reference implementations."""

from __future__ import annotations

import numpy as np
import pytest

from engine.alignment import dtw, median_filter


def reference_dtw(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """openai/whisper's dtw_cpu + backtrace, written out as plain loops."""
    n, m = x.shape
    cost = np.full((n + 1, m + 1), np.inf)
    trace = -np.ones((n + 1, m + 1))
    cost[0, 0] = 0
    for j in range(1, m + 1):
        for i in range(1, n + 1):
            c0, c1, c2 = cost[i - 1, j - 1], cost[i - 1, j], cost[i, j - 1]
            if c0 < c1 and c0 < c2:
                c, t = c0, 0
            elif c1 < c0 and c1 < c2:
                c, t = c1, 1
            else:
                c, t = c2, 2
            cost[i, j] = x[i - 1, j - 1] + c
            trace[i, j] = t
    i, j = n, m
    trace[0, :] = 2
    trace[:, 0] = 1
    path = []
    while i > 0 or j > 0:
        path.append((i - 1, j - 1))
        if trace[i, j] == 0:
            i, j = i - 1, j - 1
        elif trace[i, j] == 1:
            i -= 1
        else:
            j -= 1
    arr = np.array(path)[::-1].T
    return arr[0], arr[1]


@pytest.mark.parametrize("seed", range(12))
def test_dtw_matches_whisper_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((int(rng.integers(1, 30)), int(rng.integers(1, 120))))
    rows, cols = dtw(x)
    ref_rows, ref_cols = reference_dtw(x)
    np.testing.assert_array_equal(rows, ref_rows)
    np.testing.assert_array_equal(cols, ref_cols)


def test_dtw_path_is_monotonic_and_complete() -> None:
    x = np.random.default_rng(1).standard_normal((20, 200))
    rows, cols = dtw(x)
    assert (rows[0], cols[0]) == (0, 0)
    assert (rows[-1], cols[-1]) == (19, 199)
    assert np.all(np.diff(rows) >= 0)
    assert np.all(np.diff(cols) >= 0)
    assert np.all(np.diff(rows) + np.diff(cols) >= 1)


def test_dtw_follows_a_cheap_diagonal() -> None:
    cost = np.ones((5, 5))
    np.fill_diagonal(cost, -10)
    rows, cols = dtw(cost)
    np.testing.assert_array_equal(rows, cols)


def test_median_filter_matches_a_loop() -> None:
    x = np.random.default_rng(2).standard_normal((3, 4, 50)).astype(np.float32)
    out = median_filter(x, 7)
    padded = np.pad(x, [(0, 0), (0, 0), (3, 3)], mode="reflect")
    expected = np.stack([np.median(padded[..., i : i + 7], axis=-1) for i in range(50)], axis=-1)
    np.testing.assert_allclose(out, expected)


def test_median_filter_leaves_short_rows_alone() -> None:
    x = np.arange(3, dtype=np.float32)[None]
    np.testing.assert_array_equal(median_filter(x, 7), x)
