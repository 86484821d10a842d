"""The files of our own packages that the bundle carries besides Python modules.

Shared by ``transcript_editor.spec`` (what to collect) and ``build.py`` (what to check): icons in
``ui/resources``, the voice-activity weights in ``engine/assets``, and whatever comes next.
"""

from __future__ import annotations

from pathlib import Path

PACKAGES = ("engine", "editor", "ui")
_CODE_SUFFIXES = frozenset({".py", ".pyc", ".pyi"})


def package_data(root: Path) -> list[tuple[Path, str]]:
    """(file, destination folder) for every non-Python file of our packages under ``root``."""
    files = (path for package in PACKAGES for path in sorted((root / package).rglob("*")))
    return [
        (path, path.parent.relative_to(root).as_posix())
        for path in files
        if path.is_file() and path.suffix not in _CODE_SUFFIXES and "__pycache__" not in path.parts
    ]
