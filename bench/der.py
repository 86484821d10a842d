"""Diarization error rate, frame by frame (10 ms), as NIST md-eval counts it.

DER = (missed speech + false alarm + speaker confusion) / reference speech, inside the UEM
regions. Overlapped speech is scored: a frame where two reference speakers talk counts two
seconds of reference per second, so a system that outputs one speaker at a time misses one.
A collar of ``c`` seconds removes ``c`` on each side of every reference segment boundary from
scoring. Reference and system speakers are mapped one to one to maximise the time they share
(exact search over subsets, fine for the dozen speakers of a meeting).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STEP = 0.01  # seconds per scored frame

Turn = tuple[float, float, str]


@dataclass(frozen=True)
class Score:
    """Seconds of each error and of reference speech for one file (or a sum)."""

    missed: float
    false_alarm: float
    confusion: float
    reference: float

    @property
    def der(self) -> float:
        return (self.missed + self.false_alarm + self.confusion) / max(self.reference, 1e-9)

    def __add__(self, other: Score) -> Score:
        return Score(
            self.missed + other.missed,
            self.false_alarm + other.false_alarm,
            self.confusion + other.confusion,
            self.reference + other.reference,
        )


def read_rttm(path: Path) -> dict[str, list[Turn]]:
    turns: dict[str, list[Turn]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            start, duration = float(f[3]), float(f[4])
            turns[f[1]].append((start, start + duration, f[7]))
    return dict(turns)


def read_uem(path: Path) -> dict[str, list[tuple[float, float]]]:
    regions: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        f = line.split()
        if len(f) >= 4:
            regions[f[0]].append((float(f[2]), float(f[3])))
    return dict(regions)


def _activity(turns: Iterable[Turn], frames: int) -> tuple[np.ndarray, list[str]]:
    turns = list(turns)
    names = sorted({t[2] for t in turns})
    act = np.zeros((frames, len(names)), bool)
    for start, end, who in turns:
        a, b = round(start / STEP), min(round(end / STEP), frames)
        act[a:b, names.index(who)] = True
    return act, names


def _best_mapping(overlap: np.ndarray) -> float:
    """The largest total overlap of a one-to-one mapping (rows: reference, columns: system)."""
    rows, cols = overlap.shape
    if rows > cols:
        return _best_mapping(overlap.T)
    best: dict[int, float] = {0: 0.0}  # columns used -> best total so far
    for r in range(rows):
        nxt: dict[int, float] = {}
        for used, total in best.items():
            for c in range(cols):
                if not used >> c & 1:
                    key = used | 1 << c
                    value = total + overlap[r, c]
                    if value > nxt.get(key, -1.0):
                        nxt[key] = value
        best = nxt
    return max(best.values()) if best else 0.0


def score(
    reference: Sequence[Turn],
    hypothesis: Sequence[Turn],
    uem: Sequence[tuple[float, float]],
    collar: float,
) -> Score:
    end = max([b for _, b in uem] + [t[1] for t in reference] + [t[1] for t in hypothesis] + [0])
    frames = round(end / STEP) + 1
    mask = np.zeros(frames, bool)
    for a, b in uem:
        mask[round(a / STEP) : round(b / STEP)] = True
    if collar > 0:
        c = round(collar / STEP)
        for start, stop, _ in reference:
            for edge in (round(start / STEP), round(stop / STEP)):
                mask[max(0, edge - c) : edge + c] = False
    ref, _ = _activity(reference, frames)
    hyp, _ = _activity(hypothesis, frames)
    ref, hyp = ref[mask], hyp[mask]
    n_ref, n_hyp = ref.sum(axis=1), hyp.sum(axis=1)
    overlap = ref.T.astype(np.float64) @ hyp.astype(np.float64)
    matched = _best_mapping(overlap) if overlap.size else 0.0
    return Score(
        missed=float(np.maximum(n_ref - n_hyp, 0).sum()) * STEP,
        false_alarm=float(np.maximum(n_hyp - n_ref, 0).sum()) * STEP,
        confusion=float(np.minimum(n_ref, n_hyp).sum() - matched) * STEP,
        reference=float(n_ref.sum()) * STEP,
    )
