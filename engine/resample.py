"""Streaming band-limited resampling by a rational ratio (polyphase Kaiser-windowed sinc).

Each output sample ``m`` sits at input time ``t = m * down / up`` and is the sum of the input
samples around ``t`` weighted by a Kaiser-windowed sinc low-pass (cut-off between 0.45 and 0.5 of
the lower of the two rates, about 90 dB of stopband attenuation from 0.5). Nothing is delayed:
output ``m`` is centred on input time ``t``, so timestamps need no correction.

Speed comes from turning the filter into matrix products. The ratio repeats every ``up`` outputs
and ``down`` inputs, so a "row" of ``periods * up`` outputs always sees the same weights relative
to its first input sample. The outputs of a row are split into groups of a few dozen; for each
group one dense matrix (window width x group size) maps a window of input to those outputs, and
all rows of a block are computed by one BLAS matrix product per group. The matrices are built once
per ratio and cached.

Output length for ``n_in`` inputs is ``ceil(n_in * up / down)``: every output whose time falls
inside the input. Streaming and one-shot use give the same samples (to float rounding).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["Resampler", "resample"]

FloatArray = npt.NDArray[np.float32]

#: Stopband attenuation the filter is designed for (the Kaiser window formula), in dB.
STOPBAND_DB = 90.0
#: The passband ends (and the transition band starts) at this fraction of the lower rate.
PASSBAND_EDGE = 0.45
#: The stopband starts at this fraction of the lower rate: its Nyquist frequency.
STOPBAND_EDGE = 0.5

# Outputs per matrix product. Wider groups multiply more zeros (each group's window spans the
# filter plus the group's own input) but small products run far below BLAS speed, worst of all
# multi-threaded: 160 measured best on 2 cores for 44.1 and 48 kHz.
_GROUP_OUTPUTS = 160
_ROWS_PER_BATCH = 4096  # rows per product: bounds the temporary window copies (a few MB)
_MIN_OUTPUTS = 1 << 17  # `process` waits for this many outputs (~8 s) so products stay large


@dataclass(frozen=True, slots=True)
class _Group:
    """The outputs ``first .. first + matrix.shape[1]`` of a row, from one window of input."""

    first: int  # index of the group's first output within the row
    offset: int  # start of its input window, relative to the row's first input sample
    matrix: FloatArray  # (window width, outputs) weights


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything fixed by the ratio, shared by all resamplers of that ratio."""

    up: int
    down: int
    row_in: int  # input samples a row advances
    row_out: int  # outputs a row produces
    back: int  # input samples needed before a row's first input sample
    reach: int  # a row needs input up to (not including) its first sample + reach
    groups: tuple[_Group, ...]


def _kaiser_sinc(tau: npt.NDArray[np.float64], cutoff: float, half: int) -> npt.NDArray[np.float64]:
    """The continuous low-pass kernel at offsets ``tau`` (in input samples), 0 outside ``half``."""
    beta = 0.1102 * (STOPBAND_DB - 8.7)  # Kaiser's formula for attenuation above 50 dB
    ratio = np.clip(tau / half, -1.0, 1.0)
    window = np.i0(beta * np.sqrt(1.0 - ratio * ratio)) / np.i0(beta)
    kernel = 2.0 * cutoff * np.sinc(2.0 * cutoff * tau) * window
    return np.where(np.abs(tau) < half, kernel, 0.0)


@functools.lru_cache(maxsize=16)
def _plan(up: int, down: int) -> _Plan:
    """Design the filter for ``up / down`` (already reduced) and cut it into matrices."""
    scale = min(1.0, up / down)  # the lower rate, in units of the input rate
    cutoff = 0.5 * (PASSBAND_EDGE + STOPBAND_EDGE) * scale  # cycles per input sample
    transition = 2.0 * math.pi * (STOPBAND_EDGE - PASSBAND_EDGE) * scale
    taps = (STOPBAND_DB - 7.95) / (2.285 * transition)  # Kaiser's length estimate
    half = math.ceil(taps / 2)

    periods = max(1, math.ceil(_GROUP_OUTPUTS / up))
    row_out, row_in = periods * up, periods * down
    n_groups = math.ceil(row_out / _GROUP_OUTPUTS)
    bounds = np.linspace(0, row_out, n_groups + 1).round().astype(int)
    groups = []
    for first, stop in itertools.pairwise(bounds):
        outputs = np.arange(first, stop)
        times = outputs * down / up  # input time of each output, from the row start
        offset = int(outputs[0] * down // up) - half + 1
        width = int(outputs[-1] * down // up) + half + 1 - offset
        tau = times[None, :] - (offset + np.arange(width))[:, None]
        matrix = _kaiser_sinc(tau, cutoff, half).astype(np.float32)
        matrix.flags.writeable = False  # shared through the cache
        groups.append(_Group(int(first), offset, matrix))
    back = -min(g.offset for g in groups)
    reach = max(g.offset + g.matrix.shape[0] for g in groups)
    return _Plan(up, down, row_in, row_out, back, reach, tuple(groups))


class Resampler:
    """Resamples a stream of float32 mono blocks from one rate to another.

    Call `process` with consecutive blocks, then `flush` once for the tail. Outputs come out
    behind the inputs: the filter looks ahead, and small inputs are gathered until about 8 s of
    output can be computed at once (BLAS is slow on small products). The concatenated outputs
    equal those of a single `process` + `flush` on the whole signal. After `flush` the resampler
    is ready for a new stream.

    Example:
        >>> r = Resampler(44100, 16000)
        >>> out = np.concatenate([r.process(b) for b in blocks] + [r.flush()])
    """

    def __init__(self, source_rate: int, target_rate: int = 16000) -> None:
        """Prepare a resampler (the filter is designed once per ratio and cached).

        Args:
            source_rate: Rate of the input, in Hz (> 0).
            target_rate: Rate of the output, in Hz (> 0).

        Raises:
            ValueError: A rate is not a positive integer.
        """
        if source_rate <= 0 or target_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {source_rate} and {target_rate}")
        self.source_rate = int(source_rate)
        self.target_rate = int(target_rate)
        g = math.gcd(self.source_rate, self.target_rate)
        self._up, self._down = self.target_rate // g, self.source_rate // g
        self._plan = None if self._up == self._down else _plan(self._up, self._down)
        self._reset()

    def _reset(self) -> None:
        back = self._plan.back if self._plan else 0
        self._buffer: FloatArray = np.zeros(back, dtype=np.float32)  # zeros before the start
        self._buffer_start = -back  # input index of self._buffer[0]
        self._received = 0  # input samples received since the stream began
        self._rows_done = 0

    def process(self, block: npt.ArrayLike) -> FloatArray:
        """Feed the next input block; returns the outputs that are now final (maybe none)."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        if self._plan is None:
            self._received += x.size
            return x.copy()
        self._buffer = np.concatenate([self._buffer, x])
        self._received += x.size
        ready = (self._received - self._plan.reach) // self._plan.row_in + 1
        if (ready - self._rows_done) * self._plan.row_out < _MIN_OUTPUTS:
            return np.zeros(0, dtype=np.float32)
        return self._rows(ready)

    def flush(self) -> FloatArray:
        """Finish the stream: returns the remaining outputs and resets the resampler."""
        if self._plan is None:
            self._reset()
            return np.zeros(0, dtype=np.float32)
        plan = self._plan
        total = -(-self._received * plan.up // plan.down)  # ceil(n_in * up / down)
        rows = -(-total // plan.row_out)
        needed = (rows - 1) * plan.row_in + plan.reach - self._buffer_start
        pad = max(0, needed - self._buffer.size)
        self._buffer = np.concatenate([self._buffer, np.zeros(pad, dtype=np.float32)])
        out = self._rows(max(rows, self._rows_done))
        keep = total - (self._rows_done * plan.row_out - out.size)
        self._reset()
        return out[:keep]

    def _rows(self, stop: int) -> FloatArray:
        """Compute rows ``self._rows_done .. stop`` and drop the input no later row needs."""
        plan = self._plan
        assert plan is not None
        parts = []
        for first in range(self._rows_done, stop, _ROWS_PER_BATCH):
            count = min(_ROWS_PER_BATCH, stop - first)
            out = np.empty((count, plan.row_out), dtype=np.float32)
            base = first * plan.row_in - self._buffer_start
            for group in plan.groups:
                width, n_out = group.matrix.shape
                start = base + group.offset
                stop_in = start + (count - 1) * plan.row_in + width
                windows = sliding_window_view(self._buffer[start:stop_in], width)[:: plan.row_in]
                out[:, group.first : group.first + n_out] = (
                    np.ascontiguousarray(windows) @ group.matrix
                )
            parts.append(out.reshape(-1))
        self._rows_done = max(stop, self._rows_done)
        drop = self._rows_done * plan.row_in - plan.back - self._buffer_start
        if drop > 0:
            self._buffer = self._buffer[drop:].copy()
            self._buffer_start += drop
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def resample(audio: npt.ArrayLike, source_rate: int, target_rate: int = 16000) -> FloatArray:
    """Resample a whole signal at once (see `Resampler`)."""
    r = Resampler(source_rate, target_rate)
    return np.concatenate([r.process(audio), r.flush()])
