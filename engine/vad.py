"""Voice activity detection and chunking of a 16 kHz stream into model windows.

Pipeline, frame by frame (32 ms frames of 512 samples), all streaming with a bounded lookahead:

1. Level: each frame's RMS after removing its mean (so a DC offset is silence).
2. Gain: each frame is scaled to bring the loudest frame from 0.5 s before to 0.13 s after it
   to -25 dBFS (gain 1 to 100, never lower). Silero's LSTM calibrates itself on what it heard:
   right after a loud speaker it scores a quiet one (-60 dBFS) as background, 0.01, and the
   words would be lost; levelled, the same speech scores 0.9. Noise, tones, hum and clicks
   stay non-speech however loud, so lifting quiet stretches finds no speech in them.
3. Speech probability of each frame: Silero VAD (`engine.silero`) on the levelled audio, fed in
   fixed groups of frames so the numbers never depend on how the stream was split into blocks.
4. Speech frames: probability at least ``threshold`` to start, at least ``neg_threshold`` to go
   on (hysteresis).
5. Smoothing: pauses shorter than ``min_silence_ms`` are filled, bursts shorter than
   ``min_speech_ms`` dropped, ``speech_pad_ms`` added on both sides.
6. Chunking: speech separated by pauses up to ``max_pause_s`` shares a chunk (pauses stay in, for
   context); a longer pause ends the chunk and its silence is skipped. A chunk about to pass
   ``max_chunk_s`` is cut in its longest pause in the later two thirds, or, without one there,
   at the quietest frame of the last 5 s before the limit (an earlier pause would leave a short
   chunk, and every chunk costs a whole encoder pass).

So white noise, tones, clicks and silence yield no chunks rather than low-confidence ones. Every
step depends on a bounded neighbourhood only, so the chunks do not depend on how the stream is
split into blocks, and the buffer holds about ``max_chunk_s + max_pause_s`` plus 2 s of audio.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from engine.options import VadOptions
from engine.silero import FRAME, SileroVad

__all__ = ["HOP", "SAMPLE_RATE", "Chunk", "Chunker", "lift_stretch"]

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

SAMPLE_RATE = 16000
HOP = FRAME  # samples per decision frame (32 ms): one Silero probability each
_GAIN_BACK = 16  # frames of history in the levelling envelope (0.5 s)
_GAIN_AHEAD = 4  # frames of lookahead (0.13 s): a loud onset is not first heard boosted
_TARGET_RMS = 10 ** (-25 / 20)  # the envelope's level after levelling (-25 dBFS)
_MAX_GAIN = 100.0  # +40 dB: lifts -65 dBFS speech; digital near-silence stays near-silent
_GROUP = 32  # frames per Silero call (1 s): fixed, so results never depend on block sizes
_VOICE_STEP = 4.0  # a speech run needing 12 dB more lift than its region is another voice
_RAMP = 160  # samples over which a chunk's gain changes between speech runs (10 ms)
_CUT_SEARCH_S = 5.0  # a cut inside speech looks this far back from the limit (at most half)
_LATER_PART = 1 / 3  # only pauses after this share of a chunk are taken for a cut


@dataclass(frozen=True, slots=True, eq=False)
class Chunk:
    """A stretch of the stream to hand to the model.

    Attributes:
        start: Index (16 kHz samples) of the chunk's first sample in the whole stream.
        audio: The chunk's samples, float32, at most ``max_chunk_s`` long; with
            ``VadOptions.lift_quiet``, quiet speech in it is raised (see `Chunker`).
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


def _frame_levels(samples: FloatArray) -> FloatArray:
    """RMS of each whole frame ``samples[i*HOP : (i+1)*HOP]`` after removing its mean."""
    count = samples.size // HOP
    frames = samples[: count * HOP].reshape(count, HOP)
    frames = frames - frames.mean(axis=1, keepdims=True, dtype=np.float32)
    return np.sqrt(np.mean(frames * frames, axis=1, dtype=np.float32))


def lift_stretch(audio: FloatArray) -> FloatArray:
    """``audio`` with one gain that brings its loudest frame to -25 dBFS (x1 to x100).

    `Chunker` lifts each speech run of a chunk as a whole; in continuous speech a quiet voice
    that follows a loud one within a second shares the loud one's run and stays quiet. A
    stretch cut out to be decoded again (`engine.coverage`) is lifted on its own with this.
    """
    levels = _frame_levels(audio)
    loudest = float(levels.max()) if levels.size else 0.0
    gain = min(max(_TARGET_RMS / max(loudest, 1e-12), 1.0), _MAX_GAIN)
    return audio if gain == 1.0 else (audio * np.float32(gain)).astype(np.float32)


def _envelope(levels: FloatArray, missing: int, count: int) -> FloatArray:
    """The loudest level from ``_GAIN_BACK`` frames before to ``_GAIN_AHEAD`` after each frame.

    Args:
        levels: Frame levels from ``_GAIN_BACK`` frames before the first frame wanted (less the
            ``missing`` ones before the stream's start) to as far as known.
        missing: Frames of history that do not exist (the stream starts later).
        count: Frames wanted.
    """
    # Zeros stand for absent frames: a level is never negative, so they never win the max.
    padded = np.concatenate(
        [np.zeros(missing, np.float32), levels, np.zeros(_GAIN_AHEAD, np.float32)]
    )
    windows = np.lib.stride_tricks.sliding_window_view(padded, _GAIN_BACK + _GAIN_AHEAD + 1)
    return np.asarray(windows[:count].max(axis=1), dtype=np.float32)


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
        """Prepare a chunker for one stream.

        Raises:
            ModelLoadError: The voice-activity model shipped with the app cannot be read.
        """
        self.options = options
        frame_ms = 1000 * HOP / SAMPLE_RATE
        self._fill = math.ceil(options.min_silence_ms / frame_ms)
        self._shortest = math.ceil(options.min_speech_ms / frame_ms)
        self._pad = math.ceil(options.speech_pad_ms / frame_ms)
        self._radius = self._fill + self._shortest + self._pad
        self._max_chunk = max(HOP, round(options.max_chunk_s * SAMPLE_RATE))
        # A pause inside a chunk is at most half a chunk, so a cut in it leaves speech on both
        # sides within reach of the limit.
        self._max_pause = min(round(options.max_pause_s * SAMPLE_RATE), self._max_chunk // 2)
        self._model = SileroVad.load() if options.enabled else None
        self._samples = _Track(np.float32)
        self._level = _Track(np.float32)
        self._raw = _Track(np.bool_)
        self._in_speech = False  # hysteresis state after the last raw frame
        self._mask_end = 0  # frames whose final speech mask has been consumed
        self._received = 0
        self._total: int | None = None  # the stream's length, once flushed
        self._emitted = 0  # samples emitted (fixed windows)
        self._group: int | None = None  # start of the chunk being gathered
        self._regions: list[tuple[int, int]] = []  # its closed speech runs
        self._open: int | None = None  # start of a speech run still going on
        # Speech runs without their padding, for levelling: in continuous speech padded runs
        # merge across short pauses, and a quiet voice would share a loud one's gain.
        self._cores: list[tuple[int, int]] = []
        self._core_open: int | None = None

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
        whole = -(-self._total // HOP) * HOP  # the last partial frame is completed with zeros
        self._samples.append(np.zeros(whole - self._samples.end, dtype=np.float32))
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
        ranges = tuple(r for r in ranges if r[1] > r[0])
        if self.options.enabled and self.options.lift_quiet and ranges:
            cores = [(a - start, b - start) for a, b in self._level_runs(start, stop)]
            audio *= self._lift(start, audio.size, self._voices(start, ranges, cores))
        return Chunk(start, audio, ranges)

    def _gain(self, start: int, a: int, b: int) -> float:
        """The gain that brings the loudest frame of ``a``-``b`` (chunk-relative) to -25 dBFS."""
        loudest = float(self._level.get((start + a) // HOP, -(-(start + b) // HOP)).max())
        return min(max(_TARGET_RMS / max(loudest, 1e-12), 1.0), _MAX_GAIN)

    def _voices(
        self, start: int, ranges: tuple[tuple[int, int], ...], cores: list[tuple[int, int]]
    ) -> tuple[tuple[int, int], ...]:
        """The runs to level one by one: padded regions, split where a much quieter voice starts.

        A region is split into its unpadded runs only when one of them needs over `_VOICE_STEP`
        times the region's gain: a quiet voice right after a loud one. Within one voice the
        region keeps one gain, so its own dynamics stay as they were.
        """
        out: list[tuple[int, int]] = []
        for a, b in ranges:
            inner = [(max(x, a), min(y, b)) for x, y in cores if x < b and y > a]
            region = self._gain(start, a, b)
            if not any(self._gain(start, x, y) > _VOICE_STEP * region for x, y in inner):
                out.append((a, b))
                continue
            # Consecutive runs within `_VOICE_STEP` of each other are one voice: one gain.
            voices = [inner[0]]
            for x, y in inner[1:]:
                g, voice = self._gain(start, x, y), self._gain(start, *voices[-1])
                if max(g, voice) < _VOICE_STEP * min(g, voice):
                    voices[-1] = (voices[-1][0], y)
                else:
                    voices.append((x, y))
            voices[0] = (a, voices[0][1])  # the region's padding goes with its voices
            voices[-1] = (voices[-1][0], b)
            out += voices
        return tuple(out)

    def _lift(self, start: int, size: int, ranges: tuple[tuple[int, int], ...]) -> FloatArray:
        """Per-sample gains raising each quiet speech run of a chunk to -25 dBFS (at most x100).

        One gain per run (its loudest frame sets it), so speech keeps its own dynamics. A pause
        between runs gets the larger of their gains: the quiet speaker's first and last sounds,
        which the detector may miss, are lifted too, and the pause's noise stays as far below
        that speaker as it was (levelling frame by frame lifted pauses above it: worse text in
        noisy recordings).
        """
        gains = [self._gain(start, a, b) for a, b in ranges]
        lift = np.full(size, gains[0], dtype=np.float32)
        for i in range(1, len(ranges)):
            (_, pause), (a, b) = ranges[i - 1], ranges[i]
            lift[pause:a] = max(gains[i - 1], gains[i])
            lift[a:b] = gains[i]
        lift[ranges[-1][1] :] = gains[-1]
        if len(set(gains)) > 1:  # ramp the steps over 10 ms: no clicks
            edges = np.concatenate([np.full(_RAMP // 2, lift[0]), lift, np.full(_RAMP, lift[-1])])
            sums = np.concatenate([[0.0], np.cumsum(edges, dtype=np.float64)])
            lift = ((sums[_RAMP:] - sums[:-_RAMP]) / _RAMP)[:size].astype(np.float32)
        return lift

    def _advance(self) -> list[Chunk]:
        first = self._level.end
        self._level.append(_frame_levels(self._samples.get(first * HOP, self._samples.end)))
        self._score()
        chunks: list[Chunk] = []
        self._gather(chunks)
        self._trim()
        return chunks

    def _score(self) -> None:
        """Level and score the frames whose gain is known, in groups of `_GROUP` frames."""
        assert self._model is not None
        final = self._total is not None
        known = self._level.end
        ready = known if final else known - _GAIN_AHEAD
        while ready - self._raw.end >= (1 if final else _GROUP):
            first = self._raw.end
            count = min(_GROUP, ready - first)
            lo = max(0, first - _GAIN_BACK)
            levels = self._level.get(lo, min(known, first + count + _GAIN_AHEAD))
            envelope = _envelope(levels, _GAIN_BACK - (first - lo), count)
            top = _MAX_GAIN if self.options.level else 1.0
            gain = np.clip(_TARGET_RMS / np.maximum(envelope, 1e-12), 1.0, top)
            frames = self._samples.get(first * HOP, (first + count) * HOP).reshape(count, HOP)
            self._decide(self._model.process(frames * gain[:, None].astype(np.float32)))

    def _decide(self, probability: FloatArray) -> None:
        """Append speech flags with hysteresis for the next frames' probabilities."""
        high = probability >= self.options.threshold
        low = probability >= self.options.neg_threshold
        # Speech runs from a frame above `high` until the next frame below `low`; the state
        # before this stretch is carried as a virtual frame at index -1.
        idx = np.arange(probability.size)
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
            if self.options.lift_quiet:
                core = _smooth(raw, self._fill, self._shortest, 0)[first - lo : stop - lo]
                self._track_cores(core, first, final)
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

    def _track_cores(self, core: BoolArray, first: int, final: bool) -> None:
        """Extend the unpadded speech runs with the newly decided frames from ``first``."""
        if self._core_open is not None and core.size and not core[0]:
            self._cores.append((self._core_open, first * HOP))
            self._core_open = None
        for s, e in zip(*_runs(core), strict=True):
            if self._core_open is None:
                self._core_open = (first + int(s)) * HOP
            if e < core.size or final:
                self._cores.append((self._core_open, (first + int(e)) * HOP))
                self._core_open = None

    def _level_runs(self, start: int, stop: int) -> list[tuple[int, int]]:
        """The unpadded speech runs within ``start``-``stop`` (the open one runs to ``stop``)."""
        runs = self._cores + ([(self._core_open, stop)] if self._core_open is not None else [])
        self._cores = [r for r in self._cores if r[1] > stop]
        return [(max(a, start), min(b, stop)) for a, b in runs if a < stop and b > start]

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
        later = [g for g in gaps if g[0] >= start + _LATER_PART * self._max_chunk]
        if later:
            g0, g1 = max(later, key=lambda g: (g[1] - g[0], g[0]))
            return min((g0 + g1) // 2, limit)
        # No pause in the later part: the quietest frame before the limit. A pause early in the
        # chunk would leave it a few seconds long, and every window costs a whole encoder pass.
        inside = next(a for a, b in runs if b > limit)  # the speech that crosses the limit
        search = min(round(_CUT_SEARCH_S * SAMPLE_RATE), self._max_chunk // 2)
        lo = -(-max(inside, limit - search) // HOP)
        hi = limit // HOP
        if hi <= lo:
            return limit
        quietest = lo + int(np.argmin(self._level.get(lo, hi)))
        return min(max(quietest * HOP + HOP // 2, start + 1), limit)

    def _trim(self) -> None:
        """Forget what no later decision needs: memory stays bounded on long streams."""
        frontier = min(self._mask_end * HOP, self._received)
        keep = frontier if self._group is None else self._group
        self._samples.drop_before(min(keep, self._raw.end * HOP))
        self._level.drop_before(min(keep // HOP, self._raw.end - _GAIN_BACK))
        self._raw.drop_before(self._mask_end - self._radius)
