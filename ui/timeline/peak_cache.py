"""Peaks kept on disk, so reopening a recording shows its waveform at once.

One ``.npz`` per recording in a cache folder (the app keeps it beside its autosaves), named by a
hash of the recording's path, size and modification time, so an edited or replaced file is never
shown with stale peaks. Only the base level is stored; the pyramid is rebuilt on load (a few
milliseconds for 3 hours). A file that cannot be read back whole and consistent — cut short, from
another version, not ours — counts as missing: the peaks are computed again and it is replaced.
Writes go through a temporary file and a rename, so a crash never leaves half a file under the
real name. The folder keeps the `MAX_FILES` most recently used entries.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from pathlib import Path
from typing import Final

import numpy as np

from ui.timeline.peaks import BUCKETS_PER_SECOND, PEAK_DTYPE, Peaks

__all__ = ["FORMAT_VERSION", "MAX_FILES", "cache_path", "load_peaks", "save_peaks"]

log = logging.getLogger(__name__)

#: Bumped whenever what is stored changes meaning; other versions are ignored.
FORMAT_VERSION: Final = 1
#: Entries kept; the least recently used go first (a 3-hour file's entry is ~4 MB).
MAX_FILES: Final = 64


def _key(media: Path) -> tuple[str, int, int]:
    st = media.stat()
    return str(media.resolve()), st.st_size, st.st_mtime_ns


def cache_path(folder: Path, media: Path) -> Path:
    """Where the peaks of ``media`` (as it is now) are kept in ``folder``.

    Raises:
        OSError: The media file cannot be looked at.
    """
    path, size, mtime = _key(media)
    digest = hashlib.sha256(f"{path}\0{size}\0{mtime}".encode()).hexdigest()[:32]
    return folder / f"{digest}.npz"


def load_peaks(folder: Path, media: Path) -> Peaks | None:
    """The cached peaks of ``media``, or None when there are none (or they are unusable)."""
    try:
        target = cache_path(folder, media)
        if not target.is_file():
            return None
        with np.load(target, allow_pickle=False) as data:
            version = int(data["version"])
            rate = int(data["buckets_per_second"])
            key = str(data["media"])
            mins, maxs = data["mins"], data["maxs"]
        os.utime(target)  # recently used: kept longest
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        log.warning("ignoring the damaged waveform cache for %s: %s", media.name, e)
        return None
    expected = "\0".join(str(v) for v in _key(media))
    if (
        version != FORMAT_VERSION
        or rate != BUCKETS_PER_SECOND
        or key != expected
        or mins.dtype != PEAK_DTYPE
        or maxs.dtype != PEAK_DTYPE
        or mins.ndim != 1
        or mins.shape != maxs.shape
        or not len(mins)
    ):
        log.warning("ignoring a waveform cache for %s that does not match it", media.name)
        return None
    return Peaks.from_base(mins, maxs)


def save_peaks(folder: Path, media: Path, peaks: Peaks) -> Path | None:
    """Store complete ``peaks`` of ``media``; returns the file, or None when it failed (logged)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = cache_path(folder, media)
        partial = target.with_name(f"{target.stem}.{os.getpid()}.partial.npz")
        np.savez(
            partial,
            version=np.int32(FORMAT_VERSION),
            buckets_per_second=np.int32(BUCKETS_PER_SECOND),
            media=np.str_("\0".join(str(v) for v in _key(media))),
            mins=peaks.base.mins,
            maxs=peaks.base.maxs,
        )
        os.replace(partial, target)
    except OSError as e:
        log.warning("could not cache the waveform of %s: %s", media.name, e)
        return None
    _prune(folder)
    return target


def _prune(folder: Path) -> None:
    """Delete the least recently used entries past `MAX_FILES`."""
    try:
        entries = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[MAX_FILES:]:
            old.unlink(missing_ok=True)
    except OSError as e:
        log.debug("could not tidy the waveform cache: %s", e)
