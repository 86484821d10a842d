"""Autosave and crash recovery: unsaved work kept in the app's data folder.

An autosave is a project file (see `editor.project`) with an absolute media path and one more
top-level key, ``autosave_of``: the project it belongs to, or null for work never saved as a
project. At start the app offers to recover every autosave newer than its project.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from editor.atomic import atomic_write_text, cleanup_stale_temps
from editor.errors import ProjectError
from editor.project import (
    Project,
    StrPath,
    load_project_with_extras,
    os_error_reason,
    project_to_json,
)

__all__ = [
    "AUTOSAVE_SUFFIX",
    "RecoveryCandidate",
    "autosave_path_for",
    "discard_autosave",
    "find_recoverable",
    "save_autosave",
]

log = logging.getLogger(__name__)

AUTOSAVE_SUFFIX = ".autosave.json"


@dataclass(frozen=True, slots=True)
class RecoveryCandidate:
    """An autosave holding work that was never saved to its project.

    Attributes:
        autosave_path: The autosave file; open it with `editor.project.load_project`.
        project_path: The project it belongs to, or None for work never saved as a project.
        media_path: The media file it transcribes, when known.
        saved_at: When the autosave was written.
        word_count: How many words it holds (to help the person choose).
    """

    autosave_path: Path
    project_path: Path | None
    media_path: str | None
    saved_at: datetime
    word_count: int


def autosave_path_for(
    project_path: StrPath | None, media_path: StrPath, autosave_dir: StrPath
) -> Path:
    """The autosave file for a project (or, before its first save, for its media file).

    The name is stable for a given absolute path, readable, and distinct for different paths.
    """
    if project_path is not None:
        kind, target = "project", os.path.abspath(project_path)
    else:
        kind, target = "media", os.path.abspath(media_path)
    stem = re.sub(r"[^\w.-]+", "_", Path(target).stem)[:40] or "untitled"
    key = f"{kind}:{target}".encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(key).hexdigest()[:16]
    return Path(autosave_dir) / f"{stem}-{digest}{AUTOSAVE_SUFFIX}"


def save_autosave(autosave_path: StrPath, project: Project, project_path: StrPath | None) -> None:
    """Write an autosave: a project file (absolute media path) plus ``autosave_of``.

    Raises:
        SaveError: The file cannot be written.
    """
    owner = os.path.abspath(project_path) if project_path else None
    try:
        os.makedirs(os.path.dirname(os.path.abspath(autosave_path)), exist_ok=True)
    except OSError as e:  # let the write below report it in plain words
        log.debug("cannot create the autosave folder: %s", e)
    atomic_write_text(autosave_path, project_to_json(project, extra={"autosave_of": owner}))


def find_recoverable(autosave_dir: StrPath) -> list[RecoveryCandidate]:
    """Autosaves newer than their saved project (or with none), newest first.

    Unreadable autosaves are skipped with a warning; leftovers of interrupted autosaves are
    cleaned up.
    """
    if not os.path.isdir(autosave_dir):
        return []  # nothing autosaved yet
    cleanup_stale_temps(autosave_dir)
    found: list[RecoveryCandidate] = []
    for path in sorted(Path(autosave_dir).glob(f"*{AUTOSAVE_SUFFIX}")):
        try:
            mtime = path.stat().st_mtime
            project, extras = load_project_with_extras(path)
        except (OSError, ProjectError) as e:
            log.warning("ignoring autosave %s: %s", path, e)
            continue
        owner = extras.get("autosave_of")
        if owner is not None and not isinstance(owner, str):
            log.warning("ignoring autosave %s: autosave_of must be text", path)
            continue
        project_path = Path(owner) if owner else None
        if project_path is not None and (problem := _owner_problem(project_path, path)):
            log.warning("ignoring autosave %s: its project %r %s", path, owner, problem)
            continue
        if project_path is not None and _mtime(project_path) >= mtime:
            continue  # the project was saved after this autosave: nothing to recover
        media = project.transcript.media
        found.append(
            RecoveryCandidate(
                autosave_path=path,
                project_path=project_path,
                media_path=media.path if media else None,
                saved_at=project.saved_at or datetime.fromtimestamp(mtime, UTC),
                word_count=project.transcript.word_count,
            )
        )
    found.sort(key=lambda c: c.saved_at.timestamp(), reverse=True)
    return found


def discard_autosave(path: StrPath) -> None:
    """Delete an autosave (after a save, or when the person declines recovery).

    Raises:
        ProjectError: It exists but cannot be deleted.
    """
    try:
        Path(path).unlink(missing_ok=True)
    except OSError as e:
        raise ProjectError(f"Cannot delete the autosave {path}: {os_error_reason(e)}.") from e


def _owner_problem(project_path: Path, autosave: Path) -> str | None:
    """Why an autosave's ``autosave_of`` must not be trusted, or None when it may be.

    Recovering an autosave later saves to that path, and the path comes from a file on disk: an
    edited or planted autosave must not make the app overwrite some other file (issue 16). The
    autosave's own name carries a digest of its project's absolute path (`autosave_path_for`),
    so a path that does not give back that name is not the project this autosave was made for.
    """
    text = str(project_path)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "contains control characters"
    if not project_path.is_absolute():
        return "is not an absolute path"
    if autosave_path_for(project_path, "", autosave.parent).name != autosave.name:
        return "does not match the autosave's name"
    if project_path.exists() and not project_path.is_file():
        return "is not a regular file"
    return None


def _mtime(path: Path) -> float:
    """Modification time, or -inf when the file is gone (so any autosave is newer)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return float("-inf")
