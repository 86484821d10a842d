"""The front door: `probe`, `open_audio` (streaming) and `load_audio` (whole file).

Decoder choice: libsndfile first (no subprocess, and it reads WAV, FLAC, Ogg Vorbis/Opus and MP3),
ffmpeg for anything it does not recognise or cannot decode from the start (M4A, AAC, MP4, MOV,
MKV, WebM, WMA...).

Damage policy, the same for both decoders: a file that breaks off after some audio decoded gives
that audio and logs a warning (a truncated recording is still worth transcribing); a file from
which nothing decodes raises `AudioDecodeError`.
"""

from __future__ import annotations

import logging
import os
import weakref
from types import TracebackType

import numpy as np

from engine.audio.common import (
    SAMPLE_RATE,
    AudioInfo,
    FloatArray,
    Source,
    check_file,
    quoted,
    reject_text,
)
from engine.audio.ffmpeg import FfmpegSource, find_ffmpeg, missing_ffmpeg_error, probe_ffmpeg
from engine.audio.sndfile import SoundfileSource, Unsupported, probe_soundfile
from engine.errors import AudioDecodeError

__all__ = ["AudioStream", "load_audio", "open_audio", "probe"]

logger = logging.getLogger(__name__)

_NEEDS_FFMPEG = "is in a format that needs ffmpeg"


def probe(path: str | os.PathLike[str]) -> AudioInfo:
    """Describe a media file without decoding it.

    Args:
        path: An audio or video file.

    Returns:
        Its duration, rate, channels, codec and the decoder that will read it.

    Raises:
        AudioDecodeError: The file is missing, unreadable, empty, not media, or has no audio.
        FfmpegMissingError: Only ffmpeg could read it, and ffmpeg is not installed.
    """
    p = check_file(path)
    try:
        return probe_soundfile(p)
    except Unsupported as e:
        logger.debug("libsndfile cannot read %s (%s); trying ffmpeg", p, e)
    reject_text(p)
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise missing_ffmpeg_error(p, _NEEDS_FFMPEG)
    return probe_ffmpeg(p, ffmpeg)


class AudioStream:
    """Decoded audio as consecutive 16 kHz mono float32 blocks; see `open_audio`.

    Attributes:
        info: What the decoder found in the file.
        position: Samples (at 16 kHz) delivered so far.
    """

    def __init__(self, source: Source, block_seconds: float, first: FloatArray | None) -> None:
        """Wrap a started decoder and the first piece already read from it (use `open_audio`)."""
        self.info = source.info
        self.position = 0
        self._source = source
        self._block = max(1, round(block_seconds * SAMPLE_RATE))
        self._pending: list[FloatArray] = [first] if first is not None and first.size else []
        self._pending_size = sum(p.size for p in self._pending)
        self._finished = first is None
        # A stream dropped without close() still stops its ffmpeg when collected.
        self._finalizer = weakref.finalize(self, source.close)

    def __iter__(self) -> AudioStream:
        return self

    def __next__(self) -> FloatArray:
        while self._pending_size < self._block and not self._finished:
            try:
                piece = self._source.read()
            except BaseException:
                self.close()
                raise
            if piece is None:
                self._finished = True
            elif piece.size:
                self._pending.append(piece)
                self._pending_size += piece.size
        if self._pending_size == 0:
            self.close()
            if self.position == 0:
                raise AudioDecodeError(f"{quoted(self.info.path)} contains no audio samples")
            raise StopIteration
        joined = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        block, rest = joined[: self._block], joined[self._block :]
        self._pending = [rest] if rest.size else []
        self._pending_size = rest.size
        self.position += block.size
        return block

    def close(self) -> None:
        """Stop decoding: closes the file, or kills and reaps ffmpeg. Safe to call twice."""
        self._finished = True
        self._pending, self._pending_size = [], 0
        self._finalizer()

    def __enter__(self) -> AudioStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _start(path: str | os.PathLike[str]) -> tuple[Source, FloatArray | None]:
    """Pick and start a decoder; returns it with the first piece it decoded, if already read."""
    p = check_file(path)
    try:
        source = SoundfileSource(p)
    except Unsupported as e:
        logger.debug("libsndfile cannot read %s (%s); trying ffmpeg", p, e)
        reject_text(p)
    else:
        # Read the first piece now: if libsndfile fails on it, ffmpeg gets a chance instead.
        try:
            return source, source.read()
        except AudioDecodeError as e:
            source.close()
            if find_ffmpeg() is None:
                raise
            logger.info("libsndfile failed on %s (%s); trying ffmpeg", p, e)
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise missing_ffmpeg_error(p, _NEEDS_FFMPEG)
    return FfmpegSource(p, ffmpeg, probe_ffmpeg(p, ffmpeg)), np.zeros(0, dtype=np.float32)


def open_audio(path: str | os.PathLike[str], block_seconds: float = 30.0) -> AudioStream:
    """Start decoding a media file into 16 kHz mono float32 blocks.

    Memory does not grow with the length of the file: it is read a block at a time.

    Args:
        path: An audio or video file.
        block_seconds: Length of each block; the last one is shorter.

    Returns:
        An iterator of blocks and a context manager; leaving the ``with`` block, an exception or
        `AudioStream.close` stops the decoder (an ffmpeg process is killed and reaped).

    Raises:
        AudioDecodeError: The file cannot be decoded (also raised while iterating, e.g. when it
            holds no samples at all).
        FfmpegMissingError: Only ffmpeg could read it, and ffmpeg is not installed.
    """
    source, first = _start(path)
    return AudioStream(source, block_seconds, first)


def load_audio(path: str | os.PathLike[str]) -> FloatArray:
    """Decode a whole file to one 16 kHz mono float32 array (for short clips and tests)."""
    with open_audio(path) as stream:
        blocks = list(stream)
    return np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
