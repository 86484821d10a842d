"""A recording's waveform as min/max peaks: computed block by block, kept small, drawn fast.

Memory is bounded whatever the length: the samples are never kept, only the lowest and highest
sample of every 10 ms bucket (`BUCKETS_PER_SECOND`), as float16 — 4.3 MB for 3 hours — plus a
pyramid of coarser levels (each `LEVEL_FACTOR` buckets of the one below in one), so drawing a
zoomed-out view reads a few thousand values instead of a million (as Audacity's summary blocks
do). `PeakBuilder` fills the levels as decoded blocks arrive and hands out `Peaks` snapshots that
share its arrays (it only ever writes past a snapshot's end), so the widget can draw what is
computed so far while the rest is still decoding. Pure numpy: no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from engine.audio import SAMPLE_RATE

__all__ = [
    "BUCKETS_PER_SECOND",
    "LEVELS",
    "LEVEL_FACTOR",
    "PEAK_DTYPE",
    "SAMPLES_PER_BUCKET",
    "PeakBuilder",
    "PeakLevel",
    "Peaks",
]

#: The base resolution: one min/max pair per 10 ms, finer than a pixel up to 100 px/s.
BUCKETS_PER_SECOND: Final = 100
SAMPLES_PER_BUCKET: Final = SAMPLE_RATE // BUCKETS_PER_SECOND
#: Each pyramid level merges this many buckets of the level below.
LEVEL_FACTOR: Final = 4
#: Levels, base included: the coarsest has a bucket per ~10 s, a 3-hour file fits ~1,000 px.
LEVELS: Final = 6
#: Half the size of float32 and finer than int8 for quiet speech (-40 dB is still 1 % of scale).
PEAK_DTYPE: Final = np.float16
_FIRST_CAPACITY: Final = 10 * 60 * BUCKETS_PER_SECOND  # ten minutes, doubled as needed

PeakArray = npt.NDArray[np.float16]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class PeakLevel:
    """One level of the pyramid: ``mins[i]`` and ``maxs[i]`` cover bucket ``i``.

    Attributes:
        buckets_per_second: The level's resolution.
        mins: Lowest sample of each bucket.
        maxs: Highest sample of each bucket.
    """

    buckets_per_second: float
    mins: PeakArray
    maxs: PeakArray

    def columns(
        self, start_ms: float, ms_per_pixel: float, width: int
    ) -> tuple[FloatArray, FloatArray]:
        """The min and max under each of ``width`` pixel columns from ``start_ms`` on.

        Columns past the computed part (or before 0) are NaN, so a half-computed waveform is
        drawn as far as it goes.
        """
        count = len(self.mins)
        edges = (start_ms + np.arange(width + 1) * ms_per_pixel) * (self.buckets_per_second / 1000)
        first = np.floor(edges[:-1]).astype(np.int64)
        stop = np.maximum(np.floor(edges[1:]).astype(np.int64), first + 1)  # a bucket at least
        valid = (first >= 0) & (first < count)
        lows = np.full(width, np.nan, dtype=np.float32)
        highs = np.full(width, np.nan, dtype=np.float32)
        if not valid.any():
            return lows, highs
        lo = int(first[valid][0])
        hi = int(min(stop[valid][-1], count))
        # Reduce only the visible stretch: [first, stop) pairs as offsets into it, plus a
        # sentinel so that an offset equal to its length is still a valid reduceat index.
        offsets = np.stack([first[valid] - lo, np.minimum(stop[valid], count) - lo], axis=1)
        for source, target, ufunc in (
            (self.mins, lows, np.minimum),
            (self.maxs, highs, np.maximum),
        ):
            part = np.append(source[lo:hi].astype(np.float32), np.float32(0))
            target[valid] = ufunc.reduceat(part, offsets.ravel())[::2]
        return lows, highs


@dataclass(frozen=True, slots=True)
class Peaks:
    """A recording's peaks, finished or as far as computed.

    Attributes:
        levels: The pyramid, base (finest) first.
        complete: Whether the whole recording is in.
    """

    levels: tuple[PeakLevel, ...]
    complete: bool = False

    @property
    def base(self) -> PeakLevel:
        """The finest level."""
        return self.levels[0]

    @property
    def duration_ms(self) -> int:
        """How much of the recording the peaks cover."""
        return len(self.base.mins) * 1000 // BUCKETS_PER_SECOND

    @property
    def loudest(self) -> float:
        """The largest absolute sample so far (0 for silence), to scale the drawing."""
        top = self.levels[-1]
        if not len(top.mins):
            top = self.base
        if not len(top.mins):
            return 0.0
        return float(max(-np.min(top.mins), np.max(top.maxs)))

    def level_for(self, pixels_per_second: float) -> PeakLevel:
        """The coarsest level with at least one bucket per pixel (the base when zoomed in)."""
        chosen = self.levels[0]
        for level in self.levels[1:]:
            if level.buckets_per_second < pixels_per_second:
                break
            chosen = level
        return chosen

    @classmethod
    def from_base(cls, mins: PeakArray, maxs: PeakArray, complete: bool = True) -> Peaks:
        """Peaks with their pyramid built from base-level arrays (a cache file's)."""
        builder = PeakBuilder(capacity=len(mins))
        builder.add_buckets(np.asarray(mins, PEAK_DTYPE), np.asarray(maxs, PEAK_DTYPE))
        return builder.finish() if complete else builder.snapshot()


class _Growing:
    """A min and a max array that grow by doubling; ``count`` entries are filled."""

    __slots__ = ("count", "maxs", "mins")

    def __init__(self, capacity: int) -> None:
        self.mins = np.zeros(max(capacity, 1), PEAK_DTYPE)
        self.maxs = np.zeros(max(capacity, 1), PEAK_DTYPE)
        self.count = 0

    def append(self, mins: PeakArray, maxs: PeakArray) -> None:
        need = self.count + len(mins)
        if need > len(self.mins):
            # New arrays, not resized ones: a snapshot may still hold views of the old ones.
            capacity = max(need, 2 * len(self.mins))
            self.mins = np.concatenate(
                [self.mins[: self.count], np.zeros(capacity - self.count, PEAK_DTYPE)]
            )
            self.maxs = np.concatenate(
                [self.maxs[: self.count], np.zeros(capacity - self.count, PEAK_DTYPE)]
            )
        self.mins[self.count : need] = mins
        self.maxs[self.count : need] = maxs
        self.count = need

    def level(self, buckets_per_second: float) -> PeakLevel:
        return PeakLevel(buckets_per_second, self.mins[: self.count], self.maxs[: self.count])


class PeakBuilder:
    """Turns decoded 16 kHz blocks into `Peaks`; see the module docstring."""

    def __init__(
        self, expected_seconds: float | None = None, *, capacity: int | None = None
    ) -> None:
        """Ready for samples.

        Args:
            expected_seconds: The recording's length, if known: the base arrays get exactly
                that much room (a little more), so they are never copied to grow.
            capacity: Base buckets to make room for (instead of ``expected_seconds``).
        """
        if capacity is None:
            capacity = (
                math.ceil(expected_seconds * BUCKETS_PER_SECOND * 1.01) + 1
                if expected_seconds
                else _FIRST_CAPACITY
            )
        self._levels = [_Growing(capacity // LEVEL_FACTOR**i + 1) for i in range(LEVELS)]
        self._rest = np.zeros(0, np.float32)  # samples of a bucket not yet full

    @property
    def nbytes(self) -> int:
        """The bytes its arrays hold (allocated, not only filled)."""
        return sum(g.mins.nbytes + g.maxs.nbytes for g in self._levels)

    def add(self, samples: FloatArray) -> None:
        """Take the next decoded samples (any length)."""
        if self._rest.size:
            samples = np.concatenate([self._rest, samples])
        full = samples.size // SAMPLES_PER_BUCKET * SAMPLES_PER_BUCKET
        self._rest = samples[full:].copy()
        if full:
            buckets = samples[:full].reshape(-1, SAMPLES_PER_BUCKET)
            self.add_buckets(
                buckets.min(axis=1).astype(PEAK_DTYPE), buckets.max(axis=1).astype(PEAK_DTYPE)
            )

    def add_buckets(self, mins: PeakArray, maxs: PeakArray) -> None:
        """Take base-level buckets directly (from a cache); the pyramid follows."""
        self._levels[0].append(mins, maxs)
        self._grow_pyramid(final=False)

    def snapshot(self) -> Peaks:
        """What is computed so far (shares the arrays; cheap)."""
        return Peaks(self._levels_now(), complete=False)

    def finish(self) -> Peaks:
        """The last partial bucket and pyramid groups in; the complete peaks."""
        if self._rest.size:
            rest, self._rest = self._rest, np.zeros(0, np.float32)
            self._levels[0].append(
                np.array([rest.min()], PEAK_DTYPE), np.array([rest.max()], PEAK_DTYPE)
            )
        self._grow_pyramid(final=True)
        return Peaks(self._levels_now(), complete=True)

    def _levels_now(self) -> tuple[PeakLevel, ...]:
        return tuple(
            g.level(BUCKETS_PER_SECOND / LEVEL_FACTOR**i) for i, g in enumerate(self._levels)
        )

    def _grow_pyramid(self, *, final: bool) -> None:
        """Fill each level from the one below, as far as whole groups go (all, when final)."""
        for below, level in zip(self._levels, self._levels[1:], strict=False):
            whole = below.count // LEVEL_FACTOR
            target = -(-below.count // LEVEL_FACTOR) if final else whole
            if target <= level.count:
                continue
            lo, hi = level.count * LEVEL_FACTOR, min(target * LEVEL_FACTOR, below.count)
            mins, maxs = below.mins[lo:hi], below.maxs[lo:hi]
            starts = np.arange(0, hi - lo, LEVEL_FACTOR)
            level.append(np.minimum.reduceat(mins, starts), np.maximum.reduceat(maxs, starts))
