"""File > Import Subtitles: choose an SRT or WebVTT file, then the recording it belongs to.

The recording is optional (the transcript can be corrected without playback); the picker opens
on a recording beside the subtitles with the same name, the one a dropped subtitle file is
opened with too (`media_beside`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtWidgets import QFileDialog, QWidget

__all__ = ["MEDIA_EXTENSIONS", "SUBTITLE_SUFFIXES", "import_subtitles_dialog", "media_beside"]

#: What the app imports as subtitles.
SUBTITLE_SUFFIXES: Final = (".srt", ".vtt")
#: Media files looked for beside imported subtitles, most likely first.
MEDIA_EXTENSIONS: Final = (
    "wav", "mp3", "m4a", "flac", "ogg", "opus", "aac", "wma", "aiff",
    "mp4", "mov", "mkv", "webm", "avi",
)  # fmt: skip


def media_beside(subtitles: Path) -> Path | None:
    """A recording with the subtitle file's name next to it (talk.srt -> talk.m4a)."""
    for extension in MEDIA_EXTENSIONS:
        candidate = subtitles.with_suffix(f".{extension}")
        if candidate.is_file():
            return candidate
    return None


def import_subtitles_dialog(parent: QWidget | None = None) -> tuple[Path, Path | None] | None:
    """Ask for a subtitle file, then for its media (None when the person skips that).

    The media dialog opens on a file beside the subtitles with the same name, when one exists.

    Returns:
        (subtitles, media or None), or None when no subtitle file was chosen.
    """
    chosen, _filter = QFileDialog.getOpenFileName(
        parent, "Import subtitles", "", "Subtitles (*.srt *.vtt);;All files (*)"
    )
    if not chosen:
        return None
    subtitles = Path(chosen)
    guess = media_beside(subtitles)
    patterns = " ".join(f"*.{ext}" for ext in MEDIA_EXTENSIONS)
    media, _filter = QFileDialog.getOpenFileName(
        parent,
        f"Media of {subtitles.name} (Cancel: import without media)",
        str(guess or subtitles.parent),
        f"Audio and video ({patterns});;All files (*)",
    )
    return subtitles, Path(media) if media else None
