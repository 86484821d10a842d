"""Drop binaries the bundle must not carry, and the libraries only they needed.

Used by ``transcript_editor.spec`` between PyInstaller's analysis and the collection step:

- the system OpenBLAS. PyInstaller finds it through ``ctypes.util.find_library("openblas")`` in
  ``engine/blas.py``, but the engine loads it by name at run time from the system (Debian:
  ``libopenblas0``) and falls back to MLX's own BLAS when there is none, so carrying ~40 MB of
  someone else's build (tuned or not for the user's CPU) gains nothing;
- Qt's GTK3 platform theme, which would load the system's GTK against the bundle's older or newer
  GLib, cairo and pango (a classic source of crashes); the app styles itself with Fusion and uses
  the XDG portal theme for native file dialogs;
- Qt's virtual keyboard, which alone pulls QtQuick and QtQml into the bundle.

A library goes only when every binary that needed it went, so nothing still in use is lost;
libraries nothing links to (Qt plugins, libraries opened with dlopen) are never touched.
"""

from __future__ import annotations

import fnmatch
import logging
import posixpath
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

log = logging.getLogger(__name__)

#: (destination name, source path, PyInstaller type code), as in ``Analysis.binaries``.
Entry = tuple[str, str, str]
#: Returns the library names a binary links to (``get_imports`` without the paths).
ImportsOf = Callable[[str], Iterable[str]]

DROP_PATTERNS = (
    "libopenblas*",
    "*/platformthemes/libqgtk3.*",
    "*/platforminputcontexts/libqtvirtualkeyboardplugin.*",
)


def _base(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name


def matches(dest: str, patterns: Iterable[str]) -> bool:
    """Whether a destination path (or its file name) matches one of the glob patterns."""
    norm = dest.replace("\\", "/")
    return any(fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(_base(norm), p) for p in patterns)


def prune(
    binaries: list[Entry], imports_of: ImportsOf, patterns: Iterable[str] = DROP_PATTERNS
) -> tuple[list[Entry], list[str]]:
    """Remove the entries matching ``patterns`` and the libraries left without any user.

    Args:
        binaries: PyInstaller's binaries TOC.
        imports_of: The library names a source file links to.
        patterns: Globs on the destination path or file name of what to drop.

    Returns:
        The kept entries, and the destination names of the dropped ones.
    """
    patterns = tuple(patterns)
    users: dict[str, set[str]] = {}  # library file name -> destinations linking to it
    for dest, src, kind in binaries:
        if kind == "SYMLINK":  # src is the destination name of the link's target
            continue
        for name in imports_of(src):
            users.setdefault(_base(name), set()).add(dest)
    dropped = {dest for dest, _src, _kind in binaries if matches(dest, patterns)}
    changed = bool(dropped)
    while changed:
        changed = False
        for dest, _src, _kind in binaries:
            linked_by = users.get(_base(dest))
            if dest not in dropped and linked_by and linked_by <= dropped:
                dropped.add(dest)
                changed = True
    kept = [entry for entry in binaries if entry[0] not in dropped]
    return kept, sorted(dropped)


def drop_links(entries: list[Entry], dropped: Iterable[str]) -> list[Entry]:
    """``entries`` without the symbolic links pointing at a dropped file.

    PyInstaller puts its SYMLINK entries (e.g. a top-level ``libQt6Foo.so.6`` pointing into
    ``PySide6/Qt/lib``) among the datas; their source is the target relative to the link's folder.
    """
    gone = set(dropped)

    def target(dest: str, src: str) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(dest), src))

    return [
        (dest, src, kind)
        for dest, src, kind in entries
        if not (kind == "SYMLINK" and target(dest, src) in gone)
    ]


def pyinstaller_imports(src: str) -> list[str]:
    """The libraries a binary links to, through PyInstaller's own resolver (ldd / macholib)."""
    from PyInstaller.depend.bindepend import get_imports

    try:
        return [name for name, _path in get_imports(src)]
    except Exception as e:  # a file the resolver cannot read links to nothing we can drop
        log.debug("cannot read the imports of %s: %s", src, e)
        return []
