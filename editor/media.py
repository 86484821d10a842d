"""Media references: is a project's media file still there, and still the same recording?

A transcript names its media file in a `MediaInfo` (path, size, duration, fingerprint). The
project file stores that reference (see `editor.project` for how its path is written relative to
the project's folder); this module describes a media file for a new transcript, checks a
reference against the file system, and looks for a file that was moved.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from editor.errors import ProjectError
from editor.project import StrPath, os_error_reason
from editor.transcript import MediaInfo

__all__ = [
    "FINGERPRINT_SCHEME",
    "MediaStatus",
    "check_media",
    "find_moved_media",
    "fingerprint_file",
    "media_info_for",
]

FINGERPRINT_SCHEME = "sha256-ends"
#: How much of each end of the media file the fingerprint reads.
FINGERPRINT_CHUNK_BYTES = 1024 * 1024


class MediaStatus(enum.Enum):
    """Whether a project's media file is still the one it was made from."""

    OK = "ok"
    MISSING = "missing"  # not there, or cannot be opened
    CHANGED = "changed"  # there, but its size or fingerprint differs


def fingerprint_file(path: StrPath) -> str:
    """A fast content fingerprint: SHA-256 over the size and the first and last MiB.

    Reading only the ends keeps this instant for hour-long recordings, and is enough to tell a
    re-encoded or different file from the original.

    Returns:
        ``"sha256-ends:<hex digest>"``.

    Raises:
        ProjectError: The file cannot be read.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            digest = hashlib.sha256(b"%d\n" % size)
            digest.update(f.read(FINGERPRINT_CHUNK_BYTES))
            if size > FINGERPRINT_CHUNK_BYTES:
                f.seek(max(size - FINGERPRINT_CHUNK_BYTES, FINGERPRINT_CHUNK_BYTES))
                digest.update(f.read(FINGERPRINT_CHUNK_BYTES))
    except OSError as e:
        raise ProjectError(f"Cannot read the media file {path}: {os_error_reason(e)}.") from e
    return f"{FINGERPRINT_SCHEME}:{digest.hexdigest()}"


def media_info_for(path: StrPath, duration_ms: int | None) -> MediaInfo:
    """Describe a media file (absolute path, size, fingerprint) for a new transcript.

    Raises:
        ProjectError: The file cannot be read.
    """
    fingerprint = fingerprint_file(path)
    return MediaInfo(os.path.abspath(path), duration_ms, os.path.getsize(path), fingerprint)


def check_media(project_path: StrPath | None, media: MediaInfo) -> MediaStatus:
    """Tell whether ``media`` is still where the project says, and unchanged.

    Args:
        project_path: The project file; a relative media path is resolved against its folder.
        media: The media reference to check.
    """
    path = media.path
    if project_path is not None and not os.path.isabs(path):
        path = os.path.join(os.path.dirname(os.path.abspath(project_path)), path)
    try:
        if not os.path.isfile(path):
            return MediaStatus.MISSING
        if media.size is not None and os.path.getsize(path) != media.size:
            return MediaStatus.CHANGED
        known = (media.fingerprint or "").startswith(FINGERPRINT_SCHEME + ":")
        if known and fingerprint_file(path) != media.fingerprint:
            return MediaStatus.CHANGED
    except (OSError, ProjectError):
        return MediaStatus.MISSING
    return MediaStatus.OK


def find_moved_media(media: MediaInfo, search_dirs: Iterable[StrPath]) -> Path | None:
    """Look for the media file, moved, in other folders (for "relink a moved media file").

    A file matches when it has the same name and, where the project knows them, the same size
    and fingerprint.

    Args:
        media: The reference whose file went missing.
        search_dirs: Folders to look in, in order (e.g. the project's folder first).

    Returns:
        The first matching file, or None.
    """
    name = os.path.basename(media.path)
    for folder in search_dirs:
        candidate = Path(folder) / name
        if check_media(None, dataclasses.replace(media, path=str(candidate))) is MediaStatus.OK:
            return candidate
    return None
