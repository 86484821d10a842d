"""Group voice prints by speaker: agglomerative clustering with an automatic speaker count.

Average-linkage agglomerative clustering on cosine similarity: start with one group per window
and keep merging the two most similar groups (the mean similarity between their members) while
that similarity is at least ``threshold`` (or down to the user's lower bound). Stray groups (see
`STRAY_SHARE`), then the smallest groups past the user's upper bound, are folded into the others
(merging straight down to a given count joins two real speakers while a group of stray windows
survives). Groups are then refined as centroids (spherical k-means, a few rounds), which
moves the windows that the greedy merges put in the wrong group.

Cost and memory are bounded: past `MAX_POINTS` windows, the clustering runs on that many windows
spread evenly over the recording, and every window then joins its nearest centroid.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import numpy.typing as npt

from engine.errors import Cancelled

__all__ = ["MAX_POINTS", "STRAY_SHARE", "STRAY_WINDOWS", "cluster_embeddings"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.intp]

MAX_POINTS = 600  # windows clustered directly: a 600 x 600 similarity matrix (1.4 MB)
_REFINE_ROUNDS = 5
# A group is folded into the others (when the bounds allow) while it holds under half of an
# equal share of the windows and under `STRAY_WINDOWS` of them. In a short recording GE2E cannot
# tell a person heard for a few seconds from one voice's drift, and DER on the AMI excerpts was
# 21.2 % with this rule against 26.8 % for a fixed tenth of the windows (bench/diarization.py);
# a voice heard for over a minute (75 windows at the 0.8 s step) is a person, whatever its share.
STRAY_SHARE = 0.5
STRAY_WINDOWS = 75


def _agglomerate(
    x: FloatArray, low: int, high: int, threshold: float, cancel: threading.Event | None
) -> IntArray:
    """Average-linkage labels for unit rows ``x`` with between ``low`` and ``high`` groups."""
    n = x.shape[0]
    sim = (x @ x.T).astype(np.float64)
    np.fill_diagonal(sim, -np.inf)
    size = np.ones(n)
    owner = np.arange(n)
    alive = n
    while alive > low:
        flat = int(np.argmax(sim))
        i, j = divmod(flat, n)
        if sim[i, j] < threshold and alive <= high:
            break
        if cancel is not None and alive % 64 == 0 and cancel.is_set():
            raise Cancelled("Speaker identification was cancelled.")
        merged = (size[i] * sim[i] + size[j] * sim[j]) / (size[i] + size[j])
        merged[[i, j]] = -np.inf
        sim[i], sim[:, i] = merged, merged
        sim[j], sim[:, j] = -np.inf, -np.inf
        size[i] += size[j]
        owner[owner == j] = i
        alive -= 1
    return np.unique(owner, return_inverse=True)[1].astype(np.intp)


def _centroids(x: FloatArray, labels: IntArray, k: int) -> FloatArray:
    sums = np.zeros((k, x.shape[1]), np.float64)
    np.add.at(sums, labels, x)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.asarray(sums / np.maximum(norms, 1e-12), dtype=np.float32)


def _refine(x: FloatArray, centroids: FloatArray) -> IntArray:
    """Spherical k-means from ``centroids``; groups that empty out are dropped."""
    labels = np.argmax(x @ centroids.T, axis=1)
    for _ in range(_REFINE_ROUNDS):
        used, labels = np.unique(labels, return_inverse=True)
        centroids = _centroids(x, labels, used.size)
        new = np.argmax(x @ centroids.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return np.unique(labels, return_inverse=True)[1].astype(np.intp)


def cluster_embeddings(
    embeddings: npt.ArrayLike,
    low: int,
    high: int,
    threshold: float,
    cancel: threading.Event | None = None,
) -> IntArray:
    """Speaker labels 0..k-1 for unit-length embeddings, ``low <= k <= high``.

    Args:
        embeddings: (n, d) unit-length rows.
        low: The fewest groups (1 to n).
        high: The most groups (``low`` to n).
        threshold: Groups less similar than this (mean cosine) stay apart when the bounds allow.
        cancel: Checked during the clustering.

    Returns:
        (n,) labels; the empty array for no embeddings.

    Raises:
        Cancelled: ``cancel`` was set.
    """
    x = np.asarray(embeddings, dtype=np.float32)
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, np.intp)
    low, high = max(1, min(low, n)), max(1, min(high, n))
    if n == 1 or high == 1:
        return np.zeros(n, np.intp)
    picked = np.arange(n) if n <= MAX_POINTS else np.linspace(0, n - 1, MAX_POINTS).astype(np.intp)
    # The threshold decides first, the upper bound after: merging straight down to a given
    # count joins two real speakers while a group of stray windows survives (sample.wav).
    labels = _agglomerate(x[picked], low, picked.size, threshold, cancel)
    k = int(labels.max()) + 1
    if n > MAX_POINTS:
        log.debug("Clustered %d of %d windows", MAX_POINTS, n)
    refined = _refine(x, _drop_small(x, _centroids(x[picked], labels, k), low, high))
    # Refinement may empty a group; below the lower bound, keep the unrefined grouping instead.
    if int(refined.max()) + 1 >= low:
        return refined
    return _refine_none(x, x[picked], labels, k)


def _drop_small(x: FloatArray, centroids: FloatArray, low: int, high: int) -> FloatArray:
    """Centroids without stray groups, and without the smallest ones past ``high``.

    A group is stray when it holds under `STRAY_SHARE` of an equal share of the windows and under
    `STRAY_WINDOWS` windows; never fewer than ``low`` groups are kept. GE2E voice prints of one
    person drift with what is said and how: a strict threshold splits a speaker into a main group
    and a few stray windows (phantom speakers).
    """
    while centroids.shape[0] > max(low, 1):
        counts = np.bincount(np.argmax(x @ centroids.T, axis=1), minlength=centroids.shape[0])
        smallest = int(np.argmin(counts))
        equal = x.shape[0] / centroids.shape[0]
        stray = counts[smallest] < min(STRAY_SHARE * equal, STRAY_WINDOWS)
        if not stray and centroids.shape[0] <= high:
            break
        centroids = np.delete(centroids, smallest, axis=0)
    return centroids


def _refine_none(x: FloatArray, sample: FloatArray, labels: IntArray, k: int) -> IntArray:
    """Every window to its nearest centroid of the agglomerative groups, without iterating."""
    return np.asarray(np.argmax(x @ _centroids(sample, labels, k).T, axis=1), dtype=np.intp)
