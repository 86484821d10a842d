"""From a recording to voice prints: speech regions, windows over them, one embedding each.

The audio is decoded block by block (`engine.audio.open_audio`) and cut into chunks of speech by
the same Silero-based `engine.vad.Chunker` as transcription, with settings for diarization
(`SPEAKER_VAD`: a low threshold on unlevelled audio). In each chunk the embedder's features are
computed once, and windows of the model's trained length are laid every ``window_s`` seconds
over each speech region (a region shorter than a window gets one window centred on it, whose
edges hear the audio around it). Only the embeddings and the times are kept, so memory grows
with the amount of speech (about 1.3 kB per window: 17 MB for three hours), never with the audio.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.audio import SAMPLE_RATE, open_audio
from engine.errors import Cancelled
from engine.options import VadOptions
from engine.speakers.embedders import Embedder
from engine.speakers.options import SpeakerProgress
from engine.vad import Chunk, Chunker

__all__ = ["SPEAKER_VAD", "AudioSource", "SpeechWindows", "embed_speech"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
AudioSource = str | Path | npt.NDArray[np.floating]
ProgressCallback = Callable[[SpeakerProgress], None]

# Tuned on the AMI excerpts of bench/diarization.py (trn09 held out; seconds of 158 s of
# reference speech, collar 0): Silero on the audio as it is, since levelling made it fire on
# background murmur (false alarm 9.0 s -> 0.6 s); a low threshold, as far-field voices score
# 0.2-0.5 (missed 29.8 s -> 17.3 s at 0.15); 250 ms of padding for clipped word edges (missed
# 17.3 s -> 8.9 s, false alarm 1.9 s -> 5.9 s). Levelling for the recogniser (`lift_quiet`)
# is not for voice prints.
SPEAKER_VAD = VadOptions(
    threshold=0.15,
    neg_threshold=0.09,
    speech_pad_ms=250,
    min_silence_ms=160,
    lift_quiet=False,
    pack=False,
    level=False,
)
_TARGET_RMS = 10 ** (-30 / 20)  # Resemblyzer normalises its input to -30 dBFS
_BLOCK_S = 30.0  # seconds decoded at a time
_ARRAY_BLOCK = round(_BLOCK_S * SAMPLE_RATE)


@dataclass(frozen=True, slots=True, eq=False)
class SpeechWindows:
    """Where speech is, and a voice print for each window of it.

    Attributes:
        regions: (r, 2) float64 start and end seconds of each speech region, in order.
        spans: (n, 2) float64 seconds each window stands for: the part of its region it covers.
        region_of: (n,) index into ``regions`` of each window.
        embeddings: (n, dimension) float32 unit-length embeddings.
        duration: Seconds of audio read.
    """

    regions: npt.NDArray[np.float64]
    spans: npt.NDArray[np.float64]
    region_of: npt.NDArray[np.intp]
    embeddings: FloatArray
    duration: float


def _blocks(source: AudioSource) -> tuple[Iterator[FloatArray], float, Callable[[], None]]:
    """Blocks of 16 kHz audio, the duration when known, and a function that stops decoding."""
    if isinstance(source, np.ndarray):
        samples = np.asarray(source, dtype=np.float32).reshape(-1)
        blocks = (samples[i : i + _ARRAY_BLOCK] for i in range(0, samples.size, _ARRAY_BLOCK))
        return blocks, samples.size / SAMPLE_RATE, lambda: None
    stream = open_audio(source, block_seconds=_BLOCK_S)
    return stream, stream.info.duration or 0.0, stream.close


def _window_starts(first: int, last: int, width: int, step: int, frames: int) -> list[int]:
    """Window starts (frames) covering ``first .. last`` in a chunk of ``frames`` frames."""
    if last - first <= width:
        centre = (first + last) // 2
        return [max(0, min(centre - width // 2, frames - width))]
    starts = list(range(first, last - width + 1, step))
    if starts[-1] + width < last:  # the region's end gets a window of its own
        starts.append(last - width)
    return starts


class _Collector:
    """Embeds the windows of each chunk and keeps only embeddings and times."""

    def __init__(self, embedder: Embedder, window_s: float) -> None:
        self.embedder = embedder
        self.hop = embedder.hop_samples
        self.width = embedder.window_frames
        self.step = max(1, round(window_s * SAMPLE_RATE / self.hop))
        self.regions: list[tuple[float, float]] = []
        self.spans: list[tuple[float, float]] = []
        self.region_of: list[int] = []
        self.embeddings: list[FloatArray] = []

    def add(self, chunk: Chunk) -> None:
        feats = self.embedder.features(chunk.audio)
        if feats.shape[0] < self.width:  # a chunk shorter than a window: silence after it
            pad = np.zeros((self.width - feats.shape[0], feats.shape[1]), np.float32)
            feats = np.concatenate([feats, pad])
        # As Resemblyzer's preprocessing: the chunk raised (never lowered) to -30 dBFS; power
        # mel scales with the square of the level. Levelling each window alone measured worse.
        power = float(np.mean(np.square(chunk.audio, dtype=np.float64))) if chunk.audio.size else 0
        gain = max(1.0, _TARGET_RMS**2 / max(power, 1e-10))
        windows = []
        for a, b in chunk.speech:
            region = len(self.regions)
            self.regions.append(((chunk.start + a) / SAMPLE_RATE, (chunk.start + b) / SAMPLE_RATE))
            first, last = a // self.hop, -(-b // self.hop)
            for s in _window_starts(first, last, self.width, self.step, feats.shape[0]):
                lo, hi = s * self.hop, min((s + self.width) * self.hop, chunk.audio.size)
                span = (max(lo, a), min(hi, b))
                self.spans.append(
                    ((chunk.start + span[0]) / SAMPLE_RATE, (chunk.start + span[1]) / SAMPLE_RATE)
                )
                self.region_of.append(region)
                windows.append(feats[s : s + self.width])
        if windows:
            mels = np.stack(windows) * np.float32(gain)
            self.embeddings.append(self.embedder.embed_mels(mels))

    def result(self, duration: float) -> SpeechWindows:
        dim = self.embedder.dimension
        return SpeechWindows(
            regions=np.asarray(self.regions, np.float64).reshape(-1, 2),
            spans=np.asarray(self.spans, np.float64).reshape(-1, 2),
            region_of=np.asarray(self.region_of, np.intp),
            embeddings=(
                np.concatenate(self.embeddings)
                if self.embeddings
                else np.zeros((0, dim), np.float32)
            ),
            duration=duration,
        )


def embed_speech(
    source: AudioSource,
    embedder: Embedder,
    *,
    window_s: float,
    vad: VadOptions = SPEAKER_VAD,
    cancel: threading.Event | None = None,
    on_progress: ProgressCallback | None = None,
) -> SpeechWindows:
    """Find the speech in a recording and embed windows of it.

    Args:
        source: A media file, or 16 kHz mono samples.
        embedder: The speaker-embedding model.
        window_s: Seconds between the starts of consecutive windows in a region.
        vad: Voice-activity settings (``max_chunk_s`` bounds the audio held at once).
        cancel: Set it to stop; checked after every chunk.
        on_progress: Called after every chunk.

    Returns:
        The speech regions and window embeddings.

    Raises:
        Cancelled: ``cancel`` was set.
        AudioDecodeError: The file cannot be decoded.
        ModelLoadError: The voice-activity model cannot be read.
    """
    chunker = Chunker(vad)
    collector = _Collector(embedder, window_s)
    blocks, total, stop = _blocks(source)
    received = 0
    try:
        for block in blocks:
            received += block.size
            _collect(chunker.feed(block), collector, cancel)
            if on_progress is not None:
                on_progress(SpeakerProgress("embedding", received / SAMPLE_RATE, total))
        _collect(chunker.flush(), collector, cancel)
    finally:
        stop()
    log.debug("%d speech regions, %d windows", len(collector.regions), len(collector.spans))
    return collector.result(received / SAMPLE_RATE)


def _collect(
    chunks: Iterable[Chunk], collector: _Collector, cancel: threading.Event | None
) -> None:
    for chunk in chunks:
        if cancel is not None and cancel.is_set():
            raise Cancelled("Speaker identification was cancelled.")
        collector.add(chunk)
    if cancel is not None and cancel.is_set():
        raise Cancelled("Speaker identification was cancelled.")
