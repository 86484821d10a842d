"""From labelled windows to speaker turns: who speaks in each 10 ms of every speech region.

Windows overlap, so each instant of speech is heard by several; each window votes for every
speaker with its similarity to that speaker's centroid, and the instant goes to the best total.
This moves turn changes to where the voice changes, within a window step, rather than to window
edges. Runs of one speaker inside a region become turns, and a turn shorter than ``min_turn_s``
joins its longer neighbour (a 0.2 s turn is more often a mistake than a real interjection).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from engine.speakers.extract import SpeechWindows
from engine.speakers.options import SpeakerTurn

__all__ = ["RESOLUTION_S", "speaker_turns"]

RESOLUTION_S = 0.01  # seconds per decision
MIN_TURN_S = 0.3


def _label_names(labels: npt.NDArray[np.intp], order: list[int]) -> dict[int, str]:
    return {label: f"SPEAKER_{i:02d}" for i, label in enumerate(order)}


def speaker_turns(
    windows: SpeechWindows, labels: npt.NDArray[np.intp], min_turn_s: float = MIN_TURN_S
) -> tuple[SpeakerTurn, ...]:
    """Turns for speech regions whose windows carry cluster ``labels``.

    Returns:
        Turns in time order, never overlapping, speakers named in order of first appearance.
    """
    if labels.size == 0:
        return ()
    k = int(labels.max()) + 1
    x = windows.embeddings
    sums = np.zeros((k, x.shape[1]), np.float64)
    np.add.at(sums, labels, x)
    centroids = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    votes = x @ centroids.T  # (n, k)
    runs: list[tuple[float, float, int]] = []
    order = np.argsort(windows.region_of, kind="stable")
    bounds = np.searchsorted(windows.region_of[order], np.arange(len(windows.regions) + 1))
    for r, (start, end) in enumerate(windows.regions):
        mine = order[bounds[r] : bounds[r + 1]]
        if mine.size == 0:
            continue
        steps = max(1, round((end - start) / RESOLUTION_S))
        t = start + (np.arange(steps) + 0.5) * (end - start) / steps
        spans = windows.spans[mine]
        inside = (t[:, None] >= spans[None, :, 0]) & (t[:, None] < spans[None, :, 1])
        # An instant no window covers (rounding at the edges) listens to the nearest window.
        centre = spans.mean(axis=1)
        nearest = np.argmin(np.abs(t[:, None] - centre[None, :]), axis=1)
        inside[np.arange(steps), nearest] |= ~inside.any(axis=1)
        best = np.argmax(inside.astype(np.float64) @ votes[mine], axis=1)
        runs.extend(_region_runs(best, start, end, steps, min_turn_s))
    first_seen: list[int] = []
    for _, _, label in runs:
        if label not in first_seen:
            first_seen.append(label)
    names = _label_names(labels, first_seen)
    return tuple(SpeakerTurn(float(a), float(b), names[label]) for a, b, label in runs)


def _region_runs(
    best: npt.NDArray[np.intp], start: float, end: float, steps: int, min_turn_s: float
) -> list[tuple[float, float, int]]:
    """Runs of one label in a region, short runs joined to a longer neighbour."""
    edges = np.flatnonzero(np.diff(best)) + 1
    cuts = [0, *edges.tolist(), steps]
    runs = [[cuts[i], cuts[i + 1], int(best[cuts[i]])] for i in range(len(cuts) - 1)]
    shortest = min_turn_s / ((end - start) / steps)
    while len(runs) > 1:
        lengths = [b - a for a, b, _ in runs]
        i = int(np.argmin(lengths))
        if lengths[i] >= shortest:
            break
        left = lengths[i - 1] if i > 0 else -1
        right = lengths[i + 1] if i + 1 < len(runs) else -1
        j = i - 1 if left >= right else i + 1
        lo, hi = min(i, j), max(i, j)
        runs[lo : hi + 1] = [[runs[lo][0], runs[hi][1], runs[j][2]]]
    merged: list[list[int]] = []
    for run in runs:
        if merged and merged[-1][2] == run[2]:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    scale = (end - start) / steps
    return [(start + a * scale, start + b * scale, label) for a, b, label in merged]
