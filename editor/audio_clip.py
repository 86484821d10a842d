"""Export a stretch of the recording as an audio file: a quote, or one speaker's turn.

pydub does the cutting and the encoding (through ffmpeg): it asks ffmpeg for the stretch alone
(``-ss``/``-t``), so a clip from a three-hour recording reads only the clip, and the encoded file
is written atomically (`editor.atomic`) like every other export.
"""

from __future__ import annotations

import io
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from editor.atomic import atomic_write_bytes
from editor.errors import ExportError

__all__ = ["AUDIO_FORMATS", "AudioFormat", "export_audio_clip"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """A file type a clip can be saved as.

    Attributes:
        extension: File name extension without the dot.
        name: For a file dialog.
        muxer: ffmpeg's name for the container (pydub's ``format``).
        codec: ffmpeg's encoder, when the container's default is not the one wanted.
    """

    extension: str
    name: str
    muxer: str
    codec: str | None = None


AUDIO_FORMATS: Final[tuple[AudioFormat, ...]] = (
    AudioFormat("wav", "WAV audio", "wav"),
    AudioFormat("mp3", "MP3 audio", "mp3"),
    AudioFormat("m4a", "AAC audio (M4A)", "ipod", "aac"),
    AudioFormat("flac", "FLAC audio", "flac"),
    AudioFormat("ogg", "Ogg Vorbis audio", "ogg", "libvorbis"),
)


def export_audio_clip(media: Path, start_ms: int, end_ms: int, target: Path) -> None:
    """Write ``start_ms``-``end_ms`` of ``media`` to ``target``, encoded by its extension.

    Raises:
        ExportError: Bad range or extension, no ffmpeg, or a recording ffmpeg cannot read
            (the message says what to do).
        SaveError: The file cannot be written (full disk, read-only folder...).
    """
    fmt = _format_for(target)
    if not 0 <= start_ms < end_ms:
        raise ExportError("Select some words first: the clip would be empty.")
    if not media.is_file():
        raise ExportError(
            f"The recording {media.name} is not where the transcript says ({media}): "
            "relink it (File > Relink Media) and try again."
        )
    if shutil.which("ffmpeg") is None:
        raise ExportError(
            "Exporting audio needs ffmpeg, which is not installed "
            "(macOS: brew install ffmpeg; Debian/Ubuntu: sudo apt install ffmpeg)."
        )
    from pydub import AudioSegment  # imported late: it looks for ffmpeg when imported

    try:
        clip = AudioSegment.from_file(
            str(media), start_second=start_ms / 1000, duration=(end_ms - start_ms) / 1000
        )
        data = io.BytesIO()
        clip.export(data, format=fmt.muxer, codec=fmt.codec)
    except Exception as e:  # pydub raises bare exceptions for ffmpeg's failures
        log.warning("Audio clip from %s failed: %s", media, e)
        raise ExportError(
            f"ffmpeg could not cut {media.name} into a {fmt.extension.upper()} clip: "
            f"{str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__}"
        ) from e
    if len(clip) == 0:
        raise ExportError(f"The recording {media.name} has no audio at that time.")
    atomic_write_bytes(target, data.getvalue())


def _format_for(target: Path) -> AudioFormat:
    ext = target.suffix.lower().lstrip(".")
    for fmt in AUDIO_FORMATS:
        if fmt.extension == ext:
            return fmt
    known = ", ".join(f.extension for f in AUDIO_FORMATS)
    raise ExportError(f"Audio clips can be saved as {known}, not {ext or 'a file without one'}.")
