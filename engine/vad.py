"""Voice activity detection and chunking of a 16 kHz stream into model windows (numpy only).

Pipeline, frame by frame (30 ms frames every 10 ms), all streaming with a bounded lookahead:

1. Features: log energy after removing the frame's mean (so a DC offset is silence), spectral
   flatness and the share of energy at the strongest frequency, over 100-7000 Hz.
2. Noise floor: the 10th percentile of the energies from 6 s before to 1.5 s after each half
   second. A steady sound (hum, fan, white noise, a tone) soon becomes the floor.
3. Speech frames: energy above the floor by ``threshold_db`` to start, ``threshold_db - 3`` to
   go on (hysteresis), above -90 dBFS, and not vetoed: a frame as flat as white noise
   (flatness > 0.45) or with 99.8 % of its energy at one frequency (a pure tone) is not speech.
   Speech itself trips these on about 0.5 % of frames, which the smoothing below bridges.
4. Smoothing: pauses shorter than ``min_silence_ms`` are filled, bursts shorter than
   ``min_speech_ms`` dropped, ``speech_pad_ms`` added on both sides.
5. Chunking: speech separated by pauses up to ``max_pause_s`` shares a chunk (pauses stay in, for
   context); a longer pause ends the chunk and its silence is skipped. A chunk about to pass
   ``max_chunk_s`` is cut in its longest pause (preferring the later two thirds), or, in speech
   with no pause, at the quietest frame of the last 5 s before the limit.

So white noise, tones and silence yield no chunks rather than low-confidence ones. Every step
depends on a bounded neighbourhood only, so the chunks do not depend on how the stream is split
into blocks, and the buffer holds about ``max_chunk_s + max_pause_s`` plus 2.5 s of audio.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from engine.options import VadOptions

__all__ = ["FRAME", "HOP", "SAMPLE_RATE", "Chunk", "Chunker", "frame_features"]

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

SAMPLE_RATE = 16000
FRAME = 480  # samples per analysis frame (30 ms)
HOP = 160  # samples between frames (10 ms); frame i is centred on samples [i*HOP, (i+1)*HOP)
_NFFT = 512
_BAND = (100.0, 7000.0)  # Hz: below is rumble and hum, above is little speech at 16 kHz
_FLOOR_BLOCK = 50  # frames per noise-floor estimate (0.5 s)
_FLOOR_BACK = 12  # blocks of history in a floor estimate (6 s)
_FLOOR_AHEAD = 3  # blocks of lookahead (1.5 s): speech at the very start still stands out
_FLOOR_PERCENTILE = 10.0
HYSTERESIS_DB = 3.0
MIN_LEVEL_DB = -90.0  # dBFS: quieter frames are never speech (dither, digital near-silence)
_NOISE_FLATNESS = 0.45  # white noise measures ~0.56, speech frames < 0.33 in 99 % of cases
_TONE_PEAK = 0.998  # share of energy within 2 bins of the strongest one; tones ~0.9998
_CUT_SEARCH_S = 5.0  # a cut inside speech looks this far back from the limit (at most half)
_LATER_PART = 1 / 3  # pauses after this share of a chunk are preferred for a cut


@dataclass(frozen=True, slots=True, eq=False)
class Chunk:
    """A stretch of the stream to hand to the model.

    Attributes:
        start: Index (16 kHz samples) of the chunk's first sample in the whole stream.
        audio: The chunk's samples, float32, at most ``max_chunk_s`` long.
        speech: ``(start, end)`` sample ranges, relative to the chunk, where speech was detected
            (padding included); words decoded outside them are likely invented.
        pieces: For chunks glued together from several stretches (`engine.packing`), the
            ``(offset in the chunk, index in the stream)`` where each stretch begins, in order;
            empty for one contiguous stretch.
    """

    start: int
    audio: FloatArray
    speech: tuple[tuple[int, int], ...]
    pieces: tuple[tuple[int, int], ...] = ()

    @property
    def end(self) -> int:
        """Index in the stream of the sample after the chunk's last one."""
        if not self.pieces:
            return self.start + int(self.audio.size)
        offset, source = self.pieces[-1]
        return source + int(self.audio.size) - offset

    @property
    def duration(self) -> float:
        """Length of the chunk's audio in seconds."""
        return self.audio.size / SAMPLE_RATE

    def source_seconds(self, t: float) -> float:
        """Seconds from the start of the stream of ``t`` seconds into the chunk's audio."""
        sample = t * SAMPLE_RATE
        if not self.pieces:
            return (self.start + sample) / SAMPLE_RATE
        offset, source = self.pieces[0]
        for piece_offset, piece_source in self.pieces:
            if piece_offset > sample:
                break
            offset, source = piece_offset, piece_source
        return (source + sample - offset) / SAMPLE_RATE

    def joins(self) -> list[tuple[float, float]]:
        """Where glued stretches meet: (seconds into the chunk, seconds of stream skipped)."""
        out = []
        for (o1, s1), (o2, s2) in itertools.pairwise(self.pieces):
            out.append((o2 / SAMPLE_RATE, (s2 - (s1 + o2 - o1)) / SAMPLE_RATE))
        return out


_FREQS = np.fft.rfftfreq(_NFFT, 1 / SAMPLE_RATE)
_BINS = np.flatnonzero((_BAND[0] <= _FREQS) & (_BAND[1] >= _FREQS))
_WINDOW = np.hanning(FRAME).astype(np.float32)


def frame_features(samples: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Energy (dBFS) and the noise-or-tone veto of each frame ``samples[i*HOP : i*HOP + FRAME]``.

    Returns:
        ``(energy_db, veto)``, one value per whole frame in ``samples``.
    """
    count = (samples.size - FRAME) // HOP + 1
    if count <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=bool)
    frames = np.lib.stride_tricks.sliding_window_view(samples, FRAME)[::HOP][:count]
    frames = frames - frames.mean(axis=1, keepdims=True, dtype=np.float32)
    power = np.mean(frames * frames, axis=1, dtype=np.float32)
    energy = (10.0 * np.log10(np.maximum(power, 1e-12))).astype(np.float32)
    spectrum = np.abs(np.fft.rfft(frames * _WINDOW, _NFFT, axis=1)[:, _BINS]) ** 2 + 1e-20
    total = spectrum.sum(axis=1)
    flatness = np.exp(np.mean(np.log(spectrum), axis=1)) / (total / spectrum.shape[1])
    peak = spectrum.argmax(axis=1)
    sums = np.cumsum(np.pad(spectrum, ((0, 0), (3, 3))), axis=1)
    rows = np.arange(count)
    near_peak = (sums[rows, peak + 5] - sums[rows, peak]) / total  # bins peak-2 .. peak+2
    return energy, (flatness > _NOISE_FLATNESS) | (near_peak > _TONE_PEAK)


def _runs(mask: BoolArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Start and end indices of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate([[False], mask, [False]]).astype(np.int8))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _smooth(raw: BoolArray, fill: int, shortest: int, pad: int) -> BoolArray:
    """Fill inner gaps shorter than ``fill``, drop runs shorter than ``shortest``, pad by ``pad``.

    The result at a frame depends only on ``raw`` within ``fill + shortest + pad`` frames of it.
    """
    mask = raw.copy()
    starts, ends = _runs(~mask)
    inner = (starts > 0) & (ends < mask.size) & (ends - starts < fill)
    for s, e in zip(starts[inner], ends[inner], strict=True):
        mask[s:e] = True
    starts, ends = _runs(mask)
    for s, e in zip(starts, ends, strict=True):
        if e - s < shortest:
            mask[s:e] = False
    if pad > 0 and mask.any():
        counts = np.concatenate([[0], np.cumsum(mask)])
        idx = np.arange(mask.size)
        lo, hi = np.maximum(idx - pad, 0), np.minimum(idx + pad + 1, mask.size)
        mask = counts[hi] - counts[lo] > 0
    return mask


ScalarT = TypeVar("ScalarT", bound=np.generic)


class _Track(Generic[ScalarT]):
    """A growing 1-D array addressed by absolute index, whose old part can be dropped.

    Appends are amortised (the storage doubles when full), so feeding tiny blocks stays cheap.
    """

    def __init__(self, dtype: type[ScalarT], base: int = 0) -> None:
        self._store: npt.NDArray[ScalarT] = np.zeros(1024, dtype=dtype)
        self._offset = 0  # position of `base` in the store
        self._size = 0
        self.base = base

    @property
    def end(self) -> int:
        return self.base + self._size

    def append(self, values: npt.ArrayLike) -> None:
        new = np.asarray(values, dtype=self._store.dtype).reshape(-1)
        if self._offset + self._size + new.size > self._store.size:
            store = np.zeros(max(2 * (self._size + new.size), 1024), dtype=self._store.dtype)
            store[: self._size] = self._store[self._offset : self._offset + self._size]
            self._store, self._offset = store, 0
        start = self._offset + self._size
        self._store[start : start + new.size] = new
        self._size += new.size

    def get(self, start: int, stop: int) -> npt.NDArray[ScalarT]:
        """The values at absolute indices ``start .. stop`` (a view)."""
        lo = self._offset + start - self.base
        return self._store[lo : lo + stop - start]

    def drop_before(self, index: int) -> None:
        """Forget the values before absolute ``index``."""
        k = min(max(0, index - self.base), self._size)
        self._offset += k
        self._size -= k
        self.base += k


class Chunker:
    """Cuts a 16 kHz mono stream into `Chunk` s of speech, skipping the silence between them.

    Feed consecutive blocks of any size with `feed`, then call `flush` once at the end; each
    returns the chunks that became final, in order. With ``options.enabled`` false, the stream
    is cut into consecutive windows of ``max_chunk_s`` instead, nothing skipped.

    Attributes:
        options: The settings in use.
    """

    def __init__(self, options: VadOptions) -> None:
        """Prepare a chunker for one stream."""
        self.options = options
        self._fill = math.ceil(options.min_silence_ms / 10)
        self._shortest = math.ceil(options.min_speech_ms / 10)
        self._pad = math.ceil(options.speech_pad_ms / 10)
        self._radius = self._fill + self._shortest + self._pad
        self._max_chunk = max(HOP, round(options.max_chunk_s * SAMPLE_RATE))
        # A pause inside a chunk is at most half a chunk, so a cut in it leaves speech on both
        # sides within reach of the limit.
        self._max_pause = min(round(options.max_pause_s * SAMPLE_RATE), self._max_chunk // 2)
        lead = (FRAME - HOP) // 2  # frame 0 starts this far before the stream, on zeros
        self._samples = _Track(np.float32, base=-lead)
        self._samples.append(np.zeros(lead, dtype=np.float32))
        self._energy = _Track(np.float32)
        self._veto = _Track(np.bool_)
        self._floor = _Track(np.float32)
        self._raw = _Track(np.bool_)
        self._in_speech = False  # hysteresis state after the last raw frame
        self._mask_end = 0  # frames whose final speech mask has been consumed
        self._received = 0
        self._total: int | None = None  # the stream's length, once flushed
        self._emitted = 0  # samples emitted (fixed windows)
        self._group: int | None = None  # start of the chunk being gathered
        self._regions: list[tuple[int, int]] = []  # its closed speech runs
        self._open: int | None = None  # start of a speech run still going on

    @property
    def position(self) -> int:
        """Samples of input decided: everything before was emitted in chunks or skipped."""
        if not self.options.enabled:
            return self._emitted
        if self._group is not None:
            return self._group
        return min(self._mask_end * HOP, self._received)

    def feed(self, block: npt.ArrayLike) -> list[Chunk]:
        """Add the next samples; returns the chunks that are final now."""
        if self._total is not None:
            raise RuntimeError("Chunker.feed after flush: use a new Chunker per stream")
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        self._samples.append(x)
        self._received += x.size
        return self._advance() if self.options.enabled else self._windows()

    def flush(self) -> list[Chunk]:
        """End the stream; returns the remaining chunks."""
        if self._total is not None:
            return []
        self._total = self._received
        if not self.options.enabled:
            return self._windows()
        frames = -(-self._total // HOP)
        needed = (frames - 1) * HOP + FRAME - (FRAME - HOP) // 2
        self._samples.append(np.zeros(max(0, needed - self._samples.end), dtype=np.float32))
        return self._advance()

    def _windows(self) -> list[Chunk]:
        chunks = []
        end = self._received
        final = self._total is not None
        while end - self._emitted >= self._max_chunk or (final and end > self._emitted):
            stop = min(end, self._emitted + self._max_chunk)
            chunks.append(self._chunk(self._emitted, stop, [(self._emitted, stop)]))
            self._emitted = stop
        self._samples.drop_before(self._emitted)
        return chunks

    def _chunk(self, start: int, stop: int, speech: list[tuple[int, int]]) -> Chunk:
        audio = np.array(self._samples.get(start, stop), dtype=np.float32)
        ranges = tuple((max(a, start) - start, min(b, stop) - start) for a, b in speech)
        return Chunk(start, audio, tuple(r for r in ranges if r[1] > r[0]))

    def _advance(self) -> list[Chunk]:
        self._features()
        self._floors()
        self._decide()
        chunks: list[Chunk] = []
        self._gather(chunks)
        self._trim()
        return chunks

    def _features(self) -> None:
        first = self._energy.end
        start = first * HOP - (FRAME - HOP) // 2
        energy, veto = frame_features(self._samples.get(start, self._samples.end))
        self._energy.append(energy)
        self._veto.append(veto)

    def _floors(self) -> None:
        known = self._energy.end
        while self._floor.end < known:
            b = self._floor.end // _FLOOR_BLOCK
            hi = (b + 1 + _FLOOR_AHEAD) * _FLOOR_BLOCK
            if hi > known and self._total is None:
                break
            lo = max(0, (b - _FLOOR_BACK) * _FLOOR_BLOCK)
            floor = np.percentile(self._energy.get(lo, min(hi, known)), _FLOOR_PERCENTILE)
            count = min((b + 1) * _FLOOR_BLOCK, known) - self._floor.end
            self._floor.append(np.full(count, floor, dtype=np.float32))

    def _decide(self) -> None:
        """Raw speech flags with hysteresis, for the frames whose floor is known."""
        start, stop = self._raw.end, self._floor.end
        if stop <= start:
            return
        energy = self._energy.get(start, stop)
        floor = self._floor.get(start, stop)
        able = (energy > MIN_LEVEL_DB) & ~self._veto.get(start, stop)
        high = able & (energy > floor + self.options.threshold_db)
        low = able & (energy > floor + self.options.threshold_db - HYSTERESIS_DB)
        # Speech runs from a frame above `high` until the next frame below `low`; the state
        # before this stretch is carried as a virtual frame at index -1.
        idx = np.arange(stop - start)
        reset = np.maximum.accumulate(np.where(~low, idx, -2 if self._in_speech else -1))
        rise = np.maximum.accumulate(np.where(high, idx, -1 if self._in_speech else -2))
        flags = low & (rise > reset)
        self._raw.append(flags)
        self._in_speech = bool(flags[-1])

    def _gather(self, chunks: list[Chunk]) -> None:
        """Smooth the newly decided frames and grow, cut or close chunks with them."""
        final = self._total is not None
        stop = self._raw.end if final else self._raw.end - self._radius
        first = self._mask_end
        mask = np.zeros(0, dtype=bool)
        if stop > first:
            lo = max(0, first - self._radius)  # enough context for `_smooth` to agree
            raw = self._raw.get(lo, self._raw.end).astype(bool)
            mask = _smooth(raw, self._fill, self._shortest, self._pad)[first - lo : stop - lo]
            self._mask_end = stop
        limit = self._total if self._total is not None else self._mask_end * HOP
        if self._open is not None and (final or mask.size) and not (mask.size and mask[0]):
            self._regions.append((self._open, min(first * HOP, limit)))  # it ended last time
            self._open = None
        for s, e in zip(*_runs(mask), strict=True):
            a, b = (first + int(s)) * HOP, min((first + int(e)) * HOP, limit)
            if self._open is None:  # a new run after silence
                if self._group is not None and a - self._last_end() > self._max_pause:
                    self._close(chunks)
                self._group = a if self._group is None else self._group
                self._open = a
            if e < mask.size or final:  # the run ended (or the stream did)
                self._regions.append((self._open, b))
                self._open = None
            self._cut_long(b, chunks)
        ended = final or limit - self._last_end() > self._max_pause
        if self._open is None and self._group is not None and ended:
            self._close(chunks)

    def _last_end(self) -> int:
        return self._regions[-1][1] if self._regions else self._group or 0

    def _close(self, chunks: list[Chunk]) -> None:
        """Emit the gathered chunk, up to the end of its last speech."""
        assert self._group is not None
        if self._regions:
            chunks.append(self._chunk(self._group, self._last_end(), self._regions))
        self._group, self._regions = None, []

    def _cut_long(self, extent: int, chunks: list[Chunk]) -> None:
        """While the gathered speech reaches past ``max_chunk_s``, emit its first part."""
        while self._group is not None and extent - self._group > self._max_chunk:
            start, limit = self._group, self._group + self._max_chunk
            runs = self._regions + ([(self._open, extent)] if self._open is not None else [])
            cut = self._cut_point(start, limit, runs)
            chunks.append(self._chunk(start, cut, [r for r in runs if r[0] < cut]))
            self._regions = [(max(a, cut), b) for a, b in self._regions if b > cut]
            self._open = None if self._open is None else max(self._open, cut)
            self._group = cut

    def _cut_point(self, start: int, limit: int, runs: list[tuple[int, int]]) -> int:
        """Where to end a chunk that must end by ``limit``: the best pause, else a quiet frame."""
        gaps = [(b, a) for (_, b), (a, _) in itertools.pairwise(runs) if b <= limit]
        if gaps:
            later = [g for g in gaps if g[0] >= start + _LATER_PART * self._max_chunk]
            g0, g1 = max(later or gaps, key=lambda g: (g[1] - g[0], g[0]))
            return min((g0 + g1) // 2, limit)
        inside = next(a for a, b in runs if b > limit)  # the speech that crosses the limit
        search = min(round(_CUT_SEARCH_S * SAMPLE_RATE), self._max_chunk // 2)
        lo = -(-max(inside, limit - search) // HOP)
        hi = limit // HOP
        if hi <= lo:
            return limit
        quietest = lo + int(np.argmin(self._energy.get(lo, hi)))
        return min(max(quietest * HOP + HOP // 2, start + 1), limit)

    def _trim(self) -> None:
        """Forget what no later decision needs: memory stays bounded on long streams."""
        frontier = min(self._mask_end * HOP, self._received)
        keep = frontier if self._group is None else self._group
        next_frame = self._energy.end * HOP - (FRAME - HOP) // 2
        self._samples.drop_before(min(keep, next_frame))
        floor_from = (self._floor.end // _FLOOR_BLOCK - _FLOOR_BACK) * _FLOOR_BLOCK
        self._energy.drop_before(min(floor_from, keep // HOP, self._raw.end))
        self._veto.drop_before(self._raw.end)
        self._floor.drop_before(self._raw.end)
        self._raw.drop_before(self._mask_end - self._radius)
