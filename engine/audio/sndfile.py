"""Decoding with libsndfile (through soundfile): WAV, FLAC, Ogg Vorbis/Opus, MP3, AIFF...

Reads a second at a time. libsndfile drops a whole read when it meets damage (a truncated FLAC),
so after an error the file is reopened at the last good frame and read in small steps up to the
damage: all that decodes is kept.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from engine.audio.common import SAMPLE_RATE, AudioInfo, FloatArray, downmix, quoted
from engine.errors import AudioDecodeError
from engine.resample import Resampler

__all__ = ["SoundfileSource", "Unsupported", "probe_soundfile"]

logger = logging.getLogger(__name__)

# What soundfile raises for files it cannot read; its messages are not shown to people
# (for a bad MP3 libsndfile says "File does not exist or is not a regular file").
_SF_ERRORS = (sf.SoundFileError, RuntimeError, ValueError, TypeError, OSError)


class Unsupported(Exception):
    """libsndfile cannot read this file (another decoder may); the message is libsndfile's."""


def _open(path: Path) -> sf.SoundFile:
    try:
        f = sf.SoundFile(str(path))
    except _SF_ERRORS as e:
        raise Unsupported(str(e)) from e
    if f.samplerate <= 0 or f.channels <= 0:  # nonsense header: leave it to ffmpeg
        f.close()
        raise Unsupported(f"rate {f.samplerate}, {f.channels} channels")
    return f


def _info(path: Path, f: sf.SoundFile) -> AudioInfo:
    return AudioInfo(
        path=path,
        duration=f.frames / f.samplerate if f.frames >= 0 else None,
        source_rate=int(f.samplerate),
        channels=int(f.channels),
        codec=f"{f.format.lower()}/{f.subtype.lower()}",
        decoder="soundfile",
    )


def probe_soundfile(path: Path) -> AudioInfo:
    """Describe ``path`` from its header, if libsndfile can read it.

    Raises:
        Unsupported: libsndfile does not recognise the file.
    """
    with _open(path) as f:
        return _info(path, f)


class SoundfileSource:
    """A file being read by libsndfile, resampled to 16 kHz and mixed down to mono."""

    _SALVAGE_FRAMES = 1024

    def __init__(self, path: Path) -> None:
        """Open ``path``.

        Raises:
            Unsupported: libsndfile does not recognise the file.
        """
        self._file = _open(path)
        self.info = _info(path, self._file)
        self._read_frames = max(self._SALVAGE_FRAMES, self._file.samplerate)
        self._resampler = Resampler(self._file.samplerate, SAMPLE_RATE)
        self._decoded = 0  # source frames decoded so far
        self._damaged = False  # the file broke off: what follows the current read is lost
        self._done = False

    def read(self) -> FloatArray | None:
        """The next resampled samples (often empty while the resampler fills), None at the end.

        Raises:
            AudioDecodeError: The very first read fails (nothing could be decoded).
        """
        if self._done:
            return None
        block = np.zeros((0, 1), dtype=np.float32)
        if not self._damaged:
            try:
                block = self._file.read(self._read_frames, dtype="float32", always_2d=True)
            except _SF_ERRORS as e:
                if self._decoded == 0:
                    raise AudioDecodeError(f"Cannot decode {quoted(self.info.path)}: {e}") from e
                block, self._damaged = self._salvage(e), True
        if block.shape[0] == 0:
            self._done = True
            return self._resampler.flush()
        self._decoded += block.shape[0]
        return self._resampler.process(downmix(block))

    def _salvage(self, error: Exception) -> npt.NDArray[np.float32]:
        """The frames between the last good read and the damage, read in small steps."""
        pieces = []
        try:
            with sf.SoundFile(str(self.info.path)) as f:
                f.seek(self._decoded)
                while (piece := f.read(self._SALVAGE_FRAMES, dtype="float32", always_2d=True)).size:
                    pieces.append(piece)
        except _SF_ERRORS:
            pass  # reached the damage
        salvaged = np.concatenate(pieces) if pieces else np.zeros((0, 1), dtype=np.float32)
        logger.warning(
            "%s is damaged or truncated; kept the %.1f s that decoded (libsndfile: %s)",
            self.info.path,
            (self._decoded + salvaged.shape[0]) / self._file.samplerate,
            error,
        )
        return salvaged

    def close(self) -> None:
        """Close the file; safe to call twice."""
        self._file.close()
        self._done = True
