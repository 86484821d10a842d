"""Crash-safe file writes: the target holds either its old or its new content, never a mix.

The data goes to a hidden temporary file in the target's folder (``.name.<hex>.tmp``), is flushed
to disk, and is then renamed over the target with `os.replace`, which is atomic on POSIX file
systems. The folder is flushed too, so the rename itself survives a power cut. A process killed
mid-save can leave a temporary file behind; `cleanup_stale_temps` removes those, and every
successful save removes its own target's stale ones (issue 16: they piled up beside projects and
exports). A file is only removed when it is provably a leftover of ours: our name pattern, a
regular file with one link, owned by this user, and untouched for long enough.

Every failure is raised as `SaveError` with a message a person understands ("the disk is full").
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import stat
import sys
import time
from pathlib import Path

from editor.errors import SaveError

__all__ = ["atomic_write_bytes", "atomic_write_text", "cleanup_stale_temps"]

log = logging.getLogger(__name__)

StrPath = str | os.PathLike[str]

#: Temporary files are named ``.<target name, cut to this length>.<hex>.tmp``; the cut keeps the
#: temporary name within the usual 255-byte limit whenever the target's own name fits.
_TEMP_NAME_CHARS = 100
_TEMP_HEX_CHARS = 12
_TEMP_PATTERN = re.compile(rf"^\..+\.[0-9a-f]{{{_TEMP_HEX_CHARS}}}\.tmp$")

#: A save touches its temporary file as it writes, and none takes this long: an older temporary
#: file of the same target was left by a save that was killed.
_STALE_BESIDE_TARGET_S = 3600.0

#: New files get the usual permissions (0o666 less the umask, applied by the kernel).
_NEW_FILE_MODE = 0o666

_REASONS: dict[int, str] = {
    errno.ENOSPC: "the disk is full. Free some space or save somewhere else",
    errno.EDQUOT: "your disk quota is used up. Free some space or save somewhere else",
    errno.EACCES: "you are not allowed to write there. Save somewhere else",
    errno.EPERM: "you are not allowed to write there. Save somewhere else",
    errno.EROFS: "the disk or folder is read-only. Save somewhere else",
    errno.ENOENT: "the folder does not exist (it may have been moved, renamed or unmounted)",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EISDIR: "there is a folder with that name. Choose another file name",
    errno.ENAMETOOLONG: "the file name is too long. Choose a shorter name",
    errno.EIO: "the disk reported an error. Save somewhere else",
}


def atomic_write_text(path: StrPath, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (see `atomic_write_bytes`).

    Args:
        path: The file to create or replace.
        text: The whole new content.
        encoding: How to encode ``text``.

    Raises:
        SaveError: The text cannot be encoded or the file cannot be written; the message says
            why in plain words, and the old file (if any) is left as it was.
    """
    try:
        data = text.encode(encoding)
    except (UnicodeEncodeError, LookupError) as e:
        raise SaveError(
            f"Cannot save to {path}: the text contains characters that {encoding} cannot "
            f"represent ({e})."
        ) from e
    atomic_write_bytes(path, data)


def atomic_write_bytes(path: StrPath, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the file holds either its old or its new content.

    A symbolic link is followed: the file it points at is replaced, the link stays. When the
    target exists, its permission bits are kept.

    Args:
        path: The file to create or replace.
        data: The whole new content.

    Raises:
        SaveError: The file cannot be written; the message says why in plain words, and the old
            file (if any) is left as it was.
    """
    target = Path(os.path.realpath(path))
    temp: Path | None = None
    mode: int | None = None
    try:
        mode = _existing_mode(target)
        if mode is not None and target.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
        fd, temp = _create_temp(target)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            _write_all(fd, data)
            _fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
        temp = None
        _fsync_folder(target.parent)
    except OSError as e:
        raise SaveError(_message(path, e.errno, e.strerror, kept_old=mode is not None)) from e
    finally:
        if temp is not None:
            _remove_quietly(temp)
    log.debug("saved %d bytes to %s", len(data), target)
    cleanup_stale_temps(target.parent, min_age_s=_STALE_BESIDE_TARGET_S, target_name=target.name)


def cleanup_stale_temps(
    folder: StrPath, *, min_age_s: float = 60.0, target_name: str | None = None
) -> int:
    """Remove temporary files left in ``folder`` by saves that were killed midway.

    Only regular files named like this module's temporary files, with a single link and owned
    by this user, are touched. Files younger than ``min_age_s`` are kept, as they may belong to
    a save that is still running in another process.

    Args:
        folder: The folder to clean (not recursively).
        min_age_s: Only remove temporary files last modified at least this many seconds ago.
        target_name: Only remove the temporary files of the target with this name.

    Returns:
        How many files were removed. Problems (folder missing, no permission) are logged,
        never raised: cleaning up is a courtesy.
    """
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError as e:
        log.warning("cannot look for stale temporary files in %s: %s", folder, e)
        return 0
    prefix = None if target_name is None else f".{target_name[:_TEMP_NAME_CHARS]}."
    for entry in entries:
        if not _TEMP_PATTERN.match(entry.name) or not entry.name.startswith(prefix or ""):
            continue
        try:
            if not _is_our_leftover(entry.stat(follow_symlinks=False), now, min_age_s):
                continue
            os.unlink(entry.path)
            removed += 1
        except OSError as e:
            log.warning("cannot remove stale temporary file %s: %s", entry.path, e)
    if removed:
        log.info("removed %d stale temporary file(s) from %s", removed, folder)
    return removed


def _is_our_leftover(info: os.stat_result, now: float, min_age_s: float) -> bool:
    """Whether a file named like our temporary files is one we may delete.

    A link (hard or symbolic), a folder or another user's file may look like ours by name but
    is not something a save of ours left.
    """
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return now - info.st_mtime >= min_age_s


def _existing_mode(target: Path) -> int | None:
    """The permission bits of ``target``, or None when it does not exist yet."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:  # also when the folder is missing: creating the temp file says so
        return None


def _create_temp(target: Path) -> tuple[int, Path]:
    """Create a new, hidden temporary file next to ``target`` and open it for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        name = f".{target.name[:_TEMP_NAME_CHARS]}.{secrets.token_hex(_TEMP_HEX_CHARS // 2)}.tmp"
        temp = target.with_name(name)
        try:
            return os.open(temp, flags, _NEW_FILE_MODE), temp
        except FileExistsError:  # a 48-bit clash: astronomically rare, just draw again
            continue


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data``; `os.write` may write less than asked."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync(fd: int) -> None:
    """Flush a file to the disk itself (on macOS `os.fsync` only reaches the drive's cache)."""
    if sys.platform == "darwin":
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:  # not supported by this file system: fall back to fsync
            pass
    os.fsync(fd)


def _fsync_folder(folder: Path) -> None:
    """Flush a folder so a rename in it is on disk; not possible everywhere (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as e:  # some file systems refuse fsync on folders; the rename still happened
        log.debug("cannot flush folder %s: %s", folder, e)
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        log.warning("cannot remove temporary file %s: %s", path, e)


def _message(
    path: StrPath, code: int | None, strerror: str | None = None, *, kept_old: bool = False
) -> str:
    """Sentences saying why ``path`` cannot be saved, for a person to read."""
    reason = _REASONS.get(code) if code is not None else None
    if reason is None:
        reason = (strerror or "an unknown error").rstrip(".").lower()
    unchanged = " The file that was there is unchanged." if kept_old else ""
    return f"Cannot save to {path}: {reason}.{unchanged}"
